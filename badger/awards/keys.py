"""Issuer keys per organisation: ``BADGER_KEYS_DIR/<org-slug>/`` through ``ob3.keys.KeyRing``.

Keys are created on first need (Ed25519 for Data Integrity proofs, RS256 for VC-JWT), stored
encrypted with ``BADGER_KEY_PASSPHRASE`` (files 0600, folder 0700) and never enter the database
or the logs. Decrypting a PKCS#8 file is deliberately slow, so loaded keys are cached per process
and the cache is invalidated whenever the folder changes (a rotation from the CLI is picked up).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from flask import Flask, current_app

from badger.ob3.keys import KeyAlgorithm, KeyRing, SigningKey

_LOCK = threading.Lock()


@dataclass(frozen=True)
class IssuerKeys:
    """Every key of one organisation (retired included) and the active signing pair."""

    all: tuple[SigningKey, ...]
    ed25519: SigningKey
    rs256: SigningKey


def keys_dir(app: Flask, slug: str) -> Path:
    if not slug or "/" in slug or slug.startswith("."):
        raise ValueError("invalid organisation slug")
    return Path(app.config["BADGER_KEYS_DIR"]) / slug


def key_ring(app: Flask, slug: str) -> KeyRing:
    passphrase = str(app.config["BADGER_KEY_PASSPHRASE"] or "").encode()
    return KeyRing(keys_dir(app, slug), passphrase)


def _fingerprint(directory: Path) -> tuple[tuple[str, int], ...]:
    if not directory.is_dir():
        return ()
    return tuple(
        sorted((p.name, p.stat().st_mtime_ns) for p in directory.iterdir() if p.suffix == ".json")
    )


def _cache(app: Flask) -> dict[str, Any]:
    cache: dict[str, Any] = app.extensions.setdefault("badger.awards.keys", {})
    return cache


def _ensure_dir(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    parent = directory.parent
    if parent.is_dir():
        parent.chmod(0o700)


def issuer_keys(slug: str, app: Flask | None = None, *, create: bool = True) -> IssuerKeys | None:
    """The organisation's keys, generating the missing active ones when ``create``."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    directory = keys_dir(app, slug)
    cache = _cache(app)
    with _LOCK:
        fp = _fingerprint(directory)
        hit = cache.get(slug)
        if hit is not None and hit[0] == fp:
            return cast(IssuerKeys, hit[1])
        ring = key_ring(app, slug)
        all_keys = ring.list_keys()
        ed = next((k for k in reversed(all_keys) if k.algorithm is KeyAlgorithm.ED25519
                   and not k.retired), None)
        rs = next((k for k in reversed(all_keys) if k.algorithm is KeyAlgorithm.RS256
                   and not k.retired), None)
        if ed is None or rs is None:
            if not create:
                return None
            _ensure_dir(directory)
            ed = ed or ring.add(_new(KeyAlgorithm.ED25519))
            rs = rs or ring.add(_new(KeyAlgorithm.RS256))
            all_keys = ring.list_keys()
            fp = _fingerprint(directory)
        result = IssuerKeys(tuple(all_keys), ed, rs)
        cache[slug] = (fp, result)
        return result


def _new(alg: KeyAlgorithm) -> SigningKey:
    from badger.ob3.keys import generate_key

    return generate_key(alg)


def rotate(slug: str, algorithm: KeyAlgorithm, app: Flask | None = None) -> SigningKey:
    """Retire the active key of ``algorithm`` (kept for verification) and make a new one."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    _ensure_dir(keys_dir(app, slug))
    with _LOCK:
        key = key_ring(app, slug).rotate(algorithm)
        _cache(app).pop(slug, None)
    return key
