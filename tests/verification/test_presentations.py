"""W3C VC-API ``POST /presentations/verify`` (issue #14 point 4), over HTTP.

Unsigned presentations and signed ones (proof purpose ``authentication``, challenge and domain
checked), each credential inside verified as ``/credentials/verify`` would; every status code.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import base58
import jwt as pyjwt
import pytest

from badger.ob3 import generate_key
from badger.ob3.dataintegrity import CRYPTOSUITE, PROOF_TYPE, hash_data
from badger.ob3.dids import did_key_from_public_key
from badger.ob3.keys import KeyAlgorithm
from tests.verification import _creds as c

CHALLENGE = "4c1a2b9e-challenge"
DOMAIN = "verifier.example.org"
HOLDER_KEY = generate_key(KeyAlgorithm.ED25519)
HOLDER = did_key_from_public_key(HOLDER_KEY.public_key)
HOLDER_VM = f"{HOLDER}#{HOLDER.removeprefix('did:key:')}"


@pytest.fixture
def stub(app: Any) -> c.StubResolver:
    r = c.resolver()
    app.extensions["badger.web_resolver"] = r
    return r


def presentation(*credentials: Any, holder: str | None = HOLDER) -> dict[str, Any]:
    vp: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
    }
    if holder:
        vp["holder"] = holder
    if credentials:
        vp["verifiableCredential"] = list(credentials)
    return vp


def signed(vp: dict[str, Any], challenge: str = CHALLENGE, domain: str = DOMAIN,
           key: Any = HOLDER_KEY, vm: str = HOLDER_VM) -> dict[str, Any]:
    proof = {
        "type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "created": "2026-12-07T10:00:00Z",
        "verificationMethod": vm, "proofPurpose": "authentication",
        "challenge": challenge, "domain": domain,
    }
    proof["proofValue"] = "z" + base58.b58encode(key.sign(hash_data(vp, proof))).decode()
    return {**vp, "proof": proof}


def post(client: Any, vp: Any, **options: Any) -> Any:
    body: dict[str, Any] = {"verifiablePresentation": vp}
    if options:
        body["options"] = options
    return client.post("/presentations/verify", json=body, csrf=False)


def test_unsigned_presentation_of_genuine_badges_verifies(client: Any, stub: Any) -> None:
    r = post(client, presentation(c.good(), c.jwt_credential()))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["verified"] is True and body["errors"] == []
    assert body["presentationResult"] == {"verified": True, "signed": False, "holder": None}
    assert [res["verified"] for res in body["credentialResults"]] == [True, True]


def test_a_tampered_or_revoked_credential_fails_the_presentation(client: Any, stub: Any) -> None:
    r = post(client, presentation(c.good(), c.tampered()))
    assert r.status_code == 422
    body = r.get_json()
    assert body["verified"] is False and body["presentationResult"]["verified"] is True
    assert [res["verified"] for res in body["credentialResults"]] == [True, False]
    assert {(e["credential"], e["name"]) for e in body["errors"]} >= {(1, "proof")}
    revoked = post(client, presentation(c.with_status(7))).get_json()
    assert revoked["verified"] is False
    assert any(e["code"] == "revoked" for e in revoked["errors"])


def test_signed_presentation_proves_its_holder_for_the_challenge(
    client: Any, stub: Any
) -> None:
    vp = signed(presentation(c.good()))
    r = post(client, vp, challenge=CHALLENGE, domain=DOMAIN)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["presentationResult"] == {
        "verified": True, "signed": True, "holder": HOLDER}
    # the domain is optional for the caller; the challenge is not
    assert post(client, vp, challenge=CHALLENGE).status_code == 200
    missing = post(client, vp)
    assert missing.status_code == 422
    assert missing.get_json()["presentationResult"]["error"]["code"] == "challenge_missing"


def test_signed_presentation_without_holder_proves_its_signer(client: Any, stub: Any) -> None:
    """VCDM 2.0 makes ``holder`` optional: the VC-API then reads the signer's DID as the
    presenter (what the W3C data-model suite sends); the signature must still hold."""
    vp = signed(presentation(c.good(), holder=None))
    assert "holder" not in vp
    r = post(client, vp, challenge=CHALLENGE, domain=DOMAIN)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["presentationResult"]["holder"] == HOLDER
    added = {**vp, "verifiableCredential": [c.good(), c.good()]}
    r = post(client, added, challenge=CHALLENGE, domain=DOMAIN)
    assert r.status_code == 422
    assert r.get_json()["presentationResult"]["error"]["code"] == "signature"
    odd = signed(presentation(c.good(), holder=None), vm="https://badges.example.fr/k#1")
    r = post(client, odd, challenge=CHALLENGE, domain=DOMAIN)
    assert r.status_code == 422
    assert r.get_json()["presentationResult"]["error"]["code"] == "holder"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("challenge", "challenge"),
        ("domain", "domain"),
        ("credential added after signing", "signature"),
        ("holder changed after signing", "not_holder_key"),
        ("another DID's key", "not_holder_key"),
    ],
)
def test_signed_presentation_refusals(client: Any, stub: Any, change: str, code: str) -> None:
    vp = signed(presentation(c.good()))
    options = {"challenge": CHALLENGE, "domain": DOMAIN}
    if change == "challenge":
        options["challenge"] = "another-challenge"
    elif change == "domain":
        options["domain"] = "elsewhere.example"
    elif change == "credential added after signing":
        vp = copy.deepcopy(vp)
        vp["verifiableCredential"].append(c.good())
    elif change == "holder changed after signing":
        other = did_key_from_public_key(generate_key(KeyAlgorithm.ED25519).public_key)
        vp = {**vp, "holder": other}
    else:
        other_key = generate_key(KeyAlgorithm.ED25519)
        other = did_key_from_public_key(other_key.public_key)
        vp = signed(presentation(c.good()), key=other_key,
                    vm=f"{other}#{other.removeprefix('did:key:')}")
        vp["holder"] = HOLDER  # claims to be the holder, signed by another DID
    r = post(client, vp, **options)
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    assert body["verified"] is False and body["presentationResult"]["verified"] is False
    assert body["presentationResult"]["error"]["code"] == code
    assert body["errors"][0]["name"] == "presentation"


def test_vp_jwt(client: Any, stub: Any) -> None:
    claims = {"iss": HOLDER, "aud": DOMAIN, "nonce": CHALLENGE,
              "vp": presentation(c.good())}
    token = pyjwt.encode(claims, HOLDER_KEY.private_key, algorithm="EdDSA",
                         headers={"kid": HOLDER_VM})
    r = post(client, token, challenge=CHALLENGE, domain=DOMAIN)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["presentationResult"]["holder"] == HOLDER
    assert post(client, token, challenge="other").status_code == 422


def test_enveloped_credential_is_read(client: Any, stub: Any) -> None:
    enveloped = {"@context": "https://www.w3.org/ns/credentials/v2",
                 "type": "EnvelopedVerifiableCredential",
                 "id": "data:application/vc+jwt," + c.jwt_credential()}
    r = post(client, presentation(enveloped))
    assert r.status_code == 200, r.get_json()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {"options": {}},
        {"verifiablePresentation": 42},
        {"verifiablePresentation": {"type": ["VerifiablePresentation"]}},
        {"verifiablePresentation": {"@context": ["https://www.w3.org/ns/credentials/v2"],
                                    "type": ["VerifiableCredential"]}},
        {"verifiablePresentation": "not.a.jwt!"},
    ],
)
def test_bad_requests_are_400(client: Any, body: Any) -> None:
    if isinstance(body, str):
        r = client.post("/presentations/verify", data=body, content_type="text/plain",
                        csrf=False)
    else:
        r = client.post("/presentations/verify", json=body, csrf=False,
                        headers={"Accept-Language": "en"})
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["verified"] is False and r.get_json()["errors"][0]["message"]


def test_too_many_credentials_is_refused(client: Any, stub: Any) -> None:
    good = c.good()
    r = post(client, presentation(*[good] * 21))
    assert r.status_code == 400
    assert json.dumps(r.get_json())
