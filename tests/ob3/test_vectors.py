"""The two official eddsa-rdfc-2022 vectors must reproduce byte for byte (PITFALLS 6)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import base58
from cryptography.hazmat.primitives.asymmetric import ed25519

from badger.ob3 import KeyAlgorithm, SigningKey, StaticResolver, canonicalize, sign, verify_proof
from badger.ob3.dataintegrity import hash_data

from ._factory import load_vector

OB = "ob-impl-guide-vector"
W3C = "w3c-vc-di-eddsa-rdfc-2022"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _ob_key() -> SigningKey:
    kp = load_vector(OB, "keypair.json")
    seed = bytes.fromhex(kp["privateKeySeedHex_32bytes"])
    return SigningKey(
        "ob",
        KeyAlgorithm.ED25519,
        ed25519.Ed25519PrivateKey.from_private_bytes(seed),
        datetime(2010, 1, 1, tzinfo=UTC),
    )


def _w3c_key() -> SigningKey:
    kp = load_vector(W3C, "keyPair.json")
    raw = base58.b58decode(kp["privateKeyMultibase"][1:])
    assert raw[:2] == b"\x80\x26"  # ed25519-priv multicodec
    private = ed25519.Ed25519PrivateKey.from_private_bytes(raw[2:])
    return SigningKey("w3c", KeyAlgorithm.ED25519, private, datetime(2023, 1, 1, tzinfo=UTC))


def test_ob_vector_canonical_forms_and_hashes() -> None:
    doc = load_vector(OB, "credential-unsigned.json")
    options = load_vector(OB, "proof-options.json")
    hashes = load_vector(OB, "hashes.json")
    canon_doc = canonicalize(doc)
    assert canon_doc == load_vector(OB, "document-canon.nq")
    assert _sha(canon_doc) == hashes["documentHashHex"]
    canon_proof = canonicalize({**options, "@context": doc["@context"]})
    assert canon_proof == load_vector(OB, "proof-canon.nq")
    assert _sha(canon_proof) == hashes["proofConfigHashHex"]
    assert hash_data(doc, options).hex() == hashes["hashData_hex = proofConfigHash||documentHash"]


def test_ob_vector_proof_value() -> None:
    doc = load_vector(OB, "credential-unsigned.json")
    expected = load_vector(OB, "credential-signed.json")
    key = _ob_key()
    assert key.public_key_multibase() == load_vector(OB, "keypair.json")["publicKeyMultibase"]
    out = sign(
        doc,
        key,
        expected["proof"]["verificationMethod"],
        created=datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC),
    )
    assert out["proof"] == [expected["proof"]]
    assert {k: v for k, v in out.items() if k != "proof"} == doc


def test_ob_vector_verifies_as_published_object_proof() -> None:
    expected = load_vector(OB, "credential-signed.json")
    assert isinstance(expected["proof"], dict)
    issuer = "https://example.edu/issuers/565049"
    vm = expected["proof"]["verificationMethod"]
    # the issuer's own document vouches for the key: then, and only then, verified
    issuer_doc = {
        "id": issuer,
        "verificationMethod": [
            {
                "id": vm,
                "type": "Multikey",
                "controller": issuer,
                "publicKeyMultibase": vm.partition("#")[2],
            }
        ],
        "assertionMethod": [vm],
    }
    result = verify_proof(expected, StaticResolver({issuer: issuer_doc}))
    assert result.verified, result.to_dict()
    assert result.outcomes[0].controller == issuer
    # the issuer's document cannot be fetched: the key is unconfirmed, never "verified"
    offline = verify_proof(expected, None)
    assert not offline.verified and offline.code == "key_provenance_unverified"
    assert offline.outcomes[0].signature_valid


def test_w3c_vector_canonical_forms_hashes_and_signature() -> None:
    doc = load_vector(W3C, "unsigned.json")
    config = load_vector(W3C, "proofConfigDataInt.json")
    canon_doc = canonicalize(doc)
    assert canon_doc == load_vector(W3C, "canonDocDataInt.txt")
    assert _sha(canon_doc) == load_vector(W3C, "docHashDataInt.txt").strip()
    canon_proof = canonicalize(config)
    assert canon_proof == load_vector(W3C, "proofCanonDataInt.txt")
    assert _sha(canon_proof) == load_vector(W3C, "proofHashDataInt.txt").strip()
    combined = hash_data(doc, config)
    assert combined.hex() == load_vector(W3C, "combinedHashDataInt.txt").strip()
    key = _w3c_key()
    assert key.public_key_multibase() == load_vector(W3C, "keyPair.json")["publicKeyMultibase"]
    assert key.sign(combined).hex() == load_vector(W3C, "sigHexDataInt.txt").strip()


def test_w3c_vector_proof_value_and_verification() -> None:
    doc = load_vector(W3C, "unsigned.json")
    expected = load_vector(W3C, "signedDataInt.json")
    out = sign(
        doc,
        _w3c_key(),
        expected["proof"]["verificationMethod"],
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
    )
    assert out["proof"][0]["proofValue"] == load_vector(W3C, "sigBTC58DataInt.txt").strip()
    assert out["proof"] == [expected["proof"]]
    # did:key controller differs from the issuer URL: the signature is valid but unbound.
    issuer = str(
        expected["issuer"]["id"] if isinstance(expected["issuer"], dict) else expected["issuer"]
    )
    silent = StaticResolver({issuer: {"id": issuer, "assertionMethod": []}})
    unbound = verify_proof(expected, silent)
    assert not unbound.verified and unbound.code == "controller_mismatch"
    assert unbound.outcomes[0].signature_valid
    assert verify_proof(expected, None, check_controller=False).verified


def test_vector_tampered_fails() -> None:
    expected = load_vector(OB, "credential-signed.json")
    expected["name"] = "Teamwork Badge!"
    assert verify_proof(expected, None).code == "signature_invalid"
