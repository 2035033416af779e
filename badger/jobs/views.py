"""Job offers' pages: the employer's space, the organisation admin's employers and imports,
the participant's offers, and the coach's three-way meeting guide (HTML and PDF)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from badger.accounts.models import TokenPurpose
from badger.accounts.service import issue_action_token
from badger.db import get_or_404, get_session, utcnow
from badger.errors import UserError
from badger.guards import form_int
from badger.i18n import current_language
from badger.jobs import applications, employers, imports, matching, meeting, offers, rome, words
from badger.jobs.models import CONTRACTS, Application, Employer
from badger.paper.render import PDF_MIMETYPE, html_to_pdf
from badger.portfolio.reading import my_credentials
from badger.security import limiter, login_manager, participant_required, staff_required

bp = Blueprint("jobs", __name__)


def employer_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """A logged-in user whose employer role is live (vouched for, not revoked)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        employer = employers.live_employer(get_session(), current_user)
        if employer is None:
            abort(403)
        g.employer = employer
        return view(*args, **kwargs)

    return wrapped


# --------------------------------------------------------------------------- employer


@bp.route("/employer")
@employer_required
def employer_home() -> Any:
    db = get_session()
    return render_template("jobs/employer_home.html", employer=g.employer,
                           offers=offers.employer_offers(db, g.employer),
                           inbox=applications.inbox(db, g.employer), now=utcnow())


def _offer_input(form: Any) -> offers.OfferInput:
    try:
        expires_on = date.fromisoformat(form.get("expires_on", ""))
    except ValueError as exc:
        raise UserError(_("Date de fin non valable."), 422) from exc
    reqs = []
    for raw_id, raw_level in zip(form.getlist("word"), form.getlist("level"), strict=False):
        if not raw_id:
            continue
        cid, _sep, word = raw_id.partition(":")
        ident, level = form_int(cid), form_int(raw_level)
        if ident is None or level is None:
            raise UserError(_("Choix de savoir-être non valable."), 422)
        reqs.append((ident, level, word))
    return offers.OfferInput(
        title=form.get("title", ""), rome_code=form.get("rome_code", ""),
        place=form.get("place", ""), postcode=form.get("postcode", ""),
        contract=form.get("contract", ""), expires_on=expires_on, requirements=reqs,
        description=form.get("description", ""))


@bp.route("/employer/offers/new", methods=["GET", "POST"])
@employer_required
def offer_new() -> Any:
    db = get_session()
    versions = offers.usable_versions(db, offers.audience_organisations(db, g.employer))
    vocab = {v: words.vocabulary(db, v, current_language()) for v in versions}
    error, status = None, 200
    if request.method == "POST":
        try:
            offer = offers.post(db, g.employer, _offer_input(request.form))
            return redirect(url_for("jobs.employer_offer", offer_id=offer.id))
        except UserError as exc:
            error, status = exc.message, exc.status
    return render_template("jobs/offer_new.html", vocab=vocab, contracts=CONTRACTS,
                           common=rome.COMMON, error=error, form=request.form), status


@bp.route("/employer/offers/<int:offer_id>")
@employer_required
def employer_offer(offer_id: int) -> Any:
    db = get_session()
    offer = offers.own_offer(db, g.employer, offer_id)
    return render_template("jobs/employer_offer.html", offer=offer,
                           received=applications.received(db, g.employer, offer))


@bp.route("/employer/applications/<int:application_id>")
@employer_required
def employer_application(application_id: int) -> Any:
    db = get_session()
    app_ = applications.received_one(db, g.employer, application_id)
    share_url = url_for("portfolio.public_share", token=app_.share_token) \
        if app_.share_token else None
    return render_template("jobs/employer_application.html", application=app_,
                           share_url=share_url)


# --------------------------------------------------------------------------- organisation admin


@bp.route("/jobs/employers", methods=["GET", "POST"])
@staff_required("admin")
def employer_list() -> Any:
    db = get_session()
    link, error, status = None, None, 200
    if request.method == "POST":
        try:
            employer = employers.vouch(
                db, email=request.form.get("email", ""), name=request.form.get("name", ""),
                company=request.form.get("company", ""), organisation_id=g.organisation.id,
                actor=current_user)
            if employer.user.password_hash is None:
                token = issue_action_token(db, employer.user, TokenPurpose.INVITE,
                                           actor=current_user)
                link = url_for("accounts.accept_token", token=token, _external=True)
            flash(_("Employeur reconnu : %(name)s.", name=employer.company), "success")
        except UserError as exc:
            error, status = exc.message, exc.status
    return render_template("jobs/employers.html", link=link, error=error,
                           employers=employers.of_organisation(db, g.organisation.id)), status


@bp.route("/jobs/employers/<int:employer_id>/revoke", methods=["POST"])
@staff_required("admin")
def employer_revoke(employer_id: int) -> Any:
    db = get_session()
    employer = db.get(Employer, employer_id)
    if employer is None or employer.organisation_id != g.organisation.id:
        abort(404)
    employers.revoke(db, employer, actor=current_user)
    flash(_("Cet employeur n'est plus reconnu."), "success")
    return redirect(url_for("jobs.employer_list"))


@bp.route("/jobs/import", methods=["GET", "POST"])
@staff_required("admin")
@limiter.limit("20 per minute", methods=["POST"])
def import_page() -> Any:
    db = get_session()
    report, error, status = None, None, 200
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is None:
                raise UserError(_("Choisissez un fichier."), 400)
            raw = upload.stream.read(imports.MAX_BYTES + 1)
            report = imports.import_file(db, raw, organisation_id=g.organisation.id,
                                         source=request.form.get("source", ""),
                                         actor=current_user)
        except UserError as exc:
            error, status = exc.message, exc.status
    return render_template("jobs/import.html", report=report, error=error), status


# --------------------------------------------------------------------------- coach


@bp.route("/jobs/applications")
@staff_required()
def staff_applications() -> Any:
    rows = get_session().scalars(select(Application).where(Application.withdrawn_at.is_(None))
                                 .order_by(Application.id.desc()).limit(200)).all()
    return render_template("jobs/staff_applications.html", rows=rows)


def _guide(application_id: int) -> meeting.Guide:
    db = get_session()
    return meeting.guide(db, get_or_404(db, Application, application_id), current_language())


@bp.route("/jobs/applications/<int:application_id>/meeting")
@staff_required()
def meeting_page(application_id: int) -> Any:
    return render_template("jobs/meeting.html", guide=_guide(application_id))


@bp.route("/jobs/applications/<int:application_id>/meeting.pdf")
@staff_required()
@limiter.limit("60 per minute")
def meeting_pdf(application_id: int) -> Any:
    html = render_template("jobs/meeting_paper.html", guide=_guide(application_id))
    response = Response(html_to_pdf(html, title=f"rencontre-{application_id}.pdf"),
                        mimetype=PDF_MIMETYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="rencontre-{application_id}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- participant


@bp.route("/my/jobs", methods=["GET", "POST"])
@participant_required
def my_jobs() -> Any:
    db = get_session()
    if request.method == "POST":
        applications.set_preference(db, current_user, receive=bool(request.form.get("receive")),
                                    digest=bool(request.form.get("digest")))
        return redirect(url_for("jobs.my_jobs"))
    pref = applications.preference(db, current_user)
    fitting: list[matching.Match] = []
    partial: list[matching.Match] = []
    if pref.receive_offers:
        fitting, partial = matching.matches(
            db, offers.live_offers(db, current_user.organisation_id), current_user.id,
            current_language())
    mine = applications.my_applications(db, current_user)
    return render_template("jobs/my_jobs.html", pref=pref, fitting=fitting, partial=partial,
                           applied={a.offer_id: a for a in mine if a.withdrawn_at is None},
                           rome_label=rome.label)


@bp.route("/my/jobs/<int:offer_id>/apply", methods=["GET", "POST"])
@participant_required
def apply(offer_id: int) -> Any:
    db = get_session()
    error, status = None, 200
    offer = offers.visible_offer(db, current_user.organisation_id, offer_id)
    if request.method == "POST":
        ids = [i for i in (form_int(v) for v in request.form.getlist("credential")) if i]
        try:
            applications.apply(db, current_user, offer.id, credential_ids=ids)
            flash(_("Votre candidature est envoyée."), "success")
            return redirect(url_for("jobs.my_jobs"))
        except UserError as exc:
            error, status = exc.message, exc.status
    creds = [c for c in my_credentials(db, current_user) if not c.revoked_at]
    return render_template("jobs/apply.html", offer=offer, credentials=creds, error=error,
                           match=matching.explain(db, offer, current_user.id,
                                                  current_language())), status


@bp.route("/my/jobs/applications/<int:application_id>/withdraw", methods=["POST"])
@participant_required
def withdraw(application_id: int) -> Any:
    applications.withdraw(get_session(), current_user, application_id)
    flash(_("Votre candidature est retirée ; l'employeur ne voit plus votre partage."), "success")
    return redirect(url_for("jobs.my_jobs"))


def _employer_home_first() -> Any:
    """An employer's "home" is their space (they belong to no organisation's team)."""
    if request.endpoint == "accounts.home" and current_user.is_authenticated \
            and employers.live_employer(get_session(), current_user) is not None:
        return redirect(url_for("jobs.employer_home"))
    return None


def init_app(app: Any) -> None:
    app.before_request(_employer_home_first)
