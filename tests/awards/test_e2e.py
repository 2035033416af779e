"""End to end over HTTP: grid validated → proposal → consent → credential, verified in all four
formats by badger.ob3 and by the independent JavaScript stack, keys and status resolved through
the app's own public endpoints; then revoke, suspend, expiry and re-issue."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from badger import grids
from badger.audit import AuditEvent
from badger.awards.models import Credential
from badger.ob3 import baking
from badger.ob3.verify import verify_credential
from tests.awards import _factory, _interop
from tests.conftest import login_participant, login_staff


def _client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def flow(app: Any, db: Any, make: Any, org: Any, admin: Any, coach: Any, version: Any,
         achievement: Any) -> dict[str, Any]:
    """A participant whose grid validated the badge's competence (coach confirmed)."""
    person = make.participant(org, "Amina", email="Amina.Diallo@Example.org ")
    gs = _factory.group_session(db, org, coach, version, [person])
    rnd = grids.session_rounds(db, gs)[person.id]
    vc = _factory.validate(db, rnd, version.competences[0], coach, person, level=4)
    return {"person": person, "session": gs, "vc": vc}


def _accept(app: Any, make: Any, flow: dict[str, Any], achievement: Any) -> Credential:
    pc = _client(app)
    login_participant(pc, make, flow["person"])
    page = pc.get("/me/badges")
    assert page.status_code == 200
    assert achievement.name in page.get_data(as_text=True)
    response = pc.post("/me/badges", data={
        "validated_competence_id": flow["vc"].id, "achievement_id": achievement.id,
        "decision": "accept"})
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    flow["client"] = pc
    return _factory.only_credential(app)


def _files(pc: Any, cred_id: int) -> dict[str, bytes]:
    out = {}
    for fmt in ("json", "jwt", "png", "svg"):
        r = pc.get(f"/me/badges/{cred_id}/file.{fmt}")
        assert r.status_code == 200, fmt
        assert r.headers["Cache-Control"] == "private, no-store"
        out[fmt] = r.get_data()
    return out


def test_validated_grid_to_verified_credential(app: Any, make: Any, flow: dict[str, Any],
                                               achievement: Any, coach: Any,
                                               resolver: Any) -> None:
    cc = _client(app)
    login_staff(cc, coach)
    page = cc.get("/admin/awards").get_data(as_text=True)
    assert "Amina" in page and "en attente de l'accord du participant" in page

    cred = _accept(app, make, flow, achievement)
    assert cred.state == "issued" and cred.level == 4
    files = _files(flow["client"], cred.id)
    doc = json.loads(files["json"])
    # the recipient is a salted hash of the normalised address; never the address itself
    ident = doc["credentialSubject"]["identifier"][0]
    assert ident["hashed"] is True and ident["identityType"] == "emailAddress"
    for blob in files.values():
        assert b"amina.diallo@example.org" not in blob.lower()
    assert doc["credentialSubject"]["result"][0]["achievedLevel"].endswith("#level-4")
    assert doc["awardedDate"] and doc["id"].startswith("http://localhost/credentials/")
    assert any(e.get("genre") == "Co-évaluation" for e in doc["evidence"])
    assert doc["credentialSubject"]["achievement"]["alignment"][0]["targetType"] == "CFItem"
    assert baking.unbake_png(files["png"]) == files["json"].decode()
    assert baking.unbake_svg(files["svg"]) == files["json"].decode()
    for fmt, blob in files.items():
        report = verify_credential(blob, resolver=resolver,
                                   recipient=("amina.diallo@example.org", "emailAddress"))
        assert report.verified, (fmt, report.to_dict()["checks"])
        assert report.check("schema").code == "schema_valid"  # strict 1EdTech schema
        assert report.check("status").code == "not_revoked"
        assert report.check("recipient").state == "passed"
    assert any("/issuers/org-a" in u for u in resolver.requests)
    assert any("/status/org-a/revocation/1" in u for u in resolver.requests)
    # the coach no longer sees it as a proposal
    assert "Amina" not in cc.get("/admin/awards").get_data(as_text=True)


@pytest.mark.parametrize("marker", [pytest.param(0, marks=_interop.needs_node)])
def test_javascript_verifier_agrees(app: Any, make: Any, flow: dict[str, Any], achievement: Any,
                                    admin: Any, resolver: Any, marker: int) -> None:
    cred = _accept(app, make, flow, achievement)
    files = _files(flow["client"], cred.id)
    jwks = resolver.fetch_json("http://localhost/issuers/org-a/jwks.json")
    for blob in (files["json"], baking.unbake_png(files["png"]).encode(),
                 baking.unbake_svg(files["svg"]).encode()):
        doc = json.loads(blob)
        out = _interop.js_verify_di(doc, _interop.public_documents(resolver, doc))
        assert out["verified"], out
    out = _interop.js_verify_jwt(files["jwt"].decode(), jwks)
    assert out["verified"] and out["claimsMatch"], out

    ac = _client(app)
    login_staff(ac, admin)
    r = ac.post(f"/admin/credentials/{cred.id}/revoke", data={"reason": "Erreur de saisie"})
    assert r.status_code == 303
    doc = json.loads(files["json"])
    out = _interop.js_verify_di(doc, _interop.public_documents(resolver, doc))
    assert not out["verified"]
    assert "status 'revocation' is set" in out["error"]


@pytest.mark.parametrize("marker", [pytest.param(0, marks=_interop.needs_node)])
def test_javascript_verifier_sees_suspension(app: Any, make: Any, flow: dict[str, Any],
                                             achievement: Any, admin: Any, resolver: Any,
                                             marker: int) -> None:
    cred = _accept(app, make, flow, achievement)
    held = json.loads(_files(flow["client"], cred.id)["json"])
    ac = _client(app)
    login_staff(ac, admin)
    assert ac.post(f"/admin/credentials/{cred.id}/suspend",
                   data={"reason": "Plainte à examiner"}).status_code == 303
    out = _interop.js_verify_di(held, _interop.public_documents(resolver, held))
    assert not out["verified"] and "status 'revocation' is set" in out["error"], out

    assert ac.post(f"/admin/credentials/{cred.id}/unsuspend", data={}).status_code == 303
    fresh = json.loads(_files(flow["client"], cred.id)["json"])
    out = _interop.js_verify_di(fresh, _interop.public_documents(resolver, fresh))
    assert out["verified"], out
    out = _interop.js_verify_di(held, _interop.public_documents(resolver, held))
    assert not out["verified"], out


def test_revoke_suspend_unsuspend(app: Any, db: Any, make: Any, flow: dict[str, Any],
                                  achievement: Any, admin: Any, resolver: Any) -> None:
    cred = _accept(app, make, flow, achievement)
    files = _files(flow["client"], cred.id)
    ac = _client(app)
    login_staff(ac, admin)
    # make it public (portfolio's flag) to check the id URL follows suspension
    db.execute(Credential.__table__.update().values(public=True))
    db.commit()
    assert ac.get(f"/credentials/{cred.uuid}").status_code == 200

    status_before = resolver.fetch_json("http://localhost/status/org-a/revocation/1")
    r = ac.post(f"/admin/credentials/{cred.id}/suspend", data={"reason": "Vérification"})
    assert r.status_code == 303
    assert ac.get(f"/credentials/{cred.uuid}").status_code == 404
    detail = ac.get(f"/admin/credentials/{cred.id}").get_data(as_text=True)
    assert "Suspendu" in detail
    # the status bit is set and the list re-signed: every copy stops verifying
    suspended_list = resolver.fetch_json("http://localhost/status/org-a/revocation/1")
    assert suspended_list["proof"] != status_before["proof"]
    for blob in files.values():
        report = verify_credential(blob, resolver=resolver)
        assert not report.verified and report.check("status").code == "revoked"
    # an employer checking the file here is told it is suspended, not withdrawn
    employer = _client(app)
    page = employer.post("/verify", data={"text": files["json"].decode()})
    assert page.status_code == 200
    assert "L&#39;organisme a suspendu ce badge pour le moment." in page.get_data(as_text=True)
    # a suspended badge cannot be re-issued behind the admin's back
    r = ac.post(f"/admin/credentials/{cred.id}/reissue", data={})
    assert "rétablissez-le" in ac.get(f"/admin/credentials/{cred.id}").get_data(as_text=True)

    r = ac.post(f"/admin/credentials/{cred.id}/unsuspend", data={})
    assert r.status_code == 303
    assert ac.get(f"/credentials/{cred.uuid}").status_code == 200
    # lifting it re-issues on a fresh bit: same id and awardedDate, the old copies stay invalid
    old_doc = json.loads(files["json"])
    fresh_files = _files(flow["client"], cred.id)
    fresh_doc = json.loads(fresh_files["json"])
    assert fresh_doc["id"] == old_doc["id"]
    assert fresh_doc["awardedDate"] == old_doc["awardedDate"]
    assert (fresh_doc["credentialStatus"]["statusListIndex"]
            != old_doc["credentialStatus"]["statusListIndex"])
    for blob in fresh_files.values():
        assert verify_credential(blob, resolver=resolver).verified
    assert not verify_credential(files["json"], resolver=resolver).verified
    old_copy = employer.post("/verify", data={"text": files["json"].decode()})
    assert "remplacé par une nouvelle version" in old_copy.get_data(as_text=True)
    fresh_page = employer.post("/verify", data={"text": fresh_files["json"].decode()})
    assert "Badge authentique" in fresh_page.get_data(as_text=True)
    events = [e.action for e in db.scalars(select(AuditEvent)).all()]
    assert "award.suspend" in events and "award.unsuspend" in events
    files = fresh_files

    before = resolver.fetch_json("http://localhost/status/org-a/revocation/1")
    r = ac.post(f"/admin/credentials/{cred.id}/revoke", data={"reason": ""})
    assert r.status_code == 303  # refused: a reason is required
    assert verify_credential(files["json"], resolver=resolver).verified
    r = ac.post(f"/admin/credentials/{cred.id}/revoke", data={"reason": "Erreur de saisie"})
    assert r.status_code == 303
    after = resolver.fetch_json("http://localhost/status/org-a/revocation/1")
    assert after["proof"] != before["proof"]  # re-signed
    for blob in files.values():
        report = verify_credential(blob, resolver=resolver)
        assert not report.verified
        assert report.check("status").code == "revoked"
    assert ac.get(f"/credentials/{cred.uuid}").status_code == 404
    withdrawn = employer.post("/verify", data={"text": files["json"].decode()})
    assert "L&#39;organisme a retiré ce badge." in withdrawn.get_data(as_text=True)
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "award.revoke")).all()
    assert len(events) == 1 and events[0].details["reason"] == "Erreur de saisie"
    # revoked is final
    r = ac.post(f"/admin/credentials/{cred.id}/suspend", data={"reason": "x"})
    assert "retiré" in ac.get(f"/admin/credentials/{cred.id}").get_data(as_text=True)


def test_expiry_and_reissue_keeps_awarded_date(app: Any, db: Any, make: Any, org: Any,
                                               admin: Any, coach: Any, version: Any,
                                               resolver: Any) -> None:
    from badger.awards import service

    ach = _factory.achievement(db, org, admin, version, index=1, validity_days=30)
    person = make.participant(org, "Dario")
    res = service.award_many(db, org, ach, [service.AwardRequest(participant_id=person.id,
                                                                 phone="06 12 34 56 78")],
                             actor=coach)
    db.commit()
    cred = res[0].credential
    doc = json.loads(cred.signed_json)
    assert doc["credentialSubject"]["identifier"][0]["identityType"] == "ext:phone"
    valid_until = datetime.fromisoformat(doc["validUntil"].replace("Z", "+00:00"))
    assert timedelta(days=29) < valid_until - datetime.now(UTC) <= timedelta(days=30)
    assert verify_credential(cred.signed_jwt, resolver=resolver).verified
    later = datetime.now(UTC) + timedelta(days=31)
    for blob in (cred.signed_json, cred.signed_jwt):
        report = verify_credential(blob, resolver=resolver, now=later)
        assert not report.verified
        assert report.check("validity").state == "failed"

    ac = _client(app)
    login_staff(ac, admin)
    old_doc = doc
    r = ac.post(f"/admin/credentials/{cred.id}/reissue", data={})
    assert r.status_code == 303
    db.expire_all()
    fresh = db.get(Credential, cred.id)
    new_doc = json.loads(fresh.signed_json)
    assert new_doc["id"] == old_doc["id"]
    assert new_doc["awardedDate"] == old_doc["awardedDate"]
    assert new_doc["credentialStatus"] == old_doc["credentialStatus"]
    assert verify_credential(fresh.signed_json, resolver=resolver).verified


def test_participant_declines(app: Any, db: Any, make: Any, flow: dict[str, Any],
                              achievement: Any) -> None:
    pc = _client(app)
    login_participant(pc, make, flow["person"])
    r = pc.post("/me/badges", data={"validated_competence_id": flow["vc"].id,
                                    "achievement_id": achievement.id, "decision": "decline"})
    assert r.status_code == 303
    assert db.scalars(select(Credential)).all() == []
    assert achievement.name not in pc.get("/me/badges").get_data(as_text=True)


def test_participant_without_address_must_give_one(app: Any, db: Any, make: Any, org: Any,
                                                   coach: Any, version: Any, achievement: Any,
                                                   resolver: Any) -> None:
    person = make.participant(org, "Lina")
    gs = _factory.group_session(db, org, coach, version, [person])
    vc = _factory.validate(db, grids.session_rounds(db, gs)[person.id], version.competences[0],
                           coach, person)
    pc = _client(app)
    login_participant(pc, make, person)
    data = {"validated_competence_id": vc.id, "achievement_id": achievement.id,
            "decision": "accept"}
    refused = pc.post("/me/badges", data=dict(data))
    assert refused.status_code == 422
    assert db.scalars(select(Credential)).all() == []
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    ok = pc.post("/me/badges", data={**data, "did": did})
    assert ok.status_code == 303
    cred = _factory.only_credential(app)
    doc = json.loads(cred.signed_json)
    assert doc["credentialSubject"]["id"] == did
    assert verify_credential(cred.signed_jwt, resolver=resolver).verified
