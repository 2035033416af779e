"""Revocation, suspension, re-issue, and withdrawal at the holder's request."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import audit
from badger.awards import evidence as charts
from badger.awards.models import (
    CLAIM_PENDING,
    ISSUED,
    Claim,
    Credential,
    HolderWithdrawal,
)
from badger.awards.signing import sign_and_bake
from badger.awards.status_lists import IndexAllocator, flip_status
from badger.db import utcnow
from badger.errors import UserError
from badger.networks.models import Organisation


def revoke(session: Session, cred: Credential, reason: str, *, actor: Any = None) -> None:
    reason = reason.strip()
    if not reason:
        raise UserError(_l("Indiquez la raison du retrait."), 422)
    if cred.revoked_at is not None:
        raise UserError(_l("Ce badge est déjà retiré."), 409)
    cred.revoked_at = utcnow()
    cred.revocation_reason = reason[:2000]
    cred.public = False
    if cred.state == CLAIM_PENDING:
        for claim in session.scalars(select(Claim).where(Claim.credential_id == cred.id)):
            session.delete(claim)

    charts.forget_revoked(session, cred.id)
    audit.record(session, "award.revoke", actor=actor, organisation_id=cred.organisation_id,
                 obj=cred, reason=reason[:500])
    # Last: a query after the flip would flush the list's 16 KB of bits once more before the
    # commit writes them with the new signature.
    flip_status(session, cred, True)


def suspend(session: Session, cred: Credential, reason: str, *, actor: Any = None) -> None:
    """Suspend: the credential's status bit is set, so every verifier sees it as not valid.

    OB 3.0 allows one ``credentialStatus`` entry and every OB verifier reads the ``revocation``
    purpose only, so suspension sets that bit. Bitstring Status List says a revocation bit is
    never cleared: lifting the suspension re-issues the credential on a fresh bit (``unsuspend``).
    Badger's own pages know the row and say "suspended", not "withdrawn".
    """
    if cred.revoked_at is not None:
        raise UserError(_l("Ce badge est retiré ; il ne peut pas être suspendu."), 409)
    if cred.suspended_at is not None:
        raise UserError(_l("Ce badge est déjà suspendu."), 409)
    if not reason.strip():
        raise UserError(_l("Indiquez la raison de la suspension."), 422)
    cred.suspended_at = utcnow()
    cred.suspension_reason = reason.strip()[:2000]
    flip_status(session, cred, True)
    audit.record(session, "award.suspend", actor=actor, organisation_id=cred.organisation_id,
                 obj=cred, reason=reason.strip()[:500], status_index=cred.revocation_index)
    session.flush()


def unsuspend(session: Session, cred: Credential, *, actor: Any = None) -> None:
    """Lift a suspension: an issued credential is signed again on a new status bit.

    The old bit stays set for ever (copies downloaded before the suspension stay invalid);
    ``awardedDate`` and the credential's id are kept, ``validFrom`` is now.
    """
    if cred.suspended_at is None:
        raise UserError(_l("Ce badge n'est pas suspendu."), 409)
    old_index = cred.revocation_index
    cred.suspended_at = None
    cred.suspension_reason = None
    if cred.state == ISSUED and cred.revocation_list_id is not None:
        org = session.get(Organisation, cred.organisation_id)
        assert org is not None
        cred.revocation_list = None
        cred.revocation_list_id = None
        cred.revocation_index = None
        sign_and_bake(session, cred, allocator=IndexAllocator(session, org))
    audit.record(session, "award.unsuspend", actor=actor, organisation_id=cred.organisation_id,
                 obj=cred, old_status_index=old_index, status_index=cred.revocation_index)
    session.flush()


def reissue(session: Session, cred: Credential, *, actor: Any = None) -> None:
    """Sign again with a new validFrom/validUntil; id, awardedDate and status bit are kept."""
    if cred.revoked_at is not None:
        raise UserError(_l("Un badge retiré ne peut pas être réémis."), 409)
    if cred.suspended_at is not None:
        raise UserError(_l("Ce badge est suspendu : rétablissez-le, il sera réémis."), 409)
    if cred.state != ISSUED:
        raise UserError(_l("Ce badge n'a pas encore été récupéré."), 409)
    org = session.get(Organisation, cred.organisation_id)
    assert org is not None
    sign_and_bake(session, cred, allocator=IndexAllocator(session, org))
    audit.record(session, "award.reissue", actor=actor, organisation_id=cred.organisation_id,
                 obj=cred)
    session.flush()


def withdraw_for_holder(session: Session, cred: Credential) -> None:
    """Withdraw a credential because its holder erases their data: revoked like any other (its
    status bit is set), and recorded as the holder's doing (:class:`HolderWithdrawal`) so that
    badger's pages do not say the issuer withdrew it."""
    revoke(session, cred, "Données effacées à la demande de la personne.")
    session.add(HolderWithdrawal(organisation_id=cred.organisation_id,
                                 credential_uuid=cred.uuid, withdrawn_at=utcnow()))
