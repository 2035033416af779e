"""Cross-check badger against independent implementations (Digital Bazaar JS stack, jose).

Why: a signer and a verifier written by the same people share their misunderstandings. Every
credential badger signs must verify with the reference JS stack (safe mode on, offline
contexts), every tampered one must fail there, and credentials signed by the JS stack must
verify with badger. Run with ``pytest -m interop``; needs ``node`` and ``npm ci`` in
``tests/interop`` (``make test`` does that).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import random
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from badger.ob3 import baking, dataintegrity, dids, jsonld, jwt, keys, model, statuslist
from badger.ob3.resolver import StaticResolver
from badger.ob3.verify import verify_credential
from tests._shared import SHARED

#: A fixed "now" for credentials valid until 2035: inside their window whatever the real date
#: (a test must not start failing on 1 January 2035).
FIXED_NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
FIXED_NOW_ISO = "2026-06-01T12:00:00Z"

HARNESS = Path(__file__).resolve().parents[1] / "interop"
VECTOR = SHARED / "ob3" / "test-vectors" / "ob-impl-guide-vector"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(NODE is None, reason="node is not installed (needed for interop tests)"),
    pytest.mark.skipif(
        not (HARNESS / "node_modules").is_dir(),
        reason="tests/interop/node_modules missing: run `npm ci` in tests/interop",
    ),
]

ISSUER_ID = "https://badges.example.fr/issuers/1"
JWKS_URL = "https://badges.example.fr/.well-known/jwks.json"
LIST_URL = "https://badges.example.fr/status/revocation/1"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"


def run_node(script: str, payload: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
    """One node process per call; the script prints exactly one JSON object."""
    assert NODE is not None
    proc = subprocess.run(
        [NODE, str(HARNESS / script)],
        input=json.dumps(payload).encode("utf-8"),
        capture_output=True,
        timeout=timeout,
        cwd=HARNESS,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
        check=False,
    )
    lines = proc.stdout.decode("utf-8").strip().splitlines()
    assert lines, f"{script} printed nothing; stderr: {proc.stderr.decode()[-2000:]}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def js_verify_di(
    credential: dict[str, Any],
    documents: dict[str, Any] | None = None,
    now: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {"credential": credential, "documents": documents or {}}
    if now:
        payload["now"] = now
    return run_node("verify-di.mjs", payload)


def load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def multikey_doc(controller: str, vm_id: str, multibase: str) -> dict[str, Any]:
    """A controller document written by the test itself (not by badger)."""
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": controller,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": multibase,
            }
        ],
        "assertionMethod": [vm_id],
    }


# --------------------------------------------------------------------------- controls


needs_vector = pytest.mark.skipif(not VECTOR.is_dir(), reason="reference test vector missing")


@needs_vector
def test_official_vector_verifies_in_js() -> None:
    signed = load(VECTOR / "credential-signed.json")
    key = load(VECTOR / "keypair.json")["multikey"]
    docs = {
        key["controller"]: multikey_doc(key["controller"], key["id"], key["publicKeyMultibase"])
    }
    result = js_verify_di(signed, docs)
    assert result["verified"] is True, result
    # the loader served only bundled contexts and the supplied controller document
    assert set(result["requested"]) <= {
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        key["controller"],
        key["id"],
    }


@needs_vector
def test_official_vector_tampered_fails_in_js() -> None:
    signed = load(VECTOR / "credential-signed.json")
    key = load(VECTOR / "keypair.json")["multikey"]
    docs = {
        key["controller"]: multikey_doc(key["controller"], key["id"], key["publicKeyMultibase"])
    }
    signed["credentialSubject"]["achievement"]["name"] = "Leadership"
    result = js_verify_di(signed, docs)
    assert result["verified"] is False
    assert any("Invalid signature" in e for e in result["errors"]), result


@needs_vector
def test_official_vector_unknown_key_refused_not_fetched() -> None:
    signed = load(VECTOR / "credential-signed.json")
    result = js_verify_di(signed, {})
    assert result["verified"] is False
    assert any("refused" in e for e in result["errors"]), result


# --------------------------------------------------------------------------- badger -> JS


def make_credential(**extra: Any) -> dict[str, Any]:
    issuer = model.profile(ISSUER_ID, name="Association Exemple — Insertion")
    achievement = model.achievement(
        "https://badges.example.fr/achievements/accueil",
        name="Accueil du public",
        description="Sait accueillir « le public » avec bienveillance.",
        criteria_narrative="Observé en situation réelle par l'encadrant·e.",
    )
    subject = model.achievement_subject(
        achievement=achievement,
        id="did:example:ebfeb1f712ebc6f1c276e12ec21",
        identifiers=[model.identity_object("ana@example.fr", salt="sel-de-guérande")],
    )
    return model.open_badge_credential(
        id=model.new_urn_uuid(),
        issuer=issuer,
        credential_subject=subject,
        valid_from="2025-01-01T00:00:00Z",
        **extra,
    )


@pytest.fixture(scope="module")
def ed_key() -> keys.SigningKey:
    return keys.generate_key("Ed25519")


def vm_of(key: keys.SigningKey) -> str:
    return f"{ISSUER_ID}#{key.public_key_multibase()}"


def badger_sign(credential: dict[str, Any], key: keys.SigningKey) -> dict[str, Any]:
    return dataintegrity.sign(credential, key, vm_of(key))


def controller_docs(key: keys.SigningKey) -> dict[str, Any]:
    return {ISSUER_ID: dids.controller_document(ISSUER_ID, [key])}


def test_badger_di_verifies_in_js(ed_key: keys.SigningKey) -> None:
    signed = badger_sign(make_credential(), ed_key)
    assert isinstance(signed["proof"], list)
    result = js_verify_di(signed, controller_docs(ed_key))
    assert result["verified"] is True, result


def test_badger_di_with_optional_fields_verifies_in_js(ed_key: keys.SigningKey) -> None:
    cred = make_credential(
        valid_until="2035-01-01T00:00:00Z",
        awarded_date="2024-12-15T10:00:00+01:00",
        name="Badge Accueil",
        description="Délivré dans le cadre d'un parcours d'insertion.",
        credential_schema=[model.credential_schema()],
    )
    signed = badger_sign(cred, ed_key)
    result = js_verify_di(signed, controller_docs(ed_key), now=FIXED_NOW_ISO)
    assert result["verified"] is True, result


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c["credentialSubject"]["achievement"].__setitem__("name", "Autre badge"),
        lambda c: c.__setitem__("validFrom", "2024-01-01T00:00:00Z"),
        lambda c: c["issuer"].__setitem__("name", "Usurpateur"),
        lambda c: c["credentialSubject"].__setitem__("id", "did:example:someone-else"),
        lambda c: c["proof"][0].__setitem__("created", "2020-01-01T00:00:00Z"),
    ],
    ids=["achievement-name", "validFrom", "issuer-name", "subject-id", "proof-created"],
)
def test_badger_di_tampered_fails_in_js(ed_key: keys.SigningKey, tamper: Any) -> None:
    signed = badger_sign(make_credential(), ed_key)
    tamper(signed)
    result = js_verify_di(signed, controller_docs(ed_key))
    assert result["verified"] is False, result


def test_badger_di_wrong_controller_fails_in_js(ed_key: keys.SigningKey) -> None:
    signed = badger_sign(make_credential(), ed_key)
    other = keys.generate_key("Ed25519")
    result = js_verify_di(signed, {ISSUER_ID: dids.controller_document(ISSUER_ID, [other])})
    assert result["verified"] is False


def test_badger_di_issuer_must_be_controller_in_js(ed_key: keys.SigningKey) -> None:
    # Signed by a key controlled by someone else: valid signature, wrong issuer binding.
    evil = "https://evil.example/controller"
    signed = dataintegrity.sign(
        make_credential(), ed_key, f"{evil}#{ed_key.public_key_multibase()}"
    )
    result = js_verify_di(signed, {evil: dids.controller_document(evil, [ed_key])})
    assert result["verified"] is False
    assert any("issuer" in e.lower() for e in result["errors"]), result


def _sign_ignoring_undefined_terms(
    credential: dict[str, Any], key: keys.SigningKey
) -> dict[str, Any]:
    """What a naive pyld signer would do: undefined terms silently dropped (PITFALLS 1)."""
    proof = {
        "type": "DataIntegrityProof",
        "created": "2025-01-02T00:00:00Z",
        "verificationMethod": vm_of(key),
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    }
    config = {**proof, "@context": credential["@context"]}
    data = (
        hashlib.sha256(jsonld.canonicalize(config, check_terms=False).encode()).digest()
        + hashlib.sha256(jsonld.canonicalize(credential, check_terms=False).encode()).digest()
    )
    proof["proofValue"] = "z" + base58.b58encode(key.sign(data)).decode()
    return {**credential, "proof": [proof]}


def test_undefined_term_rejected_by_js_and_badger(ed_key: keys.SigningKey) -> None:
    cred = make_credential()
    cred["credentialSubject"]["niveauFrancais"] = "B1"  # defined by no context
    with pytest.raises(jsonld.UndefinedTermError):
        badger_sign(cred, ed_key)
    naive = _sign_ignoring_undefined_terms(cred, ed_key)
    result = js_verify_di(naive, controller_docs(ed_key))
    assert result["verified"] is False
    assert any("safe mode" in e.lower() for e in result["errors"]), result
    report = verify_credential(naive, resolver=StaticResolver(controller_docs(ed_key)))
    assert not report.verified
    # control: the same naive signer without the undefined term is accepted by both
    clean = _sign_ignoring_undefined_terms(make_credential(), ed_key)
    assert js_verify_di(clean, controller_docs(ed_key))["verified"] is True
    assert verify_credential(clean, resolver=StaticResolver(controller_docs(ed_key))).verified


def test_validity_window_enforced_by_js_and_badger(ed_key: keys.SigningKey) -> None:
    signed = badger_sign(make_credential(valid_until="2025-06-01T00:00:00Z"), ed_key)
    docs = controller_docs(ed_key)
    assert js_verify_di(signed, docs, now="2025-03-01T00:00:00Z")["verified"] is True
    late = js_verify_di(signed, docs, now="2025-07-01T00:00:00Z")
    assert late["verified"] is False, late
    early = js_verify_di(signed, docs, now="2024-07-01T00:00:00Z")
    assert early["verified"] is False, early
    when = datetime(2025, 7, 1, tzinfo=UTC)
    assert not verify_credential(signed, resolver=StaticResolver(docs), now=when).verified


# --------------------------------------------------------------------------- status lists


def _status_setup(
    key: keys.SigningKey, *, revoked: bool, purpose: str = "revocation"
) -> tuple[dict[str, Any], dict[str, Any]]:
    index = statuslist.allocate_index(set(), statuslist.MIN_LIST_SIZE, random.Random(3))
    entry = statuslist.status_entry(list_url=LIST_URL, index=index, purpose=purpose)
    credential = badger_sign(make_credential(credential_status=entry), key)
    bits = statuslist.new_bitstring()
    if revoked:
        bits = statuslist.set_bit(bits, index, True)
    status_list = statuslist.build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER_ID,
        purpose=purpose,
        bits=bits,
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    signed_list = badger_sign(status_list, key)
    documents = {**controller_docs(key), LIST_URL: signed_list}
    return credential, documents


def test_status_list_not_revoked_in_js_and_badger(ed_key: keys.SigningKey) -> None:
    credential, documents = _status_setup(ed_key, revoked=False)
    result = js_verify_di(credential, documents)
    assert result["verified"] is True, result
    assert result["status"]["verified"] is True
    assert verify_credential(credential, resolver=StaticResolver(documents)).verified


def test_status_list_revoked_in_js_and_badger(ed_key: keys.SigningKey) -> None:
    credential, documents = _status_setup(ed_key, revoked=True)
    result = js_verify_di(credential, documents)
    assert result["verified"] is False
    assert "revocation" in json.dumps(result["status"]), result
    assert not verify_credential(credential, resolver=StaticResolver(documents)).verified


def test_status_list_suspension_in_js(ed_key: keys.SigningKey) -> None:
    credential, documents = _status_setup(ed_key, revoked=True, purpose="suspension")
    assert js_verify_di(credential, documents)["verified"] is False
    credential, documents = _status_setup(ed_key, revoked=False, purpose="suspension")
    assert js_verify_di(credential, documents)["verified"] is True


def test_status_list_unavailable_is_not_verified(ed_key: keys.SigningKey) -> None:
    credential, documents = _status_setup(ed_key, revoked=False)
    del documents[LIST_URL]
    result = js_verify_di(credential, documents)
    assert result["verified"] is False
    assert "status unknown" in json.dumps(result), result
    assert not verify_credential(credential, resolver=StaticResolver(documents)).verified


def test_status_list_tampered_list_fails(ed_key: keys.SigningKey) -> None:
    credential, documents = _status_setup(ed_key, revoked=True)
    forged = copy.deepcopy(documents[LIST_URL])
    forged["credentialSubject"]["encodedList"] = statuslist.encode_list(statuslist.new_bitstring())
    documents[LIST_URL] = forged
    result = js_verify_di(credential, documents)
    assert result["verified"] is False
    assert "does not verify" in json.dumps(result), result
    assert not verify_credential(credential, resolver=StaticResolver(documents)).verified


# --------------------------------------------------------------------------- JWT badger -> jose


@pytest.mark.parametrize("alg", ["RS256", "ES256", "Ed25519"])
def test_badger_jwt_verifies_with_jose(alg: str) -> None:
    key = keys.generate_key(alg)
    cred = make_credential(valid_until="2035-01-01T00:00:00Z")
    token = jwt.sign_jwt(cred, key, kid=f"{JWKS_URL}#{key.key_id}")
    result = run_node(
        "verify-jwt.mjs", {"jwt": token, "jwks": dids.jwks([key]), "now": FIXED_NOW_ISO}
    )
    assert result["verified"] is True, result
    assert result["claimsMatch"] is True
    payload = result["payload"]
    assert payload["iss"] == ISSUER_ID
    assert payload["jti"] == cred["id"]
    assert payload["sub"] == cred["credentialSubject"]["id"]
    assert result["protectedHeader"]["alg"] == key.algorithm.jws_alg
    assert set(result["protectedHeader"]) <= {"alg", "kid", "typ", "jwk"}


@pytest.mark.parametrize("alg", ["RS256", "ES256", "Ed25519"])
def test_badger_jwt_tampered_fails_with_jose(alg: str) -> None:
    key = keys.generate_key(alg)
    token = jwt.sign_jwt(make_credential(), key, kid=f"{JWKS_URL}#{key.key_id}")
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["credentialSubject"]["achievement"]["name"] = "Autre"
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    result = run_node(
        "verify-jwt.mjs", {"jwt": f"{head}.{forged_body}.{sig}", "jwks": dids.jwks([key])}
    )
    assert result["verified"] is False
    other = keys.generate_key(alg)
    result = run_node("verify-jwt.mjs", {"jwt": token, "jwks": dids.jwks([other])})
    assert result["verified"] is False


def test_badger_jwt_with_embedded_jwk_verifies_with_jose() -> None:
    key = keys.generate_key("ES256")
    token = jwt.sign_jwt(make_credential(), key, embed_jwk=True)
    result = run_node("verify-jwt.mjs", {"jwt": token, "jwks": dids.jwks([key])})
    assert result["verified"] is True, result
    assert "jwk" in result["protectedHeader"] and "kid" not in result["protectedHeader"]
    assert "d" not in result["protectedHeader"]["jwk"]


def test_badger_jwt_expired_refused_by_jose() -> None:
    key = keys.generate_key("RS256")
    cred = make_credential(valid_until="2025-06-01T00:00:00Z")
    token = jwt.sign_jwt(cred, key, kid=f"{JWKS_URL}#{key.key_id}")
    jwks = dids.jwks([key])
    ok = run_node("verify-jwt.mjs", {"jwt": token, "jwks": jwks, "now": "2025-03-01T00:00:00Z"})
    assert ok["verified"] is True, ok
    late = run_node("verify-jwt.mjs", {"jwt": token, "jwks": jwks, "now": "2025-07-01T00:00:00Z"})
    assert late["verified"] is False
    assert "exp" in (late["error"] or ""), late


# --------------------------------------------------------------------------- JS -> badger


def test_js_signed_di_verifies_with_badger() -> None:
    seed = os.urandom(32)
    py_key = keys.SigningKey(
        "js-key",
        keys.KeyAlgorithm.ED25519,
        ed25519.Ed25519PrivateKey.from_private_bytes(seed),
        datetime.now(UTC),
    )
    out = run_node(
        "sign-di.mjs",
        {
            "credential": make_credential(),
            "seedHex": seed.hex(),
            "controller": ISSUER_ID,
            "created": "2025-01-02T03:04:05Z",
        },
    )
    assert "error" not in out, out
    assert out["publicKeyMultibase"] == py_key.public_key_multibase()
    signed = out["credential"]
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    documents = controller_docs(py_key)
    # the JS output verifies in JS (sanity) and in badger
    assert js_verify_di(signed, documents)["verified"] is True
    report = verify_credential(signed, resolver=StaticResolver(documents))
    assert report.verified, report.to_dict()
    proof = dataintegrity.verify_proof(
        signed, StaticResolver(documents), expected_controller=ISSUER_ID
    )
    assert proof.verified
    # and badger rejects it once tampered
    signed["credentialSubject"]["achievement"]["description"] = "Modifié"
    assert not verify_credential(signed, resolver=StaticResolver(documents)).verified


def test_js_and_badger_signatures_are_identical() -> None:
    # eddsa is deterministic: same key, same document, same created -> same proofValue.
    seed = os.urandom(32)
    py_key = keys.SigningKey(
        "k",
        keys.KeyAlgorithm.ED25519,
        ed25519.Ed25519PrivateKey.from_private_bytes(seed),
        datetime.now(UTC),
    )
    cred = make_credential()
    created = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    ours = dataintegrity.sign(cred, py_key, vm_of(py_key), created=created)
    theirs = run_node(
        "sign-di.mjs",
        {
            "credential": cred,
            "seedHex": seed.hex(),
            "controller": ISSUER_ID,
            "created": "2025-01-02T03:04:05Z",
        },
    )["credential"]
    assert ours["proof"][0]["proofValue"] == theirs["proof"]["proofValue"]


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
@pytest.mark.parametrize("embed", [False, True])
def test_jose_signed_jwt_verifies_with_badger(alg: str, embed: bool) -> None:
    cred = make_credential(valid_until="2035-01-01T00:00:00Z")
    out = run_node(
        "sign-jwt.mjs",
        {"credential": cred, "alg": alg, "kidPrefix": f"{JWKS_URL}#", "embedJwk": embed},
    )
    assert "error" not in out, out
    token = out["jwt"]
    resolver = StaticResolver({JWKS_URL: {"keys": [out["publicJwk"]]}})
    result = jwt.verify_jwt(token, resolver, now=FIXED_NOW)
    assert result.credential["id"] == cred["id"]
    if not embed:
        report = verify_credential(token, resolver=resolver, now=FIXED_NOW)
        assert report.verified, report.to_dict()
    # tampered payload: badger refuses
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["name"] = "forged"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(jwt.JwtError):
        jwt.verify_jwt(f"{head}.{forged}.{sig}", resolver)


# --------------------------------------------------------------------------- baked images


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (32, 32), (0, 120, 80, 255)).save(buf, "PNG")
    return buf.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">'
    b'<circle cx="16" cy="16" r="15" fill="#075"/></svg>'
)


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_baked_di_unbaked_by_badger_verifies_in_js(ed_key: keys.SigningKey, fmt: str) -> None:
    signed = badger_sign(make_credential(), ed_key)
    payload = json.dumps(signed, ensure_ascii=False)
    baked = baking.bake_png(_png(), payload) if fmt == "png" else baking.bake_svg(SVG, payload)
    text = baking.unbake(baked)
    assert text is not None
    result = js_verify_di(json.loads(text), controller_docs(ed_key))
    assert result["verified"] is True, result
    assert verify_credential(baked, resolver=StaticResolver(controller_docs(ed_key))).verified


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_baked_jwt_unbaked_by_badger_verifies_with_jose(fmt: str) -> None:
    key = keys.generate_key("RS256")
    token = jwt.sign_jwt(make_credential(), key, kid=f"{JWKS_URL}#{key.key_id}")
    baked = baking.bake_png(_png(), token) if fmt == "png" else baking.bake_svg(SVG, token)
    text = baking.unbake(baked)
    assert text == token
    result = run_node("verify-jwt.mjs", {"jwt": text, "jwks": dids.jwks([key])})
    assert result["verified"] is True, result


def test_js_signed_baked_png_verifies_with_badger() -> None:
    seed = os.urandom(32)
    py_key = keys.SigningKey(
        "js",
        keys.KeyAlgorithm.ED25519,
        ed25519.Ed25519PrivateKey.from_private_bytes(seed),
        datetime.now(UTC),
    )
    out = run_node(
        "sign-di.mjs",
        {"credential": make_credential(), "seedHex": seed.hex(), "controller": ISSUER_ID},
    )
    baked = baking.bake_png(_png(), json.dumps(out["credential"]))
    report = verify_credential(baked, resolver=StaticResolver(controller_docs(py_key)))
    assert report.verified, report.to_dict()
