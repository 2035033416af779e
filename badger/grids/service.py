"""Rules for co-assessment grids. Every function takes a session and plain values, flushes but
never commits (the view commits once), and raises :class:`UserError` for broken rules.

Authorship: only the participant writes ``self`` ratings; a coach can never write one (and a
participant can never write ``coach`` ones). Concurrency: writers say which ``version_id`` they
saw; if the row changed meanwhile to another value, :class:`GridConflict` (409) carries both
values and nothing of the request is written.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from badger import csvsafe
from badger.accounts.models import Participant, User
from badger.db import utcnow
from badger.errors import UserError
from badger.grids import scoring
from badger.grids.charts import Axis, Series
from badger.grids.models import (
    RATER_ROLES,
    Agreement,
    CoachNote,
    GroupSession,
    Journey,
    Rating,
    Round,
    RoundCompetence,
    ValidatedCompetence,
)
from badger.referentiels.models import Competence, ReferentielVersion

MIN_AXES = 3
MAX_AXES = 30


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Conflict:
    """One value someone else changed while you were editing it."""

    competence_id: int
    label: str
    field: str  # "score", "advice", "observations", "agreement"
    yours: Any
    theirs: Any
    by: str


class GridConflict(UserError):
    """Raised when a write would overwrite a change made meanwhile; nothing was written."""

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        super().__init__(
            _l("Quelqu'un a modifié cette grille pendant que vous la remplissiez."),
            409,
            details=[c.__dict__ for c in conflicts],
        )
        self.conflicts = list(conflicts)


# --------------------------------------------------------------------------- helpers


def _score(value: object) -> int:
    try:
        return scoring.check_score(value)
    except ValueError:
        raise UserError(_l("Une note est un nombre entier de 0 à 5."), 422) from None


def _person_name(user: User | None, participant: Participant | None) -> str:
    if user is not None:
        return user.name
    if participant is not None:
        return participant.display_name
    return "?"


def competence_label(c: Competence, lang: str = "fr") -> str:
    tr = (c.translations or {}).get(lang) if lang != c.language else None
    return str((tr or {}).get("label") or c.label)


def competence_label_language(c: Competence, lang: str = "fr") -> str:
    """The language :func:`competence_label` answers in: ``lang`` when translated, else its own."""
    tr = (c.translations or {}).get(lang) if lang != c.language else None
    return lang if (tr or {}).get("label") else c.language


def competence_levels(c: Competence, lang: str = "fr") -> dict[int, str]:
    """Level texts (score → description) of the 0–5 scale, in ``lang`` when translated."""
    tr = (c.translations or {}).get(lang) if lang != c.language else None
    levels = (tr or {}).get("levels") or c.grid_levels()
    out: dict[int, str] = {}
    for lv in levels:
        text = lv.get("description") or lv.get("quality") or ""
        score = lv.get("score")
        # CASE stores scores as JSON numbers: 3 and 3.0 are the same level.
        if text and isinstance(score, int | float) and float(score).is_integer():
            out[int(score)] = str(text)
    return out


def _check_version_and_competences(
    db: Session, version_id: int, competence_ids: Sequence[int]
) -> list[Competence]:
    version = db.get(ReferentielVersion, version_id)
    if version is None or not version.is_published:
        raise UserError(_l("Choisissez une version publiée d'un référentiel."), 422)
    ids = list(dict.fromkeys(int(c) for c in competence_ids))
    if not MIN_AXES <= len(ids) <= MAX_AXES:
        raise UserError(_l("Une grille compte de 3 à 30 compétences."), 422)
    rows = db.execute(
        select(Competence).where(Competence.id.in_(ids), Competence.version_id == version_id)
    ).scalars()
    by_id = {c.id: c for c in rows}
    if len(by_id) != len(ids):
        raise UserError(_l("Ces compétences n'appartiennent pas à ce référentiel."), 422)
    return [by_id[i] for i in ids]


# --------------------------------------------------------------------------- journeys, rounds


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
    competences = _check_version_and_competences(db, referentiel_version_id, competence_ids)
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
) -> GroupSession:
    """A group session; each participant gets a journey if needed and a round for the session."""
    competences = _check_version_and_competences(db, referentiel_version_id, competence_ids)
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


def _check_open(rnd: Round) -> None:
    if rnd.closed_at is not None:
        raise UserError(_l("Ce tour de grille est clos."), 409)


def session_rounds(db: Session, gs: GroupSession) -> dict[int, Round]:
    """participant id → the round opened for this session (one query, ratings preloaded)."""
    rounds = db.execute(
        select(Round).where(Round.session_id == gs.id).options(selectinload(Round.journey))
    ).scalars()
    return {r.journey.participant_id: r for r in rounds}


# --------------------------------------------------------------------------- ratings


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


def save_ratings(
    db: Session,
    rnd: Round,
    *,
    role: str,
    actor: User | Participant,
    entries: Iterable[RatingInput],
) -> int:
    """Write several ratings of one rater in one round, all or nothing. Returns rows changed."""
    key, user_id, participant_id = _rater(role, actor, rnd)
    _check_open(rnd)
    labels = {it.competence_id: it.competence for it in rnd.items}
    existing = {
        r.competence_id: r
        for r in db.execute(
            select(Rating).where(
                Rating.round_id == rnd.id, Rating.rater_role == role, Rating.rater_key == key
            )
        ).scalars()
    }
    entries = list(entries)
    conflicts: list[Conflict] = []
    for e in entries:
        if e.competence_id not in labels:
            raise UserError(_l("Cette compétence ne fait pas partie de la grille."), 422)
        if e.score is not None and not e.clear:
            _score(e.score)
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
                    _person_name(row.rater_user, row.rater_participant),
                )
            )
    if conflicts:
        raise GridConflict(conflicts)
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


def save_coach_notes(
    db: Session, rnd: Round, *, author: User, entries: Iterable[NoteInput], summary: str | None
) -> None:
    """The coach's advice and objectives, and factual observations, per axis (all or nothing)."""
    _check_open(rnd)
    labels = {it.competence_id: it.competence for it in rnd.items}
    existing = {
        n.competence_id: n
        for n in db.execute(select(CoachNote).where(CoachNote.round_id == rnd.id)).scalars()
    }
    entries = list(entries)
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
                        _person_name(row.author, None),
                    )
                )
    if conflicts:
        raise GridConflict(conflicts)
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


# --------------------------------------------------------------------------- peers


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


# --------------------------------------------------------------------------- validation rules


@dataclass(frozen=True)
class RuleInput:
    competence_id: int
    min_level: object
    coach_confirms: bool
    #: The rule the editor saw (:func:`rule_token`); None: don't check.
    seen: str | None = None


def rule_token(rule: scoring.ValidationRule) -> str:
    return f"{rule.min_level}/{int(rule.coach_confirms)}"


def _rule_text(rule: scoring.ValidationRule) -> str:
    confirm = _l("avec confirmation du coach") if rule.coach_confirms else _l("sans confirmation")
    return f"≥ {rule.min_level}, {confirm}"


def update_rules(db: Session, rnd: Round, entries: Iterable[RuleInput]) -> int:
    """Change the validation rules of a round's competences, all or nothing; validations already
    proposed follow the new rule. The participant's consent is always required; the rule of a
    competence the participant has already consented to no longer changes. Returns rules
    changed."""
    _check_open(rnd)
    items = {it.competence_id: it for it in rnd.items}
    wanted: dict[int, scoring.ValidationRule] = {}
    seen: dict[int, str | None] = {}
    for e in entries:
        if e.competence_id not in items:
            raise UserError(_l("Cette compétence ne fait pas partie de la grille."), 422)
        try:
            level = scoring.check_score(e.min_level)
        except ValueError:
            raise UserError(_l("Le seuil est un nombre entier de 0 à 5."), 422) from None
        wanted[e.competence_id] = scoring.ValidationRule(
            min_level=level, coach_confirms=bool(e.coach_confirms)
        )
        seen[e.competence_id] = e.seen
    validations = {
        v.competence_id: v
        for v in db.execute(
            select(ValidatedCompetence).where(ValidatedCompetence.round_id == rnd.id)
        ).scalars()
    }
    current = {cid: scoring.ValidationRule.from_mapping(items[cid].rule) for cid in wanted}
    changed = {cid: rule for cid, rule in wanted.items() if rule != current[cid]}
    conflicts = [
        Conflict(
            cid,
            competence_label(items[cid].competence),
            "rule",
            _rule_text(rule),
            _rule_text(current[cid]),
            str(_l("quelqu'un d'autre")),
        )
        for cid, rule in changed.items()
        if seen[cid] is not None and seen[cid] != rule_token(current[cid])
    ]
    if conflicts:
        raise GridConflict(conflicts)
    locked = [
        competence_label(items[cid].competence)
        for cid in changed
        if cid in validations and validations[cid].status == "consented"
    ]
    if locked:
        raise UserError(
            _l("Déjà validée avec l'accord du participant : cette règle ne change plus."),
            409,
            details=locked,
        )
    agreements = {
        a.competence_id: a
        for a in db.execute(select(Agreement).where(Agreement.round_id == rnd.id)).scalars()
    }
    for cid, rule in changed.items():
        items[cid].rule = rule.to_mapping()
    db.flush()
    for cid in changed:
        ag = agreements.get(cid)
        if ag is not None and ag.complete:
            _ensure_validation(db, rnd, cid, ag)
    return len(changed)


# --------------------------------------------------------------------------- comparison


@dataclass
class AxisView:
    competence: Competence
    label: str
    levels: dict[int, str]
    self_score: int | None = None
    self_comment: str = ""
    self_version: int = 0
    coach_score: int | None = None
    coach_comment: str = ""
    coach_version: int = 0
    peer_scores: list[int] = field(default_factory=list)
    previous: int | None = None
    advice: str = ""
    observations: str = ""
    note_version: int = 0
    agreement: Agreement | None = None
    validation: ValidatedCompetence | None = None
    rule: scoring.ValidationRule = field(default_factory=scoring.ValidationRule)

    @property
    def peer_mean(self) -> float | None:
        return sum(self.peer_scores) / len(self.peer_scores) if self.peer_scores else None

    @property
    def gap(self) -> int | None:
        return scoring.gap(self.self_score, self.coach_score)

    @property
    def flagged(self) -> bool:
        return scoring.is_flagged(self.self_score, self.coach_score)

    @property
    def agreed(self) -> int | None:
        a = self.agreement
        return a.level if a is not None and a.complete else None


@dataclass
class RoundView:
    round: Round
    axes: list[AxisView]
    #: The previous round's label as people read it ("Entrée"…), None without one.
    previous_label: str | None
    #: The coach's and peers' views are left out (see :func:`others_visible`).
    others_hidden: bool = False

    @property
    def flagged(self) -> list[AxisView]:
        return [a for a in self.axes if a.flagged]

    @property
    def self_complete(self) -> bool:
        return all(a.self_score is not None for a in self.axes)

    def chart(self, lang: str, names: dict[str, str]) -> tuple[list[Axis], list[Series]]:
        """Axes and series for :mod:`badger.grids.charts` (names: kind → translated name)."""
        axes = [
            Axis(a.label, language=competence_label_language(a.competence, lang)) for a in self.axes
        ]
        series = [Series(names["self"], [a.self_score for a in self.axes], "self")]
        if not self.others_hidden:
            series.append(Series(names["coach"], [a.coach_score for a in self.axes], "coach"))
        if any(a.peer_scores for a in self.axes):
            series.append(Series(names["peer"], [a.peer_mean for a in self.axes], "peer"))
        if any(a.agreed is not None for a in self.axes):
            series.append(Series(names["agreed"], [a.agreed for a in self.axes], "agreed"))
        if self.previous_label is not None:
            label = f"{names['previous']} ({self.previous_label})"
            series.append(Series(label, [a.previous for a in self.axes], "previous"))
        return axes, series


def _previous_round(rnd: Round) -> Round | None:
    earlier = [r for r in rnd.journey.rounds if r.position < rnd.position]
    return earlier[-1] if earlier else None


def others_visible(rnd: Round, viewer: User | Participant | None = None) -> bool:
    """May the coach's and peers' views of ``rnd`` be shown to ``viewer``? Staff: always.
    Anyone else — the participant, their portfolio, a share page, an export made for them
    (``viewer`` None) — only once the participant has finished their own grid, so no other
    view steers theirs."""
    return isinstance(viewer, User) or rnd.self_submitted_at is not None


def _best_levels(db: Session, rnd: Round, reveal: bool) -> dict[int, int | None]:
    """competence id → agreed level, else coach, else self score, for one round (only the
    participant's own scores when the others' views are hidden)."""
    roles = ("self", "coach") if reveal else ("self",)
    ratings = db.execute(
        select(Rating).where(Rating.round_id == rnd.id, Rating.rater_role.in_(roles))
    ).scalars()
    by: dict[tuple[int, str], int] = {(r.competence_id, r.rater_role): r.score for r in ratings}
    agreements = (
        {
            a.competence_id: a
            for a in db.execute(select(Agreement).where(Agreement.round_id == rnd.id)).scalars()
        }
        if reveal
        else {}
    )
    out: dict[int, int | None] = {}
    for it in rnd.items:
        a = agreements.get(it.competence_id)
        out[it.competence_id] = scoring.best_known(
            a.level if a is not None and a.complete else None,
            by.get((it.competence_id, "coach")),
            by.get((it.competence_id, "self")),
        )
    return out


def round_view(
    db: Session,
    rnd: Round,
    lang: str = "fr",
    *,
    reveal: bool | None = None,
    viewer: User | Participant | None = None,
) -> RoundView:
    """Everything the comparison, detail, export and print pages show, in a few queries.

    The coach's and peers' scores and comments, the coach's notes, agreements and validations
    are left out unless ``reveal`` is true, or (``reveal`` None) :func:`others_visible` allows
    ``viewer`` — with no viewer, until the participant has finished their grid. The previous
    round follows the same rule for its own state."""
    show = reveal if reveal is not None else others_visible(rnd, viewer)
    axes = {
        it.competence_id: AxisView(
            it.competence,
            competence_label(it.competence, lang),
            competence_levels(it.competence, lang),
            rule=scoring.ValidationRule.from_mapping(it.rule),
        )
        for it in rnd.items
    }
    ratings = select(Rating).where(Rating.round_id == rnd.id)
    if not show:
        ratings = ratings.where(Rating.rater_role == "self")
    for r in db.execute(ratings).scalars():
        a = axes.get(r.competence_id)
        if a is None:
            continue
        if r.rater_role == "self":
            a.self_score, a.self_comment, a.self_version = r.score, r.comment, r.version_id
        elif r.rater_role == "coach":
            a.coach_score, a.coach_comment, a.coach_version = r.score, r.comment, r.version_id
        else:
            a.peer_scores.append(r.score)
    if show:
        for n in db.execute(select(CoachNote).where(CoachNote.round_id == rnd.id)).scalars():
            if n.competence_id in axes:
                a = axes[n.competence_id]
                a.advice, a.observations, a.note_version = n.advice, n.observations, n.version_id
        for ag in db.execute(select(Agreement).where(Agreement.round_id == rnd.id)).scalars():
            if ag.competence_id in axes:
                axes[ag.competence_id].agreement = ag
        for v in db.execute(
            select(ValidatedCompetence).where(ValidatedCompetence.round_id == rnd.id)
        ).scalars():
            if v.competence_id in axes:
                axes[v.competence_id].validation = v
    prev = _previous_round(rnd)
    if prev is not None:
        prev_show = True if reveal else others_visible(prev, viewer)
        for cid, level in _best_levels(db, prev, prev_show).items():
            if cid in axes:
                axes[cid].previous = level
    return RoundView(
        rnd, list(axes.values()), prev.display_label if prev else None, others_hidden=not show
    )


# --------------------------------------------------------------------------- agreement


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
    level = _score(level)
    if competence_id not in {it.competence_id for it in rnd.items}:
        raise UserError(_l("Cette compétence ne fait pas partie de la grille."), 422)
    _check_open(rnd)
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
            _person_name(row.coach, None)
            if row.coach_agreed_at
            else _person_name(None, rnd.journey.participant)
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
        _ensure_validation(db, rnd, competence_id, row)
    return row


# --------------------------------------------------------------------------- validation


def _rule_for(rnd: Round, competence_id: int) -> scoring.ValidationRule:
    item = next(it for it in rnd.items if it.competence_id == competence_id)
    return scoring.ValidationRule.from_mapping(item.rule)


def _refresh_status(vc: ValidatedCompetence, rule: scoring.ValidationRule) -> None:
    outcome = scoring.evaluate(
        rule,
        agreed_level=vc.level,
        coach_confirmed=vc.coach_confirmed_at is not None,
        consent=vc.consent,  # type: ignore[arg-type]
    )
    if outcome.declined:
        vc.status = "declined"
    elif outcome.holds:
        vc.status = "consented"
    elif vc.coach_confirmed_at is not None:
        vc.status = "confirmed"
    else:
        vc.status = "proposed"


def _ensure_validation(
    db: Session, rnd: Round, competence_id: int, agreement: Agreement
) -> ValidatedCompetence | None:
    """Once a level is agreed and reaches the rule's threshold, propose the validation;
    if the agreed level changes, the record follows it (and its confirmations reset)."""
    rule = _rule_for(rnd, competence_id)
    vc = db.execute(
        select(ValidatedCompetence).where(
            ValidatedCompetence.round_id == rnd.id,
            ValidatedCompetence.competence_id == competence_id,
        )
    ).scalar_one_or_none()
    if not scoring.eligible(rule, agreement.level):
        if vc is not None and vc.status != "declined":
            db.delete(vc)
            db.flush()
        return None
    if vc is None:
        vc = ValidatedCompetence(
            organisation_id=rnd.organisation_id,
            participant_id=rnd.journey.participant_id,
            competence_id=competence_id,
            referentiel_version_id=rnd.referentiel_version_id,
            round_id=rnd.id,
            level=agreement.level,
            validated_on=date.today(),
            coach_id=agreement.coach_id,
        )
        db.add(vc)
    elif vc.level != agreement.level:
        vc.level, vc.coach_confirmed_at, vc.consent, vc.consent_at = (
            agreement.level,
            None,
            "pending",
            None,
        )
    vc.evidence = _evidence(db, rnd, competence_id)
    _refresh_status(vc, rule)
    db.flush()
    return vc


def _evidence(db: Session, rnd: Round, competence_id: int) -> dict[str, Any]:
    view = round_view(db, rnd, reveal=True)
    a = next(x for x in view.axes if x.competence.id == competence_id)
    return {
        "round": rnd.label,
        "round_id": rnd.id,
        "journey_id": rnd.journey_id,
        "session_id": rnd.session_id,
        "self_score": a.self_score,
        "coach_score": a.coach_score,
        "agreed_level": a.agreed,
        "advice": a.advice,
        "observations": a.observations,
        "competence_identifier": a.competence.identifier,
        "competence_label": a.competence.label,
    }


def confirm_validation(db: Session, vc: ValidatedCompetence, coach: User) -> ValidatedCompetence:
    if vc.status == "declined":
        raise UserError(_l("Le participant a refusé cette validation."), 409)
    vc.coach_confirmed_at = utcnow()
    vc.coach_id = coach.id
    vc.validated_on = date.today()
    _refresh_status(vc, _rule_for(vc.round, vc.competence_id))
    db.flush()
    return vc


def set_consent(
    db: Session, vc: ValidatedCompetence, participant: Participant, *, given: bool
) -> ValidatedCompetence:
    """The participant accepts or declines the validation (only they can)."""
    if vc.participant_id != participant.id:
        raise UserError(_l("Vous ne pouvez répondre que pour vous-même."), 403)
    vc.consent = "given" if given else "declined"
    vc.consent_at = utcnow()
    _refresh_status(vc, _rule_for(vc.round, vc.competence_id))
    db.flush()
    return vc


def ready_for_award(db: Session) -> list[ValidatedCompetence]:
    """Validated competences whose rule holds (coach confirmed, participant consented),
    in the current organisation scope: what the awards domain turns into badges."""
    return list(
        db.execute(
            select(ValidatedCompetence)
            .where(ValidatedCompetence.status == "consented")
            .order_by(ValidatedCompetence.validated_on, ValidatedCompetence.id)
        ).scalars()
    )


def set_chart_in_portfolio(db: Session, rnd: Round, participant: Participant, show: bool) -> None:
    if rnd.journey.participant_id != participant.id:
        raise UserError(_l("Vous ne pouvez décider que pour vous-même."), 403)
    rnd.chart_in_portfolio = show
    db.flush()


# --------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class ProgressView:
    labels: list[str]
    axes: list[tuple[str, scoring.AxisProgress[int]]]  # (label, values)


def journey_progress(
    db: Session, journey: Journey, lang: str = "fr", *, viewer: User | Participant | None = None
) -> ProgressView:
    """The axes of the journey's rounds over time (best known level per round; for a round
    whose others' views ``viewer`` may not see yet, only the participant's own scores)."""
    order: dict[int, str] = {}
    for rnd in journey.rounds:
        for it in rnd.items:
            order.setdefault(it.competence_id, competence_label(it.competence, lang))
    rounds = [
        scoring.RoundScores(r.display_label, _best_levels(db, r, others_visible(r, viewer)))
        for r in journey.rounds
    ]
    rows = scoring.progress(list(order), rounds)
    return ProgressView(
        [r.display_label for r in journey.rounds], [(order[p.key], p) for p in rows]
    )


# --------------------------------------------------------------------------- export


def export_round(
    db: Session, rnd: Round, lang: str = "fr", *, viewer: User | Participant | None = None
) -> dict[str, Any]:
    """One round as plain data; the coach's and peers' views only when ``viewer`` may see
    them (:func:`others_visible`; with no viewer, once the participant finished their grid)."""
    view = round_view(db, rnd, lang, viewer=viewer)
    version = rnd.referentiel_version
    return {
        "participant": rnd.journey.participant.display_name,
        "round": {
            "id": rnd.id,
            "label": rnd.label,
            "name": rnd.display_label,
            "position": rnd.position,
            "closed": rnd.closed_at is not None,
        },
        "referentiel": {
            "title": version.title,
            "version": version.version_label,
            "identifier": version.identifier,
        },
        "observations": "" if view.others_hidden else rnd.observations,
        "axes": [
            {
                "competence": a.label,
                "identifier": a.competence.identifier,
                "self": a.self_score,
                "coach": a.coach_score,
                "peer_mean": a.peer_mean,
                "previous": a.previous,
                "gap": a.gap,
                "flagged": a.flagged,
                "agreed": a.agreed,
                "advice": a.advice,
                "observations": a.observations,
                "self_comment": a.self_comment,
                "coach_comment": a.coach_comment,
                "validation": a.validation.status if a.validation else None,
            }
            for a in view.axes
        ],
    }


CSV_FIELDS = (
    "competence",
    "identifier",
    "self",
    "coach",
    "peer_mean",
    "previous",
    "gap",
    "flagged",
    "agreed",
    "advice",
    "observations",
    "validation",
)


def export_round_csv(
    db: Session, rnd: Round, lang: str = "fr", *, viewer: User | Participant | None = None
) -> str:
    data = export_round(db, rnd, lang, viewer=viewer)
    buf = io.StringIO()
    writer = csvsafe.writer(buf)  # free text (observations, advice) may start with "="
    writer.writerow(CSV_FIELDS)
    for a in data["axes"]:
        writer.writerow([a[f] for f in CSV_FIELDS])
    return buf.getvalue()
