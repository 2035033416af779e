"""Shares as consent: create, open anonymously, live verification, revoke, expiry, view log."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from badger import awards
from badger.db import utcnow
from badger.portfolio.models import Share, ShareView
from tests.conftest import login_participant


def create_share(
    client: Any, creds: list[Any], label: str = "entretien boulangerie", **kw: Any
) -> str:
    data = {"label": label, "days": "30", "credential": [str(c.id) for c in creds], **kw}
    response = client.post("/portfolio/shares", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    detail = client.get(response.headers["Location"])
    html = detail.get_data(as_text=True)
    match = re.search(r'<code id="share-link">([^<]+)</code>', html)
    assert match, html[:3000]
    return match.group(1)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_share_then_anonymous_sees_verified_badges(
    app: Any, participant_client: Any, creds: list[Any], db: Any
) -> None:
    link = create_share(participant_client, creds)
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 22  # ≥ 128 bits
    row = db.execute(select(Share)).scalar_one()
    assert token not in row.token_hash and len(row.token_hash) == 64  # only a keyed hash

    anon = app.test_client()
    response = anon.get(path_of(link))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("Badge authentique") == 2, html[:5000]
    assert creds[0].achievement.name in html and "Organisation A" in html
    assert "Savoir-être (test)" in html and "version 2.1" in html
    assert "4 sur 5" in html
    assert "Fiabilité" in html and "faire preuve de fiabilité" in html  # recruiter words
    assert "Valable" in html
    assert 'name="robots" content="noindex' in html
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "private, no-cache"  # revalidated every time
    assert response.headers["ETag"]
    assert "Amina" not in html  # the name is shown only when chosen
    # no third-party assets: every src/href to a resource is local
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert (
            not url.startswith(("http://", "https://", "//"))
            or url.startswith(("http://localhost", "https://www.w3.org"))
            or "europa.eu" in url
        ), url
    assert "<script" not in html.split("</main>")[0]


def test_share_shows_only_chosen_items(app: Any, participant_client: Any, creds: list[Any]) -> None:
    link = create_share(participant_client, creds[:1])
    html = app.test_client().get(path_of(link)).get_data(as_text=True)
    assert creds[0].achievement.name in html
    assert creds[1].achievement.name not in html


def test_revoked_link_is_410_neutral(
    app: Any, participant_client: Any, creds: list[Any], db: Any
) -> None:
    link = create_share(participant_client, creds)
    share = db.execute(select(Share)).scalar_one()
    response = participant_client.post(f"/portfolio/shares/{share.id}/revoke")
    assert response.status_code == 302
    anon = app.test_client()
    response = anon.get(path_of(link))
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert creds[0].achievement.name not in html and "Amina" not in html
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert anon.get(path_of(link) + "/cv").status_code == 410


def test_expired_link_is_410(app: Any, participant_client: Any, creds: list[Any], db: Any) -> None:
    link = create_share(participant_client, creds)
    share = db.execute(select(Share)).scalar_one()
    share.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert app.test_client().get(path_of(link)).status_code == 410


def test_unknown_and_malformed_tokens_are_404(app: Any, creds: list[Any]) -> None:
    anon = app.test_client()
    assert anon.get("/s/" + "A" * 32).status_code == 404
    assert anon.get("/s/short").status_code == 404


def _open(app: Any, link: str, agent: str, address: str = "198.51.100.7") -> None:
    response = app.test_client().get(
        path_of(link), headers={"User-Agent": agent}, environ_overrides={"REMOTE_ADDR": address}
    )
    assert response.status_code == 200


def test_view_log_counts_without_tracking(
    app: Any, participant_client: Any, creds: list[Any], db: Any
) -> None:
    link = create_share(participant_client, creds)
    for _ in range(3):  # one visitor coming back the same day counts once
        _open(app, link, "Recruiter/1.0")
    _open(app, link, "Recruiter/1.0", address="203.0.113.20")  # another visitor
    _open(app, link, "Other/2.0")  # another browser
    share = db.execute(select(Share)).scalar_one()
    assert db.scalar(select(func.count()).select_from(ShareView)) == 3
    assert set(ShareView.__table__.columns.keys()) == {"id", "share_id", "viewed_at"}
    html = participant_client.get("/portfolio/shares").get_data(as_text=True)
    assert "Ouvert 3 fois" in html
    html = participant_client.get(f"/portfolio/shares/{share.id}").get_data(as_text=True)
    assert "Quand le lien a été ouvert" in html
    assert "Recruiter" not in html


def test_repeated_views_count_again_the_next_day_and_nothing_identifies_the_visitor(
    app: Any, participant_client: Any, creds: list[Any], db: Any
) -> None:
    from datetime import date

    from badger import portfolio

    days = [date(2026, 11, 26)]
    dedup = portfolio.view_deduplicator(app)
    dedup.today = lambda: days[0]
    link = create_share(participant_client, creds)
    _open(app, link, "Recruiter/1.0")
    salt = dedup._salt
    _open(app, link, "Recruiter/1.0")
    assert db.scalar(select(func.count()).select_from(ShareView)) == 1
    # what is remembered: 16-byte keyed hashes, never the address or the browser
    assert all(isinstance(k, bytes) and len(k) == 16 for k in dedup._seen)
    assert b"198.51.100.7" not in b"".join(dedup._seen) and "198.51.100.7" not in repr(vars(dedup))
    days[0] = date(2026, 11, 27)
    _open(app, link, "Recruiter/1.0")  # a new day: a new salt, yesterday's hashes dropped
    assert dedup._salt != salt and len(dedup._seen) == 1
    assert db.scalar(select(func.count()).select_from(ShareView)) == 2
    # two shares opened by the same visitor are two views
    other = create_share(participant_client, creds[:1], label="autre")
    _open(app, other, "Recruiter/1.0")
    assert db.scalar(select(func.count()).select_from(ShareView)) == 3


def test_revoked_credential_shows_revoked_on_share(
    app: Any, participant_client: Any, creds: list[Any], db: Any
) -> None:
    link = create_share(participant_client, creds)
    anon = app.test_client()
    assert anon.get(path_of(link)).get_data(as_text=True).count("Badge authentique") == 2
    awards.revoke(db, creds[0], "erreur de saisie")
    db.commit()
    html = anon.get(path_of(link)).get_data(as_text=True)
    assert "Badge plus valable" in html
    assert "L&#39;organisme a retiré ce badge" in html
    assert "Retiré par l'organisme" in html
    assert html.count("Badge authentique") == 1
    annex = anon.get(path_of(link) + "/cv").get_data(as_text=True)
    assert "Badge plus valable" in annex


def test_suspended_credential_shows_suspended(
    app: Any, participant_client: Any, creds: list[Any], db: Any
) -> None:
    link = create_share(participant_client, creds)
    awards.suspend(db, creds[1], "vérification en cours")
    db.commit()
    html = app.test_client().get(path_of(link)).get_data(as_text=True)
    assert "Badge suspendu" in html


def test_annex_is_printable_with_qr_to_live_page(
    app: Any, participant_client: Any, creds: list[Any]
) -> None:
    link = create_share(participant_client, creds)
    response = app.test_client().get(path_of(link) + "/cv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in html and link in html
    assert 'class="printable"' in html


def test_new_link_replaces_old(
    app: Any, participant_client: Any, creds: list[Any], db: Any
) -> None:
    link = create_share(participant_client, creds)
    share = db.execute(select(Share)).scalar_one()
    response = participant_client.post(f"/portfolio/shares/{share.id}/link")
    html = participant_client.get(response.headers["Location"]).get_data(as_text=True)
    new_link = re.search(r'<code id="share-link">([^<]+)</code>', html).group(1)
    anon = app.test_client()
    assert anon.get(path_of(link)).status_code == 404
    assert anon.get(path_of(new_link)).status_code == 200


def test_link_shown_once(participant_client: Any, creds: list[Any], db: Any) -> None:
    create_share(participant_client, creds)
    share = db.execute(select(Share)).scalar_one()
    html = participant_client.get(f"/portfolio/shares/{share.id}").get_data(as_text=True)
    assert 'id="share-link"' not in html


def test_create_share_refuses_bad_input(participant_client: Any, creds: list[Any]) -> None:
    assert (
        participant_client.post("/portfolio/shares", data={"label": "x", "days": "30"}).status_code
        == 422
    )
    response = participant_client.post(
        "/portfolio/shares", data={"label": "", "days": "30", "credential": [str(creds[0].id)]}
    )
    assert response.status_code == 422
    response = participant_client.post(
        "/portfolio/shares", data={"label": "x", "days": "9999", "credential": [str(creds[0].id)]}
    )
    assert response.status_code == 422


def test_other_participants_items_and_shares_are_404(
    app: Any, make: Any, org: Any, admin: Any, db: Any, creds: list[Any], participant_client: Any
) -> None:
    from tests.portfolio import _factory

    other = make.participant(org, "Bilal")
    theirs = _factory.badges(db, org, admin, other, n=1)[0]
    response = participant_client.post(
        "/portfolio/shares", data={"label": "x", "days": "30", "credential": [str(theirs.id)]}
    )
    assert response.status_code == 404
    assert participant_client.get(f"/portfolio/badges/{theirs.id}.json").status_code == 404
    assert (
        participant_client.post(
            f"/portfolio/badges/{theirs.id}/public", data={"public": "1"}
        ).status_code
        == 404
    )
    other_client = app.test_client()
    login_participant(other_client, make, other)
    link = create_share(other_client, [theirs])
    share = db.execute(select(Share).where(Share.participant_id == other.id)).scalar_one()
    assert participant_client.get(f"/portfolio/shares/{share.id}").status_code == 404
    assert participant_client.post(f"/portfolio/shares/{share.id}/revoke").status_code == 404
    assert app.test_client().get(path_of(link)).status_code == 200


def test_staff_cannot_use_participant_pages(admin_client: Any) -> None:
    assert admin_client.get("/portfolio").status_code == 403
    assert admin_client.get("/portfolio/shares").status_code == 403


def test_anonymous_is_sent_to_login(client: Any) -> None:
    assert client.get("/portfolio").status_code in {302, 401}


def test_endorsing_network_is_named(
    app: Any, participant_client: Any, creds: list[Any], db: Any, make: Any, org: Any
) -> None:
    from badger.networks.models import NetworkMembership

    network = make.network("reseau-inclusion")
    db.add(NetworkMembership(network_id=network.id, organisation_id=org.id, endorsed_at=utcnow()))
    db.commit()
    link = create_share(participant_client, creds[:1])
    html = app.test_client().get(path_of(link)).get_data(as_text=True)
    assert "Reconnu par le réseau" in html and network.name in html
