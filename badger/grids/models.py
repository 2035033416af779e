"""Co-assessment grids: journeys, group sessions, rounds, ratings, notes, agreements and
validated competences.

A *round* is one filling of the grid (e.g. "entry", "mid-way", "exit") on a chosen set of
competences of one pinned, published référentiel version. Each rater role (``self``, ``coach``,
``peer``) scores each competence 0–5. After the conversation an *agreement* records the level both
people accept, and a *validated competence* records the evidence the awards domain turns into a
badge. Rounds and ratings carry a ``version_id`` counter (SQLAlchemy ``version_id_col``) so two
people editing the same grid never silently overwrite each other.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.accounts.models import Participant, User
from badger.db import Base, OrgScopedMixin, TimestampMixin, UTCDateTime, utcnow
from badger.referentiels.models import Competence, ReferentielVersion

RATER_ROLES = ("self", "coach", "peer")
ROUND_LABELS = ("entry", "mid-way", "exit")
CONSENT_VALUES = ("pending", "given", "declined")
#: How the standard round labels read in the interface (free labels show as typed).
ROUND_LABEL_NAMES = {"entry": _l("Entrée"), "mid-way": _l("Mi-parcours"), "exit": _l("Sortie")}


def display_round_label(label: str) -> str:
    """``label`` as people read it: "Entrée", "Mi-parcours", "Sortie" (translated), or as typed."""
    name = ROUND_LABEL_NAMES.get(label)
    return str(name) if name is not None else label


class Journey(OrgScopedMixin, TimestampMixin, Base):
    """A participant's journey (parcours) in an organisation, with a referent coach."""

    __tablename__ = "grid_journeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    coach_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    participant: Mapped[Participant] = relationship()
    coach: Mapped[User | None] = relationship()
    rounds: Mapped[list[Round]] = relationship(
        back_populates="journey", order_by="Round.position", cascade="all, delete-orphan"
    )


session_participants = Table(
    "grid_session_participants",
    Base.metadata,
    Column("session_id", ForeignKey("grid_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
)


class GroupSession(OrgScopedMixin, TimestampMixin, Base):
    """A group activity (a football session, a building-site day) where the coach observes.

    It carries the grid used that day: a pinned référentiel version, the competences and the
    round label; opening the group screen gives each participant a round with that label.
    """

    __tablename__ = "grid_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    referentiel_version_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_versions.id", ondelete="RESTRICT"), index=True
    )
    #: Competence ids, in axis order.
    competence_ids: Mapped[list[Any]] = mapped_column(default=list)
    round_label: Mapped[str] = mapped_column(String(80), default="entry")
    #: The coach opened the peers' views: participants of this session may give their view
    #: on each other's grid (never on their own; their own view is their self-assessment).
    peer_review: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The programme (a short label the organisation chooses, e.g. "Remobilisation 2027") the
    #: session belongs to: cohort statistics (badger.outcomes) filter journeys by it.
    programme: Mapped[str] = mapped_column(String(80), default="", server_default="")

    coach: Mapped[User | None] = relationship()
    referentiel_version: Mapped[ReferentielVersion] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        secondary=session_participants, order_by="Participant.display_name"
    )

    @property
    def display_label(self) -> str:
        return display_round_label(self.round_label)


class Round(OrgScopedMixin, TimestampMixin, Base):
    """One filling of the grid in a journey (entry, mid-way, exit, …)."""

    __tablename__ = "grid_rounds"
    __table_args__ = (UniqueConstraint("journey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(
        ForeignKey("grid_journeys.id", ondelete="CASCADE"), index=True
    )
    referentiel_version_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_versions.id", ondelete="RESTRICT"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("grid_sessions.id", ondelete="SET NULL"), index=True
    )
    #: "entry", "mid-way", "exit" or a free label.
    label: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    self_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: General factual observations by the coach for the whole round.
    observations: Mapped[str] = mapped_column(Text, default="")
    #: The participant decides whether this round's chart appears in their portfolio.
    chart_in_portfolio: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Optimistic-locking counter (SQLAlchemy ``version_id_col``).
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012

    journey: Mapped[Journey] = relationship(back_populates="rounds")
    referentiel_version: Mapped[ReferentielVersion] = relationship()
    session: Mapped[GroupSession | None] = relationship()
    items: Mapped[list[RoundCompetence]] = relationship(
        back_populates="round", order_by="RoundCompetence.position", cascade="all, delete-orphan"
    )

    @property
    def display_label(self) -> str:
        """The label as people read it ("Entrée", "Mi-parcours", "Sortie", or as typed)."""
        return display_round_label(self.label)


class RoundCompetence(Base):
    """A competence chosen for a round, in axis order, with its validation rule."""

    __tablename__ = "grid_round_competences"
    __table_args__ = (UniqueConstraint("round_id", "competence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("grid_rounds.id", ondelete="CASCADE"), index=True
    )
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_competences.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    #: ``badger.grids.scoring.ValidationRule`` as JSON; empty means the default rule.
    rule: Mapped[dict[str, Any]] = mapped_column(default=dict)

    round: Mapped[Round] = relationship(back_populates="items")
    competence: Mapped[Competence] = relationship()


class Rating(OrgScopedMixin, Base):
    """One score 0–5 given by one rater role to one competence in one round."""

    __tablename__ = "grid_ratings"
    __table_args__ = (
        UniqueConstraint("round_id", "competence_id", "rater_role", "rater_key"),
        # covers the cohort statistics' reading of the coach's scores (badger.outcomes.stats)
        Index("ix_grid_ratings_round_role_scores", "round_id", "rater_role", "competence_id",
              "score"),
        CheckConstraint("score >= 0 AND score <= 5", name="score_range"),
        CheckConstraint("rater_role IN ('self', 'coach', 'peer')", name="rater_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("grid_rounds.id", ondelete="CASCADE"), index=True
    )
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_competences.id", ondelete="RESTRICT"), index=True
    )
    rater_role: Mapped[str] = mapped_column(String(10))
    #: "self", "coach" (one shared coach view per round) or "p:<participant id>" for a peer.
    rater_key: Mapped[str] = mapped_column(String(40))
    rater_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rater_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012

    rater_user: Mapped[User | None] = relationship()
    rater_participant: Mapped[Participant | None] = relationship()


class CoachNote(OrgScopedMixin, Base):
    """The coach's "advice and objectives" and factual observations for one axis of a round."""

    __tablename__ = "grid_coach_notes"
    __table_args__ = (UniqueConstraint("round_id", "competence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("grid_rounds.id", ondelete="CASCADE"), index=True
    )
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_competences.id", ondelete="RESTRICT"), index=True
    )
    advice: Mapped[str] = mapped_column(Text, default="")
    observations: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012

    author: Mapped[User | None] = relationship()


class Agreement(OrgScopedMixin, Base):
    """The level agreed after talking, for one axis. It counts once both people agreed."""

    __tablename__ = "grid_agreements"
    __table_args__ = (
        UniqueConstraint("round_id", "competence_id"),
        CheckConstraint("level >= 0 AND level <= 5", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("grid_rounds.id", ondelete="CASCADE"), index=True
    )
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_competences.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    coach_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    participant_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012

    coach: Mapped[User | None] = relationship()

    @property
    def complete(self) -> bool:
        return self.coach_agreed_at is not None and self.participant_agreed_at is not None


class ValidatedCompetence(OrgScopedMixin, TimestampMixin, Base):
    """A competence validated for a participant, with its evidence; read by the awards domain.

    ``status``: ``proposed`` (level reached, nothing confirmed yet), ``confirmed`` (the coach
    confirmed, consent pending), ``consented`` (ready for award), ``declined`` (the participant
    said no; nothing will be issued).
    """

    __tablename__ = "grid_validated_competences"
    __table_args__ = (
        UniqueConstraint("round_id", "competence_id"),
        CheckConstraint(
            "status IN ('proposed', 'confirmed', 'consented', 'declined')", name="status"
        ),
        CheckConstraint("consent IN ('pending', 'given', 'declined')", name="consent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_competences.id", ondelete="RESTRICT"), index=True
    )
    referentiel_version_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_versions.id", ondelete="RESTRICT"), index=True
    )
    round_id: Mapped[int] = mapped_column(
        ForeignKey("grid_rounds.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    validated_on: Mapped[date] = mapped_column(Date)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    coach_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent: Mapped[str] = mapped_column(String(10), default="pending")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Evidence kept with the record: round label, scores, advice, observations.
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)

    participant: Mapped[Participant] = relationship()
    competence: Mapped[Competence] = relationship()
    round: Mapped[Round] = relationship()
    coach: Mapped[User | None] = relationship()


from badger.grids import referentiel_usage  # noqa: E402, F401  (registers its upgrade count)
from badger.grids.photo_models import NetworkPicture, PictureChoice  # noqa: E402, F401
