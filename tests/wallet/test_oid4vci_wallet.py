"""The OpenID4VCI round trip driven by an independent client (@digitalbazaar/oid4-client,
the client of Digital Bazaar's wallets) over a loopback TLS server: it insists on https, as
phone wallets do. What it receives is checked by badger's verifier."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from flask import Flask

from badger.awards.models import Credential
from tests import _tls
from tests.awards import _factory as award_factory
from tests.awards import _interop
from tests.conftest import login_participant
from tests.portfolio import _factory
from tests.wallet.test_oid4vci import _verified


@pytest.fixture
def creds(db: Any, org: Any, admin: Any, participant: Any) -> list[Any]:
    return _factory.badges(db, org, admin, participant, n=1)


@pytest.fixture
def port() -> int:
    return _tls.free_port()


@pytest.fixture
def app_config(app_config: dict[str, Any], port: int) -> dict[str, Any]:
    return {**app_config, "BADGER_BASE_URL": f"https://localhost:{port}"}


@pytest.mark.interop
@pytest.mark.skipif(_interop.NODE is None, reason="node is not installed")
def test_an_independent_wallet_receives_the_badge(app: Flask, client: Any, make: Any,
                                                  participant: Any, creds: list[Any],
                                                  port: int, tmp_path: Path) -> None:
    login_participant(client, make, participant)
    r = client.post(f"/portfolio/badges/{creds[0].id}/wallet", data={})
    assert r.status_code == 200
    link = re.search(r'href="(openid-credential-offer://[^"]+)"', r.text)
    assert link
    with _tls.serve_tls(app, port, tmp_path) as cert, _tls.trusting(cert):
        out = _interop.run_node("oid4vci-wallet.mjs", {
            "deep_link": link.group(1).replace("&amp;", "&"),
            "formats": ["ldp_vc", "jwt_vc_json"]}, timeout=120)
    assert out["ok"], out
    did = out["did"]
    vc = out["received"]["ldp_vc"]
    assert vc["credentialSubject"]["id"] == did
    _verified(app, vc)
    jwt_vc = out["received"]["jwt_vc_json"]
    assert pyjwt.decode(jwt_vc, options={"verify_signature": False})["sub"] == did
    _verified(app, jwt_vc)


@pytest.mark.interop
@pytest.mark.skipif(_interop.NODE is None, reason="node is not installed")
def test_an_independent_wallet_receives_the_badge_from_the_claim_page(
        app: Flask, client: Any, db: Any, make: Any, org: Any, coach: Any, admin: Any,
        port: int, tmp_path: Path) -> None:
    """No account, no login: the claim code's page, then the same wallet client."""
    version = award_factory.adopted_version(db, org, admin)
    achievement = award_factory.achievement(db, org, admin, version)
    cred, code = award_factory.hold_for_claim(db, make, org, coach, achievement)
    done = client.post("/claim", data={"code": code, "kind": "phone", "value": "0612345678"})
    assert done.status_code == 200
    wallet_page = re.search(r'href="(/claim/[A-Z0-9]+/wallet)"', done.text)
    assert wallet_page
    r = client.post(wallet_page.group(1), data={})
    assert r.status_code == 200
    link = re.search(r'href="(openid-credential-offer://[^"]+)"', r.text)
    assert link
    with _tls.serve_tls(app, port, tmp_path) as cert, _tls.trusting(cert):
        out = _interop.run_node("oid4vci-wallet.mjs", {
            "deep_link": link.group(1).replace("&amp;", "&"),
            "formats": ["ldp_vc"]}, timeout=120)
    assert out["ok"], out
    vc = out["received"]["ldp_vc"]
    db.expire_all()
    assert vc["id"] == json.loads(db.get(Credential, cred.id).signed_json)["id"]
    assert vc["credentialSubject"]["id"] == out["did"]
    _verified(app, vc)
