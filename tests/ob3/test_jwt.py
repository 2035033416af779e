"""VC-JWT: header rules, claim/credential consistency, key resolution, VC 1.1 ``vc`` claim."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import jwt as pyjwt
import pytest

from badger.ob3 import JwtError, StaticResolver, jwks, sign_jwt, verify_credential, verify_jwt
from badger.ob3.dids import did_jwk_encode, did_key_from_public_key

from ._factory import ISSUER_ID, NOW, credential, key

JWKS_URL = "https://badges.example.fr/.well-known/jwks.json"
ALGS = ["Ed25519", "RS256", "ES256"]


def _b64(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    h, p, _ = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return json.loads(base64.urlsafe_b64decode(pad(h))), json.loads(
        base64.urlsafe_b64decode(pad(p))
    )


def _jwks_resolver(*algs: str) -> StaticResolver:
    return StaticResolver({JWKS_URL: jwks([key(a) for a in algs])})


def _kid(alg: str) -> str:
    return f"{JWKS_URL}#{key(alg).key_id}"


@pytest.mark.parametrize("alg", ALGS)
def test_round_trip_with_jwks_kid(alg: str) -> None:
    cred = credential(subject_id="did:example:ana", valid_until="2030-01-01T00:00:00Z")
    token = sign_jwt(cred, key(alg), kid=_kid(alg))
    header, payload = _parts(token)
    assert header == {"alg": key(alg).algorithm.jws_alg, "kid": _kid(alg), "typ": "JWT"}
    assert payload["iss"] == ISSUER_ID and payload["jti"] == cred["id"]
    assert payload["sub"] == "did:example:ana"
    assert payload["nbf"] == int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    assert payload["exp"] == int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())
    result = verify_jwt(token, _jwks_resolver(alg), now=NOW)
    assert result.credential == cred and result.vc_version == "2.0"
    report = verify_credential(token, resolver=_jwks_resolver(alg), now=NOW)
    assert report.format == "jwt" and report.verified, report.to_dict()["checks"]
    binding = report.check("issuer_binding")
    assert binding is not None and binding.code == "kid_authority"


@pytest.mark.parametrize("alg", ALGS)
def test_round_trip_with_embedded_jwk(alg: str) -> None:
    token = sign_jwt(credential(), key(alg), embed_jwk=True)
    header, payload = _parts(token)
    assert set(header) == {"alg", "jwk", "typ"} and "d" not in header["jwk"]
    assert "sub" not in payload  # the subject only has a hashed identifier
    assert verify_jwt(token, None, now=NOW).credential == credential()


def test_proof_is_dropped_from_payload() -> None:
    from ._factory import signed

    token = sign_jwt(signed(), key("RS256"), embed_jwk=True)
    assert "proof" not in _parts(token)[1]


def test_tampered_payload_fails() -> None:
    token = sign_jwt(credential(), key("RS256"), kid=_kid("RS256"))
    h, _, s = token.split(".")
    _, payload = _parts(token)
    payload["name"] = "Autre"
    with pytest.raises(JwtError) as err:
        verify_jwt(f"{h}.{_b64(payload)}.{s}", _jwks_resolver("RS256"), now=NOW)
    assert err.value.code == "signature_invalid"


def test_wrong_key_fails() -> None:
    token = sign_jwt(credential(), key("RS256", 1), kid=_kid("RS256"))
    with pytest.raises(JwtError, match="signature"):
        verify_jwt(token, _jwks_resolver("RS256"), now=NOW)


def _forge(
    payload: dict[str, Any], alg: str = "RS256", header: dict[str, Any] | None = None
) -> str:
    k = key(alg)
    hdr = header if header is not None else {"kid": _kid(alg)}
    return pyjwt.encode(payload, k.private_key, algorithm=k.algorithm.jws_alg, headers=hdr)


def _payload(**changes: Any) -> dict[str, Any]:
    cred = credential(subject_id="did:example:ana", valid_until="2030-01-01T00:00:00Z")
    payload = {
        **cred,
        "iss": ISSUER_ID,
        "jti": cred["id"],
        "sub": "did:example:ana",
        "nbf": int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()),
        "exp": int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()),
    }
    for k, v in changes.items():
        if v is None:
            payload.pop(k, None)
        else:
            payload[k] = v
    return payload


def test_forged_but_consistent_payload_verifies() -> None:
    # sanity check for the mismatch tests below: the baseline passes
    assert verify_jwt(_forge(_payload()), _jwks_resolver("RS256"), now=NOW)


@pytest.mark.parametrize(
    ("claim", "value", "code"),
    [
        ("iss", "https://evil.example.com/", "jwt_claim_iss"),
        ("iss", None, "jwt_claim_iss"),
        ("jti", "urn:uuid:00000000-0000-4000-8000-000000000000", "jwt_claim_jti"),
        ("jti", None, "jwt_claim_jti"),
        ("sub", "did:example:bob", "jwt_claim_sub"),
        ("sub", None, "jwt_claim_sub"),
        ("nbf", 1_600_000_000, "jwt_claim_nbf"),
        ("nbf", None, "jwt_claim_nbf"),
        ("exp", 1_900_000_000, "jwt_claim_exp"),
        ("exp", None, "jwt_claim_exp"),
    ],
)
def test_claim_mismatch_rejected(claim: str, value: Any, code: str) -> None:
    token = _forge(_payload(**{claim: value}))
    with pytest.raises(JwtError) as err:
        verify_jwt(token, _jwks_resolver("RS256"), now=NOW)
    assert err.value.code == code


def test_time_window_enforced_unless_disabled() -> None:
    token = sign_jwt(
        credential(valid_until="2025-03-01T00:00:00Z"), key("RS256"), kid=_kid("RS256")
    )
    with pytest.raises(JwtError) as err:
        verify_jwt(token, _jwks_resolver("RS256"), now=NOW)
    assert err.value.code == "expired"
    assert verify_jwt(token, _jwks_resolver("RS256"), now=NOW, check_time=False)
    early = datetime(2024, 12, 1, tzinfo=UTC)
    with pytest.raises(JwtError) as err2:
        verify_jwt(token, _jwks_resolver("RS256"), now=early)
    assert err2.value.code == "not_yet_valid"


def test_alg_none_refused() -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_payload())}."
    with pytest.raises(JwtError):
        verify_jwt(token, _jwks_resolver("RS256"), now=NOW)
    token2 = f"{_b64({'alg': 'none', 'kid': _kid('RS256')})}.{_b64(_payload())}.c2ln"
    with pytest.raises(JwtError) as err:
        verify_jwt(token2, _jwks_resolver("RS256"), now=NOW)
    assert err.value.code == "jwt_alg"


def test_hs256_with_public_key_refused() -> None:
    token = f"{_b64({'alg': 'HS256', 'kid': _kid('RS256')})}.{_b64(_payload())}.c2ln"
    with pytest.raises(JwtError) as err:
        verify_jwt(token, _jwks_resolver("RS256"), now=NOW)
    assert err.value.code == "jwt_alg"


def test_alg_must_match_key_type() -> None:
    # an ES256-signed token pointing at the RSA key id
    token = _forge(_payload(), alg="ES256", header={"kid": _kid("RS256")})
    with pytest.raises(JwtError) as err:
        verify_jwt(token, _jwks_resolver("RS256", "ES256"), now=NOW)
    assert err.value.code == "jwt_alg"


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": "https://evil.example/jwks"},
        {"crit": ["exp"]},
        {"x5u": "https://evil.example/c"},
        {"cty": "vc"},
    ],
)
def test_unexpected_header_parameters_refused(extra: dict[str, Any]) -> None:
    token = _forge(_payload(), header={"kid": _kid("RS256"), **extra})
    with pytest.raises(JwtError) as err:
        verify_jwt(token, _jwks_resolver("RS256"), now=NOW)
    assert err.value.code == "jwt_header"


def test_typ_other_than_jwt_refused() -> None:
    token = _forge(_payload(), header={"kid": _kid("RS256"), "typ": "vc+jwt"})
    with pytest.raises(JwtError, match="typ"):
        verify_jwt(token, _jwks_resolver("RS256"), now=NOW)


def test_embedded_jwk_with_private_member_refused() -> None:
    k = key("ES256")
    jwk = k.public_jwk()
    jwk["d"] = (
        base64.urlsafe_b64encode(
            k.private_key.private_numbers().private_value.to_bytes(32, "big")  # type: ignore[union-attr]
        )
        .rstrip(b"=")
        .decode()
    )
    token = _forge(_payload(), alg="ES256", header={"jwk": jwk})
    with pytest.raises(JwtError, match="private"):
        verify_jwt(token, None, now=NOW)


def test_kid_and_jwk_together_or_neither_refused() -> None:
    k = key("RS256")
    with pytest.raises(JwtError):
        verify_jwt(_forge(_payload(), header={"kid": _kid("RS256"), "jwk": k.public_jwk()}), None)
    with pytest.raises(JwtError):
        verify_jwt(_forge(_payload(), header={}), None)


def test_kid_as_single_jwk_url_and_as_dids() -> None:
    k = key("ES256")
    url = "https://badges.example.fr/keys/es256.json"
    token = sign_jwt(credential(), k, kid=url)
    assert verify_jwt(token, StaticResolver({url: k.public_jwk()}), now=NOW)
    # did:jwk
    did = did_jwk_encode(k.public_key)
    assert verify_jwt(sign_jwt(credential(), k, kid=did + "#0"), None, now=NOW)
    # did:key (Ed25519)
    e = key("Ed25519")
    did_key = did_key_from_public_key(e.public_key)
    kid = f"{did_key}#{did_key.removeprefix('did:key:')}"
    token = sign_jwt(credential(issuer=did_key), e, kid=kid)
    report = verify_credential(token, resolver=StaticResolver(), now=NOW)
    binding = report.check("issuer_binding")
    assert report.verified and binding is not None and binding.code == "did_matches"


def test_unresolvable_kid_is_unknown_not_failed() -> None:
    token = sign_jwt(credential(), key("RS256"), kid=_kid("RS256"))
    report = verify_credential(token, resolver=StaticResolver(), now=NOW)
    proof = report.check("proof")
    assert proof is not None and proof.state == "unknown" and not report.verified


def test_vc11_vc_claim_accepted() -> None:
    cred = credential(subject_id="did:example:ana")
    vc = {k: v for k, v in cred.items() if k not in {"validFrom", "awardedDate"}}
    vc["@context"] = ["https://www.w3.org/2018/credentials/v1", cred["@context"][1]]
    vc["issuanceDate"] = "2025-01-01T00:00:00Z"
    payload = {
        "vc": vc,
        "iss": ISSUER_ID,
        "jti": cred["id"],
        "sub": "did:example:ana",
        "nbf": int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()),
    }
    token = _forge(payload)
    result = verify_jwt(token, _jwks_resolver("RS256"), now=NOW)
    assert (
        result.vc_version == "1.1" and result.credential["issuanceDate"] == "2025-01-01T00:00:00Z"
    )
    report = verify_credential(token, resolver=_jwks_resolver("RS256"), now=NOW)
    assert report.vc_version == "1.1" and report.verified, report.to_dict()["checks"]
    # a vc claim holding a VCDM 2.0 credential is refused
    with pytest.raises(JwtError):
        verify_jwt(_forge({**payload, "vc": cred}), _jwks_resolver("RS256"), now=NOW)


def test_jwk_iss_member_must_match_issuer() -> None:
    k = key("RS256")
    jwk = {**k.public_jwk(), "iss": "https://other-issuer.example"}
    token = sign_jwt(credential(), k, kid=_kid("RS256"))
    report = verify_credential(token, resolver=StaticResolver({JWKS_URL: {"keys": [jwk]}}), now=NOW)
    binding = report.check("issuer_binding")
    assert binding is not None and binding.state == "failed" and not report.verified
