"""VC-JWT (Open Badges 3.0 §8.2): the credential as a JWS-signed JWT payload.

Why: RS256 VC-JWT is the proof format every conformant verifier supports (FACTS 3.1). The spec
is stricter than generic JWT libraries: the header may carry only ``alg``, ``kid`` or ``jwk``
and ``typ: "JWT"``; the registered claims must repeat the credential's own fields (``iss`` =
issuer id, ``jti`` = id, ``nbf`` = validFrom, ``sub`` = subject id, ``exp`` = validUntil) and
a verifier must reject any mismatch. A ``vc`` claim marks a VCDM 1.1 credential.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt as pyjwt

from . import safejson
from .dataintegrity import format_datetime, issuer_id, parse_datetime
from .keys import KeyAlgorithm, KeyMaterialError, PublicKey, SigningKey, public_key_from_jwk
from .resolver import KeyRejectedError, ResolutionError, ResolvedKey, Resolver, resolve_jwt_kid

__all__ = [
    "ALLOWED_ALGS",
    "ALLOWED_HEADER_PARAMS",
    "JwtError",
    "JwtResult",
    "is_compact_jws",
    "sign_jwt",
    "verify_jwt",
]

ALLOWED_HEADER_PARAMS = frozenset({"alg", "kid", "jwk", "typ"})
ALLOWED_ALGS = {
    "RS256": KeyAlgorithm.RS256,
    "ES256": KeyAlgorithm.ES256,
    "EdDSA": KeyAlgorithm.ED25519,
}
#: Real JOSE signature algorithms badger does not implement: a VC-JWT signed with one is "could
#: not check" (code ``jwt_alg_unsupported``), not forged. ``none`` and the HMAC algorithms stay
#: refused outright (``jwt_alg``): they prove nothing about an issuer.
UNSUPPORTED_ALGS = frozenset(
    {"RS384", "RS512", "PS256", "PS384", "PS512", "ES384", "ES512", "ES256K", "Ed25519", "Ed448"}
)


class JwtError(ValueError):
    """The JWT is malformed, its signature is invalid or its claims contradict the credential."""

    def __init__(self, message: str, code: str = "jwt_invalid") -> None:
        super().__init__(message)
        self.code = code


def is_compact_jws(text: str) -> bool:
    """True if ``text`` looks like a compact JWS (three base64url segments)."""
    parts = text.strip().split(".")
    if len(parts) != 3 or not parts[0] or not parts[2]:
        return False
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    return all(set(p) <= alphabet for p in parts)


def _numeric_date(value: Any, name: str) -> int:
    parsed = parse_datetime(value)
    if parsed is None:
        raise JwtError(f"{name} is not a valid date-time with timezone", "jwt_claims")
    return int(parsed.timestamp())


def _subject_id(credential: Mapping[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        return str(subject["id"])
    return None


def sign_jwt(
    credential: Mapping[str, Any],
    key: SigningKey,
    *,
    kid: str | None = None,
    embed_jwk: bool = False,
) -> str:
    """Compact JWS of ``credential`` (its embedded ``proof``, if any, is dropped).

    ``kid`` should be a dereferenceable URL (JWKS ``...#<kid>``, JWK URL or DID URL); with
    ``embed_jwk`` the public JWK goes in the header instead (then ``kid`` is omitted).
    """
    if key.retired:
        raise JwtError(f"key {key.key_id} is retired and must not sign", "key_retired")
    if not embed_jwk and not kid:
        raise JwtError("a kid or an embedded jwk is required", "jwt_header")
    payload: dict[str, Any] = {k: copy.deepcopy(v) for k, v in credential.items() if k != "proof"}
    iss = issuer_id(credential)
    if not iss or not isinstance(credential.get("id"), str):
        raise JwtError("the credential needs an id and an issuer id", "jwt_claims")
    payload["iss"] = iss
    payload["jti"] = credential["id"]
    payload["nbf"] = _numeric_date(credential.get("validFrom"), "validFrom")
    sub = _subject_id(credential)
    if sub:
        payload["sub"] = sub
    if credential.get("validUntil") is not None:
        payload["exp"] = _numeric_date(credential["validUntil"], "validUntil")
    header: dict[str, Any] = {"typ": "JWT"}
    if embed_jwk:
        header["jwk"] = {k: v for k, v in key.public_jwk().items() if k != "d"}
    else:
        header["kid"] = kid
    alg = key.algorithm.jws_alg
    # PyJWT adds 'alg' and 'typ'; we pass only allowed members.
    return pyjwt.encode(payload, key.private_key, algorithm=alg, headers=header)


@dataclass(frozen=True, slots=True)
class JwtResult:
    """A verified VC-JWT: the credential, its header and claims and the key used."""

    credential: dict[str, Any]
    header: dict[str, Any]
    claims: dict[str, Any]
    key: ResolvedKey
    vc_version: str  # '2.0' or '1.1'
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _b64_json(segment: str, what: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = safejson.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise JwtError(f"the JWT {what} is not base64url JSON", "jwt_malformed") from exc
    if not isinstance(value, dict):
        raise JwtError(f"the JWT {what} is not a JSON object", "jwt_malformed")
    return value


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS, without checking anything (for display only)."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise JwtError("not a compact JWS", "jwt_malformed")
    return _b64_json(parts[0], "header"), _b64_json(parts[1], "payload")


def _credential_from_payload(payload: dict[str, Any]) -> tuple[dict[str, Any], str]:
    registered = {"iss", "jti", "nbf", "sub", "exp", "iat", "aud"}
    if "vc" in payload:
        vc = payload["vc"]
        if not isinstance(vc, dict):
            raise JwtError("the 'vc' claim is not an object", "jwt_malformed")
        credential = copy.deepcopy(vc)
        ctx = credential.get("@context")
        first = ctx[0] if isinstance(ctx, list) and ctx else ctx
        if first != "https://www.w3.org/2018/credentials/v1":
            raise JwtError("a 'vc' claim must hold a VCDM 1.1 credential", "jwt_claims")
        # VC-JWT 1.1 claim mapping: claims fill in fields the vc object may omit.
        if "jti" in payload and "id" not in credential:
            credential["id"] = payload["jti"]
        if "iss" in payload and "issuer" not in credential:
            credential["issuer"] = payload["iss"]
        if "nbf" in payload and "issuanceDate" not in credential:
            credential["issuanceDate"] = format_datetime(
                datetime.fromtimestamp(int(payload["nbf"]), UTC)
            )
        if "exp" in payload and "expirationDate" not in credential:
            credential["expirationDate"] = format_datetime(
                datetime.fromtimestamp(int(payload["exp"]), UTC)
            )
        subj = credential.get("credentialSubject")
        if "sub" in payload and isinstance(subj, dict) and "id" not in subj:
            subj["id"] = payload["sub"]
        return credential, "1.1"
    credential = {k: copy.deepcopy(v) for k, v in payload.items() if k not in registered}
    return credential, "2.0"


def _check_claims(
    payload: Mapping[str, Any],
    credential: Mapping[str, Any],
    version: str,
    now: datetime | None,
) -> list[str]:
    warnings: list[str] = []
    valid_from_key = "issuanceDate" if version == "1.1" else "validFrom"
    valid_until_key = "expirationDate" if version == "1.1" else "validUntil"
    iss = issuer_id(credential)
    if payload.get("iss") != iss:
        raise JwtError(
            f"iss {payload.get('iss')!r} does not match the issuer {iss!r}", "jwt_claim_iss"
        )
    if payload.get("jti") != credential.get("id"):
        raise JwtError("jti does not match the credential id", "jwt_claim_jti")
    sub = _subject_id(credential)
    if sub is not None and payload.get("sub") != sub:
        raise JwtError("sub does not match credentialSubject.id", "jwt_claim_sub")
    if sub is None and "sub" in payload:
        raise JwtError("sub is set but the credential subject has no id", "jwt_claim_sub")
    nbf = payload.get("nbf")
    if isinstance(nbf, bool) or not isinstance(nbf, int | float):
        raise JwtError("nbf is missing or not a NumericDate", "jwt_claim_nbf")
    if int(nbf) != _numeric_date(credential.get(valid_from_key), valid_from_key):
        raise JwtError(f"nbf does not match {valid_from_key}", "jwt_claim_nbf")
    if now is not None and datetime.fromtimestamp(nbf, UTC) > now:
        raise JwtError("the JWT is not valid yet (nbf in the future)", "not_yet_valid")
    exp = payload.get("exp")
    until = credential.get(valid_until_key)
    if exp is not None:
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            raise JwtError("exp is not a NumericDate", "jwt_claim_exp")
        if until is not None and int(exp) != _numeric_date(until, valid_until_key):
            raise JwtError(f"exp does not match {valid_until_key}", "jwt_claim_exp")
        if until is None:
            warnings.append(f"exp is set but the credential has no {valid_until_key}")
        if now is not None and datetime.fromtimestamp(exp, UTC) <= now:
            raise JwtError("the JWT has expired", "expired")
    elif until is not None:
        raise JwtError(f"{valid_until_key} is set but exp is missing", "jwt_claim_exp")
    return warnings


def verify_jwt(
    token: str,
    resolver: Resolver | None,
    *,
    now: datetime | None = None,
    check_time: bool = True,
) -> JwtResult:
    """Verify a VC-JWT and return its credential; raises :class:`JwtError` on any problem.

    Refused: unexpected header parameters (``crit``, ``jku``, ``x5u``...), ``alg`` other than
    RS256/ES256/EdDSA (``none`` included), an embedded ``jwk`` with private members, a key
    whose type does not match ``alg``, and any claim that contradicts the credential. With
    ``check_time=False`` a JWT outside its nbf/exp window is returned anyway (the caller
    reports validity separately, as :func:`badger.ob3.verify.verify_credential` does).
    """
    when = (now or datetime.now(UTC)) if check_time else None
    header, payload = decode_unverified(token)
    extra = set(header) - ALLOWED_HEADER_PARAMS
    if extra:
        raise JwtError(f"JOSE header parameters not allowed: {sorted(extra)}", "jwt_header")
    alg = header.get("alg")
    if isinstance(alg, str) and alg in UNSUPPORTED_ALGS:
        raise JwtError(f"JWT alg {alg!r} is not supported by this verifier", "jwt_alg_unsupported")
    if not isinstance(alg, str) or alg not in ALLOWED_ALGS:
        raise JwtError(f"JWT alg {alg!r} is not accepted", "jwt_alg")
    if "typ" in header and header["typ"] != "JWT":
        raise JwtError("JWT typ must be 'JWT'", "jwt_header")
    has_kid, has_jwk = "kid" in header, "jwk" in header
    if has_kid == has_jwk:
        raise JwtError("the header needs exactly one of kid or jwk", "jwt_header")
    resolved: ResolvedKey
    if has_jwk:
        jwk = header["jwk"]
        if not isinstance(jwk, dict):
            raise JwtError("header jwk must be an object", "jwt_header")
        if "d" in jwk:
            raise JwtError("the header jwk contains a private key", "jwt_header")
        try:
            pub: PublicKey = public_key_from_jwk(jwk)
            alg_of_key = KeyAlgorithm.of(pub)
        except KeyMaterialError as exc:
            raise JwtError(f"invalid header jwk: {exc}", "jwt_header") from exc
        ctrl = jwk.get("iss")
        resolved = ResolvedKey(
            pub, ctrl if isinstance(ctrl, str) else None, alg_of_key, "embedded-jwk", ""
        )
    else:
        kid = header["kid"]
        if not isinstance(kid, str) or not kid:
            raise JwtError("kid must be a non-empty string", "jwt_header")
        try:
            resolved = resolve_jwt_kid(kid, resolver)
        except KeyRejectedError as exc:
            raise JwtError(f"the JWT key was rejected: {exc}", "key_rejected") from exc
        except ResolutionError as exc:
            raise JwtError(f"the JWT key could not be resolved: {exc}", "key_unresolved") from exc
    if resolved.algorithm is not ALLOWED_ALGS[alg]:
        raise JwtError(f"alg {alg} does not match the {resolved.algorithm} key", "jwt_alg")
    try:
        pyjwt.PyJWS().decode(
            token.strip(),
            key=resolved.public_key,
            algorithms=[alg],
        )
    except pyjwt.InvalidSignatureError as exc:
        raise JwtError("the JWT signature is invalid", "signature_invalid") from exc
    except pyjwt.PyJWTError as exc:
        raise JwtError(f"the JWT could not be verified: {exc}", "jwt_invalid") from exc
    credential, version = _credential_from_payload(payload)
    warnings = _check_claims(payload, credential, version, when)
    return JwtResult(credential, header, payload, resolved, version, tuple(warnings))
