"""OAuth clients: Dynamic Client Registration (RFC 7591, as OB 3.0 profiles it) and HTTP Basic
client authentication (RFC 6749 §2.3.1)."""

from __future__ import annotations

import hmac
import urllib.parse
from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.api.models import OAuthClient
from badger.api.oauth import (
    IGNORED_SCOPES,
    SCOPES,
    OAuthError,
    first_error,
    scope_list,
    secret_hash,
)
from badger.db import utcnow
from badger.security import new_url_token

_LOOPBACK = {"localhost", "127.0.0.1", "[::1]", "::1"}


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



def register_client(db: Session, payload: Any) -> tuple[OAuthClient, str]:
    """Create a client; return it and its secret (shown once, stored hashed)."""
    if not isinstance(payload, Mapping):
        raise OAuthError("invalid_client_metadata", "the body must be a JSON object")
    try:
        data = RegistrationSchema().load(payload)
    except ValidationError as exc:
        field = next(iter(exc.messages), "")
        error = "invalid_redirect_uri" if field == "redirect_uris" else "invalid_client_metadata"
        raise OAuthError(error, first_error(exc.messages)) from exc
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
