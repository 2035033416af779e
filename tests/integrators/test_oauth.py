"""The integrators' token endpoint (RFC 6749 §4.4, errors per §5.2) and bearer authentication of
``POST /credentials/issue``: every status over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from badger import integrators
from badger.api.oauth import secret_hash
from badger.audit import AuditEvent
from badger.db import utcnow
from badger.integrators.models import IntegratorClient, IntegratorToken
from tests.integrators._helpers import (
    ISSUE_URL,
    TOKEN_URL,
    basic,
    bearer,
    get_token,
    new_client,
    vc2,
)


def test_client_secret_basic_and_post(app: Flask, db: Any, org: Any) -> None:
    client_id, secret = new_client(db, org)
    http = app.test_client()
    by_basic = http.post(TOKEN_URL, data={"grant_type": "client_credentials",
                                          "scope": "credentials:issue"},
                         headers=basic(client_id, secret))
    assert by_basic.status_code == 200
    body = by_basic.get_json()
    assert body["token_type"] == "Bearer" and body["scope"] == "credentials:issue"
    assert body["expires_in"] == int(integrators.TOKEN_TTL.total_seconds())
    assert by_basic.headers["Cache-Control"] == "no-store"
    by_post = http.post(TOKEN_URL, data={"grant_type": "client_credentials",
                                         "client_id": client_id, "client_secret": secret,
                                         "audience": "https://anything.example"})
    assert by_post.status_code == 200
    tokens = db.scalars(select(IntegratorToken)).all()
    assert len(tokens) == 2
    # only keyed hashes are stored, of the secret and of the tokens
    stored = db.scalars(select(IntegratorClient)).one()
    assert stored.secret_hash == secret_hash(secret) and secret not in stored.secret_hash
    assert {t.token_hash for t in tokens} == {secret_hash(by_basic.get_json()["access_token"]),
                                              secret_hash(by_post.get_json()["access_token"])}


def test_token_errors(app: Flask, db: Any, org: Any) -> None:
    client_id, secret = new_client(db, org)
    http = app.test_client()
    grant = {"grant_type": "client_credentials"}
    cases = [
        ({}, grant, 401, "invalid_client"),
        (basic(client_id, "wrong"), grant, 401, "invalid_client"),
        (basic("nobody", secret), grant, 401, "invalid_client"),
        ({"Authorization": "Basic %%%"}, {**grant, "client_id": client_id,
                                          "client_secret": secret}, 401, "invalid_client"),
        (basic(client_id, secret), {"grant_type": "password"}, 400, "unsupported_grant_type"),
        (basic(client_id, secret), {**grant, "client_id": client_id, "client_secret": secret},
         400, "invalid_request"),
        (basic(client_id, secret), {}, 400, "unsupported_grant_type"),
        (basic(client_id, secret), {**grant, "scope": "credentials:issue admin"}, 400,
         "invalid_scope"),
    ]
    for headers, form, status, error in cases:
        response = http.post(TOKEN_URL, data=form, headers=headers)
        assert response.status_code == status, (form, response.get_data(as_text=True))
        assert response.get_json()["error"] == error
        if status == 401:
            assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert db.scalar(select(IntegratorToken.id)) is None


def test_bearer_errors(app: Flask, db: Any, org: Any) -> None:
    client_id, secret = new_client(db, org)
    http = app.test_client()
    token = get_token(http, client_id, secret)
    body = {"credential": vc2()}
    none = http.post(ISSUE_URL, json=body)
    assert none.status_code == 401 and none.headers["WWW-Authenticate"] == 'Bearer realm="badger"'
    wrong = http.post(ISSUE_URL, json=body, headers=bearer("not-a-token"))
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    basic_only = http.post(ISSUE_URL, json=body, headers=basic(client_id, secret))
    assert basic_only.status_code == 401
    # a token without the scope (made by hand: the token endpoint never grants one)
    row = db.scalars(select(IntegratorToken)).one()
    db.add(IntegratorToken(organisation_id=org.id, client_id=row.client_id,
                           token_hash=secret_hash("scopeless-token"), scope="other",
                           expires_at=utcnow() + timedelta(minutes=5)))
    db.commit()
    scopeless = http.post(ISSUE_URL, json=body, headers=bearer("scopeless-token"))
    assert scopeless.status_code == 403
    assert 'error="insufficient_scope"' in scopeless.headers["WWW-Authenticate"]
    assert http.post(ISSUE_URL, json=body, headers=bearer(token)).status_code == 400  # issuer


def test_revoking_a_client_kills_its_tokens(app: Flask, db: Any, org: Any) -> None:
    client_id, secret = new_client(db, org)
    http = app.test_client()
    token = get_token(http, client_id, secret)
    client = integrators.find_client(db, org, client_id)
    integrators.revoke_client(db, client)
    db.commit()
    response = http.post(ISSUE_URL, json={"credential": vc2()}, headers=bearer(token))
    assert response.status_code == 401
    assert db.scalars(select(IntegratorToken)).one().revoked_at is not None
    again = http.post(TOKEN_URL, data={"grant_type": "client_credentials"},
                      headers=basic(client_id, secret))
    assert again.status_code == 401 and again.get_json()["error"] == "invalid_client"
    actions = db.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "IntegratorClient")).all()
    assert sorted(actions) == ["integrators.client_create", "integrators.client_revoke"]


def test_expired_token(app: Flask, db: Any, org: Any, clock: Any) -> None:
    client_id, secret = new_client(db, org)
    http = app.test_client()
    token = get_token(http, client_id, secret)
    clock.advance(seconds=int(integrators.TOKEN_TTL.total_seconds()) + 1)
    response = http.post(ISSUE_URL, json={"credential": vc2()}, headers=bearer(token))
    assert response.status_code == 401


def test_purge_deletes_dead_tokens_only(app: Flask, db: Any, org: Any, clock: Any) -> None:
    from badger.integrators import retention
    from badger.maintenance import run

    client_id, secret = new_client(db, org)
    http = app.test_client()
    get_token(http, client_id, secret)
    clock.advance(days=8)
    live = get_token(http, client_id, secret)
    counts = run(db, retention.purges(clock.now))
    db.commit()
    assert counts == {"integrators.tokens": 1}
    assert [t.token_hash for t in db.scalars(select(IntegratorToken))] == [secret_hash(live)]


def test_token_endpoint_is_rate_limited_like_logins(app: Flask, db: Any, org: Any) -> None:
    app.config["BADGER_LOGIN_RATE_LIMIT"] = "3 per minute"
    client_id, secret = new_client(db, org)
    http = app.test_client()
    for _ in range(3):
        http.post(TOKEN_URL, data={"grant_type": "client_credentials"},
                  headers=basic(client_id, "guess"))
    response = http.post(TOKEN_URL, data={"grant_type": "client_credentials"},
                         headers=basic(client_id, secret))
    assert response.status_code == 429
    assert db.scalar(select(IntegratorToken.id)) is None
