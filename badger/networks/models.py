"""Networks (regional networks, federations) and organisations (issuers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.db import Base, StatusListColumns, TimestampMixin, UTCDateTime


class Network(TimestampMixin, Base):
    """A network of organisations (e.g. a regional network) that can publish référentiels."""

    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    #: Where the network works (the ``location`` of its known-issuer registry entry).
    location: Mapped[str | None] = mapped_column(String(200))
    #: Listed in this server's registry of networks (``/networks/registry.json``): a real
    #: network, created by a server administrator. Only a listed network's endorsements read
    #: as "Reconnu par" on this server's pages, and only it publishes a member registry.
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

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
    #: How the organisation names itself in what it signs from now on (``badger.awards.
    #: documents.IDENTIFIER_KINDS``): ``https`` (``/issuers/<slug>``), ``did:web`` or ``did:key``.
    issuer_identifier: Mapped[str] = mapped_column(String(16), default="https",
                                                   server_default="https")
    #: JOSE algorithm of its new VC-JWTs: RS256, ES256 or EdDSA (``badger keys rotate``).
    jwt_algorithm: Mapped[str] = mapped_column(String(8), default="RS256",
                                               server_default="RS256")

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


class NetworkEndorsement(TimestampMixin, Base):
    """A signed OB 3.0 EndorsementCredential: the network vouches for a member organisation.

    Kept after withdrawal (``withdrawn_at`` set) so the history stays readable; at most one
    active endorsement per membership (partial unique index).
    """

    __tablename__ = "network_endorsements"
    __table_args__ = (
        UniqueConstraint("status_list_id", "status_index"),
        Index(
            "uq_network_endorsements_active",
            "membership_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("network_memberships.id", ondelete="CASCADE"), index=True
    )
    comment: Mapped[str] = mapped_column(Text)
    #: The signed credential exactly as issued (eddsa-rdfc-2022 Data Integrity JSON).
    credential_json: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The endorsement's bit in its network's revocation list (None: signed before 0012, such
    #: an endorsement has no ``credentialStatus`` and its URL answers 410 once withdrawn).
    status_list_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_status_lists.id", ondelete="RESTRICT")
    )
    status_index: Mapped[int | None] = mapped_column(Integer)

    membership: Mapped[NetworkMembership] = relationship()
    status_list: Mapped[NetworkStatusList | None] = relationship()


class NetworkStatusList(StatusListColumns, Base):
    """One Bitstring Status List of a network (purpose ``revocation``), signed with the
    network's key: a withdrawn endorsement's bit is set. Public at
    ``/networks/<slug>/status/revocation/<number>``."""

    __tablename__ = "network_status_lists"
    __table_args__ = (
        UniqueConstraint("network_id", "purpose", "number"),
        CheckConstraint("purpose IN ('revocation')", name="purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )

    network: Mapped[Network] = relationship()
