"""The public share page is rendered once per content version: its ETag is that version, a
matching ``If-None-Match`` gets 304, and every change that shows on the page — a revoked or
suspended badge, a network's withdrawal, the share stopped, another language — makes a new
version, so the page is never stale after a revocation."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
from sqlalchemy import select

from badger import awards
from badger.networks import service as networks
from badger.portfolio.models import Share
from tests.portfolio import _factory
from tests.portfolio.test_shares import create_share, path_of


@pytest.fixture
def endorsed_creds(db: Any, make: Any, org: Any, admin: Any, participant: Any) -> list[Any]:
    return _factory.endorsed_badges(db, make, org, admin, participant, n=2)


def _get(client: Any, path: str, etag: str | None = None) -> Any:
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(path, headers=headers)


def _text(response: Any) -> str:
    return htmllib.unescape(response.get_data(as_text=True))


def test_matching_etag_gets_304_with_the_privacy_headers(
    app: Any, participant_client: Any, creds: list[Any]
) -> None:
    path = path_of(create_share(participant_client, creds))
    anon = app.test_client()
    first = _get(anon, path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = _get(anon, path, etag)
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "private, no-cache"
    assert again.headers["X-Robots-Tag"].startswith("noindex")
    assert again.headers["Referrer-Policy"] == "no-referrer"
    # another tag (or none) gets the page, the same one (served from the rendered cache)
    other = _get(anon, path, '"something-else"')
    assert other.status_code == 200 and other.headers["ETag"] == etag
    assert _text(other).count("Badge authentique") == 2


def test_revocation_suspension_and_withdrawal_make_a_new_version(
    app: Any, db: Any, participant_client: Any, endorsed_creds: list[Any]
) -> None:
    path = path_of(create_share(participant_client, endorsed_creds))
    anon = app.test_client()
    first = _get(anon, path)
    etag = first.headers["ETag"]
    assert _text(first).count("Badge authentique") == 2

    networks.withdraw(db, networks.network_by_slug(db, "reseau-a"), "org-a", actor=None)
    db.commit()
    withdrawn = _get(anon, path, etag)
    assert withdrawn.status_code == 200 and withdrawn.headers["ETag"] != etag
    # the network's name is isolated for right-to-left pages (<span dir="auto">): read the words
    words = re.sub(r"<[^>]+>", "", _text(withdrawn))
    assert "Réseau régional A ne recommande plus cet organisme." in words
    etag = withdrawn.headers["ETag"]

    awards.suspend(db, endorsed_creds[1], "vérification en cours")
    db.commit()
    suspended = _get(anon, path, etag)
    assert suspended.status_code == 200 and suspended.headers["ETag"] != etag
    assert "Badge suspendu" in _text(suspended)
    etag = suspended.headers["ETag"]

    awards.revoke(db, endorsed_creds[0], "erreur de saisie")
    db.commit()
    revoked = _get(anon, path, etag)
    assert revoked.status_code == 200 and revoked.headers["ETag"] != etag
    page = _text(revoked)
    assert "Badge authentique" not in page and "Badge plus valable" in page


def test_a_stopped_share_is_gone_whatever_the_tag(
    app: Any, db: Any, participant_client: Any, creds: list[Any]
) -> None:
    path = path_of(create_share(participant_client, creds))
    anon = app.test_client()
    etag = _get(anon, path).headers["ETag"]
    share = db.scalars(select(Share)).one()
    stop = participant_client.post(f"/portfolio/shares/{share.id}/revoke")
    assert stop.status_code == 302
    gone = _get(anon, path, etag)
    assert gone.status_code == 410 and "ETag" not in gone.headers
    assert "Badge" not in _text(gone)


def test_the_language_is_part_of_the_version(
    app: Any, participant_client: Any, creds: list[Any]
) -> None:
    path = path_of(create_share(participant_client, creds))
    anon = app.test_client()
    french = _get(anon, path)
    with anon.session_transaction() as sess:
        sess["lang"] = "en"
    english = _get(anon, path, french.headers["ETag"])
    assert english.status_code == 200
    assert english.headers["ETag"] != french.headers["ETag"]
    assert 'lang="en"' in english.get_data(as_text=True)
    assert "Badge authentique" in _text(french) and "Badge authentique" not in _text(english)


def test_each_visitor_gets_their_own_csrf_token_from_the_cached_page(
    app: Any, participant_client: Any, creds: list[Any]
) -> None:
    path = path_of(create_share(participant_client, creds))
    pages = [_get(app.test_client(), path).get_data(as_text=True) for _ in range(2)]
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', p) for p in pages]
    assert tokens[0] and tokens[1]
    assert tokens[0].group(1) != tokens[1].group(1)
    assert all("csrf-slot" not in p and "\x00" not in p for p in pages)


def test_a_signed_in_visitor_gets_the_page_rendered_for_them(
    participant_client: Any, creds: list[Any]
) -> None:
    path = path_of(create_share(participant_client, creds))
    own = participant_client.get(path)
    assert own.status_code == 200 and "ETag" not in own.headers
    assert own.headers["Cache-Control"] == "no-store, private"
