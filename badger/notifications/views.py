"""The participant's "my messages" page (``/me/notifications``) and the stop link every
message carries (``/notifications/stop/<token>``: no login, one button).

Forms parse, :mod:`badger.notifications.service` decides; the request's transaction is
committed or rolled back by the answer (:mod:`badger.db`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badger.db import get_session
from badger.errors import UserError
from badger.notifications import service
from badger.notifications.channels import available
from badger.notifications.forms import ChooseForm, EmailForm, SmsForm
from badger.security import limiter, participant_required

bp = Blueprint("notifications", __name__)


def _page(status: int = 200, **extra: Any) -> Any:
    db = get_session()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return render_template(
        "notifications/preferences.html",
        pref=service.preference(db, current_user),
        channels=available(app),
        sms_form=SmsForm(formdata=None),
        email_form=EmailForm(formdata=None),
        **extra,
    ), status


@bp.route("/me/notifications")
@participant_required
def preferences() -> Any:
    return _page()


@bp.route("/me/notifications", methods=["POST"])
@participant_required
@limiter.limit("20 per hour")
def choose() -> Any:
    form = ChooseForm()
    try:
        service.choose(get_session(), current_user, form.channel.data, form.contact.data)
    except UserError as exc:
        return _page(exc.status, error=str(exc.message))
    flash(_("C'est noté."), "success")
    return redirect(url_for("notifications.preferences"))


@bp.route("/me/notifications/stop", methods=["POST"])
@participant_required
def stop_all() -> Any:
    service.stop(get_session(), current_user, via="page")
    flash(_("C'est fait : vous ne recevrez plus de messages."), "success")
    return redirect(url_for("notifications.preferences"))


@bp.route("/me/notifications/test", methods=["POST"])
@participant_required
@limiter.limit("5 per hour")
def test_message() -> Any:
    """Queue a test message (sent with the next ``badger notifications send``)."""
    found = service.enqueue(get_session(), participant=current_user, kind="notifications.test",
                            link=url_for("notifications.preferences"),
                            params={"name": current_user.display_name})
    if found is None:
        return _page(409, error=_("Choisissez d'abord SMS ou e-mail."))
    flash(_("Un message d'essai part dans quelques minutes."), "success")
    return redirect(url_for("notifications.preferences"))


@bp.route("/notifications/stop/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def stop_link(token: str) -> Any:
    """GET shows one button (a mail scanner opening the link stops nothing); POST stops."""
    db = get_session()
    known = service.notification_for_stop_token(db, token) is not None
    if not known:
        return render_template("notifications/stop.html", unknown=True), 404
    if request.method == "POST":
        service.stop_by_token(db, token)
        return render_template("notifications/stop.html", done=True)
    return render_template("notifications/stop.html", token=token)
