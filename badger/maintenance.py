"""Housekeeping: delete rows whose use has passed long ago (``badger purge``).

Each domain says what it may delete (:class:`Purge`: a table and a WHERE clause, in its own
``purges(now)``); this module counts or deletes them, in the order given, in the caller's
transaction (flush only, the caller commits). What is purged, and what never is:

* **OAuth codes and tokens** (``badger.api.service.purges``): access tokens expired or revoked
  more than ``PURGE_AFTER`` (7 days) ago; refresh tokens expired that long ago, or revoked that
  long ago once nothing of their family is alive (a rotated refresh token of a living family
  stays until it expires, so replaying it still revokes the family); authorization codes
  expired that long ago once no token issued from them is kept (the family hangs on the code).
  The token endpoint also runs this part by itself, at most every ``PURGE_EVERY`` (15 min).
* **Participants' login codes and staff invitation / password-reset links**
  (``badger.accounts.service.purges``): expired more than 30 days ago, used or not. Nothing
  reads them afterwards (a login is audited and kept as ``last_login_at``; an invited person
  can be sent a new link); until then an old code still says "expired" rather than "unknown".
* **Share links are kept**: the participant's list of shares is their record of whom they
  showed what, with its view counter, and part of their data export; an old link keeps
  answering "expired or withdrawn" (410) rather than "unknown". The participant erases them
  with their data.
* **Claim codes are kept**: at most one per credential (they do not pile up); a pending one
  lets the person hear "expired, ask your coach" and the coach renew it, a redeemed one records
  how the badge was bound.
* **Credentials, validated competences, imported badges and audit events are never purged.**
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from badger.db import utcnow


@dataclass(frozen=True)
class Purge:
    """Rows of ``model`` matching ``where`` may go. ``key`` names them (``api.codes``…)."""

    key: str
    model: type[Any]
    where: ColumnElement[bool]


#: What ``badger purge`` (``badger/api/cli.py``) prints for each key (French).
LABELS = {
    "api.access_tokens": "jetons d'accès OAuth",
    "api.refresh_tokens": "jetons de renouvellement OAuth",
    "api.codes": "codes d'autorisation OAuth",
    "accounts.login_codes": "codes de connexion des participants",
    "accounts.action_tokens": "liens d'invitation et de réinitialisation (équipe)",
}


def run(db: Session, purges: Iterable[Purge], *, dry_run: bool = False) -> dict[str, int]:
    """Delete (or, with ``dry_run``, only count) each purge's rows, in order; key → rows.

    Each WHERE must give the same answer whether or not the earlier purges ran (say "no kept
    token", not "no token", as the OAuth codes do), so a dry run counts exactly what a real run
    deletes."""
    counts: dict[str, int] = {}
    for p in purges:
        if dry_run:
            n = db.scalar(
                select(func.count())
                .select_from(p.model)
                .where(p.where)
                .execution_options(unscoped=True)
            )
        else:
            result = db.execute(
                delete(p.model).where(p.where).execution_options(synchronize_session=False)
            )
            n = result.rowcount  # type: ignore[attr-defined]
        counts[p.key] = counts.get(p.key, 0) + int(n or 0)
    if not dry_run:
        db.flush()
    return counts


def purge(db: Session, *, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Every domain's purge (see the module docstring for what goes and what stays)."""
    from badger.accounts import service as accounts
    from badger.api import service as api

    now = now or utcnow()
    return run(db, [*api.purges(now), *accounts.purges(now)], dry_run=dry_run)
