"""The crosswalks page of a référentiel: anyone reads its links to recruiters' words (with
their provenance); its owners (network or organisation admins) add, change and remove them."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from badger import referentiels
from badger.db import get_session, unscoped
from badger.errors import UserError
from badger.forms import ConfirmForm
from badger.i18n import current_language
from badger.referentiels import crosswalks
from badger.referentiels.blueprint import bp, confirm
from badger.referentiels.models import (
    EXACT,
    PROPOSAL,
    RELATED,
    SOURCED,
    Crosswalk,
    Referentiel,
)
from badger.security import staff_required


class CrosswalkForm(FlaskForm):
    source_code = SelectField(_l("Compétence de ce référentiel"), choices=[],
                              validators=[DataRequired()])
    target = StringField(
        _l("Compétence visée : adresse ESCO, ou clé:code d'une compétence publiée"),
        validators=[DataRequired(), Length(max=1000)], render_kw={"list": "crosswalk-targets"},
    )
    target_label = StringField(_l("Libellé de la compétence visée (pour une adresse ESCO)"),
                               validators=[Optional(), Length(max=500)])
    target_language = StringField(_l("Langue de ce libellé"), default="en",
                                  validators=[Optional(), Length(max=12)])
    relation = SelectField(_l("Lien"), choices=[
        SelectChoice(EXACT, _l("Même compétence (exactMatchOf)")),
        SelectChoice(RELATED, _l("Compétence proche (isRelatedTo)")),
    ], default=EXACT)
    provenance_kind = SelectField(_l("Provenance"), choices=[
        SelectChoice(PROPOSAL, _l("Notre proposition (aucune source publiée)")),
        SelectChoice(SOURCED, _l("Sourcée (une table de correspondance publiée le dit)")),
    ], default=PROPOSAL)
    provenance_source = StringField(_l("Source : document, page ou adresse"),
                                    validators=[Optional(), Length(max=1000)])
    provenance_note = TextAreaField(_l("Pourquoi ce lien (en mots simples)"),
                                    validators=[Optional(), Length(max=2000)])

    def data_input(self) -> crosswalks.CrosswalkInput:
        return crosswalks.CrosswalkInput(
            source_code=self.source_code.data or "", target=self.target.data or "",
            target_label=self.target_label.data or "",
            target_language=self.target_language.data or "en",
            relation=self.relation.data or EXACT,
            provenance_kind=self.provenance_kind.data or PROPOSAL,
            provenance_source=self.provenance_source.data or "",
            provenance_note=self.provenance_note.data or "",
        )


def _referentiel(key: str, *, edit: bool = False) -> Referentiel:
    """The référentiel: readable when published or editable (else 404); 403 when ``edit`` and
    the current user is not one of its owners."""
    db = get_session()
    with unscoped(db):
        ref = referentiels.get_referentiel(db, key)
    if ref is None:
        abort(404)
    can_edit = referentiels.can_edit(current_user, ref)
    if ref.latest_published is None and not can_edit:
        abort(404)
    if edit and not can_edit:
        abort(403)
    return ref


def _mapping(ref: Referentiel, crosswalk_id: int) -> Crosswalk:
    cw = get_session().get(Crosswalk, crosswalk_id)
    if cw is None or cw.referentiel_id != ref.id:
        abort(404)
    return cw


def _form(ref: Referentiel, obj: Any = None) -> CrosswalkForm:
    form = CrosswalkForm(obj=obj)
    version = ref.draft or ref.latest_published
    form.source_code.choices = [
        SelectChoice(c.code, f"{c.code} — {c.label}")
        for c in sorted(version.competences if version else [], key=lambda c: c.position)
        if c.code
    ]
    return form


def _suggestions(ref: Referentiel) -> list[tuple[str, str]]:
    """Targets to pick from (datalist): the ESCO skills the links already use, and the
    competences of the other shipped référentiels."""
    db = get_session()
    out: dict[str, str] = {}
    for cw in db.scalars(select(Crosswalk).where(Crosswalk.target_uri != "")):
        labels = cw.target_labels or {}
        out.setdefault(cw.target_uri, str(labels.get("en") or next(iter(labels.values()), "")))
    for other in db.scalars(select(Referentiel).where(Referentiel.shipped,
                                                      Referentiel.id != ref.id)):
        v = other.latest_published
        if v is None:
            continue
        for c in v.competences:
            if c.code:
                out.setdefault(f"{other.key}:{c.code}", f"{c.label} ({v.title})")
    return sorted(out.items(), key=lambda kv: kv[1].lower())


def _page(ref: Referentiel, form: CrosswalkForm | None, status: int = 200,
          message: str | None = None) -> Any:
    db = get_session()
    lang = current_language()
    rows = [(cw, crosswalks.resolve(db, cw, lang)) for cw in crosswalks.mappings(db, ref)]
    version = ref.draft or ref.latest_published
    labels = {c.code: c.label for c in (version.competences if version else []) if c.code}
    source = version.source_version.referentiel if version and version.source_version else None
    can_copy = (form is not None and source is not None
                and bool(crosswalks.mappings(db, source)))
    return render_template(
        "referentiels/crosswalks.html", ref=ref, rows=rows, labels=labels, form=form,
        confirm_form=ConfirmForm(), suggestions=_suggestions(ref) if form else [],
        source=source if can_copy else None, message=message,
    ), status


@bp.route("/referentiels/<key>/crosswalks", methods=["GET", "POST"])
def crosswalks_page(key: str) -> Any:
    """The référentiel's links to recruiters' words; its owners add one here."""
    ref = _referentiel(key)
    editor = referentiels.can_edit(current_user, ref)
    if request.method == "POST" and not editor:
        abort(403 if current_user.is_authenticated else 401)
    form = _form(ref) if editor else None
    if form is not None and form.validate_on_submit():
        try:
            with get_session().begin_nested():
                crosswalks.add_mapping(get_session(), ref, form.data_input(), current_user)
        except UserError as exc:
            return _page(ref, form, exc.status, str(exc.message))
        flash(_("Correspondance ajoutée."), "success")
        return redirect(url_for(".crosswalks_page", key=key))
    return _page(ref, form, 400 if form is not None and form.errors else 200)


@bp.route("/referentiels/<key>/crosswalks/<int:crosswalk_id>", methods=["GET", "POST"])
@staff_required()
def crosswalk_edit(key: str, crosswalk_id: int) -> Any:
    """Change one link (what it points at, how close, where it comes from)."""
    ref = _referentiel(key, edit=True)
    cw = _mapping(ref, crosswalk_id)
    form = _form(ref, obj=cw)
    if request.method == "GET":
        form.target.data = cw.target_uri or f"{cw.target_key}:{cw.target_code}"
        labels = cw.target_labels or {}
        if labels:
            form.target_language.data, form.target_label.data = next(iter(labels.items()))
    message = None
    status = 200
    if form.validate_on_submit():
        try:
            with get_session().begin_nested():
                crosswalks.update_mapping(get_session(), cw, form.data_input(), current_user)
        except UserError as exc:
            message, status = str(exc.message), exc.status
        else:
            flash(_("Correspondance modifiée."), "success")
            return redirect(url_for(".crosswalks_page", key=key))
    elif form.errors:
        status = 400
    return render_template("referentiels/crosswalk_form.html", ref=ref, cw=cw, form=form,
                           suggestions=_suggestions(ref), message=message), status


@bp.route("/referentiels/<key>/crosswalks/<int:crosswalk_id>/delete", methods=["POST"])
@staff_required()
def crosswalk_delete(key: str, crosswalk_id: int) -> Any:
    """Remove one link."""
    ref = _referentiel(key, edit=True)
    cw = _mapping(ref, crosswalk_id)
    confirm()
    crosswalks.delete_mapping(get_session(), cw, current_user)
    flash(_("Correspondance retirée."), "success")
    return redirect(url_for(".crosswalks_page", key=key))


@bp.route("/referentiels/<key>/crosswalks/copy", methods=["POST"])
@staff_required()
def crosswalk_copy(key: str) -> Any:
    """Take over the links of the référentiel this one was derived from."""
    ref = _referentiel(key, edit=True)
    confirm()
    version = ref.draft or ref.latest_published
    if version is None or version.source_version is None:
        abort(404)
    n = crosswalks.copy_from(get_session(), ref, version.source_version.referentiel,
                             current_user)
    flash(_("%(n)s correspondance(s) reprise(s).", n=n), "success")
    return redirect(url_for(".crosswalks_page", key=key))
