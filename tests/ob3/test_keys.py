"""Key storage (encrypted, 0600, no secrets in metadata), JWKs, multibase, rotation."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from badger.ob3 import KeyAlgorithm, KeyMaterialError, KeyRing, generate_key, load_key, save_key
from badger.ob3.keys import jwk_thumbprint, public_key_from_jwk

PASS = b"correct horse battery staple"


@pytest.mark.parametrize("alg", ["Ed25519", "RS256", "ES256"])
def test_save_load_round_trip_encrypted_and_private(alg: str, tmp_path: Path) -> None:
    key = generate_key(alg)
    path = tmp_path / "k.pem"
    old_umask = os.umask(0)  # even with a permissive umask the file must be 0600
    try:
        save_key(path, key, PASS)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    pem = path.read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem
    meta = json.loads((tmp_path / "k.pem.json").read_text())
    assert set(meta) == {"kid", "algorithm", "created", "retired_at"}
    loaded = load_key(path, PASS)
    assert loaded.key_id == key.key_id and loaded.algorithm is KeyAlgorithm(alg)
    data = b"badge"
    assert key.verify(loaded.sign(data), data) and loaded.verify(key.sign(data), data)
    with pytest.raises(KeyMaterialError, match="passphrase"):
        load_key(path, b"wrong")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_repr_and_jwk_never_expose_private_material() -> None:
    for alg in ("Ed25519", "RS256", "ES256"):
        key = generate_key(alg)
        assert "hidden" in repr(key) and "private_key=<hidden>" in str(key)
        jwk = key.public_jwk()
        assert "d" not in jwk and jwk["kid"] == key.key_id and jwk["use"] == "sig"
        assert jwk["alg"] == {"Ed25519": "EdDSA", "RS256": "RS256", "ES256": "ES256"}[alg]
        assert public_key_from_jwk(jwk) == key.public_key
        assert key.key_id == jwk_thumbprint(jwk)
    with pytest.raises(KeyMaterialError):
        public_key_from_jwk({**generate_key("ES256").public_jwk(), "d": "AAAA"})


def test_public_key_multibase_is_ed25519_multikey() -> None:
    key = generate_key("Ed25519")
    assert key.public_key_multibase().startswith("z6Mk")
    with pytest.raises(KeyMaterialError):
        generate_key("RS256").public_key_multibase()


def test_empty_passphrase_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyMaterialError):
        save_key(tmp_path / "k.pem", generate_key("Ed25519"), b"")


def test_keyring_rotation_keeps_retired_keys(tmp_path: Path) -> None:
    from badger.ob3 import StaticResolver, sign, verify_proof
    from badger.ob3.dids import controller_document, jwks

    from ._factory import ISSUER_ID, credential

    ring = KeyRing(tmp_path / "keys", PASS)
    assert ring.active("Ed25519") is None
    first = ring.ensure("Ed25519")
    assert ring.ensure("Ed25519").key_id == first.key_id
    vm1 = f"{ISSUER_ID}#{first.public_key_multibase()}"
    old_doc = sign(credential(), first, vm1)
    second = ring.rotate("Ed25519")
    assert second.key_id != first.key_id
    active = ring.active("Ed25519")
    assert active is not None and active.key_id == second.key_id
    retired = ring.find(first.key_id)
    assert retired is not None and retired.retired
    assert len(ring.list_keys()) == 2
    published = controller_document(ISSUER_ID, ring.list_keys())
    assert len(published["assertionMethod"]) == 2
    assert len(jwks(ring.list_keys())["keys"]) == 2
    resolver = StaticResolver({ISSUER_ID: published})
    assert verify_proof(old_doc, resolver).verified  # old credentials still verify
    with pytest.raises(Exception, match="retired"):
        sign(credential(), retired, vm1)
    for p in (tmp_path / "keys").glob("*.pem"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert ring.find("nope") is None
    ring.ensure("RS256")
    assert {k.algorithm for k in ring.list_keys()} == {KeyAlgorithm.ED25519, KeyAlgorithm.RS256}
