"""Key folders: private modes, reserved names, cache dropped when the folder changes."""

from __future__ import annotations

import pytest

from badger import keystore
from badger.awards import keys as issuer_keys
from badger.networks import keys as network_keys
from badger.ob3.keys import KeyAlgorithm


def test_folders_are_private_and_separate(app, tmp_path):
    with app.app_context():
        org = issuer_keys.issuer_keys("org-a", app)
        net = network_keys.signing_key("reseau-a", app)
    root = tmp_path / "keys"
    for folder in (root, root / "org-a", root / "networks", root / "networks" / "reseau-a"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    key_files = list(root.rglob("*.pem"))
    assert len(key_files) == 3  # Ed25519 + RS256 for the organisation, Ed25519 for the network
    for key_file in key_files:
        assert key_file.stat().st_mode & 0o777 == 0o600
    assert org is not None and net.key_id not in {k.key_id for k in org.all}


def test_networks_is_not_an_organisation_key_folder(app):
    with pytest.raises(ValueError):
        keystore.folder(app, "networks")
    with pytest.raises(ValueError):
        keystore.folder(app, "../escape")


def test_rotation_is_seen_by_the_cache(app):
    with app.app_context():
        first = issuer_keys.issuer_keys("org-a", app)
        assert first is not None
        issuer_keys.rotate("org-a", KeyAlgorithm.ED25519, app)
        second = issuer_keys.issuer_keys("org-a", app)
    assert second is not None and second.ed25519.key_id != first.ed25519.key_id
    assert first.ed25519.key_id in {k.key_id for k in second.all}
