"""The notification outbox and each recipient's choice of channel.

A recipient is a participant or a staff user (exactly one of the two columns is set). Both
tables follow the person: their rows go when the person is erased (foreign keys ``CASCADE``
and :mod:`badger.notifications.retention`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from badger.db import Base, TimestampMixin, UTCDateTime, utcnow

EMAIL, SMS, NONE = "email", "sms", "none"
CHANNELS = (EMAIL, SMS)

PENDING, SENT, FAILED, STOPPED = "pending", "sent", "failed", "stopped"

_ONE_RECIPIENT = "(participant_id IS NULL) <> (user_id IS NULL)"


class NotificationPreference(TimestampMixin, Base):
    """How one person wants to hear from badger: a channel and the one address for it.

    ``contact`` is the only copy of the address badger uses for messages: given here, on
    purpose, by the person (participants' proven phones and e-mails are kept as keyed hashes
    only, by ``badger.holders``, and cannot be written to). It is stored plain because it must
    be read to send, and kept minimal: one address, for the chosen channel only; choosing
    "none" or stopping deletes it, and so does erasing the person."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        CheckConstraint(_ONE_RECIPIENT, name="one_recipient"),
        CheckConstraint("channel in ('email', 'sms', 'none')", name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    channel: Mapped[str] = mapped_column(String(10), default=NONE)
    #: E-mail address (lower-cased) or phone number (E.164, ``+33…``); None with "none".
    contact: Mapped[str | None] = mapped_column(String(320))
    #: When the person stopped every message (a stop link or the page's button); None: on.
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Notification(Base):
    """One message in the outbox. Rendered at send time in ``language`` from ``kind`` and
    ``params``; the address is read from the recipient's preference at send time too, so a
    message never holds an address and a changed or stopped choice applies to queued ones."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(_ONE_RECIPIENT, name="one_recipient"),
        CheckConstraint(
            "status in ('pending', 'sent', 'failed', 'stopped')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(10))
    link: Mapped[str | None] = mapped_column(String(500))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(String(300))
    #: HMAC of the message's own stop link (the link itself is only in the message).
    stop_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
