"""Forms of the référentiel editor. Labels are translatable; rules live in the service."""

from __future__ import annotations

import re

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

LEVEL_FIELDS = [f"level_{n}" for n in range(6)]
#: A translation field a posted form carries: ``tr-<lang>-label``.
_TRANSLATION_LABEL = re.compile(r"^tr-([^-]*)-label$")


class OwnerMixin:
    owner = SelectField(_l("Propriétaire"), choices=[], validators=[DataRequired()])


class ReferentielForm(OwnerMixin, FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(), Length(max=500)])
    key = StringField(
        _l("Clé (adresse permanente : minuscules, chiffres, tirets)"),
        validators=[DataRequired(), Length(min=3, max=120)],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class DeriveForm(OwnerMixin, FlaskForm):
    title = StringField(_l("Titre du nouveau référentiel"),
                        validators=[DataRequired(), Length(max=500)])
    key = StringField(_l("Clé (minuscules, chiffres, tirets)"),
                      validators=[DataRequired(), Length(min=3, max=120)])


class ImportForm(OwnerMixin, FlaskForm):
    file = FileField(_l("Fichier CASE (JSON) ou tableur (CSV)"))
    title = StringField(_l("Titre (pour un fichier CSV)"), validators=[Optional(), Length(max=500)])
    key = StringField(_l("Clé (facultatif)"), validators=[Optional(), Length(min=3, max=120)])


class DocumentForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(), Length(max=500)])
    creator = StringField(_l("Auteur"), validators=[DataRequired(), Length(max=500)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    notes = TextAreaField(_l("Sources et provenance"), validators=[Optional(), Length(max=10000)])
    official_source_url = StringField(_l("Adresse de la source officielle"),
                                      validators=[Optional(), Length(max=1000)])


class CategoryForm(FlaskForm):
    label = StringField(_l("Catégorie"), validators=[DataRequired(), Length(max=1000)])
    code = StringField(_l("Code (facultatif)"), validators=[Optional(), Length(max=120)])
    parent = SelectField(_l("Placer dans"), choices=[], validators=[Optional()])


class CompetenceForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=120)])
    label = StringField(_l("Libellé"), validators=[DataRequired(), Length(max=1000)])
    description = TextAreaField(_l("Définition (seulement si elle est sourcée)"),
                                validators=[Optional(), Length(max=5000)])
    category = SelectField(_l("Catégorie"), choices=[], validators=[Optional()])
    pictogram = SelectField(_l("Pictogramme"), choices=[], validators=[Optional()])
    upload = FileField(_l("Ou envoyer un pictogramme (PNG)"))
    level_0 = TextAreaField(_l("Niveau 0"), validators=[Optional(), Length(max=2000)])
    level_1 = TextAreaField(_l("Niveau 1"), validators=[Optional(), Length(max=2000)])
    level_2 = TextAreaField(_l("Niveau 2"), validators=[Optional(), Length(max=2000)])
    level_3 = TextAreaField(_l("Niveau 3"), validators=[Optional(), Length(max=2000)])
    level_4 = TextAreaField(_l("Niveau 4"), validators=[Optional(), Length(max=2000)])
    level_5 = TextAreaField(_l("Niveau 5"), validators=[Optional(), Length(max=2000)])
    esco_uri = StringField(_l("URI ESCO (http://data.europa.eu/esco/…)"),
                           validators=[Optional(), Length(max=500)])
    rome_code = StringField(_l("Code ROME / savoir-être France Travail"),
                            validators=[Optional(), Length(max=60)])


class UpgradeForm(FlaskForm):
    version = SelectField(_l("Nouvelle version"), choices=[], validators=[DataRequired()])
    confirm = BooleanField(
        _l("J'ai lu les changements. Je sais que les grilles et les badges existants restent "
           "sur la version qu'ils citent."),
        validators=[DataRequired(_l("Cochez la case pour confirmer."))],
    )


class CategoryActionForm(FlaskForm):
    """The inline forms of one category in the editor: rename (and translate), move up or
    down, place under another category, remove; ``action`` is the button pressed. A field the
    posted form does not carry keeps its default (``code``: the category's own)."""

    action = StringField(default="rename")
    label = StringField(default="")
    code = StringField(default="")
    parent = StringField(default="")


class MoveForm(FlaskForm):
    """Move a competence: ``direction`` is ``up`` (else down)."""

    direction = StringField(default="")


def _with_fields(base: type[FlaskForm], fields: dict[str, Field]) -> type[FlaskForm]:
    """``base`` with fields whose names are known only per request (``tr-en-label``…)."""
    return type(base.__name__, (base,), dict(fields))


def category_action_form(languages: list[str], code: str) -> CategoryActionForm:
    """The category form with a translated label field per language (``tr-<lang>-label``)."""
    cls = _with_fields(CategoryActionForm,
                       {f"tr-{lang}-label": StringField() for lang in languages})
    form = cls(code=code)
    assert isinstance(form, CategoryActionForm)
    return form


def competence_form(languages: list[str]) -> CompetenceForm:
    """The competence form with, per language, the translated label, definition and 0–5 level
    texts (``tr-<lang>-label``, ``tr-<lang>-description``, ``tr-<lang>-level-<n>``)."""
    fields: dict[str, Field] = {}
    for lang in languages:
        fields[f"tr-{lang}-label"] = StringField()
        fields[f"tr-{lang}-description"] = StringField()
        fields.update({f"tr-{lang}-level-{n}": StringField() for n in range(6)})
    form = _with_fields(CompetenceForm, fields)()
    assert isinstance(form, CompetenceForm)
    return form


def text_of(form: FlaskForm, name: str) -> str:
    """The posted text of a per-request field, ``""`` when absent."""
    return str(form[name].data or "")


def was_posted(form: FlaskForm, name: str) -> bool:
    """Whether the posted form carried field ``name`` (even empty)."""
    return bool(form[name].raw_data)


def posted_translation_languages() -> list[str]:
    """The languages a posted form carries a translated label for (``tr-<lang>-label``): the
    editor's fieldsets are built per language, so the fields to read depend on what was
    posted (a language added with ``?lang=`` on the previous page)."""
    if request.method != "POST":
        return []
    return [m.group(1) for k in request.form if (m := _TRANSLATION_LABEL.match(k))]
