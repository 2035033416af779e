"""``badger outcomes remind``: a follow-up that falls due reminds its coach once, in the coach's
language, through the outbox (``badger notifications send`` to a loopback SMTP server and to
the file backend); not before the date, not for a participant who withdrew."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from badger.grids.models import Journey
from badger.notifications import Notification
from badger.notifications.cli import send_command
from badger.notifications.service import stop
from badger.outcomes.cli import remind_command
from badger.outcomes.models import JourneyExit
from tests.conftest import login_participant
from tests.notifications._servers import free_port, smtp_on


def _exit(db: Any, org: Any, person: Any, exited: date, *, coach: Any = None,
          recorder: Any = None) -> Journey:
    journey = Journey(organisation_id=org.id, participant_id=person.id, coach_id=(
        coach.id if coach else None), started_on=date(2025, 9, 1), ended_on=exited)
    db.add(journey)
    db.flush()
    db.add(JourneyExit(organisation_id=org.id, journey_id=journey.id, participant_id=person.id,
                       kind="training", qualifying=True, exited_on=exited, consent="given",
                       follow_ups=True, recorded_by_id=recorder.id if recorder else None))
    db.commit()
    return journey


def _remind(app: Any, today: str) -> str:
    result = app.test_cli_runner().invoke(remind_command, ["--today", today])
    assert result.exit_code == 0, result.output
    return str(result.output)


def _queued(db: Any) -> list[tuple[int | None, str, dict[str, Any]]]:
    db.expire_all()
    return [(n.user_id, n.language, n.params) for n in db.scalars(
        select(Notification).where(Notification.kind == "outcomes.follow_up_due")
        .order_by(Notification.id))]


def test_each_due_follow_up_reminds_its_coach_once(
    app: Any, db: Any, make: Any, org: Any, coach: Any, admin: Any,
) -> None:
    coach.locale = "en"
    db.commit()
    amina = make.participant(org, "Amina")
    chloe = make.participant(org, "Chloé")
    dan = make.participant(org, "Dan")
    eve = make.participant(org, "Eve")
    _exit(db, org, amina, date(2026, 1, 10), coach=coach, recorder=admin)  # the referent coach
    _exit(db, org, chloe, date(2026, 3, 1), coach=coach)  # due on 1 June only
    withdrawn = _exit(db, org, dan, date(2026, 1, 10), coach=coach)
    _exit(db, org, eve, date(2026, 1, 5), recorder=admin)  # no referent: the recorder
    # Dan withdraws his agreement on his own page: his exit goes, and with it the reminder
    them = app.test_client()
    login_participant(them, make, dan)
    assert them.post(f"/me/journeys/{withdrawn.id}/exit", data={"answer": "no"}
                     ).status_code == 302

    assert "queued: 0," in _remind(app, "2026-04-04")  # nothing due yet
    assert _queued(db) == []
    assert "queued: 2," in _remind(app, "2026-04-10")
    assert _queued(db) == [(admin.id, "fr", {"months": 3}), (coach.id, "en", {"months": 3})]
    assert "queued: 0," in _remind(app, "2026-04-11")  # once only
    assert len(_queued(db)) == 2
    db.expire_all()
    rows = {r.participant_id: r for r in db.scalars(select(JourneyExit))}
    assert rows[amina.id].reminded_3_at is not None and rows[amina.id].reminded_6_at is None
    assert rows[chloe.id].reminded_3_at is None and dan.id not in rows

    with smtp_on(free_port()) as server:
        app.config["BADGER_SMTP_URL"] = f"smtp://127.0.0.1:{server.server_address[1]}"
        result = app.test_cli_runner().invoke(send_command, [])
        assert result.exit_code == 0, result.output
    assert result.output.startswith("sent: 2,")
    got = {tuple(to): msg for to, msg in server.messages}
    english, french = got[(coach.email,)], got[(admin.email,)]
    assert english["Subject"] == "A follow-up after an exit is due"
    assert ("The 3-month follow-up of a participant you support is due."
            in english.get_content())
    assert "http://localhost/outcomes/follow-ups" in english.get_content()
    assert french["Subject"] == "Un suivi de sortie est à faire"
    assert "Amina" not in english.get_content() + french.get_content()  # no name by e-mail

    # three months later: the 6-month ones and Chloé's 3-month one, to the file backend
    app.config["BADGER_SMTP_URL"] = None
    assert "queued: 3," in _remind(app, "2026-07-10")
    assert _queued(db)[2:] == [(coach.id, "en", {"months": 3}),  # Chloé, due 1 June
                               (admin.id, "fr", {"months": 6}), (coach.id, "en", {"months": 6})]
    result = app.test_cli_runner().invoke(send_command, [])
    assert result.output.startswith("sent: 3,"), result.output
    mail = Path(app.config["INSTANCE_PATH"]) / "mail-outbox.jsonl"
    lines = [json.loads(line) for line in mail.read_text(encoding="utf-8").splitlines()]
    assert sorted(m["to"] for m in lines) == sorted([admin.email, coach.email, coach.email])
    assert all("/outcomes/follow-ups" in m["text"] for m in lines)


def test_a_coach_who_stopped_messages_is_not_written_to_and_not_asked_again(
    app: Any, db: Any, make: Any, org: Any, coach: Any,
) -> None:
    _exit(db, org, make.participant(org, "Amina"), date(2026, 1, 10), coach=coach)
    stop(db, coach, via="link")
    db.commit()
    assert "queued: 0, coach stopped messages: 1" in _remind(app, "2026-04-10")
    assert "coach stopped messages: 0" in _remind(app, "2026-04-11")
    assert _queued(db) == []
