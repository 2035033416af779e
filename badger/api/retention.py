"""What the OAuth domain lets ``badger purge`` (and its own token endpoint) delete: codes and
tokens a grace period after they stopped working (hook found by :mod:`badger.maintenance`
through ``badger.DOMAINS``). The token endpoint also purges by itself, at most every
:data:`PURGE_EVERY` (:func:`maybe_purge`); replay detection never loses a family it protects."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, exists, or_
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from badger.api.models import AccessToken, AuthorizationCode, RefreshToken
from badger.db import utcnow
from badger.maintenance import Purge, Retention
from badger.maintenance import run as run_purges

#: How long a code or token is kept after it stopped working (expired or revoked), then purged.
PURGE_AFTER = timedelta(days=7)
#: The token endpoint purges at most this often per process (no background thread).
PURGE_EVERY = timedelta(minutes=15)
_purge_lock = threading.Lock()


def _dead_access(t: Any, cutoff: datetime) -> ColumnElement[bool]:
    """Expired, or revoked, before ``cutoff`` (NULL-safe: never NULL for a live row)."""
    return or_(t.expires_at < cutoff, and_(t.revoked_at.is_not(None), t.revoked_at < cutoff))


def _dead_refresh(t: Any, cutoff: datetime, now: datetime) -> ColumnElement[bool]:
    """Expired before ``cutoff``; or revoked before it once its family has no live refresh
    token. A rotated token of a living family is kept until it expires, so presenting it again
    still revokes the family (replay detection)."""
    live = aliased(RefreshToken)
    family_alive = exists().where(
        live.code_id == t.code_id, live.revoked_at.is_(None), live.expires_at > now
    )
    return or_(
        t.expires_at < cutoff,
        and_(
            t.revoked_at.is_not(None),
            t.revoked_at < cutoff,
            or_(t.code_id.is_(None), ~family_alive),
        ),
    )


def purges(now: datetime, retention: Retention | None = None) -> list[Purge]:
    """What may be deleted at ``now``: dead access tokens, dead refresh tokens, then codes
    expired before the grace period whose every token goes too (a kept token's family is
    revoked through its code, so the code stays as long as one of them). The grace period is
    fixed (:data:`PURGE_AFTER`), not a retention setting: ``retention`` is not read (the token
    endpoint calls this without one, see :func:`maybe_purge`)."""
    cutoff = now - PURGE_AFTER
    a, r = aliased(AccessToken), aliased(RefreshToken)
    code = AuthorizationCode
    return [
        Purge("api.access_tokens", AccessToken, _dead_access(AccessToken, cutoff)),
        Purge("api.refresh_tokens", RefreshToken, _dead_refresh(RefreshToken, cutoff, now)),
        Purge(
            "api.codes",
            code,
            and_(
                code.expires_at < cutoff,
                ~exists().where(a.code_id == code.id, ~_dead_access(a, cutoff)),
                ~exists().where(r.code_id == code.id, ~_dead_refresh(r, cutoff, now)),
            ),
        ),
    ]


def purge_expired(
    db: Session, *, now: datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Delete (or count) dead codes and tokens; key → rows. Flushes, the caller commits."""
    return run_purges(db, purges(now or utcnow()), dry_run=dry_run)


def maybe_purge(db: Session, now: datetime | None = None) -> dict[str, int] | None:
    """Purge when tokens are issued, cheaply: at most once every :data:`PURGE_EVERY` per app
    and process, never two at once, in a savepoint of the request's transaction, so a failure
    (a lock, a deadlock) costs only the purge — tried again a period later — never the tokens
    being issued. None when skipped."""
    now = now or utcnow()
    state = current_app.extensions.setdefault("badger.api.purge", {})
    last = state.get("last")
    if last is not None and now - last < PURGE_EVERY:
        return None
    if not _purge_lock.acquire(blocking=False):
        return None
    try:
        state["last"] = now
        with db.begin_nested():
            counts = purge_expired(db, now=now)
    except SQLAlchemyError:
        current_app.logger.warning("OAuth purge failed; it runs again later", exc_info=True)
        return None
    finally:
        _purge_lock.release()
    if any(counts.values()):
        current_app.logger.info("OAuth purge: %s", counts)
    return counts
