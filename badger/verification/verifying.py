"""Verifying what people hand us (:func:`verify_document`): a badge or a bare
EndorsementCredential (a network vouching for a member issuer), for the verify page, the
VC-API and the CLI.

An endorsement without a status list is still withdrawable: badger's networks answer
``410 Gone`` at a withdrawn endorsement's id, so such an endorsement whose id is a web address
is looked up there (:func:`_check_publication`). One of this server's own badges whose status
bit is set is explained from its records (:func:`_explain_own_revoked_copy`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from badger.awards import copy_state
from badger.ob3 import Check, Resolver, VerificationReport, verify_credential
from badger.ob3.report import ENDORSEMENT, OPEN_BADGE, VERIFIABLE_CREDENTIAL
from badger.ob3.resolver import ResolutionError
from badger.resolver import HttpStatusError
from badger.verification.reading import check_input
from badger.verification.trust import with_registry_check

#: What the verify page and the CLI accept: a badge or a bare endorsement.
DOCUMENT_KINDS = (OPEN_BADGE, ENDORSEMENT)
#: What the VC-API (``/credentials/verify``, ``/presentations/verify``) accepts: any Verifiable
#: Credential; badges and endorsements still get every Open Badges check.
VC_API_KINDS = (OPEN_BADGE, ENDORSEMENT, VERIFIABLE_CREDENTIAL)


def unwrap_enveloped(item: Any) -> Any:
    """A VCDM 2.0 ``EnvelopedVerifiableCredential`` (``data:application/vc+jwt,<jws>``) as the
    compact JWS it carries; anything else as given."""
    if isinstance(item, Mapping) and item.get("type") == "EnvelopedVerifiableCredential":
        return str(item.get("id", "")).partition(",")[2]
    return item


def verify_document(
    data: bytes | str | Mapping[str, Any],
    resolver: Resolver,
    *,
    now: datetime | None = None,
    session: Session | None = None,
    kinds: tuple[str, ...] = DOCUMENT_KINDS,
    checks: tuple[str, ...] = (),
) -> VerificationReport:
    """Verify a badge or a bare EndorsementCredential (verify page, VC-API, CLI); with
    ``kinds=VC_API_KINDS`` any other Verifiable Credential too (``checks``: the VC-API's
    ``options.checks``).

    A badge's report is exactly the library's (which already requires the signing key to be
    proven the issuer's). A bare endorsement without a status list is also looked up at its own
    address (:func:`_check_publication`): badger's networks withdraw one by answering 410.
    """
    report = verify_credential(data, resolver=resolver, now=now, kinds=kinds, checks=checks)
    if report.kind == ENDORSEMENT:
        _check_publication(report, resolver)
    elif report.kind == VERIFIABLE_CREDENTIAL:
        return report
    elif session is not None:
        _explain_own_revoked_copy(report, session)
    return with_registry_check(report)


def _explain_own_revoked_copy(report: VerificationReport, session: Session) -> None:
    """One of this server's badges whose bit is set may be suspended, a copy made before a
    lifted suspension (re-issued since), or withdrawn because its holder erased their data: say
    so rather than "the issuer withdrew it". Only badger's own records can tell; the status
    check stays failed either way."""
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



def verify_bytes(
    data: bytes, resolver: Resolver, *, session: Session | None = None
) -> VerificationReport:
    check_input(data)
    return verify_document(data, resolver, session=session)

