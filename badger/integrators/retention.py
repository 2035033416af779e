"""What ``badger purge`` deletes of the integrators' rows: bearer tokens 7 days after they
expired or were revoked (they are dead then; the grace period only helps reading the logs).
Clients and issued credentials are kept: the organisation's record of what was signed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_

from badger.integrators.models import IntegratorToken
from badger.maintenance import Purge, Retention

PURGE_AFTER = timedelta(days=7)


def purges(now: datetime, retention: Retention | None = None) -> list[Purge]:
    cutoff = now - PURGE_AFTER
    t = IntegratorToken
    return [Purge("integrators.tokens", t, or_(
        t.expires_at < cutoff, and_(t.revoked_at.is_not(None), t.revoked_at < cutoff)))]
