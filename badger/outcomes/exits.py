"""Recording how a journey ended, the participant's answer, and the follow-ups at 3 and 6
months. Functions take a session and plain values, flush, never commit.

Consent, as for a validated competence (``badger.grids.consent``): only the participant answers,
on their own page. The coach records the exit (``pending``: not counted anywhere); the
participant agrees (``given``, with the date) — and may also agree to be asked again at 3 and 6
months — or declines, and the record is deleted. "No news" records nothing the person said, so
it needs no answer (``not_needed``). The participant can withdraw later: the record goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from badger.accounts.models import Participant, User
from badger.db import utcnow
from badger.errors import UserError
from badger.grids.models import Journey
from badger.outcomes.models import (
    CONTRACTS,
    DURATIONS,
    EXIT_KINDS,
    FOLLOW_UP_MONTHS,
    ExitFollowUp,
    JourneyExit,
)


@dataclass(frozen=True)
class Situation:
    """What is recorded at the exit or a follow-up: the kind, and for a job the contract and
    its duration class, for a training whether it qualifies (nothing else)."""

    kind: str
    contract: str | None = None
    duration: str | None = None
    qualifying: bool | None = None

    def checked(self) -> Situation:
        if self.kind not in EXIT_KINDS:
            raise UserError(_l("Choisissez le type de sortie."), 422)
        if self.kind == "employment":
            if self.contract not in CONTRACTS or self.duration not in DURATIONS:
                raise UserError(_l("Pour un emploi, choisissez le contrat et sa durée."), 422)
            return Situation(self.kind, self.contract, self.duration, None)
        if self.kind == "training":
            if self.qualifying is None:
                raise UserError(_l("Dites si la formation est qualifiante."), 422)
            return Situation(self.kind, None, None, bool(self.qualifying))
        return Situation(self.kind)


def _apply(row: JourneyExit | ExitFollowUp, s: Situation) -> None:
    row.kind, row.contract, row.duration, row.qualifying = (
        s.kind, s.contract, s.duration, s.qualifying)


def exit_for(db: Session, journey: Journey) -> JourneyExit | None:
    return db.execute(
        select(JourneyExit).where(JourneyExit.journey_id == journey.id)
    ).scalar_one_or_none()


def record_exit(
    db: Session, journey: Journey, situation: Situation, *, coach: User,
    exited_on: date | None = None,
) -> JourneyExit:
    """The coach records (or corrects) the exit of an ended journey; the participant's answer
    starts again (a changed record is a new question), except for "no news"."""
    if journey.ended_on is None:
        raise UserError(_l("Terminez d'abord le parcours."), 409)
    s = situation.checked()
    row = exit_for(db, journey)
    if row is None:
        row = JourneyExit(organisation_id=journey.organisation_id, journey_id=journey.id,
                          participant_id=journey.participant_id)
        db.add(row)
    _apply(row, s)
    row.exited_on = exited_on or journey.ended_on
    row.recorded_by_id = coach.id
    row.consent = "not_needed" if s.kind == "no_news" else "pending"
    row.consent_at = None
    row.follow_ups = False
    db.flush()
    return row


def answer(db: Session, row: JourneyExit, participant: Participant, *, agree: bool,
           follow_ups: bool = False) -> JourneyExit | None:
    """The participant agrees (optionally to the follow-ups) or declines: a declined exit is
    deleted. Only the participant answers for themselves."""
    if row.participant_id != participant.id:
        raise UserError(_l("Vous ne pouvez répondre que pour vous-même."), 403)
    if not agree:
        db.delete(row)
        db.flush()
        return None
    row.consent = "given"
    row.consent_at = utcnow()
    row.follow_ups = bool(follow_ups)
    db.flush()
    return row


def my_exits(db: Session, participant: Participant) -> list[JourneyExit]:
    """The participant's recorded exits, for their page (pending ones first)."""
    rows = db.execute(
        select(JourneyExit).where(JourneyExit.participant_id == participant.id)
        .options(selectinload(JourneyExit.follow_up_rows))
        .order_by(JourneyExit.exited_on.desc())
    ).scalars()
    return sorted(rows, key=lambda r: r.consent != "pending")


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def record_follow_up(db: Session, row: JourneyExit, month: int, situation: Situation, *,
                     coach: User, today: date | None = None) -> ExitFollowUp:
    """The situation ``month`` (3 or 6) months after the exit: only when the participant agreed
    to follow-ups, and not before that date."""
    today = today or date.today()
    if month not in FOLLOW_UP_MONTHS:
        raise UserError(_l("Suivi à 3 ou 6 mois seulement."), 422)
    if row.consent != "given" or not row.follow_ups:
        raise UserError(_l("Le participant n'a pas accepté d'être suivi après sa sortie."), 409)
    if today < add_months(row.exited_on, month):
        raise UserError(_l("Ce suivi n'est pas encore dû."), 409)
    s = situation.checked()
    found = next((f for f in row.follow_up_rows if f.month == month), None)
    if found is None:
        found = ExitFollowUp(organisation_id=row.organisation_id, month=month)
        row.follow_up_rows.append(found)
    _apply(found, s)
    found.recorded_on = today
    found.recorded_by_id = coach.id
    db.flush()
    return found


@dataclass(frozen=True)
class DueFollowUp:
    exit: JourneyExit
    month: int
    due_on: date


def due_follow_ups(db: Session, today: date | None = None, *,
                   organisation_id: int | None = None) -> list[DueFollowUp]:
    """Follow-ups whose date has come and that nobody recorded yet, oldest first (in the
    session's organisation scope, or of ``organisation_id`` for the command line)."""
    today = today or date.today()
    query = (
        select(JourneyExit)
        .where(JourneyExit.consent == "given", JourneyExit.follow_ups.is_(True),
               JourneyExit.exited_on <= add_months(today, -3))
        .options(selectinload(JourneyExit.follow_up_rows),
                 selectinload(JourneyExit.participant))
    )
    if organisation_id is not None:
        query = query.where(JourneyExit.organisation_id == organisation_id)
    due = []
    for row in db.execute(query).scalars():
        done = {f.month for f in row.follow_up_rows}
        for month in FOLLOW_UP_MONTHS:
            on = add_months(row.exited_on, month)
            if month not in done and on <= today:
                due.append(DueFollowUp(row, month, on))
    return sorted(due, key=lambda d: (d.due_on, d.exit.id, d.month))
