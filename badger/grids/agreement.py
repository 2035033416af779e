"""Agreeing on a level: it counts once coach and participant said the same level."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.accounts.models import Participant, User
from badger.db import utcnow
from badger.errors import UserError
from badger.grids.checks import check_open, checked_score
from badger.grids.conflicts import Conflict, GridConflict, person_name
from badger.grids.labels import competence_label
from badger.grids.models import Agreement, Round
from badger.grids.validation import ensure_validation


def record_agreement(
    db: Session,
    rnd: Round,
    *,
    competence_id: int,
    level: int,
    actor: User | Participant,
    seen_version: int | None = None,
) -> Agreement:
    """One side says "we agree on this level". It counts once both sides said the same level;
    a different level from one side withdraws the other side's agreement.

    The participant agrees only once they have finished their own grid: agreeing happens on
    the comparison with the coach's view, which stays hidden from them until then (and a
    conflict would show the coach's level)."""
    if isinstance(actor, Participant):
        if rnd.journey.participant_id != actor.id:
            raise UserError(_l("Vous ne pouvez remplir que votre propre grille."), 403)
        if rnd.self_submitted_at is None:
            raise UserError(
                _l(
                    "Terminez d'abord votre propre grille : "
                    "vous verrez ensuite le regard de votre coach."
                ),
                409,
            )
    level = checked_score(level)
    if competence_id not in {it.competence_id for it in rnd.items}:
        raise UserError(_l("Cette compétence ne fait pas partie de la grille."), 422)
    check_open(rnd)
    row = db.execute(
        select(Agreement).where(
            Agreement.round_id == rnd.id, Agreement.competence_id == competence_id
        )
    ).scalar_one_or_none()
    changed_meanwhile = (
        row is not None and seen_version is not None and row.version_id != seen_version
    )
    if row is not None and changed_meanwhile and row.level != level:
        label = next(
            competence_label(it.competence) for it in rnd.items if it.competence_id == competence_id
        )
        who = (
            person_name(row.coach, None)
            if row.coach_agreed_at
            else person_name(None, rnd.journey.participant)
        )
        raise GridConflict([Conflict(competence_id, label, "agreement", level, row.level, who)])
    now = utcnow()
    if row is None:
        row = Agreement(
            organisation_id=rnd.organisation_id,
            round_id=rnd.id,
            competence_id=competence_id,
            level=level,
        )
        db.add(row)
    elif row.level != level:
        row.level = level
        row.coach_agreed_at = row.participant_agreed_at = None
    if isinstance(actor, User):
        row.coach_id, row.coach_agreed_at = actor.id, now
    else:
        row.participant_agreed_at = now
    db.flush()
    if row.complete:
        ensure_validation(db, rnd, competence_id, row)
    return row
