"""The ``status`` check of a verification: Bitstring Status Lists (revocation, suspension) and
1EdTech revocation lists, each fetched through the resolver.

A list that cannot be fetched, verified or parsed gives ``unknown``, never "not revoked".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, MutableMapping
from datetime import datetime
from typing import Any

from . import statuslist
from .dataintegrity import ProofResult, issuer_id, parse_datetime, verify_proof
from .loader import OfflineLoader
from .report import Check, VerificationReport
from .resolver import ResolutionError, Resolver


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


def check_status(
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
        elif entry.get("type") in ("BitstringStatusListEntry", "StatusList2021Entry"):
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
