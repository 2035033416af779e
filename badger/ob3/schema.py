"""JSON Schema validation of OB 3.0 documents against the 1EdTech schemas bundled as package data.

Why bundled and why a closed registry: the published schemas live at purl.imsglobal.org, which a
verifier must never be made to fetch (SSRF, availability, a changed file silently changing our
answers). Every ``$ref`` resolves inside ``badger/ob3/schemas/``; any other reference raises.

Two variants exist (see ``schemas/SOURCES.md``): the STRICT "formal" schema (arrays everywhere,
``schemas/json/``) and the compaction-TOLERANT one (single values allowed, ``schemas/json-ld/``).
Our issuer must pass both; our verifier only requires the tolerant one (FACTS §1). Only the
AchievementCredential schema exists in a strict file; strict endorsement / profile validation
reuses the strict file's own ``$defs`` for those classes.

``format`` is enforced for ``date`` and ``date-time`` with a local checker (RFC 3339, timezone
REQUIRED): jsonschema silently skips ``date-time`` unless an optional package is installed,
which would let a ``validFrom`` without timezone through.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from importlib import resources
from typing import Any, Final

from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT201909

__all__ = [
    "SCHEMA_URLS",
    "SchemaRefusedError",
    "validate_credential",
    "validate_endorsement",
    "validate_get_credentials_response",
    "validate_profile",
    "validate_status_info",
    "validate_with_schema_url",
]

_PACKAGE: Final = "badger.ob3.schemas"
_STRICT_ACHIEVEMENT: Final = "json/ob_v3p0_achievementcredential_schema.json"
_TOLERANT: Final = {
    "achievement": "json-ld/ob_v3p0_achievementcredential_schema.json",
    "endorsement": "json-ld/ob_v3p0_endorsementcredential_schema.json",
    "profile": "json-ld/ob_v3p0_profile_schema.json",
    "response": "json-ld/ob_v3p0_getopenbadgecredentialsresponse_schema.json",
    "statusinfo": "json-ld/ob_v3p0_imsx_statusinfo_schema.json",
}
_PURL: Final = "https://purl.imsglobal.org/spec/ob/v3p0/schema/"

#: Published schema URLs (as they appear in ``credentialSchema[].id``) -> bundled file.
#: Both the ``/json/`` and ``/json-ld/`` URL of a class map to the TOLERANT file, because the
#: published ``$id``s are crossed (SOURCES.md) and a verifier must not fail a credential that
#: the tolerant schema accepts.
SCHEMA_URLS: Final[Mapping[str, str]] = {
    f"{_PURL}{variant}/ob_v3p0_{name}_schema.json": path
    for variant in ("json", "json-ld")
    for name, path in (
        ("achievementcredential", _TOLERANT["achievement"]),
        ("endorsementcredential", _TOLERANT["endorsement"]),
        ("profile", _TOLERANT["profile"]),
        ("getopenbadgecredentialsresponse", _TOLERANT["response"]),
        ("imsx_statusinfo", _TOLERANT["statusinfo"]),
    )
}

_MAX_MESSAGE: Final = 300


class SchemaRefusedError(LookupError):
    """A schema ``$ref`` pointed outside the bundled files (never fetched)."""


# --------------------------------------------------------------------------- formats

_RFC3339: Final = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_FORMATS: Final = FormatChecker(formats=())


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True  # format only constrains strings
    match = _RFC3339.fullmatch(value)
    if not match:
        return False
    day, hh, mm, ss, frac, tz = match.groups()
    # leap second 60 is legal in RFC 3339 but not in datetime: range-check it as 59
    sec = "59" if ss == "60" else ss
    offset = "+00:00" if tz in ("Z", "z") else tz
    datetime.fromisoformat(f"{day}T{hh}:{mm}:{sec}{frac or ''}{offset}")
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.fullmatch(value):
        return False
    date.fromisoformat(value)
    return True


_FORMATS.checks("date-time", raises=ValueError)(_is_datetime)
_FORMATS.checks("date", raises=ValueError)(_is_date)


# --------------------------------------------------------------------------- loading


def _refuse(uri: str) -> Resource[Any]:
    raise NoSuchResource(uri)


@functools.cache
def _load(path: str) -> dict[str, Any]:
    text = resources.files(_PACKAGE).joinpath(path).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise TypeError(f"{path} is not a JSON object")
    return data


@functools.cache
def _registry() -> Registry[Any]:
    """All bundled schemas, keyed by their own ``$id``; unknown URIs are refused, not fetched."""
    registry: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]
    for path in (_STRICT_ACHIEVEMENT, *_TOLERANT.values()):
        schema = _load(path)
        resource = Resource.from_contents(schema, default_specification=DRAFT201909)
        registry = registry.with_resource(schema["$id"], resource)
    return registry.crawl()


@functools.cache
def _validator(path: str, pointer: str = "") -> Draft201909Validator:
    """Compile once per (file, $defs pointer); validators are immutable and thread-safe."""
    schema = _load(path)
    if pointer:
        schema = {
            "$schema": schema["$schema"],
            "$ref": f"{schema['$id']}#{pointer}",
        }
    return Draft201909Validator(schema, registry=_registry(), format_checker=_FORMATS)


# --------------------------------------------------------------------------- messages


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


_JSON_TYPES: Final = {dict: "object", list: "array", str: "string", bool: "boolean"}


def _message(error: ValidationError) -> str:
    """jsonschema prefixes messages with repr(instance); replace a long one by its JSON type."""
    message = str(error.message)
    shown = repr(error.instance)
    if len(shown) > 60 and message.startswith(shown):
        kind = _JSON_TYPES.get(type(error.instance), type(error.instance).__name__)
        message = f"<{kind}>{message[len(shown) :]}"
    return message


def _type_mismatch(error: ValidationError) -> bool:
    """True when the error only says "this branch expects another JSON type"."""
    if error.relative_path:
        return False
    if error.validator == "type":
        return True
    return error.validator in ("anyOf", "oneOf") and all(_type_mismatch(c) for c in error.context)


def _closest(context: list[ValidationError]) -> ValidationError:
    """Pick the most useful anyOf/oneOf branch error: skip branches whose type did not match.

    ``best_match`` alone tends to report "is not of type 'string'" for a Profile object, which
    hides the real problem inside the object branch.
    """
    wrong_type = {e.schema_path[0] for e in context if _type_mismatch(e)}
    useful = [e for e in context if e.schema_path and e.schema_path[0] not in wrong_type]
    found: ValidationError = best_match(useful or context)
    return _closest(list(found.context)) if found.context else found


def _format(error: ValidationError) -> str:
    parts = list(error.absolute_path)
    message = _message(error)
    if error.validator == "required" and isinstance(error.instance, Mapping):
        # Name the missing property in the path: "a.b.name: 'name' is a required property".
        for name in error.validator_value:
            if name not in error.instance and message.startswith(repr(name)):
                parts.append(name)
                break
    elif error.context:
        closest = _closest(error.context)
        where = _path(closest.absolute_path)
        message = f"{_shorten(message)} (closest: {where}: {_shorten(_message(closest))})"
    return f"{_path(parts)}: {_shorten(message)}"


def _run(validator: Draft201909Validator, instance: object) -> list[str]:
    errors = sorted(
        validator.iter_errors(instance),
        key=lambda e: ([str(p) for p in e.absolute_path], e.message),
    )
    return [_format(e) for e in errors]


# --------------------------------------------------------------------------- public API


def validate_credential(credential: Mapping[str, Any], *, strict: bool = True) -> list[str]:
    """Validate an AchievementCredential / OpenBadgeCredential; return error messages.

    ``strict=True`` uses the formal schema (what our issuer must emit: arrays everywhere,
    ``proof`` as an array); ``strict=False`` the compaction-tolerant one (what a verifier must
    accept). An empty list means valid.
    """
    path = _STRICT_ACHIEVEMENT if strict else _TOLERANT["achievement"]
    return _run(_validator(path), credential)


def validate_endorsement(credential: Mapping[str, Any], *, strict: bool = False) -> list[str]:
    """Validate an EndorsementCredential (strict = the formal schema's EndorsementCredential)."""
    if strict:
        return _run(_validator(_STRICT_ACHIEVEMENT, "/$defs/EndorsementCredential"), credential)
    return _run(_validator(_TOLERANT["endorsement"]), credential)


def validate_profile(profile: Mapping[str, Any], *, strict: bool = False) -> list[str]:
    """Validate a Profile (issuer document, or GET/PUT /profile body of the OB API)."""
    if strict:
        return _run(_validator(_STRICT_ACHIEVEMENT, "/$defs/Profile"), profile)
    return _run(_validator(_TOLERANT["profile"]), profile)


def validate_get_credentials_response(body: Mapping[str, Any]) -> list[str]:
    """Validate a GET /ims/ob/v3p0/credentials body (``credential`` / ``compactJwsString``)."""
    return _run(_validator(_TOLERANT["response"]), body)


def validate_status_info(body: Mapping[str, Any]) -> list[str]:
    """Validate an Imsx_StatusInfo error payload of the OB API."""
    return _run(_validator(_TOLERANT["statusinfo"]), body)


def validate_with_schema_url(instance: Mapping[str, Any], url: str) -> list[str] | None:
    """Validate against the bundled copy of a published schema URL (``credentialSchema.id``).

    Returns None when the URL is not one of the OB 3.0 schemas we bundle: the caller decides
    what an unknown schema means; we never fetch it.
    """
    path = SCHEMA_URLS.get(url)
    if path is None:
        return None
    return _run(_validator(path), instance)
