"""The ``employer`` role: an organisation's admin (or a network's) vouches for an employer,
who then logs in as a staff user with no organisation; the voucher can revoke them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import audit
from badger.accounts.models import Membership, User
from badger.accounts.service import normalise_email
from badger.db import utcnow
from badger.errors import UserError
from badger.jobs.models import Employer


def vouch(db: Session, *, email: str, name: str, company: str, organisation_id: int | None = None,
          network_id: int | None = None, actor: object = None) -> Employer:
    """Create the employer's account (no password: an invitation link sets it)."""
    email = normalise_email(email)
    company = " ".join(company.split())[:200]
    if "@" not in email or len(email) > 320:
        raise UserError(_l("Adresse e-mail non valable."))
    if not company:
        raise UserError(_l("Donnez le nom de l'entreprise."), 422)
    user = db.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, name=" ".join(name.split())[:200] or email)
        db.add(user)
        db.flush()
    elif db.scalar(select(Membership.id).where(Membership.user_id == user.id)) is not None \
            or user.server_admin or user.network_roles:
        raise UserError(_l("Ce compte fait partie d'une équipe : il ne peut pas être employeur."),
                        409)
    employer = db.scalar(select(Employer).where(Employer.user_id == user.id))
    if employer is not None and employer.revoked_at is None:
        raise UserError(_l("Cet employeur est déjà reconnu."), 409)
    if employer is None:
        employer = Employer(user=user)
        db.add(employer)
    employer.organisation_id, employer.network_id = organisation_id, network_id
    employer.company, employer.created_by_id = company, getattr(actor, "id", None)
    employer.revoked_at = None
    db.flush()
    audit.record(db, "jobs.employer_vouch", actor=actor, organisation_id=organisation_id,
                 obj=employer)
    return employer


def revoke(db: Session, employer: Employer, *, actor: object = None) -> None:
    if employer.revoked_at is None:
        employer.revoked_at = utcnow()
        audit.record(db, "jobs.employer_revoke", actor=actor,
                     organisation_id=employer.organisation_id, obj=employer)
    db.flush()


def of_organisation(db: Session, organisation_id: int) -> list[Employer]:
    return list(db.scalars(select(Employer).where(Employer.organisation_id == organisation_id)
                           .order_by(Employer.company, Employer.id)))


def live_employer(db: Session, user: object) -> Employer | None:
    """The user's employer role while nobody revoked it."""
    if getattr(user, "kind", None) != "staff":
        return None
    user_id = int(getattr(user, "id", 0))
    return db.scalar(select(Employer).where(Employer.user_id == user_id,
                                            Employer.revoked_at.is_(None)))
