"""Applying: the participant picks badges; a share link for that offer is made with them
(:mod:`badger.portfolio.shares`, the consent model) and the employer gets a message. The
employer sees only applications (never a participant who has not applied) and loses the link
when the participant withdraws (the share is revoked)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from badger import audit, notifications, portfolio
from badger.accounts.models import Participant
from badger.db import utcnow
from badger.errors import UserError
from badger.jobs import offers as offer_service
from badger.jobs.models import Application, Employer, Message, Offer, Preference

SHARE_DAYS = 60


def preference(db: Session, participant: Participant) -> Preference:
    pref = db.scalar(select(Preference).where(Preference.participant_id == participant.id))
    if pref is None:
        pref = Preference(participant_id=participant.id,
                          organisation_id=participant.organisation_id,
                          receive_offers=False, weekly_digest=False)
        db.add(pref)
        db.flush()
    return pref


def set_preference(db: Session, participant: Participant, *, receive: bool, digest: bool) -> None:
    pref = preference(db, participant)
    pref.receive_offers = receive
    pref.weekly_digest = receive and digest
    audit.record(db, "jobs.preference", actor=participant,
                 organisation_id=participant.organisation_id, obj=pref, receive=receive,
                 digest=pref.weekly_digest)
    db.flush()


# Messages this domain sends (badger.notifications; texts translated at send time, short).
notifications.register_kind(
    "jobs.applied", subject=_l("Une candidature pour votre offre"),
    body=_l("Une personne a répondu à votre offre « %(offer)s ». Ouvrez votre espace employeur."))
notifications.register_kind(
    "jobs.withdrawn", subject=_l("Une candidature retirée"),
    body=_l("Une personne a retiré sa réponse à votre offre « %(offer)s »."))
notifications.register_kind(
    "jobs.digest", subject=_l("Des offres pour vous"),
    body=_l("%(count)s offre(s) correspondent à vos compétences : %(offers)s."))


def notify(db: Session, **kwargs: Any) -> bool:
    """Queue a message (badger.notifications); False when the person receives none."""
    return notifications.enqueue(db, **kwargs) is not None


def _message(db: Session, application: Application, kind: str) -> None:
    offer = application.offer
    if offer.employer_id is None:
        return
    db.add(Message(employer_id=offer.employer_id, application_id=application.id, kind=kind,
                   created_at=utcnow()))
    employer = db.get(Employer, offer.employer_id)
    if employer is not None:
        notify(db, user=employer.user, kind=f"jobs.{kind}", link="/employer",
               params={"offer": offer.title})


def apply(db: Session, participant: Participant, offer_id: int, *,
          credential_ids: list[int], days: int = SHARE_DAYS) -> Application:
    if not preference(db, participant).receive_offers:
        raise UserError(_l("Choisissez d'abord de recevoir des offres."), 409)
    offer = offer_service.visible_offer(db, participant.organisation_id, offer_id)
    if offer.employer_id is None:
        raise UserError(_l("Cette offre vient d'un site d'emploi : répondez sur ce site."), 409)
    application = db.scalar(select(Application).where(
        Application.offer_id == offer.id, Application.participant_id == participant.id))
    if application is not None and application.withdrawn_at is None:
        raise UserError(_l("Vous avez déjà répondu à cette offre."), 409)
    new = portfolio.create_share(db, participant, label=f"{offer.title} — {offer.employer_name}",
                                 days=days, credential_ids=credential_ids)
    if application is None:
        application = Application(offer=offer, participant_id=participant.id,
                                  organisation_id=participant.organisation_id)
        db.add(application)
    application.share, application.share_token = new.share, new.token
    application.withdrawn_at = None
    db.flush()
    _message(db, application, "applied")
    audit.record(db, "jobs.apply", actor=participant, organisation_id=participant.organisation_id,
                 obj=application)
    db.flush()
    return application


def my_applications(db: Session, participant: Participant) -> list[Application]:
    return list(db.scalars(select(Application).where(
        Application.participant_id == participant.id).order_by(Application.id.desc())))


def withdraw(db: Session, participant: Participant, application_id: int) -> None:
    application = db.scalar(select(Application).where(
        Application.id == application_id, Application.participant_id == participant.id))
    if application is None:
        raise UserError(_l("Cette candidature n'existe pas."), 404)
    if application.withdrawn_at is not None:
        return
    if application.share is not None:
        portfolio.revoke_share(db, application.share)
    application.withdrawn_at, application.share_token = utcnow(), None
    _message(db, application, "withdrawn")
    audit.record(db, "jobs.withdraw", actor=participant,
                 organisation_id=participant.organisation_id, obj=application)
    db.flush()


def _employer_applications(employer: Employer) -> Any:
    return (select(Application).join(Offer, Offer.id == Application.offer_id)
            .where(Offer.employer_id == employer.id, Application.withdrawn_at.is_(None))
            .execution_options(unscoped=True))


def received(db: Session, employer: Employer, offer: Offer | None = None) -> list[Application]:
    """Live applications sent to the employer (to one offer when given)."""
    stmt = _employer_applications(employer)
    if offer is not None:
        stmt = stmt.where(Application.offer_id == offer.id)
    return list(db.scalars(stmt.order_by(Application.id.desc())))


def received_one(db: Session, employer: Employer, application_id: int) -> Application:
    """One application sent to this employer; anything else (withdrawn, another employer's,
    any participant id) answers 404."""
    app_ = db.scalar(_employer_applications(employer).where(Application.id == application_id))
    if app_ is None:
        raise UserError(_l("Cette candidature n'existe pas."), 404)
    for msg in db.scalars(select(Message).where(Message.application_id == app_.id,
                                                Message.read_at.is_(None))):
        msg.read_at = utcnow()
    return app_


def inbox(db: Session, employer: Employer) -> list[Message]:
    # the employer's session sees no organisation's rows: the applications sent to them are
    # loaded with their messages, explicitly
    return list(db.scalars(select(Message).where(Message.employer_id == employer.id)
                           .options(joinedload(Message.application))
                           .order_by(Message.id.desc()).limit(50)
                           .execution_options(unscoped=True)))
