"""The document checks of a verification: reading the input (baked image, JSON, JWT), its
format and kind, the Open Badges schema, JSON-LD terms, validity dates and the recipient.

Why apart from :mod:`.verify`: these steps look only at the document (no key, no network);
the proof, key-provenance, status and endorsement steps, which reach out through the
resolver, stay with the entry point.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import baking, safejson, schema
from .dataintegrity import parse_datetime
from .jsonld import DocumentExpansion, JsonLdProcessingError, expand_document
from .jwt import is_compact_jws
from .loader import OfflineLoader
from .model import OB_CONTEXT, VC1_CONTEXT, VC2_CONTEXT, hash_identity, normalise_identity
from .report import ENDORSEMENT, KIND_TYPES, OPEN_BADGE, VERIFIABLE_CREDENTIAL, VerificationReport

MAX_INPUT_BYTES = 8 * 1024 * 1024
_OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"


def extract(data: bytes | str | Mapping[str, Any], report: VerificationReport) -> Any:
    """Return a credential dict, a compact JWS string, or None (check recorded)."""
    if isinstance(data, Mapping):
        report.add("extraction", "passed", "The credential was read as JSON.", "json_object")
        return dict(data)
    raw: bytes = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_INPUT_BYTES:
        report.add("extraction", "failed", "The file is too large to be a badge.", "too_large")
        return None
    source = "text"
    is_png = raw.startswith(b"\x89PNG\r\n\x1a\n")
    if is_png or raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        try:
            payload = baking.unbake(raw)
        except ValueError as exc:
            # BakingError: its code says why (duplicate_credential, compressed_credential,
            # text_chunk_credential, verify_mismatch, dtd, too_many_pixels, corrupt, ...).
            reason = getattr(exc, "code", "corrupt")
            message = f"The image could not be read ({reason}): {exc}"
            report.add("extraction", "failed", message, "bad_image")
            return None
        if payload is None:
            report.add("extraction", "failed", "The image contains no badge.", "not_baked")
            return None
        source = "PNG" if is_png else "SVG"
        text = payload
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.add("extraction", "failed", "The data is not UTF-8 text.", "not_utf8")
            return None
    text = text.strip()
    if text.startswith("{"):
        try:
            value = safejson.loads(text)
        except ValueError as exc:
            report.add("extraction", "failed", f"The JSON is malformed: {exc}", "bad_json")
            return None
        if not isinstance(value, dict):
            report.add("extraction", "failed", "The JSON is not an object.", "bad_json")
            return None
        report.add("extraction", "passed", f"The credential was read as JSON ({source}).", "json")
        return value
    if is_compact_jws(text):
        report.add("extraction", "passed", f"A signed JWT was found ({source}).", "jwt")
        return text
    report.add(
        "extraction", "failed", "No credential (JSON or JWT) was found in the data.", "not_found"
    )
    return None


# --------------------------------------------------------------------------- format / schema


def _types(value: Any) -> list[str]:
    t = value.get("type") if isinstance(value, Mapping) else None
    items = t if isinstance(t, list) else [t]
    return [x for x in items if isinstance(x, str)]


def detect_kind(credential: Mapping[str, Any], kinds: tuple[str, ...]) -> str:
    """The accepted kind the credential's ``type`` names (none named: any VC when accepted,
    else the first accepted kind)."""
    types = set(_types(credential))
    # a badge or an endorsement is a VerifiableCredential too: the specific kinds first
    for kind in sorted(kinds, key=lambda k: k == VERIFIABLE_CREDENTIAL):
        if KIND_TYPES[kind] & types:
            return kind
    return VERIFIABLE_CREDENTIAL if VERIFIABLE_CREDENTIAL in kinds else kinds[0]


def check_format(
    credential: Mapping[str, Any],
    report: VerificationReport,
    kind: str,
    kinds: tuple[str, ...] = (),
) -> bool:
    ctx = credential.get("@context")
    ctx_list = ctx if isinstance(ctx, list) else [ctx]
    first = ctx_list[0] if ctx_list else None
    if not isinstance(ctx, list) or not all(isinstance(c, str | dict) for c in ctx_list):
        first = None  # an ordered set (JSON array) of URLs and objects, nothing else
    if first == VC2_CONTEXT:
        report.vc_version = "2.0"
    elif first == VC1_CONTEXT:
        report.vc_version = "1.1"
    else:
        report.add(
            "format",
            "failed",
            "The @context must be an array whose first item is the Verifiable Credentials 2.0 "
            "or 1.1 context.",
            "bad_context",
        )
        return False
    types = _types(credential)
    wanted = KIND_TYPES[kind]
    if "VerifiableCredential" not in types or not wanted & set(types):
        named = set().union(*(KIND_TYPES[k] for k in (kinds or (kind,))))
        report.add(
            "format",
            "failed",
            f"The type must include VerifiableCredential and {' or '.join(sorted(named))}.",
            "not_vc" if kind == VERIFIABLE_CREDENTIAL else "bad_type",
        )
        return False
    if kind == VERIFIABLE_CREDENTIAL:
        report.add(
            "format", "passed", f"Verifiable Credential {report.vc_version}.", "vc_credential"
        )
        return True
    ob = [c for c in ctx_list if isinstance(c, str) and c.startswith(_OB_CONTEXT_PREFIX)]
    if not ob:
        report.add("format", "failed", "The Open Badges 3.0 context is missing.", "no_ob_context")
        return False
    if len(ctx_list) < 2 or ctx_list[1] != OB_CONTEXT:
        report.add(
            "format",
            "warning",
            f"Open Badges context {ob[0]} is not the expected 3.0.3 context in second position.",
            "ob_context_variant",
        )
    else:
        report.add(
            "format",
            "passed",
            f"Verifiable Credential {report.vc_version} with the Open Badges 3.0 context.",
            f"vc{report.vc_version.replace('.', '')}",
        )
    return True


def check_subject(credential: Mapping[str, Any], report: VerificationReport, kind: str) -> None:
    if kind != OPEN_BADGE:
        return
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or not (subject.get("id") or subject.get("identifier")):
        report.add(
            "subject",
            "failed",
            "The recipient (credentialSubject) needs an id or an identifier.",
            "no_recipient",
        )


def check_schema(credential: dict[str, Any], report: VerificationReport, kind: str) -> None:
    if report.vc_version != "2.0":
        report.add(
            "schema",
            "warning",
            "VCDM 1.1 credential: the Open Badges 3.0 JSON schemas do not cover it.",
            "schema_not_applicable",
        )
        return
    if kind == ENDORSEMENT:
        errors = schema.validate_endorsement(credential)
        if errors:
            report.add(
                "schema",
                "failed",
                "The endorsement does not match the schema: " + "; ".join(errors[:5]),
                "schema_invalid",
            )
        else:
            report.add("schema", "passed", "The endorsement matches the schema.", "schema_valid")
        return
    strict = schema.validate_credential(credential, strict=True)
    if not strict:
        report.add(
            "schema", "passed", "The credential matches the Open Badges schema.", "schema_valid"
        )
        return
    tolerant = schema.validate_credential(credential, strict=False)
    if not tolerant:
        report.add(
            "schema",
            "warning",
            "The credential matches the compaction-tolerant schema but not the strict one: "
            + "; ".join(strict[:3]),
            "schema_tolerant_only",
        )
    else:
        report.add(
            "schema",
            "failed",
            "The credential does not match the Open Badges schema: " + "; ".join(tolerant[:5]),
            "schema_invalid",
        )


def check_terms(
    credential: Mapping[str, Any], report: VerificationReport, loader: OfflineLoader
) -> DocumentExpansion | None:
    """Record the "jsonld" check; return the expansion for the proof check to reuse."""
    try:
        expansion = expand_document(credential, loader=loader)
    except JsonLdProcessingError as exc:
        report.add("jsonld", "failed", str(exc), "jsonld_error")
        return None
    except LookupError as exc:
        report.add("jsonld", "failed", str(exc), "unknown_context")
        return None
    found = expansion.found
    if found:
        listed = ", ".join(str(t) for t in found[:10])
        report.add(
            "jsonld",
            "failed",
            f"The credential uses terms no context defines (they would not be signed): {listed}",
            "undefined_terms",
        )
    else:
        report.add("jsonld", "passed", "Every term is defined by the credential's contexts.", "ok")
    return expansion



def check_validity(
    credential: Mapping[str, Any],
    report: VerificationReport,
    now: datetime,
    *,
    start_required: bool = True,
) -> None:
    """The validity window. ``start_required``: False for a plain VCDM 2.0 credential, whose
    ``validFrom`` is optional (Open Badges require it; VCDM 1.1 requires ``issuanceDate``)."""
    start_key, end_key = (
        ("issuanceDate", "expirationDate")
        if report.vc_version == "1.1"
        else ("validFrom", "validUntil")
    )
    start_raw = credential.get(start_key)
    start = parse_datetime(start_raw)
    if start is None and (start_required or report.vc_version == "1.1" or start_raw is not None):
        report.add("validity", "failed", f"{start_key} is missing or invalid.", "bad_dates")
        return
    end_raw = credential.get(end_key)
    end = parse_datetime(end_raw) if end_raw is not None else None
    if end_raw is not None and end is None:
        report.add("validity", "failed", f"{end_key} is not a valid date-time.", "bad_dates")
        return
    if start is not None and now < start:
        report.add(
            "validity",
            "failed",
            f"The credential is not valid before {start_key} {start:%Y-%m-%d}.",
            "not_yet_valid",
        )
    elif end is not None and now >= end:
        report.add("validity", "failed", f"The credential expired on {end:%Y-%m-%d}.", "expired")
    else:
        report.add("validity", "passed", "The credential is within its validity period.", "valid")



def check_recipient(
    credential: Mapping[str, Any], report: VerificationReport, recipient: tuple[str, str]
) -> None:
    value, identity_type = recipient
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        report.add("recipient", "failed", "The credential has no recipient.", "no_recipient")
        return
    if identity_type in {"id", "did", "url"}:
        ok = subject.get("id") == value
    else:
        ok = False
        ids = subject.get("identifier")
        for ident in ids if isinstance(ids, list) else [ids]:
            if not isinstance(ident, Mapping) or ident.get("identityType") != identity_type:
                continue
            stored = str(ident.get("identityHash", ""))
            if ident.get("hashed"):
                alg, _, digest = stored.partition("$")
                if alg.lower() != "sha256":
                    continue
                salt = ident.get("salt")
                computed = hash_identity(
                    value, salt if isinstance(salt, str) else None, identity_type=identity_type
                )
                ok = computed.lower() == f"sha256${digest.lower()}"
            else:
                ok = normalise_identity(stored, identity_type) == normalise_identity(
                    value, identity_type
                )
            if ok:
                break
    if ok:
        report.add("recipient", "passed", "The credential was issued to this recipient.", "match")
    else:
        report.add(
            "recipient", "failed", "The credential was not issued to this recipient.", "mismatch"
        )
