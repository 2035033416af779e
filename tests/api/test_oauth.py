"""OAuth 2.0 for the Open Badges API: registration, consent with PKCE, tokens, revocation."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from badger.api.models import AccessToken, AuthorizationCode, OAuthClient, RefreshToken
from badger.audit import AuditEvent
from badger.ob3.schema import validate_status_info
from tests.api._helpers import (
    ALL,
    API,
    PROFILE_READ,
    READ,
    REDIRECT,
    Client,
    bearer,
    pkce,
    registration,
)
from tests.conftest import login_participant


def test_discovery_document(client: Any) -> None:
    r = client.get(f"{API}/discovery")
    assert r.status_code == 200
    assert "max-age" in r.headers["Cache-Control"]
    doc = r.get_json()
    assert doc["openapi"].startswith("3.0")
    info = doc["info"]
    for name in ("title", "termsOfService", "version", "x-imssf-privacyPolicyUrl"):
        assert info[name], name
    scheme = doc["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["type"] == "oauth2"
    assert scheme["x-imssf-registrationUrl"] == f"http://localhost{API}/oauth/register"
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"].endswith("/oauth/authorize")
    assert flow["tokenUrl"].endswith("/oauth/token")
    assert flow["refreshUrl"].endswith("/oauth/token")
    assert set(flow["scopes"]) == set(ALL.split())
    assert {"/credentials", "/profile", "/discovery"} <= set(doc["paths"])
    assert client.get(info["termsOfService"].removeprefix("http://localhost")).status_code == 200
    privacy = info["x-imssf-privacyPolicyUrl"].removeprefix("http://localhost")
    assert client.get(privacy).status_code == 200


def test_discovery_is_rate_limited(client: Any) -> None:
    statuses = [client.get(f"{API}/discovery").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


def test_registration_returns_credentials_and_stores_the_secret_hashed(
    app: Any, client: Any, db: Any
) -> None:
    r = client.post(f"{API}/oauth/register", json=registration(), csrf=False)
    assert r.status_code == 201
    body = r.get_json()
    assert body["client_secret_expires_at"] == 0
    assert isinstance(body["client_id_issued_at"], int)
    assert body["redirect_uris"] == [REDIRECT] and body["scope"] == ALL
    assert r.headers["Cache-Control"].startswith("no-store")
    row = db.execute(select(OAuthClient)).scalar_one()
    assert row.client_id == body["client_id"]
    assert body["client_secret"] not in row.secret_hash and len(row.secret_hash) == 64


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_name": None}, "invalid_client_metadata"),
        ({"redirect_uris": []}, "invalid_redirect_uri"),
        ({"redirect_uris": "https://wallet.example.org/cb"}, "invalid_redirect_uri"),
        ({"redirect_uris": ["http://wallet.example.org/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://elsewhere.example.com/cb"]}, "invalid_client_metadata"),
        ({"scope": "https://example.org/scope/everything"}, "invalid_client_metadata"),
        ({"grant_types": ["client_credentials"]}, "invalid_client_metadata"),
        ({"token_endpoint_auth_method": "none"}, "invalid_client_metadata"),
    ],
)
def test_registration_refuses_bad_metadata(
    client: Any, change: dict[str, Any], error: str
) -> None:
    body = registration()
    for k, v in change.items():
        if v is None:
            body.pop(k)
        else:
            body[k] = v
    r = client.post(f"{API}/oauth/register", json=body, csrf=False)
    assert r.status_code == 400
    assert r.get_json()["error"] == error
    assert r.get_json()["error_description"]


def test_registration_refuses_non_json(client: Any) -> None:
    r = client.post(f"{API}/oauth/register", data="nope", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_client_metadata"


def test_full_flow(app: Any, participant_client: Any, db: Any) -> None:
    wallet = Client.register(app)
    tokens = wallet.tokens(participant_client)
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["scope"] == ALL
    assert len(tokens["access_token"]) >= 22
    api = wallet.http
    r = api.get(f"{API}/credentials?limit=5", headers=bearer(tokens["access_token"]))
    assert r.status_code == 200
    assert r.headers["X-Total-Count"] == "0"
    assert 'rel="first"' in r.headers["Link"] and 'rel="last"' in r.headers["Link"]
    # the database never holds a token in clear
    stored = {t.token_hash for t in db.execute(select(AccessToken)).scalars()}
    assert tokens["access_token"] not in stored

    refreshed = wallet.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.get_data(as_text=True)
    assert refreshed.headers["Cache-Control"].startswith("no-store")
    new = refreshed.get_json()
    assert new["access_token"] != tokens["access_token"]
    assert api.get(f"{API}/profile", headers=bearer(new["access_token"])).status_code == 200
    # the old refresh token was rotated: replaying it fails and revokes the family
    replay = wallet.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert replay.status_code == 400 and replay.get_json()["error"] == "invalid_grant"
    assert api.get(f"{API}/profile", headers=bearer(new["access_token"])).status_code == 401


def test_revoke_then_401(app: Any, participant_client: Any) -> None:
    wallet = Client.register(app)
    tokens = wallet.tokens(participant_client)
    api = wallet.http
    headers = bearer(tokens["access_token"])
    assert api.get(f"{API}/credentials", headers=headers).status_code == 200
    r = api.post(
        f"{API}/oauth/revoke",
        data={"token": tokens["access_token"], "token_type_hint": "access_token"},
        headers={**wallet_basic(wallet)},
    )
    assert r.status_code == 200
    denied = api.get(f"{API}/credentials", headers=headers)
    assert denied.status_code == 401
    assert validate_status_info(denied.get_json()) == []
    assert "Bearer" in denied.headers["WWW-Authenticate"]
    # unknown tokens are accepted silently (RFC 7009)
    r = api.post(f"{API}/oauth/revoke", data={"token": "nope"}, headers=wallet_basic(wallet))
    assert r.status_code == 200
    # revoking the refresh token ends the refresh grant
    r = api.post(
        f"{API}/oauth/revoke",
        data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        headers=wallet_basic(wallet),
    )
    assert r.status_code == 200
    again = wallet.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert again.status_code == 400


def wallet_basic(wallet: Client) -> dict[str, str]:
    from tests.api._helpers import basic

    return basic(wallet.client_id, wallet.secret)


def test_token_requires_client_authentication(app: Any, participant_client: Any) -> None:
    wallet = Client.register(app)
    code, verifier = wallet.get_code(participant_client)
    r = wallet.http.post(
        f"{API}/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
              "redirect_uri": REDIRECT},
    )
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_client"
    wrong = Client(wallet.http, wallet.client_id, "wrong-secret")
    assert wrong.exchange(code, verifier).status_code == 401
    # another registered client cannot redeem this code
    other = Client.register(app)
    assert other.exchange(code, verifier).get_json()["error"] == "invalid_grant"
    assert wallet.exchange(code, verifier).status_code == 200


def test_pkce_wrong_verifier_refused(app: Any, participant_client: Any) -> None:
    """A wrong verifier gets invalid_grant and is audited, but does not burn the code (RFC 7636
    §4.6 asks for invalid_grant only; single use concerns a redeemed code — see
    ``badger.api.tokens.exchange_code``): the client's own right verifier still works, once."""
    from sqlalchemy import select

    from badger.audit import AuditEvent
    from badger.db import get_db

    wallet = Client.register(app)
    code, verifier = wallet.get_code(participant_client)
    other_verifier, _ = pkce()
    r = wallet.exchange(code, other_verifier)
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_grant"
    assert wallet.exchange(code, "short").status_code == 400
    with get_db(app).session() as db:
        events = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "api.code_verifier_mismatch")
        ).all()
    assert len(events) == 2
    assert wallet.exchange(code, verifier).status_code == 200
    again = wallet.exchange(code, verifier)  # redeemed: now it is dead
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_pkce_is_mandatory(app: Any, participant_client: Any) -> None:
    wallet = Client.register(app)
    _, challenge = pkce()
    for change in ({"code_challenge_method": "plain"}, {"code_challenge": ""}):
        params = wallet.authorize_params(challenge, **change)
        r = participant_client.get(f"{API}/oauth/authorize", query_string=params)
        assert r.status_code == 302
        query = parse_qs(urlsplit(r.headers["Location"]).query)
        assert query["error"] == ["invalid_request"]
        assert query["state"] == [params["state"]]


def test_code_reuse_refused_and_tokens_revoked(app: Any, participant_client: Any) -> None:
    wallet = Client.register(app)
    code, verifier = wallet.get_code(participant_client)
    first = wallet.exchange(code, verifier)
    assert first.status_code == 200
    access = first.get_json()["access_token"]
    assert wallet.http.get(f"{API}/credentials", headers=bearer(access)).status_code == 200
    second = wallet.exchange(code, verifier)
    assert second.status_code == 400 and second.get_json()["error"] == "invalid_grant"
    assert wallet.http.get(f"{API}/credentials", headers=bearer(access)).status_code == 401
    refresh = wallet.token(grant_type="refresh_token",
                           refresh_token=first.get_json()["refresh_token"])
    assert refresh.status_code == 400


def test_expired_code_refused(app: Any, participant_client: Any, db: Any) -> None:
    from datetime import timedelta

    from badger.db import utcnow

    wallet = Client.register(app)
    code, verifier = wallet.get_code(participant_client)
    row = db.execute(select(AuthorizationCode)).scalar_one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert wallet.exchange(code, verifier).get_json()["error"] == "invalid_grant"


def test_redirect_uri_mismatch_refused(app: Any, participant_client: Any) -> None:
    wallet = Client.register(app)
    _, challenge = pkce()
    params = wallet.authorize_params(challenge, redirect_uri="https://wallet.example.org/evil")
    r = participant_client.get(f"{API}/oauth/authorize", query_string=params)
    assert r.status_code == 400
    assert "Location" not in r.headers
    assert "ne correspond pas" in r.get_data(as_text=True)
    # the POST is checked the same way, so a forged form cannot get a code out either
    r = participant_client.post(f"{API}/oauth/authorize", data={**params, "decision": "allow"})
    assert r.status_code == 400
    # and the token request must repeat the exact redirect_uri of the code
    code, verifier = wallet.get_code(participant_client)
    r = wallet.token(grant_type="authorization_code", code=code, code_verifier=verifier,
                     redirect_uri=REDIRECT + "/x")
    assert r.get_json()["error"] == "invalid_grant"


def test_unknown_client_gets_an_error_page(participant_client: Any) -> None:
    _, challenge = pkce()
    r = participant_client.get(
        f"{API}/oauth/authorize",
        query_string={"client_id": "nope", "redirect_uri": REDIRECT, "response_type": "code",
                      "state": "s", "code_challenge": challenge, "code_challenge_method": "S256"},
    )
    assert r.status_code == 400 and "Location" not in r.headers


def test_state_is_required(app: Any, participant_client: Any) -> None:
    wallet = Client.register(app)
    _, challenge = pkce()
    params = wallet.authorize_params(challenge)
    params.pop("state")
    r = participant_client.get(f"{API}/oauth/authorize", query_string=params)
    assert r.status_code == 302
    assert parse_qs(urlsplit(r.headers["Location"]).query)["error"] == ["invalid_request"]


def test_consent_page_is_plain_and_refusal_redirects(app: Any, participant_client: Any) -> None:
    wallet = Client.register(app, client_name="Mon <b>Portefeuille</b>")
    _, challenge = pkce()
    params = wallet.authorize_params(challenge, scope=f"{READ} {PROFILE_READ} offline_access")
    page = participant_client.get(f"{API}/oauth/authorize", query_string=params)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Voir vos badges" in html and "Voir votre nom affiché" in html
    assert "Ajouter des badges" not in html
    assert "Mon &lt;b&gt;Portefeuille&lt;/b&gt;" in html
    assert "logo.png" not in html  # no remote image
    assert page.headers["Cache-Control"] == "no-store"
    r = participant_client.post(f"{API}/oauth/authorize", data={**params, "decision": "deny"})
    query = parse_qs(urlsplit(r.headers["Location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == [params["state"]]


def test_consent_requires_csrf(app: Any, participant_client: Any, db: Any) -> None:
    wallet = Client.register(app)
    _, challenge = pkce()
    params = wallet.authorize_params(challenge)
    r = participant_client.post(
        f"{API}/oauth/authorize", data={**params, "decision": "allow"}, csrf=False
    )
    assert r.status_code == 400
    assert db.execute(select(AuthorizationCode)).first() is None


def test_consent_needs_a_logged_in_participant(app: Any, client: Any, admin: Any) -> None:
    from tests.conftest import login_staff

    wallet = Client.register(app)
    _, challenge = pkce()
    params = wallet.authorize_params(challenge)
    r = client.get(f"{API}/oauth/authorize", query_string=params)
    assert r.status_code == 302 and "/code" in r.headers["Location"]
    login_staff(client, admin)
    assert client.get(f"{API}/oauth/authorize", query_string=params).status_code == 403


def test_scope_narrowing(app: Any, participant_client: Any) -> None:
    wallet = Client.register(app, scope=READ)
    _, challenge = pkce()
    params = wallet.authorize_params(challenge, scope=f"{READ} {PROFILE_READ}")
    r = participant_client.get(f"{API}/oauth/authorize", query_string=params)
    assert parse_qs(urlsplit(r.headers["Location"]).query)["error"] == ["invalid_scope"]
    tokens = wallet.tokens(participant_client, scope=READ)
    r = wallet.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"],
                     scope=f"{READ} {PROFILE_READ}")
    assert r.get_json()["error"] == "invalid_scope"


def test_connected_apps_page_and_disconnect(
    app: Any, participant_client: Any, db: Any
) -> None:
    wallet = Client.register(app, client_name="Portefeuille Exemple")
    tokens = wallet.tokens(participant_client)
    page = participant_client.get("/account/apps")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Portefeuille Exemple" in html and "Voir vos badges" in html
    assert "dernière utilisation" not in html
    used = wallet.http.get(f"{API}/credentials", headers=bearer(tokens["access_token"]))
    assert used.status_code == 200
    assert "dernière utilisation" in participant_client.get("/account/apps").get_data(as_text=True)
    r = participant_client.post("/account/apps/disconnect", data={"client_id": wallet.client_id})
    assert r.status_code == 302
    headers = bearer(tokens["access_token"])
    assert wallet.http.get(f"{API}/credentials", headers=headers).status_code == 401
    again = wallet.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert again.status_code == 400
    assert "Portefeuille Exemple" not in participant_client.get("/account/apps").get_data(
        as_text=True
    )
    assert all(t.revoked_at for t in db.execute(select(RefreshToken)).scalars())
    actions = [e.action for e in db.execute(select(AuditEvent)).scalars()]
    assert "api.consent" in actions and "api.disconnect" in actions


def test_disconnect_only_touches_own_tokens(
    app: Any, make: Any, org: Any, participant: Any
) -> None:
    wallet = Client.register(app)
    amina = app.test_client()
    login_participant(amina, make, participant)
    tokens = wallet.tokens(amina)
    other = app.test_client()
    # Same organisation: the closest neighbour (tokens are also filtered by organisation).
    login_participant(other, make, make.participant(org, "Other"))
    r = other.post("/account/apps/disconnect", data={"client_id": wallet.client_id})
    assert r.status_code == 302
    headers = bearer(tokens["access_token"])
    assert wallet.http.get(f"{API}/credentials", headers=headers).status_code == 200


def test_apps_page_is_for_participants(admin_client: Any, client: Any) -> None:
    assert admin_client.get("/account/apps").status_code == 403
