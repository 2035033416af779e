"""OAuth housekeeping: dead codes and tokens are deleted a grace period after they stopped
working, live ones and what replay detection needs stay, the token endpoint purges by itself at
most every few minutes, and a failing purge never costs the tokens being issued."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text

from badger import api
from badger.api import retention
from badger.api.models import AccessToken, AuthorizationCode, OAuthClient, RefreshToken
from badger.db import utcnow
from badger.maintenance import Purge
from tests.api._helpers import API, Client, bearer

DAY = timedelta(days=1)


def _client_row(db: Any, wallet: Client) -> OAuthClient:
    return db.execute(select(OAuthClient).filter_by(client_id=wallet.client_id)).scalar_one()


def _code(db: Any, client: OAuthClient, person: Any, *, expires: Any, used: Any = None) -> Any:
    row = AuthorizationCode(
        code_hash=uuid.uuid4().hex,
        client_id=client.id,
        participant_id=person.id,
        organisation_id=person.organisation_id,
        redirect_uri="https://wallet.example.org/callback",
        scope=api.SCOPE_CREDENTIAL_READ,
        code_challenge="x" * 43,
        expires_at=expires,
        used_at=used,
    )
    db.add(row)
    db.flush()
    return row


def _token(
    db: Any,
    model: Any,
    client: OAuthClient,
    person: Any,
    *,
    expires: Any,
    revoked: Any = None,
    code: Any = None,
) -> Any:
    row = model(
        token_hash=uuid.uuid4().hex,
        client_id=client.id,
        participant_id=person.id,
        organisation_id=person.organisation_id,
        scope=api.SCOPE_CREDENTIAL_READ,
        expires_at=expires,
        revoked_at=revoked,
        code_id=code.id if code is not None else None,
    )
    db.add(row)
    db.flush()
    return row


def _status(wallet: Client, access: str) -> int:
    return int(wallet.http.get(f"{API}/credentials", headers=bearer(access)).status_code)


def _ids(db: Any, model: Any) -> set[int]:
    return set(db.scalars(select(model.id).execution_options(unscoped=True)))


def test_purge_deletes_dead_rows_keeps_live_ones_and_a_dry_run_deletes_nothing(
    app: Any, db: Any, participant: Any
) -> None:
    now = utcnow()
    old = now - 10 * DAY  # beyond the 7-day grace period
    recent = now - DAY  # within it
    client = _client_row(db, Client.register(app))
    p = participant

    gone: dict[Any, set[int]] = {AccessToken: set(), RefreshToken: set(), AuthorizationCode: set()}
    kept: dict[Any, set[int]] = {AccessToken: set(), RefreshToken: set(), AuthorizationCode: set()}

    # Access tokens: expired or revoked long ago go; recently dead or live stay.
    gone[AccessToken].add(_token(db, AccessToken, client, p, expires=old).id)
    gone[AccessToken].add(_token(db, AccessToken, client, p, expires=now + DAY, revoked=old).id)
    kept[AccessToken].add(_token(db, AccessToken, client, p, expires=recent).id)
    kept[AccessToken].add(_token(db, AccessToken, client, p, expires=now + DAY, revoked=recent).id)
    kept[AccessToken].add(_token(db, AccessToken, client, p, expires=now + DAY).id)

    # A living family: its rotated refresh token stays (replaying it must revoke the family),
    # and so does its code, however old.
    living = _code(db, client, p, expires=now - 30 * DAY, used=now - 30 * DAY)
    kept[AuthorizationCode].add(living.id)
    kept[RefreshToken].add(
        _token(db, RefreshToken, client, p, expires=now + 20 * DAY, revoked=old, code=living).id
    )
    kept[RefreshToken].add(
        _token(db, RefreshToken, client, p, expires=now + 29 * DAY, code=living).id
    )
    gone[AccessToken].add(_token(db, AccessToken, client, p, expires=old, code=living).id)

    # A disconnected family (everything revoked long ago): tokens and code go.
    dead = _code(db, client, p, expires=now - 20 * DAY, used=now - 20 * DAY)
    gone[AuthorizationCode].add(dead.id)
    gone[RefreshToken].add(
        _token(db, RefreshToken, client, p, expires=now + 10 * DAY, revoked=old, code=dead).id
    )
    gone[AccessToken].add(
        _token(db, AccessToken, client, p, expires=old, revoked=old, code=dead).id
    )

    # A family whose last refresh token expired long ago: all of it goes.
    expired = _code(db, client, p, expires=now - 40 * DAY, used=now - 40 * DAY)
    gone[AuthorizationCode].add(expired.id)
    gone[RefreshToken].add(_token(db, RefreshToken, client, p, expires=old, code=expired).id)

    # A family revoked recently: still within the grace period, everything stays.
    fresh = _code(db, client, p, expires=now - 20 * DAY, used=now - 20 * DAY)
    kept[AuthorizationCode].add(fresh.id)
    kept[RefreshToken].add(
        _token(db, RefreshToken, client, p, expires=now + DAY, revoked=recent, code=fresh).id
    )

    # Codes never exchanged: expired long ago go, a recent or live one stays.
    gone[AuthorizationCode].add(_code(db, client, p, expires=old).id)
    kept[AuthorizationCode].add(_code(db, client, p, expires=recent).id)
    kept[AuthorizationCode].add(_code(db, client, p, expires=now + timedelta(minutes=5)).id)

    # A refresh token whose code is gone (no family to protect): revoked long ago, it goes.
    gone[RefreshToken].add(_token(db, RefreshToken, client, p, expires=now + DAY, revoked=old).id)
    db.commit()

    expected = {
        "api.access_tokens": len(gone[AccessToken]),
        "api.refresh_tokens": len(gone[RefreshToken]),
        "api.codes": len(gone[AuthorizationCode]),
    }
    before = {m: _ids(db, m) for m in gone}
    assert api.purge_expired(db, now=now, dry_run=True) == expected
    db.commit()
    assert {m: _ids(db, m) for m in gone} == before  # the dry run deleted nothing

    assert api.purge_expired(db, now=now) == expected
    db.commit()
    for model in gone:
        assert _ids(db, model) == kept[model], model.__name__
    assert api.purge_expired(db, now=now) == dict.fromkeys(expected, 0)


def test_replaying_a_rotated_refresh_token_after_a_purge_still_revokes_the_family(
    app: Any, participant_client: Any, db: Any
) -> None:
    wallet = Client.register(app)
    first = wallet.tokens(participant_client)
    r = wallet.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert r.status_code == 200
    second = r.get_json()
    # The rotated token was revoked long ago as far as the purge can tell.
    rotated = db.execute(
        select(RefreshToken).where(
            RefreshToken.token_hash == api.secret_hash(first["refresh_token"])
        )
    ).scalar_one()
    rotated.revoked_at = utcnow() - 10 * DAY
    db.commit()
    counts = api.purge_expired(db)
    db.commit()
    assert counts["api.refresh_tokens"] == 0 and counts["api.codes"] == 0
    assert _status(wallet, second["access_token"]) == 200
    replay = wallet.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert replay.status_code == 400 and replay.get_json()["error"] == "invalid_grant"
    # The whole family is revoked: the current access and refresh tokens stop working.
    assert _status(wallet, second["access_token"]) == 401
    again = wallet.token(grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert again.status_code == 400


def test_the_token_endpoint_purges_at_most_every_few_minutes(
    app: Any, participant_client: Any, db: Any, participant: Any
) -> None:
    wallet = Client.register(app)
    client = _client_row(db, wallet)
    stale = _token(db, AccessToken, client, participant, expires=utcnow() - 10 * DAY).id
    db.commit()
    tokens = wallet.tokens(participant_client)  # the first tokens issued: purge runs
    assert stale not in _ids(db, AccessToken)

    stale = _token(db, AccessToken, client, participant, expires=utcnow() - 10 * DAY).id
    db.commit()
    r = wallet.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert r.status_code == 200
    assert stale in _ids(db, AccessToken)  # purged a moment ago: not again yet

    state = app.extensions["badger.api.purge"]
    state["last"] -= api.PURGE_EVERY
    r = wallet.token(grant_type="refresh_token", refresh_token=r.get_json()["refresh_token"])
    assert r.status_code == 200
    assert stale not in _ids(db, AccessToken)


def test_a_failing_purge_never_costs_the_tokens(
    app: Any, participant_client: Any, db: Any, monkeypatch: Any, caplog: Any
) -> None:
    broken = [Purge("api.broken", AccessToken, text("no_such_column = 1"))]  # type: ignore[arg-type]
    monkeypatch.setattr(retention, "purges", lambda now: broken)
    wallet = Client.register(app)
    tokens = wallet.tokens(participant_client)  # the purge fails inside its savepoint
    assert "OAuth purge failed" in caplog.text
    assert _status(wallet, tokens["access_token"]) == 200
    assert db.scalar(select(func.count()).select_from(RefreshToken)) == 1
