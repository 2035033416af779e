"""Awards forms (Flask-WTF: CSRF checked; field names are the pages' historical ``name=``).

The services validate and word the refusals (:class:`badger.errors.UserError`), as before:
these forms only read what was posted, typed, so views never touch ``request.form``. Numbers
are read leniently (an unreadable number falls back to the page's default), as they always were.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Form, SelectMultipleField, StringField, TextAreaField
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


class AchievementForm(FlaskForm):
    competence_id = StringField()
    name = StringField()
    description = TextAreaField()
    criteria = TextAreaField()
    min_level = StringField()
    validity_days = StringField()
    achievement_type = StringField()
    language = StringField()
    tags = StringField()
    image = FileField()
    image_alt = StringField()
    pictogram = StringField()
    tr = FieldList(FormField(TranslationBlock, separator="-"), separator="-")

    def sent(self) -> dict[str, str]:
        """What was typed in the main fields, to show the form again."""
        return {name: text(field) for name, field in self._fields.items()
                if isinstance(field, StringField)}


class ProposalsForm(FlaskForm):
    proposal = _Multiple()


class BulkAwardForm(FlaskForm):
    achievement_id = StringField()
    participant = _Multiple()
    level = StringField()
    observation = TextAreaField()


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
    file = FileField()
    csv_text = TextAreaField()
    confirm = StringField()


class ReasonForm(FlaskForm):
    reason = StringField()


class ConsentForm(FlaskForm):
    validated_competence_id = StringField()
    achievement_id = StringField()
    decision = StringField()
    email = StringField()
    phone = StringField()
    did = StringField()
    attach_chart = StringField()


class RedeemForm(FlaskForm):
    code = StringField()
    kind = StringField()
    value = StringField()
