"""The wallet button on the claim page (issue #14 point 6): someone who redeems a claim code,
with or without an account, puts the badge just issued into their wallet from there — over
HTTP, the offer's credential endpoint delivering that very credential — and the refusals that
keep the spent claim code from opening anything else: another browser, after the window, after
the claim's own expiry, another claim's code, a withdrawn badge, a forged form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from badger import awards
from badger.audit import AuditEvent
from badger.awards.claims import WALLET_WINDOW
from badger.awards.models import Claim, Credential
from badger.wallet.models import WalletOffer
from badger.wallet.service import OFFER_LIFETIME
from tests.awards import _factory as award_factory
from tests.wallet.test_oid4vci import (
    _ask,
    _code,
    _nonce,
    _offer_at,
    _proof,
    _token,
    _verified,
    _wallet_key,
)

BUTTON = "Mettre dans mon portefeuille"


@pytest.fixture
def achievement(db: Any, org: Any, admin: Any) -> Any:
    return award_factory.achievement(db, org, admin, award_factory.adopted_version(db, org, admin))


@pytest.fixture
def held(db: Any, make: Any, org: Any, coach: Any, achievement: Any) -> tuple[Any, str]:
    return award_factory.hold_for_claim(db, make, org, coach, achievement)


def _redeem(client: Any, code: str, email: str = "elise@example.org") -> Any:
    r = client.post("/claim", data={"code": code, "kind": "email", "value": email})
    assert r.status_code == 200, r.text[:500]
    return r


def _url(code: str) -> str:
    return f"/claim/{awards.clean_code(code)}/wallet"


def _offers(db: Any) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(WalletOffer)) or 0)


def test_after_the_claim_the_page_puts_that_badge_in_a_wallet(
        app: Flask, client: Any, db: Any, held: Any, clock: Any) -> None:
    cred, code = held
    before = client.get(f"/claim/{code}")
    assert before.status_code == 200 and BUTTON not in before.text
    assert "/wallet" not in before.text
    not_yet = client.get(_url(code))  # the badge is not issued yet: nothing to put anywhere
    assert not_yet.status_code == 404 and "votre badge avec ce code" in not_yet.text
    done = _redeem(client, code.lower())
    assert BUTTON in done.text and f'href="{_url(code)}"' in done.text
    assert "Un portefeuille est une application" in done.text
    page = client.get(_url(code))
    assert page.status_code == 200 and 'name="tx_code"' in page.text
    assert "Un portefeuille est une application" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "Retour à mes badges" not in page.text  # someone without an account may be here
    offer, tx, link = _offer_at(client, _url(code))
    assert tx is not None and offer["grants"]
    # the claim code is spent and stays out of the offer: the pre-authorised code is new
    assert awards.clean_code(code) not in link.upper() and code not in _code(offer)
    row = db.execute(select(WalletOffer)).scalar_one()
    assert (row.credential_id, row.participant_id) == (cred.id, cred.participant_id)
    assert row.expires_at == clock.now + OFFER_LIFETIME and row.tx_code_hash is not None
    event = db.execute(select(AuditEvent).where(AuditEvent.action == "wallet.offer")).scalar_one()
    assert event.details["via"] == "claim"
    # the wallet's side: token, nonce, key proof — it receives the claimed credential
    token = _token(client, offer, tx)
    assert token.status_code == 200, token.json
    key, kid = _wallet_key()
    r = _ask(client, token.json["access_token"], {
        "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
        "proofs": {"jwt": [_proof(key, kid, _nonce(client))]}})
    assert r.status_code == 200, r.json
    vc = r.json["credentials"][0]["credential"]
    db.expire_all()
    issued = json.loads(db.get(Credential, cred.id).signed_json)
    assert vc["id"] == issued["id"] and vc["credentialStatus"] == issued["credentialStatus"]
    assert vc["credentialSubject"]["id"] == kid.partition("#")[0]
    _verified(app, vc)
    assert _token(client, offer, tx).json["error"] == "invalid_grant"  # single use


def test_the_claim_link_opened_again_shows_the_button_in_that_browser_only(
        app: Flask, client: Any, held: Any, clock: Any) -> None:
    _cred, code = held
    _redeem(client, code)
    again = client.get(f"/claim/{code}")  # a reload, the back button, the link once more
    assert again.status_code == 200 and "Badge reçu" in again.text and BUTTON in again.text
    stranger = app.test_client().get(f"/claim/{code}")
    assert 'name="value"' in stranger.text and BUTTON not in stranger.text
    clock.advance(seconds=WALLET_WINDOW.total_seconds())
    later = client.get(f"/claim/{code}")
    assert 'name="value"' in later.text and BUTTON not in later.text


def test_the_spent_code_opens_nothing_elsewhere_nor_later(
        app: Flask, client: Any, db: Any, held: Any, clock: Any) -> None:
    _cred, code = held
    assert client.get("/claim/NOPE2345/wallet").status_code == 404
    _redeem(client, code)
    # another browser holding the code (the printed sheet, photographed): refused, no offer
    other = app.test_client()
    r = other.get(_url(code))
    assert r.status_code == 404 and "appareil où vous avez récupéré" in r.text
    assert other.post(_url(code), data={"tx_code": "y"}).status_code == 404
    assert _offers(db) == 0
    # this browser, once the window has passed: gone, with the way to the portfolio
    clock.advance(seconds=WALLET_WINDOW.total_seconds())
    r = client.get(_url(code))
    assert r.status_code == 410 and "Mes badges" in r.text
    assert client.post(_url(code), data={"tx_code": "y"}).status_code == 410
    assert _offers(db) == 0


def test_the_claim_lifetime_bounds_the_window(client: Any, db: Any, held: Any,
                                              clock: Any) -> None:
    _cred, code = held
    claim = db.execute(select(Claim)).scalar_one()
    claim.expires_at = clock.now.replace(microsecond=0) + WALLET_WINDOW / 4
    db.commit()
    _redeem(client, code)
    assert client.get(_url(code)).status_code == 200
    clock.advance(seconds=(WALLET_WINDOW / 2).total_seconds())
    assert client.get(_url(code)).status_code == 410
    assert client.post(_url(code), data={"tx_code": "y"}).status_code == 410
    assert _offers(db) == 0


def test_one_claim_code_does_not_open_another_badge(
        app: Flask, client: Any, db: Any, make: Any, org: Any, coach: Any,
        achievement: Any) -> None:
    first = award_factory.hold_for_claim(db, make, org, coach, achievement, name="Ana")
    second = award_factory.hold_for_claim(db, make, org, coach, achievement, name="Bob")
    _redeem(client, first[1], "ana@example.org")
    _redeem(app.test_client(), second[1], "bob@example.org")
    # this browser redeemed the first code only: the second one answers as to a stranger
    assert client.get(_url(second[1])).status_code == 404
    assert client.post(_url(second[1]), data={"tx_code": "y"}).status_code == 404
    _offer_at(client, _url(first[1]))
    assert [r.credential_id for r in db.scalars(select(WalletOffer))] == [first[0].id]


def test_a_withdrawn_badge_is_not_offered(client: Any, db: Any, held: Any,
                                          admin: Any) -> None:
    cred, code = held
    _redeem(client, code)
    db.expire_all()
    awards.revoke(db, db.get(Credential, cred.id), "test", actor=admin)
    db.commit()
    page = client.get(_url(code))
    assert page.status_code == 200 and "plus valable" in page.text and "tx_code" not in page.text
    assert client.post(_url(code), data={"tx_code": "y"}).status_code == 409
    assert _offers(db) == 0


def test_the_offer_needs_the_form_token_and_the_page_is_rate_limited(
        app: Flask, client: Any, db: Any, held: Any) -> None:
    _cred, code = held
    _redeem(client, code)
    client.get(_url(code))  # the session holds a CSRF token: only the request lacks it
    r = client.post(_url(code), data={"tx_code": "y"}, csrf=False)
    assert r.status_code == 400 and "Le formulaire a expiré" in r.text
    assert _offers(db) == 0
    app.config["BADGER_LOGIN_RATE_LIMIT"] = "2 per minute"
    answers = [app.test_client().get("/claim/GUESS2345/wallet").status_code for _ in range(3)]
    assert answers == [404, 404, 429]
