"""Wallet delivery with OpenID for Verifiable Credential Issuance 1.0 (issue #14 point 6):
every endpoint's answers and refusals over HTTP, the bound credential checked by badger's
verifier and Digital Bazaar's, and the whole round trip driven by an independent OpenID4VCI
client (@digitalbazaar/oid4-client) over a loopback TLS server."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from typing import Any

import jwt as pyjwt
import pytest
from flask import Flask
from sqlalchemy import select

from badger import awards
from badger.audit import AuditEvent
from badger.ob3 import generate_key
from badger.ob3.dids import did_jwk_encode, did_key_from_public_key
from badger.ob3.keys import KeyAlgorithm, SigningKey
from badger.ob3.verify import verify_credential
from badger.wallet.models import WalletNonce, WalletOffer
from tests.awards import _interop
from tests.awards.conftest import TestClientResolver
from tests.conftest import login_participant
from tests.portfolio import _factory

PRE = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@pytest.fixture
def creds(db: Any, org: Any, admin: Any, participant: Any) -> list[Any]:
    return _factory.badges(db, org, admin, participant, n=2)


def _offer(client: Any, credential_id: int, *, tx_code: bool = True) -> tuple[dict[str, Any],
                                                                            str | None, str]:
    return _offer_at(client, f"/portfolio/badges/{credential_id}/wallet", tx_code=tx_code)


def _offer_at(client: Any, url: str, *, tx_code: bool = True) -> tuple[dict[str, Any],
                                                                     str | None, str]:
    """Ask the offer page at ``url`` for an offer: the offer (read back from the deep link),
    the transaction code shown, the deep link."""
    data = {"tx_code": "y"} if tx_code else {}
    r = client.post(url, data=data)
    assert r.status_code == 200, r.text
    link = re.search(r'href="(openid-credential-offer://[^"]+)"', r.text)
    assert link, r.text
    deep_link = link.group(1).replace("&amp;", "&")
    query = urllib.parse.urlsplit(deep_link).query
    offer = json.loads(urllib.parse.parse_qs(query)["credential_offer"][0])
    code = re.search(r'<p class="big-code" dir="ltr">(\d{4})</p>', r.text)
    return offer, (code.group(1) if code else None), deep_link


def _code(offer: dict[str, Any]) -> str:
    return str(offer["grants"][PRE]["pre-authorized_code"])


def _token(client: Any, offer: dict[str, Any], tx: str | None, **extra: str) -> Any:
    data = {"grant_type": PRE, "pre-authorized_code": _code(offer), **extra}
    if tx is not None:
        data["tx_code"] = tx
    return client.post("/wallet/token", data=data)


def _nonce(client: Any) -> str:
    r = client.post("/wallet/nonce")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    return str(r.json["c_nonce"])


def _wallet_key(alg: KeyAlgorithm = KeyAlgorithm.ED25519) -> tuple[SigningKey, str]:
    key = generate_key(alg)
    if alg is KeyAlgorithm.ED25519:
        did = did_key_from_public_key(key.public_key)
        return key, f"{did}#{did.removeprefix('did:key:')}"
    return key, did_jwk_encode(key.public_key) + "#0"


def _proof(key: SigningKey, kid: str, nonce: str, *, aud: str = "http://localhost",
           alg: str = "EdDSA", typ: str | None = "openid4vci-proof+jwt",
           iat: float | None = None, use_jwk: bool = False) -> str:
    headers: dict[str, Any] = {"typ": typ}  # None: no typ at all (PyJWT drops it)
    if use_jwk:
        headers["jwk"] = key.public_jwk()
    else:
        headers["kid"] = kid
    payload = {"aud": aud, "nonce": nonce, "iat": int(iat if iat is not None else time.time())}
    return pyjwt.encode(payload, key.private_key, algorithm=alg, headers=headers)


def _ask(client: Any, token: str, body: dict[str, Any]) -> Any:
    return client.post("/wallet/credential", json=body,
                       headers={"Authorization": f"Bearer {token}"})


def _verified(app: Flask, credential: Any) -> Any:
    report = verify_credential(credential, resolver=TestClientResolver(app))
    assert report.state == "verified", [(c.name, c.state, c.message) for c in report.checks]
    return report


# --------------------------------------------------------------------------- metadata


def test_issuer_and_authorization_server_metadata(client: Any) -> None:
    meta = client.get("/.well-known/openid-credential-issuer").json
    assert meta["credential_issuer"] == "http://localhost"
    assert meta["credential_endpoint"] == "http://localhost/wallet/credential"
    assert meta["nonce_endpoint"] == "http://localhost/wallet/nonce"
    configs = meta["credential_configurations_supported"]
    assert {c["format"] for c in configs.values()} == {"ldp_vc", "jwt_vc_json"}
    for config in configs.values():
        locales = {d["locale"] for d in config["credential_metadata"]["display"]}
        assert locales == {"fr", "en", "ar", "uk"}
        assert "OpenBadgeCredential" in config["credential_definition"]["type"]
    auth = client.get("/.well-known/oauth-authorization-server").json
    assert auth["token_endpoint"] == "http://localhost/wallet/token"
    assert PRE in auth["grant_types_supported"]


# --------------------------------------------------------------------------- the offer page


def test_offer_page_and_who_may_ask(client: Any, make: Any, org: Any,
                                    participant: Any, creds: list[Any], db: Any) -> None:
    assert client.get(f"/portfolio/badges/{creds[0].id}/wallet").status_code in {302, 401}
    login_participant(client, make, participant)
    page = client.get("/portfolio")
    assert f"/portfolio/badges/{creds[0].id}/wallet" in page.text
    form = client.get(f"/portfolio/badges/{creds[0].id}/wallet")
    assert form.status_code == 200 and 'name="tx_code"' in form.text
    offer, tx, link = _offer(client, creds[0].id)
    assert offer["credential_issuer"] == "http://localhost"
    assert set(offer["credential_configuration_ids"]) == {
        "OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"}
    grant = offer["grants"][PRE]
    assert grant["tx_code"]["length"] == 4 and tx is not None and len(tx) == 4
    assert link.startswith("openid-credential-offer://?credential_offer=")
    # only hashes are kept
    row = db.execute(select(WalletOffer)).scalar_one()
    assert _code(offer) not in (row.code_hash, row.tx_code_hash)
    assert db.execute(select(AuditEvent).where(AuditEvent.action == "wallet.offer")).scalar()
    # someone else's badge: unknown, and no offer made
    other = make.participant(org)
    login_participant(client, make, other)
    assert client.post(f"/portfolio/badges/{creds[0].id}/wallet", data={}).status_code == 404
    assert db.scalar(select(WalletOffer.id).where(WalletOffer.id > row.id)) is None


def test_a_revoked_badge_is_not_offered(client: Any, make: Any, participant: Any,
                                        creds: list[Any], db: Any) -> None:
    awards.revoke(db, creds[0], "test")
    db.commit()
    login_participant(client, make, participant)
    assert "Ajouter à mon application de portefeuille" not in client.get("/portfolio").text.split(
        f'id="badge-{creds[0].id}"')[1].split("badge-item")[0]
    r = client.post(f"/portfolio/badges/{creds[0].id}/wallet", data={"tx_code": "y"})
    assert r.status_code == 409


# --------------------------------------------------------------------------- token endpoint


def test_token_endpoint_refusals_and_single_use(client: Any, make: Any, participant: Any,
                                                creds: list[Any], db: Any, clock: Any) -> None:
    login_participant(client, make, participant)
    offer, tx, _ = _offer(client, creds[0].id)
    assert tx is not None
    r = client.post("/wallet/token", data={"grant_type": "authorization_code", "code": "x"})
    assert r.status_code == 400 and r.json["error"] == "unsupported_grant_type"
    r = client.post("/wallet/token", data={"grant_type": PRE, "pre-authorized_code": "nope"})
    assert r.status_code == 400 and r.json["error"] == "invalid_grant"
    r = _token(client, offer, None)
    assert r.status_code == 400 and r.json["error"] == "invalid_request"
    wrong = "0000" if tx != "0000" else "1111"
    r = _token(client, offer, wrong)
    assert r.status_code == 400 and r.json["error"] == "invalid_grant"
    db.expire_all()
    assert db.execute(select(WalletOffer)).scalar_one().tx_attempts == 1  # kept on error
    r = _token(client, offer, tx)
    assert r.status_code == 200, r.json
    assert r.json["token_type"] == "bearer" and r.json["expires_in"] == 600
    assert r.headers["Cache-Control"] == "no-store"
    again = _token(client, offer, tx)
    assert again.status_code == 400 and again.json["error"] == "invalid_grant"
    # an offer dies after ten minutes
    offer2, tx2, _ = _offer(client, creds[1].id)
    clock.advance(minutes=10)
    r = _token(client, offer2, tx2)
    assert r.status_code == 400 and r.json["error"] == "invalid_grant"


def test_five_wrong_transaction_codes_kill_the_offer(client: Any, make: Any, participant: Any,
                                                     creds: list[Any]) -> None:
    login_participant(client, make, participant)
    offer, tx, _ = _offer(client, creds[0].id)
    assert tx is not None
    wrong = [f"{n:04d}" for n in range(10) if f"{n:04d}" != tx][:5]
    for guess in wrong:
        assert _token(client, offer, guess).json["error"] == "invalid_grant"
    r = _token(client, offer, tx)
    assert r.status_code == 400 and r.json["error"] == "invalid_grant"


def test_an_offer_without_transaction_code(client: Any, make: Any, participant: Any,
                                           creds: list[Any]) -> None:
    login_participant(client, make, participant)
    offer, tx, _ = _offer(client, creds[0].id, tx_code=False)
    assert tx is None and "tx_code" not in offer["grants"][PRE]
    r = _token(client, offer, "1234")
    assert r.status_code == 400 and r.json["error"] == "invalid_request"
    assert _token(client, offer, None).status_code == 200


# --------------------------------------------------------------------------- credential endpoint


def _ready(client: Any, make: Any, participant: Any, cred: Any) -> str:
    login_participant(client, make, participant)
    offer, tx, _ = _offer(client, cred.id)
    token = _token(client, offer, tx).json["access_token"]
    client.post("/logout")
    return str(token)


def test_credential_bound_to_the_wallet_key_in_both_formats(
        app: Flask, client: Any, make: Any, participant: Any, creds: list[Any], db: Any) -> None:
    token = _ready(client, make, participant, creds[0])
    key, kid = _wallet_key()
    did = kid.partition("#")[0]
    r = _ask(client, token, {"credential_configuration_id": "OpenBadgeCredential_ldp_vc",
                             "proofs": {"jwt": [_proof(key, kid, _nonce(client))]}})
    assert r.status_code == 200, r.json
    vc = r.json["credentials"][0]["credential"]
    original = json.loads(creds[0].signed_json)
    assert vc["credentialSubject"]["id"] == did
    assert vc["id"] == original["id"] and vc["credentialStatus"] == original["credentialStatus"]
    assert vc["credentialSubject"]["identifier"] == original["credentialSubject"]["identifier"]
    assert [p["cryptosuite"] for p in vc["proof"]] == ["eddsa-rdfc-2022"]
    _verified(app, vc)
    resolver = TestClientResolver(app)
    js = _interop.js_verify_di(vc, _interop.public_documents(resolver, vc))
    assert js["verified"], js
    # the JWT format, same token, a fresh nonce
    r = _ask(client, token, {"credential_configuration_id": "OpenBadgeCredential_jwt_vc_json",
                             "proofs": {"jwt": [_proof(key, kid, _nonce(client))]}})
    assert r.status_code == 200, r.json
    token_vc = r.json["credentials"][0]["credential"]
    assert isinstance(token_vc, str)
    assert pyjwt.decode(token_vc, options={"verify_signature": False})["sub"] == did
    _verified(app, token_vc)
    row = db.execute(select(WalletOffer)).scalar_one()
    assert row.holder_id == did and row.delivered_at is not None
    assert db.scalars(select(AuditEvent.action).where(
        AuditEvent.action == "wallet.deliver")).all() == ["wallet.deliver", "wallet.deliver"]


def test_credential_endpoint_refusals(app: Flask, client: Any, make: Any, participant: Any,
                                      creds: list[Any], db: Any, clock: Any) -> None:
    token = _ready(client, make, participant, creds[0])
    key, kid = _wallet_key()
    body = {"credential_configuration_id": "OpenBadgeCredential_ldp_vc"}
    r = client.post("/wallet/credential", json=body)
    assert r.status_code == 401 and r.json["error"] == "invalid_token"
    assert "invalid_token" in r.headers["WWW-Authenticate"]
    assert _ask(client, "forged", body).status_code == 401
    r = client.post("/wallet/credential", data="[1]", content_type="application/json",
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400 and r.json["error"] == "invalid_credential_request"
    r = _ask(client, token, {"credential_configuration_id": "Diploma"})
    assert r.status_code == 400 and r.json["error"] == "unknown_credential_configuration"
    # no proof: told to prove, with a nonce it keeps
    r = _ask(client, token, body)
    assert r.status_code == 400 and r.json["error"] == "invalid_proof"
    given = r.json["c_nonce"]
    db.expire_all()
    assert db.execute(select(WalletNonce)).scalar_one().used_at is None
    # wrong audience, wrong algorithm, a future date, a stale one, an unsigned JWT
    for bad in (_proof(key, kid, given, aud="https://elsewhere.example"),
                _proof(key, kid, given, iat=time.time() + 3600),
                _proof(key, kid, given, iat=time.time() - 3600),
                _proof(key, kid, given, typ="JWT"),
                pyjwt.encode({"aud": "http://localhost", "nonce": given, "iat": int(time.time())},
                             "s" * 32, algorithm="HS256", headers={"kid": kid})):
        r = _ask(client, token, {**body, "proofs": {"jwt": [bad]}})
        assert r.status_code == 400 and r.json["error"] == "invalid_proof", r.json
    # a proof signed by another key than the one its kid names
    other, _other_kid = _wallet_key()
    r = _ask(client, token, {**body, "proofs": {"jwt": [_proof(other, kid, given)]}})
    assert r.json["error"] == "invalid_proof"
    # an unknown nonce, then a spent one
    r = _ask(client, token, {**body, "proofs": {"jwt": [_proof(key, kid, "made-up")]}})
    assert r.json["error"] == "invalid_nonce" and r.json["c_nonce"]
    assert _ask(client, token, {**body, "proofs": {"jwt": [_proof(key, kid, given)]}}
                ).status_code == 200
    r = _ask(client, token, {**body, "proofs": {"jwt": [_proof(key, kid, given)]}})
    assert r.json["error"] == "invalid_nonce"
    # the offer is bound to the first key
    r = _ask(client, token, {**body, "proofs": {"jwt": [_proof(other, _other_kid,
                                                                _nonce(client))]}})
    assert r.status_code == 400 and r.json["error"] == "invalid_proof"
    # revoked meanwhile: denied; after ten minutes the token is dead
    awards.revoke(db, creds[0], "test")
    db.commit()
    r = _ask(client, token, {**body, "proofs": {"jwt": [_proof(key, kid, _nonce(client))]}})
    assert r.json["error"] == "credential_request_denied"
    clock.advance(minutes=10)
    assert _ask(client, token, body).status_code == 401


def test_draft13_request_and_es256_did_jwk_and_jwk_header(
        app: Flask, client: Any, make: Any, participant: Any, creds: list[Any]) -> None:
    token = _ready(client, make, participant, creds[0])
    key, kid = _wallet_key(KeyAlgorithm.ES256)
    r = _ask(client, token, {
        "format": "ldp_vc",
        "credential_definition": {"@context": ["https://www.w3.org/ns/credentials/v2"],
                                  "type": ["VerifiableCredential", "OpenBadgeCredential"]},
        "proof": {"proof_type": "jwt",
                  "jwt": _proof(key, kid, _nonce(client), alg="ES256", typ=None)}})
    assert r.status_code == 200, r.json
    assert r.json["format"] == "ldp_vc"
    vc = r.json["credential"]
    assert vc["credentialSubject"]["id"] == kid.partition("#")[0]
    _verified(app, vc)
    # the same key given as a jwk header is the same did:jwk holder
    r = _ask(client, token, {"credential_identifier": "OpenBadgeCredential_ldp_vc",
                             "proofs": {"jwt": [_proof(key, kid, _nonce(client), alg="ES256",
                                                       use_jwk=True)]}})
    assert r.status_code == 200, r.json


def test_staff_get_no_offer_page(coach_client: Any, creds: list[Any]) -> None:
    assert coach_client.get(f"/portfolio/badges/{creds[0].id}/wallet").status_code == 403
    assert coach_client.post(f"/portfolio/badges/{creds[0].id}/wallet",
                             data={"tx_code": "y"}).status_code == 403


def test_dead_offers_and_nonces_are_purged_after_the_codes_retention(
        app: Flask, client: Any, make: Any, participant: Any, creds: list[Any], db: Any,
        clock: Any) -> None:
    from badger import maintenance, wallet

    retention = maintenance.Retention.from_config(app.config)
    login_participant(client, make, participant)
    _offer(client, creds[0].id)
    _nonce(client)
    clock.advance(days=retention.codes.days)  # dead, but not for long enough
    wallet.create_offer(db, participant, creds[1].id, now=clock.now)
    db.commit()
    counts = maintenance.purge(db, retention, now=clock.now)
    assert counts["wallet.offers"] == 0 and counts["wallet.nonces"] == 0
    clock.advance(minutes=11)  # the first offer (10 min) and nonce (5 min) died that long ago
    counts = maintenance.purge(db, retention, now=clock.now)
    db.commit()
    assert counts["wallet.offers"] == 1 and counts["wallet.nonces"] == 1
    assert [o.credential_id for o in db.scalars(select(WalletOffer))] == [creds[1].id]
