"""POST /credentials/issue over HTTP: authentication, every refusal, and what it signs
(verified by badger and by Digital Bazaar's JavaScript verifier)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from badger.audit import AuditEvent
from badger.awards import signing_keys
from badger.awards.documents import issuer_id
from badger.integrators.models import IssuedCredential
from badger.integrators.schemas import MAX_ISSUE_BYTES
from badger.ob3.dataintegrity import verify_proof
from tests.awards import _interop
from tests.awards.conftest import TestClientResolver
from tests.integrators._helpers import (
    ISSUE_URL,
    ORG,
    V1,
    V2,
    bearer,
    get_token,
    new_client,
    vc1,
    vc2,
    with_issuer,
)


@pytest.fixture
def token(app: Flask, db: Any, org: Any) -> str:
    client_id, secret = new_client(db, org)
    return get_token(app.test_client(), client_id, secret)


def _issuer(org: Any) -> str:
    return issuer_id(org, signing_keys(org))


@pytest.fixture
def send(app: Flask, org: Any, token: str) -> Any:
    """POST a credential, the organisation's issuer id in place of ``ORG``."""

    def post(credential: Any, *, headers: Any = None, **extra: Any) -> Any:
        body = {"credential": with_issuer(credential, _issuer(org)), **extra}
        return app.test_client().post(ISSUE_URL, json=body,
                                      headers={**bearer(token), **(headers or {})})

    return post


def _documents(app: Flask, signed: dict[str, Any]) -> dict[str, Any]:
    """What a verifier fetches for a credential signed as the https id: the issuer's
    controller document and the Multikey document its proof names (served by the app)."""
    resolver = TestClientResolver(app)
    issuer = signed["issuer"]["id"] if isinstance(signed["issuer"], dict) else signed["issuer"]
    proofs = signed["proof"] if isinstance(signed["proof"], list) else [signed["proof"]]
    method = proofs[-1]["verificationMethod"]
    docs = {issuer: resolver.fetch_json(issuer)}
    if method.startswith("http"):
        docs[method] = resolver.fetch_json(method)
    return docs


def _js_verify(app: Flask, signed: dict[str, Any]) -> dict[str, Any]:
    if _interop.NODE is None or not (_interop.HARNESS / "node_modules").is_dir():
        pytest.skip("node and tests/interop/node_modules are needed")
    return _interop.js_verify_di(signed, _documents(app, signed))


def test_vc_2_0_signed_and_verified_by_digital_bazaar(app: Flask, db: Any, org: Any,
                                                       send: Any) -> None:
    response = send(vc2(_issuer(org)), options={})
    assert response.status_code == 201, response.get_data(as_text=True)
    signed = response.get_json()["verifiableCredential"]
    assert signed["@context"] == vc2()["@context"]  # 2.0 defines DataIntegrityProof itself
    proof = signed["proof"]  # one proof: an object (the W3C VC-API issuer suite asks so)
    keys = signing_keys(org)
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"].endswith(f"/issuers/{org.slug}/multikeys/"
                                                f"{keys.ed25519.key_id}")
    result = _js_verify(app, signed)
    assert result["verified"], result
    # one signature changed: the independent verifier refuses it
    signed["credentialSubject"]["alumniOf"]["name"] = "Another University"
    assert not _js_verify(app, signed)["verified"]


def test_vc_1_1_gets_the_data_integrity_context(app: Flask, db: Any, org: Any,
                                               send: Any) -> None:
    response = send(vc1({"id": _issuer(org)}))
    assert response.status_code == 201, response.get_data(as_text=True)
    signed = response.get_json()["verifiableCredential"]
    assert signed["@context"] == [V1, "https://w3id.org/security/data-integrity/v2"]
    assert signed["issuer"] == {"id": _issuer(org)}
    result = _js_verify(app, signed)
    assert result["verified"], result


def test_the_issuer_is_the_organisation(app: Flask, db: Any, org: Any, send: Any) -> None:
    response = send(vc2({"id": _issuer(org), "name": "Org",
                                       "description": {"@value": "Asso", "@language": "fr"}}))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["verifiableCredential"]["issuer"]["id"] == _issuer(org)


def test_did_key_identifier(app: Flask, db: Any, org: Any, send: Any) -> None:
    from badger import awards
    from badger.ob3.dids import controller_document

    awards.set_issuer_identifier(db, org, "did:key")
    db.commit()
    did = _issuer(org)
    assert did.startswith("did:key:z6Mk")
    response = send(vc2(did))
    assert response.status_code == 201, response.get_data(as_text=True)
    signed = response.get_json()["verifiableCredential"]
    key = signing_keys(org).ed25519
    assert signed["proof"]["verificationMethod"] == f"{did}#{key.public_key_multibase()}"
    if _interop.NODE is None or not (_interop.HARNESS / "node_modules").is_dir():
        pytest.skip("node and tests/interop/node_modules are needed")
    document = controller_document(did, [key])  # the did:key document, built from the key
    result = _interop.js_verify_di(signed, {did: document})
    assert result["verified"], result


def test_another_issuer_is_refused(app: Flask, db: Any, org: Any, send: Any) -> None:
    for issuer in ("https://elsewhere.example/issuers/x", {"id": "did:example:other"}):
        response = send(vc2(issuer))
        assert response.status_code == 400
        assert response.get_json()["error"]["details"] == {"field": "issuer"}
        assert _issuer(org) in response.get_json()["error"]["message"]


def _without(cred: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in cred.items() if k != key}


MALFORMED = {
    "no context": (_without(vc2(), "@context"), "@context"),
    "context a string": (vc2(**{"@context": V2}), "@context"),
    "context not first": (vc2(**{"@context": ["https://www.w3.org/ns/credentials/examples/v2",
                                               V2]}), "@context"),
    "context item a number": (vc2(**{"@context": [V2, 42]}), "@context[1]"),
    "unknown remote context": (vc2(**{"@context": [V2, "https://example.org/ctx.jsonld"]}),
                               "@context[1]"),
    "no type": (_without(vc2(), "type"), "type"),
    "type without VerifiableCredential": (vc2(type=["ExampleAlumniCredential"]), "type"),
    "type a number": (vc2(type=["VerifiableCredential", 3]), "type"),
    "id not a URL": (vc2(id="not a url"), "id"),
    "issuer not a URL": (vc2(issuer="issuer"), "issuer"),
    "issuer object without id": (vc2(issuer={"name": "x"}), "issuer"),
    "no issuer": (_without(vc2(), "issuer"), "issuer"),
    "issuer a number": (vc2(issuer=4), "issuer"),
    "validUntil before validFrom": (vc2(validUntil="2025-12-31T23:59:59Z"), "validUntil"),
    "no credentialSubject": (_without(vc2(), "credentialSubject"), "credentialSubject"),
    "credentialSubject a string": (vc2(credentialSubject="did:example:1"),
                                   "credentialSubject"),
    "credentialSubject empty list": (vc2(credentialSubject=[]), "credentialSubject"),
    "credentialSubject empty object": (vc2(credentialSubject={}), "credentialSubject"),
    "validFrom without time zone": (vc2(validFrom="2026-01-01T00:00:00"), "validFrom"),
    "validFrom a date": (vc2(validFrom="2026-01-01"), "validFrom"),
    "validUntil not a date": (vc2(validUntil="tomorrow"), "validUntil"),
    "1.1 without issuanceDate": (_without(vc1(), "issuanceDate"), "issuanceDate"),
    "1.1 bad expirationDate": (vc1(expirationDate="2027-13-01T00:00:00Z"), "expirationDate"),
    "credentialStatus without type": (vc2(credentialStatus={"id": "https://x.example/s#1"}),
                                      "credentialStatus"),
    "credentialSchema without id": (vc2(credentialSchema={"type": "JsonSchema"}),
                                    "credentialSchema"),
    "credentialSchema without type": (vc2(credentialSchema={"id": "https://x.example/s"}),
                                      "credentialSchema"),
    "refreshService without type": (vc2(refreshService={"id": "https://x.example/r"}),
                                    "refreshService"),
    "termsOfUse without type": (vc2(termsOfUse=[{"id": "https://x.example/t"}]),
                                "termsOfUse[0]"),
    "evidence without type": (vc2(evidence=[{"id": "https://x.example/e"}]), "evidence[0]"),
    "evidence a string": (vc2(evidence="https://x.example/e"), "evidence"),
    "relatedResource without digest": (
        vc2(relatedResource=[{"id": "https://x.example/r"}]), "relatedResource[0]"),
    "relatedResource duplicate id": (
        vc2(relatedResource=[{"id": "https://x.example/r", "digestSRI": "sha384-abc"},
                             {"id": "https://x.example/r", "digestSRI": "sha384-abc"}]),
        "relatedResource[1]"),
    "relatedResource without id": (vc2(relatedResource=[{"digestSRI": "sha384-abc"}]),
                                   "relatedResource[0]"),
    "a proof without type": (vc2(proof={"proofValue": "z1"}), "proof"),
    "undefined term": (vc2(**{"@context": [V2], "type": ["VerifiableCredential"],
                              "credentialSubject": {"id": "did:example:1", "grade": "A"}}),
                       "$.credentialSubject"),
    "undefined type": (vc2(**{"@context": [V2], "type": ["VerifiableCredential", "Diploma"],
                              "credentialSubject": {"id": "did:example:1"}}), "$.type"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_credentials_are_refused(app: Flask, db: Any, org: Any, send: Any,
                                           case: str) -> None:
    credential, field = MALFORMED[case]
    response = send(credential)
    assert response.status_code == 400, (case, response.get_data(as_text=True))
    error = response.get_json()["error"]
    assert error["details"] == {"field": field}, (case, error)
    assert error["message"].startswith(f"{field} : ")
    assert db.scalar(select(IssuedCredential.id)) is None


def test_refusal_in_the_callers_language(app: Flask, db: Any, org: Any, send: Any) -> None:
    response = send(vc2(type=["X"]), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "type : must contain VerifiableCredential."
    french = send(vc2(type=["X"]))
    assert french.get_json()["error"]["message"] == "type : doit contenir VerifiableCredential."


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"options": {}}',
                                  b'{"credential": {}, "options": 3}'])
def test_not_an_issue_request(app: Flask, db: Any, org: Any, token: str, body: bytes) -> None:
    response = app.test_client().post(ISSUE_URL, data=body, headers=bearer(token),
                                      content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_body_too_big(app: Flask, db: Any, org: Any, send: Any) -> None:
    big = vc2(credentialSubject={"id": "did:example:1",
                                 "alumniOf": "x" * (MAX_ISSUE_BYTES + 10)})
    response = send(big)
    assert response.status_code == 413
    assert db.scalar(select(IssuedCredential.id)) is None


def test_every_issuance_is_recorded_and_audited(app: Flask, db: Any, org: Any,
                                                send: Any) -> None:
    for _ in range(2):
        assert send(vc2()).status_code == 201
    rows = db.scalars(select(IssuedCredential)).all()
    assert len(rows) == 2 and not any(r.open_badge for r in rows)
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "integrators.issue")).all()
    assert sorted(e.object_id for e in events) == sorted(str(r.id) for r in rows)
    assert {e.actor_type for e in events} == {"integrator"}
    assert {e.organisation_id for e in events} == {org.id}
    assert all(json.loads(r.signed_json)["proof"]["proofValue"] for r in rows)


def test_idempotency_key(app: Flask, db: Any, org: Any, send: Any) -> None:
    key = {"Idempotency-Key": "k-1"}
    first = send(vc2(), headers=key)
    again = send(vc2(), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json() == again.get_json()
    other = send(vc2(validFrom="2026-02-01T00:00:00Z"), headers=key)
    assert other.status_code == 422
    assert len(db.scalars(select(IssuedCredential)).all()) == 1


def test_a_repeat_that_lost_the_race_is_answered_with_the_first_record(
        app: Flask, db: Any, org: Any, send: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two identical requests at once: both look for an earlier record before either has
    written one; the second insert hits the unique index and must replay, not answer 500."""
    from badger.integrators import issuing

    key = {"Idempotency-Key": "k-race"}
    first = send(vc2(), headers=key)
    real_replay = issuing._replay
    calls: list[int] = []

    def late_replay(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real_replay(*args, **kwargs)  # the race is lost once

    monkeypatch.setattr(issuing, "_replay", late_replay)
    again = send(vc2(), headers=key)
    assert len(calls) == 2
    assert again.status_code == 201, again.get_data(as_text=True)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    db.expire_all()
    assert len(db.scalars(select(IssuedCredential)).all()) == 1


def test_a_badger_verifier_reads_what_it_signed(app: Flask, db: Any, org: Any,
                                               send: Any) -> None:
    signed = send(vc2()).get_json()["verifiableCredential"]
    assert verify_proof(signed, TestClientResolver(app)).verified
    signed["validFrom"] = "2026-01-02T00:00:00Z"
    assert not verify_proof(signed, TestClientResolver(app)).verified


def test_an_existing_proof_is_kept_as_a_proof_set(app: Flask, db: Any, org: Any,
                                                 send: Any) -> None:
    earlier = {"type": "Ed25519Signature2020", "created": "2023-03-01T16:53:26Z",
               "proofPurpose": "assertionMethod", "proofValue": "z58DAdFfa9SkqZMVPxAQ"}
    context = [V2, {"Ed25519Signature2020": "https://w3id.org/security#Ed25519Signature2020"}]
    response = send(vc2(proof=earlier, **{"@context": context, "type": ["VerifiableCredential"],
                                          "credentialSubject": {"id": "did:example:1"}}))
    assert response.status_code == 201, response.get_data(as_text=True)
    proofs = response.get_json()["verifiableCredential"]["proof"]
    assert proofs[0] == earlier and proofs[1]["cryptosuite"] == "eddsa-rdfc-2022"


@pytest.mark.parametrize("credential", [
    {"@context": [V2] * 3, "type": "VerifiableCredential", "issuer": ORG,
     "credentialSubject": {"id": "did:example:1", "x": [[[[[[[[[[[[1]]]]]]]]]]]]}},
    {"@context": [V2, {"@vocab": 5}], "type": "VerifiableCredential", "issuer": ORG,
     "credentialSubject": {"id": "did:example:1"}},
    {"@context": [V2, {"@context": {"@context": {}}}], "type": "VerifiableCredential",
     "issuer": ORG, "credentialSubject": {"id": "did:example:1"}},
    {"@context": [V2], "type": ["VerifiableCredential"], "issuer": ORG, "id": "urn:" + "x" * 5000,
     "credentialSubject": {"id": "did:example:1"}},
    {"@context": [V2], "type": ["VerifiableCredential"], "issuer": ORG, "validFrom": 2**70,
     "credentialSubject": {"id": "did:example:1", "@id": "_:b0", "@type": 4}},
])
def test_hostile_credentials_are_400(send: Any, credential: Any) -> None:
    response = send(credential)
    assert response.status_code == 400, response.get_data(as_text=True)


def test_a_client_signs_only_as_its_own_organisation(app: Flask, db: Any, org: Any,
                                                     make: Any) -> None:
    """Org B's client cannot issue as org A: A's issuer id is refused, and what B's client
    issues is signed by B's key, recorded in B."""
    org_b = make.organisation("org-b")
    client_id, secret = new_client(db, org_b)
    token_b = get_token(app.test_client(), client_id, secret)
    http = app.test_client()
    as_a = http.post(ISSUE_URL, json={"credential": vc2(_issuer(org))}, headers=bearer(token_b))
    assert as_a.status_code == 400
    assert as_a.get_json()["error"]["details"] == {"field": "issuer"}
    as_b = http.post(ISSUE_URL, json={"credential": vc2(_issuer(org_b))}, headers=bearer(token_b))
    assert as_b.status_code == 201
    method = as_b.get_json()["verifiableCredential"]["proof"]["verificationMethod"]
    assert f"/issuers/{org_b.slug}/multikeys/{signing_keys(org_b).ed25519.key_id}" in method
    rows = db.scalars(select(IssuedCredential)).all()
    assert [r.organisation_id for r in rows] == [org_b.id]
