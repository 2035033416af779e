"""Authentication, roles, CSRF, rate limits and HTTP security headers.

Two kinds of people log in: staff (``User``, e-mail + password) and participants
(``Participant``, one-time code). Flask-Login keeps either in the session under a prefixed
id ("u:3" or "p:7"), and the person counts as logged in only while the server-side session
named in the cookie lives (:mod:`badger.accounts.sessions`; the accounts domain registers its
models and session store through :func:`register_principals`, as core modules import no
domain). Each request then sets the organisation scope on the database session (see
:mod:`badger.db`), so all tenant data a view loads belongs to that organisation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, g, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select

from badger.db import NO_ORGANISATION, get_session, set_scope

password_hasher = PasswordHasher()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="fixed-window")

F = TypeVar("F", bound=Callable[..., Any])

#: Unambiguous alphabet for codes read aloud or typed on a phone (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; a missing hash still spends the time of a check (no user oracle)."""
    if not stored_hash:
        password_hasher.hash(password)
        return False
    try:
        return password_hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """Keyed hash of a login code or link token, so a database leak reveals no usable token."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, token.strip().upper().encode(), hashlib.sha256).hexdigest()


def url_token_hash(token: str) -> str:
    """Keyed hash of a link token (share link, invitation / reset link), taken over the exact
    characters: a link token is copied, not typed, so no trimming and no case folding — a
    variant of the token is another token."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"link:" + token.encode(), hashlib.sha256).hexdigest()


def url_token_hashes(token: str) -> tuple[str, str]:
    """The hashes a link token may be stored under: exact (:func:`url_token_hash`), then the
    upper-cased :func:`token_hash` that links made before exact matching were stored under (they
    keep working until they expire; ``badger purge`` then removes them)."""
    return url_token_hash(token), token_hash(token)


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_url_token() -> str:
    """A ≥128-bit URL-safe token (22 chars of base64url carry 132 bits)."""
    return secrets.token_urlsafe(24)


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True)
class Principals:
    """Who may log in, as the accounts domain registers it per app
    (:func:`register_principals`): this core module imports no domain."""

    #: Id prefix -> model: ``"u"`` staff (``User``), ``"p"`` participant (``Participant``).
    models: Mapping[str, Any]
    #: Whether this request's cookie belongs to a live server-side session of the principal.
    is_live: Callable[[Any], bool]
    #: Drop a refused login from the cookie.
    forget: Callable[[], None]


def register_principals(
    app: Flask,
    models: Mapping[str, Any],
    *,
    is_live: Callable[[Any], bool],
    forget: Callable[[], None],
    session_store: Any,
) -> None:
    """How a session's principal id becomes a person, and where session records live
    (``app.extensions["badger.sessions"]``): called by ``badger.accounts`` at ``init_app``."""
    app.extensions["badger.principals"] = Principals(models, is_live, forget)
    app.extensions.setdefault("badger.sessions", session_store)


@login_manager.user_loader
def _load_principal(principal_id: str) -> Any:
    principals: Principals | None = current_app.extensions.get("badger.principals")
    kind, _, raw = principal_id.partition(":")
    if not raw.isdigit() or principals is None:
        return None
    model = principals.models.get(kind)
    if model is None:
        return None
    # Loading the principal happens before any scope exists; it is by primary key.
    stmt = select(model).where(model.id == int(raw)).execution_options(unscoped=True)
    principal = get_session().execute(stmt).scalar_one_or_none()
    # The signed cookie alone is not a login: its session must be live on the server (ended
    # at logout, password change, role removal; expired when idle) — badger.accounts.sessions.
    if principal is None or not principals.is_live(principal):
        principals.forget()
        return None
    return principal


def _resolve_organisation() -> None:
    """Choose the organisation this request acts in and scope the database session to it."""
    g.organisation = None
    g.role = None
    if not current_user.is_authenticated:
        return
    db = get_session()
    if current_user.kind == "participant":
        g.organisation = current_user.organisation
        set_scope(db, current_user.organisation_id)
        return
    memberships = sorted(current_user.memberships, key=lambda m: m.organisation_id)
    if not memberships:
        # staff in no organisation (e.g. a network-only admin): scoped to none, not unscoped
        set_scope(db, NO_ORGANISATION)
        return
    chosen = session.get("org_id")
    membership = next((m for m in memberships if m.organisation_id == chosen), memberships[0])
    session["org_id"] = membership.organisation_id
    g.organisation = membership.organisation
    g.role = membership.role
    set_scope(db, membership.organisation_id)


def is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.kind == "staff")


def is_participant() -> bool:
    return bool(current_user.is_authenticated and current_user.kind == "participant")


def staff_required(role: str | None = None) -> Callable[[F], F]:
    """Require a logged-in staff member with a role in the current organisation.

    ``role="admin"`` requires the admin role; ``None`` accepts admins and assessors.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.kind != "staff" or g.get("organisation") is None:
                abort(403)
            if role == "admin" and g.role != "admin":
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def login_required(view: F) -> F:
    """Require a logged-in person, staff member or participant."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return cast(F, wrapped)


def participant_required(view: F) -> F:
    """Require a logged-in participant (their own space)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.kind != "participant":
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def network_admin_required(view: F) -> F:
    """Require a staff member who administers at least one network."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.kind != "staff" or not current_user.admin_network_ids():
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def server_admin_required(view: F) -> F:
    """Require a server administrator (creates networks and names their administrators)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.kind != "staff" or not current_user.server_admin:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapped)


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _security_headers(response: Any) -> Any:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.path.startswith(("/api/", "/ims/", "/credentials/")) or request.blueprint in {
        "issuer"
    }:
        # Machine-readable public documents may be read cross-origin by wallets/verifiers.
        headers.setdefault("Access-Control-Allow-Origin", "*")
    return response


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page explains itself
    limiter.init_app(app)
    app.before_request(_resolve_organisation)
    app.after_request(_security_headers)
