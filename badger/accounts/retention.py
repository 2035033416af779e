"""What the accounts domain lets ``badger purge`` delete, and what it erases of a participant
(hooks found by :mod:`badger.maintenance` through ``badger.DOMAINS``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from badger.accounts.models import ActionToken, LoginCode, LoginSession, Participant
from badger.accounts.sessions import purge_condition
from badger.maintenance import Purge, Retention


def purges(now: datetime, retention: Retention) -> list[Purge]:
    """Login codes and invitation / reset links expired more than ``after`` ago
    (``BADGER_RETENTION_CODES_DAYS``), used or not: nothing reads them any more (a login is
    audited and kept as ``last_login_at``; an invited person is sent a new link). Until then an
    old code still answers "expired"."""
    after = retention.codes
    cutoff = now - after
    return [
        Purge("accounts.login_codes", LoginCode, LoginCode.expires_at < cutoff),
        Purge("accounts.action_tokens", ActionToken, ActionToken.expires_at < cutoff),
        # Login sessions ended or idle that long ago: only the account page read them.
        Purge("accounts.sessions", LoginSession, purge_condition(now, after)),
    ]


def erase_participant(session: Session, participant: Participant) -> Mapping[str, int]:
    """The participant's login codes (their sessions end with the erasing request)."""
    session.execute(delete(LoginCode).where(LoginCode.participant_id == participant.id))
    return {}
