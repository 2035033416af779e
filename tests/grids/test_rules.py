"""Grid rules held by the service (not only by a page): agreeing before finishing one's own grid,
finishing an incomplete grid, a second journey, a round on an ended journey. Each is checked on
the service, then over HTTP (the page relies on the service's error)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from badger import grids
from badger.errors import UserError
from badger.grids.models import Agreement, Journey, Round
from tests.conftest import login_participant, login_staff
from tests.grids._factory import journey_round, published_version, rate


def _rated_round(db, org, participant, coach):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    rate(db, rnd, "self", participant, [4, 4, 4])
    rate(db, rnd, "coach", coach, [2, 2, 2])
    return rnd


def test_service_refuses_the_participant_agreement_before_they_finish(db, org, coach, participant):
    rnd = _rated_round(db, org, participant, coach)
    cid = rnd.items[0].competence_id
    # The coach may agree at any time (they already see both views).
    grids.record_agreement(db, rnd, competence_id=cid, level=3, actor=coach)
    db.commit()
    with pytest.raises(UserError) as err:
        grids.record_agreement(db, rnd, competence_id=cid, level=3, actor=participant)
    assert err.value.status == 409
    assert str(err.value.message).startswith("Terminez d'abord votre propre grille")
    db.rollback()
    ag = db.execute(select(Agreement)).scalar_one()
    assert ag.participant_agreed_at is None and not ag.complete

    grids.submit_self_assessment(db, rnd, participant)
    ag = grids.record_agreement(db, rnd, competence_id=cid, level=3, actor=participant)
    db.commit()
    assert ag.complete and ag.level == 3


def test_service_checks_ownership_before_the_finished_grid(db, make, org, coach, participant):
    """Someone else's grid answers 403 whether or not its owner has finished it."""
    rnd = _rated_round(db, org, participant, coach)
    other = make.participant(org, "Sam")
    with pytest.raises(UserError) as err:
        grids.record_agreement(
            db, rnd, competence_id=rnd.items[0].competence_id, level=3, actor=other
        )
    assert err.value.status == 403


def test_agree_over_http_answers_the_service_error(db, make, org, coach, participant):
    rnd = _rated_round(db, org, participant, coach)
    cid = rnd.items[0].competence_id
    me = make.app.test_client()
    login_participant(me, make, participant)
    r = me.post(f"/rounds/{rnd.id}/agree", data={"competence": cid, "level": 4})
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert "Terminez d" in body and ">2<" not in body  # the coach's score stays hidden
    assert db.scalar(select(func.count()).select_from(Agreement)) == 0
    # In English too: the service's message is translated like any other.
    r = me.post(
        f"/rounds/{rnd.id}/agree",
        data={"competence": cid, "level": 4},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 409
    assert "First finish your own grid" in r.get_data(as_text=True)


def test_service_refuses_to_finish_an_incomplete_grid(db, make, org, coach, participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    rate(db, rnd, "self", participant, [4, 4])
    with pytest.raises(UserError) as err:
        grids.submit_self_assessment(db, rnd, participant)
    assert err.value.status == 422
    db.rollback()
    assert db.get(Round, rnd.id).self_submitted_at is None

    client = make.app.test_client()
    login_participant(client, make, participant)
    r = client.post(f"/me/rounds/{rnd.id}/done")
    assert r.status_code == 422
    assert "sans réponse" in r.get_data(as_text=True)
    db.expire_all()
    assert db.get(Round, rnd.id).self_submitted_at is None

    rate(db, db.get(Round, rnd.id), "self", participant, [4, 4, 3])
    assert client.post(f"/me/rounds/{rnd.id}/done").status_code == 302
    db.expire_all()
    assert db.get(Round, rnd.id).self_submitted_at is not None


def test_service_refuses_a_second_journey(db, make, org, coach, participant):
    first = grids.start_journey(
        db, organisation_id=org.id, participant=participant, coach_id=coach.id
    )
    db.commit()
    with pytest.raises(UserError) as err:
        grids.start_journey(
            db, organisation_id=org.id, participant=participant, coach_id=coach.id
        )
    assert err.value.status == 409
    db.rollback()

    staff = make.app.test_client()
    login_staff(staff, coach)
    r = staff.post(f"/participants/{participant.id}/grids", data={"action": "journey"})
    assert r.status_code == 409
    assert db.scalar(select(func.count()).select_from(Journey)) == 1

    grids.end_journey(db, db.get(Journey, first.id), ended_on=date(2026, 1, 1))
    db.commit()
    r = staff.post(f"/participants/{participant.id}/grids", data={"action": "journey"})
    assert r.status_code == 302
    assert db.scalar(select(func.count()).select_from(Journey)) == 2


def test_service_refuses_a_round_on_an_ended_journey(db, org, coach, participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    grids.end_journey(db, rnd.journey)
    db.commit()
    with pytest.raises(UserError) as err:
        grids.open_round(
            db,
            journey=rnd.journey,
            referentiel_version_id=version.id,
            competence_ids=[c.id for c in version.competences][:3],
            label="mid",
        )
    assert err.value.status == 409
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Round)) == 1
