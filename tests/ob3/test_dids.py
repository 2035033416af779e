"""did:key, did:jwk, did:web mapping, multibase prefixes, published documents."""

from __future__ import annotations

import base58
import pytest

from badger.ob3 import (
    DidError,
    did_jwk_decode,
    did_jwk_encode,
    did_key_from_public_key,
    did_key_to_public_key,
    did_web_document,
    did_web_from_url,
    did_web_to_url,
    generate_key,
    multibase_to_public_key,
    public_key_to_multibase,
    resolve_verification_method,
)
from badger.ob3.keys import public_key_from_jwk

from ._factory import load_vector


@pytest.mark.parametrize("alg", ["Ed25519", "ES256"])
def test_did_key_round_trip(alg: str) -> None:
    key = generate_key(alg)
    did = did_key_from_public_key(key.public_key)
    assert did.startswith("did:key:z6Mk" if alg == "Ed25519" else "did:key:zDn")
    assert did_key_to_public_key(did) == key.public_key
    frag = did.removeprefix("did:key:")
    resolved = resolve_verification_method(f"{did}#{frag}", None)
    assert resolved.public_key == key.public_key and resolved.controller == did


def test_vector_multikey_decodes() -> None:
    mb = load_vector("ob-impl-guide-vector", "keypair.json")["publicKeyMultibase"]
    assert public_key_to_multibase(multibase_to_public_key(mb)) == mb


def test_other_multicodec_prefixes_rejected() -> None:
    raw = bytes(32)
    for prefix in (b"\xe7\x01", b"\x12\x00", b"\xec\x01"):  # secp256k1, sha2, x25519
        with pytest.raises(DidError):
            multibase_to_public_key("z" + base58.b58encode(prefix + raw).decode())
    with pytest.raises(DidError):
        multibase_to_public_key("uAAAA")
    with pytest.raises(DidError):
        did_key_to_public_key("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#zOther")


@pytest.mark.parametrize("alg", ["Ed25519", "RS256", "ES256"])
def test_did_jwk_round_trip(alg: str) -> None:
    key = generate_key(alg)
    did = did_jwk_encode(key.public_key)
    jwk = did_jwk_decode(did + "#0")
    assert public_key_from_jwk(jwk) == key.public_key
    assert resolve_verification_method(did + "#0", None).public_key == key.public_key


def test_did_jwk_with_private_key_rejected() -> None:
    with pytest.raises(DidError):
        did_jwk_encode({"kty": "OKP", "crv": "Ed25519", "x": "AA", "d": "AA"})


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:example.com%3A8443:path", "https://example.com:8443/path/did.json"),
        (
            "did:web:badges.example.fr:issuers:asso-1",
            "https://badges.example.fr/issuers/asso-1/did.json",
        ),
    ],
)
def test_did_web_url_mapping(did: str, url: str) -> None:
    assert did_web_to_url(did) == url
    assert did_web_to_url(did + "#key-1") == url
    assert did_web_from_url(url) == did


@pytest.mark.parametrize(
    "bad", ["did:web:", "did:web:ex ample.com", "did:web:a.com:..:x", "did:key:z"]
)
def test_did_web_bad_input(bad: str) -> None:
    with pytest.raises(DidError):
        did_web_to_url(bad)


def test_did_web_document_lists_all_keys_for_assertion() -> None:
    keys = [generate_key("Ed25519"), generate_key("RS256").retire(), generate_key("ES256")]
    did = "did:web:badges.example.fr"
    doc = did_web_document(did, keys)
    assert doc["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert doc["id"] == did and len(doc["verificationMethod"]) == 3
    assert doc["assertionMethod"] == [vm["id"] for vm in doc["verificationMethod"]]
    ed = doc["verificationMethod"][0]
    assert ed == {
        "id": f"{did}#{keys[0].public_key_multibase()}",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": keys[0].public_key_multibase(),
    }
    assert "d" not in doc["verificationMethod"][1]["publicKeyJwk"]
    from badger.ob3 import StaticResolver

    r = StaticResolver({"https://badges.example.fr/.well-known/did.json": doc})
    for vm, key in zip(doc["verificationMethod"], keys, strict=True):
        assert resolve_verification_method(vm["id"], r).public_key == key.public_key
    # a method present but not in assertionMethod is refused
    doc2 = {**doc, "assertionMethod": doc["assertionMethod"][:1]}
    r2 = StaticResolver({"https://badges.example.fr/.well-known/did.json": doc2})
    with pytest.raises(Exception, match="not authorised"):
        resolve_verification_method(doc["verificationMethod"][2]["id"], r2)
