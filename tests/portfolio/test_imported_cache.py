"""A badge imported from elsewhere, on a share page: verified once per TTL, not on every view.

The foreign issuer's documents are served by a counting stub resolver (the app's remote
resolver), so each fetch the share page makes is seen; the report cache's clock is faked so
expiry needs no sleeping.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from badger import portfolio
from badger.portfolio.models import ImportedCredential
from tests.verification import _creds as c

TTL = 60


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["BADGER_IMPORTED_VERIFY_TTL"] = TTL
    return app_config


@pytest.fixture
def stub(app: Any, db: Any, participant: Any) -> c.StubResolver:
    from tests.holders._helpers import own_test_badges

    own_test_badges(db, participant)  # the imported badges are issued to the participant
    resolver = c.resolver()  # the foreign issuer's key, and its status list (bit 7 revoked)
    app.extensions["badger.web_resolver"] = resolver
    return resolver


@pytest.fixture
def clock(app: Any) -> list[float]:
    now = [1000.0]
    cache = portfolio.imported_reports(app)
    cache.clock = lambda: now[0]
    return now


def _share_imported(app: Any, client: Any, db: Any, credential: dict[str, Any]) -> str:
    raw = json.dumps(credential).encode()
    response = client.post(
        "/portfolio/import",
        data={"file": (io.BytesIO(raw), "recu.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    db.expire_all()
    imp = db.execute(select(ImportedCredential)).scalar_one()
    response = client.post(
        "/portfolio/shares", data={"label": "entretien", "days": "7", "imported": [str(imp.id)]}
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'<code id="share-link">([^<]+)</code>', html).group(1)  # type: ignore[union-attr]
    return "/" + link.split("/", 3)[3]


def _view(app: Any, path: str) -> str:
    response = app.test_client().get(path)
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_config_sets_the_ttl(app: Any) -> None:
    assert app.config["BADGER_IMPORTED_VERIFY_TTL"] == TTL
    assert portfolio.imported_reports(app).ttl == TTL


def test_two_views_within_the_ttl_fetch_once_and_expiry_verifies_again(
    app: Any, participant_client: Any, db: Any, stub: c.StubResolver, clock: list[float]
) -> None:
    path = _share_imported(app, participant_client, db, c.with_status(8))
    stub.requests.clear()  # what the import itself fetched

    assert "Badge authentique" in _view(app, path)
    first = list(stub.requests)
    assert c.ISSUER_ID in first and c.LIST_URL in first  # key and status list, fetched once

    clock[0] += TTL - 1
    assert "Badge authentique" in _view(app, path)
    assert stub.requests == first  # the second view fetched nothing

    # the issuer revokes it: within the TTL the page may still say genuine (no fetch) ...
    stub.add(c.LIST_URL, c.status_list({7, 8}))
    assert "Badge authentique" in _view(app, path)
    assert stub.requests == first
    # ... once the entry expires, the next view verifies again and shows the revocation
    clock[0] += 2
    html = _view(app, path)
    assert c.LIST_URL in stub.requests[len(first) :]
    assert "Badge plus valable" in html and "Badge authentique" not in html
    # and that outcome is kept in turn
    count = len(stub.requests)
    _view(app, path)
    assert len(stub.requests) == count


def test_an_outcome_that_could_not_be_established_is_not_kept(
    app: Any, participant_client: Any, db: Any, stub: c.StubResolver, clock: list[float]
) -> None:
    path = _share_imported(app, participant_client, db, c.with_status(8))
    del stub._docs[c.LIST_URL]  # the issuer's status list is out of reach from now on
    stub.requests.clear()
    assert "Vérification incomplète" in _view(app, path)
    assert c.LIST_URL in stub.requests
    stub.requests.clear()
    _view(app, path)  # tried again at once: "unknown" is never served from the cache
    assert c.LIST_URL in stub.requests
    stub.add(c.LIST_URL, c.status_list({7}))
    assert "Badge authentique" in _view(app, path)


def test_annex_shares_the_outcome(
    app: Any, participant_client: Any, db: Any, stub: c.StubResolver, clock: list[float]
) -> None:
    path = _share_imported(app, participant_client, db, c.with_status(8))
    _view(app, path)
    stub.requests.clear()
    annex = _view(app, path + "/cv")
    assert "Badge authentique" in annex and "Association Passerelles" in annex
    assert stub.requests == []
