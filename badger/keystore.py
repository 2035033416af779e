"""Signing-key folders on disk, shared by issuers (organisations) and networks.

Keys live under ``BADGER_KEYS_DIR`` through :class:`badger.ob3.keys.KeyRing`: encrypted PKCS#8
with ``BADGER_KEY_PASSPHRASE``, files 0600 in 0700 folders, never in the database or the logs.
Decrypting a key file is deliberately slow, so what a folder holds is cached per process and the
cache is dropped whenever the folder changes (a rotation from the CLI is picked up).

Layout: ``<keys>/<organisation-slug>/`` and ``<keys>/networks/<network-slug>/``; the slug
``networks`` is therefore reserved.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import Flask, current_app

from badger.ob3.keys import KeyRing

#: One lock for every key folder: creation and rotation are rare, reads hit the cache.
LOCK = threading.RLock()
NETWORKS = "networks"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")

T = TypeVar("T")


def the_app(app: Flask | None) -> Flask:
    return app or cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]


def folder(app: Flask, *parts: str) -> Path:
    """The key folder for an organisation (``slug``) or a network (``"networks", slug``)."""
    slug = parts[-1]
    if not _SLUG.match(slug or "") or (len(parts) == 1 and slug == NETWORKS):
        raise ValueError(f"invalid key folder name {slug!r}")
    return Path(app.config["BADGER_KEYS_DIR"]).joinpath(*parts)


def key_ring(app: Flask, directory: Path) -> KeyRing:
    passphrase = str(app.config["BADGER_KEY_PASSPHRASE"] or "").encode()
    return KeyRing(directory, passphrase)


def ensure_private(app: Flask, directory: Path) -> None:
    """Create ``directory`` and make it and its parents up to the keys root 0700."""
    directory.mkdir(parents=True, exist_ok=True)
    root = Path(app.config["BADGER_KEYS_DIR"]).resolve()
    current = directory.resolve()
    while True:
        current.chmod(0o700)
        if current == root or root not in current.parents:
            break
        current = current.parent


def _fingerprint(directory: Path) -> tuple[tuple[str, int], ...]:
    if not directory.is_dir():
        return ()
    return tuple(
        sorted((p.name, p.stat().st_mtime_ns) for p in directory.iterdir() if p.suffix == ".json")
    )


def cached(app: Flask, directory: Path, load: Callable[[KeyRing], T]) -> T:
    """``load(ring)`` for this folder, recomputed only when the folder's files change."""
    cache: dict[Path, Any] = app.extensions.setdefault("badger.keystore", {})
    with LOCK:
        fp = _fingerprint(directory)
        hit = cache.get(directory)
        if hit is not None and hit[0] == fp and hit[1] is load:
            return cast(T, hit[2])
        value = load(key_ring(app, directory))
        cache[directory] = (_fingerprint(directory), load, value)
        return value


def forget(app: Flask, directory: Path) -> None:
    app.extensions.setdefault("badger.keystore", {}).pop(directory, None)
