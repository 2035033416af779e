"""Staff users, their roles, participants and one-time login codes."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.db import Base, OrgScopedMixin, TimestampMixin, UTCDateTime
from badger.networks.models import Network, Organisation


class Role(enum.StrEnum):
    """Per-organisation staff roles; an admin can do everything an assessor can."""

    ADMIN = "admin"
    ASSESSOR = "assessor"


class User(UserMixin, TimestampMixin, Base):
    """A staff account (coach, administrator). Logs in with e-mail and password."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored trimmed and lower-cased so look-ups are exact.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Argon2id hash; NULL until the invited person chooses a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Server administrator: creates networks and names their administrators (``/admin/server``,
    #: ``badger network create|add-admin``); made with ``badger create-server-admin``.
    server_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    network_roles: Mapped[list[NetworkAdmin]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    kind = "staff"

    def get_id(self) -> str:
        return f"u:{self.id}"

    @property
    def is_active(self) -> bool:
        return self.active and self.password_hash is not None

    def role_in(self, organisation_id: int) -> Role | None:
        for m in self.memberships:
            if m.organisation_id == organisation_id:
                return m.role
        return None

    def admin_network_ids(self) -> set[int]:
        return {r.network_id for r in self.network_roles}


class Membership(TimestampMixin, Base):
    """A staff user's role in one organisation."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()


class NetworkAdmin(TimestampMixin, Base):
    """A staff user who administers a network (publishes its référentiels, endorses members)."""

    __tablename__ = "network_admins"
    __table_args__ = (UniqueConstraint("user_id", "network_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="network_roles")
    network: Mapped[Network] = relationship()


class Participant(UserMixin, OrgScopedMixin, TimestampMixin, Base):
    """A person following a programme. May have no e-mail, no phone and no password.

    Only what the programme needs is kept: a display name chosen with the person, and
    optionally an e-mail or phone used solely to hash into credentials.
    """

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    locale: Mapped[str | None] = mapped_column(String(10))
    #: Easy-to-read mode (FALC texts, badger.i18n), chosen by the participant.
    easy_read: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()

    kind = "participant"

    def get_id(self) -> str:
        return f"p:{self.id}"

    @property
    def is_active(self) -> bool:
        return self.active


class LoginCode(OrgScopedMixin, TimestampMixin, Base):
    """A one-time code (or QR) a coach gives a participant; only its HMAC is stored."""

    __tablename__ = "login_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    participant: Mapped[Participant] = relationship()


class TokenPurpose(enum.StrEnum):
    INVITE = "invite"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a secret


class ActionToken(TimestampMixin, Base):
    """A single-use link for staff: invitation or password reset (only its HMAC is stored)."""

    __tablename__ = "action_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(Enum(TokenPurpose, native_enum=False, length=20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LoginSession(TimestampMixin, Base):
    """One signed-in browser of a staff member or a participant (``badger.accounts.sessions``).

    The browser's cookie carries a random token; only its HMAC is stored. A session ends at
    logout, when its person ends it from another device, when the password changes or a role
    is removed, after ``BADGER_SESSION_IDLE_MINUTES`` without a request and after
    ``BADGER_SESSION_MAX_HOURS`` in all. Only a short device label is kept (no address, no
    full user-agent)."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    device: Mapped[str] = mapped_column(String(80), default="")
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: Why it ended: logout, ended_elsewhere, password, role, inactive, replaced.
    end_reason: Mapped[str | None] = mapped_column(String(20))
