"""What the portfolio lets ``badger purge`` delete (dead share links) and what it erases of a
participant (shares, imported badges): hooks found by :mod:`badger.maintenance` through
``badger.DOMAINS``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from badger.accounts.models import Participant
from badger.maintenance import Purge, Retention
from badger.portfolio.models import ImportedCredential, Share


def purges(now: datetime, retention: Retention) -> list[Purge]:
    """Share links revoked or expired more than ``after`` ago (``BADGER_RETENTION_SHARES_DAYS``),
    with their items and view dates (deleted with them by the database); a live link stays
    whatever its age. The badges and charts a link showed are not touched."""
    after = retention.shares
    cutoff = now - after
    return [
        Purge(
            "portfolio.shares",
            Share,
            or_(Share.expires_at < cutoff, Share.revoked_at < cutoff),
        )
    ]


def erase_participant(session: Session, participant: Participant) -> Mapping[str, int]:
    """The participant's shares (their items and view dates go with them), then their imported
    badges (a share's item may point at one)."""
    session.execute(delete(Share).where(Share.participant_id == participant.id))
    session.execute(
        delete(ImportedCredential).where(ImportedCredential.participant_id == participant.id)
    )
    return {}
