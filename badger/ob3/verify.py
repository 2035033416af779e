"""Full verification of an Open Badges 3.0 credential (OB 3.0 §9, FACTS 5).

Why: a badge holder, an employer or a displayer needs one answer they can trust and a list of
plain reasons. Each step yields a :class:`Check` (stable ``name`` + ``code`` for translation,
English ``message``). Decisions worth knowing:

* Every proof of a DI proof set must verify, one of them by the issuer's key. A proof this
  library does not implement (another cryptosuite or proof type, a JOSE ``alg`` other than
  RS256/ES256/EdDSA) is ``unknown`` — "could not check", not "failed"
  (:data:`UNDETERMINED_PROOF_CODES`): alone, or beside a valid one (``proof_set``), the report
  is then not verified; one that fails outright decides whatever unknown proof sits beside it.
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

Where the steps live: the report in :mod:`.report`, the document checks (extraction, format,
schema, terms, validity, recipient) in :mod:`.checks`, the status lists in :mod:`.verify_status`;
this module keeps the proof and key-provenance steps, the embedded endorsements (verified
recursively through :func:`_verify`) and the entry point.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from .checks import (
    check_format,
    check_recipient,
    check_schema,
    check_subject,
    check_terms,
    check_validity,
    detect_kind,
    extract,
)
from .dataintegrity import UNDETERMINED_CODES, ProofResult, issuer_id, proofs_of, verify_proof
from .jsonld import DocumentExpansion
from .jwt import JwtError, decode_unverified, verify_jwt
from .loader import OfflineLoader, default_loader
from .report import (
    ENDORSEMENT,
    KIND_TYPES,
    OPEN_BADGE,
    VERIFIABLE_CREDENTIAL,
    Check,
    CheckState,
    VerificationReport,
    endorsement_withdrawn,
)
from .resolver import KeyProvenance, Resolver, prove_jwt_issuer_key
from .vcdm import check_data_model
from .verify_status import check_status

__all__ = [
    "ENDORSEMENT",
    "OPEN_BADGE",
    "UNDETERMINED_PROOF_CODES",
    "VERIFIABLE_CREDENTIAL",
    "Check",
    "CheckState",
    "VerificationReport",
    "endorsement_withdrawn",
    "verify_credential",
]

#: ``proof`` codes that are "could not check" (state ``unknown``), never "failed": a Data
#: Integrity suite or proof type badger does not implement, a JOSE algorithm it does not
#: implement, a key that could not be fetched.
UNDETERMINED_PROOF_CODES = UNDETERMINED_CODES | {"jwt_alg_unsupported"}

MAX_ENDORSEMENT_DEPTH = 2
#: Embedded endorsements verified per credential (each costs fetches: key, status list).
MAX_ENDORSEMENTS = 16


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
    decisive = result.failed
    if decisive is not None:
        # every proof must verify (a proof set, a chain): one that fails outright decides,
        # whatever valid or unknown proof sits beside it
        report.add("proof", "failed", decisive.message, decisive.code)
        return
    if best.signature_valid:
        if best.binding is not None and best.binding.state == "failed":
            # a valid signature by someone else's key proves nothing about this credential
            report.add("proof", "failed", best.message, "controller_mismatch")
        else:
            report.add("proof", "passed", "The signature is valid.", "proof_valid")
        _add_binding(report, best.binding)
        if result.unchecked:
            # every proof of a set must verify (VC Data Integrity 1.0): one that cannot be
            # checked leaves the credential "could not check", never a quiet "verified"
            report.add(
                "proof_set",
                "unknown",
                f"{len(result.unchecked)} other proof(s) could not be checked (a suite this "
                "verifier does not implement, or a key that could not be fetched); every "
                "proof of a set must verify.",
                "proof_unchecked",
            )
        return
    # only when every proof is of a kind this verifier cannot check is the answer "unknown"
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
    skipped = max(0, len(items) - MAX_ENDORSEMENTS)
    for item in items[:MAX_ENDORSEMENTS]:
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
    elif skipped:
        report.add(
            "endorsements",
            "warning",
            f"Only the first {MAX_ENDORSEMENTS} embedded endorsements were checked; "
            f"{skipped} others were not (nor shown).",
            "too_many",
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
    requested: frozenset[str] = frozenset(),
) -> VerificationReport:
    report = VerificationReport(kind=kinds[0])
    extracted = extract(data, report)
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
        kind = report.kind = detect_kind(credential, kinds)
        if not check_format(credential, report, kind, kinds):
            return report
    else:
        credential = extracted
        report.credential = credential
        report.format = "ldp_vc"
        kind = report.kind = detect_kind(credential, kinds)
        if not check_format(credential, report, kind, kinds):
            return report
    if kind == VERIFIABLE_CREDENTIAL:
        _check_any_vc(credential, report, resolver, now, loader, list_proofs, requested)
        _order(report)
        return report
    check_subject(credential, report, kind)
    check_schema(credential, report, kind)
    expansion = check_terms(credential, report, loader)
    if report.format == "ldp_vc":
        _check_ldp(credential, report, resolver, loader, expansion)
    check_validity(credential, report, now)
    check_status(credential, report, resolver, loader, now, list_proofs)
    if recipient is not None:
        check_recipient(credential, report, recipient)
    _check_endorsements(
        credential, report, resolver, now, loader, depth, list_proofs, endorsement_reports
    )
    _order(report)
    return report


def _check_any_vc(
    credential: dict[str, Any],
    report: VerificationReport,
    resolver: Resolver,
    now: datetime,
    loader: OfflineLoader,
    list_proofs: MutableMapping[str, ProofResult] | None,
    requested: frozenset[str],
) -> None:
    """Any other Verifiable Credential: the data model instead of the Open Badges schema (a
    credential that breaks it is not read further), then the same terms, proofs, key
    provenance and validity; its status only when the caller asked for it (VC-API
    ``options.checks`` naming ``credentialStatus``)."""
    if not check_data_model(credential, report):
        return  # not a well-formed credential: nothing else is worth reading
    expansion = check_terms(credential, report, loader)
    if report.format == "ldp_vc":
        _check_ldp(credential, report, resolver, loader, expansion)
    check_validity(credential, report, now, start_required=False)
    if "credentialStatus" in requested:
        check_status(credential, report, resolver, loader, now, list_proofs)
    elif credential.get("credentialStatus") is not None:
        report.add(
            "status",
            "warning",
            "The credential has a status entry; it was not checked (ask for it with "
            "options.checks: [\"credentialStatus\"]).",
            "not_requested",
        )


_ORDER = [
    "extraction",
    "format",
    "data_model",
    "subject",
    "schema",
    "jsonld",
    "proof",
    "issuer_binding",
    "proof_set",
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
    checks: Collection[str] = (),
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
    :data:`ENDORSEMENT` (a bare EndorsementCredential) and :data:`VERIFIABLE_CREDENTIAL` (any
    other VC: VCDM data-model checks, no Open Badges ones); ``report.kind`` says which was found.
    ``checks``: what a VC-API caller asked for (``options.checks``); a plain VC's status list is
    read only when it names ``credentialStatus`` (badges and endorsements: always).
    """
    accepted = tuple(dict.fromkeys(kinds))
    if not accepted or any(k not in KIND_TYPES for k in accepted):
        raise ValueError(f"kinds must be among {sorted(KIND_TYPES)}, not {list(kinds)!r}")
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
        frozenset(checks),
    )
