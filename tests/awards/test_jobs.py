"""Long batches run in the background, one transaction per row, with a progress page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from badger import awards
from badger.awards import issuance, jobs, signing
from badger.awards.models import AwardJob, Credential
from badger.db import utcnow
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
    assert progress.get_json() == {"status": "finished", "done": 5, "total": 5, "held": 5}
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Credential)) == 5
    job = db.scalars(select(AwardJob)).one()
    assert "example.org" not in str(job.results)  # addresses never reach the job row


def test_failing_row_in_a_job_leaves_no_half_row(app: Any, db: Any, client: Any, coach: Any,
                                                 achievement: Any, people: list[Any],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app.config["BADGER_AWARD_SYNC_LIMIT"] = 2
    real = signing.bake_svg
    real_row = issuance._issue_row
    failing = people[2].id

    def flaky(session: Any, org: Any, ach: Any, req: Any, *args: Any, **kwargs: Any) -> Any:
        # the third participant's row fails once its credential row is written and signed
        # (in the chunk, then alone when the chunk is run again row by row)
        result = real_row(session, org, ach, req, *args, **kwargs)
        if req.participant_id == failing:
            raise RuntimeError("injected baking failure")
        return result

    monkeypatch.setattr(issuance, "_issue_row", flaky)
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
    monkeypatch.setattr(issuance, "_issue_row", real_row)
    assert signing.bake_svg is real
    r = client.post(f"/admin/badges/{achievement.id}/csv",
                    data={"csv_text": _csv([p.display_name for p in people]), "confirm": "1"})
    assert r.status_code == 200  # one row left: small enough to run in the request
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Credential)) == 5


# --------------------------------------------------------------------------- interrupted jobs


def _crashed_job(app: Any, db: Any, org: Any, coach: Any, achievement: Any,
                 people: list[Any]) -> tuple[AwardJob, list[awards.AwardRequest]]:
    """A job of five rows whose process died: two credentials were issued, only the first
    reached the job row (the old "one behind"), and the heartbeat stopped ten minutes ago.
    The last row carried an address of its own (kept in memory only, so lost in the crash)."""
    reqs = [awards.AwardRequest(participant_id=p.id, level=4, narrative=f"Bravo {p.display_name}")
            for p in people[:4]]
    reqs.append(awards.AwardRequest(participant_id=people[4].id, level=4,
                                     email="autre.adresse@example.net"))
    job = jobs.start(app, db, org, achievement, reqs, actor=coach)
    db.commit()
    issued = [awards.award_many(db, org, achievement, [r], actor=coach)[0] for r in reqs[:2]]
    db.commit()
    job.results = [{"participant_id": people[0].id, "name": "P0", "outcome": "issued",
                    "message": "", "credential_id": issued[0].credential.id}]
    job.done = 1
    job.heartbeat_at = utcnow() - timedelta(minutes=10)
    db.commit()
    return job, reqs


def test_an_interrupted_job_shows_it_and_staff_resume_it(app: Any, db: Any, client: Any,
                                                         org: Any, coach: Any,
                                                         achievement: Any,
                                                         people: list[Any]) -> None:
    job, _reqs = _crashed_job(app, db, org, coach, achievement, people)
    login_staff(client, coach)
    url = f"/admin/awards/jobs/{job.id}"
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Awarding interrupted" in page and 'http-equiv="refresh"' not in page
    assert "2 of 5 people hold this badge" in page  # counted from the credentials, not the job
    assert f'action="{url}/resume"' in page and 'name="csrf_token"' in page
    assert "cannot be resumed" in page  # the row with an address, explained
    progress = client.get(url, headers={"Accept": "application/json"}).get_json()
    assert progress == {"status": "interrupted", "done": 1, "total": 5, "held": 2}

    refused = client.post(f"{url}/resume", csrf=False)
    assert refused.status_code == 400
    db.expire_all()
    assert len(db.get(AwardJob, job.id).results) == 1

    r = client.post(f"{url}/resume")
    assert r.status_code == 303 and r.headers["Location"].endswith(url)
    _join(app)
    db.expire_all()
    done = db.get(AwardJob, job.id)
    assert done.status == "finished" and done.total == 5 and len(done.results) == 5
    creds = db.scalars(select(Credential)).all()
    assert sorted(c.participant_id for c in creds) == sorted(p.id for p in people[:4])
    by_row = {e.get("row", 0): e["outcome"] for e in done.results}
    assert by_row == {0: "issued", 1: "already", 2: "issued", 3: "issued", 4: "file"}
    narratives = {c.participant_id: c.narrative for c in creds}
    assert narratives[people[3].id] == "Bravo P3"  # resumed exactly as first asked
    assert "example.net" not in str(done.plan) + str(done.results)
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "4 of 5 people hold this badge" in page and page.count("outcome-file") == 1
    again = client.post(f"{url}/resume")
    assert again.status_code == 409


def test_a_job_that_still_beats_cannot_be_resumed(app: Any, db: Any, client: Any, org: Any,
                                                  coach: Any, achievement: Any,
                                                  people: list[Any]) -> None:
    reqs = [awards.AwardRequest(participant_id=p.id, level=4) for p in people]
    job = jobs.start(app, db, org, achievement, reqs, actor=coach)
    db.commit()
    login_staff(client, coach)
    page = client.get(f"/admin/awards/jobs/{job.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "/resume" not in page
    r = client.post(f"/admin/awards/jobs/{job.id}/resume")
    assert r.status_code == 409
    assert not app.extensions.get("badger.award_threads")
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Credential)) == 0


def test_a_job_from_before_plans_were_kept_asks_for_the_file(app: Any, db: Any, client: Any,
                                                             org: Any, coach: Any,
                                                             achievement: Any) -> None:
    job = AwardJob(organisation_id=org.id, achievement_id=achievement.id, total=3, done=0,
                   status="running", results=[], heartbeat_at=None, plan=[])
    db.add(job)
    db.commit()
    job.created_at = utcnow() - timedelta(hours=1)
    db.commit()
    login_staff(client, coach)
    page = client.get(f"/admin/awards/jobs/{job.id}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Awarding interrupted" in page and "/resume" not in page
    assert "This awarding cannot be resumed: send the file again" in page
    assert client.post(f"/admin/awards/jobs/{job.id}/resume").status_code == 409
    db.expire_all()
    assert db.get(AwardJob, job.id).status == "running"
