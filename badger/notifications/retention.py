"""What the notifications domain lets ``badger purge`` delete, and what it erases of a
participant (hooks found by :mod:`badger.maintenance` through ``badger.DOMAINS``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from badger.accounts.models import Participant
from badger.maintenance import Purge, Retention
from badger.notifications.models import (
    FAILED,
    SENT,
    STOPPED,
    Notification,
    NotificationPreference,
)


def purges(now: datetime, retention: Retention) -> list[Purge]:
    """Messages sent, failed or stopped, queued more than ``BADGER_RETENTION_NOTIFICATIONS_DAYS``
    ago (with their stop links); a message still waiting stays."""
    cutoff = now - retention.notifications
    return [Purge("notifications.messages", Notification,
                  Notification.status.in_((SENT, FAILED, STOPPED))
                  & (Notification.created_at < cutoff))]


def erase_participant(session: Session, participant: Participant) -> Mapping[str, int]:
    """The participant's messages and their choice (with the address they gave)."""
    pid = participant.id
    session.execute(delete(Notification).where(Notification.participant_id == pid))
    session.execute(
        delete(NotificationPreference).where(NotificationPreference.participant_id == pid))
    return {}
