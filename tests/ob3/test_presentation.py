"""badger.ob3.presentation: a DID is proven only by a presentation its own key signed, for
this challenge and this domain, with purpose authentication — both Data Integrity and VP-JWT."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import jwt as pyjwt
import pytest

from badger.ob3 import KeyAlgorithm, StaticResolver, generate_key
from badger.ob3.dataintegrity import hash_data
from badger.ob3.dids import did_key_from_public_key, did_web_document, did_web_to_url
from badger.ob3.presentation import PresentationError, sign_presentation, verify_presentation

CHALLENGE = "n0nce-0123456789abcdef"
DOMAIN = "badges.example.fr"


def _did_key() -> tuple[Any, str, str]:
    k = generate_key(KeyAlgorithm.ED25519)
    did = did_key_from_public_key(k.public_key)
    return k, did, f"{did}#{did.removeprefix('did:key:')}"


def _code(vp: Any, resolver: Any = None, **kw: Any) -> str:
    with pytest.raises(PresentationError) as info:
        verify_presentation(vp, challenge=kw.get("challenge", CHALLENGE),
                            domain=kw.get("domain", DOMAIN), resolver=resolver)
    return info.value.code


def _resign(vp: dict[str, Any], key: Any) -> dict[str, Any]:
    """Re-sign after an edit of the proof options (so only the edited rule can refuse it)."""
    import base58

    proof = {k: v for k, v in vp["proof"].items() if k != "proofValue"}
    unsecured = {k: v for k, v in vp.items() if k != "proof"}
    proof["proofValue"] = "z" + base58.b58encode(key.sign(hash_data(unsecured, proof))).decode()
    return {**unsecured, "proof": proof}


def test_data_integrity_presentation_proves_its_did_and_nothing_else() -> None:
    k, did, vm = _did_key()
    vp = sign_presentation(did, k, vm, challenge=CHALLENGE, domain=DOMAIN)
    assert verify_presentation(vp, challenge=CHALLENGE, domain=DOMAIN, resolver=None) == did
    assert verify_presentation(json.dumps(vp).encode(), challenge=CHALLENGE, domain=DOMAIN,
                               resolver=None) == did
    assert _code(vp, challenge="another") == "challenge"
    assert _code(vp, domain="evil.example") == "domain"
    # edits, each re-signed by the same key where the signature would otherwise catch it
    purpose = copy.deepcopy(vp)
    purpose["proof"]["proofPurpose"] = "assertionMethod"
    assert _code(_resign(purpose, k)) == "purpose"
    other_k, other_did, other_vm = _did_key()
    holder = copy.deepcopy(vp)
    holder["holder"] = other_did  # claims another DID, signed with this DID's key
    assert _code(_resign(holder, k)) == "not_holder_key"
    stolen = copy.deepcopy(vp)
    stolen["proof"]["verificationMethod"] = f"{did}#{other_vm.split('#')[1]}"
    assert _code(_resign(stolen, other_k)) in {"key", "signature"}
    altered = copy.deepcopy(vp)
    altered["proof"]["created"] = "2020-01-01T00:00:00Z"
    assert _code(altered) == "signature"
    two = copy.deepcopy(vp)
    two["proof"] = [vp["proof"], vp["proof"]]
    assert _code(two) == "proof"
    suite = copy.deepcopy(vp)
    suite["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    assert _code(suite) == "proof"
    not_vp = copy.deepcopy(vp)
    not_vp["type"] = ["VerifiableCredential"]
    assert _code(not_vp) == "type"
    assert _code(b"\xff\xfe") == "format"
    assert _code("x" * 70_000) == "format"


def test_did_web_key_must_be_listed_for_authentication() -> None:
    k = generate_key(KeyAlgorithm.ED25519)
    did = "did:web:wallet.example.org:alice"
    doc = did_web_document(did, [k])  # lists the key for assertionMethod only
    vm = doc["verificationMethod"][0]["id"]
    vp = sign_presentation(did, k, vm, challenge=CHALLENGE, domain=DOMAIN)
    resolver = StaticResolver({did_web_to_url(did): doc})
    assert _code(vp, resolver) == "key"
    resolver.add(did_web_to_url(did), {**doc, "authentication": [vm]})
    assert verify_presentation(vp, challenge=CHALLENGE, domain=DOMAIN, resolver=resolver) == did


def test_vp_jwt() -> None:
    k, did, vm = _did_key()
    claims = {"iss": did, "aud": DOMAIN, "nonce": CHALLENGE,
              "vp": {"type": ["VerifiablePresentation"], "holder": did}}

    def token(payload: dict[str, Any], key: Any = k, headers: dict[str, Any] | None = None,
              alg: str = "EdDSA") -> str:
        return pyjwt.encode(payload, key.private_key, algorithm=alg,
                            headers=headers if headers is not None else {"kid": vm})

    assert verify_presentation(token(claims), challenge=CHALLENGE, domain=DOMAIN,
                               resolver=None) == did
    assert _code(token({**claims, "nonce": "other"})) == "challenge"
    assert _code(token({**claims, "aud": ["x.example"]})) == "domain"
    assert _code(token({**claims, "exp": int(time.time()) - 5})) == "time"
    assert _code(token({**claims, "nbf": int(time.time()) + 3600})) == "time"
    other_k, other_did, other_vm = _did_key()
    assert _code(token({**claims, "vp": {"holder": other_did}})) == "holder"
    # another DID's key, or a key claimed for this DID that is not its own
    assert _code(token(claims, other_k, {"kid": other_vm})) == "not_holder_key"
    assert _code(token(claims, other_k, {"kid": f"{did}#{other_vm.split('#')[1]}"})) in {
        "key", "signature"}
    assert _code(token(claims, headers={"kid": vm, "jku": "https://evil.example/k"})) == "proof"
    unsigned = pyjwt.encode(claims, None, algorithm="none", headers={"kid": vm})
    assert _code(unsigned) in {"proof", "format"}
    tampered = token(claims).split(".")
    tampered[2] = tampered[2][:-4] + ("AAAA" if not tampered[2].endswith("AAAA") else "BBBB")
    assert _code(".".join(tampered)) == "signature"


def test_holder_is_required_unless_the_caller_makes_it_optional() -> None:
    """Proving a DID to this server names it (``holder``); the VC-API accepts a presentation
    naming none, whose signer's DID is then the presenter."""
    k, did, vm = _did_key()
    vp = sign_presentation(did, k, vm, challenge=CHALLENGE, domain=DOMAIN)
    anonymous = _resign({key: v for key, v in vp.items() if key != "holder"}, k)
    assert _code(anonymous) == "holder"
    assert verify_presentation(anonymous, challenge=CHALLENGE, domain=DOMAIN, resolver=None,
                               holder_optional=True) == did
    other_k, _, _ = _did_key()
    forged = _resign(anonymous, other_k)  # signed by a key that is not the named method's
    with pytest.raises(PresentationError) as info:
        verify_presentation(forged, challenge=CHALLENGE, domain=DOMAIN, resolver=None,
                            holder_optional=True)
    assert info.value.code == "signature"
