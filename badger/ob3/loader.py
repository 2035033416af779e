"""Offline JSON-LD document loader for pyld.

Why: a verifier must never let a credential make the server fetch arbitrary URLs, and
signatures must not depend on what a remote host serves today. Only the contexts bundled in
``badger/ob3/contexts`` (mapped by ``INDEX.json``) and an optional injected mapping are served;
anything else raises :class:`ContextNotFoundError`.

pyld resolves remote contexts through a ``ContextResolver``; when the loader marks documents with
``tag: 'static'`` the resolver keeps the resolved context (and, inside it, the processed active
contexts) in a shared cache. Each :class:`OfflineLoader` owns such a cache, so reusing one loader
makes repeated canonicalisation several times faster (PITFALLS 5) without touching pyld's
process-wide cache.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from collections.abc import Mapping
from importlib import resources
from typing import Any

from cachetools import LRUCache
from pyld.context_resolver import ContextResolver

__all__ = [
    "ContextNotFoundError",
    "OfflineLoader",
    "bundled_context_urls",
    "default_loader",
    "load_bundled_context",
]

_PACKAGE = "badger.ob3.contexts"


class ContextNotFoundError(LookupError):
    """A JSON-LD document or context was requested that is not bundled (never fetched)."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"JSON-LD context {url!r} is not available offline; only bundled contexts "
            "(badger/ob3/contexts/INDEX.json) or explicitly injected documents are allowed"
        )
        self.url = url


@functools.cache
def _index() -> dict[str, str]:
    text = resources.files(_PACKAGE).joinpath("INDEX.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise TypeError("INDEX.json must be an object")
    return {str(k): str(v) for k, v in data.items()}


@functools.cache
def _bundled_text(filename: str) -> str:
    return resources.files(_PACKAGE).joinpath(filename).read_text(encoding="utf-8")


def bundled_context_urls() -> frozenset[str]:
    """URLs of every bundled context."""
    return frozenset(_index())


def load_bundled_context(url: str) -> dict[str, Any]:
    """Return a fresh parsed copy of a bundled context document."""
    try:
        filename = _index()[url]
    except KeyError:
        raise ContextNotFoundError(url) from None
    doc = json.loads(_bundled_text(filename))
    if not isinstance(doc, dict):
        raise TypeError(f"bundled context {filename} is not a JSON object")
    return doc


class _LockedCache:
    """A small LRU cache safe to share between threads (one lock around each call)."""

    def __init__(self, maxsize: int) -> None:
        self._data: LRUCache[Any, Any] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            return self._data.get(key)

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value


class OfflineLoader:
    """A pyld ``documentLoader`` that serves bundled contexts and injected documents only.

    Instances are callables with pyld's loader signature. Use :meth:`options` to get the pyld
    options that also carry this loader's long-lived context cache.
    """

    def __init__(
        self,
        extra: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        cache_size: int = 128,
    ) -> None:
        self._extra: dict[str, dict[str, Any]] = {
            str(url): copy.deepcopy(dict(doc)) for url, doc in (extra or {}).items()
        }
        self._docs: dict[str, dict[str, Any]] = {}
        for url in _index():
            self._docs[url] = load_bundled_context(url)
        self._docs.update(self._extra)
        # Shared between the ContextResolvers created by options(); holds ResolvedContext
        # objects whose own caches keep the processed active contexts.
        self._resolved_cache: LRUCache[str, Any] = LRUCache(maxsize=cache_size)
        # a handful of entries in practice (one per type-scoped context met); bounded for
        # documents that bring their own contexts
        self._scoped = _LockedCache(maxsize=cache_size * 2)

    def __repr__(self) -> str:
        return f"OfflineLoader(urls={len(self._docs)}, injected={sorted(self._extra)!r})"

    def urls(self) -> frozenset[str]:
        """Every URL this loader can serve."""
        return frozenset(self._docs)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        doc = self._docs.get(url)
        if doc is None:
            raise ContextNotFoundError(url)
        return {
            "contextUrl": None,
            "documentUrl": url,
            # pyld rewrites relative @context URLs in place: hand out a copy.
            "document": copy.deepcopy(doc),
            "tag": "static",
        }

    def scoped_context_cache(self) -> _LockedCache:
        """Processed non-propagating (type-scoped) contexts, for :mod:`badger.ob3.jsonld`."""
        return self._scoped

    def options(self, **overrides: Any) -> dict[str, Any]:
        """pyld options for one operation: this loader, its cache, ``base=None`` (PITFALLS 2)."""
        opts: dict[str, Any] = {
            "documentLoader": self,
            "contextResolver": ContextResolver(self._resolved_cache, self),
            "base": None,
        }
        opts.update(overrides)
        return opts


@functools.cache
def default_loader() -> OfflineLoader:
    """The process-wide loader over bundled contexts only (immutable data, cached contexts)."""
    return OfflineLoader()
