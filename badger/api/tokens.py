"""Access and refresh tokens: the code exchange (with PKCE), refresh with rotation, RFC 7009
revocation and bearer authentication.

* A code is single-use: it is consumed with a conditional UPDATE, so two concurrent exchanges
  cannot both win; replaying it revokes every token issued from it, and the request keeps that
  revocation even though it answers an error (:attr:`OAuthError.keep`).
* Refresh tokens rotate; presenting a rotated (revoked) refresh token revokes its family.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from badger import audit
from badger.accounts.models import Participant
from badger.api.models import AccessToken, AuthorizationCode, OAuthClient, RefreshToken
from badger.api.oauth import (
    ACCESS_TTL,
    IGNORED_SCOPES,
    REFRESH_TTL,
    SCOPES,
    TOKEN_MODELS,
    OAuthError,
    TokenModel,
    scope_list,
    secret_hash,
)
from badger.api.retention import maybe_purge
from badger.db import utcnow
from badger.security import new_url_token

_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


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
        raise OAuthError("invalid_grant", "authorization code already used", keep=True)
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
            "invalid_grant", "code_verifier does not match the code_challenge", keep=True
        )
    scope = _narrow_scope(form.get("scope"), row.scope)
    consumed = db.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.id == row.id, AuthorizationCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if consumed.rowcount != 1:  # type: ignore[attr-defined]
        revoke_family(db, row.id)
        raise OAuthError("invalid_grant", "authorization code already used", keep=True)
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
        raise OAuthError("invalid_grant", "refresh token revoked", keep=True)
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


def touch(new_session: Callable[[], Session], token: AccessToken) -> bool:
    """Note when a token was last used (at most every :data:`LAST_USED_GRANULARITY`); True if
    it changed.

    Written in a short session of its own (``new_session``: the app's session factory),
    committed at once, as before the view runs: the "connected apps" page must show an app that
    used the token even when the request then answers an error (a refused upsert is still a
    use), and keeping the request's transaction on error would keep the view's partial writes
    too. Only reads precede it in the request (bearer authentication), so the request's own
    session holds no write the short one could wait on; the request's copy of the row takes the
    new value as committed (never written twice).
    """
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_GRANULARITY:
        return False
    with new_session() as own, own.begin():
        own.execute(
            update(AccessToken).where(AccessToken.id == token.id).values(last_used_at=now)
        )
    set_committed_value(token, "last_used_at", now)
    return True
