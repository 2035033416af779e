"""``badger export-credentials`` and ``badger keys``; exported files verify independently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from badger import awards
from badger.ob3.verify import verify_credential


def _issue(db: Any, make: Any, org: Any, achievement: Any, n: int = 2) -> list[Any]:
    people = [make.participant(org, f"P{i}", email=f"p{i}@example.org") for i in range(n)]
    rows = awards.award_many(db, org, achievement,
                              [awards.AwardRequest(participant_id=p.id) for p in people])
    db.commit()
    return [r.credential for r in rows]


def test_export_credentials(app: Any, db: Any, make: Any, org: Any, achievement: Any,
                            tmp_path: Path, resolver: Any) -> None:
    creds = _issue(db, make, org, achievement)
    held = make.participant(org, "Sans e-mail")
    awards.award_many(db, org, achievement, [awards.AwardRequest(participant_id=held.id)])
    db.commit()
    out = tmp_path / "export"
    result = app.test_cli_runner().invoke(args=["export-credentials", "--org", "org-a",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 credential(s)" in result.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 8
    for cred in creds:
        for ext in ("json", "jwt", "png", "svg"):
            data = (out / f"{cred.uuid}.{ext}").read_bytes()
            report = verify_credential(data, resolver=resolver)
            assert report.verified, (ext, report.to_dict()["checks"])
    bad = app.test_cli_runner().invoke(args=["export-credentials", "--org", "nope",
                                             "--out", str(out)])
    assert bad.exit_code != 0


def test_keys_list_and_rotate(app: Any, db: Any, make: Any, org: Any, achievement: Any,
                              resolver: Any) -> None:
    runner = app.test_cli_runner()
    old = _issue(db, make, org, achievement, n=1)[0]
    listed = runner.invoke(args=["keys", "list", "--org", "org-a"])
    assert listed.exit_code == 0 and listed.output.count("active") == 2
    assert "PRIVATE" not in listed.output
    rotated = runner.invoke(args=["keys", "rotate", "--org", "org-a"])
    assert rotated.exit_code == 0, rotated.output
    listed = runner.invoke(args=["keys", "list", "--org", "org-a"])
    assert listed.output.count("retired") == 2 and listed.output.count("active") == 2
    new = _issue(db, make, org, achievement, n=1)[0]
    import json

    vm_old = json.loads(old.signed_json)["proof"][0]["verificationMethod"]
    vm_new = json.loads(new.signed_json)["proof"][0]["verificationMethod"]
    assert vm_old != vm_new
    for cred in (old, new):  # retired keys stay published: old credentials still verify
        for blob in (cred.signed_json, cred.signed_jwt):
            assert verify_credential(blob, resolver=resolver).verified
    keys_dir = Path(app.config["BADGER_KEYS_DIR"]) / "org-a"
    assert oct(keys_dir.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in keys_dir.glob("*.pem"))
