"""OAuth 2.0 clients, authorization codes and tokens of the Open Badges API.

Credentials that apps push (``POST /credentials``) are kept as the portfolio's
``ImportedCredential``, beside the ones the participant imported by hand.

Secrets are never stored: client secrets, codes and tokens are kept as keyed hashes (see
:func:`badger.api.oauth.secret_hash`). Every code and token carries the participant it speaks
for and its organisation, so a bearer token can only ever reach that participant's data.

A *family* is everything issued from one authorization code (``code_id``): the first access and
refresh tokens and every rotated refresh. Replaying a used code or a rotated refresh token
revokes the whole family (RFC 6749 §4.1.2, OAuth 2.0 Security BCP §4.14).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.accounts.models import Participant
from badger.db import Base, OrgScopedMixin, TimestampMixin, UTCDateTime


class OAuthClient(TimestampMixin, Base):
    """An app registered through Dynamic Client Registration (RFC 7591). Not tied to one
    organisation: any participant of any organisation may connect it."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public identifier handed to the client (random, URL-safe).
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    client_name: Mapped[str] = mapped_column(String(200))
    client_uri: Mapped[str] = mapped_column(String(500))
    logo_uri: Mapped[str] = mapped_column(String(500))
    tos_uri: Mapped[str] = mapped_column(String(500))
    policy_uri: Mapped[str] = mapped_column(String(500))
    software_id: Mapped[str] = mapped_column(String(200))
    software_version: Mapped[str] = mapped_column(String(100))
    redirect_uris: Mapped[list[Any]] = mapped_column(default=list)
    #: Space-separated scopes the client may ask for.
    scope: Mapped[str] = mapped_column(Text)
    grant_types: Mapped[list[Any]] = mapped_column(default=list)
    contacts: Mapped[list[Any]] = mapped_column(default=list)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuthorizationCode(OrgScopedMixin, TimestampMixin, Base):
    """A single-use code (600 s) bound to a client, redirect URI, PKCE challenge and participant."""

    __tablename__ = "api_authorization_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("api_clients.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    redirect_uri: Mapped[str] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(Text)
    code_challenge: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[OAuthClient] = relationship()
    participant: Mapped[Participant] = relationship()


class _TokenColumns(OrgScopedMixin, TimestampMixin):
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccessToken(_TokenColumns, Base):
    """An opaque bearer token (3600 s) for one participant and one client."""

    __tablename__ = "api_access_tokens"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("api_clients.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    code_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_authorization_codes.id", ondelete="SET NULL"), index=True
    )
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[OAuthClient] = relationship()
    participant: Mapped[Participant] = relationship()


class RefreshToken(_TokenColumns, Base):
    """A refresh token; rotated on every use (the old one is revoked)."""

    __tablename__ = "api_refresh_tokens"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("api_clients.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    code_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_authorization_codes.id", ondelete="SET NULL"), index=True
    )

    client: Mapped[OAuthClient] = relationship()
