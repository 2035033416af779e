"""Long batches run in the background, one transaction per row, with a progress page."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from badger.awards import service
from badger.awards.models import AwardJob, Credential
from tests.conftest import login_staff


def _join(app: Any) -> None:
    for thread in app.extensions.get("badger.award_threads", []):
        thread.join(timeout=60)


def _csv(names: list[str]) -> str:
    return "participant;level;narrative\n" + "".join(f"{n};4;Bravo {n}\n" for n in names)


@pytest.fixture
def people(make: Any, org: Any) -> list[Any]:
    return [make.participant(org, f"P{i}", email=f"p{i}@example.org") for i in range(5)]


def test_long_csv_runs_as_a_job(app: Any, db: Any, client: Any, coach: Any, achievement: Any,
                                people: list[Any]) -> None:
    app.config["BADGER_AWARD_SYNC_LIMIT"] = 2
    login_staff(client, coach)
    text = _csv([p.display_name for p in people])
    r = client.post(f"/admin/badges/{achievement.id}/csv", data={"csv_text": text,
                                                                "confirm": "1"})
    assert r.status_code == 303 and "/admin/awards/jobs/" in r.headers["Location"]
    _join(app)
    page = client.get(r.headers["Location"])
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and body.count("outcome-issued") == 5
    assert 'value="5" max="5"' in body and 'http-equiv="refresh"' not in body
    progress = client.get(r.headers["Location"], headers={"Accept": "application/json"})
    assert progress.get_json() == {"status": "finished", "done": 5, "total": 5}
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Credential)) == 5
    job = db.scalars(select(AwardJob)).one()
    assert "example.org" not in str(job.results)  # addresses never reach the job row


def test_failing_row_in_a_job_leaves_no_half_row(app: Any, db: Any, client: Any, coach: Any,
                                                 achievement: Any, people: list[Any],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app.config["BADGER_AWARD_SYNC_LIMIT"] = 2
    real = service.bake_svg
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> bytes:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("injected baking failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "bake_svg", flaky)
    login_staff(client, coach)
    r = client.post(f"/admin/badges/{achievement.id}/csv",
                    data={"csv_text": _csv([p.display_name for p in people]), "confirm": "1"})
    _join(app)
    body = client.get(r.headers["Location"]).get_data(as_text=True)
    assert body.count("outcome-issued") == 4 and body.count("outcome-error") == 1
    db.expire_all()
    creds = db.scalars(select(Credential)).all()
    assert len(creds) == 4 and all(c.signed_json and c.baked_svg for c in creds)
    failed = people[2]
    assert failed.id not in {c.participant_id for c in creds}
    # sending the same file again finishes the job: the four done rows are skipped
    monkeypatch.setattr(service, "bake_svg", real)
    r = client.post(f"/admin/badges/{achievement.id}/csv",
                    data={"csv_text": _csv([p.display_name for p in people]), "confirm": "1"})
    assert r.status_code == 200  # one row left: small enough to run in the request
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Credential)) == 5
