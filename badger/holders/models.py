"""Identities a participant has proven, and the one-time challenges that prove them.

Minimum data: an e-mail address or phone number is kept only as a keyed hash (HMAC-SHA256 with
the app secret) of its normalised form, with a masked label (``+33 •••• 78``) so the person
recognises it; a DID is kept the same way. A challenge keeps only the HMAC of its code (or
nonce), expires, is single-use and counts wrong attempts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.accounts.models import Participant
from badger.db import Base, OrgScopedMixin, TimestampMixin, UTCDateTime

KIND_EMAIL = "email"
KIND_PHONE = "phone"
KIND_DID = "did"
KINDS = (KIND_PHONE, KIND_EMAIL, KIND_DID)


class ProvenIdentity(OrgScopedMixin, TimestampMixin, Base):
    """An e-mail, phone or DID the participant has shown to be theirs."""

    __tablename__ = "holder_identities"
    __table_args__ = (
        UniqueConstraint("participant_id", "kind", "value_hash"),
        CheckConstraint("kind IN ('email', 'phone', 'did')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    #: HMAC-SHA256 (hex) of "kind:normalised value" under the app secret; never the value.
    value_hash: Mapped[str] = mapped_column(String(64))
    #: What the person sees: a masked form (``a•••@e•••.fr``, ``+33 •••• 78``, a DID's ends).
    label: Mapped[str] = mapped_column(String(60))

    participant: Mapped[Participant] = relationship()


class IdentityChallenge(OrgScopedMixin, TimestampMixin, Base):
    """A code sent to an e-mail or phone, or a nonce a DID must sign; only HMACs are kept."""

    __tablename__ = "holder_challenges"
    __table_args__ = (CheckConstraint("kind IN ('email', 'phone', 'did')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    #: The identity being proven (HMAC, as in ProvenIdentity); NULL for a DID challenge (the
    #: DID is learnt from the signed presentation).
    value_hash: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(60))
    #: HMAC of the code or nonce, bound to this challenge's identity (not unique: two codes for
    #: the same number may be equal; a DID challenge is found by it, its nonce has 192 bits).
    secret_hash: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
