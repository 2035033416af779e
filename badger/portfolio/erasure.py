"""The participant's erasure: each domain's ``erase_participant`` hook, then the participant
row, then the audit record (counts only, no personal data)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from badger import audit, maintenance
from badger.accounts.models import Participant


def erase(db: Session, participant: Participant) -> None:
    """Delete the participant and everything of theirs, through every domain's erasure hook in
    :data:`badger.maintenance.ERASE_ORDER`: issued credentials are revoked first (their status
    bit stays set, so copies already handed out verify as revoked) and recorded as withdrawn at
    the holder's request (``badger.awards.retention``): badger's pages then say so, not that the
    issuer withdrew the badge; then charts, shares, imported badges, login codes, identities."""
    org_id = participant.organisation_id
    counts = maintenance.erase_participant(db, participant)
    participant_id = participant.id
    db.delete(participant)
    db.flush()
    # No personal data: the row id of a person who no longer exists, and counts.
    audit.record(
        db,
        "participant.erase",
        organisation_id=org_id,
        object_type="Participant",
        object_id=participant_id,
        **counts,
    )
    db.flush()
