"""How a journey ended (with the participant's agreement) and the follow-ups at 3 and 6 months.

Minimum data: the kind of exit, for a job its contract and duration class, for a training
whether it qualifies; no employer, no place, no free text. A row belongs to one journey and
goes with it (and with the participant: ``badger.outcomes.retention``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.accounts.models import Participant, User
from badger.db import Base, OrgScopedMixin, TimestampMixin, UTCDateTime
from badger.grids.models import Journey

EXIT_KINDS = ("employment", "training", "other_support", "no_news")
CONTRACTS = ("cdi", "cdd", "interim", "insertion", "alternance", "independent")
DURATIONS = ("lt6", "ge6", "permanent")
#: pending: the coach recorded it, the participant has not answered (not counted);
#: given: the participant agreed (counted); not_needed: "no news" says nothing about the person.
#: A declined exit is deleted, not kept.
CONSENTS = ("pending", "given", "not_needed")
FOLLOW_UP_MONTHS = (3, 6)


class _Situation:
    """The situation columns an exit and a follow-up share."""

    kind: Mapped[str] = mapped_column(String(16))
    contract: Mapped[str | None] = mapped_column(String(12))
    duration: Mapped[str | None] = mapped_column(String(10))
    qualifying: Mapped[bool | None] = mapped_column(Boolean)


class JourneyExit(_Situation, OrgScopedMixin, TimestampMixin, Base):
    """The outcome of an ended journey, recorded by the coach, agreed by the participant."""

    __tablename__ = "outcome_exits"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('employment', 'training', 'other_support', 'no_news')", name="kind"),
        CheckConstraint("consent IN ('pending', 'given', 'not_needed')", name="consent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(
        ForeignKey("grid_journeys.id", ondelete="CASCADE"), unique=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    exited_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    consent: Mapped[str] = mapped_column(String(12), default="pending")
    #: When the participant answered on their own page ("Ma sortie").
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The participant also agreed to be asked again at 3 and 6 months.
    follow_ups: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When ``badger outcomes remind`` queued the coach's reminder of the 3- / 6-month
    #: follow-up (once each; see ``badger.outcomes.reminders``).
    reminded_3_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_6_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    journey: Mapped[Journey] = relationship()
    participant: Mapped[Participant] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    follow_up_rows: Mapped[list[ExitFollowUp]] = relationship(
        back_populates="exit", cascade="all, delete-orphan", order_by="ExitFollowUp.month"
    )


class ExitFollowUp(_Situation, OrgScopedMixin, Base):
    """The situation 3 or 6 months after the exit."""

    __tablename__ = "outcome_follow_ups"
    __table_args__ = (
        UniqueConstraint("exit_id", "month"),
        CheckConstraint("month IN (3, 6)", name="month"),
        CheckConstraint(
            "kind IN ('employment', 'training', 'other_support', 'no_news')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exit_id: Mapped[int] = mapped_column(
        ForeignKey("outcome_exits.id", ondelete="CASCADE"), index=True
    )
    month: Mapped[int] = mapped_column(Integer)
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    exit: Mapped[JourneyExit] = relationship(back_populates="follow_up_rows")
