"""The référentiel editor for admins: create, import, edit a draft (document, categories,
competences), publish, derive, adopt and upgrade."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from badger import referentiels
from badger.db import get_or_404, get_session
from badger.errors import UserError
from badger.forms import ConfirmForm
from badger.i18n import current_language
from badger.referentiels import case
from badger.referentiels.blueprint import (
    bp,
    category_choices,
    category_of,
    competence_of,
    confirm,
    editable_version,
    import_error,
    int_or_none,
    owner_choices,
    owner_kwargs,
    owner_name,
    sections,
    visible_version,
)
from badger.referentiels.case.reader import MAX_PACKAGE_BYTES
from badger.referentiels.forms import (
    LEVEL_FIELDS,
    CategoryForm,
    CompetenceForm,
    DeriveForm,
    DocumentForm,
    ImportForm,
    MoveForm,
    ReferentielForm,
    UpgradeForm,
    category_action_form,
    competence_form,
    posted_translation_languages,
    text_of,
    was_posted,
)
from badger.referentiels.models import Adoption, Competence, ReferentielVersion
from badger.security import staff_required


@bp.route("/referentiels/new", methods=["GET", "POST"])
@staff_required()
def new() -> Any:
    """Create a référentiel (owned by my organisation or one of my networks) and its draft."""
    form = ReferentielForm()
    form.owner.choices = owner_choices()
    if not form.owner.choices:
        abort(403)
    if form.validate_on_submit():
        db = get_session()
        owner = owner_kwargs(form.owner.data or "", form.owner.choices)
        creator = owner_name(form.owner.data or "")
        v = referentiels.create_referentiel(
            db, title=form.title.data or "", key=form.key.data or "", creator=creator,
            description=form.description.data or "", **owner,
        )
        flash(_("Brouillon créé. Ajoutez les compétences puis publiez."), "success")
        return redirect(url_for(".edit", key=v.referentiel.key, number=v.number))
    return render_template("referentiels/new.html", form=form), 400 if form.errors else 200


@bp.route("/referentiels/import", methods=["GET", "POST"])
@staff_required()
def import_file() -> Any:
    """Import a CASE package or CSV file as a new draft (refused whole on any error)."""
    form = ImportForm()
    form.owner.choices = owner_choices()
    if not form.owner.choices:
        abort(403)
    errors: list[case.ImportProblem] = []
    more = 0
    message = None
    refused = 0
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not upload.filename:
            message = _("Choisissez un fichier.")
        else:
            try:
                v = _import_upload(form, upload)
            except case.CaseImportError as exc:
                message, errors, more = import_error(exc), exc.errors, exc.more
            except UserError as exc:  # e.g. 409: a draft of another owner has this identifier
                message, refused = str(exc.message), exc.status
            else:
                flash(_("Fichier importé comme brouillon : relisez puis publiez."), "success")
                return redirect(url_for(".edit", key=v.referentiel.key, number=v.number))
    status = 422 if errors else (refused or (400 if (form.errors or message) else 200))
    return render_template("referentiels/import.html", form=form, errors=errors,
                           more=more, message=message, limits=upload_limits()), status


def upload_limits() -> dict[str, int]:
    """The form's cap and the CLI's, in MiB (shown on the form and in the refusal)."""
    return {"web": case.MAX_BYTES // 2**20, "cli": MAX_PACKAGE_BYTES // 2**20}


def _import_upload(form: ImportForm, upload: FileStorage) -> ReferentielVersion:
    """Parse the uploaded file and store it as a draft of the chosen owner. A refusal leaves
    nothing behind (the savepoint is rolled back; the 4xx answer rolls back the rest)."""
    db = get_session()
    owner = owner_kwargs(form.owner.data or "", form.owner.choices)
    data = upload.stream.read(case.MAX_BYTES + 1)
    if len(data) > case.MAX_BYTES:
        raise UserError(_("Fichier trop volumineux : ce formulaire accepte %(web)s Mo au plus. "
                          "Un paquet CASE plus gros, jusqu'à %(cli)s Mo, s'importe en ligne de "
                          "commande : badger referentiel import FICHIER ou URL.",
                          **upload_limits()), 413)
    fw = referentiels.parse_upload(
        data, upload.filename or "", title=form.title.data or "",
        creator=owner_name(form.owner.data or ""),
    )
    key = (form.key.data or "").strip().lower() or None
    if key:
        fw.key = key
    with db.begin_nested():
        v, _changed = referentiels.import_framework(db, fw, key=key, publish=False, **owner)
    return v


@bp.route("/referentiels/<key>/v<int:number>/edit", methods=["GET", "POST"])
@staff_required()
def edit(key: str, number: int) -> Any:
    """Edit a draft: its document fields, categories and competences; preview; publish."""
    v = editable_version(key, number)
    if v.is_published:
        if request.method == "POST":
            raise UserError(_("Cette version est publiée : elle ne peut plus être modifiée."), 409)
        flash(_("Cette version est publiée : elle ne change plus. Créez une nouvelle version "
                "pour la faire évoluer."), "info")
        return redirect(url_for(".version", key=key, number=number))
    form = DocumentForm(obj=v)
    if form.validate_on_submit():
        db = get_session()
        referentiels.update_document(
            db, v, title=form.title.data, creator=form.creator.data,
            description=form.description.data, notes=form.notes.data,
            official_source_url=form.official_source_url.data,
        )
        flash(_("Enregistré."), "success")
        return redirect(url_for(".edit", key=key, number=number))
    category_form = CategoryForm()
    category_form.parent.choices = category_choices(v, top=_("(premier niveau)"))
    return render_template(
        "referentiels/edit.html", v=v, ref=v.referentiel, form=form,
        category_form=category_form, confirm=ConfirmForm(), sections=sections(v),
        parent_choices={cat.id: category_choices(v, exclude=cat, top=_("(premier niveau)"))
                        for cat in v.categories},
        parent_ids={c.parent_id for c in v.categories if c.parent_id is not None},
        languages=[(lang, _language_name(lang)) for lang in _translation_languages(v)],
    ), 400 if form.errors else 200


@bp.route("/referentiels/<key>/v<int:number>/categories", methods=["POST"])
@staff_required()
def add_category(key: str, number: int) -> Any:
    """Add a category to a draft."""
    v = editable_version(key, number)
    form = CategoryForm()
    form.parent.choices = category_choices(v, top="-")
    if not form.validate_on_submit():
        if form.parent.errors:
            raise UserError(_("Catégorie parente inconnue."))
        raise UserError(_("Le libellé de la catégorie est obligatoire."))
    db = get_session()
    referentiels.add_category(db, v, label=form.label.data or "", code=form.code.data or "",
                              parent_id=int_or_none(form.parent.data))
    return redirect(url_for(".edit", key=key, number=number))


@bp.route("/referentiels/<key>/v<int:number>/categories/<int:category_id>",
          methods=["POST"])
@staff_required()
def category(key: str, number: int, category_id: int) -> Any:
    """Rename, move (up, down, under another category) or remove a category of a draft."""
    v = editable_version(key, number)
    cat = category_of(v, category_id)
    form = category_action_form(_translation_languages(v), cat.code)
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    action = form.action.data
    if action == "delete":
        referentiels.delete_category(db, cat)
    elif action in {"up", "down"}:
        referentiels.move_category(db, cat, -1 if action == "up" else 1)
    elif action == "parent":
        referentiels.set_category_parent(db, cat, int_or_none(form.parent.data))
    else:
        referentiels.update_category(
            db, cat, label=form.label.data or "", code=form.code.data or "",
            translations={lang: text_of(form, f"tr-{lang}-label")
                          for lang in _translation_languages(v)
                          if was_posted(form, f"tr-{lang}-label")},
        )
    return redirect(url_for(".edit", key=key, number=number))


@bp.route("/referentiels/<key>/v<int:number>/competences/new", methods=["GET", "POST"])
@bp.route("/referentiels/<key>/v<int:number>/competences/<int:competence_id>/edit",
          methods=["GET", "POST"])
@staff_required()
def competence(key: str, number: int, competence_id: int | None = None) -> Any:
    """Add or edit one competence of a draft (levels 0–5, pictogram, recruiter words)."""
    v = editable_version(key, number)
    comp = competence_of(v, competence_id) if competence_id is not None else None
    if v.is_published:
        raise UserError(_("Cette version est publiée : elle ne peut plus être modifiée."), 409)
    languages = _translation_languages(v)
    form = competence_form(languages)
    form.category.choices = category_choices(v, top=_("(aucune)"))
    pictos = referentiels.shipped_pictograms()
    form.pictogram.choices = [("", _("(aucun)"))] + [(p, p) for p in pictos]
    if comp is not None and comp.pictogram and comp.pictogram not in pictos:
        form.pictogram.choices.append((comp.pictogram, _("Pictogramme envoyé")))
    if request.method == "GET" and comp is not None:
        _fill_competence_form(form, comp)
    error = None
    if request.method == "POST" and form.validate():
        db = get_session()
        pictogram = form.pictogram.data or None
        upload = form.upload.data
        if upload is not None and upload.filename:  # a refused image answers 413/415
            pictogram = referentiels.save_pictogram(
                db, upload.stream.read(referentiels.MAX_PICTOGRAM_BYTES + 1)
            )
        try:
            with db.begin_nested():
                _save_competence(db, v, comp, form, languages, pictogram)
        except UserError as exc:
            if exc.status == 409:
                raise
            error = exc.message
        else:
            flash(_("Compétence enregistrée."), "success")
            return redirect(url_for(".edit", key=key, number=number))
    return render_template(
        "referentiels/competence_form.html", v=v, ref=v.referentiel, form=form, comp=comp,
        scale=case.BADGER_SCALE, translations=_translation_blocks(form, languages, comp),
        error=error,
    ), 400 if (form.errors or error) else 200


def _fill_competence_form(form: CompetenceForm, comp: Competence) -> None:
    """Show the stored competence in the form (GET)."""
    form.code.data, form.label.data = comp.code, comp.label
    form.description.data = comp.description
    form.category.data = str(comp.category_id or "")
    form.pictogram.data = comp.pictogram or ""
    for lv in comp.grid_levels():
        getattr(form, f"level_{int(lv['score'])}").data = lv.get("description", "")
    form.esco_uri.data = next((lk["uri"] for lk in comp.links if lk["kind"] == "esco"), "")
    form.rome_code.data = next((lk["code"] for lk in comp.links if lk["kind"] == "rome"), "")


def _save_competence(db: Session, v: ReferentielVersion, comp: Competence | None,
                     form: CompetenceForm, languages: list[str], pictogram: str | None) -> None:
    """Add or update the competence the form describes."""
    data = referentiels.CompetenceInput(
        code=form.code.data or "", label=form.label.data or "",
        description=form.description.data or "",
        category_id=int(form.category.data) if form.category.data else None,
        pictogram=pictogram,
        grid_levels=[getattr(form, f).data or "" for f in LEVEL_FIELDS],
        esco_uri=form.esco_uri.data or "", rome_code=form.rome_code.data or "",
        translations={
            lang: referentiels.TranslationInput(
                label=text_of(form, f"tr-{lang}-label"),
                description=text_of(form, f"tr-{lang}-description"),
                levels=[text_of(form, f"tr-{lang}-level-{n}") for n in range(6)],
            )
            for lang in languages
        },
    )
    if comp is None:
        referentiels.add_competence(db, v, data)
    else:
        referentiels.update_competence(db, comp, data)


def _translation_languages(v: ReferentielVersion) -> list[str]:
    """The interface languages, those the référentiel already uses, one added with ``?lang=``
    and those a posted form carries."""
    langs = referentiels.translation_languages(v, tuple(current_app.config["BADGER_LANGUAGES"]))
    asked = [request.args.get("lang", "").strip().lower()]
    asked += posted_translation_languages()
    for lang in asked:
        if referentiels.LANG_RE.match(lang) and lang != v.language and lang not in langs:
            langs.append(lang)
    return langs


def _language_name(code: str) -> str:
    try:
        name = Locale.parse(current_language()).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return str(name or code)


def _translation_blocks(form: CompetenceForm, languages: list[str],
                        comp: Competence | None) -> list[dict[str, Any]]:
    """What the translation fieldsets show: posted values, else the stored translation."""
    out = []
    for lang in languages:
        stored = ((comp.translations or {}).get(lang) or {}) if comp is not None else {}
        levels = {int(float(lv["score"])): lv.get("description", "")
                  for lv in stored.get("levels") or []}
        names = case.BADGER_SCALE_NAMES.get(lang) or [n for _s, n in case.BADGER_SCALE]
        if request.method == "POST":
            label = text_of(form, f"tr-{lang}-label")
            description = text_of(form, f"tr-{lang}-description")
            texts = [text_of(form, f"tr-{lang}-level-{n}") for n in range(6)]
        else:
            label, description = stored.get("label", ""), stored.get("description", "")
            texts = [levels.get(n, "") for n in range(6)]
        out.append({"lang": lang, "name": _language_name(lang), "label": label,
                    "names_lang": lang if lang in case.BADGER_SCALE_NAMES else "fr",
                    "description": description, "levels": list(zip(texts, names, strict=True))})
    return out


@bp.route("/referentiels/<key>/v<int:number>/competences/<int:competence_id>/move",
          methods=["POST"])
@staff_required()
def move(key: str, number: int, competence_id: int) -> Any:
    """Move a competence up or down."""
    v = editable_version(key, number)
    comp = competence_of(v, competence_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    referentiels.move_competence(db, comp, -1 if form.direction.data == "up" else 1)
    return redirect(url_for(".edit", key=key, number=number) + f"#c{comp.id}")


@bp.route("/referentiels/<key>/v<int:number>/competences/<int:competence_id>/delete",
          methods=["POST"])
@staff_required()
def delete(key: str, number: int, competence_id: int) -> Any:
    """Remove a competence from a draft."""
    v = editable_version(key, number)
    comp = competence_of(v, competence_id)
    confirm()
    db = get_session()
    referentiels.delete_competence(db, comp)
    flash(_("Compétence retirée."), "success")
    return redirect(url_for(".edit", key=key, number=number))


@bp.route("/referentiels/<key>/v<int:number>/publish", methods=["POST"])
@staff_required()
def publish(key: str, number: int) -> Any:
    """Publish a draft: from now on it never changes."""
    v = editable_version(key, number)
    confirm()
    db = get_session()
    referentiels.publish_version(db, v)
    flash(_("Version publiée. Son adresse est permanente."), "success")
    return redirect(url_for(".version", key=key, number=number))


@bp.route("/referentiels/<key>/v<int:number>/discard", methods=["POST"])
@staff_required()
def discard(key: str, number: int) -> Any:
    """Delete a draft."""
    v = editable_version(key, number)
    confirm()
    db = get_session()
    referentiels.delete_draft(db, v)
    flash(_("Brouillon supprimé."), "success")
    return redirect(url_for(".browse"))


@bp.route("/referentiels/<key>/new-version", methods=["POST"])
@staff_required()
def new_version(key: str) -> Any:
    """Open a new draft copied from the latest published version."""
    db = get_session()
    referentiel = referentiels.get_referentiel(db, key)
    if referentiel is None or referentiel.latest_published is None:
        abort(404)
    if not referentiels.can_edit(current_user, referentiel):
        abort(403)
    confirm()
    v = referentiels.new_version(db, referentiel)
    return redirect(url_for(".edit", key=key, number=v.number))


@bp.route("/referentiels/<key>/v<int:number>/derive", methods=["GET", "POST"])
@staff_required()
def derive(key: str, number: int) -> Any:
    """Start my own référentiel from this one, keeping links to the source competences."""
    v = visible_version(key, number)
    if not v.is_published:
        abort(404)
    form = DeriveForm()
    form.owner.choices = owner_choices()
    if not form.owner.choices:
        abort(403)
    if request.method == "GET":
        form.title.data = _("%(t)s (adapté)", t=v.title)
    if form.validate_on_submit():
        db = get_session()
        owner = owner_kwargs(form.owner.data or "", form.owner.choices)
        new = referentiels.derive(
            db, v, title=form.title.data or "", key=form.key.data or "",
            creator=owner_name(form.owner.data or ""), **owner,
        )
        flash(_("Référentiel dérivé créé en brouillon."), "success")
        return redirect(url_for(".edit", key=new.referentiel.key, number=new.number))
    return render_template("referentiels/derive.html", v=v, form=form), (
        400 if form.errors else 200
    )


@bp.route("/referentiels/<key>/v<int:number>/adopt", methods=["POST"])
@staff_required("admin")
def adopt(key: str, number: int) -> Any:
    """Adopt this published version for my organisation (pinned)."""
    v = visible_version(key, number)
    confirm()
    db = get_session()
    referentiels.adopt(db, g.organisation.id, v, current_user.id)
    flash(_("Version %(n)s adoptée par votre organisation.", n=v.number), "success")
    return redirect(url_for(".version", key=key, number=number))


@bp.route("/referentiels/adoptions/<int:adoption_id>/upgrade", methods=["GET", "POST"])
@staff_required("admin")
def upgrade(adoption_id: int) -> Any:
    """Move my organisation's adoption to a newer published version, after seeing the diff."""
    db = get_session()
    adoption = get_or_404(db, Adoption, adoption_id)
    current = adoption.version
    newer = [v for v in adoption.referentiel.versions
             if v.is_published and v.number > current.number]
    form = UpgradeForm()
    form.version.choices = [(str(v.number), _("Version %(n)s", n=v.number)) for v in newer]
    if form.validate_on_submit():
        chosen = next(v for v in newer if str(v.number) == form.version.data)
        referentiels.upgrade_adoption(db, adoption, chosen)
        flash(_("Adoption mise à niveau : version %(n)s. Les grilles et les badges existants "
                "restent sur la version %(old)s.", n=chosen.number, old=current.number),
              "success")
        return redirect(url_for(".version", key=adoption.referentiel.key, number=chosen.number))
    # The diff shown is always the one of the version the form confirms.
    wanted = form.version.data if request.method == "POST" else request.args.get("to")
    target = next((v for v in newer if str(v.number) == wanted), newer[-1] if newer else None)
    if target is not None:
        form.version.data = str(target.number)
    d = referentiels.diff(current, target) if target is not None else None
    impact = referentiels.upgrade_impact(db, adoption.organisation_id, current)
    return render_template("referentiels/upgrade.html", adoption=adoption, form=form,
                           newer=newer, target=target, current=current, d=d, impact=impact,
                           ), 400 if form.errors else 200
