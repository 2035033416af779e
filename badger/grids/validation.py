"""Validated competences: proposed once an agreed level reaches the rule's threshold, confirmed
by the coach when the rule asks, consented by the participant; then ready for a badge."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.accounts.models import User
from badger.db import utcnow
from badger.errors import UserError
from badger.grids import scoring
from badger.grids.models import Agreement, Round, ValidatedCompetence
from badger.grids.reading import round_view


def rule_for(rnd: Round, competence_id: int) -> scoring.ValidationRule:
    item = next(it for it in rnd.items if it.competence_id == competence_id)
    return scoring.ValidationRule.from_mapping(item.rule)


def refresh_status(vc: ValidatedCompetence, rule: scoring.ValidationRule) -> None:
    outcome = scoring.evaluate(
        rule,
        agreed_level=vc.level,
        coach_confirmed=vc.coach_confirmed_at is not None,
        consent=vc.consent,  # type: ignore[arg-type]
    )
    if outcome.declined:
        vc.status = "declined"
    elif outcome.holds:
        vc.status = "consented"
    elif vc.coach_confirmed_at is not None:
        vc.status = "confirmed"
    else:
        vc.status = "proposed"


def ensure_validation(
    db: Session, rnd: Round, competence_id: int, agreement: Agreement
) -> ValidatedCompetence | None:
    """Once a level is agreed and reaches the rule's threshold, propose the validation;
    if the agreed level changes, the record follows it (and its confirmations reset)."""
    rule = rule_for(rnd, competence_id)
    vc = db.execute(
        select(ValidatedCompetence).where(
            ValidatedCompetence.round_id == rnd.id,
            ValidatedCompetence.competence_id == competence_id,
        )
    ).scalar_one_or_none()
    if not scoring.eligible(rule, agreement.level):
        if vc is not None and vc.status != "declined":
            db.delete(vc)
            db.flush()
        return None
    if vc is None:
        vc = ValidatedCompetence(
            organisation_id=rnd.organisation_id,
            participant_id=rnd.journey.participant_id,
            competence_id=competence_id,
            referentiel_version_id=rnd.referentiel_version_id,
            round_id=rnd.id,
            level=agreement.level,
            validated_on=date.today(),
            coach_id=agreement.coach_id,
        )
        db.add(vc)
    elif vc.level != agreement.level:
        vc.level, vc.coach_confirmed_at, vc.consent, vc.consent_at = (
            agreement.level,
            None,
            "pending",
            None,
        )
    vc.evidence = _evidence(db, rnd, competence_id)
    refresh_status(vc, rule)
    db.flush()
    return vc


def _evidence(db: Session, rnd: Round, competence_id: int) -> dict[str, Any]:
    view = round_view(db, rnd, reveal=True)
    a = next(x for x in view.axes if x.competence.id == competence_id)
    return {
        "round": rnd.label,
        "round_id": rnd.id,
        "journey_id": rnd.journey_id,
        "session_id": rnd.session_id,
        "self_score": a.self_score,
        "coach_score": a.coach_score,
        "agreed_level": a.agreed,
        "advice": a.advice,
        "observations": a.observations,
        "competence_identifier": a.competence.identifier,
        "competence_label": a.competence.label,
    }


def confirm_validation(db: Session, vc: ValidatedCompetence, coach: User) -> ValidatedCompetence:
    if vc.status == "declined":
        raise UserError(_l("Le participant a refusé cette validation."), 409)
    vc.coach_confirmed_at = utcnow()
    vc.coach_id = coach.id
    vc.validated_on = date.today()
    refresh_status(vc, rule_for(vc.round, vc.competence_id))
    db.flush()
    return vc


def ready_for_award(db: Session) -> list[ValidatedCompetence]:
    """Validated competences whose rule holds (coach confirmed, participant consented),
    in the current organisation scope: what the awards domain turns into badges."""
    return list(
        db.execute(
            select(ValidatedCompetence)
            .where(ValidatedCompetence.status == "consented")
            .order_by(ValidatedCompetence.validated_on, ValidatedCompetence.id)
        ).scalars()
    )
