"""A share page of several badges from one endorsed issuer verifies the network endorsement
they all embed once per view — and still shows it, and its withdrawal on the next view."""

from __future__ import annotations

import html as htmllib
from typing import Any

import pytest

from badger.networks import service as networks
from tests.portfolio import _factory
from tests.portfolio.test_shares import create_share, path_of

BADGES = 4
VERIFIED = "Les recommandations sont vérifiées."
WITHDRAWN = "Le réseau qui recommandait l'organisme ne le recommande plus."


@pytest.fixture
def endorsed_creds(db: Any, make: Any, org: Any, admin: Any, participant: Any) -> list[Any]:
    return _factory.endorsed_badges(db, make, org, admin, participant, n=BADGES)


def test_share_page_verifies_the_shared_endorsement_once_and_shows_its_withdrawal(
    app: Any, db: Any, participant_client: Any, endorsed_creds: list[Any],
    endorsement_proofs: list[str],
) -> None:
    link = create_share(participant_client, endorsed_creds)
    anon = app.test_client()

    first = anon.get(path_of(link))
    assert first.status_code == 200
    page = htmllib.unescape(first.get_data(as_text=True))
    assert page.count("Badge authentique") == BADGES
    assert page.count(VERIFIED) == BADGES  # every badge's check of the endorsement passed
    assert "Réseau régional A" in page and WITHDRAWN not in page
    assert len(endorsement_proofs) == 1  # one endorsement, embedded in every badge

    network = networks.network_by_slug(db, _factory.ENDORSING_NETWORK[0])
    assert network is not None
    networks.withdraw(db, network, "org-a", actor=None)
    db.commit()
    endorsement_proofs.clear()
    after = htmllib.unescape(anon.get(path_of(link)).get_data(as_text=True))
    assert after.count("Badge authentique") == BADGES  # the badges themselves are genuine
    assert after.count(WITHDRAWN) == BADGES and VERIFIED not in after
    assert '<span dir="auto">Réseau régional A</span> ne recommande plus cet organisme.' in after
    assert len(endorsement_proofs) == 1  # verified again on this view, once
