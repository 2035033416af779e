"""eddsa-rdfc-2022 sign/verify round trips, tampering, keys, controllers, legacy suites."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import base58
import pytest

from badger.ob3 import (
    StaticResolver,
    UndefinedTermError,
    generate_key,
    sign,
    verify_credential,
    verify_proof,
)
from badger.ob3.dataintegrity import ProofError, hash_data
from badger.ob3.dids import controller_document, did_key_from_public_key

from ._factory import ISSUER_ID, NOW, OTHER_ISSUER_ID, credential, key, mutate, resolver, signed, vm


def test_round_trip_proof_is_an_array_and_verifies() -> None:
    doc = signed()
    assert isinstance(doc["proof"], list) and len(doc["proof"]) == 1
    proof = doc["proof"][0]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == "2025-01-01T00:00:00Z"
    assert (
        proof["proofValue"].startswith("z") and len(base58.b58decode(proof["proofValue"][1:])) == 64
    )
    result = verify_proof(doc, resolver())
    assert result.verified
    binding = result.outcomes[0].binding
    assert (
        binding is not None and binding.state == "passed" and binding.code == "controller_matches"
    )


def test_sign_does_not_mutate_input() -> None:
    doc = credential()
    before = copy.deepcopy(doc)
    signed(doc)
    assert doc == before


def test_proof_as_single_object_is_accepted() -> None:
    doc = signed()
    doc["proof"] = doc["proof"][0]
    assert verify_proof(doc, resolver()).verified


def test_second_proof_is_appended_and_every_proof_must_verify() -> None:
    first = signed()
    second = sign(first, key("Ed25519", 1), vm(key("Ed25519", 1)))
    assert len(second["proof"]) == 2
    assert second["proof"][0] == first["proof"][0]
    both = verify_proof(second, resolver())
    assert both.verified and all(o.signature_valid for o in both.outcomes)
    # the extra proof is by a key the issuer does not list: it adds nothing, takes nothing away
    assert [o.verified for o in both.outcomes] == [True, False]
    # a proof set holds only when every proof verifies (VC Data Integrity 1.0 §4.5): a bad
    # second proof fails the credential even beside the issuer's valid one
    broken = copy.deepcopy(second)
    broken["proof"][1]["proofValue"] = broken["proof"][0]["proofValue"]
    result = verify_proof(broken, resolver())
    assert not result.verified and result.code == "signature_invalid"
    assert [o.signature_valid for o in result.outcomes] == [True, False]
    report = verify_credential(broken, resolver=resolver(), now=NOW)
    proof = report.check("proof")
    assert proof is not None and (proof.state, proof.code) == ("failed", "signature_invalid")


TAMPERS: list[tuple[str, list[Any], Any]] = [
    ("name", ["name"], "Badge Accueil (modifié)"),
    ("issuer.id", ["issuer", "id"], OTHER_ISSUER_ID),
    ("issuer.name", ["issuer", "name"], "Autre association"),
    (
        "identifier hash",
        ["credentialSubject", "identifier", 0, "identityHash"],
        "sha256$" + "0" * 64,
    ),
    ("achievement.name", ["credentialSubject", "achievement", "name"], "Autre compétence"),
    ("achievement.id", ["credentialSubject", "achievement", "id"], "https://evil.example/a"),
    ("criteria", ["credentialSubject", "achievement", "criteria", "narrative"], "Rien."),
    ("validFrom", ["validFrom"], "2024-01-01T00:00:00Z"),
    ("validUntil added", ["validUntil"], "2099-01-01T00:00:00Z"),
    ("result value", ["credentialSubject", "result", 1, "value"], "100"),
    (
        "achieved level",
        ["credentialSubject", "result", 0, "achievedLevel"],
        "urn:uuid:0f0e0d0c-0000-4000-8000-000000000001",
    ),
    ("evidence", ["evidence", 0, "narrative"], "Fausse fiche."),
    ("unsigned defined property", ["credentialSubject", "achievement", "humanCode"], "ACC"),
    ("unsigned description", ["issuer", "description"], "ajouté"),
    ("type", ["type"], ["VerifiableCredential", "OpenBadgeCredential", "EndorsementCredential"]),
    ("proof created", ["proof", 0, "created"], "2025-01-02T00:00:00Z"),
]


@pytest.mark.parametrize(("label", "path", "value"), TAMPERS, ids=[t[0] for t in TAMPERS])
def test_each_tampered_field_breaks_the_proof(label: str, path: list[Any], value: Any) -> None:
    doc = signed()
    assert verify_proof(doc, resolver()).verified
    tampered = mutate(doc, path, value)
    result = verify_proof(tampered, resolver(), expected_controller=ISSUER_ID)
    assert not result.verified
    assert result.code == "signature_invalid", result.to_dict()
    report = verify_credential(tampered, resolver=resolver(), now=NOW)
    proof = report.check("proof")
    assert proof is not None and proof.state == "failed" and proof.code == "signature_invalid"
    assert not report.verified and report.state == "failed"


def test_undefined_term_refused_on_sign() -> None:
    doc = credential()
    doc["credentialSubject"]["achievement"]["niveauSecret"] = "x"
    with pytest.raises(UndefinedTermError) as err:
        signed(doc)
    assert any(
        t.term == "niveauSecret" and t.path == "$.credentialSubject.achievement"
        for t in err.value.terms
    )


def test_undefined_type_refused_on_sign() -> None:
    doc = credential()
    doc["type"].append("SuperBadge")
    with pytest.raises(UndefinedTermError, match="SuperBadge"):
        signed(doc)


def test_undefined_term_added_after_signing_is_refused_on_verify() -> None:
    doc = signed()
    doc["credentialSubject"]["bonus"] = "ajouté après signature"
    result = verify_proof(doc, resolver())
    assert not result.verified and result.code == "undefined_terms"
    report = verify_credential(doc, resolver=resolver(), now=NOW)
    jsonld = report.check("jsonld")
    assert jsonld is not None and jsonld.state == "failed" and "bonus" in jsonld.message


def test_wrong_key_fails() -> None:
    doc = credential()
    other = key("Ed25519", 1)
    # signed by key 1 but claims key 0's verification method
    forged = sign(doc, other, vm(key()))
    result = verify_proof(forged, resolver())
    assert result.code == "signature_invalid"


def test_key_not_listed_in_issuer_controller_document_fails() -> None:
    other = key("Ed25519", 1)
    doc = sign(credential(), other, vm(other))
    result = verify_proof(doc, resolver())  # controller doc lists only key 0
    assert not result.verified and result.code == "controller_mismatch"
    # without a resolvable controller document the fragment key is unconfirmed: never verified
    offline = verify_proof(doc, StaticResolver())
    assert not offline.verified and offline.code == "key_provenance_unverified"
    assert offline.outcomes[0].signature_valid


def test_controller_differs_from_issuer() -> None:
    k = key()
    doc = sign(credential(), k, vm(k, issuer=OTHER_ISSUER_ID))
    # the issuer's document lists the same key, but under its own id, not OTHER's
    result = verify_proof(doc, resolver())
    assert not result.verified and result.code == "controller_mismatch"
    assert result.outcomes[0].signature_valid
    report = verify_credential(doc, resolver=resolver(), now=NOW)
    binding = report.check("issuer_binding")
    assert binding is not None and binding.state == "failed"
    assert not report.verified
    # the issuer's document cannot be fetched: could not check, still not verified
    offline = verify_credential(doc, resolver=StaticResolver(), now=NOW)
    binding = offline.check("issuer_binding")
    assert binding is not None and binding.state == "unknown"
    assert not offline.verified and offline.state == "unknown"


def test_did_key_verification_method_bound_to_did_issuer() -> None:
    k = key()
    did = did_key_from_public_key(k.public_key)
    doc = credential(issuer=did)
    out = sign(doc, k, f"{did}#{did.removeprefix('did:key:')}")
    assert verify_proof(out, None).verified


def test_did_web_verification_method() -> None:
    k = key()
    did = "did:web:badges.example.fr:issuers:asso-1"
    doc = sign(credential(issuer=did), k, f"{did}#{k.public_key_multibase()}")
    r = StaticResolver(
        {"https://badges.example.fr/issuers/asso-1/did.json": controller_document(did, [k])}
    )
    assert verify_proof(doc, r).verified
    assert not verify_proof(doc, StaticResolver()).verified


def test_wrong_purpose_and_cryptosuite_rejected() -> None:
    doc = signed()
    bad_purpose = mutate(doc, ["proof", 0, "proofPurpose"], "authentication")
    assert verify_proof(bad_purpose, resolver()).code == "proof_purpose"
    bad_suite = mutate(doc, ["proof", 0, "cryptosuite"], "ecdsa-rdfc-2019")
    assert verify_proof(bad_suite, resolver()).code == "proof_unsupported"
    bad_created = mutate(doc, ["proof", 0, "created"], "yesterday")
    assert verify_proof(bad_created, resolver()).code == "proof_created"
    assert verify_proof(credential(), resolver()).code == "proof_missing"


def test_non_ed25519_or_retired_keys_cannot_sign() -> None:
    with pytest.raises(ProofError):
        sign(credential(), key("RS256"), "https://x.example/k")
    with pytest.raises(ProofError):
        sign(credential(), key().retire(), vm())


def _legacy_sign(doc: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    data = hash_data(doc, proof)
    out = copy.deepcopy(doc)
    out["proof"] = {**proof, "proofValue": "z" + base58.b58encode(key().sign(data)).decode()}
    return out


def test_legacy_eddsa_2022_verifies() -> None:
    doc = credential()
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-2022",
        "created": "2023-01-01T00:00:00Z",
        "verificationMethod": vm(),
        "proofPurpose": "assertionMethod",
    }
    out = _legacy_sign(doc, proof)
    assert verify_proof(out, resolver()).verified
    assert not verify_proof(mutate(out, ["name"], "x"), resolver()).verified


def _vc11() -> dict[str, Any]:
    doc = credential()
    doc["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/suites/ed25519-2020/v1",
    ]
    doc["issuanceDate"] = doc.pop("validFrom")
    doc.pop("awardedDate")
    return doc


def test_legacy_ed25519signature2020_vc11_verifies() -> None:
    doc = _vc11()
    proof = {
        "type": "Ed25519Signature2020",
        "created": "2022-01-01T00:00:00Z",
        "verificationMethod": vm(),
        "proofPurpose": "assertionMethod",
    }
    out = _legacy_sign(doc, proof)
    assert verify_proof(out, resolver()).verified
    assert verify_proof(mutate(out, ["issuanceDate"], "2021-01-01T00:00:00Z"), resolver()).code == (
        "signature_invalid"
    )
    report = verify_credential(out, resolver=resolver(), now=NOW)
    assert report.vc_version == "1.1" and report.verified, report.to_dict()["checks"]


def test_controller_document_with_rotated_keys_verifies_old_signatures() -> None:
    old, new = key("Ed25519", 2), key("Ed25519", 3)
    doc_old = sign(credential(), old, vm(old), created=datetime(2024, 1, 1, tzinfo=UTC))
    r = StaticResolver({ISSUER_ID: controller_document(ISSUER_ID, [old.retire(), new])})
    assert verify_proof(doc_old, r).verified
    assert verify_proof(sign(credential(), new, vm(new)), r).verified
    stranger = generate_key("Ed25519")
    assert not verify_proof(sign(credential(), stranger, vm(stranger)), r).verified
