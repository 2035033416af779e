"""The OAuth 2.0 vocabulary of the Open Badges 3.0 API: its scopes, lifetimes, secret hashing
and error answer, shared by clients, codes and tokens.

Secrets (client secrets, codes, tokens) are random (≥128 bits) and stored as keyed hashes only.
:func:`secret_hash` does not fold case (unlike :func:`badger.security.token_hash`, made for codes
people type): an OAuth token must match byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import urllib.parse
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from badger.api.models import AccessToken, RefreshToken

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


TokenModel = type[AccessToken] | type[RefreshToken]
TOKEN_MODELS: tuple[TokenModel, ...] = (RefreshToken, AccessToken)


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

    ``keep`` asks the request to keep what the service did before failing (a replayed code's
    family revoked, a verifier mismatch audited) although it answers an error.
    """

    def __init__(
        self, error: str, description: str, status: int = 400, *, keep: bool = False
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.keep = keep

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def first_error(messages: Any, prefix: str = "") -> str:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            return first_error(value, f"{prefix}.{key}" if prefix else str(key))
    if isinstance(messages, list) and messages:
        return first_error(messages[0], prefix)
    return f"{prefix}: {messages}" if prefix else str(messages)



def host_of(url: str) -> str:
    """The host name of a URL, shown as text (never fetched, never displayed as an image)."""
    return (urllib.parse.urlsplit(url).hostname or "").lower()


def basic_credentials(authorization: str) -> tuple[str | None, str | None]:
    """Client id and secret from an HTTP Basic ``Authorization`` header, each form-urlencoded
    (RFC 6749 §2.3.1); (None, None) when the header is not a well-formed Basic one."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None, None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None, None
    unquote = urllib.parse.unquote_plus
    return unquote(client_id), unquote(secret)
