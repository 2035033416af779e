"""Open Badges issued through ``POST /credentials/issue``: the awards' rules, a status bit of
the organisation's list (revocable, seen by badger and by Digital Bazaar's verifier), one
record per badge id, and the admin page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from badger.audit import AuditEvent
from badger.awards import IndexAllocator, signing_keys
from badger.awards.documents import issuer_id
from badger.integrators.issuing import badge_digest
from badger.integrators.models import IssuedCredential
from badger.ob3 import verify_credential
from tests.awards import _factory, _interop
from tests.awards.conftest import TestClientResolver
from tests.conftest import login_staff
from tests.integrators._helpers import (
    ISSUE_URL,
    V1,
    bearer,
    get_token,
    new_client,
    open_badge,
    with_issuer,
)


@pytest.fixture
def achievement(db: Any, org: Any, admin: Any) -> Any:
    return _factory.achievement(db, org, admin, _factory.adopted_version(db, org, admin))


@pytest.fixture
def send(app: Flask, db: Any, org: Any) -> Any:
    client_id, secret = new_client(db, org)
    token = get_token(app.test_client(), client_id, secret)

    def post(credential: Any, headers: Any = None) -> Any:
        body = {"credential": with_issuer(credential, issuer_id(org, signing_keys(org)))}
        return app.test_client().post(ISSUE_URL, json=body,
                                      headers={**bearer(token), **(headers or {})})

    return post


def _states(report: Any) -> dict[str, str]:
    return {c.name: c.state for c in report.checks}


def _js(app: Flask, signed: dict[str, Any]) -> dict[str, Any]:
    if _interop.NODE is None or not (_interop.HARNESS / "node_modules").is_dir():
        pytest.skip("node and tests/interop/node_modules are needed")
    docs = _interop.public_documents(TestClientResolver(app), signed)
    return _interop.js_verify_di(signed, docs)


def test_open_badge_gets_a_status_bit_and_can_be_revoked(app: Flask, db: Any, org: Any,
                                                         admin: Any, achievement: Any,
                                                         send: Any) -> None:
    response = send(open_badge(org, achievement))
    assert response.status_code == 201, response.get_data(as_text=True)
    signed = response.get_json()["verifiableCredential"]
    assert isinstance(signed["proof"], list)  # the strict 1EdTech schema wants the array
    status = signed["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusListCredential"].endswith(f"/status/{org.slug}/revocation/1")
    row = db.scalars(select(IssuedCredential)).one()
    assert row.open_badge and row.achievement_id == achievement.id
    assert row.badge_id == badge_digest(signed["id"])
    assert int(status["statusListIndex"]) == row.revocation_index
    # the awards' allocator never hands this bit to an award
    allocator = IndexAllocator(db, org)
    allocator.allocate()
    assert row.revocation_index in allocator.taken
    db.rollback()

    report = verify_credential(signed, resolver=TestClientResolver(app))
    assert report.verified, report.to_dict()["checks"]
    assert _states(report)["status"] == "passed"
    assert _js(app, signed)["verified"]

    http = app.test_client()
    login_staff(http, admin)
    page = http.get("/admin/integrators")
    assert page.status_code == 200 and signed["id"] in page.get_data(as_text=True)
    refused = http.post(f"/admin/integrators/credentials/{row.uuid}/revoke", data={"reason": ""})
    assert refused.status_code == 422
    done = http.post(f"/admin/integrators/credentials/{row.uuid}/revoke",
                     data={"reason": "erreur de saisie"})
    assert done.status_code == 302
    report = verify_credential(signed, resolver=TestClientResolver(app))
    assert not report.verified and _states(report)["status"] == "failed"
    js = _js(app, signed)
    assert not js["verified"] and js["status"]
    db.expire_all()
    assert db.scalars(select(IssuedCredential)).one().revoked_at is not None
    assert db.scalars(select(AuditEvent.action).where(
        AuditEvent.action == "integrators.revoke")).all() == ["integrators.revoke"]


def test_same_badge_twice_is_one_record(app: Flask, db: Any, org: Any, achievement: Any,
                                        send: Any) -> None:
    first = send(open_badge(org, achievement))
    again = send(open_badge(org, achievement))
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert len(db.scalars(select(IssuedCredential)).all()) == 1
    other = send(open_badge(org, achievement, validFrom="2026-03-01T00:00:00Z"))
    assert other.status_code == 409
    assert len(db.scalars(select(IssuedCredential)).all()) == 1


def test_badge_without_id_gets_one(app: Flask, db: Any, org: Any, achievement: Any,
                                   send: Any) -> None:
    cred = open_badge(org, achievement)
    del cred["id"]
    signed = send(cred).get_json()["verifiableCredential"]
    assert signed["id"].startswith("urn:uuid:")
    assert db.scalars(select(IssuedCredential)).one().badge_id == badge_digest(signed["id"])


def test_awards_rules_apply(app: Flask, db: Any, org: Any, admin: Any, achievement: Any,
                            make: Any, send: Any) -> None:
    other_org = make.organisation("org-b")
    other_admin = make.staff(other_org, email="b@example.org")
    foreign = _factory.achievement(db, other_org, other_admin,
                                   _factory.adopted_version(db, other_org, other_admin))
    unknown = open_badge(org, achievement)
    unknown["credentialSubject"]["achievement"]["id"] = "https://elsewhere.example/a/1"
    v1 = open_badge(org, achievement, issuanceDate="2026-01-01T00:00:00Z", **{"@context": [V1]})
    with_status = open_badge(org, achievement, credentialStatus={
        "type": "BitstringStatusListEntry", "id": "https://x.example/s#1"})
    cases = [
        (open_badge(org, foreign), "credentialSubject.achievement.id"),
        (unknown, "credentialSubject.achievement.id"),
        (v1, "@context"),
        (with_status, "credentialStatus"),
    ]
    for credential, field in cases:
        response = send(credential)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["error"]["details"] == {"field": field}
    achievement.active = False
    db.commit()
    response = send(open_badge(org, achievement))
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"field": "credentialSubject.achievement"}
    assert db.scalar(select(IssuedCredential.id)) is None


def test_stored_document_is_what_was_answered(app: Flask, db: Any, org: Any,
                                              achievement: Any, send: Any) -> None:
    signed = send(open_badge(org, achievement)).get_json()["verifiableCredential"]
    assert json.loads(db.scalars(select(IssuedCredential.signed_json)).one()) == signed
