"""The participant's exits and follow-ups go with them (erasure), and are in their data export.
Nothing is purged by age: an exit is part of the journey, which stays until the person erases
their data (README, "Data retention")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from badger.accounts.models import Participant
from badger.maintenance import Purge, Retention
from badger.outcomes.models import ExitFollowUp, JourneyExit


def purges(now: datetime, retention: Retention) -> list[Purge]:
    return []


def erase_participant(session: Session, participant: Participant) -> Mapping[str, int]:
    ids = list(session.execute(
        select(JourneyExit.id).where(JourneyExit.participant_id == participant.id),
        execution_options={"unscoped": True}).scalars())
    if ids:
        session.execute(delete(ExitFollowUp).where(ExitFollowUp.exit_id.in_(ids)))
        session.execute(delete(JourneyExit).where(JourneyExit.id.in_(ids)))
    return {"outcome_exits": len(ids)}


def _situation(row: JourneyExit | ExitFollowUp) -> dict[str, Any]:
    return {"kind": row.kind, "contract": row.contract, "duration": row.duration,
            "qualifying": row.qualifying}


def export_participant(session: Session, participant: Participant) -> dict[str, Any]:
    """``outcomes.json`` of the data export: each exit, the answer, the follow-ups."""
    rows = session.execute(
        select(JourneyExit).where(JourneyExit.participant_id == participant.id)
        .options(selectinload(JourneyExit.follow_up_rows)).order_by(JourneyExit.id),
        execution_options={"unscoped": True}).scalars()
    return {"outcomes.json": [
        {"journey_id": r.journey_id, "exited_on": r.exited_on.isoformat(), **_situation(r),
         "consent": r.consent, "consent_at": r.consent_at.isoformat() if r.consent_at else None,
         "follow_ups_agreed": r.follow_ups,
         "follow_ups": [{"month": f.month, "recorded_on": f.recorded_on.isoformat(),
                         **_situation(f)} for f in r.follow_up_rows]}
        for r in rows]}
