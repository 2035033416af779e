"""Integrators: the admin page (``/admin/integrators``), the token endpoint (client
credentials) and the VC-API issuing endpoint ``POST /credentials/issue``.

The two machine endpoints are exempt from CSRF: the token endpoint authenticates the client by
its secret, the issuing endpoint by a bearer token only (a browser's cookie grants nothing).
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from badger.api.oauth import OAuthError, basic_credentials, scope_list
from badger.db import get_session, set_scope
from badger.errors import UserError, error_response
from badger.integrators import issuing, oauth
from badger.integrators.forms import (
    CreateClientForm,
    RevokeClientForm,
    RevokeCredentialForm,
    TokenRequestForm,
)
from badger.integrators.schemas import load_issue_request
from badger.integrators.validation import CredentialError
from badger.networks.models import Organisation
from badger.security import csrf, limiter, staff_required
from badger.verification.schemas import BadRequest

bp = Blueprint("integrators", __name__)

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
#: Issuing is a machine's bulk work (and the W3C suites' runner): generous, per address.
ISSUE_RATE_LIMIT = "600 per minute"


def _login_limit() -> str:
    return str(current_app.config["BADGER_LOGIN_RATE_LIMIT"])


def _json(body: Any, status: int, **headers: str) -> Response:
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype="application/json")
    response.headers.update(headers)
    return response


@bp.route("/integrators/oauth/token", methods=["POST"])
@csrf.exempt
@limiter.limit(_login_limit)
def token() -> Response:
    """RFC 6749 §4.4: client credentials (HTTP Basic or form fields) → a bearer token."""
    session = get_session()
    params = TokenRequestForm().params()
    client_id, secret = basic_credentials(request.headers.get("Authorization", ""))
    both = client_id is not None and bool(params["client_secret"])
    if client_id is None and not request.headers.get("Authorization"):
        client_id, secret = params["client_id"] or None, params["client_secret"] or None
    # (a malformed Authorization header leaves both None: invalid_client below)
    try:
        if both:  # RFC 6749 §2.3: one authentication method per request
            raise OAuthError("invalid_request", "use HTTP Basic or client_secret, not both")
        client = oauth.authenticate_client(session, client_id, secret)
        body = oauth.client_credentials(session, client, params)
    except OAuthError as err:
        headers = dict(NO_STORE)
        if err.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="badger integrators"'
        return _json(err.body(), err.status, **headers)
    return _json(body, 200, **NO_STORE)


def _unauthorized(message: Any, error: str | None = None, status: int = 401) -> Response:
    challenge = 'Bearer realm="badger"'
    if error:
        challenge += f', error="{error}"'
        if error == "insufficient_scope":
            challenge += f', scope="{oauth.SCOPE_ISSUE}"'
    response = error_response(status, message)
    response.headers["WWW-Authenticate"] = challenge
    return response


@bp.route("/credentials/issue", methods=["POST"])
@csrf.exempt
@limiter.limit(ISSUE_RATE_LIMIT)
def issue() -> Response:
    """W3C VC-API: ``{"credential", "options"}`` → 201 ``{"verifiableCredential"}``."""
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return _unauthorized(_l("Un jeton d'accès (Authorization: Bearer) est nécessaire."))
    session = get_session()
    found = oauth.authenticate_bearer(session, value.strip())
    if found is None:
        return _unauthorized(_l("Jeton d'accès non valable, expiré ou retiré."), "invalid_token")
    row, client = found
    if oauth.SCOPE_ISSUE not in scope_list(row.scope):
        return _unauthorized(_l("Ce jeton ne permet pas d'émettre."), "insufficient_scope", 403)
    set_scope(session, row.organisation_id)
    try:
        body = load_issue_request()
        issued = issuing.issue(session, client, body["credential"],
                               idempotency_key=request.headers.get("Idempotency-Key"))
    except BadRequest as exc:
        return error_response(400, exc.message, exc.details)
    except CredentialError as exc:
        return error_response(400, f"{exc.field} : {exc.message}", {"field": exc.field})
    headers = {"Idempotent-Replayed": "true"} if issued.replayed else {}
    return _json({"verifiableCredential": issued.credential}, 201, **headers)


# --------------------------------------------------------------------------- admin page


def _org() -> Organisation:
    org = get_session().get(Organisation, g.organisation.id)
    assert org is not None
    return org


def _page(status: int = 200, **context: Any) -> tuple[str, int]:
    session = get_session()
    org = _org()
    context.setdefault("form", CreateClientForm())
    return render_template(
        "integrators/index.html", clients=oauth.list_clients(session, org),
        issued=issuing.list_issued(session, org), scope=oauth.SCOPE_ISSUE,
        token_url=url_for("integrators.token", _external=False),
        issue_url=url_for("integrators.issue", _external=False),
        revoke_form=RevokeClientForm(), revoke_credential_form=RevokeCredentialForm(),
        **context), status


@bp.route("/admin/integrators", methods=["GET", "POST"])
@staff_required("admin")
def index() -> Any:
    """The organisation's integrations: create one (its secret shown once), list, revoke."""
    if request.method == "GET":
        return _page()
    form = CreateClientForm()
    try:
        client, secret = oauth.create_client(get_session(), _org(), form.name.data or "",
                                             actor=current_user)
    except UserError as exc:
        return _page(exc.status, error=str(exc.message), form=form)
    return _page(201, created=client, secret=secret, form=CreateClientForm(formdata=None))


@bp.route("/admin/integrators/<client_id>/revoke", methods=["POST"])
@staff_required("admin")
def revoke(client_id: str) -> Any:
    session = get_session()
    client = oauth.find_client(session, _org(), client_id)
    oauth.revoke_client(session, client, actor=current_user)
    flash(_("Intégration « %(name)s » révoquée : ses jetons ne valent plus rien.",
            name=client.name), "success")
    return redirect(url_for("integrators.index"))


@bp.route("/admin/integrators/credentials/<uuid>/revoke", methods=["POST"])
@staff_required("admin")
def revoke_credential(uuid: str) -> Any:
    session = get_session()
    row = issuing.find_issued(session, _org(), uuid)
    form = RevokeCredentialForm()
    try:
        issuing.revoke_issued(session, row, form.reason.data or "", actor=current_user)
    except UserError as exc:
        return _page(exc.status, error=str(exc.message))
    flash(_("Badge retiré."), "success")
    return redirect(url_for("integrators.index"))
