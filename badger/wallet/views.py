"""Wallet delivery over HTTP: the participant's offer page, and the OpenID4VCI endpoints a
wallet calls (metadata, token, nonce, credential). Thin: parse, call the service, answer."""

from __future__ import annotations

from typing import Any

import segno
from flask import Blueprint, Response, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField

from badger import awards
from badger import db as database
from badger.awards.views import claim_limit, claimed_here
from badger.db import get_session
from badger.security import csrf, limiter, participant_required
from badger.wallet import schemas, service
from badger.wallet.service import WalletError

bp = Blueprint("wallet", __name__)

class OfferForm(FlaskForm):
    """Ask for a wallet offer of one badge; the 4-digit transaction code is on by default."""

    tx_code = BooleanField(_l("Protéger par un code à 4 chiffres (conseillé)"), default=True)


def _answer(body: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(exc: WalletError) -> Response:
    if exc.keep:
        database.keep_on_error(get_session())
    response = _answer(exc.body(), exc.status)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
    return response


def _offer_page(cred: Any, form: OfferForm, created: service.OfferCreated | None, *,
                back: bool) -> str:
    qr = (segno.make(created.deep_link, error="l").svg_inline(
        scale=3, title=_("Code QR à scanner avec votre application portefeuille"))
        if created else None)
    return render_template("wallet/offer.html", cred=cred, form=form, created=created, qr=qr,
                           offerable=service.offerable(cred, database.utcnow()), back=back)


@bp.route("/portfolio/badges/<int:credential_id>/wallet", methods=["GET", "POST"])
@participant_required
def offer(credential_id: int) -> Any:
    """"Mettre dans mon portefeuille": a QR code and a link that open the participant's
    wallet app, with the transaction code to type there."""
    session = get_session()
    cred = awards.own_credential(session, current_user, credential_id)
    form = OfferForm()
    created = None
    if form.validate_on_submit():
        created = service.create_offer(session, current_user, credential_id,
                                       with_tx_code=bool(form.tx_code.data))
    return _offer_page(cred, form, created, back=True)


@bp.route("/claim/<code>/wallet", methods=["GET", "POST"])
@limiter.limit(claim_limit)
def claim_offer(code: str) -> Any:
    """The same page from the claim page, right after the claim code issued the badge, for
    someone who may have no account: the browser that redeemed the code, for a while."""
    session = get_session()
    here = claimed_here()
    cred = awards.claimed_credential(session, code, here)
    form = OfferForm()
    created = None
    if form.validate_on_submit():
        created = service.create_claim_offer(session, code, here,
                                             with_tx_code=bool(form.tx_code.data))
    response = make_response(_offer_page(cred, form, created, back=False))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/.well-known/openid-credential-issuer")
def issuer_metadata() -> Response:
    response = jsonify(service.issuer_metadata())
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/.well-known/oauth-authorization-server")
@bp.route("/.well-known/oauth-authorization-server/")  # RFC 8414 for the issuer "https://host/"
def authorization_server_metadata() -> Response:
    response = jsonify(service.authorization_server_metadata())
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/wallet/token", methods=["POST"])
@csrf.exempt
@limiter.limit("20 per minute")
def token() -> Response:
    try:
        return _answer(service.exchange_code(get_session(), schemas.token_request()))
    except WalletError as exc:
        return _error(exc)


@bp.route("/wallet/nonce", methods=["POST"])
@csrf.exempt
@limiter.limit("60 per minute")
def nonce() -> Response:
    return _answer({"c_nonce": service.new_nonce(get_session())})


@bp.route("/wallet/credential", methods=["POST"])
@csrf.exempt
@limiter.limit("30 per minute")
def credential() -> Response:
    auth = request.headers.get("Authorization", "")
    scheme, _sep, token = auth.partition(" ")
    if scheme.lower() not in {"bearer", "dpop"} or not token.strip():
        return _error(WalletError("invalid_token", "a Bearer access token is required", 401))
    try:
        body = schemas.credential_request()
    except WalletError as exc:
        return _error(exc)
    try:
        return _answer(service.credential_response(get_session(), token.strip(), body))
    except WalletError as exc:
        return _error(exc)

