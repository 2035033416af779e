"""Proof that someone controls a DID: a signed Verifiable Presentation answering a challenge.

A holder proves a DID by signing a presentation whose ``holder`` is the DID, with proof purpose
``authentication``, carrying the verifier's one-time ``challenge`` and its ``domain``. Two forms:

* Data Integrity (``DataIntegrityProof`` / ``eddsa-rdfc-2022``) on a JSON-LD
  ``VerifiablePresentation`` (VC Data Model 2.0 context): ``proof.challenge``,
  ``proof.domain`` (a string or a list containing the domain), ``proof.proofPurpose``
  ``authentication``, ``proof.verificationMethod`` a method of the holder DID;
* a VP-JWT (JOSE, RS256/ES256/EdDSA): ``kid`` a method of the holder DID, claims ``iss`` = the
  DID, ``nonce`` = the challenge, ``aud`` = the domain, ``vp.holder`` (when present) = the DID,
  ``nbf``/``exp`` honoured.

The method must belong to the holder DID and, for ``did:web``, be listed under
``authentication`` in its DID document. Challenges are compared in constant time; keeping them
single-use and expiring is the caller's job. Nothing here knows Flask or a database.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import base58
import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric import ed25519

from .dataintegrity import CRYPTOSUITE, PROOF_TYPE, format_datetime, hash_data, proofs_of
from .jsonld import JsonLdProcessingError
from .jwt import ALLOWED_ALGS, decode_unverified, is_compact_jws
from .keys import SigningKey, verify_signature
from .loader import OfflineLoader, default_loader
from .resolver import ResolutionError, Resolver, resolve_verification_method

__all__ = [
    "MAX_PRESENTATION_BYTES",
    "PresentationError",
    "sign_presentation",
    "verify_presentation",
]

MAX_PRESENTATION_BYTES = 64 * 1024


class PresentationError(ValueError):
    """The presentation does not prove the DID; ``code`` says why (stable, for messages)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _same(a: Any, b: str) -> bool:
    return isinstance(a, str) and hmac.compare_digest(a.encode(), b.encode())


def _method_of(vm: Any, holder: str) -> str:
    if not isinstance(vm, str) or vm.partition("#")[0] != holder:
        raise PresentationError("the signing key is not a key of the holder DID", "not_holder_key")
    return vm


def _resolve(vm: str, resolver: Resolver | None) -> Any:
    try:
        return resolve_verification_method(vm, resolver, purpose="authentication")
    except ResolutionError as exc:  # KeyRejectedError included
        raise PresentationError(f"the holder key could not be used: {exc}", "key") from exc


def _holder(value: Any) -> str:
    holder = value.get("id") if isinstance(value, Mapping) else value
    if not isinstance(holder, str) or not holder.startswith("did:") or len(holder) > 2048:
        raise PresentationError("the presentation's holder must be a DID", "holder")
    return holder


def _verify_data_integrity(
    vp: Mapping[str, Any],
    challenge: str,
    domain: str | None,
    resolver: Resolver | None,
    loader: OfflineLoader,
    holder_optional: bool = False,
) -> str:
    types = vp.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiablePresentation" not in types:
        raise PresentationError("the document is not a VerifiablePresentation", "type")
    proofs = proofs_of(vp)
    if len(proofs) != 1 or not isinstance(proofs[0], Mapping):
        raise PresentationError("the presentation needs exactly one proof", "proof")
    proof = proofs[0]
    if holder_optional and vp.get("holder") is None:
        # no holder named (VCDM 2.0 makes it optional): the presenter is the DID that signed
        vm_ref = proof.get("verificationMethod")
        holder = _holder(vm_ref.partition("#")[0] if isinstance(vm_ref, str) else None)
    else:
        holder = _holder(vp.get("holder"))
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise PresentationError("the proof must be DataIntegrityProof eddsa-rdfc-2022", "proof")
    if proof.get("proofPurpose") != "authentication":
        raise PresentationError("the proof purpose must be 'authentication'", "purpose")
    if not _same(proof.get("challenge"), challenge):
        raise PresentationError("the challenge does not match", "challenge")
    domains = proof.get("domain")
    if domain is not None and not any(
        _same(d, domain) for d in (domains if isinstance(domains, list) else [domains])
    ):
        raise PresentationError("the domain does not match", "domain")
    vm = _method_of(proof.get("verificationMethod"), holder)
    resolved = _resolve(vm, resolver)
    if resolved.controller != holder or not isinstance(
        resolved.public_key, ed25519.Ed25519PublicKey
    ):
        raise PresentationError("the signing key is not an Ed25519 key of the holder", "key")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise PresentationError("the proof value is missing", "proof")
    try:
        signature = base58.b58decode(value[1:])
        data = hash_data({k: v for k, v in vp.items() if k != "proof"}, proof, loader=loader)
    except (ValueError, JsonLdProcessingError) as exc:
        raise PresentationError(f"the presentation cannot be read: {exc}", "proof") from exc
    if not verify_signature(resolved.public_key, signature, data):
        raise PresentationError("the signature is not valid", "signature")
    return holder


def _verify_jwt(
    token: str, challenge: str, domain: str | None, resolver: Resolver | None, now: datetime
) -> str:
    try:
        header, payload = decode_unverified(token)
    except ValueError as exc:
        raise PresentationError(f"the JWT cannot be read: {exc}", "format") from exc
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALLOWED_ALGS:
        raise PresentationError(f"JWT alg {alg!r} is not accepted", "proof")
    if set(header) - {"alg", "kid", "typ"}:
        raise PresentationError("JOSE header parameters not allowed", "proof")
    holder = _holder(payload.get("iss"))
    vp = payload.get("vp")
    if not isinstance(vp, Mapping):
        raise PresentationError("the JWT has no vp claim", "type")
    if "holder" in vp and _holder(vp.get("holder")) != holder:
        raise PresentationError("vp.holder differs from iss", "holder")
    if not _same(payload.get("nonce"), challenge):
        raise PresentationError("the challenge does not match", "challenge")
    aud = payload.get("aud")
    if domain is not None and not any(
        _same(a, domain) for a in (aud if isinstance(aud, list) else [aud])
    ):
        raise PresentationError("the domain does not match", "domain")
    stamp = int(now.timestamp())
    for claim, late in (("nbf", False), ("exp", True)):
        if claim in payload:
            value = payload[claim]
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise PresentationError(f"{claim} is not a number", "format")
            if (stamp >= value) if late else (stamp + 60 < value):
                raise PresentationError(f"the presentation is outside its {claim}", "time")
    vm = _method_of(header.get("kid"), holder)
    resolved = _resolve(vm, resolver)
    if resolved.controller != holder or resolved.algorithm is not ALLOWED_ALGS[alg]:
        raise PresentationError("the signing key does not match alg or holder", "key")
    try:
        pyjwt.PyJWS().decode(token, key=resolved.public_key, algorithms=[alg])
    except pyjwt.PyJWTError as exc:
        raise PresentationError("the signature is not valid", "signature") from exc
    return holder


def verify_presentation(
    presentation: str | bytes | Mapping[str, Any],
    *,
    challenge: str,
    domain: str | None,
    resolver: Resolver | None,
    now: datetime | None = None,
    loader: OfflineLoader | None = None,
    holder_optional: bool = False,
) -> str:
    """The DID the presentation proves; raises :class:`PresentationError` otherwise.

    ``domain`` None leaves the domain unchecked (a VC-API caller that names none); proving a
    DID to this server always passes its own domain. ``holder_optional`` (the VC-API): a Data
    Integrity presentation naming no ``holder`` proves the DID whose key signed it."""
    if not challenge or domain == "":
        raise PresentationError("a challenge and a domain are required", "challenge")
    if isinstance(presentation, bytes):
        if len(presentation) > MAX_PRESENTATION_BYTES:
            raise PresentationError("the presentation is too large", "format")
        try:
            presentation = presentation.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PresentationError("the presentation is not UTF-8 text", "format") from exc
    if isinstance(presentation, str):
        text = presentation.strip()
        if len(text) > MAX_PRESENTATION_BYTES:
            raise PresentationError("the presentation is too large", "format")
        if is_compact_jws(text):
            return _verify_jwt(text, challenge, domain, resolver, now or datetime.now(UTC))
        try:
            presentation = json.loads(text)
        except ValueError as exc:
            raise PresentationError("the presentation is neither JSON nor a JWT", "format") from exc
    if not isinstance(presentation, Mapping):
        raise PresentationError("the presentation must be a JSON object", "format")
    return _verify_data_integrity(
        presentation, challenge, domain, resolver, loader or default_loader(), holder_optional
    )


def sign_presentation(
    holder: str,
    key: SigningKey,
    verification_method: str,
    *,
    challenge: str,
    domain: str,
    created: datetime | None = None,
    loader: OfflineLoader | None = None,
) -> dict[str, Any]:
    """A ``VerifiablePresentation`` of ``holder`` signed for ``challenge`` and ``domain``
    (Data Integrity eddsa-rdfc-2022, purpose ``authentication``): what a wallet sends."""
    vp: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder,
    }
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "created": format_datetime(created or datetime.now(UTC)),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": "authentication",
        "challenge": challenge,
        "domain": domain,
    }
    data = hash_data(vp, proof, loader=loader)
    proof["proofValue"] = "z" + base58.b58encode(key.sign(data)).decode("ascii")
    return {**vp, "proof": proof}
