"""What the grid pages read: a round's comparison (self, coach, peers, previous round,
agreements), a journey's progress, and the lists the pages show."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from badger.accounts.models import Participant, User
from badger.grids import scoring
from badger.grids.charts import Axis, Series
from badger.grids.labels import competence_label, competence_label_language, competence_levels
from badger.grids.models import (
    Agreement,
    CoachNote,
    GroupSession,
    Journey,
    Rating,
    Round,
    ValidatedCompetence,
    session_participants,
)
from badger.referentiels.models import Competence, ReferentielVersion


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

    @property
    def needs_word(self) -> bool:
        """Someone has something to say or to answer on this axis: the two views differ by 2
        or more, one side proposed a level the other has not accepted yet, or a validation
        awaits the participant's consent. (An axis simply not agreed yet does not: the
        comparison lists it compactly, its agreement one tap away.)"""
        ag, vc = self.agreement, self.validation
        return (
            self.flagged
            or (ag is not None and not ag.complete)
            or (vc is not None and vc.status in ("proposed", "confirmed"))
        )


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
    def to_discuss(self) -> list[tuple[int, AxisView]]:
        """(axis number from 1, axis) of the axes that need a word (:attr:`AxisView.needs_word`)."""
        return [(n, a) for n, a in enumerate(self.axes, start=1) if a.needs_word]

    @property
    def settled(self) -> list[tuple[int, AxisView]]:
        """(axis number from 1, axis) of the other axes."""
        return [(n, a) for n, a in enumerate(self.axes, start=1) if not a.needs_word]

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


# The lists the grid pages show (the views run no query of their own).


@dataclass(frozen=True)
class ParticipantOverview:
    """What a participant's "my grids" page lists."""

    journeys: list[Journey]
    #: round id → how many competences the participant has scored
    done: dict[int, int]
    #: validations waiting for the participant's answer
    validations: list[ValidatedCompetence]
    #: sessions whose peers' views are open, with someone else to look at
    peer_sessions: list[GroupSession]


def participant_overview(db: Session, participant_id: int) -> ParticipantOverview:
    journeys = list(
        db.execute(
            select(Journey)
            .where(Journey.participant_id == participant_id)
            .order_by(Journey.started_on.desc())
            .options(selectinload(Journey.rounds))
        ).scalars()
    )
    rated = db.execute(
        select(Rating.round_id, func.count())
        .where(Rating.rater_role == "self", Rating.rater_key == "self")
        .where(Rating.round_id.in_([r.id for j in journeys for r in j.rounds]))
        .group_by(Rating.round_id)
    )
    done: dict[int, int] = dict(rated.all())
    validations = list(
        db.execute(
            select(ValidatedCompetence)
            .where(
                ValidatedCompetence.participant_id == participant_id,
                ValidatedCompetence.status.in_(("proposed", "confirmed")),
            )
            .options(selectinload(ValidatedCompetence.competence))
        ).scalars()
    )
    peer_sessions = db.execute(
        select(GroupSession)
        .join(session_participants, session_participants.c.session_id == GroupSession.id)
        .where(
            session_participants.c.participant_id == participant_id,
            GroupSession.peer_review.is_(True),
        )
        .order_by(GroupSession.held_on.desc())
    ).scalars()
    return ParticipantOverview(
        journeys, done, validations, [gs for gs in peer_sessions if len(gs.participants) > 1]
    )


def participant_journeys(db: Session, participant_id: int) -> list[Journey]:
    """A participant's journeys, newest first (the staff's page of their grids)."""
    return list(
        db.execute(
            select(Journey)
            .where(Journey.participant_id == participant_id)
            .order_by(Journey.started_on.desc(), Journey.id.desc())
        ).scalars()
    )


def published_versions(db: Session) -> list[ReferentielVersion]:
    """The référentiel versions a grid may be built on, by title then number."""
    return list(
        db.execute(
            select(ReferentielVersion)
            .where(ReferentielVersion.status == "published")
            .order_by(ReferentielVersion.title, ReferentielVersion.number)
        ).scalars()
    )


def published_competences(db: Session, version_id: int | None) -> list[Competence]:
    """The competences of a published version, in order (empty for no or an unknown version)."""
    if version_id is None:
        return []
    return list(
        db.execute(
            select(Competence)
            .join(ReferentielVersion, Competence.version_id == ReferentielVersion.id)
            .where(Competence.version_id == version_id, ReferentielVersion.status == "published")
            .order_by(Competence.position, Competence.id)
        ).scalars()
    )


def active_participants(db: Session) -> list[Participant]:
    """The organisation's active participants, by name (who can join a session)."""
    return list(
        db.execute(
            select(Participant)
            .where(Participant.active.is_(True))
            .order_by(Participant.display_name)
        ).scalars()
    )


def validations_list(db: Session) -> list[ValidatedCompetence]:
    """Every validated competence in scope, newest first, with what the list shows."""
    return list(
        db.execute(
            select(ValidatedCompetence)
            .order_by(ValidatedCompetence.validated_on.desc(), ValidatedCompetence.id)
            .options(
                selectinload(ValidatedCompetence.competence),
                selectinload(ValidatedCompetence.participant),
                selectinload(ValidatedCompetence.round),
            )
        ).scalars()
    )
