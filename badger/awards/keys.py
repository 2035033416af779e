"""Issuer keys per organisation: ``BADGER_KEYS_DIR/<org-slug>/`` through ``ob3.keys.KeyRing``.

Keys are created on first need (Ed25519 for Data Integrity proofs, RS256 for VC-JWT; an
ES256 key when the organisation chose ES256 VC-JWTs; EdDSA VC-JWTs use the Ed25519 key), stored
encrypted with ``BADGER_KEY_PASSPHRASE`` (files 0600, folder 0700) and never enter the database
or the logs. Decrypting a PKCS#8 file is deliberately slow, so loaded keys are cached per process
and the cache is invalidated whenever the folder changes (a rotation from the CLI is picked up).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from badger import keystore
from badger.ob3.keys import KeyAlgorithm, KeyRing, SigningKey, generate_key


@dataclass(frozen=True)
class IssuerKeys:
    """Every key of one organisation (retired included) and the active signing pair."""

    all: tuple[SigningKey, ...]
    ed25519: SigningKey
    rs256: SigningKey
    es256: SigningKey | None = None

    def for_jwt(self, jws_alg: str) -> SigningKey | None:
        """The active key signing VC-JWTs with ``jws_alg`` (RS256, ES256, EdDSA)."""
        if jws_alg == "EdDSA":
            return self.ed25519
        if jws_alg == "ES256":
            return self.es256
        return self.rs256


def keys_dir(app: Flask, slug: str) -> Path:
    return keystore.folder(app, slug)


def key_ring(app: Flask, slug: str) -> KeyRing:
    return keystore.key_ring(app, keys_dir(app, slug))


def _active(keys: tuple[SigningKey, ...], alg: KeyAlgorithm) -> SigningKey | None:
    return next((k for k in reversed(keys) if k.algorithm is alg and not k.retired), None)


def _load(ring: KeyRing) -> tuple[SigningKey, ...]:
    return tuple(ring.list_keys())


def issuer_keys(slug: str, app: Flask | None = None, *, create: bool = True,
                es256: bool = False) -> IssuerKeys | None:
    """The organisation's keys, generating the missing active ones when ``create`` (an ES256
    key too when ``es256``: its VC-JWTs are signed ES256)."""
    app = keystore.the_app(app)
    directory = keys_dir(app, slug)
    with keystore.LOCK:
        keys = keystore.cached(app, directory, _load)
        ed, rs = _active(keys, KeyAlgorithm.ED25519), _active(keys, KeyAlgorithm.RS256)
        es = _active(keys, KeyAlgorithm.ES256)
        if ed is None or rs is None or (es256 and es is None):
            if not create:
                return None
            keystore.ensure_private(app, directory)
            ring = keystore.key_ring(app, directory)
            ed = ed or ring.add(generate_key(KeyAlgorithm.ED25519))
            rs = rs or ring.add(generate_key(KeyAlgorithm.RS256))
            if es256:
                es = es or ring.add(generate_key(KeyAlgorithm.ES256))
            keystore.forget(app, directory)
            keys = keystore.cached(app, directory, _load)
        return IssuerKeys(keys, ed, rs, es)


def rotate(slug: str, algorithm: KeyAlgorithm, app: Flask | None = None) -> SigningKey:
    """Retire the active key of ``algorithm`` (kept for verification) and make a new one."""
    app = keystore.the_app(app)
    directory = keys_dir(app, slug)
    keystore.ensure_private(app, directory)
    with keystore.LOCK:
        key = key_ring(app, slug).rotate(algorithm)
        keystore.forget(app, directory)
    return key
