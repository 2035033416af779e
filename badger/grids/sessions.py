"""Group sessions: one round per participant, the coach's group screen, the peers' views."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from badger.accounts.models import Participant, User
from badger.errors import UserError
from badger.grids.checks import check_version_and_competences
from badger.grids.journeys import current_journey, open_round, start_journey
from badger.grids.models import GroupSession, Rating, Round
from badger.referentiels.models import Competence


def create_session(
    db: Session,
    *,
    organisation_id: int,
    coach: User,
    held_on: date,
    title: str,
    referentiel_version_id: int,
    competence_ids: Sequence[int],
    round_label: str,
    participants: Sequence[Participant],
    programme: str = "",
) -> GroupSession:
    """A group session; each participant gets a journey if needed and a round for the session."""
    competences = check_version_and_competences(db, referentiel_version_id, competence_ids)
    title = title.strip()[:200]
    if not title:
        raise UserError(_l("Donnez un titre à la séance."), 422)
    if not participants:
        raise UserError(_l("Choisissez au moins un participant."), 422)
    gs = GroupSession(
        organisation_id=organisation_id,
        coach_id=coach.id,
        held_on=held_on,
        title=title,
        referentiel_version_id=referentiel_version_id,
        competence_ids=[c.id for c in competences],
        round_label=round_label.strip()[:80] or "entry",
        programme=" ".join(programme.split())[:80],
    )
    gs.participants = list(participants)
    db.add(gs)
    db.flush()
    for p in participants:
        if p.organisation_id != organisation_id:
            raise UserError(_l("Ce participant n'appartient pas à cette organisation."), 404)
        journey = current_journey(db, p) or start_journey(
            db, organisation_id=organisation_id, participant=p, coach_id=coach.id
        )
        open_round(
            db,
            journey=journey,
            referentiel_version_id=referentiel_version_id,
            competence_ids=gs.competence_ids,
            label=gs.round_label,
            session_id=gs.id,
        )
    return gs


def session_rounds(db: Session, gs: GroupSession) -> dict[int, Round]:
    """participant id → the round opened for this session (one query, ratings preloaded)."""
    rounds = db.execute(
        select(Round).where(Round.session_id == gs.id).options(selectinload(Round.journey))
    ).scalars()
    return {r.journey.participant_id: r for r in rounds}


def set_peer_review(db: Session, gs: GroupSession, open_: bool) -> None:
    """The coach opens (or closes) the peers' views for a session."""
    gs.peer_review = open_
    db.flush()


def peer_rounds(db: Session, gs: GroupSession, rater: Participant) -> list[Round]:
    """The rounds of the other participants of ``gs`` that ``rater`` may give a view on."""
    if rater.id not in {p.id for p in gs.participants}:
        raise UserError(_l("Vous ne participez pas à cette séance."), 404)
    if not gs.peer_review:
        raise UserError(_l("Le regard des pairs n'est pas ouvert pour cette séance."), 403)
    rounds = session_rounds(db, gs)
    return [rounds[p.id] for p in gs.participants if p.id != rater.id and p.id in rounds]


def peer_round(db: Session, gs: GroupSession, rater: Participant, participant_id: int) -> Round:
    """The round of ``participant_id`` in ``gs`` on which ``rater`` gives their view."""
    for rnd in peer_rounds(db, gs, rater):
        if rnd.journey.participant_id == participant_id:
            return rnd
    raise UserError(_l("Cette personne ne participe pas à cette séance."), 404)


def my_peer_ratings(db: Session, rnd: Round, rater: Participant) -> dict[int, Rating]:
    """competence id → the view ``rater`` gave as a peer on ``rnd`` (theirs only)."""
    return {
        r.competence_id: r
        for r in db.execute(
            select(Rating).where(
                Rating.round_id == rnd.id,
                Rating.rater_role == "peer",
                Rating.rater_key == f"p:{rater.id}",
            )
        ).scalars()
    }


def programmes(db: Session) -> list[str]:
    """The programme labels the organisation's sessions already use (offered when typing)."""
    return list(db.execute(
        select(GroupSession.programme).where(GroupSession.programme != "").distinct()
        .order_by(GroupSession.programme)
    ).scalars())


def list_sessions(db: Session) -> list[GroupSession]:
    """The organisation's sessions, the latest first."""
    return list(db.execute(select(GroupSession).order_by(GroupSession.held_on.desc())).scalars())


def session_columns(db: Session, gs: GroupSession) -> list[Competence]:
    """The session's competences in the session's order (the group screen's columns)."""
    found = {
        c.id: c
        for c in db.execute(
            select(Competence).where(Competence.id.in_(gs.competence_ids))
        ).scalars()
    }
    return [found[c] for c in gs.competence_ids if c in found]


def coach_cells(db: Session, rounds: dict[int, Round]) -> dict[tuple[int, int], Rating]:
    """(participant id, competence id) → the coach's rating, for the group screen's cells."""
    cells: dict[tuple[int, int], Rating] = {}
    if not rounds:
        return cells
    round_to_p = {r.id: pid for pid, r in rounds.items()}
    for r in db.execute(
        select(Rating).where(Rating.round_id.in_(list(round_to_p)), Rating.rater_role == "coach")
    ).scalars():
        cells[(round_to_p[r.round_id], r.competence_id)] = r
    return cells
