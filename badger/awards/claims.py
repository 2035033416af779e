"""Claim codes: a badge held for someone without an address, issued when they redeem it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badger import audit
from badger.awards.common import CLAIM_DAYS, AwardSettings, staff_id
from badger.awards.models import (
    CLAIM_PENDING,
    ISSUED,
    Claim,
    Credential,
)
from badger.awards.signing import recipient_from, sign_and_bake
from badger.awards.status_lists import IndexAllocator
from badger.db import utcnow
from badger.errors import UserError
from badger.networks.models import Organisation
from badger.security import new_code, token_hash

#: How long after its code was redeemed the claim page can still put the badge into a wallet
#: (the claim page's "Mettre dans mon portefeuille"); later the participant logs in to their
#: badges. Never beyond the claim's own expiry.
WALLET_WINDOW = timedelta(hours=1)


def new_claim(session: Session, cred: Credential, *, actor: Any = None,
              days: int = CLAIM_DAYS) -> str:
    """A claim code for a held credential, valid ``days`` (the code itself is never stored)."""
    code = new_code(10)
    session.add(Claim(
        organisation_id=cred.organisation_id,
        credential_id=cred.id,
        code_hash=token_hash(code),
        expires_at=utcnow() + timedelta(days=days),
        created_by_id=staff_id(actor),
    ))
    return code


def renew_claim(session: Session, cred: Credential, *, actor: Any = None,
                settings: AwardSettings | None = None) -> str:
    """A fresh code for a pending claim (the printed one was lost); the old code dies."""
    if cred.state != CLAIM_PENDING:
        raise UserError(_l("Ce badge a déjà été récupéré."), 409)
    old = session.execute(select(Claim).where(Claim.credential_id == cred.id)).scalar_one_or_none()
    if old is not None:
        session.delete(old)
        session.flush()
    code = new_claim(session, cred, actor=actor, days=(settings or AwardSettings()).claim_days)
    audit.record(session, "award.claim_renew", actor=actor, organisation_id=cred.organisation_id,
                 obj=cred)
    session.flush()
    return code


def clean_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())[:32]


def find_claim(session: Session, code: str) -> Claim:
    claim = session.execute(
        select(Claim).where(Claim.code_hash == token_hash(clean_code(code)))
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    if claim is None or claim.redeemed_at is not None:
        raise UserError(_l("Ce code n'est pas valable ou a déjà servi."), 404)
    if claim.expires_at <= utcnow():
        raise UserError(_l("Ce code a expiré. Demandez-en un nouveau à votre coach."), 410)
    held = session.execute(
        select(Credential.suspended_at, Credential.revoked_at)
        .where(Credential.id == claim.credential_id)
        .execution_options(unscoped=True)
    ).one()
    if held.revoked_at is not None:
        raise UserError(_l("Ce badge a été retiré par l'organisme."), 410)
    if held.suspended_at is not None:
        raise UserError(_l("Ce badge est suspendu pour le moment. Votre coach vous dira quand "
                           "le récupérer."), 409)
    return claim


def redeem_claim(session: Session, code: str, *, email: str | None = None,
                 phone: str | None = None, did: str | None = None) -> Credential:
    """Bind an e-mail, a phone or a DID to a held award and issue it. A code works once."""
    claim = find_claim(session, code)
    recipient = recipient_from(email=email, phone=phone, did=did)
    if recipient is None:
        raise UserError(_l("Indiquez une adresse e-mail, un numéro de téléphone ou un DID."), 422)
    now = utcnow()
    # Atomic consume: of two simultaneous redemptions only one updates the row.
    done = session.execute(
        update(Claim).where(Claim.id == claim.id, Claim.redeemed_at.is_(None))
        .values(redeemed_at=now,
                bound_with="did" if did else ("emailAddress" if email else "phone"))
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        raise UserError(_l("Ce code n'est pas valable ou a déjà servi."), 404)
    cred = session.execute(
        select(Credential).where(Credential.id == claim.credential_id)
        .execution_options(unscoped=True)
    ).scalar_one()
    org = session.get(Organisation, cred.organisation_id)
    assert org is not None
    cred.recipient = recipient
    sign_and_bake(session, cred, allocator=IndexAllocator(session, org))
    audit.record(session, "award.claim_redeem", actor=None, organisation_id=cred.organisation_id,
                 obj=cred, bound_with=claim.bound_with if claim.bound_with else None)
    session.flush()
    return cred


def claimed_credential(session: Session, code: str, claimed_here: Collection[int], *,
                       now: datetime | None = None) -> Credential:
    """The badge a claim code issued, for the claim page's wallet button. The code is spent
    once redeemed, so it is not enough: the browser that redeemed it must say so
    (``claimed_here``: the credential ids its session claimed), and only for
    :data:`WALLET_WINDOW` and while the claim lives — a code photographed on the printed
    sheet opens nothing for someone else."""
    now = now or utcnow()
    claim = session.execute(
        select(Claim).where(Claim.code_hash == token_hash(clean_code(code)))
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    if claim is None:
        raise UserError(_l("Ce lien n'est pas valable."), 404)
    if claim.redeemed_at is None:
        raise UserError(_l("Récupérez d'abord votre badge avec ce code."), 404)
    if claim.credential_id not in claimed_here:
        raise UserError(_l("Ce lien ne marche que sur l'appareil où vous avez récupéré le "
                           "badge. Vous pouvez aussi vous connecter à « Mes badges »."), 404)
    if claim.expires_at <= now or claim.redeemed_at + WALLET_WINDOW <= now:
        raise UserError(_l("Ce lien a expiré. Pour mettre le badge dans votre portefeuille, "
                           "connectez-vous à « Mes badges »."), 410)
    cred = session.execute(
        select(Credential).where(Credential.id == claim.credential_id, Credential.state == ISSUED)
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    if cred is None:
        raise UserError(_l("Badge introuvable."), 404)
    return cred
