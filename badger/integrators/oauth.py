"""Integrator clients and their tokens: OAuth 2.0 client credentials (RFC 6749 §4.4).

An organisation admin (page or CLI) registers a client; its secret is shown once and only its
keyed hash is kept. The client trades its id and secret (HTTP Basic or form fields, §2.3.1) for
an opaque bearer token of :data:`TOKEN_TTL`, also stored hashed. Revoking a client revokes its
tokens in the same transaction, and a token never authenticates for a revoked client anyway.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badger import audit
from badger.api.oauth import OAuthError, scope_list, secret_hash
from badger.db import utcnow
from badger.errors import UserError
from badger.integrators.models import IntegratorClient, IntegratorToken
from badger.networks.models import Organisation
from badger.security import new_url_token

SCOPE_ISSUE = "credentials:issue"
SCOPES = (SCOPE_ISSUE,)
TOKEN_TTL = timedelta(minutes=15)
MAX_NAME = 200


def create_client(session: Session, org: Organisation, name: str, *,
                  actor: Any = None) -> tuple[IntegratorClient, str]:
    """A new client of ``org`` and its secret (shown once, never stored in clear)."""
    name = " ".join((name or "").split())
    if not name:
        raise UserError(_l("Donnez un nom à l'intégration."), 422)
    if len(name) > MAX_NAME:
        raise UserError(_l("Nom trop long (%(n)d caractères au plus).", n=MAX_NAME), 422)
    secret = secrets.token_urlsafe(32)
    client = IntegratorClient(organisation_id=org.id, client_id="int_" + secrets.token_urlsafe(18),
                              secret_hash=secret_hash(secret), name=name,
                              created_by_id=getattr(actor, "id", None)
                              if getattr(actor, "kind", None) == "staff" else None)
    session.add(client)
    session.flush()
    audit.record(session, "integrators.client_create", actor=actor, organisation_id=org.id,
                 obj=client, name=name)
    return client, secret


def list_clients(session: Session, org: Organisation) -> list[IntegratorClient]:
    return list(session.scalars(
        select(IntegratorClient).where(IntegratorClient.organisation_id == org.id)
        .order_by(IntegratorClient.revoked_at.is_not(None), IntegratorClient.name,
                  IntegratorClient.id)
        .execution_options(unscoped=True)))


def find_client(session: Session, org: Organisation, client_id: str) -> IntegratorClient:
    """The client of ``org`` with that public id (404 for another organisation's)."""
    client = session.execute(
        select(IntegratorClient).where(IntegratorClient.client_id == client_id,
                                       IntegratorClient.organisation_id == org.id)
        .execution_options(unscoped=True)).scalar_one_or_none()
    if client is None:
        raise UserError(_l("Intégration introuvable."), 404)
    return client


def revoke_client(session: Session, client: IntegratorClient, *, actor: Any = None) -> None:
    """Revoke the client and every token it holds (idempotent)."""
    if client.revoked_at is not None:
        return
    now = utcnow()
    client.revoked_at = now
    session.execute(update(IntegratorToken)
                    .where(IntegratorToken.client_id == client.id,
                           IntegratorToken.revoked_at.is_(None))
                    .values(revoked_at=now)
                    .execution_options(synchronize_session=False))
    session.flush()
    audit.record(session, "integrators.client_revoke", actor=actor,
                 organisation_id=client.organisation_id, obj=client, name=client.name)


def authenticate_client(session: Session, client_id: str | None,
                        secret: str | None) -> IntegratorClient:
    """RFC 6749 §2.3.1: a live client whose secret matches (constant time), else
    ``invalid_client`` (401)."""
    if not client_id or not secret:
        raise OAuthError("invalid_client", "client authentication is required", 401)
    client = session.execute(
        select(IntegratorClient).where(IntegratorClient.client_id == client_id)
        .execution_options(unscoped=True)).scalar_one_or_none()
    expected = client.secret_hash if client else "0" * 64
    if not hmac.compare_digest(expected, secret_hash(secret)) or client is None:
        raise OAuthError("invalid_client", "unknown client or wrong secret", 401)
    if client.revoked_at is not None:
        raise OAuthError("invalid_client", "this client was revoked", 401)
    return client


def client_credentials(session: Session, client: IntegratorClient,
                       params: Mapping[str, str]) -> dict[str, Any]:
    """The token answer for ``grant_type=client_credentials`` (``audience`` is ignored)."""
    if params.get("grant_type") != "client_credentials":
        raise OAuthError("unsupported_grant_type", "only client_credentials is supported")
    asked = scope_list(params.get("scope") or SCOPE_ISSUE)
    if not asked or any(s not in SCOPES for s in asked):
        raise OAuthError("invalid_scope", f"the only scope is {SCOPE_ISSUE}")
    token = new_url_token()
    scope = " ".join(s for s in SCOPES if s in asked)
    session.add(IntegratorToken(organisation_id=client.organisation_id, client_id=client.id,
                                token_hash=secret_hash(token), scope=scope,
                                expires_at=utcnow() + TOKEN_TTL))
    session.flush()
    return {"access_token": token, "token_type": "Bearer",
            "expires_in": int(TOKEN_TTL.total_seconds()), "scope": scope}


def authenticate_bearer(session: Session, token: str
                        ) -> tuple[IntegratorToken, IntegratorClient] | None:
    """The live token (not revoked, not expired) and its client (not revoked), else None."""
    if not token:
        return None
    row = session.execute(
        select(IntegratorToken).where(IntegratorToken.token_hash == secret_hash(token))
        .execution_options(unscoped=True)).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    client = session.execute(
        select(IntegratorClient).where(IntegratorClient.id == row.client_id)
        .execution_options(unscoped=True)).scalar_one_or_none()
    if client is None or client.revoked_at is not None:
        return None
    return row, client
