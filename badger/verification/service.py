"""Verification as a service: read what a person gives us, verify it, describe it plainly.

Input comes as an uploaded file (PNG, SVG, JSON, JWT), pasted text or a URL. Files are
recognised by their bytes, never by their name; anything else is refused with 415. URLs are
fetched through the same SSRF-safe resolver as keys and status lists.

What people hand us (:func:`verify_document`) may be a badge or a bare EndorsementCredential
(a network vouching for a member issuer). An endorsement without a status list is still
withdrawable: badger's networks answer ``410 Gone`` at a withdrawn endorsement's id, so such an
endorsement whose id is a web address is looked up there (:func:`_check_publication`).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger import cache, urls
from badger.errors import UserError
from badger.ob3 import Check, Resolver, VerificationReport, model, safejson, verify_credential
from badger.ob3 import presentation as vp_lib
from badger.ob3 import registry as registries
from badger.ob3.dataintegrity import parse_datetime
from badger.ob3.jwt import decode_unverified, is_compact_jws
from badger.ob3.resolver import ResolutionError
from badger.ob3.verify import ENDORSEMENT, OPEN_BADGE, endorsement_withdrawn
from badger.resolver import FetchRefusedError, HttpStatusError
from badger.verification import messages
from badger.verification.messages import HOLDER_ERASED

#: Largest badge accepted for verification (a baked PNG is a small image).
MAX_VERIFY_BYTES = 2 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: What the verify page, the VC-API and the CLI accept: a badge or a bare endorsement.
DOCUMENT_KINDS = (OPEN_BADGE, ENDORSEMENT)


def sniff(data: bytes) -> str | None:
    """'png', 'svg', 'json' or 'jwt' from the bytes; None when it is none of them."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        lowered = head.lower()
        return "svg" if b"<svg" in lowered or lowered.startswith(b"<?xml") else None
    if head.startswith(b"{"):
        return "json"
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    return "jwt" if is_compact_jws(text) else None


def check_input(data: bytes, *, max_bytes: int = MAX_VERIFY_BYTES) -> str:
    """Refuse empty, too large or unrecognised input; return the sniffed kind."""
    if not data.strip():
        raise UserError(_l("Donnez un fichier, un texte ou une adresse de badge."), 400)
    if len(data) > max_bytes:
        raise UserError(
            _l("Le fichier est trop lourd (%(n)d Mo au plus).", n=max_bytes // (1024 * 1024)),
            413,
        )
    kind = sniff(data)
    if kind is None:
        raise UserError(
            _l(
                "Ce type de fichier n'est pas accepté. "
                "Donnez une image PNG ou SVG, du JSON ou un JWT."
            ),
            415,
        )
    return kind


def fetch_url(
    url: str,
    resolver: Any,
    *,
    max_bytes: int = MAX_VERIFY_BYTES,
    session: Session | None = None,
) -> bytes:
    """Fetch a badge from a URL with the resolver's policy (local URLs in process). With
    ``session``, a 410 at one of this server's credential ids withdrawn because its holder
    erased their data says so (not "withdrawn by its author")."""
    url = url.strip()
    if not url.startswith(("https://", "http://")):
        raise UserError(_l("L'adresse doit commencer par https://"), 400)
    try:
        data: bytes = resolver.fetch_bytes(url, max_bytes=max_bytes)
    except FetchRefusedError as exc:
        raise UserError(_l("Cette adresse n'est pas autorisée."), 400, details=[str(exc)]) from exc
    except HttpStatusError as exc:
        if exc.status == 410 and session is not None and _holder_withdrawn_url(session, url):
            message = HOLDER_ERASED
        elif exc.status == 410:
            message = _l(
                "Ce document a été retiré par son auteur : l'adresse dit qu'il n'existe plus."
            )
        elif exc.status == 404:
            message = _l("Rien n'a été trouvé à cette adresse.")
        else:
            message = _l("Le badge n'a pas pu être téléchargé à cette adresse.")
        raise UserError(message, 422, details=[str(exc)]) from exc
    except ResolutionError as exc:
        raise UserError(
            _l("Le badge n'a pas pu être téléchargé à cette adresse."), 422, details=[str(exc)]
        ) from exc
    return data


def _holder_withdrawn_url(session: Session, url: str) -> bool:
    from badger.awards.service import holder_withdrawn

    prefix = f"{urls.base_url()}/credentials/"
    return url.startswith(prefix) and holder_withdrawn(session, url.removeprefix(prefix))


# --------------------------------------------------------------------------- verifying


def verify_document(
    data: bytes | str | Mapping[str, Any],
    resolver: Resolver,
    *,
    now: datetime | None = None,
    session: Session | None = None,
) -> VerificationReport:
    """Verify a badge or a bare EndorsementCredential (verify page, VC-API, CLI).

    A badge's report is exactly the library's (which already requires the signing key to be
    proven the issuer's). A bare endorsement without a status list is also looked up at its own
    address (:func:`_check_publication`): badger's networks withdraw one by answering 410.
    """
    report = verify_credential(data, resolver=resolver, now=now, kinds=DOCUMENT_KINDS)
    if report.kind == ENDORSEMENT:
        _check_publication(report, resolver)
    elif session is not None:
        _explain_own_revoked_copy(report, session)
    return with_registry_check(report)


def _explain_own_revoked_copy(report: VerificationReport, session: Session) -> None:
    """One of this server's badges whose bit is set may be suspended, a copy made before a
    lifted suspension (re-issued since), or withdrawn because its holder erased their data: say
    so rather than "the issuer withdrew it". Only badger's own records can tell; the status
    check stays failed either way."""
    from badger.awards.service import copy_state

    status = report.check("status")
    if status is None or status.code != "revoked" or report.credential is None:
        return
    state = copy_state(session, report.credential)
    if state == "suspended":
        replacement = Check("status", "failed", "The issuer has suspended this credential.",
                            "suspended")
    elif state == "superseded":
        replacement = Check("status", "failed", "This copy was replaced by a newer issue of the "
                            "same credential.", "superseded")
    elif state == "holder_erased":
        replacement = Check("status", "failed", "This copy was withdrawn at its holder's request "
                            "(they erased their data); the issuer did not withdraw it.",
                            "holder_erased")
    else:
        return
    report.checks[report.checks.index(status)] = replacement


def _check_publication(report: VerificationReport, resolver: Resolver) -> None:
    """An endorsement without a status list, whose id is a web address: ask that address.

    ``410 Gone`` there means the endorser withdrew it (badger's networks do so): the status
    check fails with ``withdrawn``. The same credential still served there: ``published``.
    Anything else (no answer, another document, an id that is not a web address) leaves the
    report as the library made it: the credential itself carries no revocation information.
    """
    credential = report.credential or {}
    status = report.check("status")
    cid = credential.get("id")
    if status is None or status.code != "no_status" or not isinstance(cid, str):
        return
    if not cid.startswith(("https://", "http://")):
        return
    try:
        published = resolver.fetch_json(cid)
    except HttpStatusError as exc:
        if exc.status != 410:
            return
        replacement = Check(
            "status",
            "failed",
            "The endorser no longer publishes this endorsement at its id (HTTP 410 Gone): "
            "it was withdrawn.",
            "withdrawn",
        )
    except ResolutionError:
        return
    else:
        if published.get("id") != cid:
            return
        replacement = Check(
            "status",
            "passed",
            "The endorser still publishes this endorsement at its id (it has no status list).",
            "published",
        )
    report.checks[report.checks.index(status)] = replacement


# --------------------------------------------------------------------------- trust registries
#
# Who this service recognises: the known-issuer registries it trusts (DCC format, see
# ``badger.ob3.registry``). By default this server's own: its registry of networks (those a
# server administrator created) and each such network's registry of the organisations it
# actively endorses, read from the database. ``BADGER_TRUSTED_REGISTRIES`` adds registries
# published elsewhere (comma-separated URLs, most authoritative first), fetched through the
# verifier's resolver (SSRF rules, size limits) and kept ``BADGER_REGISTRY_TTL`` seconds (a
# failed fetch is retried after a minute). The ``registry`` check this produces is
# informational: it never makes a genuine badge fail.

#: Seconds a failed registry fetch is remembered before it is tried again.
REGISTRY_RETRY_SECONDS = 60.0
_REGISTRY_LOCK = threading.Lock()


def configured_registries(app: Any = None) -> list[str]:
    app = app or current_app
    raw = app.config.get("BADGER_TRUSTED_REGISTRIES") or ""
    urls = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    return [u.strip() for u in urls if u and u.strip()]


def _parse_fetched(doc: dict[str, Any], url: str, resolver: Resolver) -> registries.Registry:
    """A plain DCC registry, or a registry credential whose proof verifies (its key proven
    its issuer's, as for any credential) and whose issuer lives on the registry URL's own
    origin: a valid signature by someone else's key, served there, is not that site's word."""
    if "credentialSubject" in doc:
        from urllib.parse import urlsplit

        from badger.ob3.dataintegrity import issuer_id, verify_proof

        issuer = issuer_id(doc) or ""
        if urlsplit(issuer)[:2] != urlsplit(url)[:2]:
            raise registries.RegistryError("the signed registry's issuer is on another origin")
        if not verify_proof(doc, resolver).verified:
            raise registries.RegistryError("the signed registry's proof does not verify")
        doc = registries.registry_from_credential(doc)
    return registries.parse_registry(doc, source=url)


def _remote_registries(app: Any) -> tuple[list[registries.Registry], list[str]]:
    from badger.resolver import app_resolver

    urls = configured_registries(app)
    if not urls:
        return [], []
    with _REGISTRY_LOCK:
        cache: dict[str, tuple[float, registries.Registry | None]] = app.extensions.setdefault(
            "badger.registries", {}
        )
    ttl = float(app.config.get("BADGER_REGISTRY_TTL") or 3600)
    found: list[registries.Registry] = []
    unreachable: list[str] = []
    for url in urls:
        hit = cache.get(url)
        if hit is None or hit[0] < time.monotonic():
            resolver = app_resolver(app)
            try:
                value: registries.Registry | None = _parse_fetched(
                    resolver.fetch_json(url), url, resolver
                )
            except (ResolutionError, registries.RegistryError) as exc:
                current_app.logger.warning("trusted registry %s not read: %s", url, exc)
                value = None
            expires = time.monotonic() + (ttl if value is not None else REGISTRY_RETRY_SECONDS)
            with _REGISTRY_LOCK:
                cache[url] = hit = (expires, value)
        if hit[1] is None:
            unreachable.append(url)
        else:
            found.append(hit[1])
    return found, unreachable


def own_registries(session: Session) -> list[registries.Registry]:
    """This server's registries: its listed networks, then each one's endorsed members."""
    from badger.networks import service as networks

    own = [registries.parse_registry(networks.server_registry(session),
                                     source=urls.server_registry_url(),
                                     name=urls.server_registry_url())]
    for network in networks.listed_networks(session):
        own.append(registries.parse_registry(networks.member_registry(session, network),
                                             source=urls.registry_url(network),
                                             name=network.name))
    return own


def trusted_registries() -> tuple[list[registries.Registry], list[str]]:
    """The registries this service trusts (own first, then configured), and those of the
    configured ones that could not be read. Computed once per request."""
    from flask import g, has_request_context

    if not has_app_context():
        return [], []
    if has_request_context() and "badger_registries" in g:
        return g.badger_registries
    from badger.db import get_session

    remote, unreachable = _remote_registries(current_app)
    result = (own_registries(get_session()) + remote, unreachable)
    if has_request_context():
        g.badger_registries = result
    return result


def trust_key() -> str:
    """A digest of what the trusted registries say (who is listed, under which name, and which
    could not be read): a cached page built from them is built again when it changes.
    Computed once per request."""
    from flask import g, has_request_context

    if has_request_context() and "badger_trust_key" in g:
        return str(g.badger_trust_key)
    regs, unreachable = trusted_registries()
    digest = hashlib.sha256()
    for r in regs:
        digest.update(f"\x1e{r.source}".encode())
        for entry_id in sorted(r.entries):
            digest.update(f"\x1f{entry_id}\x1f{r.entries[entry_id].name}".encode())
    digest.update("\x1e".join(unreachable).encode())
    key = digest.hexdigest()[:16]
    if has_request_context():
        g.badger_trust_key = key
    return key


def trust_of(report: VerificationReport) -> registries.Trust:
    regs, unreachable = trusted_registries()
    return registries.assess(report, regs, unreachable)


def with_registry_check(report: VerificationReport) -> VerificationReport:
    """A copy of ``report`` with the ``registry`` check as the trusted registries say now
    (the report itself, which may be cached, is left as it is)."""
    from dataclasses import replace

    if report.credential is None or not has_app_context():
        return report
    check = registries.registry_check(trust_of(report), endorsement=report.kind == ENDORSEMENT)
    checks = [c for c in report.checks if c.name != "registry"] + [check]
    return replace(report, checks=checks)


# --------------------------------------------------------------------------- caching


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


# --------------------------------------------------------------------------- description


@dataclass
class Description:
    """What a badge says, for people (never trusted unless the report is verified)."""

    name: str | None = None
    description: str | None = None
    issuer_name: str | None = None
    issuer_id: str | None = None
    issuer_url: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    level: str | None = None
    level_value: int | None = None
    framework_name: str | None = None
    framework_url: str | None = None
    competence_name: str | None = None
    competence_url: str | None = None
    endorsers: list[str] = field(default_factory=list)
    #: Of ``endorsers``, those whose endorsement's subject is the badge's issuer (a network
    #: vouching for the organisation).
    issuer_endorsers: list[str] = field(default_factory=list)
    #: Endorsers of the issuer whose genuine endorsement embedded in the badge has since been
    #: withdrawn.
    withdrawn_endorsers: list[str] = field(default_factory=list)
    #: Of ``issuer_endorsers``, the networks a trusted registry lists, by the registry's name
    #: for them ("Reconnu par"); the others are only claims (``claimed_endorsers``: their own
    #: self-declared names, "se dit recommandé par …, réseau inconnu de ce service").
    recognised_endorsers: list[str] = field(default_factory=list)
    claimed_endorsers: list[str] = field(default_factory=list)
    #: The registry listing the issuer itself (its name), if any.
    issuer_listed_by: str | None = None
    image: str | None = None
    credential_id: str | None = None
    #: ``OpenBadgeCredential`` or ``EndorsementCredential`` (then the fields below are set).
    kind: str = OPEN_BADGE
    endorsed_id: str | None = None
    #: The endorsed entity's own name, as its id document says (fetched when possible).
    endorsed_name: str | None = None
    #: 'organisation' (a Profile), 'achievement' (a badge definition) or None (unknown).
    endorsed_kind: str | None = None
    comment: str | None = None
    #: The endorser is one of this server's networks.
    endorser_is_network: bool = False


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def describe(report: VerificationReport, resolver: Resolver | None = None) -> Description:
    """What the credential says. For an endorsement, ``resolver`` (when given) reads the
    endorsed entity's id document for its name and kind."""
    if report.kind == ENDORSEMENT:
        return _describe_endorsement(report, resolver)
    cred = report.credential or {}
    d = Description(credential_id=cred.get("id") if isinstance(cred.get("id"), str) else None)
    issuer = cred.get("issuer")
    if isinstance(issuer, Mapping):
        d.issuer_name = issuer.get("name") if isinstance(issuer.get("name"), str) else None
        d.issuer_url = issuer.get("url") if isinstance(issuer.get("url"), str) else None
    d.issuer_id = report.issuer_id
    d.valid_from = parse_datetime(cred.get("validFrom") or cred.get("issuanceDate"))
    d.valid_until = parse_datetime(cred.get("validUntil") or cred.get("expirationDate"))
    subject = _first(cred.get("credentialSubject"))
    if isinstance(subject, Mapping):
        ach = subject.get("achievement")
        if isinstance(ach, Mapping):
            d.name = ach.get("name") if isinstance(ach.get("name"), str) else None
            desc = ach.get("description")
            d.description = desc if isinstance(desc, str) else None
            img = ach.get("image")
            img = img.get("id") if isinstance(img, Mapping) else img
            d.image = img if isinstance(img, str) and img.startswith("https://") else None
            for al in ach.get("alignment") or []:
                if not isinstance(al, Mapping):
                    continue
                ttype = al.get("targetType")
                if ttype == "CFItem" and d.competence_name is None:
                    d.competence_name = al.get("targetName")
                    d.competence_url = al.get("targetUrl")
                elif ttype in {"CFDocument", "CFPackage"} and d.framework_name is None:
                    d.framework_name = al.get("targetName")
                    d.framework_url = al.get("targetUrl")
            levels = {}
            for rd in ach.get("resultDescription") or []:
                if isinstance(rd, Mapping):
                    for lvl in rd.get("rubricCriterionLevel") or []:
                        if isinstance(lvl, Mapping) and isinstance(lvl.get("id"), str):
                            levels[lvl["id"]] = lvl
            for res in subject.get("result") or []:
                if not isinstance(res, Mapping):
                    continue
                achieved = res.get("achievedLevel")
                if isinstance(achieved, str) and achieved in levels:
                    lvl = levels[achieved]
                    d.level = lvl.get("name") if isinstance(lvl.get("name"), str) else None
                    lv = lvl.get("level")
                    if isinstance(lv, str) and lv.isdigit():
                        d.level_value = int(lv)
                elif res.get("value") is not None and d.level_value is None:
                    value = str(res.get("value"))
                    if value.isdigit() and int(value) <= 5:
                        d.level_value = int(value)
        if d.name is None and isinstance(cred.get("name"), str):
            d.name = cred["name"]
    for endorsement in report.endorsements:
        name = endorsement.issuer_name or endorsement.issuer_id or "?"
        # only an endorsement whose subject is this issuer vouches for it: a genuine
        # endorsement of someone else, copied into a Profile, must not be read as one
        of_issuer = d.issuer_id is not None and endorsement.endorsed_id == d.issuer_id
        if endorsement.verified:
            d.endorsers.append(name)
            if of_issuer and name not in d.issuer_endorsers:
                d.issuer_endorsers.append(name)
        elif of_issuer and endorsement_withdrawn(endorsement) and (
            name not in d.withdrawn_endorsers
        ):
            d.withdrawn_endorsers.append(name)
    _describe_trust(d, report)
    return d


def _describe_trust(d: Description, report: VerificationReport) -> None:
    if report.credential is None or not has_app_context():
        d.claimed_endorsers = list(d.issuer_endorsers)
        return
    trust = trust_of(report)
    d.recognised_endorsers = [m.entry.name for m in trust.recognised]
    d.claimed_endorsers = list(trust.claimed)
    d.issuer_listed_by = trust.issuer.registry.name if trust.issuer else None


def _network_base() -> str | None:
    if not has_app_context():
        return None
    base = str(current_app.config.get("BADGER_BASE_URL") or "").rstrip("/")
    return f"{base}/networks/" if base else None


def _describe_endorsement(report: VerificationReport, resolver: Resolver | None) -> Description:
    cred = report.credential or {}
    d = Description(
        kind=ENDORSEMENT,
        credential_id=cred.get("id") if isinstance(cred.get("id"), str) else None,
        name=cred.get("name") if isinstance(cred.get("name"), str) else None,
        description=cred.get("description") if isinstance(cred.get("description"), str) else None,
        issuer_name=report.issuer_name,
        issuer_id=report.issuer_id,
        valid_from=parse_datetime(cred.get("validFrom") or cred.get("issuanceDate")),
        valid_until=parse_datetime(cred.get("validUntil") or cred.get("expirationDate")),
        endorsed_id=report.endorsed_id,
        comment=report.endorsement_comment,
    )
    issuer = cred.get("issuer")
    if isinstance(issuer, Mapping) and isinstance(issuer.get("url"), str):
        d.issuer_url = issuer["url"]
    base = _network_base()
    d.endorser_is_network = bool(base and (d.issuer_id or "").startswith(base))
    _describe_trust(d, report)
    target = d.endorsed_id
    if resolver is not None and target and target.startswith(("https://", "http://")):
        try:
            doc = resolver.fetch_json(target)
        except ResolutionError:
            doc = {}
        if doc.get("id") == target:
            name = doc.get("name")
            d.endorsed_name = name if isinstance(name, str) and name.strip() else None
            types = doc.get("type")
            types = types if isinstance(types, list) else [types]
            if "Profile" in types:
                d.endorsed_kind = "organisation"
            elif "Achievement" in types:
                d.endorsed_kind = "achievement"
    return d


def verify_bytes(
    data: bytes, resolver: Resolver, *, session: Session | None = None
) -> VerificationReport:
    check_input(data)
    return verify_document(data, resolver, session=session)


def report_context(report: VerificationReport, resolver: Resolver) -> dict[str, Any]:
    """What ``verification/_report.html``'s ``result`` macro needs. The verify page and a public
    credential's own page (``/credentials/<uuid>`` opened in a browser, e.g. from LinkedIn) tell
    a report the same way."""
    checks = messages.plain_checks(report)
    about = describe(report, resolver)
    return {
        "report": report,
        "summary": messages.summary(report, checks, about),
        "checks": checks,
        "about": about,
    }


# --------------------------------------------------------------------------- presentations

#: Credentials one presentation may carry (each is verified in full).
MAX_PRESENTED_CREDENTIALS = 20


@dataclass
class PresentationOutcome:
    """A VC-API presentation verification: the presentation's own proof (``signed`` False for
    an unsigned one, whose holder nothing proves) and each credential's report."""

    signed: bool = False
    holder: str | None = None
    error: str | None = None
    error_code: str | None = None
    credentials: list[VerificationReport] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """The presentation's proof (when it has one) and every credential verified."""
        return self.error is None and all(r.verified for r in self.credentials)


def _presented_credentials(vp: Mapping[str, Any]) -> list[Any]:
    items = vp.get("verifiableCredential", [])
    return list(items) if isinstance(items, list) else [items]


def verify_presentation(
    presentation: Mapping[str, Any] | str,
    *,
    challenge: str | None,
    domain: str | None,
    resolver: Resolver,
    session: Session | None = None,
) -> PresentationOutcome:
    """W3C VC-API ``/presentations/verify``: a JSON-LD presentation (unsigned, or signed with
    proof purpose ``authentication``) or a VP-JWT; a signed one must answer ``challenge`` (and
    ``domain`` when given) — :func:`badger.ob3.presentation.verify_presentation`, whose holder is
    a DID — and each credential it carries is verified as ``/credentials/verify`` would.

    Raises :class:`UserError` (400) when the request is not a presentation at all."""
    outcome = PresentationOutcome()
    if isinstance(presentation, str):
        if not is_compact_jws(presentation.strip()):
            raise UserError(_l("La présentation n'est ni un objet JSON ni un JWT."), 400)
        try:
            _header, payload = decode_unverified(presentation.strip())
        except ValueError as exc:
            raise UserError(_l("La présentation n'est ni un objet JSON ni un JWT."), 400) from exc
        vp = payload.get("vp")
        if not isinstance(vp, Mapping):
            raise UserError(_l("Ce n'est pas une présentation vérifiable."), 400)
        outcome.signed = True
    else:
        vp = presentation
        contexts = vp.get("@context")
        first = contexts[0] if isinstance(contexts, list) and contexts else contexts
        types = vp.get("type")
        types = types if isinstance(types, list) else [types]
        if first not in (model.VC2_CONTEXT, model.VC1_CONTEXT) or (
            "VerifiablePresentation" not in types
        ):
            raise UserError(_l("Ce n'est pas une présentation vérifiable."), 400)
        outcome.signed = "proof" in vp
    credentials = _presented_credentials(vp)
    if len(credentials) > MAX_PRESENTED_CREDENTIALS:
        raise UserError(_l("La présentation contient trop de badges."), 413)
    if outcome.signed:
        if not challenge:
            outcome.error = "A signed presentation is verified against a challenge: none was given."
            outcome.error_code = "challenge_missing"
        else:
            try:
                outcome.holder = vp_lib.verify_presentation(
                    presentation, challenge=challenge, domain=domain, resolver=resolver
                )
            except vp_lib.PresentationError as exc:
                outcome.error, outcome.error_code = str(exc), exc.code
    for item in credentials:
        if isinstance(item, Mapping) and item.get("type") == "EnvelopedVerifiableCredential":
            item = str(item.get("id", "")).partition(",")[2]  # data:application/vc+jwt,<jws>
        if not isinstance(item, Mapping | str):
            item = ""
        outcome.credentials.append(verify_document(item, resolver, session=session))
    return outcome
