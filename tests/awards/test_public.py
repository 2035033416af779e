"""Public issuer endpoints: no login, cacheable, content negotiation, CORS."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from badger import awards
from badger.awards.models import Credential
from badger.ob3 import dids
from tests.conftest import login_staff


def _issue(db: Any, org: Any, coach: Any, achievement: Any, make: Any) -> Any:
    person = make.participant(org, "Hugo", email="hugo@example.org")
    row = awards.award_many(db, org, achievement,
                             [awards.AwardRequest(participant_id=person.id)], actor=coach)[0]
    db.commit()
    return row.credential


def test_issuer_profile_negotiation(client: Any, org: Any, achievement: Any) -> None:
    r = client.get("/issuers/org-a")
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    doc = r.get_json(force=True)
    assert doc["id"] == "http://localhost/issuers/org-a" and doc["type"] == ["Profile"]
    vm, plain = doc["verificationMethod"]  # the key before 0014 (#fragment) and since (own URL)
    assert vm["controller"] == doc["id"] and vm["id"] == f"{doc['id']}#{vm['publicKeyMultibase']}"
    assert plain["controller"] == doc["id"] and plain["id"].startswith(doc["id"] + "/multikeys/")
    assert plain["publicKeyMultibase"] == vm["publicKeyMultibase"]
    assert doc["assertionMethod"] == [vm["id"], plain["id"]]
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in r.headers["Cache-Control"] and r.headers["ETag"]
    assert client.get("/issuers/org-a", headers={"If-None-Match": r.headers["ETag"]}
                      ).status_code == 304
    html = client.get("/issuers/org-a", headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.mimetype == "text/html" and "Organisation A" in html.get_data(as_text=True)
    assert client.get("/issuers/nope").status_code == 404


def test_did_web_and_jwks(client: Any, org: Any, achievement: Any) -> None:
    did = client.get("/issuers/org-a/did.json").get_json(force=True)
    assert did["id"] == "did:web:localhost:issuers:org-a"
    assert dids.did_web_to_url(did["id"]) == "https://localhost/issuers/org-a/did.json"
    assert did["assertionMethod"][0].startswith(did["id"] + "#z")
    jwks = client.get("/issuers/org-a/jwks.json")
    assert jwks.mimetype == "application/jwk-set+json"
    keys = jwks.get_json(force=True)["keys"]
    assert {k["kty"] for k in keys} == {"OKP", "RSA"}
    assert all(k["iss"] == "http://localhost/issuers/org-a" and "d" not in k for k in keys)
    rsa = next(k for k in keys if k["kty"] == "RSA")
    one = client.get(rsa["kid"].removeprefix("http://localhost"))
    assert one.status_code == 200 and one.get_json(force=True)["n"] == rsa["n"]
    assert client.get("/issuers/org-a/keys/unknown").status_code == 404
    all_keys = client.get("/.well-known/jwks.json").get_json(force=True)["keys"]
    assert {k["kid"] for k in keys} <= {k["kid"] for k in all_keys}


def test_achievement_json_and_page(client: Any, achievement: Any) -> None:
    url = f"/achievements/{achievement.uuid}"
    doc = client.get(url).get_json(force=True)
    assert doc["id"] == f"http://localhost{url}" and doc["type"] == ["Achievement"]
    assert doc["@context"][1].endswith("context-3.0.3.json")
    kinds = [a["targetType"] for a in doc["alignment"]]
    assert kinds == ["CFItem", "CFRubricCriterionLevel"]
    rubric = doc["resultDescription"][0]
    assert [lv["level"] for lv in rubric["rubricCriterionLevel"]] == [str(s) for s in range(6)]
    assert rubric["requiredLevel"].endswith("#level-3")
    assert doc["image"]["caption"]
    page = client.get(url, headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and achievement.name in page.get_data(as_text=True)
    png = client.get(f"{url}/image.png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    svg = client.get(f"{url}/image.svg")
    assert b"<svg" in svg.data and b"<script" not in svg.data
    assert client.get("/achievements/00000000-0000-0000-0000-000000000000").status_code == 404


def test_status_list_caching(app: Any, db: Any, client: Any, make: Any, org: Any, coach: Any,
                             admin: Any, achievement: Any) -> None:
    cred = _issue(db, org, coach, achievement, make)
    r = client.get("/status/org-a/revocation/1")
    assert r.status_code == 200 and r.mimetype == "application/vc+ld+json"
    assert "max-age=60" in r.headers["Cache-Control"] and r.headers["ETag"]
    doc = r.get_json(force=True)
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert doc["issuer"] == "http://localhost/issuers/org-a"
    etag = r.headers["ETag"]
    assert client.get("/status/org-a/revocation/1",
                      headers={"If-None-Match": etag}).status_code == 304
    login_staff(client, admin)
    client.post(f"/admin/credentials/{cred.id}/revoke", data={"reason": "Erreur"})
    r2 = client.get("/status/org-a/revocation/1", headers={"If-None-Match": etag})
    assert r2.status_code == 200 and r2.headers["ETag"] != etag
    assert client.get("/status/org-a/revocation/2").status_code == 404
    assert client.get("/status/org-a/suspension/1").status_code == 404


def test_credential_url_only_when_public(app: Any, db: Any, client: Any, make: Any, org: Any,
                                         coach: Any, achievement: Any) -> None:
    cred = _issue(db, org, coach, achievement, make)
    url = f"/credentials/{cred.uuid}"
    r = client.get(url)
    assert r.status_code == 404 and r.is_json
    db.execute(Credential.__table__.update().values(public=True))
    db.commit()
    r = client.get(url)
    assert r.status_code == 200 and r.mimetype == "application/vc+ld+json"
    assert json.loads(r.data)["id"] == f"http://localhost{url}"
    jwt = client.get(url, headers={"Accept": "text/plain"})
    assert jwt.mimetype == "text/plain" and jwt.data.count(b".") == 2
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_public_endpoints_ignore_login_scope(app: Any, db: Any, make: Any, achievement: Any
                                             ) -> None:
    other = make.organisation("org-q")
    someone = make.staff(other, "admin")
    client = app.test_client()
    login_staff(client, someone)
    assert client.get(f"/achievements/{achievement.uuid}").status_code == 200
    assert client.get("/issuers/org-a").status_code == 200
    assert db.scalars(select(Credential)).all() == []
