"""Credentials: the staff's list, detail and actions (revoke, suspend, re-issue, claim code),
the participant's offers and files, and the claim page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from badger import awards, urls
from badger.awards import reading
from badger.awards.forms import (
    ConsentForm,
    ReasonForm,
    RedeemForm,
    RevokeForm,
    SuspendForm,
    number,
    text,
    was_sent,
)
from badger.awards.models import Credential
from badger.awards.views.common import bp, settings
from badger.db import get_or_404, get_session
from badger.errors import UserError
from badger.i18n import current_language
from badger.public import VC_JSON
from badger.security import limiter, participant_required, staff_required

#: The browser session's list of the credentials it just claimed (the claim page's wallet
#: button works there only: :func:`badger.awards.claimed_credential`).
CLAIMED_KEY = "claimed_credentials"


def claim_limit() -> str:
    """The rate limit of the claim code's pages (a code is guessed like a password)."""
    return str(current_app.config["BADGER_LOGIN_RATE_LIMIT"])


def claimed_here() -> list[int]:
    """The credentials this browser claimed (its session, signed: it cannot be made up)."""
    value = session.get(CLAIMED_KEY)
    return [x for x in value if isinstance(x, int)] if isinstance(value, list) else []


def _remember_claimed(cred: Credential) -> None:
    session[CLAIMED_KEY] = [*claimed_here()[-4:], cred.id]


def _claimed_again(code: str) -> Credential | None:
    """The badge this browser claimed with ``code`` a moment ago (a reload, the back button):
    its page shows "badge received" and the wallet button again, not a form whose code is
    spent. Strangers' browsers claimed nothing: no lookup, the usual form."""
    if not claimed_here():
        return None
    try:
        return awards.claimed_credential(get_session(), code, claimed_here())
    except UserError:
        return None


@bp.route("/admin/credentials")
@staff_required()
def credentials() -> Any:
    return render_template("awards/credentials.html",
                           credentials=reading.recent_credentials(get_session()))


@bp.route("/admin/credentials/<int:credential_id>")
@staff_required()
def credential_detail(credential_id: int) -> Any:
    db = get_session()
    cred = get_or_404(db, Credential, credential_id)
    return render_template("awards/credential_detail.html", cred=cred,
                           claim=reading.claim_of(db, cred),
                           credential_id_url=urls.credential_url(cred.uuid),
                           revoke_form=RevokeForm(), suspend_form=SuspendForm())


def _revoke(cred: Credential, reason: str) -> str:
    awards.revoke(get_session(), cred, reason, actor=current_user)
    return _("Badge retiré. La liste de statut est mise à jour.")


def _suspend(cred: Credential, reason: str) -> str:
    awards.suspend(get_session(), cred, reason, actor=current_user)
    return _("Badge suspendu : il n'est plus valable tant que la suspension dure. "
             "La liste de statut est mise à jour.")


def _unsuspend(cred: Credential, reason: str) -> str:
    awards.unsuspend(get_session(), cred, actor=current_user)
    return _("Suspension levée : le badge est réémis. Les fichiers téléchargés avant la "
             "suspension ne sont plus valables.")


def _reissue(cred: Credential, reason: str) -> str:
    awards.reissue(get_session(), cred, actor=current_user)
    return _("Badge réémis (même identifiant, même date d'attribution).")


def _admin_action(credential_id: int, action: Callable[[Credential, str], str]) -> Any:
    """Run one action on a credential and come back to its page (303 either way). A refused
    action is undone to its SAVEPOINT: the redirect would otherwise commit its writes."""
    db = get_session()
    cred = get_or_404(db, Credential, credential_id)
    form = ReasonForm()
    try:
        with db.begin_nested():
            message = action(cred, text(form.reason))
    except UserError as exc:
        flash(str(exc.message), "error")
    else:
        flash(message, "success")
    return redirect(url_for("awards.credential_detail", credential_id=credential_id)), 303


@bp.route("/admin/credentials/<int:credential_id>/revoke", methods=["POST"])
@staff_required("admin")
def revoke(credential_id: int) -> Any:
    return _admin_action(credential_id, _revoke)


@bp.route("/admin/credentials/<int:credential_id>/suspend", methods=["POST"])
@staff_required("admin")
def suspend(credential_id: int) -> Any:
    return _admin_action(credential_id, _suspend)


@bp.route("/admin/credentials/<int:credential_id>/unsuspend", methods=["POST"])
@staff_required("admin")
def unsuspend(credential_id: int) -> Any:
    return _admin_action(credential_id, _unsuspend)


@bp.route("/admin/credentials/<int:credential_id>/reissue", methods=["POST"])
@staff_required("admin")
def reissue(credential_id: int) -> Any:
    return _admin_action(credential_id, _reissue)


def _claim_page(cred: Credential, code: str) -> Any:
    url = url_for("awards.redeem", code=code, _external=True)
    qr_svg = segno.make(url, error="m").svg_inline(scale=5, title=_("Code QR pour récupérer le "
                                                                    "badge"))
    return render_template("awards/claim_print.html", cred=cred, code=code, qr_svg=qr_svg,
                           redeem_url=url_for("awards.redeem", _external=True))


@bp.route("/admin/credentials/<int:credential_id>/claim", methods=["POST"])
@staff_required()
def claim_code(credential_id: int) -> Any:
    """A new printable claim code (the previous one stops working)."""
    db = get_session()
    cred = get_or_404(db, Credential, credential_id)
    code = awards.renew_claim(db, cred, actor=current_user, settings=settings())
    return _claim_page(cred, code)


FORMATS = {
    "json": ("signed_json", VC_JSON, "json"),
    "jwt": ("signed_jwt", "text/plain", "jwt"),
    "png": ("baked_png", "image/png", "png"),
    "svg": ("baked_svg", "image/svg+xml", "svg"),
}


def _download(cred: Credential, fmt: str) -> Response:
    attr, mimetype, ext = FORMATS[fmt]
    body = getattr(cred, attr)
    if body is None:
        abort(404)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="badge-{cred.uuid}.{ext}"',
        "Cache-Control": "private, no-store",
    })


@bp.route("/admin/credentials/<int:credential_id>/file.<any(json, jwt, png, svg):fmt>")
@staff_required()
def credential_file(credential_id: int, fmt: str) -> Any:
    return _download(get_or_404(get_session(), Credential, credential_id), fmt)


@bp.route("/me/badges", methods=["GET", "POST"])
@participant_required
def my_offers() -> Any:
    """Badges proposed to me (accept / decline) and the badges I hold."""
    db = get_session()
    error = None
    status = 200
    if request.method == "POST":
        form = ConsentForm()
        accept = text(form.decision) == "accept"
        try:
            awards.consent(db, current_user, number(form.validated_competence_id, 0) or 0,
                           number(form.achievement_id, 0) or 0, accept=accept,
                           email=form.email.data, phone=form.phone.data, did=form.did.data,
                           attach_chart=text(form.attach_chart) == "1", settings=settings(),
                           language=text(form.language) or None,
                           preferred_language=current_language())
        except UserError as exc:
            error, status = str(exc.message), exc.status
        else:
            flash(_("Badge reçu. Il est privé tant que vous ne le rendez pas public.") if accept
                  else _("C'est noté : ce badge ne sera pas émis."), "success")
            return redirect(url_for("awards.my_offers"), 303)
    props = awards.proposals(db, current_user.organisation_id, current_user.id)
    return render_template("awards/my_offers.html", proposals=props,
                           held=reading.held_by(db, current_user.id), error=error,
                           has_identity=bool(current_user.email or current_user.phone)), status


@bp.route("/me/badges/<int:credential_id>/file.<any(json, jwt, png, svg):fmt>")
@participant_required
def my_file(credential_id: int, fmt: str) -> Any:
    cred = get_or_404(get_session(), Credential, credential_id)
    if cred.participant_id != current_user.id:
        abort(404)
    return _download(cred, fmt)


@bp.route("/claim", methods=["GET", "POST"])
@bp.route("/claim/<code>", methods=["GET"])
@limiter.limit(claim_limit, methods=["POST"])
def redeem(code: str | None = None) -> Any:
    """Redeem a claim code: bind an e-mail, a phone or a wallet DID; the badge is issued."""
    db = get_session()
    error = None
    status = 200
    form = RedeemForm()
    if request.method == "GET" and code and (again := _claimed_again(code)) is not None:
        return render_template("awards/claim_done.html", cred=again, code=awards.clean_code(code))
    if request.method == "POST":
        code = text(form.code)
        kind = text(form.kind) if was_sent(form.kind) else "email"
        value = text(form.value)
        try:
            cred = awards.redeem_claim(
                db, code,
                email=value if kind == "email" else None,
                phone=value if kind == "phone" else None,
                did=value if kind == "did" else None,
            )
        except UserError as exc:
            error, status = str(exc.message), exc.status
            form.value.data = ""  # never shown back
        else:
            _remember_claimed(cred)
            return render_template("awards/claim_done.html", cred=cred,
                                   code=awards.clean_code(code))
    form.code.data = code or ""
    return render_template("awards/claim.html", form=form, error=error), status
