"""The Open Badges 3.0 API as a service: OAuth 2.0 (RFC 7591 registration, authorization code
with PKCE S256, refresh, RFC 7009 revocation) and the participant's credentials and profile.

Rules worth knowing:

* Secrets (client secrets, codes, tokens) are random (≥128 bits) and stored as keyed hashes
  only. :func:`secret_hash` does not fold case (unlike :func:`badger.security.token_hash`, made
  for codes people type): an OAuth token must match byte for byte.
* A code is single-use: it is consumed with a conditional UPDATE, so two concurrent exchanges
  cannot both win; replaying it revokes every token issued from it, and the view commits that
  revocation even though it answers an error (:attr:`OAuthError.commit`).
* Refresh tokens rotate; presenting a rotated (revoked) refresh token revokes its family.
* Every token speaks for one participant: resource queries filter by ``participant_id`` and the
  view also scopes the session to the participant's organisation.
* Dead codes and tokens are deleted ``PURGE_AFTER`` after they stopped working
  (:func:`badger.api.retention.purges`), by ``badger purge`` and by the token endpoint itself
  at most every :data:`PURGE_EVERY` (:func:`maybe_purge`); replay detection never loses a
  family it protects.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import urllib.parse
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, load_only

from badger import audit
from badger.accounts.models import Participant
from badger.api.models import AccessToken, AuthorizationCode, OAuthClient, RefreshToken
from badger.api.retention import purges
from badger.awards.models import ISSUED, Credential
from badger.db import utcnow
from badger.errors import UserError
from badger.holders import service as holders
from badger.maintenance import run as run_purges
from badger.ob3 import safejson, verify_credential
from badger.ob3.baking import BakingError, unbake
from badger.ob3.dataintegrity import issuer_id, parse_datetime
from badger.ob3.jwt import JwtError, decode_unverified, is_compact_jws
from badger.ob3.schema import validate_credential, validate_profile
from badger.portfolio import import_credential
from badger.portfolio.models import ImportedCredential
from badger.security import new_url_token

SCOPE_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
SCOPE_CREDENTIAL_READ = SCOPE_BASE + "credential.readonly"
SCOPE_CREDENTIAL_UPSERT = SCOPE_BASE + "credential.upsert"
SCOPE_PROFILE_READ = SCOPE_BASE + "profile.readonly"
SCOPE_PROFILE_UPDATE = SCOPE_BASE + "profile.update"

#: Scopes in the order they are shown, with the plain-language French label of the consent page.
SCOPES: dict[str, Any] = {
    SCOPE_CREDENTIAL_READ: _l("Voir vos badges"),
    SCOPE_CREDENTIAL_UPSERT: _l("Ajouter des badges reçus ailleurs à votre espace"),
    SCOPE_PROFILE_READ: _l("Voir votre nom affiché"),
    SCOPE_PROFILE_UPDATE: _l("Changer votre nom affiché"),
}
#: Asked by some clients for refresh tokens (OB examples); accepted and ignored.
IGNORED_SCOPES = frozenset({"offline_access"})

CODE_TTL = timedelta(seconds=600)
ACCESS_TTL = timedelta(seconds=3600)
REFRESH_TTL = timedelta(days=30)
DEFAULT_LIMIT = 50
MAX_LIMIT = 100

TokenModel = type[AccessToken] | type[RefreshToken]
TOKEN_MODELS: tuple[TokenModel, ...] = (RefreshToken, AccessToken)

_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_LOOPBACK = {"localhost", "127.0.0.1", "[::1]", "::1"}


# --------------------------------------------------------------------------- secrets


def secret_hash(secret: str) -> str:
    """Keyed SHA-256 of an OAuth secret (exact match: no case folding, no trimming)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"badger.api:" + secret.encode(), hashlib.sha256).hexdigest()


def scope_list(scope: str) -> list[str]:
    return [s for s in scope.split(" ") if s]


def scope_labels(scope: str) -> list[Any]:
    granted = set(scope_list(scope))
    return [label for name, label in SCOPES.items() if name in granted]


class OAuthError(Exception):
    """An OAuth error answer: ``{"error": ..., "error_description": ...}``.

    ``commit`` asks the view to commit what the service did before failing (a revocation).
    """

    def __init__(
        self, error: str, description: str, status: int = 400, *, commit: bool = False
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.commit = commit

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


# --------------------------------------------------------------------------- registration


def _check_url(value: str, *, redirect: bool = False) -> str:
    parts = urllib.parse.urlsplit(value)
    host = (parts.hostname or "").lower()
    if not host:
        raise ValidationError("must be an absolute URL")
    if parts.scheme != "https" and not (parts.scheme == "http" and host in _LOOPBACK):
        raise ValidationError("must use https")
    if redirect and parts.fragment:
        raise ValidationError("must not contain a fragment")
    if parts.username or parts.password:
        raise ValidationError("must not contain credentials")
    return value


def _url(**kw: Any) -> fields.String:
    return fields.String(
        required=True, validate=[validate.Length(min=1, max=500), _check_url], **kw
    )


class RegistrationSchema(Schema):
    """RFC 7591 request as profiled by OB 3.0 (FACTS §8.1)."""

    class Meta:
        unknown = EXCLUDE

    client_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_uri = _url()
    logo_uri = _url()
    tos_uri = _url()
    policy_uri = _url()
    software_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    software_version = fields.String(required=True, validate=validate.Length(min=1, max=100))
    redirect_uris = fields.List(
        fields.String(
            validate=[validate.Length(min=1, max=500), lambda v: _check_url(v, redirect=True)]
        ),
        required=True,
        validate=validate.Length(min=1, max=10),
    )
    scope = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    token_endpoint_auth_method = fields.String(
        load_default="client_secret_basic", validate=validate.OneOf(["client_secret_basic"])
    )
    grant_types = fields.List(
        fields.String(validate=validate.OneOf(["authorization_code", "refresh_token"])),
        load_default=lambda: ["authorization_code"],
        validate=validate.Length(min=1),
    )
    response_types = fields.List(
        fields.String(validate=validate.OneOf(["code"])),
        load_default=lambda: ["code"],
        validate=validate.Length(min=1),
    )
    contacts = fields.List(fields.String(validate=validate.Length(max=320)), load_default=list)


def _first_error(messages: Any, prefix: str = "") -> str:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            return _first_error(value, f"{prefix}.{key}" if prefix else str(key))
    if isinstance(messages, list) and messages:
        return _first_error(messages[0], prefix)
    return f"{prefix}: {messages}" if prefix else str(messages)


def register_client(db: Session, payload: Any) -> tuple[OAuthClient, str]:
    """Create a client; return it and its secret (shown once, stored hashed)."""
    if not isinstance(payload, Mapping):
        raise OAuthError("invalid_client_metadata", "the body must be a JSON object")
    try:
        data = RegistrationSchema().load(payload)
    except ValidationError as exc:
        field = next(iter(exc.messages), "")
        error = "invalid_redirect_uri" if field == "redirect_uris" else "invalid_client_metadata"
        raise OAuthError(error, _first_error(exc.messages)) from exc
    scopes = scope_list(data["scope"])
    unknown = [s for s in scopes if s not in SCOPES and s not in IGNORED_SCOPES]
    if unknown or not any(s in SCOPES for s in scopes):
        raise OAuthError("invalid_client_metadata", f"scope: unknown scope {unknown[:1]}")
    hosts = {
        urllib.parse.urlsplit(u).hostname
        for u in [data["client_uri"], data["logo_uri"], data["tos_uri"], data["policy_uri"]]
        + data["redirect_uris"]
    }
    if len(hosts) != 1:
        raise OAuthError(
            "invalid_client_metadata", "all URLs must share the hostname of client_uri"
        )
    secret = new_url_token()
    client = OAuthClient(
        client_id=new_url_token(),
        secret_hash=secret_hash(secret),
        client_name=data["client_name"].strip(),
        client_uri=data["client_uri"],
        logo_uri=data["logo_uri"],
        tos_uri=data["tos_uri"],
        policy_uri=data["policy_uri"],
        software_id=data["software_id"],
        software_version=data["software_version"],
        redirect_uris=list(data["redirect_uris"]),
        scope=" ".join(scopes),
        grant_types=list(data["grant_types"]),
        contacts=list(data["contacts"]),
        issued_at=utcnow(),
    )
    db.add(client)
    db.flush()
    return client, secret


def registration_response(client: OAuthClient, secret: str) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "client_secret": secret,
        "client_id_issued_at": int(client.issued_at.timestamp()),
        "client_secret_expires_at": 0,
        "client_name": client.client_name,
        "client_uri": client.client_uri,
        "logo_uri": client.logo_uri,
        "tos_uri": client.tos_uri,
        "policy_uri": client.policy_uri,
        "software_id": client.software_id,
        "software_version": client.software_version,
        "redirect_uris": client.redirect_uris,
        "scope": client.scope,
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": client.grant_types,
        "response_types": ["code"],
        "contacts": client.contacts,
    }


def authenticate_client(db: Session, client_id: str | None, secret: str | None) -> OAuthClient:
    """HTTP Basic client authentication (RFC 6749 §2.3.1)."""
    if not client_id or not secret:
        raise OAuthError("invalid_client", "HTTP Basic client authentication is required", 401)
    client = db.execute(
        select(OAuthClient).where(OAuthClient.client_id == client_id)
    ).scalar_one_or_none()
    expected = client.secret_hash if client else "0" * 64
    if not hmac.compare_digest(expected, secret_hash(secret)) or client is None:
        raise OAuthError("invalid_client", "unknown client or wrong secret", 401)
    return client


# --------------------------------------------------------------------------- authorize


class AuthorizeFatal(Exception):
    """The request cannot be trusted to redirect (unknown client, unregistered redirect_uri)."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class AuthorizeRequest:
    client: OAuthClient
    redirect_uri: str
    scope: str
    state: str
    code_challenge: str

    def hidden_fields(self) -> dict[str, str]:
        return {
            "response_type": "code",
            "client_id": self.client.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }


class AuthorizeRedirectError(Exception):
    """An error sent back to the client's redirect_uri (RFC 6749 §4.1.2.1)."""

    def __init__(self, redirect_uri: str, error: str, description: str, state: str | None):
        super().__init__(description)
        self.url = redirect_with(
            redirect_uri, {"error": error, "error_description": description, "state": state}
        )


def redirect_with(uri: str, params: Mapping[str, str | None]) -> str:
    parts = urllib.parse.urlsplit(uri)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def check_authorize(db: Session, args: Mapping[str, str]) -> AuthorizeRequest:
    """Validate an authorization request; raise AuthorizeFatal or AuthorizeRedirectError."""
    client_id = args.get("client_id") or ""
    client = db.execute(
        select(OAuthClient).where(OAuthClient.client_id == client_id)
    ).scalar_one_or_none()
    if client is None:
        raise AuthorizeFatal(_l("Cette application n'est pas connue de badger."))
    redirect_uri = args.get("redirect_uri") or ""
    if redirect_uri not in client.redirect_uris:
        raise AuthorizeFatal(
            _l("L'adresse de retour de cette application ne correspond pas à celle enregistrée.")
        )
    state = args.get("state") or None

    def fail(error: str, description: str) -> AuthorizeRedirectError:
        return AuthorizeRedirectError(redirect_uri, error, description, state)

    if args.get("response_type") != "code":
        raise fail("unsupported_response_type", "response_type must be code")
    if state is None:
        raise fail("invalid_request", "state is required")
    if args.get("code_challenge_method") != "S256":
        raise fail("invalid_request", "PKCE with code_challenge_method=S256 is required")
    challenge = args.get("code_challenge") or ""
    if not _CHALLENGE.fullmatch(challenge):
        raise fail("invalid_request", "code_challenge must be BASE64URL(SHA256(code_verifier))")
    requested = scope_list(args.get("scope") or "")
    allowed = set(scope_list(client.scope))
    if any(s not in IGNORED_SCOPES and s not in allowed for s in requested):
        raise fail("invalid_scope", "a requested scope is unknown or not registered")
    granted = [s for s in SCOPES if s in requested]
    if not granted:
        raise fail("invalid_scope", "scope is required")
    return AuthorizeRequest(client, redirect_uri, " ".join(granted), state, challenge)


def issue_code(db: Session, req: AuthorizeRequest, participant: Participant) -> str:
    """The participant said yes: a single-use code for the client (audited)."""
    code = new_url_token()
    audit.record(
        db,
        "api.consent",
        actor=participant,
        organisation_id=participant.organisation_id,
        obj=req.client,
        scope=req.scope,
    )
    db.add(
        AuthorizationCode(
            code_hash=secret_hash(code),
            client_id=req.client.id,
            participant_id=participant.id,
            organisation_id=participant.organisation_id,
            redirect_uri=req.redirect_uri,
            scope=req.scope,
            code_challenge=req.code_challenge,
            expires_at=utcnow() + CODE_TTL,
        )
    )
    db.flush()
    return code


# --------------------------------------------------------------------------- tokens


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _narrow_scope(requested: str | None, granted: str) -> str:
    if not requested:
        return granted
    asked = [s for s in scope_list(requested) if s not in IGNORED_SCOPES]
    if not asked or any(s not in scope_list(granted) for s in asked):
        raise OAuthError("invalid_scope", "scope exceeds what was granted")
    return " ".join(s for s in SCOPES if s in asked)


def _issue_tokens(
    db: Session,
    client: OAuthClient,
    participant_id: int,
    org_id: int,
    scope: str,
    code_id: int | None,
) -> dict[str, Any]:
    access, refresh = new_url_token(), new_url_token()
    now = utcnow()
    common = {
        "client_id": client.id,
        "participant_id": participant_id,
        "organisation_id": org_id,
        "scope": scope,
        "code_id": code_id,
    }
    db.add(AccessToken(token_hash=secret_hash(access), expires_at=now + ACCESS_TTL, **common))
    db.add(RefreshToken(token_hash=secret_hash(refresh), expires_at=now + REFRESH_TTL, **common))
    db.flush()
    maybe_purge(db, now)
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": int(ACCESS_TTL.total_seconds()),
        "scope": scope,
        "refresh_token": refresh,
    }


def revoke_family(db: Session, code_id: int) -> None:
    now = utcnow()
    for model in TOKEN_MODELS:
        db.execute(
            update(model)
            .where(model.code_id == code_id, model.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def exchange_code(db: Session, client: OAuthClient, form: Mapping[str, str]) -> dict[str, Any]:
    """grant_type=authorization_code (with PKCE)."""
    code = form.get("code") or ""
    verifier = form.get("code_verifier") or ""
    if not code or not verifier or not form.get("redirect_uri"):
        raise OAuthError("invalid_request", "code, redirect_uri and code_verifier are required")
    row = db.execute(
        select(AuthorizationCode)
        .where(AuthorizationCode.code_hash == secret_hash(code))
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    if row is None or row.client_id != client.id:
        raise OAuthError("invalid_grant", "unknown authorization code")
    if row.used_at is not None:
        revoke_family(db, row.id)
        raise OAuthError("invalid_grant", "authorization code already used", commit=True)
    if row.expires_at <= utcnow():
        raise OAuthError("invalid_grant", "authorization code expired")
    if form.get("redirect_uri") != row.redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
    if not _VERIFIER.fullmatch(verifier) or not hmac.compare_digest(
        pkce_challenge(verifier), row.code_challenge
    ):
        # The code stays usable: RFC 7636 §4.6 asks only for invalid_grant, and single use
        # (RFC 6749 §4.1.2, §10.5; OAuth 2.1 §4.1.3) is about a code redeemed, not a refused
        # attempt. Only the authenticated client can try; a wrong verifier is either its own
        # bug or an injected code (RFC 9700 §4.5), which PKCE already defeats — burning the
        # code would hand anyone holding the client's secret and an intercepted code a way to
        # break the person's connection, while guessing a 43+ character verifier is
        # hopeless (and the endpoint is rate limited). The attempt is audited.
        audit.record(
            db,
            "api.code_verifier_mismatch",
            organisation_id=row.organisation_id,
            object_type="oauth_client",
            object_id=client.id,
        )
        raise OAuthError(
            "invalid_grant", "code_verifier does not match the code_challenge", commit=True
        )
    scope = _narrow_scope(form.get("scope"), row.scope)
    consumed = db.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.id == row.id, AuthorizationCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if consumed.rowcount != 1:  # type: ignore[attr-defined]
        revoke_family(db, row.id)
        raise OAuthError("invalid_grant", "authorization code already used", commit=True)
    participant = _active_participant(db, row.participant_id)
    if participant is None:
        raise OAuthError("invalid_grant", "the account is no longer active")
    return _issue_tokens(db, client, row.participant_id, row.organisation_id, scope, row.id)


def refresh(db: Session, client: OAuthClient, form: Mapping[str, str]) -> dict[str, Any]:
    """grant_type=refresh_token, with rotation and replay detection."""
    token = form.get("refresh_token") or ""
    row = db.execute(
        select(RefreshToken)
        .where(RefreshToken.token_hash == secret_hash(token))
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    if row is None or row.client_id != client.id:
        raise OAuthError("invalid_grant", "unknown refresh token")
    if row.revoked_at is not None:
        if row.code_id is not None:
            revoke_family(db, row.code_id)
        raise OAuthError("invalid_grant", "refresh token revoked", commit=True)
    if row.expires_at <= utcnow():
        raise OAuthError("invalid_grant", "refresh token expired")
    scope = _narrow_scope(form.get("scope"), row.scope)
    rotated = db.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if rotated.rowcount != 1:  # type: ignore[attr-defined]
        raise OAuthError("invalid_grant", "refresh token revoked")
    if _active_participant(db, row.participant_id) is None:
        raise OAuthError("invalid_grant", "the account is no longer active")
    return _issue_tokens(db, client, row.participant_id, row.organisation_id, scope, row.code_id)


def revoke_token(db: Session, client: OAuthClient, token: str, hint: str | None) -> None:
    """RFC 7009: unknown tokens and other clients' tokens are silently ignored."""
    digest = secret_hash(token)
    order: list[TokenModel] = (
        [RefreshToken, AccessToken] if hint == "refresh_token" else [AccessToken, RefreshToken]
    )
    now = utcnow()
    for model in order:
        row = cast(
            "AccessToken | RefreshToken | None",
            db.execute(
                select(model).where(model.token_hash == digest).execution_options(unscoped=True)
            ).scalar_one_or_none(),
        )
        if row is None or row.client_id != client.id:
            continue
        if isinstance(row, RefreshToken) and row.code_id is not None:
            revoke_family(db, row.code_id)
        elif row.revoked_at is None:
            row.revoked_at = now
        db.flush()
        return


# --------------------------------------------------------------------------- housekeeping

#: The token endpoint purges at most this often per process (no background thread).
PURGE_EVERY = timedelta(minutes=15)
_purge_lock = threading.Lock()


def purge_expired(
    db: Session, *, now: datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Delete (or count) dead codes and tokens; key → rows. Flushes, the caller commits."""
    return run_purges(db, purges(now or utcnow()), dry_run=dry_run)


def maybe_purge(db: Session, now: datetime | None = None) -> dict[str, int] | None:
    """Purge when tokens are issued, cheaply: at most once every :data:`PURGE_EVERY` per app
    and process, never two at once, in a savepoint of the request's transaction, so a failure
    (a lock, a deadlock) costs only the purge — tried again a period later — never the tokens
    being issued. None when skipped."""
    now = now or utcnow()
    state = current_app.extensions.setdefault("badger.api.purge", {})
    last = state.get("last")
    if last is not None and now - last < PURGE_EVERY:
        return None
    if not _purge_lock.acquire(blocking=False):
        return None
    try:
        state["last"] = now
        with db.begin_nested():
            counts = purge_expired(db, now=now)
    except SQLAlchemyError:
        current_app.logger.warning("OAuth purge failed; it runs again later", exc_info=True)
        return None
    finally:
        _purge_lock.release()
    if any(counts.values()):
        current_app.logger.info("OAuth purge: %s", counts)
    return counts


def _active_participant(db: Session, participant_id: int) -> Participant | None:
    p = db.execute(
        select(Participant)
        .where(Participant.id == participant_id)
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    return p if p is not None and p.active else None


def authenticate_bearer(db: Session, token: str) -> AccessToken | None:
    """The live access token for ``token`` (not revoked, not expired, active participant)."""
    if not token:
        return None
    row = db.execute(
        select(AccessToken)
        .where(AccessToken.token_hash == secret_hash(token))
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if _active_participant(db, row.participant_id) is None:
        return None
    return row


# --------------------------------------------------------------------------- connected apps


LAST_USED_GRANULARITY = timedelta(minutes=5)


def touch(db: Session, token: AccessToken) -> bool:
    """Note when a token was last used (at most every few minutes); True if it changed."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_GRANULARITY:
        return False
    token.last_used_at = now
    db.flush()
    return True


@dataclass
class ConnectedApp:
    client: OAuthClient
    scope: str
    since: datetime
    last_used: datetime | None = None


def connected_apps(db: Session, participant: Participant) -> list[ConnectedApp]:
    """Apps holding a live access or refresh token for the participant."""
    now = utcnow()
    apps: dict[int, ConnectedApp] = {}
    for model in TOKEN_MODELS:
        rows = cast(
            "Iterable[AccessToken | RefreshToken]",
            db.execute(
                select(model)
                .where(
                    model.participant_id == participant.id,
                    model.revoked_at.is_(None),
                    model.expires_at > now,
                )
                .order_by(model.created_at)
            ).scalars(),
        )
        for row in rows:
            current = apps.get(row.client_id)
            used = row.last_used_at if isinstance(row, AccessToken) else None
            if current is None:
                current = apps[row.client_id] = ConnectedApp(row.client, row.scope, row.created_at)
            else:
                merged = set(scope_list(current.scope)) | set(scope_list(row.scope))
                current.scope = " ".join(s for s in SCOPES if s in merged)
                current.since = min(current.since, row.created_at)
            if used is not None and (current.last_used is None or used > current.last_used):
                current.last_used = used
    return sorted(apps.values(), key=lambda a: a.client.client_name.lower())


def disconnect(db: Session, participant: Participant, client_id: str) -> bool:
    """Revoke every token the participant gave this client; False when there was none."""
    client = db.execute(
        select(OAuthClient).where(OAuthClient.client_id == client_id)
    ).scalar_one_or_none()
    if client is None:
        return False
    now = utcnow()
    changed = 0
    for model in TOKEN_MODELS:
        result = db.execute(
            update(model)
            .where(
                model.participant_id == participant.id,
                model.client_id == client.id,
                model.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        changed += result.rowcount  # type: ignore[attr-defined]
    if changed:
        audit.record(
            db,
            "api.disconnect",
            actor=participant,
            organisation_id=participant.organisation_id,
            obj=client,
        )
    return changed > 0


# --------------------------------------------------------------------------- credentials


class PagingSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(validate=validate.Range(min=1), load_default=DEFAULT_LIMIT)
    offset = fields.Integer(validate=validate.Range(min=0), load_default=0)
    since = fields.AwareDateTime(format="iso", load_default=None)


@dataclass
class Paging:
    limit: int
    offset: int
    since: datetime | None


def parse_paging(args: Mapping[str, str]) -> Paging:
    try:
        data = PagingSchema().load(dict(args))
    except ValidationError as exc:
        raise UserError(_first_error(exc.messages), 400) from exc
    return Paging(min(data["limit"], MAX_LIMIT), data["offset"], data["since"])


@dataclass
class Page:
    total: int
    credential: list[dict[str, Any]]
    compact_jws: list[str]


def _document_of(imp: ImportedCredential) -> dict[str, Any] | str | None:
    """The credential inside an import: a dict (JSON) or a compact JWS; None if unreadable."""
    try:
        if imp.format in ("png", "svg"):
            text = unbake(bytes(imp.raw))
        else:
            text = bytes(imp.raw).decode("utf-8")
        if text is None:
            return None
        text = text.strip()
        if is_compact_jws(text):
            return text
        value = safejson.loads(text)
    except (ValueError, UnicodeDecodeError, BakingError):
        return None
    return value if isinstance(value, dict) else None


def _credential_of(document: dict[str, Any] | str) -> dict[str, Any] | None:
    """The credential claims (a VC-JWT's payload, or its ``vc`` claim for VCDM 1.1)."""
    if isinstance(document, dict):
        return document
    try:
        _header, payload = decode_unverified(document)
    except JwtError:
        return None
    vc = payload.get("vc")
    if isinstance(vc, dict):
        vc = dict(vc)
        if "id" not in vc and isinstance(payload.get("jti"), str):
            vc["id"] = payload["jti"]
        if "issuer" not in vc and isinstance(payload.get("iss"), str):
            vc["issuer"] = payload["iss"]
        return vc
    return payload


def _imports(db: Session, participant: Participant) -> list[ImportedCredential]:
    return list(
        db.scalars(
            select(ImportedCredential)
            .where(ImportedCredential.participant_id == participant.id)
            .order_by(ImportedCredential.created_at, ImportedCredential.id)
        )
    )


def list_credentials(db: Session, participant: Participant, paging: Paging) -> Page:
    """The participant's issued credentials (not revoked or suspended) and the ones they
    imported (portfolio, or pushed by an app), oldest first.

    Issued credentials are given in both forms (DI JSON in ``credential``, VC-JWT in
    ``compactJwsString``); imports in the form they arrived in (a baked image gives its
    embedded credential). ``since`` compares with ``issued_at`` for issued credentials and with
    the last change for imports (so a replaced import is sent again).
    """
    issued_stmt = select(Credential.id, Credential.issued_at, Credential.created_at).where(
        Credential.participant_id == participant.id,
        Credential.state == ISSUED,
        Credential.signed_json.is_not(None),
        Credential.revoked_at.is_(None),
        Credential.suspended_at.is_(None),
    )
    if paging.since is not None:
        issued_stmt = issued_stmt.where(Credential.issued_at > paging.since)
    # Keys first (no documents or images loaded), then the documents of one page only.
    keys: list[tuple[datetime, int, int]] = [
        (r.issued_at or r.created_at, 0, r.id) for r in db.execute(issued_stmt)
    ]
    imports_stmt = select(
        ImportedCredential.id, ImportedCredential.created_at, ImportedCredential.updated_at
    ).where(ImportedCredential.participant_id == participant.id)
    if paging.since is not None:
        imports_stmt = imports_stmt.where(ImportedCredential.updated_at > paging.since)
    keys += [(r.created_at, 1, r.id) for r in db.execute(imports_stmt)]
    keys.sort()
    window = keys[paging.offset : paging.offset + paging.limit]
    issued_ids = [ident for _when, kind, ident in window if kind == 0]
    import_ids = [ident for _when, kind, ident in window if kind == 1]
    issued = {
        c.id: c
        for c in db.scalars(
            select(Credential)
            .options(load_only(Credential.id, Credential.signed_json, Credential.signed_jwt))
            .where(Credential.id.in_(issued_ids), Credential.participant_id == participant.id)
        )
    } if issued_ids else {}
    imported = {
        i.id: i
        for i in db.scalars(
            select(ImportedCredential).where(
                ImportedCredential.id.in_(import_ids),
                ImportedCredential.participant_id == participant.id,
            )
        )
    } if import_ids else {}
    page = Page(total=len(keys), credential=[], compact_jws=[])
    for _when, kind, ident in window:
        if kind == 0 and ident in issued:
            cred = issued[ident]
            page.credential.append(json.loads(cred.signed_json or "{}"))
            if cred.signed_jwt:
                page.compact_jws.append(cred.signed_jwt)
        elif kind == 1 and ident in imported:
            document = _document_of(imported[ident])
            if isinstance(document, str):
                page.compact_jws.append(document)
            elif document is not None:
                page.credential.append(document)
    return page


def normalise_id(value: str) -> str:
    """OB 3.0 credential equality: percent-decode, then trim surrounding whitespace."""
    return urllib.parse.unquote(value).strip()


def _identity(credential: Mapping[str, Any]) -> tuple[str, str] | None:
    issuer = issuer_id(credential)
    cred_id = credential.get("id")
    if not isinstance(issuer, str) or not isinstance(cred_id, str) or not cred_id.strip():
        return None
    return normalise_id(issuer), normalise_id(cred_id)


#: Verification checks whose failure means the document is not a genuine credential.
_FATAL_CHECKS = frozenset(
    {"extraction", "format", "jsonld", "proof", "issuer_binding", "endorsements"}
)


#: An app can only push badges issued to an identity the participant proved (its DID, or an
#: e-mail / phone they proved that their record holds or that the identifier shows unhashed).
_NOT_YOURS = _l(
    "Ce badge n'a pas été remis à une identité que la personne a prouvée (téléphone, e-mail "
    "ou DID) : il n'a pas été enregistré."
)


@dataclass
class Upsert:
    created: bool
    stored: ImportedCredential | None


def upsert_credential(
    db: Session,
    participant: Participant,
    document: dict[str, Any] | str,
    resolver: Any,
) -> Upsert:
    """Verify a credential pushed by an app and keep it among the participant's imports.

    Refused (400): schema errors, a failed proof or any structural failure. Kept with state
    "unknown": a key or status list that could not be fetched (a Host must not lose data
    because an issuer is briefly offline). OB 3.0 credential equality (same issuer id and
    credential id after percent-decoding and trimming) finds the stored version: it is replaced
    unless the new ``validFrom`` is older, in which case the stored one stays.
    A credential this server issued to the same participant is already listed: not copied.
    """
    if isinstance(document, dict):
        errors = validate_credential(document, strict=False)
        if errors:
            raise UserError(
                _l("Ce badge ne respecte pas le format Open Badges 3.0."), 400, details=errors[:10]
            )
    report = verify_credential(document, resolver=resolver)
    failed = [c for c in report.checks if c.state == "failed" and c.name in _FATAL_CHECKS]
    if failed or report.credential is None:
        raise UserError(
            _l("Ce badge n'a pas pu être vérifié."),
            400,
            details=[f"{c.name}: {c.message}" for c in failed][:10],
        )
    identity = _identity(report.credential)
    if identity is None:
        raise UserError(_l("Un badge reçu doit avoir un identifiant et un émetteur."), 400)
    if _is_own_issued(db, participant, identity[1]):
        return Upsert(created=False, stored=None)
    raw = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    data = raw.encode("utf-8")
    valid_from = _valid_from(report.credential)
    for imp in _imports(db, participant):
        stored_doc = _document_of(imp)
        stored = _credential_of(stored_doc) if stored_doc is not None else None
        if stored is None or _identity(stored) != identity:
            continue
        old_from = _valid_from(stored)
        if valid_from is not None and old_from is not None and valid_from < old_from:
            return Upsert(created=False, stored=imp)
        # the new version must be the participant's too (badger.holders)
        proof = holders.holder_proof(db, participant, report.credential)
        if proof is None:
            raise UserError(_NOT_YOURS, 400)
        imp.holder_proof = proof
        imp.format = "jwt" if isinstance(document, str) else "json"
        imp.raw = data
        imp.issuer_id = (report.issuer_id or "")[:500] or None
        imp.issuer_name = (report.issuer_name or "")[:300] or None
        imp.achievement_name = (report.achievement_name or "")[:300] or None
        imp.verified_at = utcnow()
        imp.last_state = report.state
        imp.last_report = {"state": report.state, "checks": [c.to_dict() for c in report.checks]}
        db.flush()
        return Upsert(created=False, stored=imp)
    if holders.holder_proof(db, participant, report.credential) is None:
        raise UserError(_NOT_YOURS, 400)
    try:
        imp = import_credential(db, participant, data, resolver=resolver)
    except UserError as exc:
        # The API answers 400 for data it cannot accept (OB 3.0 upsertCredential).
        raise UserError(exc.message, 400, details=exc.details) from exc
    return Upsert(created=True, stored=imp)


def _valid_from(credential: Mapping[str, Any]) -> datetime | None:
    return parse_datetime(credential.get("validFrom") or credential.get("issuanceDate"))


def _is_own_issued(db: Session, participant: Participant, cred_id: str) -> bool:
    """A credential this server issued to this participant is already in the list."""
    base = str(current_app.config["BADGER_BASE_URL"]).rstrip("/") + "/credentials/"
    if not cred_id.startswith(base):
        return False
    found = db.execute(
        select(Credential.id).where(
            Credential.uuid == cred_id.removeprefix(base),
            Credential.participant_id == participant.id,
        )
    ).first()
    return found is not None


# --------------------------------------------------------------------------- profile


def profile_id(participant: Participant) -> str:
    """A stable, opaque identifier: a name-based UUID of the participant's URL on this server."""
    base = str(current_app.config["BADGER_BASE_URL"]).rstrip("/")
    name = f"{base}/participants/{participant.id}"
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def profile(participant: Participant) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": profile_id(participant),
        "type": ["Profile"],
        "name": participant.display_name,
    }


class ProfileSchema(Schema):
    """PUT /profile: the whole Profile; only ``name`` may change."""

    class Meta:
        unknown = "raise"

    context = fields.Raw(data_key="@context", load_default=None)
    id = fields.String(required=True)
    type = fields.Raw(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


def update_profile(db: Session, participant: Participant, payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise UserError(_l("Le profil doit être un objet JSON."), 400)
    errors = validate_profile(payload)
    if errors:
        raise UserError(_l("Ce profil ne respecte pas le format Open Badges 3.0."), 400,
                        details=errors[:10])
    try:
        data = ProfileSchema().load(payload)
    except ValidationError as exc:
        raise UserError(
            _l("Seul le nom affiché peut être modifié."), 400, details=[_first_error(exc.messages)]
        ) from exc
    types = data["type"] if isinstance(data["type"], list) else [data["type"]]
    if data["id"] != profile_id(participant) or "Profile" not in types:
        raise UserError(_l("Ce profil n'est pas le vôtre."), 400)
    name = " ".join(data["name"].split())
    if not name:
        raise UserError(_l("Le nom affiché ne peut pas être vide."), 400)
    participant.display_name = name
    db.flush()
    return profile(participant)


def host_of(url: str) -> str:
    """The host name of a URL, shown as text (never fetched, never displayed as an image)."""
    return (urllib.parse.urlsplit(url).hostname or "").lower()
