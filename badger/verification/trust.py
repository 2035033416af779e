"""Who this service recognises: the known-issuer registries it trusts (DCC format, see
``badger.ob3.registry``).

By default this server's own: its registry of networks (those a server administrator created)
and each such network's registry of the organisations it actively endorses, read from the
database. ``BADGER_TRUSTED_REGISTRIES`` adds registries published elsewhere (comma-separated
URLs, most authoritative first), fetched through the verifier's resolver (SSRF rules, size
limits) and kept ``BADGER_REGISTRY_TTL`` seconds (a failed fetch is retried after a minute).
The ``registry`` check this produces is informational: it never makes a genuine badge fail.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy.orm import Session

from badger import urls
from badger.db import get_session
from badger.networks import service as networks
from badger.ob3 import Resolver, VerificationReport
from badger.ob3 import registry as registries
from badger.ob3.dataintegrity import issuer_id, verify_proof
from badger.ob3.report import ENDORSEMENT
from badger.ob3.resolver import ResolutionError
from badger.resolver import app_resolver

#: Seconds a failed registry fetch is remembered before it is tried again.
REGISTRY_RETRY_SECONDS = 60.0
_REGISTRY_LOCK = threading.Lock()
#: ``app.extensions`` key of the fetched registries: URL -> (expiry, registry or None).
CACHE_KEY = "badger.registries"


@dataclass(frozen=True)
class RegistrySettings:
    """The registries configured beyond this server's own, and how long one is kept."""

    urls: tuple[str, ...] = ()
    ttl: float = 3600.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RegistrySettings:
        raw = config.get("BADGER_TRUSTED_REGISTRIES") or ""
        items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        return cls(
            urls=tuple(u.strip() for u in items if u and u.strip()),
            ttl=float(config.get("BADGER_REGISTRY_TTL") or 3600),
        )


def configured_registries(app: Any = None) -> list[str]:
    return list(RegistrySettings.from_config((app or current_app).config).urls)


def _parse_fetched(doc: dict[str, Any], url: str, resolver: Resolver) -> registries.Registry:
    """A plain DCC registry, or a registry credential whose proof verifies (its key proven
    its issuer's, as for any credential) and whose issuer lives on the registry URL's own
    origin: a valid signature by someone else's key, served there, is not that site's word."""
    if "credentialSubject" in doc:
        issuer = issuer_id(doc) or ""
        if urlsplit(issuer)[:2] != urlsplit(url)[:2]:
            raise registries.RegistryError("the signed registry's issuer is on another origin")
        if not verify_proof(doc, resolver).verified:
            raise registries.RegistryError("the signed registry's proof does not verify")
        doc = registries.registry_from_credential(doc)
    return registries.parse_registry(doc, source=url)


def _remote_registries(
    settings: RegistrySettings,
    cache: dict[str, tuple[float, registries.Registry | None]],
    new_resolver: Callable[[], Resolver],
) -> tuple[list[registries.Registry], list[str]]:
    """The configured registries (fetched through ``new_resolver()`` when not in ``cache`` or
    expired) and those that could not be read."""
    found: list[registries.Registry] = []
    unreachable: list[str] = []
    for url in settings.urls:
        hit = cache.get(url)
        if hit is None or hit[0] < time.monotonic():
            resolver = new_resolver()
            try:
                value: registries.Registry | None = _parse_fetched(
                    resolver.fetch_json(url), url, resolver
                )
            except (ResolutionError, registries.RegistryError) as exc:
                current_app.logger.warning("trusted registry %s not read: %s", url, exc)
                value = None
            ttl = settings.ttl if value is not None else REGISTRY_RETRY_SECONDS
            with _REGISTRY_LOCK:
                cache[url] = hit = (time.monotonic() + ttl, value)
        if hit[1] is None:
            unreachable.append(url)
        else:
            found.append(hit[1])
    return found, unreachable


def own_registries(session: Session) -> list[registries.Registry]:
    """This server's registries: its listed networks, then each one's endorsed members."""
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
    configured ones that could not be read. Computed once per request; the settings are read
    here, from the running app, and passed down."""
    if not has_app_context():
        return [], []
    if has_request_context() and "badger_registries" in g:
        return g.badger_registries
    settings = RegistrySettings.from_config(current_app.config)
    remote: list[registries.Registry] = []
    unreachable: list[str] = []
    if settings.urls:
        with _REGISTRY_LOCK:
            cache = current_app.extensions.setdefault(CACHE_KEY, {})
        remote, unreachable = _remote_registries(settings, cache, app_resolver)
    result = (own_registries(get_session()) + remote, unreachable)
    if has_request_context():
        g.badger_registries = result
    return result


def trust_key() -> str:
    """A digest of what the trusted registries say (who is listed, under which name, and which
    could not be read): a cached page built from them is built again when it changes.
    Computed once per request."""
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
    if report.credential is None or not has_app_context():
        return report
    check = registries.registry_check(trust_of(report), endorsement=report.kind == ENDORSEMENT)
    checks = [c for c in report.checks if c.name != "registry"] + [check]
    return replace(report, checks=checks)

