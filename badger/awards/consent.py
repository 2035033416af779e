"""Proposals and consent: validated competences whose badge is ready, accepted or declined
by the participant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import audit, grids
from badger.accounts.models import Participant
from badger.awards import evidence as charts
from badger.awards.common import AwardSettings
from badger.awards.issuance import AwardRequest, RowResult, award_many, refuse
from badger.awards.models import (
    Achievement,
    AwardConsent,
    Credential,
)
from badger.awards.signing import recipient_from
from badger.awards.translations import chosen_language
from badger.errors import UserError
from badger.grids.models import ValidatedCompetence
from badger.networks.models import Organisation


@dataclass
class Proposal:
    validated: Any
    achievement: Achievement
    participant: Participant


def proposals(session: Session, organisation_id: int,
              participant_id: int | None = None) -> list[Proposal]:
    """Validated competences whose badge is ready: matching active badge, level reached,
    not declined, not yet awarded."""

    stmt = select(ValidatedCompetence).where(
        ValidatedCompetence.organisation_id == organisation_id,
        ValidatedCompetence.status.in_(("confirmed", "consented")),
        ValidatedCompetence.consent != "declined",
    )
    if participant_id is not None:
        stmt = stmt.where(ValidatedCompetence.participant_id == participant_id)
    vcs = list(session.scalars(stmt.execution_options(unscoped=True)))
    if not vcs:
        return []
    achs = list(session.scalars(
        select(Achievement).where(Achievement.organisation_id == organisation_id,
                                  Achievement.active.is_(True))
        .execution_options(unscoped=True)))
    by_competence: dict[int, list[Achievement]] = {}
    for a in achs:
        by_competence.setdefault(a.competence_id, []).append(a)
    awarded = set(session.execute(
        select(Credential.participant_id, Credential.achievement_id)
        .where(Credential.organisation_id == organisation_id)
        .execution_options(unscoped=True)).all())
    declined = set(session.execute(
        select(AwardConsent.validated_competence_id, AwardConsent.achievement_id)
        .where(AwardConsent.organisation_id == organisation_id,
               AwardConsent.accepted.is_(False))
        .execution_options(unscoped=True)).all())
    out = []
    for vc in vcs:
        for a in by_competence.get(vc.competence_id, []):
            if vc.level < a.min_level or (vc.participant_id, a.id) in awarded:
                continue
            if (vc.id, a.id) in declined:
                continue
            out.append(Proposal(vc, a, vc.participant))
    return out


def consent(session: Session, participant: Participant, validated_competence_id: int,
            achievement_id: int, *, accept: bool, email: str | None = None,
            phone: str | None = None, did: str | None = None,
            attach_chart: bool = False, settings: AwardSettings | None = None,
            language: str | None = None, preferred_language: str | None = None
            ) -> RowResult | None:
    """The participant accepts (the credential is issued now) or declines the proposed badge.

    The credential is written in ``language`` (the offer's choice: one of the badge's
    languages, else refused), else in ``preferred_language`` (the interface language the offer
    was read in) when the badge has it, else in the badge's main language
    (:func:`badger.awards.translations.chosen_language`).

    ``attach_chart`` (the participant's own choice, off by default): the round's self/coach
    chart is frozen into a public image cited as evidence (:mod:`badger.awards.evidence`).
    """
    match = [p for p in proposals(session, participant.organisation_id, participant.id)
             if p.validated.id == validated_competence_id and p.achievement.id == achievement_id]
    if not match:
        raise UserError(_l("Cette proposition n'existe plus."), 404)
    prop = match[0]
    written_in = (chosen_language(session, prop.achievement, language, preferred_language)
                  if accept else None)
    if accept and recipient_from(email=email or participant.email,
                                 phone=phone or participant.phone, did=did) is None:
        # Logged in, the participant can say where the badge goes now (no code to lose).
        raise UserError(_l("Indiquez une adresse e-mail, un numéro de téléphone ou un DID."), 422)
    if accept and prop.validated.consent != "given":

        grids.set_consent(session, prop.validated, participant, given=True)
    session.add(AwardConsent(organisation_id=participant.organisation_id,
                             validated_competence_id=validated_competence_id,
                             achievement_id=achievement_id, participant_id=participant.id,
                             accepted=accept))
    audit.record(session, "award.consent" if accept else "award.decline", actor=participant,
                 organisation_id=participant.organisation_id, object_type="ValidatedCompetence",
                 object_id=validated_competence_id, achievement_id=achievement_id,
                 **({"chart": True} if accept and attach_chart else {}))
    if not accept:
        session.flush()
        return None
    org = session.get(Organisation, participant.organisation_id)
    assert org is not None
    chart = (charts.prepare(session, prop.validated, prop.achievement, participant)
             if attach_chart else None)
    try:
        result = refuse(award_proposal(session, org, prop, actor=participant, email=email,
                                       phone=phone, did=did,
                                       chart_url=chart.url if chart else None,
                                       settings=settings, language=written_in))
        if chart is not None and result.credential is not None:
            charts.store(session, result.credential, chart)
    finally:
        charts.discard(session)
    return result


def award_proposal(session: Session, org: Organisation, prop: Proposal, *, actor: Any,
                   email: str | None = None, phone: str | None = None, did: str | None = None,
                   chart_url: str | None = None,
                   settings: AwardSettings | None = None,
                   language: str | None = None) -> RowResult:
    """Turn a validated competence into its badge: at its agreed level, with the round's
    observations and session as evidence. The one way both staff (the proposals page) and the
    participant (:func:`consent`) award a proposal; a broken rule is the row's result."""
    vc = prop.validated
    request = AwardRequest(participant_id=prop.participant.id, level=vc.level,
                           validated_competence_id=vc.id, email=email, phone=phone, did=did,
                           observation=str((vc.evidence or {}).get("observations") or ""),
                           language=language)
    return award_many(session, org, prop.achievement, [request], actor=actor,
                      group=vc.round.session if vc.round else None, chart_url=chart_url,
                      settings=settings)[0]


def award_proposals(session: Session, org: Organisation, chosen: set[str], *, actor: Any,
                    settings: AwardSettings | None = None) -> list[RowResult] | None:
    """Staff award the proposals they ticked (``"<validated id>:<badge id>"``) that their
    participant accepted; None when none of them is."""
    picked = [p for p in proposals(session, org.id)
              if f"{p.validated.id}:{p.achievement.id}" in chosen
              and p.validated.status == "consented"]
    if not picked:
        return None
    return [award_proposal(session, org, p, actor=actor, settings=settings) for p in picked]
