"""Photolangage pages: the coach's picker during a round's conversation (works without
JavaScript: a grid of links, one picture enlarged, a form), the choices shown on the round,
a network administrator's own pictures, and the uploaded files."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badger.db import get_session
from badger.errors import UserError
from badger.grids import photolangage as photos
from badger.grids.labels import competence_label
from badger.grids.views.base import actor, bp, load_round
from badger.guards import form_int
from badger.i18n import current_language
from badger.networks.service import network_for_admin
from badger.security import login_required, network_admin_required, staff_required


def _viewer_organisation_id() -> int | None:
    if current_user.kind == "participant":
        return int(current_user.organisation_id)
    org = g.get("organisation")
    return org.id if org is not None else None


@bp.app_template_global("photolangage_choices")
def _choices_global(rnd: Any) -> list[photos.ChoiceView]:
    """The pictures chosen in ``rnd`` (for ``grids/_photo_choices.html``, wherever included)."""
    return photos.choices_of(get_session(), rnd, current_language())


@bp.app_template_global("photolangage_src")
def _picture_src(pic: photos.Picture) -> str:
    if pic.shipped:
        return url_for("static", filename=f"photolangage/{pic.file}")
    return url_for("grids.photolangage_file", filename=pic.file)


@bp.route("/rounds/<int:round_id>/photolangage", methods=["GET", "POST"])
@staff_required()
def photolangage(round_id: int) -> Any:
    """The picker: every picture of the bank; ``?show=<key>`` enlarges one, with the form that
    writes the participant's choice in the round's notes."""
    rnd = load_round(round_id)
    db = get_session()
    if request.method == "POST":
        data = photos.ChoiceInput(
            picture=request.form.get("picture", ""),
            competence_id=form_int(request.form.get("competence", "")) or None,
            chosen_by=request.form.get("chosen_by", "participant"),
            note=request.form.get("note", ""),
        )
        choice = photos.record_choice(db, rnd, data, recorded_by_id=actor().id)
        flash(_("Noté : « %(label)s ».", label=photos.find_picture(
            db, rnd.organisation_id, choice.picture).label), "success")
        return redirect(url_for("grids.coach_round", round_id=rnd.id) + "#photo-choices")
    pictures = photos.bank(db, rnd.organisation_id)
    shown_key = request.args.get("show", "")
    shown = next((p for p in pictures if p.key == shown_key), None)
    if shown_key and shown is None:
        abort(404)
    lang = current_language()
    competences = [(it.competence_id, competence_label(it.competence, lang))
                   for it in rnd.items]
    return render_template("grids/photolangage.html", round=rnd, pictures=pictures,
                           shown=shown, competences=competences)


@bp.route("/rounds/<int:round_id>/photolangage/<int:choice_id>/delete", methods=["POST"])
@staff_required()
def photolangage_delete_choice(round_id: int, choice_id: int) -> Any:
    rnd = load_round(round_id)
    photos.delete_choice(get_session(), rnd, choice_id)
    flash(_("Choix d'image retiré."), "success")
    return redirect(url_for("grids.coach_round", round_id=rnd.id) + "#photo-choices")


@bp.route("/photolangage/files/<filename>")
@login_required
def photolangage_file(filename: str) -> Any:
    """A network's uploaded picture, for the staff and participants of its member
    organisations and for its administrators."""
    admin_of = current_user.admin_network_ids() if current_user.kind == "staff" else set()
    if not photos.visible_file(get_session(), _viewer_organisation_id(), filename, admin_of):
        abort(404)
    response = send_from_directory(photos.picture_path(filename).parent, filename,
                                   max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/admin/networks/<slug>/photolangage", methods=["GET", "POST"])
@network_admin_required
def network_photolangage(slug: str) -> Any:
    """A network administrator's own pictures: add (PNG or JPEG), see, remove."""
    db = get_session()
    network = network_for_admin(db, current_user, slug)
    if request.method == "POST":
        upload = request.files.get("picture")
        if upload is None or not upload.filename:
            raise UserError(_("Choisissez une image."), 400)
        pic = photos.add_network_picture(db, network, upload.read(),
                                         request.form.get("label", ""),
                                         actor_id=current_user.id)
        flash(_("Image ajoutée : « %(label)s ».", label=pic.label), "success")
        return redirect(url_for("grids.network_photolangage", slug=network.slug))
    return render_template("grids/photolangage_network.html", network=network,
                           pictures=photos.network_pictures(db, [network.id]),
                           max_mb=photos.MAX_PICTURE_BYTES // (1024 * 1024))


@bp.route("/admin/networks/<slug>/photolangage/<int:picture_id>/delete", methods=["POST"])
@network_admin_required
def network_photolangage_delete(slug: str, picture_id: int) -> Any:
    db = get_session()
    network = network_for_admin(db, current_user, slug)
    photos.remove_network_picture(db, {network.id}, picture_id)
    flash(_("Image retirée."), "success")
    return redirect(url_for("grids.network_photolangage", slug=network.slug))
