"""Forms of the référentiel editor. Labels are translatable; rules live in the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

LEVEL_FIELDS = [f"level_{n}" for n in range(6)]


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
