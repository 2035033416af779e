"""Award jobs are claimed from the database: whoever claims first runs the job, once; a job
its starting process never kicked is taken by a worker after the grace period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from badger import create_app
from badger.awards import jobs, service
from badger.awards.models import AwardJob, Credential
from badger.db import utcnow


@pytest.fixture
def people(make: Any, org: Any) -> list[Any]:
    return [make.participant(org, f"Q{i}") for i in range(3)]


def _queued(app: Any, db: Any, org: Any, coach: Any, achievement: Any, people: list[Any],
            *, email_last: bool = False, age: timedelta = timedelta(0)) -> AwardJob:
    reqs = [service.AwardRequest(participant_id=p.id, level=4, narrative=f"Bravo {p.id}")
            for p in people]
    if email_last:
        reqs[-1] = service.AwardRequest(participant_id=people[-1].id, level=4,
                                        email="q@example.net")
    job = jobs.start(app, db, org, achievement, reqs, actor=coach)
    db.commit()
    job.created_at = utcnow() - age
    db.commit()
    return job


def test_a_queued_job_is_claimed_once(app: Any, db: Any, org: Any, coach: Any,
                                      achievement: Any, people: list[Any]) -> None:
    job = _queued(app, db, org, coach, achievement, people)
    assert job.heartbeat_at is None and jobs.state(job) == "running"
    assert jobs.claim(db, job.id) is True
    assert jobs.claim(db, job.id) is False
    db.commit()
    db.expire_all()
    assert db.get(AwardJob, job.id).heartbeat_at is not None


def test_launch_runs_nothing_when_another_process_claimed_it(
    app: Any, db: Any, org: Any, coach: Any, achievement: Any, people: list[Any]
) -> None:
    job = _queued(app, db, org, coach, achievement, people)
    assert jobs.claim(db, job.id)
    db.commit()
    reqs = [service.AwardRequest(participant_id=p.id, level=4) for p in people]
    jobs.launch(app, job.id, reqs, coach.id).join(timeout=60)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Credential)) == 0
    assert db.get(AwardJob, job.id).results == []


def test_a_worker_takes_a_job_nobody_kicked_after_the_grace_period(
    app: Any, db: Any, org: Any, coach: Any, achievement: Any, people: list[Any]
) -> None:
    fresh = _queued(app, db, org, coach, achievement, people[:1])
    assert jobs.run_queued(app) is None  # its starting process may still kick it
    stale = _queued(app, db, org, coach, achievement, people[1:2],
                    age=jobs.STALE_AFTER + timedelta(seconds=1))
    assert jobs.run_queued(app) is None  # interrupted: left to staff
    job = _queued(app, db, org, coach, achievement, people, email_last=True,
                  age=jobs.QUEUE_GRACE + timedelta(seconds=1))
    assert jobs.run_queued(app) == job.id
    assert jobs.run_queued(app) is None
    db.expire_all()
    done = db.get(AwardJob, job.id)
    by_row = {e["row"]: e["outcome"] for e in done.results}
    # rows awarded as first asked (no address: a claim code); the address was never stored
    assert done.status == "finished" and by_row == {0: "claim", 1: "claim", 2: "file"}
    assert db.get(AwardJob, fresh.id).heartbeat_at is None
    assert db.get(AwardJob, stale.id).heartbeat_at is None


def test_two_workers_run_each_job_once(app: Any, app_config: dict[str, Any], db: Any,
                                       org: Any, coach: Any, achievement: Any,
                                       people: list[Any]) -> None:
    queued = [_queued(app, db, org, coach, achievement, [p],
                      age=jobs.QUEUE_GRACE + timedelta(seconds=1)) for p in people]
    apps: list[Flask] = [app, create_app({**app_config, "BADGER_JOB_POLL_SECONDS": 0.05})]
    app.config["BADGER_JOB_POLL_SECONDS"] = 0.05
    try:
        for one in apps:
            jobs.start_worker(one)
        deadline = utcnow() + timedelta(seconds=60)
        while utcnow() < deadline:
            db.expire_all()
            if all(db.get(AwardJob, j.id).status == "finished" for j in queued):
                break
            import time

            time.sleep(0.1)
    finally:
        for one in apps:
            one.extensions["badger.award_worker_stop"].set()
            one.extensions["badger.award_worker"].join(timeout=30)
    db.expire_all()
    for j in queued:
        assert len(db.get(AwardJob, j.id).results) == 1
    assert db.scalar(select(func.count()).select_from(Credential)) == len(people)


def test_a_job_queued_in_a_transaction_is_kicked_after_its_commit_only(
    app: Any, db: Any, org: Any, coach: Any, achievement: Any, people: list[Any]
) -> None:
    reqs = [service.AwardRequest(participant_id=p.id, level=4) for p in people]
    job = jobs.start(app, db, org, achievement, reqs, actor=coach)
    jobs.launch_after_commit(app, db, job.id, reqs, coach.id)
    db.rollback()  # a failed request: no job, nothing kicked
    assert not app.extensions.get("badger.award_threads")
    job = jobs.start(app, db, org, achievement, reqs, actor=coach)
    jobs.launch_after_commit(app, db, job.id, reqs, coach.id)
    db.commit()
    for thread in app.extensions["badger.award_threads"]:
        thread.join(timeout=60)
    db.expire_all()
    done = db.get(AwardJob, job.id)
    assert done.status == "finished" and len(done.results) == len(people)
