"""What the holders domain lets ``badger purge`` delete (identity codes and DID challenges),
and what it erases of a participant (hooks found by :mod:`badger.maintenance` through
``badger.DOMAINS``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from badger.accounts.models import Participant
from badger.holders.models import IdentityChallenge, ProvenIdentity
from badger.maintenance import Purge, Retention


def purges(now: datetime, retention: Retention) -> list[Purge]:
    """Identity codes and DID challenges expired more than ``after`` ago
    (``BADGER_RETENTION_CODES_DAYS``), used or not: a proven identity is its own row."""
    after = retention.codes
    return [
        Purge("holders.challenges", IdentityChallenge, IdentityChallenge.expires_at < now - after)
    ]


def erase_participant(session: Session, participant: Participant) -> Mapping[str, int]:
    """The participant's codes, challenges and proven identities (keyed hashes only)."""
    participant_id = participant.id
    session.execute(
        delete(IdentityChallenge).where(IdentityChallenge.participant_id == participant_id)
    )
    session.execute(delete(ProvenIdentity).where(ProvenIdentity.participant_id == participant_id))
    return {}
