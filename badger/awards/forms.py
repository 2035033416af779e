"""Awards forms (Flask-WTF: CSRF checked; field names are the pages' historical ``name=``).

The services validate and word the refusals (:class:`badger.errors.UserError`), as before:
these forms only read what was posted, typed, so views never touch ``request.form``. Numbers
are read leniently (an unreadable number falls back to the page's default), as they always were.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Form, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField


def text(field: Any) -> str:
    """A text field's value, '' when it was not sent."""
    return str(field.data or "")


def number(field: Any, default: int | None = None) -> int | None:
    """A number field's value (or a raw value), ``default`` when absent or not a number."""
    try:
        return int(field.data if hasattr(field, "data") else field)
    except (TypeError, ValueError):
        return default


def was_sent(field: Any) -> bool:
    """Whether the request carried this field at all (even empty)."""
    return bool(field.raw_data)


class _Multiple(SelectMultipleField):
    """Every value sent under one name (tick boxes); no fixed list of choices."""

    def pre_validate(self, form: Any) -> None:  # values are checked by the service
        pass


class IssuerSettingsForm(FlaskForm):
    kind = StringField()


class TranslationBlock(Form):
    """One language block of the badge form (``tr-<i>-…``)."""

    language = StringField()
    name = StringField()
    description = TextAreaField()
    criteria = TextAreaField()
    image_alt = StringField()
    remove = StringField()


_NUMBER = {"type": "number", "inputmode": "numeric"}


class AchievementForm(FlaskForm):
    """A badge definition; the two lists (competences, types) are filled per request."""

    competence_id = SelectField(_l("Compétence du référentiel"), validate_choice=False,
                                render_kw={"required": True})
    name = StringField(_l("Nom du badge"), render_kw={"required": True, "maxlength": 200})
    description = TextAreaField(_l("Description"), render_kw={"required": True})
    criteria = TextAreaField(_l("Critères d'obtention"))
    min_level = StringField(_l("Niveau minimum (0 à 5)"), render_kw={**_NUMBER, "min": 0,
                                                                     "max": 5})
    validity_days = StringField(_l("Durée de validité en jours (facultatif)"),
                                render_kw={**_NUMBER, "min": 1})
    achievement_type = SelectField(_l("Type"), validate_choice=False)
    language = StringField(_l("Langue principale des textes"), render_kw={"maxlength": 12})
    tags = StringField(_l("Mots-clés (séparés par des virgules)"))
    image = FileField(_l("Image PNG (facultatif)"), render_kw={"accept": "image/png"})
    image_alt = StringField(_l("Texte alternatif de l'image"), render_kw={"maxlength": 500})
    pictogram = StringField()
    tr = FieldList(FormField(TranslationBlock, separator="-"), separator="-")

    def show(self, defaults: dict[str, Any]) -> None:
        """Fill each field left empty with ``defaults`` (the stored badge, or suggestions),
        so the page shows what was typed, else what is stored."""
        for name, value in defaults.items():
            field = self._fields[name]
            if not text(field):
                field.data = "" if value is None else str(value)


class ProposalsForm(FlaskForm):
    proposal = _Multiple()


class BulkAwardForm(FlaskForm):
    achievement_id = StringField()
    participant = _Multiple()
    level = StringField(
        _l("Niveau atteint (laisser vide : niveau convenu dans la grille, sinon niveau "
           "minimum)"),
        render_kw={"type": "number", "min": 0, "max": 5, "inputmode": "numeric"})
    observation = TextAreaField(_l("Observation du coach (preuve)"))


def bulk_award_form(participant_ids: list[int]) -> BulkAwardForm:
    """The bulk form with one ``narrative-<id>`` field per ticked participant (built per
    request: the participants are known only from what was sent)."""
    fields = {f"narrative-{pid}": TextAreaField() for pid in participant_ids}
    form_class = type("BulkAwardNarratives", (BulkAwardForm,), fields)
    return form_class()


def narrative(form: BulkAwardForm, participant_id: int) -> str:
    field = form._fields.get(f"narrative-{participant_id}")
    return text(field) if field is not None else ""


class CsvAwardForm(FlaskForm):
    file = FileField(_l("Fichier CSV"), render_kw={"accept": ".csv,text/csv"})
    csv_text = TextAreaField(_l("ou collez le contenu"))
    confirm = StringField()


class ReasonForm(FlaskForm):
    """The reason of a revocation or a suspension (read by the action's view)."""

    reason = StringField()


_REASON = {"required": True, "maxlength": 2000}


class RevokeForm(ReasonForm):
    reason = StringField(_l("Raison du retrait (définitif)"), id="reason-revoke",
                         render_kw=_REASON)


class SuspendForm(ReasonForm):
    reason = StringField(_l("Raison de la suspension"), id="reason-suspend", render_kw=_REASON)


class ConsentForm(FlaskForm):
    validated_competence_id = StringField()
    achievement_id = StringField()
    decision = StringField()
    email = StringField()
    phone = StringField()
    did = StringField()
    attach_chart = StringField()
    #: The language the credential is written in (one of the badge's; the offer's choice).
    language = StringField()


class RedeemForm(FlaskForm):
    code = StringField(_l("Code reçu"),
                       render_kw={"required": True, "autocapitalize": "characters"})
    kind = StringField()
    value = StringField(_l("Adresse, numéro ou DID"), render_kw={"required": True})
