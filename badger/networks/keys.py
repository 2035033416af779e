"""Network signing keys: ``BADGER_KEYS_DIR/networks/<network-slug>/`` through ``ob3.keys.KeyRing``.

A network signs only endorsements (Data Integrity ``eddsa-rdfc-2022``), so it holds Ed25519
keys only. Same rules as the issuer keys (``badger.awards.keys``): created on first need,
encrypted with ``BADGER_KEY_PASSPHRASE``, files 0600 in 0700 folders, never in the database or
the logs; decrypted keys are cached per process until the folder changes; retired keys stay
published so earlier endorsements keep verifying.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any, cast

from flask import Flask, current_app

from badger.ob3.keys import KeyAlgorithm, KeyRing, SigningKey, generate_key

_LOCK = threading.Lock()
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
SUBDIR = "networks"


def keys_dir(app: Flask, slug: str) -> Path:
    if not _SLUG.match(slug or ""):
        raise ValueError("invalid network slug")
    return Path(app.config["BADGER_KEYS_DIR"]) / SUBDIR / slug


def key_ring(app: Flask, slug: str) -> KeyRing:
    passphrase = str(app.config["BADGER_KEY_PASSPHRASE"] or "").encode()
    return KeyRing(keys_dir(app, slug), passphrase)


def _app(app: Flask | None) -> Flask:
    return app or cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]


def _fingerprint(directory: Path) -> tuple[tuple[str, int], ...]:
    if not directory.is_dir():
        return ()
    return tuple(
        sorted((p.name, p.stat().st_mtime_ns) for p in directory.iterdir() if p.suffix == ".json")
    )


def _cache(app: Flask) -> dict[str, Any]:
    cache: dict[str, Any] = app.extensions.setdefault("badger.networks.keys", {})
    return cache


def _ensure_dir(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for folder in (directory, directory.parent, directory.parent.parent):
        if folder.is_dir():
            folder.chmod(0o700)


def network_keys(slug: str, app: Flask | None = None) -> tuple[SigningKey, ...]:
    """Every Ed25519 key of the network (retired included), oldest first; none is created."""
    app = _app(app)
    directory = keys_dir(app, slug)
    cache = _cache(app)
    with _LOCK:
        fp = _fingerprint(directory)
        hit = cache.get(slug)
        if hit is not None and hit[0] == fp:
            return cast(tuple[SigningKey, ...], hit[1])
        found = tuple(
            k for k in key_ring(app, slug).list_keys() if k.algorithm is KeyAlgorithm.ED25519
        )
        cache[slug] = (fp, found)
        return found


def signing_key(slug: str, app: Flask | None = None) -> SigningKey:
    """The network's active Ed25519 key, generated (and stored encrypted) when there is none."""
    app = _app(app)
    for key in reversed(network_keys(slug, app)):
        if not key.retired:
            return key
    directory = keys_dir(app, slug)
    with _LOCK:
        _ensure_dir(directory)
        ring = key_ring(app, slug)
        key = ring.active(KeyAlgorithm.ED25519) or ring.add(generate_key(KeyAlgorithm.ED25519))
        _cache(app).pop(slug, None)
    return key


def rotate(slug: str, app: Flask | None = None) -> SigningKey:
    """Retire the active key (kept for verification) and make a new one."""
    app = _app(app)
    _ensure_dir(keys_dir(app, slug))
    with _LOCK:
        key = key_ring(app, slug).rotate(KeyAlgorithm.ED25519)
        _cache(app).pop(slug, None)
    return key
