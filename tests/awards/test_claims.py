"""Recipients without e-mail: the award is held as a claim, redeemed once with a code."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from badger import awards
from badger.audit import AuditEvent
from badger.awards.models import Claim, Credential
from badger.ob3.verify import verify_credential
from tests.awards import _factory
from tests.conftest import login_staff


@pytest.fixture
def held(db: Any, make: Any, org: Any, coach: Any, achievement: Any) -> tuple[Any, str]:
    return _factory.hold_for_claim(db, make, org, coach, achievement)


def test_claim_redeemed_once_with_email(app: Any, db: Any, client: Any, held: Any,
                                        resolver: Any, caplog: pytest.LogCaptureFixture) -> None:
    cred, code = held
    assert cred.state == "claim_pending" and cred.revocation_index is None
    page = client.get(f"/claim/{code}")
    assert page.status_code == 200 and code in page.get_data(as_text=True)
    caplog.set_level(logging.DEBUG)
    response = client.post("/claim", data={"code": code.lower(), "kind": "email",
                                           "value": "Elise.Martin@example.org"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "Badge reçu" in response.get_data(as_text=True)
    db.expire_all()
    fresh = db.get(Credential, cred.id)
    assert fresh.state == "issued"
    assert fresh.revocation_index is not None
    report = verify_credential(fresh.signed_json, resolver=resolver,
                               recipient=("elise.martin@example.org", "emailAddress"))
    assert report.verified, report.to_dict()["checks"]
    # the clear address is nowhere: credential, claim row, audit trail, logs
    everything = [fresh.signed_json, fresh.signed_jwt, json.dumps(fresh.recipient),
                  caplog.text] + [json.dumps(e.details) for e in db.scalars(select(AuditEvent))]
    assert not any("elise.martin" in x.lower() for x in everything)
    claim = db.scalars(select(Claim)).one()
    assert claim.redeemed_at is not None and claim.bound_with == "emailAddress"
    # a second use is refused
    again = client.post("/claim", data={"code": code, "kind": "email",
                                        "value": "someone@example.org"})
    assert again.status_code == 404
    assert "déjà servi" in again.get_data(as_text=True)


def test_claim_with_did_and_phone(app: Any, db: Any, client: Any, make: Any, org: Any,
                                  coach: Any, achievement: Any, resolver: Any) -> None:
    a, b = make.participant(org, "Fanta"), make.participant(org, "Gaël")
    rows = awards.award_many(db, org, achievement,
                              [awards.AwardRequest(participant_id=a.id),
                               awards.AwardRequest(participant_id=b.id)], actor=coach)
    db.commit()
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    r1 = client.post("/claim", data={"code": rows[0].claim_code, "kind": "did", "value": did})
    r2 = client.post("/claim", data={"code": rows[1].claim_code, "kind": "phone",
                                     "value": "+33 6 12 34 56 78"})
    assert r1.status_code == 200 and r2.status_code == 200
    db.expire_all()
    c1 = db.get(Credential, rows[0].credential.id)
    c2 = db.get(Credential, rows[1].credential.id)
    doc = json.loads(c1.signed_json)
    assert doc["credentialSubject"]["id"] == did
    assert verify_credential(c1.signed_jwt, resolver=resolver).verified
    assert verify_credential(c2.baked_svg, resolver=resolver,
                             recipient=("0612345678", "ext:phone")).verified


def test_bad_claim_inputs(client: Any, held: Any) -> None:
    _, code = held
    assert client.post("/claim", data={"code": "NOPE", "kind": "email",
                                       "value": "a@b.org"}).status_code == 404
    bad = client.post("/claim", data={"code": code, "kind": "did", "value": "not a did"})
    assert bad.status_code == 422
    # the failed attempt did not consume the code
    ok = client.post("/claim", data={"code": code, "kind": "email", "value": "a@b.org"})
    assert ok.status_code == 200


def test_printable_claim_code_for_staff(app: Any, db: Any, client: Any, coach: Any,
                                        held: Any) -> None:
    cred, old_code = held
    login_staff(client, coach)
    page = client.post(f"/admin/credentials/{cred.id}/claim", data={})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in text and "big-code" in text
    other = app.test_client()
    assert other.post("/claim", data={"code": old_code, "kind": "email",
                                      "value": "a@b.org"}).status_code == 404


def test_suspended_claim_waits(db: Any, client: Any, held: Any, admin: Any,
                               resolver: Any) -> None:
    """A held award that is suspended cannot be redeemed until the suspension is lifted."""
    cred, code = held
    awards.suspend(db, db.get(Credential, cred.id), "Vérification de la séance", actor=admin)
    db.commit()
    refused = client.post("/claim", data={"code": code, "kind": "phone", "value": "0612345678"})
    assert refused.status_code == 409
    assert "suspendu pour le moment" in refused.get_data(as_text=True)
    db.expire_all()
    assert db.get(Credential, cred.id).state == "claim_pending"
    assert db.scalars(select(Claim)).one().redeemed_at is None  # the code is not used up

    awards.unsuspend(db, db.get(Credential, cred.id), actor=admin)
    db.commit()
    done = client.post("/claim", data={"code": code, "kind": "phone", "value": "0612345678"})
    assert done.status_code == 200, done.get_data(as_text=True)[:500]
    db.expire_all()
    fresh = db.get(Credential, cred.id)
    assert fresh.state == "issued"
    assert verify_credential(fresh.signed_json, resolver=resolver).verified
