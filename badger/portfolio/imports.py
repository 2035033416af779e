"""Badges received elsewhere: verified, taken only when issued to an identity the participant
proved (:mod:`badger.holders`), kept exactly as received, downloadable, deletable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badger import audit
from badger import verification as vservice
from badger.accounts.models import Participant
from badger.db import utcnow
from badger.errors import UserError
from badger.holders.service import holder_proof
from badger.ob3 import verify_credential
from badger.portfolio.models import ImportedCredential
from badger.resolver import app_resolver
from badger.verification import messages

MAX_IMPORTS = 200


def import_credential(
    db: Session,
    participant: Participant,
    data: bytes,
    *,
    resolver: Any = None,
    identities: Iterable[str] = (),
) -> ImportedCredential:
    """Verify and keep an OB 3.0 credential received elsewhere (exactly as received).

    Only a badge issued to the participant is taken: its subject must be an identity they
    proved (:func:`badger.holders.service.holder_proof`; ``identities``: e-mail addresses or
    phone numbers typed for this import, used in memory to recompute a hashed identifier).
    Anyone else's badge is refused (422), so it can never reach a share."""

    kind = vservice.check_input(data)
    count = db.scalar(
        select(func.count())
        .select_from(ImportedCredential)
        .where(ImportedCredential.participant_id == participant.id)
    )
    if (count or 0) >= MAX_IMPORTS:
        raise UserError(_l("Vous avez déjà importé beaucoup de badges."), 422)
    report = verify_credential(data, resolver=resolver or app_resolver())
    if report.credential is None or (report.state == "failed" and report.check("proof") is None):
        reasons = messages.summary(report).reasons
        raise UserError(_l("Ce fichier ne contient pas de badge lisible."), 422, details=reasons)
    if report.check("proof") is not None and report.check("proof").state == "failed":  # type: ignore[union-attr]
        raise UserError(
            _l("Ce badge n'est pas authentique : il n'a pas été importé."),
            422,
            details=messages.summary(report).reasons,
        )
    proof = _holder_proof(db, participant, report.credential, identities)
    imp = ImportedCredential(
        organisation_id=participant.organisation_id,
        participant_id=participant.id,
        format=kind,
        raw=data,
        issuer_id=(report.issuer_id or "")[:500] or None,
        issuer_name=(report.issuer_name or "")[:300] or None,
        achievement_name=(report.achievement_name or "")[:300] or None,
        verified_at=utcnow(),
        last_state=report.state,
        last_report={"state": report.state, "checks": [c.to_dict() for c in report.checks]},
        holder_proof=proof,
    )
    db.add(imp)
    db.flush()
    audit.record(
        db,
        "portfolio.import",
        actor=participant,
        organisation_id=participant.organisation_id,
        obj=imp,
        state=report.state,
        holder_proof=proof,
    )
    return imp


def _holder_proof(
    db: Session, participant: Participant, credential: Any, identities: Iterable[str]
) -> str:
    """How the badge is the participant's (a proven phone, e-mail or DID it was issued to);
    refused otherwise, on import and on binding an older import alike."""
    proof = holder_proof(db, participant, credential, identities)
    if proof is None:
        raise UserError(
            _l(
                "Ce badge n'a pas été remis à une identité que vous avez prouvée (téléphone, "
                "e-mail ou DID) : il n'a pas été importé."
            ),
            422,
        )
    return proof


def bind_import(
    db: Session,
    participant: Participant,
    imp: ImportedCredential,
    identities: Iterable[str] = (),
    *,
    resolver: Any = None,
) -> ImportedCredential:
    """Show that an import kept from before the holder rule is the participant's: verified
    again (a failed proof binds nothing), then its subject matched as on import."""

    if imp.bound:
        return imp
    report = verify_credential(bytes(imp.raw), resolver=resolver or app_resolver())
    proof_check = report.check("proof")
    if report.credential is None or proof_check is None or proof_check.state == "failed":
        raise UserError(_l("Ce badge n'est pas authentique."), 422)
    proof = _holder_proof(db, participant, report.credential, identities)
    imp.holder_proof = proof
    db.flush()
    audit.record(
        db,
        "portfolio.import_bound",
        actor=participant,
        organisation_id=participant.organisation_id,
        obj=imp,
        holder_proof=proof,
    )
    return imp


def delete_import(db: Session, imp: ImportedCredential) -> None:
    db.delete(imp)
    db.flush()


def import_file(imp: ImportedCredential) -> tuple[bytes, str, str]:
    mime = {
        "json": "application/ld+json",
        "jwt": "application/jwt",
        "png": "image/png",
        "svg": "image/svg+xml",
    }.get(imp.format, "application/octet-stream")
    return bytes(imp.raw), mime, f"imported-{imp.id}.{imp.format}"
