"""Open Badges 3.0 API (Host / Service Provider) and the participant's "connected apps" page.

Two blueprints: ``bp`` holds the pages a person sees (consent, connected apps, terms) and keeps
CSRF protection; ``ims`` holds the machine endpoints under ``/ims/ob/v3p0``, authenticated by
HTTP Basic (clients) or bearer tokens, never by cookies, so it is exempt from CSRF.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from badger import urls
from badger.api import clients, codes, connected, credentials, profiles, tokens
from badger.api.discovery import service_description
from badger.api.forms import AuthorizeForm, DisconnectForm, RevokeRequestForm, TokenRequestForm
from badger.api.models import AccessToken
from badger.api.oauth import (
    SCOPE_CREDENTIAL_READ,
    SCOPE_CREDENTIAL_UPSERT,
    SCOPE_PROFILE_READ,
    SCOPE_PROFILE_UPDATE,
    OAuthError,
    basic_credentials,
    host_of,
    scope_labels,
    scope_list,
)
from badger.db import get_db, get_session, keep_on_error, set_scope
from badger.errors import UserError, error_response
from badger.ob3 import safejson
from badger.ob3.jwt import is_compact_jws
from badger.resolver import app_resolver
from badger.security import csrf, limiter, participant_required
from badger.verification import MAX_VERIFY_BYTES

bp = Blueprint("api", __name__)
ims = Blueprint("ims", __name__, url_prefix="/ims/ob/v3p0")

F = TypeVar("F", bound=Callable[..., Any])

#: Largest body: a credential may embed images (the verifier's own limit); other bodies are small.
MAX_CREDENTIAL_BYTES = MAX_VERIFY_BYTES
MAX_BODY_BYTES = 64 * 1024
JSON_TYPES = {"application/json", "application/vc+ld+json", "application/ld+json"}
NO_STORE = {"Cache-Control": "no-store, no-cache, max-age=0", "Pragma": "no-cache"}

MINOR_BY_STATUS = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    413: "invalid_data",
    415: "not_acceptable",
    429: "server_busy",
}


# --------------------------------------------------------------------------- helpers


def imsx(status: int, description: str, minor: str | None = None, **headers: str) -> Response:
    """An Imsx_StatusInfo error answer (OB 3.0 API)."""
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "badger",
                    "imsx_codeMinorFieldValue": minor
                    or MINOR_BY_STATUS.get(status, "internal_server_error"),
                }
            ]
        },
    }
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
    response.headers.update(headers)
    return response


def oauth_json(body: dict[str, Any], status: int = 200, **headers: str) -> Response:
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype="application/json"
    )
    response.headers.update(NO_STORE)
    response.headers.update(headers)
    return response


def oauth_error(err: OAuthError) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="badger"'} if err.status == 401 else {}
    if err.keep:
        keep_on_error(get_session())
    return oauth_json(err.body(), err.status, **headers)


def read_body(limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused with 413 above ``limit`` bytes (even when chunked)."""
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        abort(413)
    return bytes(data)


def read_json(limit: int = MAX_BODY_BYTES) -> Any:
    if request.mimetype not in JSON_TYPES:
        raise UserError("the body must be JSON (application/json)", 415)
    try:
        return safejson.loads(read_body(limit))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UserError("the body is not valid JSON", 400) from exc


def require_scope(scope: str) -> Callable[[F], F]:
    """Bearer token with ``scope``; 401 without a live token, 403 without the scope. The
    token's use is noted before the view runs, in a short session of its own
    (:func:`badger.api.tokens.touch`): kept whatever the view answers."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            challenge = 'Bearer realm="badger"'
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return imsx(401, "a bearer access token is required", **{
                    "WWW-Authenticate": challenge})
            db = get_session()
            row = tokens.authenticate_bearer(db, token.strip())
            if row is None:
                return imsx(401, "the access token is invalid, expired or revoked", **{
                    "WWW-Authenticate": challenge + ', error="invalid_token"'})
            if scope not in scope_list(row.scope):
                return imsx(403, f"the access token lacks the scope {scope}", **{
                    "WWW-Authenticate": challenge + f', error="insufficient_scope", scope="{scope}"'
                })
            tokens.touch(get_db().session, row)
            # Defence in depth: only this participant's organisation is visible from here on.
            set_scope(db, row.organisation_id)
            g.api_token = row
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def _token() -> AccessToken:
    return cast(AccessToken, g.api_token)


@ims.errorhandler(UserError)
def _ims_user_error(err: UserError) -> Response:
    description = str(err.message)
    if err.details:
        description += " " + "; ".join(str(d) for d in err.details)
    minor = "invalid_query_parameter" if request.method == "GET" and err.status == 400 else None
    return imsx(err.status, description, minor)


@ims.errorhandler(HTTPException)
def _ims_http_error(err: HTTPException) -> Response:
    status = err.code or 500
    return imsx(status, err.description or err.name)


# --------------------------------------------------------------------------- discovery


@ims.route("/discovery")
@limiter.limit("60 per minute")
def discovery() -> Response:
    """Service Description Document (unprotected, cacheable)."""
    response = current_app.response_class(
        json.dumps(
            service_description(
                urls.base_url(),
                terms_url=urls.base_url() + url_for("api.terms"),
                privacy_url=urls.base_url() + url_for("api.privacy"),
            ),
            indent=1,
        ),
        mimetype="application/json",
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# --------------------------------------------------------------------------- OAuth


@ims.route("/oauth/register", methods=["POST"])
@limiter.limit("20 per minute")
def register() -> Response:
    """Dynamic Client Registration (RFC 7591), open: no initial access token."""
    db = get_session()
    try:
        if request.mimetype != "application/json":
            raise OAuthError("invalid_client_metadata", "the body must be JSON")
        try:
            payload = safejson.loads(read_body())
        except (UnicodeDecodeError, ValueError) as exc:
            raise OAuthError("invalid_client_metadata", "invalid JSON") from exc
        client, secret = clients.register_client(db, payload)
    except OAuthError as err:
        return oauth_error(err)
    return oauth_json(clients.registration_response(client, secret), 201)


@ims.route("/oauth/token", methods=["POST"])
@limiter.limit("60 per minute")
def token() -> Response:
    db = get_session()
    params = TokenRequestForm().params()
    try:
        client = clients.authenticate_client(
            db, *basic_credentials(request.headers.get("Authorization", "")))
        grant = params["grant_type"]
        if grant == "authorization_code":
            body = tokens.exchange_code(db, client, params)
        elif grant == "refresh_token":
            body = tokens.refresh(db, client, params)
        else:
            raise OAuthError("unsupported_grant_type", "grant_type is not supported")
    except OAuthError as err:
        return oauth_error(err)
    return oauth_json(body)


@ims.route("/oauth/revoke", methods=["POST"])
@limiter.limit("60 per minute")
def revoke() -> Response:
    """Token revocation (RFC 7009): 200 even for unknown tokens."""
    db = get_session()
    form = RevokeRequestForm()
    try:
        client = clients.authenticate_client(
            db, *basic_credentials(request.headers.get("Authorization", "")))
        value = form.token.data or ""
        if not value:
            raise OAuthError("invalid_request", "token is required")
        tokens.revoke_token(db, client, value, form.token_type_hint.data or None)
    except OAuthError as err:
        return oauth_error(err)
    return oauth_json({})


def _consent_error(message: Any, status: int) -> tuple[str, int]:
    return render_template("api/authorize_error.html", message=message), status


@bp.route("/ims/ob/v3p0/oauth/authorize", methods=["GET", "POST"])
def authorize() -> Any:
    """Ask the logged-in participant whether this app may see or change their badges."""
    db = get_session()
    form = AuthorizeForm(formdata=request.args) if request.method == "GET" else AuthorizeForm()
    try:
        req = codes.check_authorize(db, form.params())
    except codes.AuthorizeFatal as exc:
        return _consent_error(exc.message, 400)
    except codes.AuthorizeRedirectError as exc:
        return redirect(exc.url)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.code_login", next=request.full_path))
    if current_user.kind != "participant":
        return _consent_error(
            _("Seule une personne participante peut connecter une application à ses badges."),
            403,
        )
    if request.method == "GET":
        return _consent_page(req)
    if form.decision.data != "allow":
        return redirect(
            codes.redirect_with(
                req.redirect_uri,
                {
                    "error": "access_denied",
                    "error_description": "the person refused",
                    "state": req.state,
                },
            )
        )
    code = codes.issue_code(db, req, current_user)
    return redirect(
        codes.redirect_with(req.redirect_uri, {"code": code, "scope": req.scope,
                                               "state": req.state})
    )


def _consent_page(req: codes.AuthorizeRequest) -> Response:
    """The question, with the checked request carried in hidden fields (never cached)."""
    response = current_app.response_class(
        render_template(
            "api/authorize.html",
            req=req,
            form=AuthorizeForm(formdata=None, data=req.hidden_fields()),
            scopes=scope_labels(req.scope),
            client_host=host_of(req.client.client_uri),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- resources


@ims.route("/credentials", methods=["GET"])
@require_scope(SCOPE_CREDENTIAL_READ)
def get_credentials() -> Response:
    db = get_session()
    paging = credentials.parse_paging(request.args)
    page = credentials.list_credentials(db, _token().participant, paging)
    body: dict[str, Any] = {"credential": page.credential, "compactJwsString": page.compact_jws}
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), mimetype="application/json"
    )
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["Link"] = _links(paging, page.total)
    response.headers["Cache-Control"] = "no-store"
    return response


def _links(paging: credentials.Paging, total: int) -> str:
    url = urls.base_url() + "/ims/ob/v3p0/credentials"

    def link(offset: int, rel: str) -> str:
        query: dict[str, Any] = {"limit": paging.limit, "offset": offset}
        if paging.since is not None:
            query["since"] = paging.since.isoformat().replace("+00:00", "Z")
        return f'<{url}?{urlencode(query)}>; rel="{rel}"'

    last = max(0, (total - 1) // paging.limit * paging.limit) if total else 0
    links = [link(0, "first")]
    if paging.offset + paging.limit < total:
        links.append(link(paging.offset + paging.limit, "next"))
    if paging.offset > 0:
        links.append(link(max(0, paging.offset - paging.limit), "prev"))
    links.append(link(last, "last"))
    return ", ".join(links)


def _pushed_document() -> dict[str, Any] | str:
    """The credential an app pushes: a compact JWS (text/plain) or a JSON object."""
    if request.mimetype == "text/plain":
        try:
            document = read_body(MAX_CREDENTIAL_BYTES).decode("ascii").strip()
        except UnicodeDecodeError as exc:
            raise UserError("the body must be a compact JWS", 400) from exc
        if not is_compact_jws(document):
            raise UserError("the body must be a compact JWS", 400)
        return document
    payload = read_json(MAX_CREDENTIAL_BYTES)
    if not isinstance(payload, dict):
        raise UserError("the body must be a JSON object", 400)
    return payload


@ims.route("/credentials", methods=["POST"])
@require_scope(SCOPE_CREDENTIAL_UPSERT)
def upsert_credential() -> Response:
    document = _pushed_document()
    result = credentials.upsert_credential(
        get_session(), _token().participant, document, app_resolver()
    )
    status = 201 if result.created else 200
    if isinstance(document, str):
        return current_app.response_class(document, status=status, mimetype="text/plain")
    mimetype = request.mimetype if request.mimetype in JSON_TYPES else "application/json"
    return current_app.response_class(
        json.dumps(document, ensure_ascii=False), status=status, mimetype=mimetype
    )


@ims.route("/profile", methods=["GET"])
@require_scope(SCOPE_PROFILE_READ)
def get_profile() -> Response:
    response = current_app.response_class(
        json.dumps(profiles.profile(_token().participant), ensure_ascii=False),
        mimetype="application/json",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@ims.route("/profile", methods=["PUT"])
@require_scope(SCOPE_PROFILE_UPDATE)
def put_profile() -> Response:
    body = profiles.update_profile(get_session(), _token().participant, read_json())
    return current_app.response_class(
        json.dumps(body, ensure_ascii=False), mimetype="application/json"
    )


# --------------------------------------------------------------------------- participant pages


@bp.route("/account/apps")
@participant_required
def apps() -> Any:
    """The apps the participant connected, and how to disconnect them."""
    found = connected.connected_apps(get_session(), current_user)
    return render_template(
        "api/apps.html",
        form=DisconnectForm(formdata=None),
        apps=[
            {
                "client": a.client,
                "host": host_of(a.client.client_uri),
                "scopes": scope_labels(a.scope),
                "since": a.since,
                "last_used": a.last_used,
            }
            for a in found
        ],
    )


@bp.route("/account/apps/disconnect", methods=["POST"])
@participant_required
def disconnect() -> Any:
    form = DisconnectForm()
    if connected.disconnect(get_session(), current_user, form.client_id.data or ""):
        flash(_("L'application est déconnectée : elle n'a plus accès à vos badges."), "success")
    return redirect(url_for("api.apps"))


@bp.route("/apps/terms")
def terms() -> Any:
    return render_template("api/policy.html", page="terms")


@bp.route("/apps/privacy")
def privacy() -> Any:
    return render_template("api/policy.html", page="privacy")


@ims.after_request
def _cors(response: Response) -> Response:
    """Browser-based wallets call the API cross-origin with a bearer token (no cookies)."""
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, OPTIONS"
    response.headers["Access-Control-Expose-Headers"] = "X-Total-Count, Link, WWW-Authenticate"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


def _routing_error(err: HTTPException) -> Response:
    """404/405 under the OB API path answer Imsx_StatusInfo; elsewhere the usual error page."""
    status = err.code or 500
    if request.path.startswith(ims.url_prefix or "/ims/ob/v3p0"):
        return imsx(status, err.description or err.name)
    custom = err.description if err.description != type(err).description else None
    return error_response(status, custom)


def init_app(app: Flask) -> None:
    csrf.exempt(ims)
    app.register_blueprint(ims)
    app.register_error_handler(405, _routing_error)
