"""Bulk award after a session and by CSV: idempotent, one transaction, clear per-row results,
refusals, and an injected failure mid-batch that leaves nothing behind."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from badger.awards import service
from badger.awards.models import Claim, Credential, StatusList
from badger.ob3.verify import verify_credential
from tests.awards import _factory
from tests.conftest import login_staff


def _count(db: Any, model: Any) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _post_bulk(client: Any, group: Any, achievement: Any, ids: list[int], **extra: Any) -> Any:
    data: dict[str, Any] = {"achievement_id": str(achievement.id),
                            "participant": [str(i) for i in ids],
                            "observation": "Très bon esprit d'équipe.", **extra}
    return client.post(f"/admin/sessions/{group.id}/award", data=data)


def test_bulk_award_is_idempotent(app: Any, db: Any, client: Any, coach: Any, group: Any,
                                  achievement: Any, resolver: Any) -> None:
    login_staff(client, coach)
    page = client.get(f"/admin/sessions/{group.id}/award")
    assert page.status_code == 200 and "Amina" in page.get_data(as_text=True)
    ids = [p.id for p in group.participants]
    first = _post_bulk(client, group, achievement, ids, level="4")
    assert first.status_code == 200
    assert first.get_data(as_text=True).count("outcome-issued") == 3
    assert _count(db, Credential) == 3
    # double submit / retry: nothing new, a clear per-row answer
    again = _post_bulk(client, group, achievement, ids, level="4")
    text = again.get_data(as_text=True)
    assert text.count("outcome-already") == 3 and "Déjà attribué" in text
    assert _count(db, Credential) == 3
    creds = db.scalars(select(Credential)).all()
    assert len({c.revocation_index for c in creds}) == 3  # distinct random bits
    doc = json.loads(creds[0].signed_json)
    assert any("Football du mardi" in (e.get("name") or "") for e in doc["evidence"])
    assert verify_credential(creds[0].baked_png, resolver=resolver).verified


def test_injected_failure_mid_batch_leaves_nothing(app: Any, db: Any, org: Any, coach: Any,
                                                   group: Any, achievement: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    real_sign = service.sign_jwt
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> str:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("injected signer failure")
        return real_sign(*args, **kwargs)

    monkeypatch.setattr(service, "sign_jwt", failing)
    app.config["BADGER_RENDER_500_IN_TESTS"] = True
    client = app.test_client()
    login_staff(client, coach)
    response = _post_bulk(client, group, achievement, [p.id for p in group.participants])
    assert response.status_code == 500
    assert calls["n"] == 2
    assert _count(db, Credential) == 0
    assert _count(db, StatusList) == 0  # the list created in the batch is gone too
    assert _count(db, Claim) == 0
    monkeypatch.setattr(service, "sign_jwt", real_sign)
    ok = _post_bulk(client, group, achievement, [p.id for p in group.participants])
    assert ok.status_code == 200 and _count(db, Credential) == 3


def test_refusals(app: Any, db: Any, make: Any, org: Any, admin: Any, coach: Any, group: Any,
                  achievement: Any, version: Any) -> None:
    other = make.organisation("org-z")
    stranger = make.participant(other, "Zoé", email="zoe@example.org")
    rows = service.award_many(
        db, org, achievement,
        [service.AwardRequest(participant_id=stranger.id),
         service.AwardRequest(participant_id=group.participants[0].id, level=1),
         service.AwardRequest(participant_id=group.participants[1].id, email="not-an-email"),
         service.AwardRequest(participant_id=group.participants[2].id, level=5),
         service.AwardRequest(participant_id=group.participants[2].id, level=5)],
        actor=coach)
    db.commit()
    assert [r.outcome for r in rows] == ["refused", "refused", "refused", "issued", "already"]
    assert "autre organisation" in rows[0].message
    assert "inférieur" in rows[1].message
    with pytest.raises(service.UserError) as err:
        service.award_one(db, org, achievement,
                          service.AwardRequest(participant_id=group.participants[2].id))
    assert err.value.status == 409
    db.rollback()
    # a badge whose référentiel version is no longer adopted is refused
    from badger.referentiels.models import Adoption

    db.execute(Adoption.__table__.delete())
    db.commit()
    with pytest.raises(service.UserError) as err:
        service.award_many(db, org, achievement,
                           [service.AwardRequest(participant_id=group.participants[0].id)])
    assert "pas adoptée" in str(err.value.message)
    db.rollback()


def test_award_from_other_organisation_badge_is_404(app: Any, db: Any, make: Any, client: Any,
                                                    coach: Any, group: Any) -> None:
    other = make.organisation("org-y")
    admin_y = make.staff(other, "admin")
    version_y = _factory.adopted_version(db, other, admin_y)
    ach_y = _factory.achievement(db, other, admin_y, version_y)
    login_staff(client, coach)
    response = _post_bulk(client, group, ach_y, [p.id for p in group.participants])
    assert response.status_code == 404
    assert _count(db, Credential) == 0


def test_csv_dry_run_then_award(app: Any, db: Any, client: Any, make: Any, org: Any, coach: Any,
                                achievement: Any, group: Any) -> None:
    nameless = make.participant(org, "Élise")
    csv_text = (
        "participant;level;narrative;email\n"
        "Amina;4;A mené l'échauffement;\n"
        f"{group.participants[1].id};5;Toujours à l'heure;\n"
        "Élise;3;;\n"
        "Inconnu;4;;\n"
        "Chloé;1;;\n"
    )
    login_staff(client, coach)
    dry = client.post(f"/admin/badges/{achievement.id}/csv", data={"csv_text": csv_text})
    text = dry.get_data(as_text=True)
    assert dry.status_code == 200
    assert text.count("plan-issue") == 2 and text.count("plan-claim") == 1
    assert text.count("plan-error") == 2
    assert _count(db, Credential) == 0  # a dry run writes nothing
    done = client.post(f"/admin/badges/{achievement.id}/csv",
                       data={"csv_text": csv_text, "confirm": "1"})
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and body.count("outcome-issued") == 2
    assert "outcome-claim" in body and "claim-code" in body
    creds = {c.participant_id: c for c in db.scalars(select(Credential))}
    assert creds[nameless.id].state == "claim_pending" and creds[nameless.id].signed_json is None
    amina = group.participants[0]
    doc = json.loads(creds[amina.id].signed_json)
    assert doc["credentialSubject"]["narrative"] == "A mené l'échauffement"
    # the same file again: all rows already done
    again = client.post(f"/admin/badges/{achievement.id}/csv", data={"csv_text": csv_text})
    assert again.get_data(as_text=True).count("plan-already") == 3


def test_csv_without_header_is_refused(client: Any, coach: Any, achievement: Any) -> None:
    login_staff(client, coach)
    response = client.post(f"/admin/badges/{achievement.id}/csv", data={"csv_text": "a,b\n1,2"})
    assert response.status_code == 422
    assert "participant" in response.get_data(as_text=True)


def test_proposals_bulk_award_by_coach(app: Any, db: Any, make: Any, org: Any, coach: Any,
                                       version: Any, achievement: Any) -> None:
    from badger import grids

    people = [make.participant(org, n, email=f"{n}@example.org") for n in ("Léa", "Noé")]
    gs = _factory.group_session(db, org, coach, version, people)
    rounds = grids.session_rounds(db, gs)
    vcs = [_factory.validate(db, rounds[p.id], version.competences[0], coach, p, level=4,
                             consent=True) for p in people]
    client = app.test_client()
    login_staff(client, coach)
    page = client.get("/admin/awards").get_data(as_text=True)
    assert page.count('name="proposal"') == 2
    r = client.post("/admin/awards", data={
        "proposal": [f"{vc.id}:{achievement.id}" for vc in vcs]})
    assert r.status_code == 200 and r.get_data(as_text=True).count("outcome-issued") == 2
    creds = db.scalars(select(Credential)).all()
    assert {c.validated_competence_id for c in creds} == {vc.id for vc in vcs}
    assert all(c.session_id == gs.id for c in creds)


def test_bits_of_erased_credentials_are_never_reused(db: Any, make: Any, org: Any,
                                                     achievement: Any) -> None:
    from badger.ob3 import statuslist

    person = make.participant(org, "Karim", email="k@example.org")
    cred = service.award_many(db, org, achievement,
                              [service.AwardRequest(participant_id=person.id)])[0].credential
    service.revoke(db, cred, "Effacement")
    db.commit()
    index = cred.revocation_index
    db.delete(cred)  # as when a participant's data is erased
    db.commit()
    lst = db.scalars(select(StatusList)).one()
    assert statuslist.get_bit(lst.bits, index)
    allocator = service.IndexAllocator(db, org)
    allocator.allocate()
    assert index in allocator.taken
