"""Networks (regional networks, federations) and organisations (issuers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.db import Base, TimestampMixin, UTCDateTime


class Network(TimestampMixin, Base):
    """A network of organisations (e.g. a regional network) that can publish référentiels."""

    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))

    memberships: Mapped[list[NetworkMembership]] = relationship(
        back_populates="network", cascade="all, delete-orphan"
    )


class Organisation(TimestampMixin, Base):
    """An issuer: an association or training body that runs programmes and awards badges."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(320))
    #: Brand colour used for generated badge images (#RRGGBB).
    colour: Mapped[str] = mapped_column(String(7), default="#1d4f91")

    memberships: Mapped[list[NetworkMembership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )


class NetworkMembership(TimestampMixin, Base):
    """Membership of a network; `endorsed_at` once the network vouches for the organisation."""

    __tablename__ = "network_memberships"
    __table_args__ = (UniqueConstraint("network_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    endorsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    endorsement_comment: Mapped[str | None] = mapped_column(Text)

    network: Mapped[Network] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
