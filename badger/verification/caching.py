"""Verification for pages that show the same credentials again and again (portfolio, share
pages, a public credential's page): reports kept by input digest (:class:`ReportCache`), each
URL fetched once per page (:class:`MemoResolver`), and :func:`verify_cached`, whose key changes
when a status list the credential depends on changes."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from badger import cache
from badger.ob3 import Resolver, VerificationReport, safejson, verify_credential
from badger.ob3.dataintegrity import parse_datetime
from badger.ob3.resolver import ResolutionError
from badger.verification.trust import with_registry_check


class ReportCache:
    """Reports by input digest, for pages that show the same credentials again and again.

    With :func:`verify_cached`'s default the key includes the digest of every status list the
    credential points to (fetched fresh by the caller), so a revocation changes the key and the
    badge is verified again at once; with ``fresh_status=False`` nothing is fetched while the
    entry lives, and ``ttl`` bounds how late a revocation shows. ``clock``: seconds, monotonic.
    The reports are kept in a :class:`badger.cache.Cache` (shared by every process on Redis).
    """

    def __init__(
        self,
        ttl: float = 120.0,
        size: int = 2048,
        clock: Callable[[], float] = time.monotonic,
        *,
        name: str = "verification.reports",
        register: bool = False,
    ) -> None:
        """``name``: its :class:`badger.cache.Cache` (``register``: listed in
        :data:`badger.cache.CACHES`, for one module-level cache of that name)."""
        self._cache: cache.Cache[VerificationReport] = cache.Cache(
            name, size=size, ttl=ttl, codec=cache.typed(VerificationReport), clock=clock,
            register=register)

    @property
    def ttl(self) -> float:
        return float(self._cache.ttl or 0)

    @property
    def size(self) -> int:
        return self._cache.size

    @property
    def clock(self) -> Callable[[], float]:
        return self._cache.clock

    @clock.setter
    def clock(self, value: Callable[[], float]) -> None:
        self._cache.clock = value

    def get(self, key: str) -> VerificationReport | None:
        return self._cache.get(key)

    def put(self, key: str, report: VerificationReport) -> None:
        self._cache.set(key, report)

    def clear(self) -> None:
        self._cache.clear()


def _digest(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()


class MemoResolver:
    """Wraps a resolver for one page render: each URL fetched at most once."""

    def __init__(self, inner: Resolver) -> None:
        self.inner = inner
        self._seen: dict[str, dict[str, Any] | ResolutionError] = {}
        self._seeded: dict[str, str] = {}
        self._digests: dict[str, str] = {}
        #: status-list proof results of this page (see ``verify_credential(list_proofs=)``)
        self.list_proofs: dict[str, Any] = {}
        #: embedded endorsements verified on this page, by digest: the network endorsement every
        #: badge of an issuer embeds is checked once per page, and again on the next page (see
        #: ``verify_credential(endorsement_reports=)``)
        self.endorsement_reports: dict[str, VerificationReport] = {}

    def seed(self, url: str, text: str, etag: str) -> None:
        """Answer ``url`` with ``text``: what this server serves there, read by the caller in its
        own database session (no request in process, no second connection). ``etag``, which
        changes exactly when the document does, is its digest: the text is parsed only if a
        verification reads it (a page whose reports are all cached never does)."""
        self._seen.pop(url, None)
        self._seeded[url] = text
        self._digests[url] = f"etag:{etag}"

    def fetch_json(self, url: str) -> dict[str, Any]:
        if url not in self._seen:
            if url in self._seeded:
                try:
                    value = json.loads(self._seeded[url])
                except ValueError:
                    value = None
                self._seen[url] = (
                    value
                    if isinstance(value, dict)
                    else ResolutionError(f"{url} is not a JSON object")
                )
            else:
                try:
                    self._seen[url] = self.inner.fetch_json(url)
                except ResolutionError as exc:
                    self._seen[url] = exc
        value = self._seen[url]
        if isinstance(value, ResolutionError):
            raise value
        return json.loads(json.dumps(value))

    def digest(self, url: str) -> str:
        """A digest of the document at ``url`` (computed once per page)."""
        if url not in self._digests:
            try:
                self._digests[url] = _digest(self.fetch_json(url))
            except ResolutionError:
                self._digests[url] = "unreachable"
        return self._digests[url]


def _status_urls(credential: Mapping[str, Any], depth: int = 0) -> list[str]:
    """The status lists a credential's outcome depends on: its own, and those of the network
    endorsements embedded in its issuer Profile (a withdrawal must change the cache key)."""
    status = credential.get("credentialStatus")
    entries = status if isinstance(status, list) else [status] if status else []
    urls = []
    for entry in entries:
        if isinstance(entry, Mapping):
            url = entry.get("statusListCredential") or entry.get("id")
            if isinstance(url, str):
                urls.append(url)
    issuer = credential.get("issuer")
    embedded = issuer.get("endorsement") if isinstance(issuer, Mapping) and not depth else None
    for endorsement in embedded if isinstance(embedded, list) else []:
        if isinstance(endorsement, Mapping):
            urls.extend(u for u in _status_urls(endorsement, depth + 1) if u not in urls)
    return urls


#: The status lists a credential depends on, by the credential's digest.
_STATUS_URLS: cache.Cache[list[str]] = cache.Cache("verification.status_urls", size=8192,
                                                   ttl=None)


def _status_urls_of(text: str, digest: str) -> list[str]:
    urls = _STATUS_URLS.get(digest)
    if urls is None:
        try:
            doc = safejson.loads(text)
        except ValueError:
            doc = {}
        urls = _status_urls(doc) if isinstance(doc, Mapping) else []
        _STATUS_URLS.set(digest, urls)
    return urls


def verify_cached(
    data: str | bytes,
    resolver: MemoResolver,
    cache: ReportCache,
    *,
    fresh_status: bool = True,
) -> tuple[VerificationReport, str]:
    """Verify a credential (JSON or JWT text, or baked image bytes); returns the report and its
    cache key.

    A recent report is reused while the credential did not change and no validity boundary
    passed. With ``fresh_status`` (this server's own badges, whose lists are read in process)
    each status list is fetched, once per page, and a changed list changes the key. Without it
    (badges from elsewhere) nothing is fetched until the entry expires: a revocation shows
    within ``cache.ttl``. An outcome that could not be established (state ``unknown``: a key or
    a list out of reach) is never kept.
    """
    raw = data.encode() if isinstance(data, str) else bytes(data)
    digest = hashlib.sha256(raw).hexdigest()
    parts = [digest]
    if fresh_status:
        text = data if isinstance(data, str) else raw.decode("utf-8", "replace")
        parts.extend(resolver.digest(url) for url in _status_urls_of(text, digest))
    key = ":".join(parts)
    report = cache.get(key)
    now = datetime.now(UTC)
    if report is not None and _still_same_validity(report, now):
        return with_registry_check(report), key
    report = verify_credential(
        data,
        resolver=resolver,
        now=now,
        list_proofs=resolver.list_proofs,
        endorsement_reports=resolver.endorsement_reports,
    )
    if report.state != "unknown":
        cache.put(key, report)
    return with_registry_check(report), key


def _still_same_validity(report: VerificationReport, now: datetime) -> bool:
    credential = report.credential or {}
    for key in ("validUntil", "expirationDate"):
        end = parse_datetime(credential.get(key))
        validity = report.check("validity")
        if end is not None and now >= end and validity is not None and validity.state == "passed":
            return False
    return True

