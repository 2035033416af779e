"""The authorization request and its code (RFC 6749 §4.1, PKCE S256 required): what the
consent page checks, and the single-use code issued when the participant says yes."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import audit
from badger.accounts.models import Participant
from badger.api.models import AuthorizationCode, OAuthClient
from badger.api.oauth import (
    CODE_TTL,
    IGNORED_SCOPES,
    SCOPES,
    scope_list,
    secret_hash,
)
from badger.db import utcnow
from badger.security import new_url_token

_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


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

