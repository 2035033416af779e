"""Resource endpoints of the Open Badges API: credentials (paging, upsert) and profile."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from badger.api import secret_hash
from badger.api.models import AccessToken
from badger.ob3.schema import (
    validate_get_credentials_response,
    validate_profile,
    validate_status_info,
)
from badger.portfolio.models import ImportedCredential
from tests.api._helpers import (
    API,
    PROFILE_READ,
    PROFILE_UPDATE,
    READ,
    UPSERT,
    Client,
    bearer,
    clone,
    jwt_credential,
    signed_credential,
    use_resolver,
)
from tests.conftest import login_participant
from tests.holders._helpers import own_test_badges
from tests.portfolio import _factory as portfolio


def _imsx(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert validate_status_info(body) == [], body
    return dict(body)


@pytest.fixture
def wallet(app: Any) -> Client:
    use_resolver(app)
    return Client.register(app)


@pytest.fixture
def token(wallet: Client, participant_client: Any, db: Any, participant: Any) -> str:
    own_test_badges(db, participant)  # the test credentials are issued to this participant
    return str(wallet.tokens(participant_client)["access_token"])


def _push(wallet: Client, token: str, body: Any, content_type: str = "application/json") -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return wallet.http.post(
        f"{API}/credentials", data=data, content_type=content_type, headers=bearer(token)
    )


def test_upsert_create_then_replace(wallet: Client, token: str, db: Any) -> None:
    doc = signed_credential(1)
    r = _push(wallet, token, doc, "application/vc+ld+json")
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.mimetype == "application/vc+ld+json"
    assert r.get_json() == doc
    newer = signed_credential(1, valid_from="2025-03-01T00:00:00Z")
    r = _push(wallet, token, newer)
    assert r.status_code == 200 and r.get_json() == newer
    rows = db.execute(select(ImportedCredential)).scalars().all()
    assert len(rows) == 1 and rows[0].last_state == "verified"
    listed = wallet.http.get(f"{API}/credentials", headers=bearer(token)).get_json()
    assert listed["credential"] == [newer]
    # an older version does not overwrite the newer one (FACTS §10), and is not an error
    assert _push(wallet, token, doc).status_code == 200
    listed = wallet.http.get(f"{API}/credentials", headers=bearer(token)).get_json()
    assert listed["credential"] == [newer]


def test_upsert_equality_ignores_percent_encoding_and_spaces(wallet: Client, token: str) -> None:
    from tests.ob3._factory import ISSUER_ID, credential, key, sign, vm

    doc = credential()
    doc["id"] = "https://badges.example.fr/credentials/caf%C3%A9"
    assert _push(wallet, token, sign(doc, key(), vm())).status_code == 201
    doc["id"] = "https://badges.example.fr/credentials/café"
    doc["issuer"]["id"] = ISSUER_ID
    assert _push(wallet, token, sign(doc, key(), vm())).status_code == 200


def test_equality_normalisation() -> None:
    from badger.api import normalise_id

    assert normalise_id("  urn:uuid:1%20a \n") == "urn:uuid:1 a"


def test_upsert_compact_jws(wallet: Client, token: str, db: Any) -> None:
    jws = jwt_credential()
    r = _push(wallet, token, jws, "text/plain")
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.mimetype == "text/plain" and r.get_data(as_text=True) == jws
    assert _push(wallet, token, jws, "text/plain").status_code == 200
    body = wallet.http.get(f"{API}/credentials", headers=bearer(token)).get_json()
    assert body == {"credential": [], "compactJwsString": [jws]}
    assert validate_get_credentials_response(body) == []


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('{"id": "urn:uuid:1"}', "application/json", 400),
        ("not.a.jws!", "text/plain", 400),
        ("<xml/>", "application/xml", 415),
    ],
)
def test_upsert_bad_bodies(
    wallet: Client, token: str, db: Any, body: str, content_type: str, status: int
) -> None:
    _imsx(_push(wallet, token, body, content_type), status)
    assert db.execute(select(ImportedCredential)).first() is None


def test_upsert_refuses_a_tampered_credential(wallet: Client, token: str, db: Any) -> None:
    doc = clone(signed_credential(2))
    doc["credentialSubject"]["achievement"]["name"] = "Directeur général"
    body = _imsx(_push(wallet, token, doc), 400)
    assert "proof" in body["imsx_description"]
    assert db.execute(select(ImportedCredential)).first() is None


def test_upsert_body_size_limit(wallet: Client, token: str) -> None:
    huge = json.dumps({"x": "a" * (3 * 1024 * 1024)})
    _imsx(_push(wallet, token, huge), 413)
    _imsx(_push(wallet, token, "a" * (3 * 1024 * 1024), "text/plain"), 413)
    big_profile = json.dumps({"name": "a" * (100 * 1024)})
    r = wallet.http.put(f"{API}/profile", data=big_profile, content_type="application/json",
                        headers=bearer(token))
    _imsx(r, 413)


def test_list_paging_headers_and_schema(wallet: Client, token: str) -> None:
    for n in range(5):
        assert _push(wallet, token, signed_credential(10 + n)).status_code == 201
    api = wallet.http
    r = api.get(f"{API}/credentials?limit=2", headers=bearer(token))
    assert r.status_code == 200
    body = r.get_json()
    assert validate_get_credentials_response(body) == []
    assert len(body["credential"]) == 2
    assert r.headers["X-Total-Count"] == "5"
    link = r.headers["Link"]
    assert 'offset=0>; rel="first"' in link
    assert 'offset=2>; rel="next"' in link
    assert 'offset=4>; rel="last"' in link
    assert 'rel="prev"' not in link
    r = api.get(f"{API}/credentials?limit=2&offset=2", headers=bearer(token))
    assert 'offset=0>; rel="prev"' in r.headers["Link"]
    r = api.get(f"{API}/credentials?limit=2&offset=4", headers=bearer(token))
    assert len(r.get_json()["credential"]) == 1
    assert 'rel="next"' not in r.headers["Link"]
    seen = [
        c["id"]
        for off in (0, 2, 4)
        for c in api.get(f"{API}/credentials?limit=2&offset={off}", headers=bearer(token))
        .get_json()["credential"]
    ]
    assert len(set(seen)) == 5
    r = api.get(f"{API}/credentials?since=2999-01-01T00:00:00Z", headers=bearer(token))
    assert r.get_json()["credential"] == [] and r.headers["X-Total-Count"] == "0"
    since = "2000-01-01T02:00:00+02:00"
    r = api.get(f"{API}/credentials", query_string={"since": since, "limit": 2},
                headers=bearer(token))
    assert r.headers["X-Total-Count"] == "5"
    assert "since=2000-01-01T02%3A00%3A00%2B02%3A00" in r.headers["Link"]


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=-1", "limit=abc", "offset=-1", "offset=1.5", "since=yesterday",
     "since=2025-01-01T00:00:00"],
)
def test_list_bad_paging(wallet: Client, token: str, query: str) -> None:
    r = wallet.http.get(f"{API}/credentials?{query}", headers=bearer(token))
    body = _imsx(r, 400)
    minor = body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
    assert minor == "invalid_query_parameter"


def test_issued_credentials_are_listed_in_both_forms(
    app: Any, db: Any, org: Any, admin: Any, participant: Any, wallet: Client, token: str
) -> None:
    creds = portfolio.badges(db, org, admin, participant, n=2)
    body = wallet.http.get(f"{API}/credentials", headers=bearer(token)).get_json()
    assert validate_get_credentials_response(body) == []
    assert {c["id"] for c in body["credential"]} == {
        json.loads(c.signed_json)["id"] for c in creds
    }
    assert set(body["compactJwsString"]) == {c.signed_jwt for c in creds}
    # pushing back one of its own issued badges does not duplicate it
    r = _push(wallet, token, json.loads(creds[0].signed_json))
    assert r.status_code == 200
    again = wallet.http.get(f"{API}/credentials", headers=bearer(token))
    assert again.headers["X-Total-Count"] == "2"


def test_another_participants_credentials_are_never_returned(
    app: Any, db: Any, make: Any, org: Any, admin: Any, participant: Any, wallet: Client,
    token: str,
) -> None:
    neighbour = make.participant(org, "Voisin")
    portfolio.badges(db, org, admin, neighbour, n=1)
    org_b = make.organisation("org-b", "Organisation B")
    admin_b = make.staff(org_b, "admin")
    stranger = make.participant(org_b, "Ailleurs")
    portfolio.badges(db, org_b, admin_b, stranger, n=1)
    # the neighbour connects the same app and pushes a badge
    browser = app.test_client()
    login_participant(browser, make, neighbour)
    neighbour_token = wallet.tokens(browser)["access_token"]
    # Amina's badge pushed into the neighbour's portfolio: not theirs, refused (badger.holders)
    r = _push(wallet, neighbour_token, signed_credential(40))
    assert r.status_code == 400 and "identité" in r.get_data(as_text=True)

    r = wallet.http.get(f"{API}/credentials", headers=bearer(token))
    assert r.get_json() == {"credential": [], "compactJwsString": []}
    assert r.headers["X-Total-Count"] == "0"
    # the same credential pushed by Amina is hers
    assert _push(wallet, token, signed_credential(40)).status_code == 201
    mine = wallet.http.get(f"{API}/credentials", headers=bearer(token)).get_json()
    assert len(mine["credential"]) == 1
    theirs = wallet.http.get(f"{API}/credentials", headers=bearer(neighbour_token)).get_json()
    assert len(theirs["credential"]) == 1 and len(theirs["compactJwsString"]) == 1


def test_missing_and_insufficient_scope(app: Any, participant_client: Any) -> None:
    use_resolver(app)
    wallet = Client.register(app)
    token = wallet.tokens(participant_client, scope=READ)["access_token"]
    api = wallet.http
    _imsx(api.get(f"{API}/credentials"), 401)
    _imsx(api.get(f"{API}/credentials", headers=bearer("not-a-token")), 401)
    _imsx(api.get(f"{API}/credentials", headers={"Authorization": f"Basic {token}"}), 401)
    r = api.post(f"{API}/credentials", json=signed_credential(), headers=bearer(token))
    body = _imsx(r, 403)
    assert body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == (
        "forbidden"
    )
    assert 'error="insufficient_scope"' in r.headers["WWW-Authenticate"]
    _imsx(api.get(f"{API}/profile", headers=bearer(token)), 403)
    _imsx(api.put(f"{API}/profile", json={}, headers=bearer(token)), 403)
    assert api.get(f"{API}/credentials", headers=bearer(token)).status_code == 200


def test_profile_read_and_update(app: Any, participant_client: Any, participant: Any,
                                 db: Any) -> None:
    wallet = Client.register(app)
    token = wallet.tokens(participant_client, scope=f"{PROFILE_READ} {PROFILE_UPDATE}")[
        "access_token"
    ]
    api = wallet.http
    r = api.get(f"{API}/profile", headers=bearer(token))
    assert r.status_code == 200
    prof = r.get_json()
    assert validate_profile(prof) == []
    assert prof["type"] == ["Profile"] and prof["name"] == "Amina"
    assert prof["id"].startswith("urn:uuid:") and "@" not in prof["id"]
    assert api.get(f"{API}/profile", headers=bearer(token)).get_json()["id"] == prof["id"]

    changed = {**prof, "name": "  Amina   B. "}
    r = api.put(f"{API}/profile", json=changed, headers=bearer(token))
    assert r.status_code == 200 and r.get_json()["name"] == "Amina B."
    db.expire_all()
    assert db.get(type(participant), participant.id).display_name == "Amina B."


@pytest.mark.parametrize(
    "change",
    [
        {"email": "amina@example.org"},
        {"name": ""},
        {"name": 12},
        {"id": "urn:uuid:00000000-0000-4000-8000-000000000000"},
        {"type": ["Organization"]},
        {"description": "hello"},
    ],
)
def test_profile_update_refuses_other_changes(
    app: Any, participant_client: Any, change: dict[str, Any]
) -> None:
    wallet = Client.register(app)
    token = wallet.tokens(participant_client, scope=f"{PROFILE_READ} {PROFILE_UPDATE}")[
        "access_token"
    ]
    prof = wallet.http.get(f"{API}/profile", headers=bearer(token)).get_json()
    r = wallet.http.put(f"{API}/profile", json={**prof, **change}, headers=bearer(token))
    _imsx(r, 400)
    assert wallet.http.get(f"{API}/profile", headers=bearer(token)).get_json()["name"] == "Amina"


def test_profile_update_refuses_non_json(app: Any, participant_client: Any) -> None:
    wallet = Client.register(app)
    token = wallet.tokens(participant_client, scope=PROFILE_UPDATE)["access_token"]
    r = wallet.http.put(f"{API}/profile", data="name=x", headers=bearer(token),
                        content_type="application/x-www-form-urlencoded")
    _imsx(r, 415)
    r = wallet.http.put(f"{API}/profile", data="[", headers=bearer(token),
                        content_type="application/json")
    _imsx(r, 400)


def test_unknown_method_is_imsx(wallet: Client, token: str, client: Any) -> None:
    _imsx(wallet.http.delete(f"{API}/credentials", headers=bearer(token)), 405)
    # elsewhere a 405 keeps the usual page
    r = client.get("/logout", headers={"Accept": "text/html"})
    assert r.status_code == 405 and r.mimetype == "text/html"


def test_browser_wallets_may_call_cross_origin(wallet: Client, token: str) -> None:
    r = wallet.http.options(f"{API}/credentials", headers={
        "Origin": "https://wallet.example.org",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    })
    assert r.status_code == 200
    assert "Authorization" in r.headers["Access-Control-Allow-Headers"]
    r = wallet.http.get(f"{API}/credentials", headers=bearer(token))
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Total-Count" in r.headers["Access-Control-Expose-Headers"]


def test_upsert_scope_alone_cannot_read(
    app: Any, participant_client: Any, db: Any, participant: Any
) -> None:
    use_resolver(app)
    own_test_badges(db, participant)
    wallet = Client.register(app)
    token = wallet.tokens(participant_client, scope=UPSERT)["access_token"]
    assert _push(wallet, token, signed_credential(7)).status_code == 201
    _imsx(wallet.http.get(f"{API}/credentials", headers=bearer(token)), 403)


def test_a_token_use_is_noted_even_when_the_request_is_refused(
    wallet: Client, token: str, db: Any
) -> None:
    """The "connected apps" page shows when an app last used its token: a refused upsert is a
    use too, so the note survives the request's rollback (written in a session of its own)."""
    _imsx(_push(wallet, token, "{not json"), 400)
    db.expire_all()
    row = db.execute(
        select(AccessToken).where(AccessToken.token_hash == secret_hash(token))
    ).scalar_one()
    assert row.last_used_at is not None
    assert db.execute(select(ImportedCredential)).first() is None
