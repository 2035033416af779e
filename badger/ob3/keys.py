"""Issuer key material: generation, encrypted storage, rotation.

Why: signing keys are the issuer's identity. They are stored only as encrypted PKCS#8 PEM files
created with mode 0600 (never world-readable, not even for an instant), metadata lives in a
secret-free JSON sidecar, and retired keys stay available so credentials signed with them keep
verifying. Private material never appears in ``repr`` or logs.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

__all__ = [
    "ED25519_MULTICODEC",
    "P256_MULTICODEC",
    "KeyAlgorithm",
    "KeyMaterialError",
    "KeyRing",
    "PrivateKey",
    "PublicKey",
    "SigningKey",
    "generate_key",
    "jwk_thumbprint",
    "load_key",
    "public_jwk",
    "public_key_from_jwk",
    "save_key",
    "verify_signature",
]

ED25519_MULTICODEC = b"\xed\x01"
P256_MULTICODEC = b"\x80\x24"

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey


class KeyMaterialError(ValueError):
    """Key material is missing, malformed, of the wrong type or cannot be decrypted."""


class KeyAlgorithm(StrEnum):
    """Supported signature algorithms (named after their JOSE / key type)."""

    ED25519 = "Ed25519"
    RS256 = "RS256"
    ES256 = "ES256"

    @property
    def jws_alg(self) -> str:
        """The JOSE ``alg`` value (EdDSA for Ed25519)."""
        return "EdDSA" if self is KeyAlgorithm.ED25519 else self.value

    @classmethod
    def of(cls, key: PrivateKey | PublicKey) -> KeyAlgorithm:
        """Infer the algorithm from a key object (RSA must be >= 2048 bits, EC must be P-256)."""
        if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
            return cls.ED25519
        if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
            if key.key_size < 2048:
                raise KeyMaterialError("RSA keys must be at least 2048 bits")
            return cls.RS256
        if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
            if not isinstance(key.curve, ec.SECP256R1):
                raise KeyMaterialError(f"unsupported EC curve {key.curve.name}; only P-256")
            return cls.ES256
        raise KeyMaterialError(f"unsupported key type {type(key).__name__}")


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64u_decode(text: str) -> bytes:
    if not isinstance(text, str):
        raise KeyMaterialError("JWK members must be base64url strings")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise KeyMaterialError("invalid base64url in JWK") from exc


def _int_bytes(n: int, length: int | None = None) -> bytes:
    size = length if length is not None else max(1, (n.bit_length() + 7) // 8)
    return n.to_bytes(size, "big")


def public_jwk(key: PublicKey) -> dict[str, str]:
    """RFC 7517 JWK of a public key (no ``kid``/``alg``; see :meth:`SigningKey.public_jwk`)."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64u(raw)}
    if isinstance(key, rsa.RSAPublicKey):
        nums = key.public_numbers()
        return {"kty": "RSA", "n": _b64u(_int_bytes(nums.n)), "e": _b64u(_int_bytes(nums.e))}
    if isinstance(key, ec.EllipticCurvePublicKey):
        KeyAlgorithm.of(key)
        pn = key.public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64u(_int_bytes(pn.x, 32)),
            "y": _b64u(_int_bytes(pn.y, 32)),
        }
    raise KeyMaterialError(f"unsupported key type {type(key).__name__}")


def public_key_from_jwk(jwk: dict[str, Any]) -> PublicKey:
    """Load a public key from a JWK; refuse private JWKs (``d``) and unsupported key types."""
    if not isinstance(jwk, dict):
        raise KeyMaterialError("JWK must be a JSON object")
    if "d" in jwk or "p" in jwk or "q" in jwk:
        raise KeyMaterialError("JWK contains private key material")
    kty = jwk.get("kty")
    if kty == "OKP" and jwk.get("crv") == "Ed25519":
        raw = _b64u_decode(jwk.get("x", ""))
        if len(raw) != 32:
            raise KeyMaterialError("Ed25519 JWK 'x' must be 32 bytes")
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    if kty == "RSA":
        n = int.from_bytes(_b64u_decode(jwk.get("n", "")), "big")
        e = int.from_bytes(_b64u_decode(jwk.get("e", "")), "big")
        try:
            pub = rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as exc:
            raise KeyMaterialError(f"invalid RSA JWK: {exc}") from exc
        KeyAlgorithm.of(pub)
        return pub
    if kty == "EC" and jwk.get("crv") == "P-256":
        x = int.from_bytes(_b64u_decode(jwk.get("x", "")), "big")
        y = int.from_bytes(_b64u_decode(jwk.get("y", "")), "big")
        try:
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        except ValueError as exc:
            raise KeyMaterialError(f"invalid P-256 JWK: {exc}") from exc
    raise KeyMaterialError(f"unsupported JWK kty/crv: {kty!r}/{jwk.get('crv')!r}")


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint (base64url), used as the default key id."""
    required = {
        "OKP": ("crv", "kty", "x"),
        "RSA": ("e", "kty", "n"),
        "EC": ("crv", "kty", "x", "y"),
    }
    members = required.get(str(jwk.get("kty")))
    if members is None:
        raise KeyMaterialError("unsupported JWK for thumbprint")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(canonical.encode("utf-8"))
    return _b64u(digest.finalize())


def verify_signature(public_key: PublicKey, signature: bytes, data: bytes) -> bool:
    """Check a raw signature (JOSE conventions: ES256 is r||s, 64 bytes). Never raises."""
    try:
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, data)
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            if len(signature) != 64:
                return False
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            public_key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private signing key with its identifier and lifecycle dates."""

    key_id: str
    algorithm: KeyAlgorithm
    private_key: PrivateKey
    created: datetime
    retired_at: datetime | None = None

    def __post_init__(self) -> None:
        if KeyAlgorithm.of(self.private_key) is not self.algorithm:
            raise KeyMaterialError("algorithm does not match the private key type")

    def __repr__(self) -> str:
        return (
            f"SigningKey(key_id={self.key_id!r}, algorithm={self.algorithm.value!r}, "
            f"created={self.created.isoformat()!r}, retired_at="
            f"{self.retired_at.isoformat() if self.retired_at else None!r}, private_key=<hidden>)"
        )

    __str__ = __repr__

    @property
    def public_key(self) -> PublicKey:
        """The public half."""
        return self.private_key.public_key()

    @property
    def retired(self) -> bool:
        """Retired keys verify old credentials but must not sign new ones."""
        return self.retired_at is not None

    def public_jwk(self) -> dict[str, str]:
        """Public JWK with ``kid``, ``alg`` and ``use: sig`` (never ``d``)."""
        jwk = public_jwk(self.public_key)
        jwk.update({"kid": self.key_id, "alg": self.algorithm.jws_alg, "use": "sig"})
        return jwk

    def public_key_multibase(self) -> str:
        """Multikey encoding ``z`` + base58btc(0xed01 || key), Ed25519 only."""
        if not isinstance(self.public_key, ed25519.Ed25519PublicKey):
            raise KeyMaterialError("publicKeyMultibase is only defined here for Ed25519 keys")
        raw = self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return "z" + base58.b58encode(ED25519_MULTICODEC + raw).decode("ascii")

    def sign(self, data: bytes) -> bytes:
        """Raw signature in JOSE form (Ed25519 64 bytes, RSA PKCS#1 v1.5, ES256 r||s)."""
        key = self.private_key
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(data)
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        der = key.sign(data, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Check a signature made by this key."""
        return verify_signature(self.public_key, signature, data)

    def retire(self, when: datetime | None = None) -> SigningKey:
        """A copy marked as retired."""
        return replace(self, retired_at=when or _utcnow())


def generate_key(algorithm: KeyAlgorithm | str, *, key_id: str | None = None) -> SigningKey:
    """Create a new key; the default ``key_id`` is the RFC 7638 JWK thumbprint."""
    alg = KeyAlgorithm(algorithm)
    private: PrivateKey
    if alg is KeyAlgorithm.ED25519:
        private = ed25519.Ed25519PrivateKey.generate()
    elif alg is KeyAlgorithm.RS256:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    kid = key_id or jwk_thumbprint(public_jwk(private.public_key()))
    return SigningKey(kid, alg, private, _utcnow())


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a 0600 temp file in the same directory, fsync, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp uses 0600
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise


def _dt(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def save_key(path: str | os.PathLike[str], key: SigningKey, passphrase: bytes) -> None:
    """Store ``key`` as encrypted PKCS#8 PEM (mode 0600) plus a ``<path>.json`` metadata sidecar."""
    if not passphrase:
        raise KeyMaterialError("a non-empty passphrase is required to store a private key")
    target = Path(path)
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    meta = {
        "kid": key.key_id,
        "algorithm": key.algorithm.value,
        "created": _iso(key.created),
        "retired_at": _iso(key.retired_at),
    }
    _atomic_write(target, pem)
    _atomic_write(_meta_path(target), json.dumps(meta, indent=2).encode("utf-8") + b"\n")


def load_key(path: str | os.PathLike[str], passphrase: bytes) -> SigningKey:
    """Load a key written by :func:`save_key`; a wrong passphrase raises KeyMaterialError."""
    target = Path(path)
    try:
        pem = target.read_bytes()
        meta = json.loads(_meta_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyMaterialError(f"cannot read key {target.name}: {exc}") from exc
    try:
        private = serialization.load_pem_private_key(pem, password=passphrase)
    except (ValueError, TypeError):
        raise KeyMaterialError(f"cannot decrypt key {target.name} (wrong passphrase?)") from None
    if not isinstance(
        private, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    ):
        raise KeyMaterialError(f"unsupported key type in {target.name}")
    alg = KeyAlgorithm(meta["algorithm"])
    created = _dt(meta.get("created")) or _utcnow()
    return SigningKey(str(meta["kid"]), alg, private, created, _dt(meta.get("retired_at")))


class KeyRing:
    """A directory of encrypted keys: one active key per algorithm, retired keys kept.

    Files are ``<dir>/<algorithm>-<random>.pem`` with their ``.pem.json`` sidecars. The ring
    reads the directory on every call (no cached state to go stale between processes).
    """

    def __init__(self, directory: str | os.PathLike[str], passphrase: bytes) -> None:
        self.directory = Path(directory)
        self._passphrase = passphrase

    def __repr__(self) -> str:
        return f"KeyRing(directory={str(self.directory)!r})"

    def _files(self) -> Iterator[Path]:
        if not self.directory.is_dir():
            return iter(())
        return iter(sorted(self.directory.glob("*.pem")))

    def list_keys(self) -> list[SigningKey]:
        """Every key, oldest first (retired ones included)."""
        loaded = [load_key(p, self._passphrase) for p in self._files()]
        return sorted(loaded, key=lambda k: (k.created, k.key_id))

    def _path_of(self, kid: str) -> Path:
        for p in self._files():
            try:
                meta = json.loads(_meta_path(p).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if meta.get("kid") == kid:
                return p
        raise KeyMaterialError(f"no key with id {kid!r}")

    def find(self, kid: str) -> SigningKey | None:
        """The key with this id (active or retired), or None."""
        try:
            return load_key(self._path_of(kid), self._passphrase)
        except KeyMaterialError:
            return None

    def active(self, algorithm: KeyAlgorithm | str) -> SigningKey | None:
        """The newest non-retired key of ``algorithm``."""
        alg = KeyAlgorithm(algorithm)
        live = [k for k in self.list_keys() if k.algorithm is alg and not k.retired]
        return live[-1] if live else None

    def add(self, key: SigningKey) -> SigningKey:
        """Store a key in the ring."""
        name = f"{key.algorithm.value.lower()}-{secrets.token_hex(8)}.pem"
        save_key(self.directory / name, key, self._passphrase)
        return key

    def ensure(self, algorithm: KeyAlgorithm | str) -> SigningKey:
        """The active key of ``algorithm``, generating one if there is none."""
        return self.active(algorithm) or self.add(generate_key(algorithm))

    def rotate(self, algorithm: KeyAlgorithm | str, *, key_id: str | None = None) -> SigningKey:
        """Retire the current key of ``algorithm`` (kept for verification) and create a new one."""
        alg = KeyAlgorithm(algorithm)
        now = _utcnow()
        for key in self.list_keys():
            if key.algorithm is alg and not key.retired:
                save_key(self._path_of(key.key_id), key.retire(now), self._passphrase)
        new = generate_key(alg, key_id=key_id)
        if new.created <= now:
            # keep "newest wins" ordering stable even within the same second
            new = replace(new, created=now)
        return self.add(new)
