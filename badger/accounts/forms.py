"""Account forms. Labels are translatable; validation messages come from the services."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from badger.i18n import language_choices


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField(_l("Code de connexion"), validators=[DataRequired(), Length(max=20)])


class PasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nouveau mot de passe (10 caractères au moins)"),
        validators=[DataRequired(), Length(min=10, max=200)],
    )


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(), Email(), Length(max=320)],
        filters=[_strip],
    )
    name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(
        _l("Rôle"),
        choices=[
            SelectChoice("assessor", _l("Coach (évaluateur)")),
            SelectChoice("admin", _l("Administrateur")),
        ],
    )


class ParticipantForm(FlaskForm):
    display_name = StringField(
        _l("Prénom ou nom d'usage"), validators=[DataRequired(), Length(max=120)]
    )
    email = EmailField(
        _l("E-mail (facultatif)"),
        validators=[Optional(), Email(), Length(max=320)],
        filters=[_strip],
    )
    phone = StringField(_l("Téléphone (facultatif)"), validators=[Optional(), Length(max=40)])
    locale = SelectField(_l("Langue"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every language the interface offers, each named in itself (and marked with its code).
        # First and default: no choice stored, so the participant's phone (Accept-Language)
        # decides until they pick one themselves — a stored "fr" kept newcomers in French.
        self.locale.choices = [SelectChoice("", str(_l("Celle de son téléphone")))] + [
            SelectChoice(code, name, render_kw={"lang": code, "dir": "auto"})
            for code, name in language_choices()
        ]


class LanguageForm(FlaskForm):
    """The language switch of every page (``templates/base.html``: one submit button per
    language, named ``lang``); the view checks the code against ``BADGER_LANGUAGES``."""

    lang = StringField()
    next = HiddenField()


class OrganisationForm(FlaskForm):
    """Act in another organisation (staff home page); the choices are the person's own."""

    organisation_id = SelectField(_l("Changer d'organisation"), coerce=int, validate_choice=False)

    def __init__(self, *args: Any, memberships: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [
            (ms.organisation_id, ms.organisation.name) for ms in memberships
        ]


class EasyReadForm(FlaskForm):
    """The easy-to-read switch (``templates/accounts/_easy_read_switch.html``): ``on`` is
    "1" or "0"; ``next`` is where to go back to."""

    on = StringField()
    next = HiddenField()
