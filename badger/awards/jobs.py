"""Long award batches in a background thread: one transaction per row, progress in a row.

Batches up to ``BADGER_AWARD_SYNC_LIMIT`` rows (default 50: a session) run in the request as one
transaction. Longer ones (a big CSV) would keep a phone waiting, so they run here: each row is
its own transaction (a crash leaves only whole, finished rows; re-submitting the same file skips
them as "already awarded"), and the job row counts progress for the page that polls it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import and_, or_, select

from badger.awards import service
from badger.awards.models import Achievement, AwardJob
from badger.db import get_db, utcnow
from badger.maintenance import Purge
from badger.networks.models import Organisation

DEFAULT_SYNC_LIMIT = 50


def sync_limit(app: Flask) -> int:
    return int(app.config.get("BADGER_AWARD_SYNC_LIMIT", DEFAULT_SYNC_LIMIT))


def start(app: Flask, session: Any, org: Organisation, ach: Achievement,
          requests: Sequence[service.AwardRequest], *, actor: Any = None,
          group: Any = None) -> AwardJob:
    """Record the job (caller commits) and return it; call :func:`launch` after the commit."""
    service._eligible(session, org, ach)
    job = AwardJob(organisation_id=org.id, achievement_id=ach.id,
                   session_id=getattr(group, "id", None),
                   created_by_id=service._staff_id(actor), total=len(requests), done=0,
                   status="running", results=[])
    session.add(job)
    session.flush()
    return job


def launch(app: Flask, job_id: int, requests: Sequence[service.AwardRequest],
           actor_id: int | None) -> threading.Thread:
    thread = threading.Thread(target=run, args=(app, job_id, list(requests), actor_id),
                              name=f"award-job-{job_id}", daemon=True)
    app.extensions.setdefault("badger.award_threads", []).append(thread)
    thread.start()
    return thread


def run(app: Flask, job_id: int, requests: list[service.AwardRequest],
        actor_id: int | None) -> None:
    from badger.accounts.models import User
    from badger.grids.models import GroupSession

    with app.app_context():
        db = get_db(app).session()
        try:
            job = db.execute(select(AwardJob).where(AwardJob.id == job_id)).scalar_one()
            org = db.get(Organisation, job.organisation_id)
            ach = db.get(Achievement, job.achievement_id)
            actor = db.get(User, actor_id) if actor_id else None
            group = db.get(GroupSession, job.session_id) if job.session_id else None
            assert org is not None and ach is not None
            for req in requests:
                try:
                    row = service.award_many(db, org, ach, [req], actor=actor, group=group)[0]
                    entry = {"participant_id": row.participant_id, "name": row.name,
                             "outcome": row.outcome, "message": row.message,
                             "credential_id": row.credential.id if row.credential else None}
                    db.commit()
                except Exception as exc:  # one bad row must not stop the batch
                    db.rollback()
                    app.logger.warning("award job %s: row failed: %s", job_id, type(exc).__name__)
                    entry = {"participant_id": req.participant_id, "name": "?",
                             "outcome": "error", "message": "", "credential_id": None}
                job = db.execute(select(AwardJob).where(AwardJob.id == job_id)).scalar_one()
                job.results = [*job.results, entry]
                job.done = len(job.results)
                db.commit()
            job.status = "finished"
            job.finished_at = utcnow()
            db.commit()
        except Exception:
            db.rollback()
            app.logger.exception("award job %s failed", job_id)
            failed = db.execute(select(AwardJob).where(AwardJob.id == job_id)).scalar_one_or_none()
            if failed is not None:
                failed.status = "failed"
                failed.finished_at = utcnow()
                db.commit()
        finally:
            db.close()


def purges(now: datetime, after: timedelta) -> list[Purge]:
    """Jobs finished (or failed) more than ``after`` ago (``BADGER_RETENTION_JOBS_DAYS``), and
    jobs still "running" that started that long ago (interrupted: a batch lasts minutes). Their
    rows hold names and per-row outcomes for the progress page only; the credentials are rows
    of their own."""
    cutoff = now - after
    return [
        Purge(
            "awards.jobs",
            AwardJob,
            or_(
                AwardJob.finished_at < cutoff,
                and_(AwardJob.finished_at.is_(None), AwardJob.created_at < cutoff),
            ),
        )
    ]
