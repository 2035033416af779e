"""`badger verify FILE [--json] [--now ISO]`: prints the report, exit 0 only when verified."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from badger.ob3 import KeyAlgorithm, did_key_from_public_key, generate_key, model, sign
from badger.ob3.baking import bake_png

#: The credential below is valid from 2025 until 2030: verify it at a fixed instant inside that
#: window, not at the real date (which will pass 2030).
FIXED_NOW = ["--now", "2026-06-01T12:00:00Z"]


@pytest.fixture
def signed_file(tmp_path):
    key = generate_key(KeyAlgorithm.ED25519)
    did = did_key_from_public_key(key.private_key.public_key())
    issuer = model.profile(did, name="Association Exemple")
    achievement = model.achievement(
        "https://example.org/achievements/1",
        name="Ponctualité",
        description="Arrive à l'heure.",
        criteria_narrative="Observé sur dix séances.",
    )
    subject = model.achievement_subject(
        achievement=achievement, identifiers=[model.identity_object("ana@example.org", salt="s1")]
    )
    vc = model.open_badge_credential(
        id=model.new_urn_uuid(),
        issuer=issuer,
        credential_subject=subject,
        valid_from="2025-01-01T00:00:00Z",
        valid_until="2030-01-01T00:00:00Z",
    )
    signed = sign(vc, key, f"{did}#{did.removeprefix('did:key:')}")
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(signed), encoding="utf-8")
    return path, signed


def test_verified_credential_exits_zero(app, signed_file):
    path, _ = signed_file
    result = app.test_cli_runner().invoke(args=["verify", str(path), *FIXED_NOW])
    assert result.exit_code == 0, result.output
    assert "VERIFIED: Ponctualité — Association Exemple" in result.output


def test_json_report(app, signed_file):
    path, signed = signed_file
    result = app.test_cli_runner().invoke(args=["verify", str(path), "--json", *FIXED_NOW])
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["verified"] is True
    assert report["issuerId"] == signed["issuer"]["id"]


def test_tampered_credential_exits_one(app, signed_file, tmp_path):
    _, signed = signed_file
    signed["credentialSubject"]["achievement"]["name"] = "Leadership"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(signed), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["verify", str(bad), *FIXED_NOW])
    assert result.exit_code == 1
    assert "NOT VERIFIED" in result.output and "FAILED" in result.output


def test_now_after_valid_until_reports_expired(app, signed_file):
    path, _ = signed_file
    result = app.test_cli_runner().invoke(
        args=["verify", str(path), "--now", "2031-01-01T00:00:00Z"]
    )
    assert result.exit_code == 1 and "NOT VERIFIED" in result.output


def test_baked_png_is_read(app, signed_file, tmp_path):
    from PIL import Image

    _, signed = signed_file
    png = tmp_path / "plain.png"
    Image.new("RGB", (90, 90), "#1d4f91").save(png)
    baked = tmp_path / "baked.png"
    baked.write_bytes(bake_png(png.read_bytes(), json.dumps(signed)))
    result = app.test_cli_runner().invoke(args=["verify", str(baked), *FIXED_NOW])
    assert result.exit_code == 0, result.output


def test_bad_now_is_refused(app, signed_file):
    path, _ = signed_file
    result = app.test_cli_runner().invoke(args=["verify", str(path), "--now", "yesterday"])
    assert result.exit_code == 2 and "ISO 8601" in result.output


def test_now_is_honoured_before_valid_from(app, signed_file):
    path, _ = signed_file
    early = datetime(2024, 6, 1, tzinfo=UTC).isoformat()
    result = app.test_cli_runner().invoke(args=["verify", str(path), "--now", early])
    assert result.exit_code == 1
