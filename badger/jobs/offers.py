"""Offers: posted by an employer (audience: whoever vouches for them) or imported for an
organisation. Each needs savoir-être: competences of one published référentiel version with a
minimum level on its 0–5 scale."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from badger import audit
from badger.db import utcnow
from badger.errors import UserError
from badger.jobs import rome
from badger.jobs.models import CONTRACTS, Employer, Offer, Requirement
from badger.networks.models import NetworkMembership
from badger.referentiels.models import Adoption, Competence, ReferentielVersion

MAX_DAYS = 180
MAX_REQUIREMENTS = 12


@dataclass
class OfferInput:
    title: str
    rome_code: str
    place: str
    postcode: str
    contract: str
    expires_on: date
    #: (competence id, minimum level, the recruiter word it was picked through)
    requirements: list[tuple[int, int, str]] = field(default_factory=list)
    description: str = ""


def _clean(text: str, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def audience_organisations(db: Session, employer: Employer) -> list[int]:
    if employer.organisation_id is not None:
        return [employer.organisation_id]
    return list(db.scalars(select(NetworkMembership.organisation_id).where(
        NetworkMembership.network_id == employer.network_id)))


def usable_versions(db: Session, organisation_ids: list[int]) -> list[ReferentielVersion]:
    """The published versions the audience's organisations adopted (their participants'
    levels are on those)."""
    stmt = (select(ReferentielVersion).join(Adoption, Adoption.version_id == ReferentielVersion.id)
            .where(Adoption.organisation_id.in_(organisation_ids),
                   ReferentielVersion.status == "published")
            .order_by(ReferentielVersion.id).execution_options(unscoped=True))
    return list(dict.fromkeys(db.scalars(stmt)))


def _requirements(db: Session, data: OfferInput,
                  allowed: list[ReferentielVersion]) -> tuple[int, list[Requirement]]:
    if not data.requirements:
        raise UserError(_l("Choisissez au moins un savoir-être demandé."), 422)
    if len(data.requirements) > MAX_REQUIREMENTS:
        raise UserError(_l("Trop de savoir-être demandés."), 422)
    ids = [cid for cid, _level, _word in data.requirements]
    comps = {c.id: c for c in db.scalars(select(Competence).where(Competence.id.in_(ids)))}
    versions = {comps[i].version_id for i in ids if i in comps}
    if len(comps) != len(set(ids)) or len(versions) != 1 \
            or versions - {v.id for v in allowed}:
        raise UserError(_l("Ces savoir-être ne sont pas ceux d'un même référentiel publié."), 422)
    reqs: dict[int, Requirement] = {}
    for cid, level, word in data.requirements:
        if not 1 <= level <= 5:
            raise UserError(_l("Le niveau demandé va de 1 à 5."), 422)
        reqs[cid] = Requirement(competence_id=cid, min_level=level, word=_clean(word, 300))
    return versions.pop(), list(reqs.values())


def _fill(offer: Offer, data: OfferInput, *, imported: bool = False) -> None:
    code = (data.rome_code or "").strip().upper()
    if code and not rome.valid(code):
        raise UserError(_l("Le code ROME s'écrit comme « K2204 » : une lettre de A à N puis "
                           "quatre chiffres."), 422)
    if not code and not imported:
        raise UserError(_l("Donnez le code ROME du métier."), 422)
    if data.contract not in CONTRACTS:
        raise UserError(_l("Type de contrat inconnu."), 422)
    title = _clean(data.title, 200) or rome.label(code)
    if not title:
        raise UserError(_l("Donnez l'intitulé du poste."), 422)
    offer.title, offer.rome_code = title, code or None
    offer.place, offer.postcode = _clean(data.place, 120), _clean(data.postcode, 10)
    offer.contract, offer.description = data.contract, (data.description or "")[:5000]
    offer.expires_at = datetime.combine(data.expires_on, time(23, 59, 59), tzinfo=UTC)


def post(db: Session, employer: Employer, data: OfferInput) -> Offer:
    """An employer's new offer; its audience is whoever vouches for the employer."""
    today = utcnow().date()
    if not today <= data.expires_on <= today + timedelta(days=MAX_DAYS):
        raise UserError(_l("La date de fin doit être dans les %(n)d prochains jours.",
                           n=MAX_DAYS), 422)
    allowed = usable_versions(db, audience_organisations(db, employer))
    version_id, reqs = _requirements(db, data, allowed)
    offer = Offer(employer=employer, organisation_id=employer.organisation_id,
                  network_id=employer.network_id, referentiel_version_id=version_id,
                  employer_name=employer.company, requirements=reqs)
    _fill(offer, data)
    db.add(offer)
    db.flush()
    audit.record(db, "jobs.offer_post", actor=employer.user,
                 organisation_id=employer.organisation_id, obj=offer)
    return offer


def employer_offers(db: Session, employer: Employer) -> list[Offer]:
    return list(db.scalars(select(Offer).where(Offer.employer_id == employer.id)
                           .order_by(Offer.expires_at.desc(), Offer.id.desc())))


def own_offer(db: Session, employer: Employer, offer_id: int) -> Offer:
    """The employer's own offer; any other id (another employer's, imported…) is 404."""
    offer = db.scalar(select(Offer).where(Offer.id == offer_id, Offer.employer_id == employer.id))
    if offer is None:
        raise UserError(_l("Cette offre n'existe pas."), 404)
    return offer


def audience_filter(organisation_id: int) -> ColumnElement[bool]:
    """SQL condition: the offer's audience holds the organisation."""
    networks = select(NetworkMembership.network_id).where(
        NetworkMembership.organisation_id == organisation_id)
    return or_(Offer.organisation_id == organisation_id, Offer.network_id.in_(networks))


def live_offers(db: Session, organisation_id: int) -> list[Offer]:
    """Offers a participant of the organisation may see: its audience, not expired, from an
    employer still vouched for (or imported)."""
    stmt = (select(Offer).outerjoin(Employer, Employer.id == Offer.employer_id)
            .where(audience_filter(organisation_id), Offer.expires_at > utcnow(),
                   or_(Offer.employer_id.is_(None), Employer.revoked_at.is_(None)))
            .order_by(Offer.expires_at, Offer.id))
    return list(db.scalars(stmt))


def visible_offer(db: Session, organisation_id: int, offer_id: int) -> Offer:
    offer = next((o for o in live_offers(db, organisation_id) if o.id == offer_id), None)
    if offer is None:
        raise UserError(_l("Cette offre n'existe pas ou n'est plus en ligne."), 404)
    return offer
