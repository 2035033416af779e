"""Network signing keys: ``BADGER_KEYS_DIR/networks/<network-slug>/`` through ``ob3.keys.KeyRing``.

A network signs only endorsements (Data Integrity ``eddsa-rdfc-2022``), so it holds Ed25519
keys only. Same rules as the issuer keys (``badger.awards.keys``): created on first need,
encrypted with ``BADGER_KEY_PASSPHRASE``, files 0600 in 0700 folders, never in the database or
the logs; decrypted keys are cached per process until the folder changes; retired keys stay
published so earlier endorsements keep verifying.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from badger import keystore
from badger.ob3.keys import KeyAlgorithm, KeyRing, SigningKey, generate_key

SUBDIR = keystore.NETWORKS


def keys_dir(app: Flask, slug: str) -> Path:
    return keystore.folder(app, SUBDIR, slug)


def key_ring(app: Flask, slug: str) -> KeyRing:
    return keystore.key_ring(app, keys_dir(app, slug))


def _load(ring: KeyRing) -> tuple[SigningKey, ...]:
    return tuple(k for k in ring.list_keys() if k.algorithm is KeyAlgorithm.ED25519)


def network_keys(slug: str, app: Flask | None = None) -> tuple[SigningKey, ...]:
    """Every Ed25519 key of the network (retired included), oldest first; none is created."""
    app = keystore.the_app(app)
    return keystore.cached(app, keys_dir(app, slug), _load)


def signing_key(slug: str, app: Flask | None = None) -> SigningKey:
    """The network's active Ed25519 key, generated (and stored encrypted) when there is none."""
    app = keystore.the_app(app)
    for key in reversed(network_keys(slug, app)):
        if not key.retired:
            return key
    directory = keys_dir(app, slug)
    with keystore.LOCK:
        keystore.ensure_private(app, directory)
        ring = key_ring(app, slug)
        key = ring.active(KeyAlgorithm.ED25519) or ring.add(generate_key(KeyAlgorithm.ED25519))
        keystore.forget(app, directory)
    return key


def rotate(slug: str, app: Flask | None = None) -> SigningKey:
    """Retire the active key (kept for verification) and make a new one."""
    app = keystore.the_app(app)
    directory = keys_dir(app, slug)
    keystore.ensure_private(app, directory)
    with keystore.LOCK:
        key = key_ring(app, slug).rotate(KeyAlgorithm.ED25519)
        keystore.forget(app, directory)
    return key
