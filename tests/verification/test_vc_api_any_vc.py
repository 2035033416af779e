"""VC-API ``POST /credentials/verify`` for any Verifiable Credential, over HTTP.

Plain VCDM 2.0 and 1.1 credentials (not Open Badges) signed by a ``did:key``: by the Digital
Bazaar / Digital Credentials Consortium JavaScript stack where node is installed (code badger did
not write), else by badger; proof sets (every proof must verify), proof chains
(``previousProof``, with the W3C CCG test-suite vectors in ``vectors/``), validity, status only
when ``options.checks`` asks for it, malformed data-model fields (400), key provenance, and
presentations carrying such credentials.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from badger.ob3 import keys, sign, sign_jwt, statuslist
from badger.ob3.dids import did_key_from_public_key
from tests.verification import _creds as c

VC2 = "https://www.w3.org/ns/credentials/v2"
VC1 = "https://www.w3.org/2018/credentials/v1"
ED2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
DI_V2 = "https://w3id.org/security/data-integrity/v2"
TERMS = {
    "AlumniCredential": "https://example.org/vocab#AlumniCredential",
    "alumniOf": "https://schema.org/alumniOf",
}
LIST_URL = "https://status.example.org/lists/1"
VECTORS = Path(__file__).parent / "vectors"
HARNESS = Path(__file__).resolve().parents[1] / "interop"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(
    NODE is None or not (HARNESS / "node_modules").is_dir(),
    reason="node and tests/interop/node_modules are needed to sign with the JavaScript stack",
)


class DidKey:
    """An Ed25519 key made in the test and its did:key identity."""

    def __init__(self) -> None:
        self.seed = os.urandom(32)
        private = ed25519.Ed25519PrivateKey.from_private_bytes(self.seed)
        self.key = keys.SigningKey("t", keys.KeyAlgorithm.ED25519, private, datetime.now(UTC))
        self.did = did_key_from_public_key(self.key.public_key)
        self.vm = f"{self.did}#{self.did.removeprefix('did:key:')}"


def plain_vc(issuer: str, **extra: Any) -> dict[str, Any]:
    """A VCDM 2.0 credential that is not an Open Badge."""
    return {
        "@context": [VC2, TERMS],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1", "alumniOf": "École Exemple"},
        **extra,
    }


def vc11(issuer: str) -> dict[str, Any]:
    return {
        "@context": [VC1, ED2020, TERMS],
        "id": "urn:uuid:0e6b1d1a-0000-4000-8000-000000000011",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": {"id": issuer},
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1", "alumniOf": "École Exemple"},
    }


def badger_signed(doc: dict[str, Any], signer: DidKey) -> dict[str, Any]:
    return sign(doc, signer.key, signer.vm, created=c.CREATED)


def js_signed(script: str, doc: dict[str, Any], signer: DidKey) -> dict[str, Any]:
    """Signed by the JavaScript stack (sign-di.mjs: eddsa-rdfc-2022; sign-ed2020.mjs:
    Ed25519Signature2020)."""
    assert NODE is not None
    payload = {
        "credential": doc,
        "seedHex": signer.seed.hex(),
        "controller": signer.did,
        "verificationMethod": signer.vm,
        "created": "2025-01-02T03:04:05Z",
    }
    proc = subprocess.run(
        [NODE, str(HARNESS / script)],
        input=json.dumps(payload).encode(),
        capture_output=True,
        timeout=120,
        cwd=HARNESS,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
        check=False,
    )
    out = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    assert "credential" in out, out
    assert out["verificationMethod"] == signer.vm
    signed: dict[str, Any] = out["credential"]
    return signed


@pytest.fixture
def stub(app: Any) -> c.StubResolver:
    r = c.resolver()
    app.extensions["badger.web_resolver"] = r
    return r


def verify(client: Any, credential: Any, **options: Any) -> Any:
    body = {"verifiableCredential": credential, "options": options}
    return client.post("/credentials/verify", json=body, csrf=False)


def codes(response: Any) -> list[str]:
    return [e["code"] for e in response.get_json()["errors"]]


# --------------------------------------------------------------------------- valid credentials


@needs_node
def test_vc20_signed_eddsa_by_the_js_stack_verifies(client: Any, stub: Any) -> None:
    signer = DidKey()
    doc = js_signed("sign-di.mjs", plain_vc(signer.did), signer)
    assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    response = verify(client, doc)
    assert response.status_code == 200, response.get_json()["errors"]
    body = response.get_json()
    assert body["verified"] is True and body["errors"] == [] and body["warnings"] == []
    assert {"format", "data_model", "jsonld", "proof", "issuer_binding", "validity"} <= set(
        body["checks"]
    )
    assert body["report"]["kind"] == "VerifiableCredential"
    assert "schema" not in body["checks"] and "plain" not in body  # no Open Badges check
    # tampered after signing: a credential that does not verify (422), not a bad request
    doc["credentialSubject"]["alumniOf"] = "Université Fictive"
    response = verify(client, doc)
    assert response.status_code == 422 and codes(response) == ["signature_invalid"]


@needs_node
def test_vc11_signed_ed25519signature2020_by_the_js_stack_verifies(
    client: Any, stub: Any
) -> None:
    signer = DidKey()
    doc = js_signed("sign-ed2020.mjs", vc11(signer.did), signer)
    assert doc["proof"]["type"] == "Ed25519Signature2020"
    response = verify(client, doc)
    assert response.status_code == 200, response.get_json()["errors"]
    assert response.get_json()["report"]["vcVersion"] == "1.1"
    tampered = copy.deepcopy(doc)
    tampered["issuanceDate"] = "2023-01-01T00:00:00Z"
    response = verify(client, tampered)
    assert response.status_code == 422 and codes(response) == ["signature_invalid"]
    # the suite's context is required (Digital Bazaar's suite does not look at it otherwise)
    no_suite = copy.deepcopy(doc)
    no_suite["@context"] = [VC1, DI_V2, TERMS]
    response = verify(client, no_suite)
    assert response.status_code == 422 and "proof_malformed" in codes(response)


def test_vc20_signed_by_badger_verifies_and_vc_without_valid_from(
    client: Any, stub: Any
) -> None:
    signer = DidKey()
    response = verify(client, badger_signed(plain_vc(signer.did), signer))
    assert response.status_code == 200, response.get_json()["errors"]
    doc = plain_vc(signer.did)
    del doc["validFrom"]  # optional in VCDM 2.0
    response = verify(client, badger_signed(doc, signer))
    assert response.status_code == 200, response.get_json()["errors"]


# --------------------------------------------------------------------------- proof sets


def test_two_valid_proofs_verify_one_bad_fails(client: Any, stub: Any) -> None:
    issuer, witness = DidKey(), DidKey()
    both = badger_signed(badger_signed(plain_vc(issuer.did), issuer), witness)
    assert len(both["proof"]) == 2
    response = verify(client, both)
    assert response.status_code == 200, response.get_json()["errors"]
    for bad in (0, 1):
        broken = copy.deepcopy(both)
        broken["proof"][bad]["proofValue"] = both["proof"][1 - bad]["proofValue"]
        response = verify(client, broken)
        assert response.status_code == 422
        assert codes(response) == ["signature_invalid"]


def test_a_proof_that_cannot_be_checked_leaves_the_set_unverified(client: Any,
                                                                 stub: Any) -> None:
    """Every proof of a set must verify (VC Data Integrity 1.0, "verify proof sets"): one of
    a suite badger does not implement, or whose key cannot be fetched, is "could not check" —
    never a quiet "verified" beside the issuer's good one."""
    issuer = DidKey()
    signed = badger_signed(plain_vc(issuer.did), issuer)
    unreachable = {**signed["proof"][0], "verificationMethod": "https://gone.example/keys/1"}
    foreign = {**signed["proof"][0], "cryptosuite": "ecdsa-sd-2023"}
    for other in (foreign, unreachable):
        response = verify(client, {**signed, "proof": [*signed["proof"], other]})
        body = response.get_json()
        assert response.status_code == 422, body
        assert body["verified"] is False and body["state"] == "unknown"
        assert [(e["name"], e["state"]) for e in body["errors"]] == [("proof_set", "unknown")]
        assert "proof" in body["checks"]  # the issuer's own proof is still said to be good


def test_no_proof_by_the_issuers_key_fails(client: Any, stub: Any) -> None:
    issuer, other = DidKey(), DidKey()
    response = verify(client, badger_signed(plain_vc(issuer.did), other))
    assert response.status_code == 422
    assert "controller_mismatch" in codes(response)


def test_no_proof_at_all_fails(client: Any, stub: Any) -> None:
    response = verify(client, plain_vc(DidKey().did))
    assert response.status_code == 422 and codes(response) == ["proof_missing"]


# --------------------------------------------------------------------------- proof chains


def _vector(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text("utf-8"))
    return data


CHAINS = [
    "2.0-previousProofStringOk-SimpleSigned2.json",
    "2.0-previousProofArrayOk-SimpleSigned2.json",
    "1.1-previousProofStringOk-SimpleSigned2.json",
]


@pytest.mark.parametrize("name", CHAINS)
def test_previous_proof_chain_verifies(client: Any, stub: Any, name: str) -> None:
    doc = _vector(name)
    assert "previousProof" in doc["proof"][1]
    response = verify(client, doc)
    assert response.status_code == 200, response.get_json()["errors"]


@pytest.mark.parametrize("name", CHAINS)
def test_broken_chain_fails(client: Any, stub: Any, name: str) -> None:
    doc = _vector(name)
    missing = copy.deepcopy(doc)
    del missing["proof"][0]  # the previous proof the second one names is gone
    response = verify(client, missing)
    assert response.status_code == 422 and codes(response) == ["previous_proof_missing"]
    renamed = copy.deepcopy(doc)
    renamed["proof"][1]["previousProof"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    response = verify(client, renamed)
    assert response.status_code == 422 and codes(response) == ["previous_proof_missing"]
    tampered = copy.deepcopy(doc)
    tampered["proof"][0]["created"] = "2023-02-26T22:06:39Z"  # the previous proof altered
    response = verify(client, tampered)
    assert response.status_code == 422 and codes(response) == ["signature_invalid"]
    outcomes = verify(client, tampered).get_json()["report"]["checks"]
    assert any(c["code"] == "signature_invalid" for c in outcomes)
    # the second proof alone, without what it built on: also refused
    alone = copy.deepcopy(doc)
    alone["proof"] = [doc["proof"][1]]
    assert verify(client, alone).status_code == 422


# --------------------------------------------------------------------------- validity, status


def test_expired_vc_fails(client: Any, stub: Any) -> None:
    signer = DidKey()
    until = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = verify(client, badger_signed(plain_vc(signer.did, validUntil=until), signer))
    assert response.status_code == 422 and codes(response) == ["expired"]
    response = verify(
        client, badger_signed(plain_vc(signer.did, validFrom="2024-01-01"), signer)
    )
    assert response.status_code == 422 and codes(response) == ["bad_dates"]


def _revocable(signer: DidKey, stub: c.StubResolver, index: int) -> dict[str, Any]:
    bits = statuslist.set_bit(statuslist.new_bitstring(), 5, True)
    listed = statuslist.build_status_list_credential(
        list_url=LIST_URL, issuer=signer.did, purpose="revocation", bits=bits,
        valid_from=c.CREATED,
    )
    stub.add(LIST_URL, badger_signed(listed, signer))
    entry = statuslist.status_entry(list_url=LIST_URL, index=index, purpose="revocation")
    return badger_signed(plain_vc(signer.did, credentialStatus=entry), signer)


def test_status_is_read_only_when_asked_for(client: Any, stub: Any) -> None:
    signer = DidKey()
    revoked = _revocable(signer, stub, 5)
    response = verify(client, revoked, checks=["proof", "credentialStatus"])
    assert response.status_code == 422 and codes(response) == ["revoked"]
    # not asked: verified, with a warning saying the status was not read
    stub.requests.clear()
    response = verify(client, revoked, checks=["proof"])
    assert response.status_code == 200
    assert [w["code"] for w in response.get_json()["warnings"]] == ["not_requested"]
    assert LIST_URL not in stub.requests
    response = verify(client, _revocable(signer, stub, 6), checks=["credentialStatus"])
    assert response.status_code == 200 and "status" in response.get_json()["checks"]


def test_open_badges_keep_their_checks(client: Any, stub: Any) -> None:
    """A badge still gets the Open Badges schema and its status whatever options.checks says."""
    response = verify(client, c.with_status(7), checks=["proof"])
    assert response.status_code == 422 and "revoked" in codes(response)
    response = verify(client, c.good())
    body = response.get_json()
    assert response.status_code == 200 and "schema" in body["checks"]
    assert body["report"]["kind"] == "OpenBadgeCredential" and "plain" in body
    broken = c.good()
    del broken["credentialSubject"]["achievement"]
    response = verify(client, broken)
    assert response.status_code == 422 and "schema_invalid" in codes(response)


# --------------------------------------------------------------------------- malformed


def _malformed(signer: DidKey) -> list[tuple[str, dict[str, Any]]]:
    base = plain_vc(signer.did)
    cases: list[tuple[str, dict[str, Any]]] = []
    for field, value in [
        ("issuer", None),
        ("issuer", 10),
        ("issuer", []),
        ("issuer", {"name": "no id"}),
        ("issuer", "not a url"),
        ("credentialSubject", None),
        ("credentialSubject", []),
        ("credentialSubject", "string"),
        ("credentialSubject", {"id": "not a url"}),
        ("id", "not a url"),
        ("credentialSchema", {"id": "https://example.org/schema.json"}),
        ("credentialSchema", []),
        ("credentialStatus", "https://example.org/status"),
        ("refreshService", {"id": "https://example.org/refresh"}),
        ("termsOfUse", [{"id": "https://example.org/tou"}]),
        ("evidence", [{"id": "https://example.org/evidence"}]),
        ("relatedResource", [{"id": "https://example.org/r"}]),
    ]:
        doc = copy.deepcopy(base)
        if value is None:
            del doc[field]
        else:
            doc[field] = value
        cases.append((f"data_model:{field}={value!r}", doc))
    for field, value in [
        ("@context", VC2),
        ("@context", [TERMS, VC2]),
        ("@context", [VC2, 10]),
        ("@context", None),
        ("type", "string"),
        ("type", ["AlumniCredential"]),
        ("type", [[]]),
        ("type", None),
    ]:
        doc = copy.deepcopy(base)
        if value is None:
            del doc[field]
        else:
            doc[field] = value
        cases.append((f"format:{field}={value!r}", doc))
    return cases


def test_malformed_credentials_are_400(client: Any, stub: Any) -> None:
    signer = DidKey()
    for label, doc in _malformed(signer):
        # unsigned: the shape is refused before any proof is read
        response = verify(client, doc)
        assert response.status_code == 400, label
        body = response.get_json()
        assert body["verified"] is False, label
        expected = "vcdm_invalid" if label.startswith("data_model") else None
        assert expected is None or codes(response) == [expected], (label, codes(response))
        assert label.startswith("data_model") or {"bad_context", "not_vc"} & set(
            codes(response)
        ), (label, codes(response))


def test_bad_requests_are_400(client: Any, stub: Any) -> None:
    doc = badger_signed(plain_vc(DidKey().did), DidKey())
    for body in (
        {"verifiableCredential": json.dumps(doc)},
        {"verifiableCredential": doc, "options": {"checks": "credentialStatus"}},
        {"verifiableCredential": doc, "options": {"checks": ["x"] * 17}},
    ):
        response = client.post("/credentials/verify", json=body, csrf=False)
        assert response.status_code == 400
        assert codes(response) == ["bad_request"]


def test_undefined_term_fails(client: Any, stub: Any) -> None:
    signer = DidKey()
    doc = badger_signed(plain_vc(signer.did), signer)
    doc["credentialSubject"]["undefinedTerm"] = "dropped if not refused"
    response = verify(client, doc)
    assert response.status_code == 422 and "undefined_terms" in codes(response)


# --------------------------------------------------------------------------- presentations


def test_presentation_of_plain_vcs(client: Any, stub: Any) -> None:
    signer = DidKey()
    good = badger_signed(plain_vc(signer.did), signer)
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "verifiableCredential": [good]}
    body = {"verifiablePresentation": vp, "options": {}}
    response = client.post("/presentations/verify", json=body, csrf=False)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["credentialResults"][0]["report"]["kind"] == "VerifiableCredential"
    bad = copy.deepcopy(good)
    bad["credentialSubject"]["alumniOf"] = "Autre"
    vp["verifiableCredential"] = [good, bad]
    response = client.post("/presentations/verify", json=body, csrf=False)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [(e["credential"], e["code"]) for e in errors] == [(1, "signature_invalid")]
    # options.checks reaches the credentials a presentation carries
    revoked = _revocable(signer, stub, 5)
    vp["verifiableCredential"] = [revoked]
    body["options"] = {"checks": ["credentialStatus"]}
    response = client.post("/presentations/verify", json=body, csrf=False)
    assert response.status_code == 422
    assert [e["code"] for e in response.get_json()["errors"]] == ["revoked"]


def test_vc11_with_a_status_list_2021(client: Any, stub: Any) -> None:
    """A VCDM 1.1 credential with the older StatusList2021 entry: read when asked for."""
    signer = DidKey()
    sl2021 = "https://w3id.org/vc/status-list/2021/v1"
    url = "https://status.example.org/2021/1"
    bits = statuslist.set_bit(statuslist.new_bitstring(), 3, True)
    listed = {
        "@context": [VC1, sl2021, DI_V2],
        "id": url,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": signer.did,
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": statuslist.encode_list(bits).removeprefix("u"),
        },
    }
    stub.add(url, badger_signed(listed, signer))

    def at(index: int) -> dict[str, Any]:
        doc = vc11(signer.did)
        doc["@context"] = [VC1, sl2021, DI_V2, TERMS]
        doc["credentialStatus"] = {
            "id": f"{url}#{index}",
            "type": "StatusList2021Entry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": url,
        }
        return badger_signed(doc, signer)

    response = verify(client, at(3), checks=["credentialStatus"])
    assert response.status_code == 422 and codes(response) == ["revoked"]
    response = verify(client, at(4), checks=["credentialStatus"])
    assert response.status_code == 200, response.get_json()["errors"]
    response = verify(client, at(3))
    assert response.status_code == 200
    assert [w["code"] for w in response.get_json()["warnings"]] == ["not_requested"]


def test_enveloped_vc_jwt(client: Any, stub: Any) -> None:
    signer = DidKey()
    token = sign_jwt(plain_vc(signer.did), signer.key, kid=signer.vm)
    enveloped = {
        "@context": VC2,
        "type": "EnvelopedVerifiableCredential",
        "id": "data:application/vc+jwt," + token,
    }
    response = verify(client, enveloped)
    assert response.status_code == 200, response.get_json()["errors"]
    assert response.get_json()["report"]["format"] == "jwt"
    other = DidKey()  # the same claims signed by a key that is not the issuer's
    enveloped["id"] = "data:application/vc+jwt," + sign_jwt(
        plain_vc(signer.did), other.key, kid=other.vm
    )
    response = verify(client, enveloped)
    assert response.status_code == 422 and "controller_mismatch" in codes(response)


def test_the_human_verify_page_still_speaks_of_badges(client: Any, stub: Any) -> None:
    """/verify is for badges and endorsements: a plain VC is told apart, not verified there."""
    signer = DidKey()
    doc = badger_signed(plain_vc(signer.did), signer)
    response = client.post(
        "/verify", data={"text": json.dumps(doc)}, content_type="multipart/form-data"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Badge authentique" not in html
    assert "Ce document n&#39;est pas un badge Open Badges." in html or (
        "Ce document n'est pas un badge Open Badges." in html
    )
