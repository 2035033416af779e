"""``badger outcomes remind``: each follow-up that falls due reminds its coach once.

The coach is the journey's referent coach (``Journey.coach``) when that account is still
active, else whoever recorded the exit (``JourneyExit.recorded_by``); with neither, nobody is
reminded (the follow-up stays on ``/outcomes/follow-ups``). The message is a staff e-mail in
the coach's language, with no name in it (the page behind the link, after login, says who).
``reminded_3_at`` / ``reminded_6_at`` record that it was done: running again sends nothing
new. Only follow-ups the participant agreed to are due (``due_follow_ups``): a withdrawn or
declined exit is deleted, so it reminds nobody."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger.accounts.models import User
from badger.db import utcnow
from badger.notifications import enqueue, register_kind
from badger.outcomes.exits import DueFollowUp, due_follow_ups
from badger.outcomes.models import JourneyExit

KIND = "outcomes.follow_up_due"
LINK = "/outcomes/follow-ups"

register_kind(
    KIND,
    subject=_l("Un suivi de sortie est à faire"),
    body=_l("Le suivi à %(months)s mois d'un participant que vous accompagnez est à faire."),
)


@dataclass
class Reminded:
    queued: int = 0
    #: The coach stopped messages or has no address: recorded as done all the same.
    not_queued: int = 0
    #: No coach to remind (left unrecorded: a coach assigned later gets it).
    no_coach: int = 0


def coach_of(row: JourneyExit) -> User | None:
    for user in (row.journey.coach, row.recorded_by):
        if user is not None and user.active:
            return user
    return None


def _column(month: int) -> str:
    return f"reminded_{month}_at"


def remind(db: Session, today: date | None = None, *,
           organisation_id: int | None = None) -> Reminded:
    """Queue one reminder per due follow-up not reminded yet; flush, never commit."""
    counts = Reminded()
    due: list[DueFollowUp] = due_follow_ups(db, today, organisation_id=organisation_id)
    for d in due:
        if getattr(d.exit, _column(d.month)) is not None:
            continue
        coach = coach_of(d.exit)
        if coach is None:
            counts.no_coach += 1
            continue
        found = enqueue(db, user=coach, kind=KIND, link=LINK, params={"months": d.month})
        if found is None:
            counts.not_queued += 1
        else:
            counts.queued += 1
        setattr(d.exit, _column(d.month), utcnow())
    db.flush()
    return counts
