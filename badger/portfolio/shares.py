"""Shares as consent: a share link shows only the items the participant chose, for as long as
they chose, until they stop it; its token is returned once and only its keyed hash is kept.
Views of a share are counted by date, once per visitor and day, remembering no visitor.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from badger import audit, cache
from badger.accounts.models import Participant
from badger.db import unscoped, utcnow
from badger.errors import UserError
from badger.portfolio.models import (
    ITEM_CHART,
    ITEM_CREDENTIAL,
    ITEM_IMPORTED,
    Share,
    ShareItem,
    ShareView,
)
from badger.portfolio.reading import my_credentials, my_imports, my_rounds
from badger.security import constant_time_equals, new_url_token, url_token_hash, url_token_hashes

MAX_SHARE_DAYS = 366
MAX_LABEL = 120


@dataclass
class NewShare:
    share: Share
    token: str


def _check_items(
    db: Session,
    participant: Participant,
    credential_ids: Iterable[int],
    round_ids: Iterable[int],
    imported_ids: Iterable[int],
) -> list[ShareItem]:
    items: list[ShareItem] = []
    creds = {c.id for c in my_credentials(db, participant)}
    rounds = {r.id for r in my_rounds(db, participant, shareable_only=True)}
    # an imported badge only when it was shown to be the participant's (badger.holders)
    imports = {i.id for i in my_imports(db, participant) if i.bound}
    position = 0
    for kind, wanted, allowed, attr in (
        (ITEM_CREDENTIAL, credential_ids, creds, "credential_id"),
        (ITEM_CHART, round_ids, rounds, "round_id"),
        (ITEM_IMPORTED, imported_ids, imports, "imported_id"),
    ):
        for ident in dict.fromkeys(wanted):
            if ident not in allowed:
                raise UserError(_l("Cet élément ne fait pas partie de votre portfolio."), 404)
            items.append(ShareItem(kind=kind, position=position, **{attr: ident}))
            position += 1
    if not items:
        raise UserError(_l("Choisissez au moins un badge ou un graphique à partager."), 422)
    return items


def create_share(
    db: Session,
    participant: Participant,
    *,
    label: str,
    days: int,
    credential_ids: Iterable[int] = (),
    round_ids: Iterable[int] = (),
    imported_ids: Iterable[int] = (),
    show_name: bool = False,
) -> NewShare:
    """A new share link; the token is returned once and only its keyed hash is kept."""
    label = " ".join(label.split())[:MAX_LABEL]
    if not label:
        raise UserError(_l("Donnez un nom au partage, par exemple « entretien boulangerie »."), 422)
    if not 1 <= days <= MAX_SHARE_DAYS:
        raise UserError(_l("La durée doit être entre 1 et %(n)d jours.", n=MAX_SHARE_DAYS), 422)
    items = _check_items(db, participant, credential_ids, round_ids, imported_ids)
    token = new_url_token()
    share = Share(
        organisation_id=participant.organisation_id,
        participant_id=participant.id,
        token_hash=url_token_hash(token),
        label=label,
        expires_at=utcnow() + timedelta(days=days),
        show_name=show_name,
        items=items,
    )
    db.add(share)
    db.flush()
    audit.record(
        db,
        "portfolio.share_create",
        actor=participant,
        organisation_id=participant.organisation_id,
        obj=share,
        items=len(items),
        days=days,
    )
    return NewShare(share, token)


def revoke_share(db: Session, share: Share) -> None:
    """Stop the link at once (its page answers 410 from the next request)."""
    if share.revoked_at is None:
        share.revoked_at = utcnow()
        audit.record(
            db,
            "portfolio.share_revoke",
            actor=share.participant,
            organisation_id=share.organisation_id,
            obj=share,
        )
    db.flush()


def new_token(db: Session, share: Share) -> str:
    """A fresh link for the same share (the old one stops working)."""
    if share.revoked_at is not None:
        raise UserError(_l("Ce partage est arrêté."), 409)
    token = new_url_token()
    share.token_hash = url_token_hash(token)
    audit.record(
        db,
        "portfolio.share_new_link",
        actor=share.participant,
        organisation_id=share.organisation_id,
        obj=share,
    )
    db.flush()
    return token


class ShareGone(UserError):
    """The link was revoked or has expired (410, neutral page)."""


def find_share(db: Session, token: str, *, items: bool = True) -> Share:
    """The live share for ``token``; unknown → 404, revoked or expired → 410. ``items``: load
    its items with it (False: on first use — the share page reads them only to render).

    The token must be the exact one issued: looked up by its keyed hash over the exact
    characters (no trimming, no case folding; unique index), then compared in constant time.
    Only a link made before exact matching, stored under the upper-cased hash, is still found
    by that hash until it expires.
    """
    if not 16 <= len(token) <= 64:
        raise UserError(_l("Ce lien n'existe pas."), 404)
    exact, legacy = url_token_hashes(token)
    with unscoped(db):
        query = select(Share).where(Share.token_hash.in_((exact, legacy)))
        if items:
            query = query.options(joinedload(Share.items))  # callers show them: one query
        shares = (
            db.execute(query.execution_options(unscoped=True))
            .unique()
            .scalars()
            .all()
        )
    share = next((s for s in shares if constant_time_equals(s.token_hash, exact)), None) or next(
        (s for s in shares if constant_time_equals(s.token_hash, legacy)), None
    )
    if share is None:
        raise UserError(_l("Ce lien n'existe pas."), 404)
    if share.revoked_at is not None or share.expires_at <= utcnow():
        raise ShareGone(
            _l("Ce lien a expiré ou a été retiré par la personne qui l'a partagé."), 410
        )
    return share


class ViewDeduplicator:
    """Tell a visitor's first view of a share today from their repeated ones, remembering no one.

    A visitor is a keyed hash of (share, client address, User-Agent) under a random salt of the
    UTC day: nothing is written to the database, the address is never kept, and once the day's
    salt is gone (the next day) its hashes cannot be recomputed. Salt and hashes live in
    :mod:`badger.cache` — this process's memory, or the instance's Redis when
    ``BADGER_REDIS_URL`` is set, so a repeated view counts once whichever process serves it —
    and expire at the end of the day. At most ``size`` visitors per day are remembered in
    memory (oldest forgotten first: they would count again).
    """

    def __init__(self, size: int = 100_000, today: Callable[[], date] | None = None) -> None:
        self.size = size
        self.today = today or (lambda: datetime.now(UTC).date())
        self._day: date | None = None
        self._salt = b""
        self._salts: cache.Cache[str] = cache.Cache("portfolio.share_view_salts", size=4,
                                                    ttl=None, register=False)
        self._visitors: cache.Cache[bool] = cache.Cache("portfolio.share_views_seen",
                                                        size=size, ttl=None, register=False)
        self._lock = threading.Lock()

    @property
    def _seen(self) -> list[bytes]:
        """The day's visitor hashes this process holds in memory (16 bytes each)."""
        prefix = f"{self._day}:"
        return [bytes.fromhex(k.removeprefix(prefix)) for k in self._visitors.local_keys()
                if k.startswith(prefix)]

    def _day_salt(self, day: date) -> bytes:
        """The day's salt, the same in every process (the first to ask draws it)."""
        left = _seconds_left(day)
        self._salts.add(day.isoformat(), secrets.token_hex(32), ttl=left + 60)
        salt = self._salts.get(day.isoformat())
        return bytes.fromhex(salt) if salt else secrets.token_bytes(32)

    def first_today(self, share_id: int, address: str, agent: str) -> bool:
        """True the first time this visitor opens this share today (then remembered)."""
        with self._lock:
            day = self.today()
            if day != self._day:
                self._day, self._salt = day, self._day_salt(day)
                self._visitors.clear_local()  # on Redis, yesterday's expire by themselves
            visitor = f"{share_id}\0{address}\0{agent}".encode("utf-8", "replace")
            digest = hmac.new(self._salt, visitor, hashlib.sha256).digest()[:16]
            return self._visitors.add(f"{day}:{digest.hex()}", True, ttl=_seconds_left(day))


def _seconds_left(day: date) -> float:
    """Seconds until ``day`` ends (UTC); a minute at least."""
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
    return max(60.0, (end - datetime.now(UTC)).total_seconds())


def view_deduplicator(app: Flask | None = None) -> ViewDeduplicator:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("badger.share_views")
    if found is None:
        found = app.extensions.setdefault("badger.share_views", ViewDeduplicator())
    return found


def record_view(
    db: Session, share: Share, visitor: tuple[str, str] | None = None, app: Flask | None = None
) -> bool:
    """Count one view (its date only). ``visitor``: (client address, User-Agent), used only to
    skip a repeated view by the same visitor the same day (see :class:`ViewDeduplicator`).
    Returns whether the view was counted."""
    if visitor is not None and not view_deduplicator(app).first_today(share.id, *visitor):
        return False
    db.add(ShareView(share_id=share.id, viewed_at=utcnow()))
    db.flush()
    return True
