"""Log in and out, switch language and organisation, manage staff and participants.

Writes are the request's transaction (``badger.db``): committed when the view answers below
400, rolled back otherwise. A refused login writes nothing (the rate limit counts in the
limiter's own storage), so none of these views needs ``keep_on_error``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from badger import audit
from badger.accounts import service, sessions
from badger.accounts.forms import (
    CodeForm,
    EasyReadForm,
    InviteForm,
    LanguageForm,
    LoginForm,
    OrganisationForm,
    ParticipantForm,
    PasswordForm,
)
from badger.accounts.models import Participant, Role, TokenPurpose, User
from badger.db import get_or_404, get_session
from badger.errors import UserError
from badger.forms import ConfirmForm
from badger.i18n import EASY_READ_KEY
from badger.security import limiter, login_required, register_principals, staff_required

bp = Blueprint("accounts", __name__)


def init_app(app: Flask) -> None:
    """Tell the core who logs in and where sessions live (badger.security imports no domain)."""
    register_principals(
        app, {"u": User, "p": Participant}, is_live=sessions.is_live, forget=sessions.forget,
        session_store=sessions.make_store(app.config),
    )


def _login_limit() -> str:
    return str(current_app.config["BADGER_LOGIN_RATE_LIMIT"])


def _safe_next(target: str | None) -> str:
    """Only follow a path of this site after login (no open redirect): it starts with one "/"
    not followed by another "/" or a "\\" (browsers read "/\\evil" as "//evil"), has no
    scheme nor host, and no control character or space (browsers drop tabs and newlines, so
    "/<tab>/evil" would become "//evil")."""
    home = url_for("accounts.home")
    if not target or len(target) > 2048:
        return home
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in target):
        return home
    if not target.startswith("/") or target.startswith("//"):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home
    return target


@bp.route("/")
def home() -> Any:
    """Show the landing page, or the person's own space."""
    if not current_user.is_authenticated:
        return render_template("accounts/landing.html")
    if current_user.kind == "participant":
        return render_template("accounts/participant_home.html")
    switch = OrganisationForm(formdata=None, memberships=current_user.memberships)
    if g.organisation is not None:
        switch.organisation_id.data = g.organisation.id
    return render_template("accounts/staff_home.html", switch_form=switch)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    """Log a staff member in with e-mail and password."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        db = get_session()
        user = service.authenticate(db, form.email.data or "", form.password.data or "")
        if user is None:
            error = _("E-mail ou mot de passe incorrect.")
        else:
            sessions.log_in(db, user, request.headers.get("User-Agent"))
            audit.record(db, "staff.login", actor=user, obj=user)
            return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else (400 if form.errors else 200)
    return render_template("accounts/login.html", form=form, error=error), status


@bp.route("/code", methods=["GET", "POST"])
@bp.route("/code/<code>", methods=["GET"])
@limiter.limit(_login_limit, methods=["POST"])
def code_login(code: str | None = None) -> Any:
    """Log a participant in with the one-time code their coach gave them (typed or scanned)."""
    form = CodeForm()
    if code and request.method == "GET":
        form.code.data = code
    error = None
    if form.validate_on_submit():
        db = get_session()
        try:
            participant = service.redeem_login_code(db, form.code.data or "")
        except UserError as exc:
            error = str(exc.message)
        else:
            sessions.log_in(db, participant, request.headers.get("User-Agent"))
            return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else (400 if form.errors else 200)
    return render_template("accounts/code_login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Log out (POST only, so a link elsewhere cannot log people out): the session ends on the
    server too, so a copy of the cookie is worth nothing afterwards. The browser is told to
    erase what this site kept on the device (the grids kept offline, the service worker's
    caches): on a shared phone the next person finds nothing of the last one's."""
    sessions.log_out(get_session())
    response = redirect(url_for("accounts.home"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/language", methods=["POST"])
def set_language() -> Any:
    """Remember the chosen language for this browser and, when logged in, for the person."""
    form = LanguageForm()
    lang = form.lang.data or ""
    if not form.validate_on_submit() or lang not in current_app.config["BADGER_LANGUAGES"]:
        raise UserError(_("Code de langue non valable."), 400)
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
    return redirect(_safe_next(form.next.data))


@bp.route("/easy-read", methods=["POST"])
def set_easy_read() -> Any:
    """Turn easy-to-read mode on or off: in a participant's profile once logged in, else in this
    browser's session (the code login page offers it; it goes to the profile at login)."""
    form = EasyReadForm()
    on = form.on.data or ""
    if not form.validate_on_submit() or on not in ("0", "1"):
        raise UserError(_("Choix non valable."), 400)
    if current_user.is_authenticated and current_user.kind == "participant":
        current_user.easy_read = on == "1"
    else:
        session[EASY_READ_KEY] = on == "1"
    return redirect(_safe_next(form.next.data))


@bp.route("/organisation", methods=["POST"])
@staff_required()
def switch_organisation() -> Any:
    """Act in another organisation the staff member belongs to."""
    form = OrganisationForm(memberships=current_user.memberships)
    org_id = form.organisation_id.data if form.validate_on_submit() else None
    if org_id is None or current_user.role_in(org_id) is None:
        abort(404)
    session["org_id"] = org_id
    return redirect(url_for("accounts.home"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_token(token: str) -> Any:
    """Choose a password from an invitation or reset link."""
    db = get_session()
    row = service.find_action_token(db, token)
    form = PasswordForm()
    if form.validate_on_submit():
        # The new password ends every session of this person (badger.accounts.sessions);
        # this browser starts a fresh one.
        user = service.use_action_token(db, token, form.password.data or "")
        sessions.log_in(db, user, request.headers.get("User-Agent"))
        flash(_("Votre mot de passe est enregistré."), "success")
        return redirect(url_for("accounts.home"))
    status = 400 if form.errors else 200
    return render_template("accounts/set_password.html", form=form, purpose=row.purpose), status


@bp.route("/admin/staff", methods=["GET", "POST"])
@staff_required("admin")
def staff() -> Any:
    """List the organisation's team and invite a new member."""
    db = get_session()
    form = InviteForm()
    link = None
    if form.validate_on_submit():
        user = service.create_staff(
            db,
            organisation=g.organisation,
            email=form.email.data or "",
            name=form.name.data or "",
            role=Role(form.role.data),
            actor=current_user,
        )
        token = None
        if user.password_hash is None:
            token = service.issue_action_token(db, user, TokenPurpose.INVITE, actor=current_user)
        if token:
            link = url_for("accounts.accept_token", token=token, _external=True)
        flash(_("%(name)s fait maintenant partie de l'équipe.", name=user.name), "success")
        form = InviteForm(formdata=None)
    members = service.staff_members(db, g.organisation.id)
    status = 400 if form.errors else 200
    return render_template(
        "accounts/staff.html", form=form, members=members, link=link, confirm=ConfirmForm()
    ), status


@bp.route("/admin/staff/<int:user_id>/reset", methods=["POST"])
@staff_required("admin")
def staff_reset(user_id: int) -> Any:
    """Make a password-reset link for a team member (the admin passes it on)."""
    db = get_session()
    membership = service.staff_membership(db, user_id, g.organisation.id)
    if membership is None:
        abort(404)
    token = service.issue_action_token(
        db, membership.user, TokenPurpose.PASSWORD_RESET, actor=current_user
    )
    link = url_for("accounts.accept_token", token=token, _external=True)
    return render_template("accounts/reset_link.html", user=membership.user, link=link)


@bp.route("/admin/participants", methods=["GET", "POST"])
@staff_required()
def participants() -> Any:
    """List participants; admins add new ones."""
    db = get_session()
    form = ParticipantForm()
    if request.method == "POST":
        if g.role != "admin":
            abort(403)
        if form.validate_on_submit():
            participant = service.create_participant(
                db,
                organisation_id=g.organisation.id,
                display_name=form.display_name.data or "",
                email=form.email.data,
                phone=form.phone.data,
                locale=form.locale.data or None,
                actor=current_user,
            )
            flash(_("Participant ajouté."), "success")
            return redirect(url_for("accounts.participant_detail", participant_id=participant.id))
    rows = service.participants(db)
    status = 400 if form.errors else 200
    return render_template("accounts/participants.html", form=form, participants=rows), status


@bp.route("/admin/participants/<int:participant_id>")
@staff_required()
def participant_detail(participant_id: int) -> Any:
    """One participant, with the button that prints a login code."""
    db = get_session()
    participant = get_or_404(db, Participant, participant_id)
    return render_template(
        "accounts/participant_detail.html", participant=participant, confirm=ConfirmForm()
    )


@bp.route("/admin/participants/<int:participant_id>/code", methods=["POST"])
@staff_required()
def participant_code(participant_id: int) -> Any:
    """Create a one-time login code and show it large, with a QR code, ready to print."""
    db = get_session()
    participant = get_or_404(db, Participant, participant_id)
    issued = service.issue_login_code(
        db,
        participant,
        minutes=current_app.config["BADGER_LOGIN_CODE_MINUTES"],
        actor=current_user,
    )
    url = url_for("accounts.code_login", code=issued.code, _external=True)
    qr_svg = segno.make(url, error="m").svg_inline(scale=6, title=_("Code QR de connexion"))
    return render_template(
        "accounts/login_code.html",
        participant=participant,
        code=issued.code,
        expires_at=issued.login_code.expires_at,
        qr_svg=qr_svg,
    )


@bp.route("/account/sessions")
@login_required
def my_sessions() -> Any:
    """The browsers and phones where this person is logged in; end any but this one."""
    db = get_session()
    live = sessions.get_store().live(db, current_user.get_id(), sessions.current_token())
    return render_template("accounts/sessions.html", live=live, confirm=ConfirmForm())


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int) -> Any:
    """Log out one other device of this person (404 for anyone else's session)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    if not sessions.get_store().end_one(db, current_user.get_id(), session_id, "ended_elsewhere"):
        abort(404)
    audit.record(db, "session.end_other", actor=current_user, obj=current_user)
    flash(_("Cet appareil est déconnecté."), "success")
    return redirect(url_for("accounts.my_sessions"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions() -> Any:
    """Log out every device of this person but this one."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    count = sessions.get_store().end_all(
        db, current_user.get_id(), "ended_elsewhere", keep_token=sessions.current_token()
    )
    audit.record(db, "session.end_others", actor=current_user, obj=current_user, count=count)
    flash(_("Vos autres appareils sont déconnectés."), "success")
    return redirect(url_for("accounts.my_sessions"))
