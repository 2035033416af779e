"""A proof badger cannot check is "could not check", never "failed" — and never a way out of
"failed": an altered credential stays failed whatever proof of an unknown kind is added."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from badger.ob3 import StaticResolver, verify_credential

from ._factory import NOW, resolver, signed

# proof shapes of suites badger does not implement (values need not be real signatures:
# badger never gets as far as reading them)
FOREIGN_PROOFS: dict[str, dict[str, Any]] = {
    "ecdsa-sd-2023": {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-sd-2023"},
    "bbs-2023": {"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"},
    "ecdsa-rdfc-2019": {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019"},
    "ecdsa-jcs-2019": {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-jcs-2019"},
    "JsonWebSignature2020": {"type": "JsonWebSignature2020"},
    "EcdsaSecp256k1Signature2019": {"type": "EcdsaSecp256k1Signature2019"},
    "no-such-proof": {"type": "NoSuchProof2031"},
}


def _foreign(name: str) -> dict[str, Any]:
    return {
        **FOREIGN_PROOFS[name],
        "created": "2025-01-01T00:00:00Z",
        "proofPurpose": "assertionMethod",
        "verificationMethod": "https://badges.example.fr/issuers/asso-1#key-1",
        "proofValue": "u2V0AhVhAxyz",
    }


def _with_proofs(*proofs: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(signed())
    doc["proof"] = list(proofs)
    return doc


@pytest.mark.parametrize("suite", sorted(FOREIGN_PROOFS))
def test_unsupported_suite_is_could_not_check(suite: str) -> None:
    report = verify_credential(_with_proofs(_foreign(suite)), resolver=resolver(), now=NOW)
    proof = report.check("proof")
    assert proof is not None and (proof.state, proof.code) == ("unknown", "proof_unsupported")
    assert not report.verified
    assert report.check("issuer_binding") is None  # nothing was bound to anyone
    if FOREIGN_PROOFS[suite]["type"] == "DataIntegrityProof":
        # the VC 2.0 context defines every term of a DataIntegrityProof: nothing else fails
        assert report.state == "unknown", report.to_dict()["checks"]
    else:
        # other proof types bring terms of their own context, which the offline loader does not
        # know: the "jsonld" check fails on them (the proof itself is still "could not check")
        jsonld = report.check("jsonld")
        assert jsonld is not None and jsonld.code == "undefined_terms"


def test_valid_proof_beside_an_unsupported_one_is_could_not_check() -> None:
    """Every proof of a set must verify: the issuer's good proof is reported as such, the set
    as "could not check" — not verified, not failed."""
    genuine = signed()
    doc = _with_proofs(_foreign("bbs-2023"), genuine["proof"][0])
    report = verify_credential(doc, resolver=resolver(), now=NOW)
    assert report.state == "unknown", report.to_dict()["checks"]
    assert report.check("proof").state == "passed"
    assert report.check("proof_set").state == "unknown"


@pytest.mark.parametrize("order", ["foreign_first", "foreign_last"])
def test_altered_credential_stays_failed_with_a_foreign_proof_added(order: str) -> None:
    genuine = signed()
    genuine_proof = genuine["proof"][0]
    proofs = [_foreign("ecdsa-sd-2023"), genuine_proof]
    if order == "foreign_last":
        proofs.reverse()
    doc = _with_proofs(*proofs)
    doc["name"] = "Badge Direction"  # altered after signing
    report = verify_credential(doc, resolver=resolver(), now=NOW)
    proof = report.check("proof")
    assert proof is not None and (proof.state, proof.code) == ("failed", "signature_invalid")
    assert report.state == "failed"


def test_unreachable_key_and_bad_proof_fail_whatever_the_order() -> None:
    genuine = signed()
    bad = copy.deepcopy(genuine["proof"][0])
    bad["proofValue"] = "z" + "1" * 80
    unreachable = copy.deepcopy(genuine["proof"][0])
    unreachable["verificationMethod"] = "https://elsewhere.example.org/keys/1"
    for proofs in ([unreachable, bad], [bad, unreachable]):
        report = verify_credential(_with_proofs(*proofs), resolver=resolver(), now=NOW)
        assert report.state == "failed", report.to_dict()["checks"]


def test_malformed_proof_still_fails() -> None:
    doc = _with_proofs({**_foreign("bbs-2023"), "proofPurpose": "authentication"})
    # the suite is unknown: badger reads nothing else of it
    assert verify_credential(doc, resolver=resolver(), now=NOW).state == "unknown"
    doc = _with_proofs(
        {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofValue": "x"}
    )
    assert verify_credential(doc, resolver=resolver(), now=NOW).state == "failed"
    assert verify_credential(_with_proofs("not a proof"), resolver=resolver(), now=NOW).state == (
        "failed"
    )


def _b64(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("alg", ["ES384", "PS256", "ES256K", "Ed448"])
def test_jwt_in_an_unimplemented_alg_is_could_not_check(alg: str) -> None:
    doc = signed()
    doc.pop("proof")
    token = f"{_b64({'alg': alg, 'kid': 'https://x.example/k'})}.{_b64(doc)}.c2ln"
    report = verify_credential(token, resolver=StaticResolver(), now=NOW)
    proof = report.check("proof")
    assert proof is not None and (proof.state, proof.code) == ("unknown", "jwt_alg_unsupported")
    assert report.state == "unknown"


@pytest.mark.parametrize("alg", ["none", "HS256", "XX999"])
def test_jwt_alg_none_or_hmac_still_fails(alg: str) -> None:
    doc = signed()
    doc.pop("proof")
    token = f"{_b64({'alg': alg, 'kid': 'https://x.example/k'})}.{_b64(doc)}.c2ln"
    report = verify_credential(token, resolver=StaticResolver(), now=NOW)
    proof = report.check("proof")
    assert proof is not None and (proof.state, proof.code) == ("failed", "jwt_alg")
