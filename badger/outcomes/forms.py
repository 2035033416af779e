"""Forms of the outcome pages (Flask-WTF: the CSRF token is checked with them). The fields carry
no validators: :class:`badger.outcomes.exits.Situation` checks the values with its messages."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from badger.errors import UserError
from badger.outcomes.exits import Situation
from badger.outcomes.labels import CONTRACT_LABELS, DURATION_LABELS, KIND_LABELS


def _choices(labels: dict[str, object]) -> list[SelectChoice]:
    return [SelectChoice("", "—"), *(SelectChoice(k, v) for k, v in labels.items())]


class SituationForm(FlaskForm):
    kind = RadioField(_l("Situation"), choices=_choices(KIND_LABELS)[1:], validate_choice=False)
    contract = SelectField(_l("Contrat (emploi)"), choices=_choices(CONTRACT_LABELS),
                           validate_choice=False)
    duration = SelectField(_l("Durée (emploi)"), choices=_choices(DURATION_LABELS),
                           validate_choice=False)
    qualifying = SelectField(_l("Formation qualifiante ?"),
                             choices=_choices({"yes": _l("Oui"), "no": _l("Non")}),
                             validate_choice=False)

    def situation(self) -> Situation:
        q = self.qualifying.data
        return Situation(self.kind.data or "", self.contract.data or None,
                         self.duration.data or None,
                         None if q not in ("yes", "no") else q == "yes")


class ExitForm(SituationForm):
    exited_on = StringField(_l("Date de sortie"), render_kw={"type": "date"})

    def exited_on_date(self) -> date | None:
        if not self.exited_on.data:
            return None
        try:
            return date.fromisoformat(self.exited_on.data)
        except ValueError:
            raise UserError(_l("Date non valable."), 422) from None


class FollowUpForm(SituationForm):
    month = HiddenField()

    def month_number(self) -> int:
        if self.month.data not in ("3", "6"):
            raise UserError(_l("Suivi à 3 ou 6 mois seulement."), 422)
        return int(self.month.data)


class AnswerForm(FlaskForm):
    """The participant's answer: agree (optionally to follow-ups) or not."""

    answer = HiddenField()
    follow_ups = BooleanField(_l("Vous pouvez me recontacter dans 3 et 6 mois."))
