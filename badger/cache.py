"""Shared state with an explicit policy: every cache of badger is a named :class:`Cache`.

A cache declares its name, its bound (``size`` entries), its ``ttl`` (seconds; None: kept until
pushed out) and how its values become JSON (``codec``). Its caller keys it on what the value is
derived from — a row version (``updated_at``), a content digest, a status-list digest — so a
stale entry is never met, whichever process wrote it: a change makes a new key, and the TTL
only bounds what is kept.

Where the entries live:

* in this process's memory by default: a thread-safe LRU of ``size`` entries, each expiring
  after ``ttl`` (``clock``: seconds, monotonic; tests may move it). Values are kept as they
  are (no copy, no serialisation): treat them as read-only.
* in Redis when ``BADGER_REDIS_URL`` is set (the app's setting, else the environment variable
  outside an app): every process and machine of one instance sees the same entries. Values
  are stored as JSON through the cache's codec — never pickle: that Redis is trusted as the
  session store is (rendered fragments come back from it), but what a bug or an intruder
  writes there must not run code in this process; keys are ``<prefix><name>:<sha256 of the key>``
  where the prefix (``BADGER_REDIS_PREFIX``, by default ``badger:`` + a digest of
  ``BADGER_BASE_URL``) keeps two instances sharing a Redis apart. Every entry carries an
  expiry (``ttl``, or a day when the cache has none); the bound is Redis's ``maxmemory`` with
  an LRU policy (see the README, "Running on several machines").

Besides get / set / delete, :meth:`Cache.incr` counts within a window that starts at the first
count (rate limits: :class:`CacheStorage` is the ``limits`` storage Flask-Limiter uses, so a
login limit counts across processes), and :meth:`Cache.add` stores only when absent (a view
counted once whichever process served it).

What stays process-local on purpose, outside this module:

* pure, immutable data derived from what ships with the code — the bundled JSON-LD contexts
  and schemas (``badger.ob3.loader``, ``badger.ob3.schema``), the CASE schema validators
  (``badger.referentiels.case``), compiled regexes, fonts (``badger.awards.images``,
  ``badger.grids.charts``), translated check texts by locale (``badger.verification.messages``).
  They never change while the process lives, so no other process can disagree with them;
* the decrypted signing keys (``badger.keystore``, keyed on the key files' fingerprint): key
  material never leaves the process;
* two per-app throttles whose per-process copy is harmless: the trusted remote registries
  (refetched by each process at most every ``BADGER_REGISTRY_TTL``) and the OAuth purge (run at
  most once a period per process; purging is idempotent).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import threading
import time
import types
import typing
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import redis
from flask import Flask, current_app, has_app_context
from limits.storage import Storage

V = TypeVar("V")

#: Expiry of Redis entries of a cache that declares no TTL (one day).
DEFAULT_REDIS_TTL = 86_400.0

_REDIS_EXTENSION = "badger.cache_redis"


# --------------------------------------------------------------------------- codecs


@dataclasses.dataclass(frozen=True)
class Codec(Generic[V]):
    """How a value becomes JSON for Redis and back (``dumps`` gives JSON-able data)."""

    dumps: Callable[[V], Any]
    loads: Callable[[Any], V]


def _same(value: Any) -> Any:
    return value


#: Values that are already JSON (dicts, lists, strings, numbers).
JSON: Codec[Any] = Codec(_same, _same)


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


def _decode(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _decode(options[0], data) if len(options) == 1 else data
    if origin is list:
        (item,) = typing.get_args(kind) or (Any,)
        return [_decode(item, v) for v in data]
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in data)
        return tuple(_decode(a, v) for a, v in zip(args, data, strict=True))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{f.name: _decode(hints[f.name], data[f.name])
                       for f in dataclasses.fields(kind) if f.name in data})
    if kind is datetime:
        return datetime.fromisoformat(data)
    if kind is date:
        return date.fromisoformat(data)
    if kind is bytes:
        return base64.b64decode(data)
    return data


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(kind: type) -> dict[str, Any]:
    found = _HINTS.get(kind)
    if found is None:
        found = _HINTS[kind] = typing.get_type_hints(kind)
    return found


def typed(kind: Any) -> Codec[Any]:
    """A codec for values of type ``kind``: dataclasses (nested, by their type hints), lists,
    tuples, optionals, datetimes, dates, bytes (base64) and plain JSON values."""
    return Codec(_encode, lambda data: _decode(kind, data))


# --------------------------------------------------------------------------- stores


class _Memory:
    """One cache's entries in this process: an LRU of (expiry, value), under one lock."""

    def __init__(self) -> None:
        self.data: OrderedDict[str, tuple[float | None, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def live(self, key: str, now: float) -> tuple[float | None, Any] | None:
        item = self.data.get(key)
        if item is not None and item[0] is not None and item[0] <= now:
            del self.data[key]
            return None
        return item


class RedisStore:
    """A Redis client and the key prefix of this badger instance."""

    def __init__(self, url: str, prefix: str) -> None:
        self.client = redis.Redis.from_url(url)
        self.prefix = prefix

    def key(self, name: str, key: str) -> str:
        return f"{self.prefix}{name}:{hashlib.sha256(key.encode()).hexdigest()}"


def instance_prefix(config: typing.Mapping[str, Any]) -> str:
    """The Redis key prefix of an instance: its setting, else one derived from its base URL."""
    prefix = config.get("BADGER_REDIS_PREFIX")
    if prefix:
        return str(prefix)
    base = str(config.get("BADGER_BASE_URL") or "")
    return f"badger:{hashlib.sha256(base.encode()).hexdigest()[:10]}:"


def redis_store(app: Flask) -> RedisStore | None:
    """The app's Redis store (made once per app), or None when it has no ``BADGER_REDIS_URL``."""
    found = app.extensions.get(_REDIS_EXTENSION, False)
    if found is False:
        url = app.config.get("BADGER_REDIS_URL")
        found = RedisStore(str(url), instance_prefix(app.config)) if url else None
        app.extensions[_REDIS_EXTENSION] = found
    return typing.cast("RedisStore | None", found)


_ENV_STORE: list[RedisStore | None] = []


def _current_store() -> RedisStore | None:
    if has_app_context():
        return redis_store(current_app._get_current_object())  # type: ignore[attr-defined]
    if not _ENV_STORE:
        url = os.environ.get("BADGER_REDIS_URL")
        _ENV_STORE.append(RedisStore(url, instance_prefix(os.environ)) if url else None)
    return _ENV_STORE[0]


# --------------------------------------------------------------------------- the cache

#: Every named cache of the process, by name (names are unique).
CACHES: dict[str, Cache[Any]] = {}


class Cache(Generic[V]):
    """A named cache with its policy; see the module docstring.

    ``store``: a fixed Redis store (else the current app's, when it has one); ``register``:
    False for caches made per object (the rate limiter's), which are not listed in
    :data:`CACHES`.
    """

    def __init__(self, name: str, *, size: int, ttl: float | None,
                 codec: Codec[V] = JSON, clock: Callable[[], float] = time.monotonic,
                 store: RedisStore | None = None, register: bool = True) -> None:
        self.name = name
        self.size = size
        self.ttl = ttl
        self.codec = codec
        self.clock = clock
        self._fixed = store
        self._memory = _Memory()
        if register:
            if name in CACHES:
                raise ValueError(f"a cache is already named {name!r}")
            CACHES[name] = self

    def __repr__(self) -> str:
        return f"Cache({self.name!r}, size={self.size}, ttl={self.ttl})"

    def _redis(self) -> RedisStore | None:
        return self._fixed or _current_store()

    def _seconds(self, ttl: float | None) -> float | None:
        return self.ttl if ttl is None else ttl

    def _redis_ms(self, ttl: float | None) -> int:
        seconds = self._seconds(ttl)
        return max(1, int((seconds if seconds is not None else DEFAULT_REDIS_TTL) * 1000))

    # ---- get / set / delete

    def get(self, key: str) -> V | None:
        """The value under ``key``, or None (absent or expired)."""
        redis = self._redis()
        if redis is not None:
            raw = redis.client.get(redis.key(self.name, key))
            return None if raw is None else self.codec.loads(json.loads(raw))
        with self._memory.lock:
            item = self._memory.live(key, self.clock())
            if item is None:
                return None
            self._memory.data.move_to_end(key)
            return typing.cast("V", item[1])

    def set(self, key: str, value: V, ttl: float | None = None) -> None:
        """Keep ``value`` under ``key`` for ``ttl`` seconds (default: the cache's TTL)."""
        redis = self._redis()
        if redis is not None:
            redis.client.set(redis.key(self.name, key), self._dumps(value),
                             px=self._redis_ms(ttl))
            return
        self._put(key, value, ttl)

    def _dumps(self, value: V) -> str:
        return json.dumps(self.codec.dumps(value), separators=(",", ":"))

    def _put(self, key: str, value: Any, ttl: float | None) -> None:
        seconds = self._seconds(ttl)
        with self._memory.lock:
            now = self.clock()
            self._memory.data[key] = (None if seconds is None else now + seconds, value)
            self._memory.data.move_to_end(key)
            while len(self._memory.data) > self.size:
                self._memory.data.popitem(last=False)

    def delete(self, key: str) -> None:
        redis = self._redis()
        if redis is not None:
            redis.client.delete(redis.key(self.name, key))
            return
        with self._memory.lock:
            self._memory.data.pop(key, None)

    def get_or_set(self, key: str, make: Callable[[], V]) -> V:
        """The value under ``key``, made by ``make`` and kept when absent."""
        found = self.get(key)
        if found is None:
            found = make()
            self.set(key, found)
        return found

    # ---- counters and de-duplication

    def add(self, key: str, value: V, ttl: float | None = None) -> bool:
        """Keep ``value`` only if ``key`` holds nothing; True when it was added (one process
        wins, whichever asks first)."""
        redis = self._redis()
        if redis is not None:
            return bool(redis.client.set(redis.key(self.name, key), self._dumps(value),
                                         px=self._redis_ms(ttl), nx=True))
        with self._memory.lock:
            if self._memory.live(key, self.clock()) is not None:
                return False
        self._put(key, value, ttl)
        return True

    def incr(self, key: str, ttl: float, amount: int = 1) -> int:
        """Add ``amount`` to the counter ``key`` and return it; a new counter expires ``ttl``
        seconds after its first count (a fixed window)."""
        redis = self._redis()
        if redis is not None:
            name = redis.key(self.name, key)
            pipe = redis.client.pipeline()
            pipe.set(name, 0, px=max(1, int(ttl * 1000)), nx=True)
            pipe.incrby(name, amount)
            return int(pipe.execute()[1])
        with self._memory.lock:
            now = self.clock()
            item = self._memory.live(key, now)
            expires, count = item if item is not None else (now + ttl, 0)
            self._memory.data[key] = (expires, int(count) + amount)
            self._memory.data.move_to_end(key)
            while len(self._memory.data) > self.size:
                self._memory.data.popitem(last=False)
            return int(count) + amount

    def expires_in(self, key: str) -> float | None:
        """Seconds ``key`` has left (None: absent, or no expiry)."""
        redis = self._redis()
        if redis is not None:
            left = int(redis.client.pttl(redis.key(self.name, key)))
            return left / 1000 if left >= 0 else None
        with self._memory.lock:
            item = self._memory.live(key, self.clock())
            return None if item is None or item[0] is None else item[0] - self.clock()

    # ---- whole cache

    def clear(self) -> None:
        """Forget every entry (on Redis: this cache's keys of this instance)."""
        redis = self._redis()
        if redis is not None:
            names = list(redis.client.scan_iter(match=f"{redis.prefix}{self.name}:*",
                                                count=500))
            if names:
                redis.client.delete(*names)
        with self._memory.lock:
            self._memory.data.clear()

    def clear_local(self) -> None:
        """Forget what this process holds in memory (entries in Redis stay)."""
        with self._memory.lock:
            self._memory.data.clear()

    def local_keys(self) -> Iterator[str]:
        """The keys this process holds in memory (none when on Redis): for tests."""
        with self._memory.lock:
            return iter(list(self._memory.data))


def clear_all() -> None:
    """Forget every named cache (benchmarks, tests)."""
    for cache in CACHES.values():
        cache.clear()


# --------------------------------------------------------------------------- rate limits


class CacheStorage(Storage):
    """The ``limits`` storage of Flask-Limiter (``RATELIMIT_STORAGE_URI = "badger-cache://"``):
    counters of a :class:`Cache`, in memory or, with ``redis_url`` (``RATELIMIT_STORAGE_OPTIONS``,
    set from ``BADGER_REDIS_URL``), in Redis — so a login limit counts across every process.
    Each app gets its own storage object (Flask-Limiter makes one per ``init_app``)."""

    STORAGE_SCHEME = ["badger-cache"]  # noqa: RUF012 - the attribute limits reads

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:
        url = options.get("redis_url")
        store = RedisStore(str(url), str(options.get("prefix") or "badger:")) if url else None
        self.counters: Cache[int] = Cache("ratelimit", size=100_000, ttl=None, store=store,
                                          register=False)
        self.memory_only = store is None
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return (OSError, ValueError) if self.memory_only else _redis_errors()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self.counters.incr(key, float(expiry), amount)

    def get(self, key: str) -> int:
        value = self.counters.get(key)
        return int(value) if value is not None else 0

    def get_expiry(self, key: str) -> float:
        left = self.counters.expires_in(key)
        return time.time() + (left if left is not None else 0.0)

    def check(self) -> bool:
        if self.memory_only:
            return True
        redis = self.counters._fixed
        try:
            return bool(redis is not None and redis.client.ping())
        except _redis_errors():
            return False

    def reset(self) -> int | None:
        self.counters.clear()
        return None

    def clear(self, key: str) -> None:
        self.counters.delete(key)


def _redis_errors() -> tuple[type[Exception], ...]:
    return (redis.RedisError, OSError)
