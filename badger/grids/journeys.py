"""Journeys and their rounds: start, open a round, close, reopen, end. Functions flush, never
commit (the request commits once)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.accounts.models import Participant
from badger.db import utcnow
from badger.errors import UserError
from badger.grids import scoring
from badger.grids.checks import check_version_and_competences
from badger.grids.models import Journey, Round, RoundCompetence


def start_journey(
    db: Session,
    *,
    organisation_id: int,
    participant: Participant,
    coach_id: int | None,
    title: str = "",
    started_on: date | None = None,
) -> Journey:
    if participant.organisation_id != organisation_id:
        raise UserError(_l("Ce participant n'appartient pas à cette organisation."), 404)
    if current_journey(db, participant) is not None:
        # One journey at a time: the current one ends (its rounds close) before another starts.
        raise UserError(_l("Terminez d'abord le parcours en cours."), 409)
    journey = Journey(
        organisation_id=organisation_id,
        participant_id=participant.id,
        coach_id=coach_id,
        title=title.strip()[:200],
        started_on=started_on or date.today(),
    )
    db.add(journey)
    db.flush()
    return journey


def current_journey(db: Session, participant: Participant) -> Journey | None:
    return db.execute(
        select(Journey)
        .where(Journey.participant_id == participant.id, Journey.ended_on.is_(None))
        .order_by(Journey.started_on.desc(), Journey.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def open_round(
    db: Session,
    *,
    journey: Journey,
    referentiel_version_id: int,
    competence_ids: Sequence[int],
    label: str,
    session_id: int | None = None,
    rule: dict[str, Any] | None = None,
) -> Round:
    """A new round at the end of the journey, on competences of one published version; an
    ended journey takes no new round."""
    if journey.ended_on is not None:
        raise UserError(_l("Ce parcours est terminé."), 409)
    competences = check_version_and_competences(db, referentiel_version_id, competence_ids)
    label = label.strip()[:80]
    if not label:
        raise UserError(
            _l("Donnez un nom à ce tour de grille (entrée, mi-parcours, sortie…)."), 422
        )
    try:  # refuse a bad rule now, not at validation time
        scoring.ValidationRule.from_mapping(rule)
    except ValueError as err:
        raise UserError(_l("Règle de validation non valable."), 422, details=str(err)) from None
    position = 1 + max((r.position for r in journey.rounds), default=0)
    rnd = Round(
        organisation_id=journey.organisation_id,
        journey=journey,
        referentiel_version_id=referentiel_version_id,
        session_id=session_id,
        label=label,
        position=position,
    )
    rnd.items = [
        RoundCompetence(competence_id=c.id, position=i, rule=dict(rule or {}))
        for i, c in enumerate(competences)
    ]
    db.add(rnd)
    db.flush()
    return rnd


def close_round(db: Session, rnd: Round) -> None:
    """Nobody can change the scores, notes, agreements or rules of a closed round (consent
    stays open: the participant can always answer)."""
    if rnd.closed_at is None:
        rnd.closed_at = utcnow()
    db.flush()


def reopen_round(db: Session, rnd: Round) -> None:
    if rnd.journey.ended_on is not None:
        raise UserError(_l("Ce parcours est terminé."), 409)
    rnd.closed_at = None
    db.flush()


def end_journey(db: Session, journey: Journey, ended_on: date | None = None) -> None:
    """End the journey and close its open rounds; a new journey can then start."""
    if journey.ended_on is not None:
        raise UserError(_l("Ce parcours est terminé."), 409)
    journey.ended_on = ended_on or date.today()
    for rnd in journey.rounds:
        close_round(db, rnd)
    db.flush()
