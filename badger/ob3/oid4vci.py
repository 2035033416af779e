"""OpenID for Verifiable Credential Issuance 1.0: the wallet's proof of possession.

A wallet asking for a credential proves it holds a key by signing a short JWT (the "key
proof", OID4VCI 1.0 §8.2.1.1 and Appendix F.1) over the issuer's fresh ``c_nonce``; the
credential is then bound to that key (``credentialSubject.id`` = the key's DID). This module
checks such a proof and says which DID it proves; the issuer (``badger.wallet``) checks the
nonce is one it gave and not spent.

What is accepted, and why:

* ``alg`` EdDSA (Ed25519) or ES256 (P-256): the keys wallets hold; never ``none``, HMAC or RSA.
* the key is named by ``kid`` as a ``did:key`` or ``did:jwk`` DID URL (the key is the DID, so
  nothing is fetched and nothing is believed), or given as a ``jwk`` header (the holder is then
  the ``did:jwk`` of that key). ``x5c``, ``trust_chain`` and DIDs that need resolving are refused.
* ``typ`` is ``openid4vci-proof+jwt`` when present. Some deployed clients (Digital Bazaar's
  ``@digitalbazaar/oid4-client``) omit it; accepting its absence opens nothing, since ``aud``
  and the single-use nonce already tie the JWT to this request.
* ``aud`` names this credential issuer; ``nonce`` is a string; ``iat`` (or, from clients that
  omit it, ``nbf``) is no later than now plus a minute's clock skew and no older than
  ``max_age``; ``exp``, when present, has not passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt as pyjwt

from badger.ob3.dids import DidError, did_jwk_decode, did_jwk_encode, did_key_to_public_key
from badger.ob3.jwt import decode_unverified
from badger.ob3.keys import KeyAlgorithm, KeyMaterialError, PublicKey, public_key_from_jwk

PROOF_TYPE = "openid4vci-proof+jwt"
#: JOSE algorithm → the key algorithm it must be used with.
PROOF_ALGORITHMS = {"EdDSA": KeyAlgorithm.ED25519, "ES256": KeyAlgorithm.ES256}
CLOCK_SKEW = 60


class KeyProofError(ValueError):
    """A key proof that does not prove possession; ``code`` is OID4VCI's error code."""

    def __init__(self, message: str, code: str = "invalid_proof") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class KeyProof:
    """A checked key proof: the holder's DID (did:key or did:jwk) and the nonce it answers."""

    holder: str
    nonce: str
    public_key: PublicKey


def _holder_key(header: Mapping[str, Any]) -> tuple[str, PublicKey]:
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None):
        raise KeyProofError("the proof names its key by exactly one of kid or jwk")
    if "x5c" in header or "trust_chain" in header:
        raise KeyProofError("x5c and trust_chain key proofs are not supported")
    try:
        if jwk is not None:
            if not isinstance(jwk, dict):
                raise KeyProofError("the jwk header is not a JSON object")
            key = public_key_from_jwk(jwk)
            return did_jwk_encode(key), key
        if not isinstance(kid, str):
            raise KeyProofError("kid is not a string")
        did = kid.partition("#")[0]
        if did.startswith("did:key:"):
            return did, did_key_to_public_key(kid)
        if did.startswith("did:jwk:"):
            fragment = kid.partition("#")[2]
            if fragment not in ("", "0"):
                raise KeyProofError("a did:jwk key is named #0")
            return did, public_key_from_jwk(did_jwk_decode(did))
    except (DidError, KeyMaterialError) as exc:
        raise KeyProofError(f"the proof's key cannot be read: {exc}") from exc
    raise KeyProofError("kid must be a did:key or did:jwk DID URL")


def _number(payload: Mapping[str, Any], claim: str) -> float | None:
    value = payload.get(claim)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise KeyProofError(f"{claim} is not a number")
    return float(value)


def _check_time(payload: Mapping[str, Any], now: datetime, max_age: int) -> None:
    stamp = now.timestamp()
    issued = _number(payload, "iat")
    if issued is None:
        issued = _number(payload, "nbf")
    if issued is None:
        raise KeyProofError("the proof has no iat")
    if issued > stamp + CLOCK_SKEW:
        raise KeyProofError("the proof is dated in the future")
    if issued < stamp - max_age:
        raise KeyProofError("the proof is too old")
    expires = _number(payload, "exp")
    if expires is not None and expires <= stamp:
        raise KeyProofError("the proof has expired")


def verify_key_proof(token: str, *, audience: str, now: datetime, max_age: int = 300
                     ) -> KeyProof:
    """Check a key-proof JWT for ``audience`` (the credential issuer identifier); the caller
    checks that :attr:`KeyProof.nonce` is a ``c_nonce`` it gave and has not been spent."""
    if not isinstance(token, str) or token.count(".") != 2 or len(token) > 8192:
        raise KeyProofError("the proof is not a compact JWT")
    try:
        header, payload = decode_unverified(token)
    except ValueError as exc:
        raise KeyProofError(f"the proof cannot be read: {exc}") from exc
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in PROOF_ALGORITHMS:
        raise KeyProofError(f"proof alg {alg!r} is not accepted (EdDSA or ES256)")
    if header.get("typ", PROOF_TYPE) != PROOF_TYPE:
        raise KeyProofError(f"proof typ must be {PROOF_TYPE}")
    holder, key = _holder_key(header)
    try:
        matches = KeyAlgorithm.of(key) is PROOF_ALGORITHMS[alg]
    except KeyMaterialError:
        matches = False
    if not matches:
        raise KeyProofError("the key does not match the proof's alg")
    aud = payload.get("aud")
    if not any(a == audience for a in (aud if isinstance(aud, list) else [aud])):
        raise KeyProofError("the proof is not addressed to this issuer (aud)")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise KeyProofError("the proof has no nonce", "invalid_nonce")
    _check_time(payload, now, max_age)
    try:
        pyjwt.PyJWS().decode(token, key=key, algorithms=[alg])  # type: ignore[arg-type]
    except pyjwt.PyJWTError as exc:
        raise KeyProofError("the proof's signature is not valid") from exc
    return KeyProof(holder=holder, nonce=nonce, public_key=key)
