"""Employer pages say "Reconnu par" only for a network this server lists (created by a server
administrator); an endorsement by an unlisted network — genuine, signed by that network's key —
is told as a claim, with its own words and pictogram. Over HTTP: share page, CV annex, /verify
and the issuer's public page, for one real badge awarded through the app."""

from __future__ import annotations

import html as htmllib
from typing import Any

import pytest

from tests.awards.test_e2e import _accept, _files, flow  # noqa: F401  (fixture)
from tests.awards.test_endorsed_issuer import _endorse, net_staff  # noqa: F401  (fixture)
from tests.networks import conftest as networks_fixtures

network = networks_fixtures.network
net_admin = networks_fixtures.net_admin

CLAIM = ("L'organisme se dit recommandé par « <span dir=\"auto\">Réseau régional A</span> », "
         "réseau inconnu de ce service.")


def _text(response: Any) -> str:
    assert response.status_code == 200
    return htmllib.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("listed", [True, False])
def test_recognition_only_for_a_listed_network(
    app: Any, make: Any, flow: Any, achievement: Any, net_staff: Any,  # noqa: F811
    network: Any, listed: bool,
) -> None:
    from tests.portfolio.test_shares import create_share, path_of

    network.listed = listed
    make.db.commit()
    _endorse(net_staff)
    cred = _accept(app, make, flow, achievement)
    files = _files(flow["client"], cred.id)
    employer = app.test_client()
    link = create_share(flow["client"], [cred])
    share = _text(employer.get(path_of(link)))
    annex = _text(employer.get(path_of(link) + "/cv"))
    verify = _text(employer.post("/verify", data={"text": files["json"].decode()},
                                 content_type="multipart/form-data"))
    issuer = _text(employer.get("/issuers/org-a", headers={"Accept": "text/html"}))
    for page in (share, verify):
        assert "Badge authentique" in page
    if listed:
        assert "Reconnu par le réseau" in share and "trust-recognised" in share
        assert "Le réseau Réseau régional A recommande" not in verify
        assert '<span dir="auto">Réseau régional A</span> recommande cet organisme.' in verify
        assert '<span dir="auto">Réseau régional A</span> recommande cet organisme.' in issuer
        for page in (share, verify, issuer):
            assert "réseau inconnu de ce service" not in page and "trust-claimed" not in page
    else:
        # the annex (a table: badge, issuer, level, date, state) names no network at all
        assert "Reconnu par" not in annex and "recommand" not in annex
        for page in (share, verify, issuer):
            assert CLAIM in page, page[page.find("<main"):][:3000]
            assert "icons/question.svg" in page and "trust-claimed" in page
            assert "Reconnu par" not in page and "trust-recognised" not in page
            assert "recommande cet organisme." not in page
