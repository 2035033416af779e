"""Server-side login sessions: a signed cookie alone is not a login.

The browser's (signed) Flask cookie carries ``_sid``, a random 256-bit token; the server keeps
one record per signed-in browser, found by the token's HMAC. A request is logged in only while
its record lives, so a cookie copied before logout is worth nothing afterwards. A record ends:

* at logout, or when its person ends it from another device (``/account/sessions``);
* when the person's password changes, a role is removed or changed, or the account is
  deactivated — whatever code path does it: a flush hook sees the change and ends every record
  of that person in the same transaction;
* after ``BADGER_SESSION_IDLE_MINUTES`` without a request, and ``BADGER_SESSION_MAX_HOURS``
  after it began, whatever the activity.

Logging in always starts a new record with a new token (the old one, if the browser had one,
ends): a token planted before login is useless after it.

The records live behind :class:`SessionStore`: :class:`DatabaseStore` (table
``login_sessions``, the default) or :class:`RedisStore` (when ``BADGER_REDIS_URL`` is set).
Every method receives the caller's database session: the database store writes in the caller's
transaction (so a password change and the end of its sessions commit together); the Redis store
writes at once (an end that outlives a rolled-back transaction errs on the safe side).

``check`` is the one method that commits: :func:`is_live` calls it, before the view runs, in a
short database session of its own (not the request's transaction), so noting the activity (at
most once a minute) or ending an idle session is saved whatever the view then answers — an
error page must not keep an idle session alive, nor roll back its end.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from flask import current_app, has_app_context, session
from flask_login import login_user, logout_user
from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session

from badger import db as dbmod
from badger.accounts.models import LoginSession, Membership, NetworkAdmin, Participant, User
from badger.i18n import EASY_READ_KEY

COOKIE_KEY = "_sid"
#: last_seen_at is written at most this often (one write a minute, not one per request).
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionInfo:
    """What the account page shows about one live session."""

    id: int
    device: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


class SessionStore(Protocol):
    """Where session records live; ``principal`` is ``"u:<id>"`` (staff) or ``"p:<id>"``."""

    def start(self, db: Session, principal: str, device: str) -> str:
        """Begin a session; return its token (in clear, for the cookie only)."""

    def check(self, db: Session, principal: str, token: str) -> bool:
        """True when ``token`` is a live session of ``principal`` (and note the activity);
        an idle or too old session is ended and refused."""

    def end(self, db: Session, token: str, reason: str) -> None:
        """End the session of this token (nothing when there is none)."""

    def end_one(self, db: Session, principal: str, session_id: int, reason: str) -> bool:
        """End one of ``principal``'s sessions by id; False when it is not theirs or not live."""

    def end_all(
        self, db: Session, principal: str, reason: str, *, keep_token: str | None = None
    ) -> int:
        """End every live session of ``principal`` (but ``keep_token``'s); how many ended."""

    def live(self, db: Session, principal: str, current_token: str | None) -> list[SessionInfo]:
        """``principal``'s live sessions, most recently active first."""


def _hash(token: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"session:" + token.encode(), hashlib.sha256).hexdigest()


def _owner(principal: str) -> tuple[str, int]:
    kind, _, raw = principal.partition(":")
    if kind not in {"u", "p"} or not raw.isdigit():
        raise ValueError(f"not a principal: {principal!r}")
    return ("user_id" if kind == "u" else "participant_id"), int(raw)


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (
        timedelta(minutes=int(config["BADGER_SESSION_IDLE_MINUTES"])),
        timedelta(hours=int(config["BADGER_SESSION_MAX_HOURS"])),
    )


class DatabaseStore:
    """Session records in the ``login_sessions`` table (see :class:`SessionStore`)."""

    def _of(self, principal: str) -> Any:
        column, ident = _owner(principal)
        return getattr(LoginSession, column) == ident

    def start(self, db: Session, principal: str, device: str) -> str:
        column, ident = _owner(principal)
        token = secrets.token_urlsafe(32)
        now = dbmod.utcnow()
        row = LoginSession(
            token_hash=_hash(token), device=device[:80], last_seen_at=now, created_at=now
        )
        setattr(row, column, ident)
        db.add(row)
        db.flush()
        return token

    def check(self, db: Session, principal: str, token: str) -> bool:
        """See :class:`SessionStore`. Commits ``db``: the short session :func:`is_live` opens
        for this check alone, never the request's (module docstring)."""
        row = db.execute(
            select(LoginSession).where(
                LoginSession.token_hash == _hash(token), self._of(principal)
            )
        ).scalar_one_or_none()
        if row is None or row.ended_at is not None:
            return False
        now = dbmod.utcnow()
        idle, longest = _limits()
        if now - row.last_seen_at > idle or now - row.created_at > longest:
            row.ended_at, row.end_reason = now, "idle"
            db.commit()
            return False
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
            db.commit()
        return True

    def end(self, db: Session, token: str, reason: str) -> None:
        db.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
            .values(ended_at=dbmod.utcnow(), end_reason=reason)
            .execution_options(synchronize_session=False)
        )

    def end_one(self, db: Session, principal: str, session_id: int, reason: str) -> bool:
        result: Any = db.execute(
            update(LoginSession)
            .where(
                LoginSession.id == session_id,
                self._of(principal),
                LoginSession.ended_at.is_(None),
            )
            .values(ended_at=dbmod.utcnow(), end_reason=reason)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)

    def end_all(
        self, db: Session, principal: str, reason: str, *, keep_token: str | None = None
    ) -> int:
        stmt = update(LoginSession).where(self._of(principal), LoginSession.ended_at.is_(None))
        if keep_token is not None:
            stmt = stmt.where(LoginSession.token_hash != _hash(keep_token))
        result: Any = db.execute(
            stmt.values(ended_at=dbmod.utcnow(), end_reason=reason).execution_options(
                synchronize_session=False
            )
        )
        return int(result.rowcount)

    def live(self, db: Session, principal: str, current_token: str | None) -> list[SessionInfo]:
        now = dbmod.utcnow()
        idle, longest = _limits()
        current = _hash(current_token) if current_token else None
        rows = db.scalars(
            select(LoginSession)
            .where(
                self._of(principal),
                LoginSession.ended_at.is_(None),
                LoginSession.last_seen_at >= now - idle,
                LoginSession.created_at >= now - longest,
            )
            .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
        ).all()
        return [
            SessionInfo(
                id=r.id,
                device=r.device,
                created_at=r.created_at,
                last_seen_at=r.last_seen_at,
                current=r.token_hash == current,
            )
            for r in rows
        ]


def get_store() -> SessionStore:
    store: SessionStore | None = None
    if has_app_context():
        store = current_app.extensions.get("badger.sessions")
    return store or DatabaseStore()


# --- the request side: log in, check, log out -------------------------------------------------


_BROWSERS = (
    ("Edg/", "Edge"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str | None) -> str:
    """A few words a person recognises (“Firefox, Android”): never the whole user-agent."""
    ua = (user_agent or "")[:512]
    browser = next((name for mark, name in _BROWSERS if mark in ua), "")
    system = next((name for mark, name in _SYSTEMS if re.search(re.escape(mark), ua)), "")
    return ", ".join(part for part in (browser, system) if part)


def log_in(db: Session, principal: Any, user_agent: str | None) -> None:
    """Start a fresh session for ``principal`` in this browser: the cookie is emptied (but the
    language), any session it carried ends, and a new token is issued. Easy-to-read mode chosen
    before login goes to a participant's profile. Caller commits."""
    store = get_store()
    old = session.get(COOKIE_KEY)
    if isinstance(old, str):
        store.end(db, old, "replaced")
    lang = session.get("lang")
    easy_read = session.get(EASY_READ_KEY)
    session.clear()
    if lang:
        session["lang"] = lang
    if isinstance(easy_read, bool) and hasattr(principal, "easy_read"):
        principal.easy_read = easy_read
    elif isinstance(easy_read, bool):
        session[EASY_READ_KEY] = easy_read  # staff: kept for this session only
    login_user(principal)
    session[COOKIE_KEY] = store.start(db, principal.get_id(), device_label(user_agent))


def log_out(db: Session, reason: str = "logout") -> None:
    """End this browser's session (server side too); keep only the language. Caller commits."""
    token = session.get(COOKIE_KEY)
    if isinstance(token, str):
        get_store().end(db, token, reason)
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def current_token() -> str | None:
    token = session.get(COOKIE_KEY)
    return token if isinstance(token, str) else None


def is_live(principal: Any) -> bool:
    """Whether this request's cookie belongs to a live session of ``principal`` (checked in a
    short database session of its own, so the activity note commits whatever the view does)."""
    token = current_token()
    if not token or not principal.is_active:
        return False
    with dbmod.get_db().session() as db:
        return get_store().check(db, principal.get_id(), token)


def forget() -> None:
    """Drop a refused login from the cookie (the language stays)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


# --- ending sessions when what they rest on changes -------------------------------------------


def _changed(obj: Any, attribute: str) -> bool:
    return bool(inspect(obj).attrs[attribute].history.has_changes())


@event.listens_for(Session, "before_flush")
def _end_on_change(db: Session, _context: Any, _instances: Any) -> None:
    """End every session of a person whose password changed, whose role was removed or changed,
    or whose account was deactivated, in the transaction that makes the change."""
    ended: dict[str, str] = {}
    for obj in db.deleted:
        if isinstance(obj, Membership | NetworkAdmin) and obj.user_id is not None:
            ended.setdefault(f"u:{obj.user_id}", "role")
    for obj in db.dirty:
        if isinstance(obj, User) and obj.id is not None:
            if _changed(obj, "password_hash"):
                ended[f"u:{obj.id}"] = "password"
            elif _changed(obj, "active") and not obj.active:
                ended.setdefault(f"u:{obj.id}", "inactive")
        elif isinstance(obj, Membership) and obj.user_id is not None and _changed(obj, "role"):
            ended.setdefault(f"u:{obj.user_id}", "role")
        elif (
            isinstance(obj, Participant)
            and obj.id is not None
            and _changed(obj, "active")
            and not obj.active
        ):
            ended.setdefault(f"p:{obj.id}", "inactive")
    if not ended or not has_app_context():
        return
    store = get_store()
    for principal, reason in ended.items():
        store.end_all(db, principal, reason)


def purge_condition(now: datetime, after: timedelta) -> Any:
    """Sessions that ended, or were last used, more than ``after`` ago (``badger purge``)."""
    cutoff = now - after
    return or_(LoginSession.ended_at < cutoff, LoginSession.last_seen_at < cutoff)


class RedisStore:
    """Session records in Redis (used when ``BADGER_REDIS_URL`` is set), for several processes
    or hosts sharing sessions without a table write per minute.

    One hash per session (``<prefix>t:<token hash>``: id, person, device, first and last
    activity), a set of token hashes per person and an id → token-hash key for the account
    page. Redis expires a record after the idle limit by itself; the limits are also checked on
    every request against ``badger.db.utcnow``, like the database store. Writes happen at once,
    not at the caller's commit: a session ended in a transaction that then rolls back stays
    ended, which is the safe side."""

    def __init__(self, url: str, prefix: str = "badger:session:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix

    def _record(self, digest: str) -> str:
        return f"{self.prefix}t:{digest}"

    def _index(self, principal: str) -> str:
        return f"{self.prefix}p:{principal}"

    def _by_id(self, session_id: int) -> str:
        return f"{self.prefix}id:{session_id}"

    def _ttl(self) -> int:
        idle, _longest = _limits()
        return int(idle.total_seconds()) + 60

    def start(self, db: Session, principal: str, device: str) -> str:
        _owner(principal)
        token = secrets.token_urlsafe(32)
        digest = _hash(token)
        session_id = int(self.redis.incr(f"{self.prefix}seq"))
        now = dbmod.utcnow().isoformat()
        pipe = self.redis.pipeline()
        pipe.hset(
            self._record(digest),
            mapping={
                "id": session_id,
                "principal": principal,
                "device": device[:80],
                "created": now,
                "last_seen": now,
            },
        )
        pipe.expire(self._record(digest), self._ttl())
        pipe.set(self._by_id(session_id), digest, ex=self._ttl())
        pipe.sadd(self._index(principal), digest)
        pipe.execute()
        return token

    def _end_digest(self, digest: str) -> bool:
        data: dict[str, str] = self.redis.hgetall(self._record(digest))  # type: ignore[assignment]
        if not data:
            return False
        pipe = self.redis.pipeline()
        pipe.delete(self._record(digest), self._by_id(int(data["id"])))
        pipe.srem(self._index(data["principal"]), digest)
        pipe.execute()
        return True

    def check(self, db: Session, principal: str, token: str) -> bool:
        digest = _hash(token)
        data: dict[str, str] = self.redis.hgetall(self._record(digest))  # type: ignore[assignment]
        if not data or data.get("principal") != principal:
            return False
        now = dbmod.utcnow()
        idle, longest = _limits()
        last_seen = datetime.fromisoformat(data["last_seen"])
        if now - last_seen > idle or now - datetime.fromisoformat(data["created"]) > longest:
            self._end_digest(digest)
            return False
        if now - last_seen >= TOUCH_EVERY:
            pipe = self.redis.pipeline()
            pipe.hset(self._record(digest), "last_seen", now.isoformat())
            pipe.expire(self._record(digest), self._ttl())
            pipe.expire(self._by_id(int(data["id"])), self._ttl())
            pipe.execute()
        return True

    def end(self, db: Session, token: str, reason: str) -> None:
        self._end_digest(_hash(token))

    def end_one(self, db: Session, principal: str, session_id: int, reason: str) -> bool:
        digest = self.redis.get(self._by_id(session_id))
        if not digest or self.redis.hget(self._record(str(digest)), "principal") != principal:
            return False
        return self._end_digest(str(digest))

    def end_all(
        self, db: Session, principal: str, reason: str, *, keep_token: str | None = None
    ) -> int:
        keep = _hash(keep_token) if keep_token else None
        ended = 0
        for digest in list(self.redis.smembers(self._index(principal))):
            if digest != keep and self._end_digest(str(digest)):
                ended += 1
            elif digest != keep:
                self.redis.srem(self._index(principal), digest)
        return ended

    def live(self, db: Session, principal: str, current_token: str | None) -> list[SessionInfo]:
        current = _hash(current_token) if current_token else None
        now = dbmod.utcnow()
        idle, longest = _limits()
        found = []
        for digest in list(self.redis.smembers(self._index(principal))):
            data: dict[str, str] = self.redis.hgetall(self._record(str(digest)))  # type: ignore[assignment]
            if not data:
                self.redis.srem(self._index(principal), digest)
                continue
            created = datetime.fromisoformat(data["created"])
            last_seen = datetime.fromisoformat(data["last_seen"])
            if now - last_seen > idle or now - created > longest:
                continue
            found.append(
                SessionInfo(
                    id=int(data["id"]),
                    device=data.get("device", ""),
                    created_at=created,
                    last_seen_at=last_seen,
                    current=digest == current,
                )
            )
        return sorted(found, key=lambda s: (s.last_seen_at, s.id), reverse=True)


def make_store(config: Any) -> SessionStore:
    """The store the settings ask for: Redis when ``BADGER_REDIS_URL`` is set, else the
    database."""
    url = config.get("BADGER_REDIS_URL")
    return RedisStore(str(url)) if url else DatabaseStore()
