"""Integrators (machines of one organisation that issue through the VC-API), their bearer
tokens and what they issued.

Secrets are never stored: client secrets and tokens are kept as keyed hashes
(:func:`badger.api.oauth.secret_hash`). Revoking a client kills its tokens at once (a token of a
revoked client never authenticates). An Open Badge issued this way holds a bit of the
organisation's revocation list (unique per list, like ``award_credentials``: the awards allocator
is told about these bits through ``register_taken_indexes``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from badger.awards.models import Achievement, StatusList
from badger.awards.status_lists import register_taken_indexes
from badger.db import Base, OrgScopedMixin, TimestampMixin, UTCDateTime


class IntegratorClient(OrgScopedMixin, TimestampMixin, Base):
    """An OAuth 2.0 confidential client (client credentials grant) of one organisation."""

    __tablename__ = "integrator_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IntegratorToken(OrgScopedMixin, TimestampMixin, Base):
    """An opaque bearer token of a client (short-lived; purged 7 days after it stopped)."""

    __tablename__ = "integrator_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("integrator_clients.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[IntegratorClient] = relationship()


class IssuedCredential(OrgScopedMixin, TimestampMixin, Base):
    """One credential signed through ``POST /credentials/issue`` (kept: it is the
    organisation's record, the idempotent answer to a repeated request, and for an Open Badge
    the owner of its status bit)."""

    __tablename__ = "integrator_credentials"
    __table_args__ = (
        UniqueConstraint("client_id", "idempotency_key"),
        UniqueConstraint("organisation_id", "badge_id"),
        UniqueConstraint("revocation_list_id", "revocation_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random, public only to staff pages (never in a URL outside /admin).
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("integrator_clients.id", ondelete="SET NULL"), index=True
    )
    #: The credential's ``id`` (may be absent).
    credential_id: Mapped[str | None] = mapped_column(String(2000))
    #: SHA-256 (hex) of an Open Badge's id: one record per id and organisation (NULL for other
    #: credentials). A digest, so the unique index holds any id (a long or non-ASCII URL).
    badge_id: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    #: SHA-256 of the canonical request, to tell a repeat from a different request.
    request_hash: Mapped[str] = mapped_column(String(64))
    open_badge: Mapped[bool] = mapped_column(Boolean, default=False)
    achievement_id: Mapped[int | None] = mapped_column(
        ForeignKey("award_achievements.id", ondelete="RESTRICT"), index=True
    )
    types: Mapped[str] = mapped_column(String(500), default="")
    signed_json: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revocation_list_id: Mapped[int | None] = mapped_column(
        ForeignKey("award_status_lists.id", ondelete="RESTRICT")
    )
    revocation_index: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    client: Mapped[IntegratorClient | None] = relationship()
    achievement: Mapped[Achievement | None] = relationship()
    revocation_list: Mapped[StatusList | None] = relationship()


def _taken_indexes(session: Session, list_id: int) -> list[int]:
    """The bits of list ``list_id`` that credentials issued through the VC-API own."""
    return [i for i in session.scalars(
        select(IssuedCredential.revocation_index)
        .where(IssuedCredential.revocation_list_id == list_id)
        .execution_options(unscoped=True)) if i is not None]


register_taken_indexes(_taken_indexes)
