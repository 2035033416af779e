"""Full verification of an Open Badges 3.0 credential (OB 3.0 §9, FACTS 5).

Why: a badge holder, an employer or a displayer needs one answer they can trust and a list of
plain reasons. Each step yields a :class:`Check` (stable ``name`` + ``code`` for translation,
English ``message``). Decisions worth knowing:

* Any one valid proof suffices (DI proof set or VC-JWT). A proof this library does not
  implement (another cryptosuite or proof type, a JOSE ``alg`` other than RS256/ES256/EdDSA) is
  ``unknown`` — "could not check", not "failed" (:data:`UNDETERMINED_PROOF_CODES`); with no valid
  proof, one that fails outright decides whatever unknown proof sits beside it.
* The strict 1EdTech schema failing while the compaction-tolerant one passes is a warning.
* A status list that cannot be fetched, verified or parsed gives status ``unknown``, never
  "not revoked"; the report is then NOT verified and its overall state is ``unknown``. The same
  holds when the signing key cannot be resolved (likely a network problem, not a forgery).
* The signing key must be proven to be the issuer's: listed by the issuer's own document or
  DID, or (VC-JWT) published under the issuer's domain. Anyone can sign with a key of their own
  and write any issuer, so an unproven key fails; an issuer document or JWKS that cannot be
  fetched leaves ``issuer_binding`` unknown, and the report is then not verified.
* Embedded endorsements (of the credential, its issuer Profile and its achievement) are
  verified recursively; a failed endorsement fails the credential (the spec lists it as a
  verification step: a forged or altered endorsement is a forgery), an endorsement whose own
  status is unknown only adds a warning, and so does a genuine endorsement whose only failure is
  its status — withdrawn by its endorser since the credential was signed (code ``withdrawn``):
  the endorser no longer vouches for the issuer, but that says nothing against the credential
  itself.
* A caller verifying many credentials at once (a share page of 50 badges from one issuer, all
  embedding the same network endorsement in their issuer Profile) may pass
  ``endorsement_reports``: each embedded endorsement is then verified once per batch, keyed by a
  digest of the whole signed endorsement (proof included), so an altered copy is verified on its
  own. The caller keeps the mapping for one batch only (a withdrawal must show on the next).
* The optional recipient check compares a known identity with ``id`` or hashed identifiers
  using :func:`badger.ob3.model.hash_identity` (the same normalisation the issuer used).
* ``kinds`` says what the caller accepts. By default only an OpenBadgeCredential /
  AchievementCredential (portfolio and API imports must not take anything else); a verify page
  also passes :data:`ENDORSEMENT` to check a bare EndorsementCredential with the same steps
  (format, EndorsementCredential schema, terms, proof, issuer binding, validity, status).
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from . import safejson
from .dataintegrity import (
    UNDETERMINED_CODES,
    ProofResult,
    issuer_id,
    parse_datetime,
    proofs_of,
    verify_proof,
)
from .jsonld import DocumentExpansion, JsonLdProcessingError, expand_document
from .jwt import JwtError, decode_unverified, is_compact_jws, verify_jwt
from .loader import OfflineLoader, default_loader
from .model import OB_CONTEXT, VC1_CONTEXT, VC2_CONTEXT, hash_identity, normalise_identity
from .resolver import KeyProvenance, ResolutionError, Resolver, prove_jwt_issuer_key

__all__ = [
    "ENDORSEMENT",
    "OPEN_BADGE",
    "UNDETERMINED_PROOF_CODES",
    "Check",
    "CheckState",
    "VerificationReport",
    "verify_credential",
]

CheckState = Literal["passed", "failed", "warning", "unknown"]

#: ``proof`` codes that are "could not check" (state ``unknown``), never "failed": a Data
#: Integrity suite or proof type badger does not implement, a JOSE algorithm it does not
#: implement, a key that could not be fetched.
UNDETERMINED_PROOF_CODES = UNDETERMINED_CODES | {"jwt_alg_unsupported"}

MAX_INPUT_BYTES = 8 * 1024 * 1024
MAX_ENDORSEMENT_DEPTH = 2
_OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"

#: The kinds a report can be about (``VerificationReport.kind``).
OPEN_BADGE = "OpenBadgeCredential"
ENDORSEMENT = "EndorsementCredential"
_KIND_TYPES: dict[str, frozenset[str]] = {
    OPEN_BADGE: frozenset({"OpenBadgeCredential", "AchievementCredential"}),
    ENDORSEMENT: frozenset({"EndorsementCredential"}),
}


@dataclass(frozen=True, slots=True)
class Check:
    """One verification step: ``name`` is the step, ``code`` the precise outcome."""

    name: str
    state: CheckState
    message: str
    code: str

    def to_dict(self) -> dict[str, str]:
        """JSON-serialisable form."""
        return {"name": self.name, "state": self.state, "code": self.code, "message": self.message}


@dataclass(slots=True)
class VerificationReport:
    """Everything a caller needs to display and explain the result."""

    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    format: str | None = None  # 'ldp_vc' or 'jwt'
    vc_version: str | None = None  # '2.0' or '1.1'
    kind: str = "OpenBadgeCredential"
    proof_types: list[str] = field(default_factory=list)
    endorsements: list[VerificationReport] = field(default_factory=list)

    def add(self, name: str, state: CheckState, message: str, code: str) -> None:
        """Record a check."""
        self.checks.append(Check(name, state, message, code))

    def check(self, name: str) -> Check | None:
        """The check called ``name``, if it ran."""
        return next((c for c in self.checks if c.name == name), None)

    @property
    def state(self) -> str:
        """'failed' if any check failed, 'unknown' if proof, key provenance or status is
        undetermined, else 'verified'."""
        if any(c.state == "failed" for c in self.checks):
            return "failed"
        proof = self.check("proof")
        if proof is None or proof.state != "passed":
            return "unknown"
        undetermined = {"status", "proof", "issuer_binding"}
        if any(c.state == "unknown" and c.name in undetermined for c in self.checks):
            return "unknown"
        return "verified"

    @property
    def verified(self) -> bool:
        """True only if no check failed, a proof passed, its key is the issuer's and the status
        is known."""
        return self.state == "verified"

    @property
    def issuer_id(self) -> str | None:
        """Issuer id of the extracted credential."""
        return issuer_id(self.credential) if self.credential else None

    @property
    def issuer_name(self) -> str | None:
        """Issuer display name, if the issuer is a Profile object."""
        issuer = (self.credential or {}).get("issuer")
        if isinstance(issuer, Mapping) and isinstance(issuer.get("name"), str):
            return str(issuer["name"])
        return None

    @property
    def achievement_name(self) -> str | None:
        """Name of the achievement (or the credential name for endorsements)."""
        subject = (self.credential or {}).get("credentialSubject")
        if isinstance(subject, list) and subject:
            subject = subject[0]
        if isinstance(subject, Mapping):
            ach = subject.get("achievement")
            if isinstance(ach, Mapping) and isinstance(ach.get("name"), str):
                return str(ach["name"])
        name = (self.credential or {}).get("name")
        return name if isinstance(name, str) else None

    @property
    def endorsed_id(self) -> str | None:
        """What an EndorsementCredential vouches for (its subject's id); None otherwise."""
        if self.kind != ENDORSEMENT:
            return None
        subject = _first_subject(self.credential)
        value = subject.get("id") if subject is not None else None
        return value if isinstance(value, str) else None

    @property
    def endorsement_comment(self) -> str | None:
        """The endorser's words (``endorsementComment``) of an EndorsementCredential."""
        if self.kind != ENDORSEMENT:
            return None
        subject = _first_subject(self.credential)
        value = subject.get("endorsementComment") if subject is not None else None
        return value if isinstance(value, str) else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable report (includes the extracted credential)."""
        out = self._to_dict()
        if self.kind == ENDORSEMENT:
            out["endorsedId"] = self.endorsed_id
            out["endorsementComment"] = self.endorsement_comment
        return out

    def _to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "state": self.state,
            "kind": self.kind,
            "format": self.format,
            "vcVersion": self.vc_version,
            "issuerId": self.issuer_id,
            "issuerName": self.issuer_name,
            "achievementName": self.achievement_name,
            "proofTypes": list(self.proof_types),
            "checks": [c.to_dict() for c in self.checks],
            "endorsements": [e.to_dict() for e in self.endorsements],
            "credential": self.credential,
        }


def _first_subject(credential: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    subject = (credential or {}).get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    return subject if isinstance(subject, Mapping) else None


# --------------------------------------------------------------------------- extraction


def _extract(data: bytes | str | Mapping[str, Any], report: VerificationReport) -> Any:
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
            from . import baking

            payload = baking.unbake(raw)
        except ImportError:  # pragma: no cover - baking ships with the package
            report.add("extraction", "unknown", "Baked images are not supported.", "no_baking")
            return None
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


def _detect_kind(credential: Mapping[str, Any], kinds: tuple[str, ...]) -> str:
    """The accepted kind the credential's ``type`` names (the first accepted one if none)."""
    types = set(_types(credential))
    for kind in kinds:
        if _KIND_TYPES[kind] & types:
            return kind
    return kinds[0]


def _check_format(
    credential: Mapping[str, Any],
    report: VerificationReport,
    kind: str,
    kinds: tuple[str, ...] = (),
) -> bool:
    ctx = credential.get("@context")
    ctx_list = ctx if isinstance(ctx, list) else [ctx]
    first = ctx_list[0] if ctx_list else None
    if first == VC2_CONTEXT:
        report.vc_version = "2.0"
    elif first == VC1_CONTEXT:
        report.vc_version = "1.1"
    else:
        report.add(
            "format",
            "failed",
            "The first @context is neither Verifiable Credentials 2.0 nor 1.1.",
            "bad_context",
        )
        return False
    types = _types(credential)
    wanted = _KIND_TYPES[kind]
    if "VerifiableCredential" not in types or not wanted & set(types):
        named = set().union(*(_KIND_TYPES[k] for k in (kinds or (kind,))))
        report.add(
            "format",
            "failed",
            f"The type must include VerifiableCredential and {' or '.join(sorted(named))}.",
            "bad_type",
        )
        return False
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


def _check_subject(credential: Mapping[str, Any], report: VerificationReport, kind: str) -> None:
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


def _check_schema(credential: dict[str, Any], report: VerificationReport, kind: str) -> None:
    if report.vc_version != "2.0":
        report.add(
            "schema",
            "warning",
            "VCDM 1.1 credential: the Open Badges 3.0 JSON schemas do not cover it.",
            "schema_not_applicable",
        )
        return
    try:
        # imported lazily (and untyped) so a missing optional module degrades to "unknown"
        schema: Any = importlib.import_module("badger.ob3.schema")
    except ImportError:  # pragma: no cover - schema ships with the package
        report.add("schema", "unknown", "Schema validation is not available.", "no_schema")
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


def _check_terms(
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


# --------------------------------------------------------------------------- proofs


def _check_ldp(
    credential: Mapping[str, Any],
    report: VerificationReport,
    resolver: Resolver,
    loader: OfflineLoader,
    expansion: DocumentExpansion | None = None,
) -> None:
    proofs = proofs_of(credential)
    report.proof_types = [
        str(p.get("cryptosuite") or p.get("type")) for p in proofs if isinstance(p, Mapping)
    ]
    result = verify_proof(credential, resolver, loader=loader, expansion=expansion)
    best = result.best
    if best is None:
        report.add("proof", "failed", "The credential has no proof.", "proof_missing")
        return
    if best.signature_valid:
        if best.binding is not None and best.binding.state == "failed":
            # a valid signature by someone else's key proves nothing about this credential
            report.add("proof", "failed", best.message, "controller_mismatch")
        else:
            report.add("proof", "passed", "The signature is valid.", "proof_valid")
        _add_binding(report, best.binding)
        return
    # no valid proof: one that fails outright decides (whatever else was added beside it);
    # only when every proof is of a kind this verifier cannot check is the answer "unknown"
    decisive = next(
        (o for o in result.outcomes if o.code not in UNDETERMINED_PROOF_CODES), None
    )
    if decisive is not None:
        report.add("proof", "failed", decisive.message, decisive.code)
    else:
        report.add("proof", "unknown", best.message, best.code)


def _add_binding(report: VerificationReport, binding: KeyProvenance | None) -> None:
    """The ``issuer_binding`` check, from the one key-provenance rule of :mod:`.resolver`."""
    if binding is None:
        report.add("issuer_binding", "failed", "The credential has no issuer id.", "no_issuer")
    else:
        report.add("issuer_binding", binding.state, binding.message, binding.code)


def _check_jwt(token: str, report: VerificationReport, resolver: Resolver) -> dict[str, Any] | None:
    report.format = "jwt"
    try:
        header, _ = decode_unverified(token)
        report.proof_types = [f"JWT {header.get('alg')}"]
        result = verify_jwt(token, resolver, check_time=False)
    except JwtError as exc:
        state: CheckState = "unknown" if exc.code in UNDETERMINED_PROOF_CODES else "failed"
        report.add("proof", state, str(exc), exc.code)
        return None
    binding = prove_jwt_issuer_key(result.key, issuer_id(result.credential), resolver)
    if binding.state == "failed":
        report.add(
            "proof",
            "failed",
            f"The JWT is signed by a key not proven to be the issuer's: {binding.message}",
            "controller_mismatch",
        )
    else:
        report.add("proof", "passed", "The JWT signature and claims are valid.", "jwt_valid")
    _add_binding(report, binding)
    for warning in result.warnings:
        report.add("jwt_claims", "warning", warning, "jwt_claim_warning")
    return result.credential


# --------------------------------------------------------------------------- validity / status


def _check_validity(
    credential: Mapping[str, Any], report: VerificationReport, now: datetime
) -> None:
    start_key, end_key = (
        ("issuanceDate", "expirationDate")
        if report.vc_version == "1.1"
        else ("validFrom", "validUntil")
    )
    start = parse_datetime(credential.get(start_key))
    if start is None:
        report.add("validity", "failed", f"{start_key} is missing or invalid.", "bad_dates")
        return
    end_raw = credential.get(end_key)
    end = parse_datetime(end_raw) if end_raw is not None else None
    if end_raw is not None and end is None:
        report.add("validity", "failed", f"{end_key} is not a valid date-time.", "bad_dates")
        return
    if now < start:
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


def _status_entries(credential: Mapping[str, Any]) -> list[Any]:
    status = credential.get("credentialStatus")
    if status is None:
        return []
    return list(status) if isinstance(status, list) else [status]


def _list_proof(
    list_doc: Mapping[str, Any],
    resolver: Resolver,
    loader: OfflineLoader,
    memo: MutableMapping[str, ProofResult] | None,
) -> ProofResult:
    """The list credential's proof, verified once per content when the caller keeps ``memo``
    (many credentials of one page share one list)."""
    if memo is None:
        return verify_proof(list_doc, resolver, loader=loader)
    try:
        key = hashlib.sha256(
            json.dumps(list_doc, sort_keys=True, separators=(",", ":")).encode("utf-8")
        ).hexdigest()
    except (TypeError, ValueError):
        return verify_proof(list_doc, resolver, loader=loader)
    result = memo.get(key)
    if result is None:
        result = verify_proof(list_doc, resolver, loader=loader)
        memo[key] = result
    return result


def _bitstring_status(
    entry: Mapping[str, Any],
    credential: Mapping[str, Any],
    resolver: Resolver,
    loader: OfflineLoader,
    now: datetime,
    fetched: dict[str, Any],
    list_proofs: MutableMapping[str, ProofResult] | None = None,
) -> Check:
    from . import statuslist

    purpose = entry.get("statusPurpose")
    url = entry.get("statusListCredential")
    if purpose not in ("revocation", "suspension") or not isinstance(url, str):
        return Check(
            "status", "unknown", f"Unsupported status entry (purpose {purpose!r}).", "unsupported"
        )
    if url not in fetched:
        try:
            fetched[url] = resolver.fetch_json(url)
        except ResolutionError as exc:
            fetched[url] = exc
    list_doc = fetched[url]
    if isinstance(list_doc, Exception):
        return Check(
            "status",
            "unknown",
            f"The status list could not be fetched ({list_doc}); revocation status is unknown.",
            "list_unreachable",
        )
    list_issuer, cred_issuer = issuer_id(list_doc), issuer_id(credential)
    if list_issuer != cred_issuer:
        return Check(
            "status",
            "unknown",
            "The status list is not issued by the credential's issuer; status is unknown.",
            "list_wrong_issuer",
        )
    proof = _list_proof(list_doc, resolver, loader, list_proofs)
    if not proof.verified:
        return Check(
            "status",
            "unknown",
            f"The status list's signature could not be verified ({proof.message}).",
            "list_unverified",
        )
    until = parse_datetime(list_doc.get("validUntil"))
    if until is not None and now >= until:
        return Check("status", "unknown", "The status list has expired.", "list_expired")
    try:
        is_set = statuslist.read_status(list_doc, entry)
    except statuslist.StatusListError as exc:
        return Check("status", "unknown", f"The status list is unusable: {exc}", "list_invalid")
    if is_set:
        if purpose == "revocation":
            return Check("status", "failed", "The issuer has revoked this credential.", "revoked")
        return Check("status", "failed", "The issuer has suspended this credential.", "suspended")
    return Check(
        "status",
        "passed",
        f"The status list says the credential is not {_PAST[str(purpose)]}.",
        "not_revoked" if purpose == "revocation" else "not_suspended",
    )


_PAST = {"revocation": "revoked", "suspension": "suspended"}


def _revocation_list_status(
    entry: Mapping[str, Any], credential: Mapping[str, Any], resolver: Resolver
) -> Check:
    url = entry.get("id")
    if not isinstance(url, str):
        return Check("status", "unknown", "The revocation list has no URL.", "list_invalid")
    try:
        doc = resolver.fetch_json(url)
    except ResolutionError as exc:
        return Check(
            "status",
            "unknown",
            f"The revocation list could not be fetched ({exc}); status is unknown.",
            "list_unreachable",
        )
    revoked = doc.get("revokedCredential")
    if not isinstance(revoked, list):
        return Check("status", "unknown", "The revocation list is malformed.", "list_invalid")
    cid = credential.get("id")
    for item in revoked:
        if isinstance(item, Mapping) and item.get("id") == cid and item.get("revoked", True):
            return Check("status", "failed", "The issuer has revoked this credential.", "revoked")
    return Check(
        "status", "passed", "The revocation list does not list this credential.", "not_revoked"
    )


def _check_status(
    credential: Mapping[str, Any],
    report: VerificationReport,
    resolver: Resolver,
    loader: OfflineLoader,
    now: datetime,
    list_proofs: MutableMapping[str, ProofResult] | None = None,
) -> None:
    entries = _status_entries(credential)
    if not entries:
        report.add(
            "status", "passed", "The credential carries no revocation information.", "no_status"
        )
        return
    results: list[Check] = []
    fetched: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, Mapping):
            results.append(Check("status", "unknown", "Malformed credentialStatus.", "unsupported"))
        elif entry.get("type") == "BitstringStatusListEntry":
            results.append(
                _bitstring_status(entry, credential, resolver, loader, now, fetched, list_proofs)
            )
        elif entry.get("type") == "1EdTechRevocationList":
            results.append(_revocation_list_status(entry, credential, resolver))
        else:
            results.append(
                Check(
                    "status",
                    "unknown",
                    f"Unsupported status type {entry.get('type')!r}.",
                    "unsupported",
                )
            )
    for state in ("failed", "unknown"):
        bad = [r for r in results if r.state == state]
        if bad:
            report.checks.append(bad[0])
            return
    if len(results) == 1:
        report.checks.append(results[0])
    else:
        report.add("status", "passed", " ".join(r.message for r in results), "not_revoked")


# --------------------------------------------------------------------------- recipient


def _check_recipient(
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


# --------------------------------------------------------------------------- endorsements


def _embedded_endorsements(credential: Mapping[str, Any]) -> list[Any]:
    holders: list[Any] = [credential, credential.get("issuer")]
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping):
        holders.append(subject.get("achievement"))
    found: list[Any] = []
    for holder in holders:
        if not isinstance(holder, Mapping):
            continue
        for key in ("endorsement", "endorsementJwt"):
            value = holder.get(key)
            if value is not None:
                found.extend(value if isinstance(value, list) else [value])
    return found


def endorsement_withdrawn(report: VerificationReport) -> bool:
    """A genuine endorsement (proof and key provenance passed) whose only failed check is its
    status (revoked or suspended by its endorser)."""
    failed = [c for c in report.checks if c.state == "failed"]
    return (
        bool(failed)
        and all(c.name == "status" and c.code in {"revoked", "suspended"} for c in failed)
        and all(
            (c := report.check(name)) is not None and c.state == "passed"
            for name in ("proof", "issuer_binding")
        )
    )


def _endorsement_key(data: Mapping[str, Any] | str, depth: int) -> str | None:
    """Memo key of an embedded endorsement at ``depth``: a digest of its canonical JSON bytes
    (the whole signed document, proof included; a VC-JWT's compact text), None when it cannot
    be serialised (then it is verified without the memo)."""
    try:
        raw = (
            data
            if isinstance(data, str)
            else json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        )
        digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    except (TypeError, ValueError):
        return None
    return f"{depth}:{'jwt' if isinstance(data, str) else 'json'}:{digest}"


def _endorsement_report(
    data: Mapping[str, Any] | str,
    resolver: Resolver,
    now: datetime,
    loader: OfflineLoader,
    depth: int,
    list_proofs: MutableMapping[str, ProofResult] | None,
    memo: MutableMapping[str, VerificationReport] | None,
) -> VerificationReport:
    """An embedded endorsement's report, verified once per content when the caller keeps
    ``memo`` (every badge of one issuer embeds the same network endorsement). Each caller gets
    its own copy of the report, as it would without the memo."""
    key = _endorsement_key(data, depth) if memo is not None else None
    if memo is None or key is None:
        return _verify(data, resolver, now, None, loader, (ENDORSEMENT,), depth, list_proofs, memo)
    kept = memo.get(key)
    if kept is None:
        kept = _verify(data, resolver, now, None, loader, (ENDORSEMENT,), depth, list_proofs, memo)
        memo[key] = kept
    return _copy_report(kept)


def _copy_report(report: VerificationReport) -> VerificationReport:
    """A report no other report shares a list or dict with (checks themselves are frozen)."""
    return replace(
        report,
        checks=list(report.checks),
        credential=dict(report.credential) if report.credential is not None else None,
        proof_types=list(report.proof_types),
        endorsements=[_copy_report(e) for e in report.endorsements],
    )


def _check_endorsements(
    credential: Mapping[str, Any],
    report: VerificationReport,
    resolver: Resolver,
    now: datetime,
    loader: OfflineLoader,
    depth: int,
    list_proofs: MutableMapping[str, ProofResult] | None = None,
    endorsement_reports: MutableMapping[str, VerificationReport] | None = None,
) -> None:
    items = _embedded_endorsements(credential)
    if not items:
        return
    if depth >= MAX_ENDORSEMENT_DEPTH:
        report.add("endorsements", "warning", "Nested endorsements were not checked.", "too_deep")
        return
    for item in items:
        data = item if isinstance(item, Mapping | str) else json.dumps(item)
        report.endorsements.append(
            _endorsement_report(
                data, resolver, now, loader, depth + 1, list_proofs, endorsement_reports
            )
        )
    states = [e.state for e in report.endorsements]
    withdrawn = [e for e in report.endorsements if endorsement_withdrawn(e)]
    if any(e.state == "failed" and all(e is not w for w in withdrawn) for e in report.endorsements):
        report.add("endorsements", "failed", "An endorsement failed verification.", "failed")
    elif withdrawn:
        report.add(
            "endorsements",
            "warning",
            "An endorser has withdrawn its endorsement (its status list says revoked); "
            "the credential itself is not affected.",
            "withdrawn",
        )
    elif "unknown" in states:
        report.add(
            "endorsements", "warning", "An endorsement could not be fully checked.", "unknown"
        )
    else:
        report.add("endorsements", "passed", f"{len(states)} endorsement(s) verified.", "verified")


# --------------------------------------------------------------------------- entry point


def _verify(
    data: bytes | str | Mapping[str, Any],
    resolver: Resolver,
    now: datetime,
    recipient: tuple[str, str] | None,
    loader: OfflineLoader,
    kinds: tuple[str, ...],
    depth: int,
    list_proofs: MutableMapping[str, ProofResult] | None = None,
    endorsement_reports: MutableMapping[str, VerificationReport] | None = None,
) -> VerificationReport:
    report = VerificationReport(kind=kinds[0])
    extracted = _extract(data, report)
    if extracted is None:
        return report
    if isinstance(extracted, str):
        try:
            _, payload = decode_unverified(extracted)
        except JwtError as exc:
            report.add("format", "failed", str(exc), exc.code)
            return report
        vc = payload.get("vc")
        report.credential = (
            dict(vc)
            if isinstance(vc, dict)
            else {
                k: v
                for k, v in payload.items()
                if k not in {"iss", "jti", "nbf", "sub", "exp", "iat"}
            }
        )
        verified_credential = _check_jwt(extracted, report, resolver)
        if verified_credential is not None:
            report.credential = verified_credential
        credential = report.credential
        kind = report.kind = _detect_kind(credential, kinds)
        if not _check_format(credential, report, kind, kinds):
            return report
    else:
        credential = extracted
        report.credential = credential
        report.format = "ldp_vc"
        kind = report.kind = _detect_kind(credential, kinds)
        if not _check_format(credential, report, kind, kinds):
            return report
    _check_subject(credential, report, kind)
    _check_schema(credential, report, kind)
    expansion = _check_terms(credential, report, loader)
    if report.format == "ldp_vc":
        _check_ldp(credential, report, resolver, loader, expansion)
    _check_validity(credential, report, now)
    _check_status(credential, report, resolver, loader, now, list_proofs)
    if recipient is not None:
        _check_recipient(credential, report, recipient)
    _check_endorsements(
        credential, report, resolver, now, loader, depth, list_proofs, endorsement_reports
    )
    _order(report)
    return report


_ORDER = [
    "extraction",
    "format",
    "subject",
    "schema",
    "jsonld",
    "proof",
    "issuer_binding",
    "jwt_claims",
    "validity",
    "status",
    "recipient",
    "endorsements",
]


def _order(report: VerificationReport) -> None:
    report.checks.sort(key=lambda c: _ORDER.index(c.name) if c.name in _ORDER else len(_ORDER))


def verify_credential(
    data: bytes | str | Mapping[str, Any],
    *,
    resolver: Resolver,
    now: datetime | None = None,
    recipient: tuple[str, str] | None = None,
    loader: OfflineLoader | None = None,
    list_proofs: MutableMapping[str, ProofResult] | None = None,
    endorsement_reports: MutableMapping[str, VerificationReport] | None = None,
    kinds: Collection[str] = (OPEN_BADGE,),
) -> VerificationReport:
    """Verify a badge given as baked PNG/SVG bytes, JSON text, a compact JWS or a dict.

    ``recipient`` is ``(value, identity_type)``: e.g. ``("ana@example.fr", "emailAddress")`` or
    ``("did:example:123", "id")``. Never raises for bad input: problems become failed checks.
    ``list_proofs``: a mapping the caller keeps while verifying several credentials with the
    same ``resolver`` (one page): each status list's proof is then verified once per content.
    ``endorsement_reports``: likewise, an empty mapping the caller keeps for one batch (one page)
    with the same ``resolver``: each embedded endorsement (the issuer's network endorsement that
    every badge of a page embeds) is then verified once — canonicalisation, signature, status —
    not once per badge. Keyed by a digest of the whole signed endorsement, so a copy that differs
    in any byte is verified on its own; the result is the same as without the mapping (each
    report gets its own copy). Keep it no longer than the batch: a withdrawal must show on the
    next one, and a result is that of the batch's first verification of the endorsement.
    ``kinds``: what is accepted, among :data:`OPEN_BADGE` (the default, alone) and
    :data:`ENDORSEMENT` (a bare EndorsementCredential); ``report.kind`` says which was found.
    """
    accepted = tuple(dict.fromkeys(kinds))
    if not accepted or any(k not in _KIND_TYPES for k in accepted):
        raise ValueError(f"kinds must be among {sorted(_KIND_TYPES)}, not {list(kinds)!r}")
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return _verify(
        data,
        resolver,
        when,
        recipient,
        loader or default_loader(),
        accepted,
        0,
        list_proofs,
        endorsement_reports,
    )
