"""Employers vouched for by an organisation or a network, their offers (posted or imported
from job boards) with the savoir-être they need, participants' choices, applications and the
employer's inbox.

An employer is a staff ``User`` with **no** membership in any organisation (so every staff
page answers 403 to them and their session is scoped to no organisation) and one live
``Employer`` row naming who vouches for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.accounts.models import Participant, User
from badger.db import Base, OrgScopedMixin, TimestampMixin, UTCDateTime
from badger.portfolio.models import Share
from badger.referentiels.models import Competence, ReferentielVersion

CONTRACTS = ("CDI", "CDD", "interim", "alternance", "insertion", "saisonnier", "stage", "autre")


class Employer(TimestampMixin, Base):
    """The ``employer`` role: a user an organisation or a network vouches for, until revoked."""

    __tablename__ = "jobs_employers"
    __table_args__ = (
        CheckConstraint("(organisation_id IS NULL) <> (network_id IS NULL)", name="one_voucher"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    company: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Offer(TimestampMixin, Base):
    """A job offer shown to the participants of its audience (an organisation or a network).

    Posted by an employer (``employer_id``) or imported from a job board (``source`` and
    ``source_id``; re-importing the same id updates the row)."""

    __tablename__ = "jobs_offers"
    __table_args__ = (
        UniqueConstraint("organisation_id", "source", "source_id", name="uq_jobs_offers_source"),
        CheckConstraint("(organisation_id IS NULL) <> (network_id IS NULL)", name="one_audience"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs_employers.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    referentiel_version_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_versions.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    rome_code: Mapped[str | None] = mapped_column(String(5))
    place: Mapped[str] = mapped_column(String(120), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    contract: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    employer_name: Mapped[str] = mapped_column(String(200), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: "" for an offer posted here; else the job board's name given at import.
    source: Mapped[str] = mapped_column(String(60), default="")
    source_id: Mapped[str | None] = mapped_column(String(120))
    source_url: Mapped[str] = mapped_column(String(1000), default="")

    employer: Mapped[Employer | None] = relationship()
    version: Mapped[ReferentielVersion] = relationship()
    requirements: Mapped[list[Requirement]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="Requirement.id"
    )


class Requirement(Base):
    """A savoir-être the offer needs: a competence of its référentiel version, a minimum level."""

    __tablename__ = "jobs_requirements"
    __table_args__ = (
        UniqueConstraint("offer_id", "competence_id"),
        CheckConstraint("min_level >= 1 AND min_level <= 5", name="min_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("jobs_offers.id", ondelete="CASCADE"), index=True
    )
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_competences.id", ondelete="RESTRICT"), index=True
    )
    min_level: Mapped[int] = mapped_column(Integer)
    #: The recruiter word it was picked or imported through ("Respecter les horaires").
    word: Mapped[str] = mapped_column(String(300), default="")

    offer: Mapped[Offer] = relationship(back_populates="requirements")
    competence: Mapped[Competence] = relationship()


class Preference(OrgScopedMixin, TimestampMixin, Base):
    """A participant's choice to receive offers (off by default) and a weekly digest."""

    __tablename__ = "jobs_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), unique=True
    )
    receive_offers: Mapped[bool] = mapped_column(Boolean, default=False)
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Application(OrgScopedMixin, TimestampMixin, Base):
    """A participant applied to an offer: a share link made for it, sent to the employer.

    ``share_token`` is the link given to the employer (the share keeps only its hash); it dies
    with the share when the participant withdraws."""

    __tablename__ = "jobs_applications"
    __table_args__ = (UniqueConstraint("offer_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("jobs_offers.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    share_id: Mapped[int | None] = mapped_column(
        ForeignKey("portfolio_shares.id", ondelete="SET NULL"), index=True
    )
    share_token: Mapped[str | None] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    offer: Mapped[Offer] = relationship()
    participant: Mapped[Participant] = relationship()
    share: Mapped[Share | None] = relationship()


class Message(Base):
    """A line in an employer's in-app inbox ("a participant applied", "… withdrew")."""

    __tablename__ = "jobs_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("jobs_employers.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("jobs_applications.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()
