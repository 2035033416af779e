"""Scores and comments of one rater (self, coach, peer) and the coach's notes, all or nothing.

Authorship: only the participant writes ``self`` ratings; a coach can never write one (and a
participant can never write ``coach`` ones)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.accounts.models import Participant, User
from badger.db import utcnow
from badger.errors import UserError
from badger.grids.checks import check_open, checked_score
from badger.grids.conflicts import Conflict, GridConflict, person_name
from badger.grids.labels import competence_label
from badger.grids.models import RATER_ROLES, CoachNote, Rating, Round
from badger.referentiels.models import Competence


@dataclass(frozen=True)
class RatingInput:
    competence_id: int
    score: int | None  # None: leave as is
    comment: str | None = None  # None: leave as is
    #: The rating's version_id the writer saw; 0 when they saw no rating; None: don't check.
    seen_version: int | None = None
    #: Remove the rating (the explicit "–" choice); ``score`` is then ignored.
    clear: bool = False


def _rater(role: str, actor: User | Participant, rnd: Round) -> tuple[str, int | None, int | None]:
    """(rater_key, user id, participant id) for ``actor`` writing ``role`` on ``rnd``; refuses
    any role the actor may not hold."""
    if role not in RATER_ROLES:
        raise UserError(_l("Rôle d'évaluation inconnu."), 400)
    if isinstance(actor, User):
        if role != "coach":
            # The participant is the author of their own assessment: never written by staff.
            raise UserError(_l("Seul le participant peut remplir son auto-évaluation."), 403)
        return "coach", actor.id, None
    if role == "self":
        if rnd.journey.participant_id != actor.id:
            raise UserError(_l("Vous ne pouvez remplir que votre propre grille."), 403)
        return "self", None, actor.id
    if role == "peer":
        if rnd.journey.participant_id == actor.id:
            raise UserError(_l("Votre propre regard se note en auto-évaluation."), 403)
        gs = rnd.session
        if gs is None or not gs.peer_review or actor.id not in {p.id for p in gs.participants}:
            # Peers are the other participants of the same session, once the coach opened it.
            raise UserError(_l("Le regard des pairs n'est pas ouvert pour cette séance."), 403)
        return f"p:{actor.id}", None, actor.id
    raise UserError(_l("Seul un coach peut remplir le regard du coach."), 403)


def _check_entries(
    entries: list[RatingInput], labels: dict[int, Competence], existing: dict[int, Rating]
) -> None:
    """Refuse a competence outside the grid or a bad score; then, if someone changed a score
    the writer saw, refuse them all with both values (:class:`GridConflict`)."""
    conflicts: list[Conflict] = []
    for e in entries:
        if e.competence_id not in labels:
            raise UserError(_l("Cette compétence ne fait pas partie de la grille."), 422)
        if e.score is not None and not e.clear:
            checked_score(e.score)
        row = existing.get(e.competence_id)
        seen = e.seen_version
        if seen is None or (e.score is None and not e.clear) or row is None:
            continue
        if row.version_id != seen and (e.clear or row.score != e.score):
            conflicts.append(
                Conflict(
                    e.competence_id,
                    competence_label(labels[e.competence_id]),
                    "score",
                    "–" if e.clear else e.score,
                    row.score,
                    person_name(row.rater_user, row.rater_participant),
                )
            )
    if conflicts:
        raise GridConflict(conflicts)


def _existing_ratings(
    db: Session, rnd: Round, role: str, actor: User | Participant, entries: list[RatingInput]
) -> tuple[tuple[str, int | None, int | None], dict[int, Rating]]:
    """Everything :func:`save_ratings` refuses, checked before anything is written; returns
    the rater and their ratings in the round (competence id → rating)."""
    rater = _rater(role, actor, rnd)
    check_open(rnd)
    labels = {it.competence_id: it.competence for it in rnd.items}
    existing = {
        r.competence_id: r
        for r in db.execute(
            select(Rating).where(
                Rating.round_id == rnd.id, Rating.rater_role == role, Rating.rater_key == rater[0]
            )
        ).scalars()
    }
    _check_entries(entries, labels, existing)
    return rater, existing


def check_ratings(
    db: Session,
    rnd: Round,
    *,
    role: str,
    actor: User | Participant,
    entries: Iterable[RatingInput],
) -> None:
    """Raise what :func:`save_ratings` would (a rule, a score, an edit conflict), writing
    nothing: a page saving several rounds checks them all before it writes any."""
    _existing_ratings(db, rnd, role, actor, list(entries))


def save_ratings(
    db: Session,
    rnd: Round,
    *,
    role: str,
    actor: User | Participant,
    entries: Iterable[RatingInput],
) -> int:
    """Write several ratings of one rater in one round, all or nothing. Returns rows changed."""
    entries = list(entries)
    (key, user_id, participant_id), existing = _existing_ratings(db, rnd, role, actor, entries)
    changed = 0
    for e in entries:
        row = existing.get(e.competence_id)
        if e.clear:
            if row is not None:
                db.delete(row)
                changed += 1
            continue
        if row is None:
            if e.score is None:
                continue
            row = Rating(
                organisation_id=rnd.organisation_id,
                round_id=rnd.id,
                competence_id=e.competence_id,
                rater_role=role,
                rater_key=key,
                score=e.score,
                comment="",
            )
            db.add(row)
        elif e.score is None and (e.comment is None or e.comment.strip() == row.comment):
            continue
        new_comment = row.comment if e.comment is None else e.comment.strip()[:2000]
        if e.score is not None and row.score == e.score and row.comment == new_comment and row.id:
            continue
        if e.score is not None:
            row.score = e.score
        row.comment = new_comment
        row.rater_user_id, row.rater_participant_id = user_id, participant_id
        changed += 1
    db.flush()
    return changed


def submit_self_assessment(db: Session, rnd: Round, participant: Participant) -> None:
    """The participant says they have finished — every competence of the grid has their score;
    their coach's view then becomes visible."""
    _rater("self", participant, rnd)
    rated = set(
        db.execute(
            select(Rating.competence_id).where(
                Rating.round_id == rnd.id, Rating.rater_role == "self"
            )
        ).scalars()
    )
    if any(it.competence_id not in rated for it in rnd.items):
        raise UserError(_l("Il reste des compétences sans réponse."), 422)
    if rnd.self_submitted_at is None:
        rnd.self_submitted_at = utcnow()
    db.flush()


@dataclass(frozen=True)
class NoteInput:
    competence_id: int
    advice: str
    observations: str
    seen_version: int | None = None


def _existing_notes(db: Session, rnd: Round, entries: list[NoteInput]) -> dict[int, CoachNote]:
    """Everything :func:`save_coach_notes` refuses, checked before anything is written;
    returns the round's notes (competence id → note)."""
    check_open(rnd)
    labels = {it.competence_id: it.competence for it in rnd.items}
    existing = {
        n.competence_id: n
        for n in db.execute(select(CoachNote).where(CoachNote.round_id == rnd.id)).scalars()
    }
    conflicts = []
    for e in entries:
        if e.competence_id not in labels:
            raise UserError(_l("Cette compétence ne fait pas partie de la grille."), 422)
        row = existing.get(e.competence_id)
        if row is None or e.seen_version is None or row.version_id == e.seen_version:
            continue
        for fname, yours in (("advice", e.advice), ("observations", e.observations)):
            theirs = getattr(row, fname)
            if theirs != yours.strip():
                conflicts.append(
                    Conflict(
                        e.competence_id,
                        competence_label(labels[e.competence_id]),
                        fname,
                        yours,
                        theirs,
                        person_name(row.author, None),
                    )
                )
    if conflicts:
        raise GridConflict(conflicts)
    return existing


def check_coach_notes(db: Session, rnd: Round, *, entries: Iterable[NoteInput]) -> None:
    """Raise what :func:`save_coach_notes` would, writing nothing."""
    _existing_notes(db, rnd, list(entries))


def save_coach_notes(
    db: Session, rnd: Round, *, author: User, entries: Iterable[NoteInput], summary: str | None
) -> None:
    """The coach's advice and objectives, and factual observations, per axis (all or nothing)."""
    entries = list(entries)
    existing = _existing_notes(db, rnd, entries)
    for e in entries:
        advice, obs = e.advice.strip()[:4000], e.observations.strip()[:4000]
        row = existing.get(e.competence_id)
        if row is None:
            if not advice and not obs:
                continue
            row = CoachNote(
                organisation_id=rnd.organisation_id, round_id=rnd.id, competence_id=e.competence_id
            )
            db.add(row)
        elif row.advice == advice and row.observations == obs:
            continue
        row.advice, row.observations, row.author_id = advice, obs, author.id
    if summary is not None and summary.strip() != rnd.observations:
        rnd.observations = summary.strip()[:8000]
    db.flush()
