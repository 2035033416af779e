"""Staff pages of badge definitions and of the issuer identifier."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badger import awards, urls
from badger.awards import documents, reading, translations
from badger.awards.forms import AchievementForm, IssuerSettingsForm, number, text, was_sent
from badger.awards.models import Achievement
from badger.awards.views.common import bp, language_name, org_keys
from badger.db import get_or_404, get_session
from badger.errors import UserError
from badger.networks.models import Organisation
from badger.ob3 import model
from badger.security import staff_required

MAX_FORM_TRANSLATIONS = awards.MAX_TRANSLATIONS + 1


def _translations_from_form(form: AchievementForm) -> list[awards.TranslationInput] | None:
    """The form's language blocks (``tr-<i>-…``); None when the form sent none at all."""
    if not form.tr.entries:
        return None
    out = []
    for entry in form.tr.entries:
        index = int(entry.name.rsplit("-", 1)[-1])
        block = entry.form
        if index >= MAX_FORM_TRANSLATIONS or not was_sent(block.language):
            continue
        language = text(block.language).strip()[:35]
        if text(block.remove):
            out.append(awards.TranslationInput(language=language))
            continue
        out.append(awards.TranslationInput(
            language=language, name=text(block.name), description=text(block.description),
            criteria=text(block.criteria), image_alt=text(block.image_alt)))
    return out


def _suggested_language(main: str, taken: set[str]) -> str:
    for lang in current_app.config["BADGER_LANGUAGES"]:
        if lang != main and lang not in taken:
            return str(lang)
    return ""


def _translation_blocks(ach: Achievement | None, form: AchievementForm) -> list[dict[str, Any]]:
    """What the form's language blocks show: the stored translations (or what was just sent)
    and one empty block to add a language."""
    posted = request.method == "POST"
    main = (text(form.language) if posted else "") or (ach.language if ach else "fr")
    db = get_session()
    stored = {t.language for t in translations.translations_of(db, ach)} if ach else set()
    sent = _translations_from_form(form) if posted else None
    blocks: list[dict[str, Any]] = []
    if sent is not None:
        for tr in sent:
            if tr.is_empty() and tr.language not in stored:
                continue
            blocks.append({"language": tr.language, "name": tr.name,
                           "description": tr.description, "criteria": tr.criteria,
                           "image_alt": tr.image_alt, "stored": tr.language in stored})
    elif ach is not None:
        for row in translations.translations_of(db, ach):
            blocks.append({"language": row.language, "name": row.name,
                           "description": row.description, "criteria": row.criteria_narrative,
                           "image_alt": row.image_alt, "stored": True})
    taken = {b["language"] for b in blocks}
    if len(blocks) < awards.MAX_TRANSLATIONS:
        blocks.append({"language": _suggested_language(main, taken), "name": "",
                       "description": "", "criteria": "", "image_alt": "", "stored": False})
    return blocks


def _input_from_form(form: AchievementForm, competence_id: int) -> awards.AchievementInput:
    upload = form.image.data
    data = upload.read() if upload and getattr(upload, "filename", None) else None
    return awards.AchievementInput(
        competence_id=competence_id,
        name=text(form.name),
        description=text(form.description),
        criteria=text(form.criteria),
        min_level=number(form.min_level, 3) or 0,
        validity_days=number(form.validity_days) if text(form.validity_days) else None,
        achievement_type=text(form.achievement_type) or "Competency",
        language=text(form.language) or "fr",
        tags=[t for t in text(form.tags).split(",") if t.strip()],
        image_alt=text(form.image_alt),
        upload_png=data,
        pictogram=text(form.pictogram) or None,
        translations=_translations_from_form(form),
    )


def _with_types(form: AchievementForm) -> AchievementForm:
    form.achievement_type.choices = [(t, t) for t in sorted(model.ACHIEVEMENT_TYPES)]
    return form


@bp.route("/admin/badges")
@staff_required()
def achievements() -> Any:
    """The organisation's badge definitions."""
    listing = reading.badge_list(get_session())
    return render_template("awards/achievements.html", achievements=listing.achievements,
                           counts=listing.counts, sessions=listing.sessions,
                           languages=listing.languages, language_name=language_name)


@bp.route("/admin/issuer", methods=["GET", "POST"])
@staff_required("admin")
def issuer_settings() -> Any:
    """How the organisation names itself in what it signs from now on (https, did:web,
    did:key)."""
    db = get_session()
    org = db.get(Organisation, g.organisation.id)
    assert org is not None
    form = IssuerSettingsForm()
    status, error = 200, None
    if request.method == "POST":
        try:
            awards.set_issuer_identifier(db, org, text(form.kind), actor=current_user)
        except UserError as exc:
            error, status = str(exc.message), exc.status
        else:
            flash(_("Choix enregistré : les prochains badges seront signés ainsi."), "success")
            return redirect(url_for("awards.issuer_settings"))
    keys = org_keys(org)
    ids = {"https": urls.issuer_url(org), "did:web": urls.did_web(org),
           "did:key": documents.did_key(keys)}
    return render_template("awards/issuer_settings.html", org=org, ids=ids, error=error,
                           kind=documents.kind_of(org),
                           https_base=urls.base_url().startswith("https://")), status


@bp.route("/admin/badges/new", methods=["GET", "POST"])
@staff_required("admin")
def achievement_new() -> Any:
    """Create a badge on a competence of an adopted référentiel."""
    db = get_session()
    competences = awards.adoptable_competences(db, g.organisation.id)
    form = AchievementForm()
    error = None
    status = 200
    if request.method == "POST":
        try:
            ach = awards.create_achievement(
                db, g.organisation, _input_from_form(form, number(form.competence_id, 0) or 0),
                actor=current_user)
        except UserError as exc:
            error, status = str(exc.message), exc.status
        else:
            flash(_("Badge créé."), "success")
            return redirect(url_for("awards.achievement_edit", achievement_id=ach.id))
    chosen = number(request.args.get("competence_id") or text(form.competence_id))
    suggestion = ""
    for c in competences:
        if c.id == chosen:
            suggestion = awards.default_criteria(c, number(form.min_level, 3) or 3)
    form.competence_id.choices = [(str(c.id), f"{c.code} — {c.label}" if c.code else c.label)
                                  for c in competences]
    form.competence_id.data = str(chosen) if chosen is not None else None
    form.show({"criteria": suggestion, "min_level": 3, "language": "fr",
               "achievement_type": "Competency"})
    return render_template(
        "awards/achievement_form.html", achievement=None, competences=competences,
        error=error, form=_with_types(form), translations=_translation_blocks(None, form),
        language_name=language_name,
    ), status


@bp.route("/admin/badges/<int:achievement_id>/edit", methods=["GET", "POST"])
@staff_required("admin")
def achievement_edit(achievement_id: int) -> Any:
    """Edit texts, validity and image of a badge. A refused edit answers its error status, so
    nothing of it is kept; the page shows the badge as stored with what was typed."""
    db = get_session()
    ach = get_or_404(db, Achievement, achievement_id)
    form = AchievementForm()
    error = None
    status = 200
    if request.method == "POST":
        try:
            with db.begin_nested():
                awards.update_achievement(db, ach, g.organisation,
                                          _input_from_form(form, ach.competence_id),
                                          actor=current_user)
        except UserError as exc:
            error, status = str(exc.message), exc.status
            db.refresh(ach)
        else:
            flash(_("Badge enregistré."), "success")
            return redirect(url_for("awards.achievement_edit", achievement_id=ach.id))
    form.show({"name": ach.name, "description": ach.description,
               "criteria": ach.criteria_narrative, "min_level": ach.min_level,
               "validity_days": ach.validity_days or "",
               "achievement_type": ach.achievement_type, "language": ach.language,
               "tags": ", ".join(ach.tags or []), "image_alt": ach.image_alt})
    return render_template(
        "awards/achievement_form.html", achievement=ach, competences=[], error=error,
        form=_with_types(form), translations=_translation_blocks(ach, form),
        language_name=language_name,
    ), status


@bp.route("/admin/badges/<int:achievement_id>/preview.png")
@staff_required()
def achievement_preview(achievement_id: int) -> Any:
    ach = get_or_404(get_session(), Achievement, achievement_id)
    return Response(ach.image_png, mimetype="image/png",
                    headers={"Cache-Control": "private, no-cache"})
