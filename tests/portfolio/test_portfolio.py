"""The participant's portfolio: downloads, LinkedIn link, public flag, charts, imports, export,
erasure."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from badger import urls
from badger.accounts.models import Participant
from badger.audit import AuditEvent
from badger.awards.models import Credential
from badger.ob3 import baking, verify_credential
from badger.portfolio.models import ImportedCredential, Share
from tests.conftest import login_participant
from tests.holders._helpers import own_test_badges
from tests.portfolio import _factory
from tests.verification import _creds


def test_index_lists_badges_with_downloads(participant_client: Any, creds: list[Any]) -> None:
    html = participant_client.get("/portfolio").get_data(as_text=True)
    for c in creds:
        assert c.achievement.name in html
        for fmt in ("png", "svg", "json", "jwt"):
            assert f"/portfolio/badges/{c.id}.{fmt}" in html
    assert "/portfolio/badges.zip" in html


def test_downloads_verify(app: Any, participant_client: Any, creds: list[Any]) -> None:
    from badger.resolver import app_resolver

    cred = creds[0]
    for fmt, mime in (
        ("json", "application/ld+json"),
        ("jwt", "application/jwt"),
        ("png", "image/png"),
        ("svg", "image/svg+xml"),
    ):
        response = participant_client.get(f"/portfolio/badges/{cred.id}.{fmt}")
        assert response.status_code == 200 and response.mimetype == mime
        assert "attachment" in response.headers["Content-Disposition"]
        data = response.get_data()
        if fmt in {"png", "svg"}:
            assert baking.unbake(data)
        with app.app_context():
            report = verify_credential(data, resolver=app_resolver(app))
        assert report.verified, (fmt, [c.to_dict() for c in report.checks if c.state != "passed"])


def test_zip_of_all(participant_client: Any, creds: list[Any]) -> None:
    response = participant_client.get("/portfolio/badges.zip")
    assert response.is_streamed  # written as it is sent, one credential at a time
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None  # every file's CRC checks out (sizes after each file)
    names = archive.namelist()
    assert len(names) == 8 and sum(n.endswith(".png") for n in names) == 2
    assert response.headers["Cache-Control"] == "private, no-store"


def test_linkedin_link_and_public_flag(
    app: Any, participant_client: Any, creds: list[Any], db: Any
) -> None:
    cred = creds[0]
    html = participant_client.get("/portfolio").get_data(as_text=True)
    assert "linkedin.com" not in html  # offered once the badge answers at its address
    assert app.test_client().get(f"/credentials/{cred.uuid}").status_code in {404, 410}
    response = participant_client.post(f"/portfolio/badges/{cred.id}/public", data={"public": "1"})
    assert response.status_code == 302
    db.refresh(cred)
    assert cred.public
    html = participant_client.get("/portfolio").get_data(as_text=True)
    url = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', html).group(1)
    query = parse_qs(urlsplit(url.replace("&amp;", "&")).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == [cred.achievement.name]
    assert query["organizationName"] == ["Organisation A"]
    assert query["certId"] == [cred.uuid]
    assert query["certUrl"][0].endswith(f"/credentials/{cred.uuid}")
    assert query["issueYear"][0].isdigit() and query["issueMonth"][0].isdigit()
    # a plain link: no LinkedIn script (every script is the site's own)
    assert all(src.startswith("/static/")
               for src in re.findall(r'<script[^>]*\ssrc="([^"]+)"', html))
    assert not re.search(r"<script[^>]*>[^<]*linkedin", html)
    assert app.test_client().get(f"/credentials/{cred.uuid}").status_code == 200
    participant_client.post(f"/portfolio/badges/{cred.id}/public", data={"public": "0"})
    db.refresh(cred)
    assert not cred.public


def test_chart_can_be_shared_with_how_to_read(
    app: Any, participant_client: Any, db: Any, org: Any, admin: Any, coach: Any, participant: Any
) -> None:
    version = _factory.adopted_version(db, org, admin)
    rnd = _factory.chart_round(db, org, participant, coach, version)
    response = participant_client.post(
        "/portfolio/shares", data={"label": "chart", "days": "7", "chart": [str(rnd.id)]}
    )
    assert response.status_code == 302
    html = participant_client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'<code id="share-link">([^<]+)</code>', html).group(1)
    page = app.test_client().get("/" + link.split("/", 3)[3]).get_data(as_text=True)
    assert "<svg" in page and "Comment lire ce graphique" in page
    assert "Ponctualité" in page
    assert "Graphique radar — Entrée" in page and "— entry" not in page
    index = participant_client.get("/portfolio").get_data(as_text=True)
    assert f"/journeys/{rnd.journey_id}/progress" in index
    assert "Entrée" in index


def test_private_chart_cannot_be_shared(
    participant_client: Any, db: Any, org: Any, admin: Any, coach: Any, participant: Any
) -> None:
    from badger import grids

    version = _factory.adopted_version(db, org, admin)
    rnd = _factory.chart_round(db, org, participant, coach, version)
    grids.set_chart_in_portfolio(db, rnd, participant, False)
    db.commit()
    response = participant_client.post(
        "/portfolio/shares", data={"label": "chart", "days": "7", "chart": [str(rnd.id)]}
    )
    assert response.status_code == 404


def _upload(client: Any, data: bytes, name: str) -> Any:
    return client.post(
        "/portfolio/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_import_foreign_credential_kept_as_received(
    app: Any, participant_client: Any, participant: Any, db: Any
) -> None:
    app.extensions["badger.web_resolver"] = _creds.resolver()
    own_test_badges(db, participant)
    raw = json.dumps(_creds.did_key_credential(), indent=1).encode()
    response = _upload(participant_client, raw, "other.json")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    imp = db.execute(select(ImportedCredential)).scalar_one()
    assert bytes(imp.raw) == raw and imp.format == "json"
    assert imp.issuer_name == "Association Passerelles" and imp.last_state == "verified"
    assert imp.issuer_id.startswith("did:key:")
    html = participant_client.get("/portfolio").get_data(as_text=True)
    assert "délivré par Association Passerelles" in html
    assert participant_client.get(f"/portfolio/imports/{imp.id}/file").get_data() == raw
    # shared, it shows as received from another organisation, verified live
    response = participant_client.post(
        "/portfolio/shares", data={"label": "x", "days": "7", "imported": [str(imp.id)]}
    )
    html = participant_client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'<code id="share-link">([^<]+)</code>', html).group(1)
    page = app.test_client().get("/" + link.split("/", 3)[3]).get_data(as_text=True)
    assert (
        "badge reçu d&#39;un autre organisme" in page or "badge reçu d'un autre organisme" in page
    )
    assert "Badge authentique" in page
    participant_client.post(f"/portfolio/imports/{imp.id}/delete")
    assert db.scalar(select(func.count()).select_from(ImportedCredential)) == 0


def test_import_baked_png_and_refusals(
    app: Any, participant_client: Any, participant: Any, db: Any
) -> None:
    from tests.verification.test_verify import PNG_1PX

    app.extensions["badger.web_resolver"] = _creds.resolver()
    own_test_badges(db, participant)
    baked = baking.bake(PNG_1PX, json.dumps(_creds.good()))
    assert _upload(participant_client, baked, "b.png").status_code == 302
    assert db.execute(select(ImportedCredential)).scalar_one().format == "png"
    assert (
        _upload(participant_client, json.dumps(_creds.tampered()).encode(), "t.json").status_code
        == 422
    )
    assert _upload(participant_client, b"MZ\x00\x01", "x.exe").status_code == 415
    assert _upload(participant_client, b"{not json", "x.json").status_code == 422
    assert db.scalar(select(func.count()).select_from(ImportedCredential)) == 1


def test_export_contains_everything(participant_client: Any, creds: list[Any]) -> None:
    participant_client.post(
        "/portfolio/shares", data={"label": "x", "days": "7", "credential": [str(creds[0].id)]}
    )
    response = participant_client.get("/portfolio/export")
    zf = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = set(zf.namelist())
    assert {"profile.json", "badges.json", "shares.json", "grids.json"} <= names
    assert json.loads(zf.read("profile.json"))["display_name"] == "Amina"
    assert len(json.loads(zf.read("badges.json"))) == 2
    assert sum(n.startswith("credentials/") for n in names) == 8


def test_erase_revokes_then_deletes(
    app: Any, participant_client: Any, participant: Any, creds: list[Any], db: Any
) -> None:
    from badger.resolver import app_resolver

    signed = [c.signed_json for c in creds]
    participant_client.post(
        "/portfolio/shares", data={"label": "x", "days": "7", "credential": [str(creds[0].id)]}
    )
    response = participant_client.post("/portfolio/erase", data={"confirm": "non"})
    assert response.status_code == 422
    response = participant_client.post("/portfolio/erase", data={"confirm": "effacer"})
    assert response.status_code == 302
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Participant)) == 0
    assert db.scalar(select(func.count()).select_from(Credential)) == 0
    assert db.scalar(select(func.count()).select_from(Share)) == 0
    # copies already handed out now verify as revoked
    with app.app_context():
        for text in signed:
            report = verify_credential(json.loads(text), resolver=app_resolver(app))
            assert report.check("status").code == "revoked"
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "participant.erase")).all()
    assert len(events) == 1
    assert "Amina" not in json.dumps(events[0].details)
    assert participant_client.get("/portfolio").status_code in {302, 401}


def test_participant_of_other_org_gets_404(
    app: Any, make: Any, db: Any, admin: Any, org: Any, creds: list[Any]
) -> None:
    org_b = make.organisation("org-b", "Organisation B")
    other = make.participant(org_b, "Zoé")
    client = app.test_client()
    login_participant(client, make, other)
    cred = creds[0]
    assert client.get(f"/portfolio/badges/{cred.id}.json").status_code == 404
    assert (
        client.post(f"/portfolio/badges/{cred.id}/public", data={"public": "1"}).status_code == 404
    )
    response = client.post(
        "/portfolio/shares", data={"label": "x", "days": "7", "credential": [str(cred.id)]}
    )
    assert response.status_code == 404


def test_english(participant_client: Any, creds: list[Any]) -> None:
    participant_client.post("/language", data={"lang": "en", "next": "/portfolio"})
    response = participant_client.get("/portfolio")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="en" dir="ltr">' in page


def test_verify_page_accepts_our_public_credential_url(
    app: Any, participant_client: Any, creds: list[Any], db: Any
) -> None:

    cred = creds[0]
    participant_client.post(f"/portfolio/badges/{cred.id}/public", data={"public": "1"})
    with app.test_request_context():
        url = urls.credential_url(cred.uuid)
    anon = app.test_client()
    response = anon.post("/verify", data={"url": url}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:2000]
    assert "Badge authentique" in html


def test_linkedin_cert_url_opens_a_page_for_a_person(
    app: Any, participant_client: Any, creds: list[Any], db: Any
) -> None:
    """LinkedIn's "see credential" link is the credential's id: a browser gets the badge
    verified in plain words (French or English), a verifier still gets the signed document."""
    cred = creds[0]
    participant_client.post(f"/portfolio/badges/{cred.id}/public", data={"public": "1"})
    visitor = app.test_client()
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = visitor.get(f"/credentials/{cred.uuid}", headers=browser)
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Badge authentique" in html and cred.achievement.name in html
    assert "Organisation A" in html and "noindex" in page.headers["X-Robots-Tag"]
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in page.headers["Vary"].split(",")}
    english = visitor.get(
        f"/credentials/{cred.uuid}", headers={**browser, "Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "Badge authentique" not in english and "genuine" in english.lower()
    machine = visitor.get(f"/credentials/{cred.uuid}", headers={"Accept": "application/json"})
    assert machine.mimetype == "application/vc+ld+json"
    assert json.loads(machine.get_data())["id"].endswith(cred.uuid)
    assert visitor.get(f"/credentials/{cred.uuid}").mimetype == "application/vc+ld+json"
    # stopped sharing: no page either
    participant_client.post(f"/portfolio/badges/{cred.id}/public", data={"public": "0"})
    assert visitor.get(f"/credentials/{cred.uuid}", headers=browser).status_code == 404
