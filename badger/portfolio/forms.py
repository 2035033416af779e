"""Forms of the portfolio pages. They only parse, under the field names the pages have always
posted; what a value must be is checked by the portfolio's services, whose messages the pages
show."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from badger.guards import form_int

#: The label of the "to whom was this badge given" field, on import and on binding.
IDENTITY_LABEL = _l(
    "Téléphone ou e-mail à qui ce badge a été remis (s'il n'est pas celui de votre fiche)"
)


def _typed(limit: int) -> Callable[[Any], str]:
    """Stripped, at most ``limit`` characters, never None."""

    def typed(value: Any) -> str:
        return str(value or "").strip()[:limit]

    return typed


def _stripped(value: Any) -> str:
    return str(value or "").strip()


class IdListField(Field):
    """Every value of a repeated field (a group of checkboxes) that is an id; others dropped."""

    data: list[int]

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        self.data = [i for i in (form_int(raw) for raw in valuelist) if i is not None]

    def _value(self) -> str:
        return ""


class PublicForm(FlaskForm):
    """Let a badge answer at its web address (``public=1``) or stop it."""

    public = HiddenField()


class ImportForm(FlaskForm):
    """A badge received elsewhere: a file, or its text (JSON or JWT), and the phone or e-mail it
    was given to when that is not the participant's record's."""

    file = FileField(
        _l("Ajouter un badge reçu d'un autre organisme (son image ou son fichier)"),
        id="import-file",
        render_kw={"accept": ".png,.svg,.json,.jwt,image/png,image/svg+xml,application/json"},
    )
    text = StringField(filters=[_stripped])
    identity = StringField(
        IDENTITY_LABEL,
        id="import-identity",
        filters=[_typed(320)],
        render_kw={"dir": "ltr", "maxlength": 320, "autocomplete": "off"},
    )


class BindForm(FlaskForm):
    """Show that an import kept from before the holder rule is the participant's."""

    identity = StringField(
        IDENTITY_LABEL,
        filters=[_typed(320)],
        render_kw={"dir": "ltr", "maxlength": 320, "autocomplete": "off"},
    )

    @classmethod
    def for_import(cls, import_id: int) -> BindForm:
        """The empty form shown beside one import (its field's id names the import)."""
        form = cls(formdata=None)
        form.identity.id = form.identity.label.field_id = f"bind-{import_id}"
        return form


class ShareForm(FlaskForm):
    """A new share link: a name for the participant, what it shows, for how long."""

    label = StringField(
        _l("Pour qui ? (un nom pour vous en souvenir)"),
        id="share-label",
        render_kw={"maxlength": 120, "required": True},
    )
    credential = IdListField()
    chart = IdListField()
    imported = IdListField()
    days = SelectField(_l("Le lien marche pendant"), id="share-days")
    show_name = HiddenField()

    def __init__(self, *args: Any, default_days: int = 30, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_days = default_days
        if not self.days.data:
            self.days.data = str(default_days)
        self.days.choices = [
            SelectChoice(str(d), label)
            for d, label in (
                (7, _l("1 semaine")),
                (30, _l("1 mois")),
                (90, _l("3 mois")),
                (365, _l("1 an")),
            )
        ]

    def day_count(self) -> int:
        """The chosen number of days (the default when none; 0, refused, when not a number)."""
        try:
            return int(self.days.data or self.default_days)
        except ValueError:
            return 0

    def selected_ids(self) -> dict[str, list[int]]:
        """The chosen credentials, charts and imported badges, as the service names them."""
        return {
            "credential_ids": self.credential.data or [],
            "round_ids": self.chart.data or [],
            "imported_ids": self.imported.data or [],
        }


class EraseForm(FlaskForm):
    """Erasing one's data is confirmed by typing ``word``."""

    confirm = StringField(
        id="erase-confirm",
        filters=[_stripped],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "required": True},
    )

    def __init__(self, *args: Any, word: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.word = word
        self.confirm.label.text = _l("Pour confirmer, tapez %(word)s", word=word)

    def confirmed(self) -> bool:
        return self.confirm.data.upper() == self.word
