"""What only the participant decides: accepting a validation, showing a chart in the portfolio."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger.accounts.models import Participant
from badger.db import utcnow
from badger.errors import UserError
from badger.grids.models import Round, ValidatedCompetence
from badger.grids.validation import refresh_status, rule_for


def set_consent(
    db: Session, vc: ValidatedCompetence, participant: Participant, *, given: bool
) -> ValidatedCompetence:
    """The participant accepts or declines the validation (only they can)."""
    if vc.participant_id != participant.id:
        raise UserError(_l("Vous ne pouvez répondre que pour vous-même."), 403)
    vc.consent = "given" if given else "declined"
    vc.consent_at = utcnow()
    refresh_status(vc, rule_for(vc.round, vc.competence_id))
    db.flush()
    return vc


def set_chart_in_portfolio(db: Session, rnd: Round, participant: Participant, show: bool) -> None:
    if rnd.journey.participant_id != participant.id:
        raise UserError(_l("Vous ne pouvez décider que pour vous-même."), 403)
    rnd.chart_in_portfolio = show
    db.flush()
