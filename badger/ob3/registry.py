"""Known-issuer registries: who a verifier recognises (pure: parse, build, look up).

The format is the one the Digital Credentials Consortium (DCC) publishes its issuer
registries in and its ``@digitalcredentials/issuer-registry-client`` reads (the file at
``https://digitalcredentials.github.io/issuer-registry/registry.json``): a JSON object with

* ``meta``: ``created`` and ``updated`` timestamps;
* ``registry``: an object keyed by issuer id (a DID or a web address), each entry an object
  with ``name`` (required), ``url`` and an optional ``location``.

The client keeps the keyed object as ``entries`` in memory (``RegistryRaw<Entry>`` =
``{meta, entries}``), so :func:`parse_registry` also accepts ``entries`` as the key.

The same content is also published as a credential signed by the registry's owner
(:func:`registry_credential`): the registry document goes, unchanged, into the subject as a
JSON literal (``@type: @json`` in an inline context), so the Data Integrity proof covers it
byte for byte (canonical JSON) and no term escapes the signature.

What a registry entry means is the verifier's decision: badger reads "listed in a registry
this service trusts" as recognition (a network's registry lists the organisations it
actively endorses; a server's registry lists its networks). The lookup is informational:
it never makes a genuine credential fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from badger.ob3 import model
from badger.ob3.report import Check, VerificationReport

__all__ = [
    "REGISTRY_CONTEXT",
    "Registry",
    "RegistryEntry",
    "RegistryError",
    "RegistryMatch",
    "Trust",
    "format_meta_time",
    "lookup",
    "parse_registry",
    "registry_check",
    "registry_credential",
    "registry_document",
    "registry_from_credential",
]

#: Inline JSON-LD context of the signed registry: the DCC document is a JSON literal.
REGISTRY_CONTEXT: dict[str, Any] = {
    "KnownIssuerRegistry": "urn:badger:known-issuer-registry:v1#KnownIssuerRegistry",
    "issuerRegistry": {
        "@id": "urn:badger:known-issuer-registry:v1#issuerRegistry",
        "@type": "@json",
    },
}
#: Limits on what is read from elsewhere (a registry is a small public list).
MAX_ENTRIES = 20_000
MAX_FIELD = 2_000
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")


class RegistryError(ValueError):
    """The document is not a known-issuer registry in the DCC format."""


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """One listed issuer: its id (the registry's key), name, and optional url and location."""

    id: str
    name: str
    url: str | None = None
    location: str | None = None

    def to_dict(self) -> dict[str, str]:
        """The entry's DCC form (without its id, which is the key)."""
        out = {"name": self.name}
        if self.location:
            out["location"] = self.location
        if self.url:
            out["url"] = self.url
        return out


@dataclass(frozen=True, slots=True)
class Registry:
    """A parsed registry. ``source``: where it was read (its URL); ``name``: how to call it."""

    source: str
    name: str
    created: str
    updated: str
    entries: Mapping[str, RegistryEntry] = field(default_factory=dict)

    def entry(self, issuer_id: str | None) -> RegistryEntry | None:
        """The entry of ``issuer_id`` (exact match), if listed."""
        return self.entries.get(issuer_id) if issuer_id else None


@dataclass(frozen=True, slots=True)
class RegistryMatch:
    registry: Registry
    entry: RegistryEntry


def format_meta_time(when: datetime) -> str:
    """A ``meta`` timestamp as the DCC registries write it (``2022-10-27T17:57:31+00:00``)."""
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def _text(value: Any, what: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise RegistryError(f"{what} must be a non-empty string")
    if len(value) > MAX_FIELD:
        raise RegistryError(f"{what} is longer than {MAX_FIELD} characters")
    return value


def parse_registry(
    document: Any, *, source: str, name: str | None = None
) -> Registry:
    """Check ``document`` has the DCC shape and return it parsed; :class:`RegistryError`
    otherwise (nothing half-read: one bad entry refuses the whole registry)."""
    if not isinstance(document, Mapping):
        raise RegistryError("a registry is a JSON object")
    meta = document.get("meta")
    if not isinstance(meta, Mapping):
        raise RegistryError("'meta' must be an object")
    times = {}
    for key in ("created", "updated"):
        value = _text(meta.get(key), f"meta.{key}", required=True)
        assert value is not None
        if not _TIME.match(value):
            raise RegistryError(f"meta.{key} is not a date-time")
        times[key] = value
    raw = document.get("registry", document.get("entries"))
    if not isinstance(raw, Mapping):
        raise RegistryError("'registry' (or 'entries') must be an object keyed by issuer id")
    if len(raw) > MAX_ENTRIES:
        raise RegistryError(f"more than {MAX_ENTRIES} entries")
    entries: dict[str, RegistryEntry] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or ":" not in key or len(key) > MAX_FIELD:
            raise RegistryError(f"entry key {key!r} is not an issuer id (DID or URL)")
        if not isinstance(value, Mapping):
            raise RegistryError(f"entry {key!r} must be an object")
        entry_name = _text(value.get("name"), f"{key}.name", required=True)
        assert entry_name is not None
        entries[key] = RegistryEntry(
            id=key,
            name=entry_name.strip(),
            url=_text(value.get("url"), f"{key}.url"),
            location=_text(value.get("location"), f"{key}.location"),
        )
    return Registry(
        source=source,
        name=name or source,
        created=times["created"],
        updated=times["updated"],
        entries=entries,
    )


def registry_document(
    entries: Iterable[RegistryEntry], *, created: datetime, updated: datetime
) -> dict[str, Any]:
    """A registry in the DCC wire format (``meta`` + ``registry`` keyed by issuer id)."""
    return {
        "meta": {"created": format_meta_time(created), "updated": format_meta_time(updated)},
        "registry": {e.id: e.to_dict() for e in sorted(entries, key=lambda e: e.id)},
    }


def registry_credential(
    document: Mapping[str, Any],
    *,
    id: str,
    issuer: Mapping[str, Any] | str,
    registry_url: str,
    valid_from: datetime,
    name: str | None = None,
) -> dict[str, Any]:
    """The unsigned credential carrying ``document`` (a DCC registry) unchanged; sign it with
    :func:`badger.ob3.sign` and the owner's key. ``registry_url``: where the plain JSON is."""
    credential: dict[str, Any] = {
        "@context": [model.VC2_CONTEXT, model.OB_CONTEXT, REGISTRY_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential"],
        "issuer": dict(issuer) if isinstance(issuer, Mapping) else issuer,
        "validFrom": format_meta_time(valid_from).replace("+00:00", "Z"),
        "credentialSubject": {
            "id": registry_url,
            "type": "KnownIssuerRegistry",
            "issuerRegistry": dict(document),
        },
    }
    if name:
        credential["name"] = name
    return credential


def registry_from_credential(credential: Mapping[str, Any]) -> Any:
    """The registry document a :func:`registry_credential` carries (not verified here)."""
    subject = credential.get("credentialSubject")
    if isinstance(subject, Sequence) and not isinstance(subject, str) and subject:
        subject = subject[0]
    if not isinstance(subject, Mapping):
        raise RegistryError("the credential has no subject")
    return subject.get("issuerRegistry")


def lookup(registries: Iterable[Registry], issuer_id: str | None) -> list[RegistryMatch]:
    """Every registry listing ``issuer_id``, in the given order (most authoritative first:
    the DCC client's rule, the first registry's entry names the issuer)."""
    matches = []
    for reg in registries:
        entry = reg.entry(issuer_id)
        if entry is not None:
            matches.append(RegistryMatch(reg, entry))
    return matches


@dataclass(frozen=True, slots=True)
class Trust:
    """What the trusted registries say about one credential.

    ``issuer``: the issuer's listing, if any. ``recognised``: endorsers of the issuer (genuine
    endorsements whose subject is the issuer) that a registry lists, with the entry that
    names them. ``claimed``: endorsers of the issuer listed nowhere (self-declared names).
    ``unreachable``: registries that could not be read this time.
    """

    issuer: RegistryMatch | None
    recognised: tuple[RegistryMatch, ...]
    claimed: tuple[str, ...]
    unreachable: tuple[str, ...] = ()


def assess(
    report: VerificationReport,
    registries: Sequence[Registry],
    unreachable: Sequence[str] = (),
) -> Trust:
    """Look the report's issuer and the networks endorsing it up in ``registries``.

    Only genuine endorsements count (``endorsement.verified``) and only those whose subject is
    the credential's issuer: a genuine endorsement of someone else copied into a Profile
    vouches for nobody. For a bare endorsement, its own issuer is the endorser looked up.
    """
    issuer_id = report.issuer_id
    issuer_matches = lookup(registries, issuer_id)
    recognised: list[RegistryMatch] = []
    claimed: list[str] = []
    for endorsement in report.endorsements:
        if not endorsement.verified or issuer_id is None:
            continue
        if endorsement.endorsed_id != issuer_id:
            continue
        matches = lookup(registries, endorsement.issuer_id)
        if matches:
            if all(m.entry.id != matches[0].entry.id for m in recognised):
                recognised.append(matches[0])
        else:
            name = endorsement.issuer_name or endorsement.issuer_id or "?"
            if name not in claimed:
                claimed.append(name)
    return Trust(
        issuer=issuer_matches[0] if issuer_matches else None,
        recognised=tuple(recognised),
        claimed=tuple(claimed),
        unreachable=tuple(unreachable),
    )


def registry_check(trust: Trust, *, endorsement: bool = False) -> Check:
    """The informational ``registry`` check: ``passed`` when the issuer (or, for a badge, a
    network endorsing it) is listed; ``warning`` when listed nowhere; ``unknown`` when listed
    nowhere and a trusted registry could not be read. Never ``failed``: a registry says who
    is recognised, not whether a signature is genuine."""
    if trust.issuer is not None:
        reg = trust.issuer.registry
        who = "endorser" if endorsement else "issuer"
        return Check("registry", "passed", f"The {who} is listed by registry {reg.name}.",
                     "endorser_listed" if endorsement else "issuer_listed")
    if trust.recognised:
        first = trust.recognised[0]
        return Check(
            "registry",
            "passed",
            f"The endorsing network {first.entry.name} ({first.entry.id}) is listed by "
            f"registry {first.registry.name}.",
            "network_listed",
        )
    if trust.unreachable:
        return Check(
            "registry",
            "warning",
            "Not listed in any registry this service could read; unreachable: "
            + ", ".join(trust.unreachable),
            "registry_unreachable",
        )
    return Check("registry", "warning",
                 "Not listed in any registry this service trusts.", "not_listed")
