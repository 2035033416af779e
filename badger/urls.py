"""Every public URL badger writes into what it signs or publishes, in one place.

These URLs are permanent (see README, "Permanent URLs"): credentials, endorsements, status
lists and CASE packages name them, and copies handed out years ago must still resolve. Each
is a function of the configured base URL (``BADGER_BASE_URL``) and plain values of a row (a
slug, a uuid, an identifier), so every layer may build them without importing a domain.
"""

from __future__ import annotations

import urllib.parse
from typing import Protocol

from flask import current_app, has_app_context

#: Where the CASE 1.0 API is served (``/ims/case/v1p0/<kind>/<identifier>``).
CASE_PATH = "/ims/case/v1p0"


class Slugged(Protocol):
    """An organisation or a network: anything with a URL slug."""

    @property
    def slug(self) -> str: ...


class HasKeyId(Protocol):
    @property
    def key_id(self) -> str: ...


class HasUuid(Protocol):
    @property
    def uuid(self) -> str: ...


def base_url() -> str:
    """The public base URL of this badger (``BADGER_BASE_URL``), without a final slash;
    ``http://localhost`` outside an application (pure functions called from scripts)."""
    if has_app_context():
        return str(current_app.config.get("BADGER_BASE_URL") or "http://localhost").rstrip("/")
    return "http://localhost"


# --------------------------------------------------------------------------- issuers


def issuer_url(org: Slugged) -> str:
    """An organisation's https issuer id and Profile: ``/issuers/<slug>``."""
    return f"{base_url()}/issuers/{org.slug}"


def key_url(org: Slugged, kid: str) -> str:
    """A JWT key (a JWK): ``/issuers/<slug>/keys/<kid>``."""
    return f"{issuer_url(org)}/keys/{kid}"


def multikey_url(org: Slugged, key: HasKeyId) -> str:
    """The fragment-less URL of an Ed25519 key's Multikey document (the verification method of
    Data Integrity proofs signed as the https id: verifiers that do not look inside a document
    for a ``#fragment`` fetch the key itself there)."""
    return f"{issuer_url(org)}/multikeys/{key.key_id}"


def jwks_url(org: Slugged) -> str:
    return f"{issuer_url(org)}/jwks.json"


def did_web(org: Slugged) -> str:
    """``did:web:<host%3Aport>:issuers:<slug>`` for the base URL's origin."""
    parts = urllib.parse.urlsplit(base_url())
    host = (parts.hostname or "localhost") + (f"%3A{parts.port}" if parts.port else "")
    path = [urllib.parse.quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *path, "issuers", org.slug])


def status_url(org: Slugged, purpose: str, number: int) -> str:
    """An issuer's status list: ``/status/<slug>/<purpose>/<n>``."""
    return f"{base_url()}/status/{org.slug}/{purpose}/{number}"


# --------------------------------------------------------------------------- credentials


def achievement_url(ach: HasUuid) -> str:
    return f"{base_url()}/achievements/{ach.uuid}"


def credential_url(uuid: str) -> str:
    return f"{base_url()}/credentials/{uuid}"


# --------------------------------------------------------------------------- référentiels


def case_url(kind: str, identifier: str, base: str | None = None) -> str:
    """A CASE object served by this instance: ``/ims/case/v1p0/<kind>/<identifier>``."""
    return f"{(base or base_url()).rstrip('/')}{CASE_PATH}/{kind}/{identifier}"


# --------------------------------------------------------------------------- networks


def network_url(network: Slugged) -> str:
    """A network's issuer id: permanent once an endorsement is signed."""
    return f"{base_url()}/networks/{network.slug}"


def endorsement_url(network: Slugged, uuid: str) -> str:
    return f"{network_url(network)}/endorsements/{uuid}"


def network_status_url(network: Slugged, purpose: str, number: int) -> str:
    """A network status list's public URL (permanent: written into endorsements)."""
    return f"{network_url(network)}/status/{purpose}/{number}"


def server_registry_url() -> str:
    return f"{base_url()}/networks/registry.json"


def registry_url(network: Slugged) -> str:
    return f"{network_url(network)}/registry.json"


def registry_credential_url(network: Slugged) -> str:
    return f"{network_url(network)}/registry"
