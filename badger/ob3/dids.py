"""Multibase / multicodec keys, ``did:key``, ``did:jwk``, ``did:web`` and published key documents.

Why: verifiers find the issuer's public key from the proof's verification method; these helpers
build what the issuer publishes (controller document, DID document, JWKS) and parse what a
verifier meets, rejecting any key encoding other than Ed25519 (0xed01) and P-256 (0x8024).
"""

from __future__ import annotations

import base64
import functools
import json
import urllib.parse
from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from . import safejson
from .b58 import b58decode, b58encode
from .keys import (
    ED25519_MULTICODEC,
    P256_MULTICODEC,
    PublicKey,
    SigningKey,
    public_jwk,
    public_key_from_jwk,
)

__all__ = [
    "DID_V1_CONTEXT",
    "MULTIKEY_V1_CONTEXT",
    "DidError",
    "controller_document",
    "did_jwk_decode",
    "did_jwk_encode",
    "did_key_from_public_key",
    "did_key_to_public_key",
    "did_web_document",
    "did_web_from_url",
    "did_web_to_url",
    "jwks",
    "multibase_to_public_key",
    "public_key_to_multibase",
    "verification_method_entry",
]

DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"


class DidError(ValueError):
    """Malformed DID, DID URL or multibase key."""


def public_key_to_multibase(key: PublicKey) -> str:
    """``z`` + base58btc(multicodec || key): Ed25519 raw key, or P-256 compressed point."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return "z" + b58encode(ED25519_MULTICODEC + raw)
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        raw = key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return "z" + b58encode(P256_MULTICODEC + raw)
    raise DidError("only Ed25519 and P-256 keys have a multibase encoding here")


def multibase_to_public_key(value: str) -> PublicKey:
    """Parse a ``z...`` Multikey value; any multicodec other than Ed25519/P-256 is rejected."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 200:
        raise DidError("publicKeyMultibase must be a base58btc ('z') multibase string")
    return _parse_multibase(value)


@functools.lru_cache(maxsize=4096)
def _parse_multibase(value: str) -> PublicKey:
    """Keys are immutable: an issuer's key is decoded once, not at every verification."""
    try:
        data = b58decode(value[1:])
    except ValueError as exc:
        raise DidError("invalid base58btc in publicKeyMultibase") from exc
    prefix, raw = data[:2], data[2:]
    if prefix == ED25519_MULTICODEC:
        if len(raw) != 32:
            raise DidError("Ed25519 multikey must carry 32 bytes")
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    if prefix == P256_MULTICODEC:
        if len(raw) != 33:
            raise DidError("P-256 multikey must carry a 33-byte compressed point")
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError as exc:
            raise DidError("invalid P-256 point") from exc
    raise DidError(f"unsupported multicodec prefix 0x{prefix.hex()} (expected ed01 or 8024)")


def did_key_from_public_key(key: PublicKey) -> str:
    """``did:key:z...`` for an Ed25519 or P-256 key."""
    return "did:key:" + public_key_to_multibase(key)


def did_key_to_public_key(did: str) -> PublicKey:
    """Public key of a ``did:key`` (a DID URL fragment, if any, must repeat the key)."""
    base, _, fragment = did.partition("#")
    if not base.startswith("did:key:"):
        raise DidError("not a did:key")
    mb = base[len("did:key:") :]
    if fragment and fragment != mb:
        raise DidError("did:key fragment does not match the key")
    return multibase_to_public_key(mb)


def did_jwk_encode(key: PublicKey | dict[str, Any]) -> str:
    """``did:jwk:`` + base64url(JSON of the public JWK)."""
    jwk = public_jwk(key) if not isinstance(key, dict) else dict(key)
    if "d" in jwk:
        raise DidError("refusing to put private key material into a DID")
    text = json.dumps(jwk, separators=(",", ":"), sort_keys=True)
    return "did:jwk:" + base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode("ascii")


def did_jwk_decode(did: str) -> dict[str, Any]:
    """The JWK of a ``did:jwk`` (any ``#0`` fragment ignored); private JWKs are rejected."""
    base = did.partition("#")[0]
    if not base.startswith("did:jwk:"):
        raise DidError("not a did:jwk")
    enc = base[len("did:jwk:") :]
    try:
        jwk = safejson.loads(base64.urlsafe_b64decode(enc + "=" * (-len(enc) % 4)))
    except ValueError as exc:
        raise DidError("invalid did:jwk encoding") from exc
    if not isinstance(jwk, dict):
        raise DidError("did:jwk does not encode a JSON object")
    if "d" in jwk:
        raise DidError("did:jwk contains private key material")
    public_key_from_jwk(jwk)  # validates
    return jwk


def did_web_to_url(did: str) -> str:
    """Map ``did:web`` to its DID document URL (W3C did:web method, HTTPS only).

    ``did:web:example.com`` -> ``https://example.com/.well-known/did.json``;
    ``did:web:example.com%3A8443:a:b`` -> ``https://example.com:8443/a/b/did.json``.
    """
    base = did.partition("#")[0]
    if not base.startswith("did:web:"):
        raise DidError("not a did:web")
    parts = base[len("did:web:") :].split(":")
    if not parts or not parts[0]:
        raise DidError("did:web without a host")
    host = urllib.parse.unquote(parts[0])
    if any(c in host for c in "/?#@\\ ") or not host:
        raise DidError("invalid did:web host")
    path = [urllib.parse.unquote(p) for p in parts[1:]]
    if any(not p or "/" in p or p in {".", ".."} for p in path):
        raise DidError("invalid did:web path segment")
    if path:
        return f"https://{host}/" + "/".join(urllib.parse.quote(p) for p in path) + "/did.json"
    return f"https://{host}/.well-known/did.json"


def did_web_from_url(url: str) -> str:
    """Inverse of :func:`did_web_to_url` for an origin or path URL (``https`` only)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "https" or not parsed.hostname:
        raise DidError("did:web needs an https URL")
    host = parsed.hostname + (f"%3A{parsed.port}" if parsed.port else "")
    path = parsed.path
    for suffix in ("/.well-known/did.json", "/did.json"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    segments = [urllib.parse.unquote(s) for s in path.split("/") if s]
    return ":".join(["did:web", host, *(urllib.parse.quote(s, safe="") for s in segments)])


def verification_method_entry(controller: str, key: SigningKey) -> dict[str, Any]:
    """A controller-document verification method for ``key``.

    Ed25519 keys become ``Multikey`` with id ``<controller>#<publicKeyMultibase>`` (the form the
    1EdTech validator resolves offline); RSA / P-256 keys become ``JsonWebKey`` entries with id
    ``<controller>#<kid>``.
    """
    if isinstance(key.public_key, ed25519.Ed25519PublicKey):
        mb = key.public_key_multibase()
        return {
            "id": f"{controller}#{mb}",
            "type": "Multikey",
            "controller": controller,
            "publicKeyMultibase": mb,
        }
    jwk = public_jwk(key.public_key)
    return {
        "id": f"{controller}#{key.key_id}",
        "type": "JsonWebKey",
        "controller": controller,
        "publicKeyJwk": jwk,
    }


def controller_document(issuer_id: str, keys: Iterable[SigningKey]) -> dict[str, Any]:
    """What the issuer serves at ``issuer_id``: every key (retired ones too) as assertionMethod."""
    methods = [verification_method_entry(issuer_id, k) for k in keys]
    return {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        "id": issuer_id,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def did_web_document(did: str, keys: Iterable[SigningKey]) -> dict[str, Any]:
    """A ``did:web`` DID document (served at :func:`did_web_to_url`)."""
    did_web_to_url(did)  # validates
    return controller_document(did, keys)


def jwks(keys: Iterable[SigningKey]) -> dict[str, Any]:
    """JWK Set of the public keys; retired keys are kept so old credentials still verify."""
    return {"keys": [k.public_jwk() for k in keys]}
