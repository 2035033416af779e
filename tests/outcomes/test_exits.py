"""Exits recorded by the coach count only once the participant agreed on their own page; a
declined exit is deleted; follow-ups are due at 3 and 6 months to those who accepted them; the
exit is in the participant's data export and goes with their erasure."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from typing import Any

from sqlalchemy import func, select

from badger.grids.models import Journey
from badger.outcomes import due_follow_ups
from badger.outcomes.cli import due_command
from badger.outcomes.models import ExitFollowUp, JourneyExit
from tests.conftest import login_participant, login_staff

EXIT_JOB = {"kind": "employment", "contract": "cdi", "duration": "permanent",
            "exited_on": "2026-01-10"}


def _journey(db: Any, org: Any, person: Any, *, ended: bool = True) -> Journey:
    journey = Journey(organisation_id=org.id, participant_id=person.id,
                      started_on=date(2025, 9, 1), ended_on=date(2026, 1, 10) if ended else None)
    db.add(journey)
    db.commit()
    return journey


def _exit(db: Any, journey: Journey) -> JourneyExit | None:
    db.expire_all()
    return db.execute(select(JourneyExit).where(JourneyExit.journey_id == journey.id)
                      ).scalar_one_or_none()


def test_an_exit_counts_only_with_the_participants_agreement(
    app: Any, db: Any, make: Any, org: Any, coach: Any, participant: Any,
) -> None:
    journey = _journey(db, org, participant)
    staff = app.test_client()
    login_staff(staff, coach)
    assert staff.post(f"/journeys/{journey.id}/exit", data=dict(EXIT_JOB)).status_code == 302
    row = _exit(db, journey)
    assert row is not None and row.consent == "pending" and row.consent_at is None
    assert row.recorded_by_id == coach.id
    page = staff.get(f"/journeys/{journey.id}/exit").get_data(as_text=True)
    assert "En attente de l&#39;accord du participant" in page or "En attente" in page
    # the coach cannot answer for the participant
    assert staff.post(f"/me/journeys/{journey.id}/exit", data={"answer": "yes"}
                      ).status_code == 403
    assert _exit(db, journey).consent == "pending"
    # another participant cannot answer either
    other = make.participant(org, "Bilal")
    them = app.test_client()
    login_participant(them, make, other)
    assert them.post(f"/me/journeys/{journey.id}/exit", data={"answer": "yes"}
                     ).status_code == 404
    assert _exit(db, journey).consent == "pending"
    # the participant sees it on their page and agrees, with the follow-ups
    mine = app.test_client()
    login_participant(mine, make, participant)
    assert "donnez votre accord" in mine.get("/").get_data(as_text=True)
    text = mine.get("/me/outcome").get_data(as_text=True)
    assert "Emploi — CDI, Durée indéterminée" in text
    assert mine.post(f"/me/journeys/{journey.id}/exit",
                     data={"answer": "yes", "follow_ups": "y"}).status_code == 302
    row = _exit(db, journey)
    assert row.consent == "given" and row.consent_at is not None and row.follow_ups
    # correcting the exit asks again
    assert staff.post(f"/journeys/{journey.id}/exit",
                      data={**EXIT_JOB, "contract": "cdd", "duration": "lt6"}).status_code == 302
    assert _exit(db, journey).consent == "pending"
    # declining deletes it
    assert mine.post(f"/me/journeys/{journey.id}/exit", data={"answer": "no"}).status_code == 302
    assert _exit(db, journey) is None


def test_recording_refuses_bad_input_and_open_journeys(
    app: Any, db: Any, org: Any, coach: Any, participant: Any, coach_client: Any,
) -> None:
    open_journey = _journey(db, org, participant, ended=False)
    assert coach_client.post(f"/journeys/{open_journey.id}/exit", data=dict(EXIT_JOB)
                             ).status_code == 409
    db.expire_all()
    open_journey.ended_on = date(2026, 1, 10)
    db.commit()
    bad = coach_client.post(f"/journeys/{open_journey.id}/exit",
                            data={"kind": "employment", "contract": "cdi"})
    assert bad.status_code == 422
    assert "choisissez le contrat" in bad.get_data(as_text=True)
    assert coach_client.post(f"/journeys/{open_journey.id}/exit", data={"kind": "x"}
                             ).status_code == 422
    assert coach_client.post(f"/journeys/{open_journey.id}/exit",
                             data={"kind": "training"}).status_code == 422
    assert _exit(db, open_journey) is None
    # "no news" says nothing the person told: it needs no answer
    assert coach_client.post(f"/journeys/{open_journey.id}/exit", data={"kind": "no_news"}
                             ).status_code == 302
    assert _exit(db, open_journey).consent == "not_needed"


def test_follow_ups_are_due_at_three_and_six_months(
    app: Any, db: Any, make: Any, org: Any, coach: Any, participant: Any, coach_client: Any,
) -> None:
    journey = _journey(db, org, participant)
    quiet = make.participant(org, "Chloé")
    journey_q = _journey(db, org, quiet)
    for j, follow in ((journey, True), (journey_q, False)):
        db.add(JourneyExit(organisation_id=org.id, journey_id=j.id, participant_id=j.participant_id,
                           kind="training", qualifying=True, exited_on=date(2026, 1, 10),
                           consent="given", follow_ups=follow))
    db.commit()
    assert due_follow_ups(db, date(2026, 4, 9)) == []
    due = due_follow_ups(db, date(2026, 4, 10))
    assert [(d.exit.journey_id, d.month, d.due_on) for d in due] == [
        (journey.id, 3, date(2026, 4, 10))]
    # the coach's list (today is after both dates in real time: both are due there)
    page = coach_client.get("/outcomes/follow-ups").get_data(as_text=True)
    assert "Amina" in page and "Chloé" not in page
    exit_page = coach_client.get(f"/journeys/{journey.id}/exit").get_data(as_text=True)
    assert "Suivi à 3 mois" in exit_page and "Suivi à 6 mois" not in exit_page  # one at a time
    assert coach_client.post(f"/journeys/{journey.id}/follow-up",
                             data={"month": "3", "kind": "employment", "contract": "cdd",
                                   "duration": "ge6"}).status_code == 302
    db.expire_all()
    assert [(d.month) for d in due_follow_ups(db, date(2026, 7, 10))] == [6]
    # not for someone who did not accept follow-ups, not twice a month 9
    assert coach_client.post(f"/journeys/{journey_q.id}/follow-up",
                             data={"month": "3", "kind": "no_news"}).status_code == 409
    assert coach_client.post(f"/journeys/{journey.id}/follow-up",
                             data={"month": "9", "kind": "no_news"}).status_code == 422
    runner = app.test_cli_runner()
    result = runner.invoke(due_command, ["--today", "2026-07-10"])
    assert result.exit_code == 0, result.output
    assert f"journey {journey.id}\tAmina\t6 months\tdue 2026-07-10" in result.output
    assert "1 follow-up(s) due." in result.output


def test_exits_are_exported_and_erased_with_the_participant(
    app: Any, db: Any, make: Any, org: Any, participant: Any,
) -> None:
    journey = _journey(db, org, participant)
    row = JourneyExit(organisation_id=org.id, journey_id=journey.id,
                      participant_id=participant.id, kind="employment", contract="alternance",
                      duration="ge6", exited_on=date(2026, 1, 10), consent="given",
                      follow_ups=True)
    row.follow_up_rows.append(ExitFollowUp(organisation_id=org.id, month=3, kind="no_news",
                                           recorded_on=date(2026, 4, 12)))
    db.add(row)
    db.commit()
    client = app.test_client()
    login_participant(client, make, participant)
    export = client.get("/portfolio/export")
    assert export.status_code == 200, export.status_code
    data = json.loads(zipfile.ZipFile(io.BytesIO(export.data)).read("outcomes.json"))
    assert data[0]["contract"] == "alternance" and data[0]["follow_ups"][0]["kind"] == "no_news"
    from badger.portfolio.erasure import erase

    db.expire_all()
    erase(db, db.merge(participant))
    db.commit()
    assert db.scalar(select(func.count()).select_from(JourneyExit)) == 0
    assert db.scalar(select(func.count()).select_from(ExitFollowUp)) == 0
