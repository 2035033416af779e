"""The participant's "my e-mail, phone and DID" page: add, confirm with a code, remove.

Forms parse (:mod:`badger.holders.forms`), the service decides, the request's transaction is
committed or rolled back by its answer (:mod:`badger.db`): an error answer keeps nothing,
except a wrong code's count and a spent DID challenge (:func:`badger.db.keep_on_error`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badger.db import get_session, keep_on_error
from badger.errors import UserError
from badger.holders import sending, service
from badger.holders.forms import (
    ConfirmCodeForm,
    EmailForm,
    PhoneForm,
    PresentationForm,
    SendCodeForm,
)
from badger.ob3.presentation import MAX_PRESENTATION_BYTES
from badger.resolver import app_resolver
from badger.security import limiter, participant_required

bp = Blueprint("holders", __name__)


def _page(status: int = 200, **extra: Any) -> Any:
    db = get_session()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return render_template(
        "holders/identities.html",
        identities=service.identities(db, current_user),
        sms=sending.sms_backend(app) is not None,
        email=sending.email_configured(app),
        phone_form=PhoneForm(formdata=None),
        email_form=EmailForm(formdata=None),
        confirm_form=ConfirmCodeForm(formdata=None),
        presentation_form=PresentationForm(formdata=None),
        **extra,
    ), status


@bp.route("/me/identities")
@participant_required
def identities() -> Any:
    return _page()


@bp.route("/me/identities/send", methods=["POST"])
@participant_required
@limiter.limit("10 per hour")
def send() -> Any:
    db = get_session()
    form = SendCodeForm()
    kind = form.kind.data
    try:
        challenge = service.send_code(db, current_user, kind, form.value.data)
    except UserError as exc:
        return _page(exc.status, error=str(exc.message), kind=kind)
    return _page(pending=challenge)


@bp.route("/me/identities/confirm", methods=["POST"])
@participant_required
def confirm() -> Any:
    db = get_session()
    form = ConfirmCodeForm()
    challenge_id = form.challenge_id()
    try:
        service.confirm_code(db, current_user, challenge_id, form.code.data)
    except UserError as exc:
        keep_on_error(db)  # keeps the count of wrong codes, nothing else was written
        pending = None
        if exc.status == 422:
            pending = service._own_challenge(db, current_user, challenge_id)
        return _page(exc.status, error=str(exc.message), pending=pending)
    flash(_("C'est prouvé : les badges remis à cette identité sont à vous."), "success")
    return redirect(url_for("holders.identities"))


@bp.route("/me/identities/did/challenge", methods=["POST"])
@participant_required
def did_challenge() -> Any:
    db = get_session()
    try:
        found = service.did_challenge(db, current_user)
    except UserError as exc:
        return _page(exc.status, error=str(exc.message))
    return _page(did=found)


@bp.route("/me/identities/did", methods=["POST"])
@participant_required
@limiter.limit("20 per hour")
def did_prove() -> Any:
    db = get_session()
    form = PresentationForm()
    text = form.presentation.data or ""
    upload = form.file.data
    if upload is not None and upload.filename:
        text = upload.stream.read(MAX_PRESENTATION_BYTES + 1).decode("utf-8", "replace")
    if len(text) > MAX_PRESENTATION_BYTES:
        return _page(413, error=_("Ce fichier est trop grand."))
    try:
        service.prove_did(db, current_user, text, app_resolver())
    except UserError as exc:
        keep_on_error(db)  # the challenge is spent either way
        return _page(exc.status, error=str(exc.message))
    flash(_("C'est prouvé : les badges remis à cette identité sont à vous."), "success")
    return redirect(url_for("holders.identities"))


@bp.route("/me/identities/<int:identity_id>/remove", methods=["POST"])
@participant_required
def remove(identity_id: int) -> Any:
    db = get_session()
    service.remove(db, current_user, identity_id)
    flash(_("Identité retirée."), "success")
    return redirect(url_for("holders.identities"))
