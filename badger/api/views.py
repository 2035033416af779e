"""Open Badges 3.0 API (Host / Service Provider) and the participant's "connected apps" page.

Two blueprints: ``bp`` holds the pages a person sees (consent, connected apps, terms) and keeps
CSRF protection; ``ims`` holds the machine endpoints under ``/ims/ob/v3p0``, authenticated by
HTTP Basic (clients) or bearer tokens, never by cookies, so it is exempt from CSRF.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import unquote, urlencode

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
from badger.api import service
from badger.api.models import AccessToken
from badger.db import get_session, set_scope
from badger.errors import UserError, error_response
from badger.ob3 import safejson
from badger.ob3.jwt import is_compact_jws
from badger.resolver import app_resolver
from badger.security import csrf, limiter, participant_required
from badger.verification.service import MAX_VERIFY_BYTES

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


def oauth_error(err: service.OAuthError) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="badger"'} if err.status == 401 else {}
    if err.commit:
        get_session().commit()
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


def basic_auth() -> tuple[str | None, str | None]:
    """Client credentials from HTTP Basic (form-urlencoded per RFC 6749 §2.3.1)."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None, None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None, None
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


def require_scope(scope: str) -> Callable[[F], F]:
    """Bearer token with ``scope``; 401 without a live token, 403 without the scope."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            challenge = 'Bearer realm="badger"'
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return imsx(401, "a bearer access token is required", **{
                    "WWW-Authenticate": challenge})
            db = get_session()
            row = service.authenticate_bearer(db, token.strip())
            if row is None:
                return imsx(401, "the access token is invalid, expired or revoked", **{
                    "WWW-Authenticate": challenge + ', error="invalid_token"'})
            if scope not in service.scope_list(row.scope):
                return imsx(403, f"the access token lacks the scope {scope}", **{
                    "WWW-Authenticate": challenge + f', error="insufficient_scope", scope="{scope}"'
                })
            if service.touch(db, row):
                db.commit()  # its own small transaction, before the view writes anything
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


def service_description() -> dict[str, Any]:
    base = urls.base_url()
    api = base + "/ims/ob/v3p0"
    error_ref = {"$ref": "#/components/schemas/Imsx_StatusInfo"}

    def errors(*codes: int) -> dict[str, Any]:
        return {
            str(c): {
                "description": "Imsx_StatusInfo",
                "content": {"application/json": {"schema": error_ref}},
            }
            for c in codes
        }

    def secured(scope: str) -> list[dict[str, list[str]]]:
        return [{"OAuth2ACG": [scope]}]

    profile_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}}
    return {
        "openapi": "3.0.1",
        "info": {
            "title": "badger — Open Badges 3.0 API",
            "description": "Open Badges 3.0 Host: a participant's credentials and profile.",
            "termsOfService": base + url_for("api.terms"),
            "version": "3.0",
            "x-imssf-privacyPolicyUrl": base + url_for("api.privacy"),
        },
        "servers": [{"url": api, "description": "badger"}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Discovery"}],
        "paths": {
            "/credentials": {
                "get": {
                    "operationId": "getCredentials",
                    "tags": ["OpenBadgeCredentials"],
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer",
                                                                     "minimum": 1}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer",
                                                                      "minimum": 0}},
                        {"name": "since", "in": "query", "schema": {"type": "string",
                                                                     "format": "date-time"}},
                    ],
                    "security": secured(service.SCOPE_CREDENTIAL_READ),
                    "responses": {
                        "200": {
                            "description": "GetOpenBadgeCredentialsResponse",
                            "headers": {
                                "X-Total-Count": {"schema": {"type": "integer"}},
                                "Link": {"schema": {"type": "string"}},
                            },
                            "content": {"application/json": {"schema": {
                                "$ref": "#/components/schemas/GetOpenBadgeCredentialsResponse"
                            }}},
                        },
                        **errors(400, 401, 403, 405, 500),
                    },
                },
                "post": {
                    "operationId": "upsertCredential",
                    "tags": ["OpenBadgeCredentials"],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/vc+ld+json": {"schema": {"type": "object"}},
                            "application/json": {"schema": {"type": "object"}},
                            "text/plain": {"schema": {"type": "string"}},
                        },
                    },
                    "security": secured(service.SCOPE_CREDENTIAL_UPSERT),
                    "responses": {
                        "200": {"description": "The credential was replaced"},
                        "201": {"description": "The credential was created"},
                        **errors(400, 401, 403, 405, 413, 415, 500),
                    },
                },
            },
            "/profile": {
                "get": {
                    "operationId": "getProfile",
                    "tags": ["OpenBadgeCredentials"],
                    "security": secured(service.SCOPE_PROFILE_READ),
                    "responses": {
                        "200": {"description": "Profile", "content": profile_content},
                        **errors(401, 403, 404, 405, 500),
                    },
                },
                "put": {
                    "operationId": "putProfile",
                    "tags": ["OpenBadgeCredentials"],
                    "requestBody": {"required": True, "content": profile_content},
                    "security": secured(service.SCOPE_PROFILE_UPDATE),
                    "responses": {
                        "200": {"description": "Profile", "content": profile_content},
                        **errors(400, 401, 403, 405, 500),
                    },
                },
            },
            "/discovery": {
                "get": {
                    "operationId": "getServiceDescription",
                    "tags": ["Discovery"],
                    "responses": {"200": {"description": "ServiceDescriptionDocument"}},
                },
            },
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant with PKCE (S256)",
                    "x-imssf-registrationUrl": api + "/oauth/register",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": api + "/oauth/authorize",
                            "tokenUrl": api + "/oauth/token",
                            "refreshUrl": api + "/oauth/token",
                            "x-imssf-revocationUrl": api + "/oauth/revoke",
                            "scopes": {
                                service.SCOPE_CREDENTIAL_READ: "Read the credentials",
                                service.SCOPE_CREDENTIAL_UPSERT: "Create or update credentials",
                                service.SCOPE_PROFILE_READ: "Read the profile",
                                service.SCOPE_PROFILE_UPDATE: "Update the profile",
                            },
                        }
                    },
                }
            },
            "schemas": {
                "GetOpenBadgeCredentialsResponse": {"type": "object"},
                "Profile": {"type": "object"},
                "Imsx_StatusInfo": {"type": "object"},
            },
        },
    }


@ims.route("/discovery")
@limiter.limit("60 per minute")
def discovery() -> Response:
    """Service Description Document (unprotected, cacheable)."""
    response = current_app.response_class(
        json.dumps(service_description(), indent=1), mimetype="application/json"
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
            raise service.OAuthError("invalid_client_metadata", "the body must be JSON")
        try:
            payload = safejson.loads(read_body())
        except (UnicodeDecodeError, ValueError) as exc:
            raise service.OAuthError("invalid_client_metadata", "invalid JSON") from exc
        client, secret = service.register_client(db, payload)
    except service.OAuthError as err:
        return oauth_error(err)
    body = service.registration_response(client, secret)
    db.commit()
    return oauth_json(body, 201)


@ims.route("/oauth/token", methods=["POST"])
@limiter.limit("60 per minute")
def token() -> Response:
    db = get_session()
    try:
        client = service.authenticate_client(db, *basic_auth())
        grant = request.form.get("grant_type")
        if grant == "authorization_code":
            body = service.exchange_code(db, client, request.form)
        elif grant == "refresh_token":
            body = service.refresh(db, client, request.form)
        else:
            raise service.OAuthError("unsupported_grant_type", "grant_type is not supported")
    except service.OAuthError as err:
        return oauth_error(err)
    db.commit()
    return oauth_json(body)


@ims.route("/oauth/revoke", methods=["POST"])
@limiter.limit("60 per minute")
def revoke() -> Response:
    """Token revocation (RFC 7009): 200 even for unknown tokens."""
    db = get_session()
    try:
        client = service.authenticate_client(db, *basic_auth())
        value = request.form.get("token") or ""
        if not value:
            raise service.OAuthError("invalid_request", "token is required")
        service.revoke_token(db, client, value, request.form.get("token_type_hint"))
    except service.OAuthError as err:
        return oauth_error(err)
    db.commit()
    return oauth_json({})


def _consent_error(message: Any, status: int) -> tuple[str, int]:
    return render_template("api/authorize_error.html", message=message), status


@bp.route("/ims/ob/v3p0/oauth/authorize", methods=["GET", "POST"])
def authorize() -> Any:
    """Ask the logged-in participant whether this app may see or change their badges."""
    db = get_session()
    args = request.args if request.method == "GET" else request.form
    try:
        req = service.check_authorize(db, args)
    except service.AuthorizeFatal as exc:
        return _consent_error(exc.message, 400)
    except service.AuthorizeRedirectError as exc:
        return redirect(exc.url)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.code_login", next=request.full_path))
    if current_user.kind != "participant":
        return _consent_error(
            _("Seule une personne participante peut connecter une application à ses badges."),
            403,
        )
    if request.method == "GET":
        response = current_app.response_class(
            render_template(
                "api/authorize.html",
                req=req,
                scopes=service.scope_labels(req.scope),
                client_host=service.host_of(req.client.client_uri),
            )
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    if request.form.get("decision") != "allow":
        return redirect(
            service.redirect_with(
                req.redirect_uri,
                {
                    "error": "access_denied",
                    "error_description": "the person refused",
                    "state": req.state,
                },
            )
        )
    code = service.issue_code(db, req, current_user)
    db.commit()
    return redirect(
        service.redirect_with(req.redirect_uri, {"code": code, "scope": req.scope,
                                                 "state": req.state})
    )


# --------------------------------------------------------------------------- resources


@ims.route("/credentials", methods=["GET"])
@require_scope(service.SCOPE_CREDENTIAL_READ)
def get_credentials() -> Response:
    db = get_session()
    paging = service.parse_paging(request.args)
    page = service.list_credentials(db, _token().participant, paging)
    body: dict[str, Any] = {"credential": page.credential, "compactJwsString": page.compact_jws}
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), mimetype="application/json"
    )
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["Link"] = _links(paging, page.total)
    response.headers["Cache-Control"] = "no-store"
    return response


def _links(paging: service.Paging, total: int) -> str:
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


@ims.route("/credentials", methods=["POST"])
@require_scope(service.SCOPE_CREDENTIAL_UPSERT)
def upsert_credential() -> Response:
    db = get_session()
    document: dict[str, Any] | str
    if request.mimetype == "text/plain":
        try:
            document = read_body(MAX_CREDENTIAL_BYTES).decode("ascii").strip()
        except UnicodeDecodeError as exc:
            raise UserError("the body must be a compact JWS", 400) from exc
        if not is_compact_jws(document):
            raise UserError("the body must be a compact JWS", 400)
    else:
        payload = read_json(MAX_CREDENTIAL_BYTES)
        if not isinstance(payload, dict):
            raise UserError("the body must be a JSON object", 400)
        document = payload
    result = service.upsert_credential(db, _token().participant, document, app_resolver())
    db.commit()
    status = 201 if result.created else 200
    if isinstance(document, str):
        return current_app.response_class(document, status=status, mimetype="text/plain")
    mimetype = request.mimetype if request.mimetype in JSON_TYPES else "application/json"
    return current_app.response_class(
        json.dumps(document, ensure_ascii=False), status=status, mimetype=mimetype
    )


@ims.route("/profile", methods=["GET"])
@require_scope(service.SCOPE_PROFILE_READ)
def get_profile() -> Response:
    response = current_app.response_class(
        json.dumps(service.profile(_token().participant), ensure_ascii=False),
        mimetype="application/json",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@ims.route("/profile", methods=["PUT"])
@require_scope(service.SCOPE_PROFILE_UPDATE)
def put_profile() -> Response:
    db = get_session()
    body = service.update_profile(db, _token().participant, read_json())
    db.commit()
    return current_app.response_class(
        json.dumps(body, ensure_ascii=False), mimetype="application/json"
    )


# --------------------------------------------------------------------------- participant pages


@bp.route("/account/apps")
@participant_required
def apps() -> Any:
    """The apps the participant connected, and how to disconnect them."""
    connected = service.connected_apps(get_session(), current_user)
    return render_template(
        "api/apps.html",
        apps=[
            {
                "client": a.client,
                "host": service.host_of(a.client.client_uri),
                "scopes": service.scope_labels(a.scope),
                "since": a.since,
                "last_used": a.last_used,
            }
            for a in connected
        ],
    )


@bp.route("/account/apps/disconnect", methods=["POST"])
@participant_required
def disconnect() -> Any:
    db = get_session()
    if service.disconnect(db, current_user, request.form.get("client_id") or ""):
        db.commit()
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
