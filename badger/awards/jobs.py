"""Long award batches in a background thread: a transaction per chunk of rows, progress in a row.

Batches up to ``BADGER_AWARD_SYNC_LIMIT`` rows (default 50: a session) run in the request as one
transaction. Longer ones (a big CSV) would keep a phone waiting, so they run here: each chunk of
:data:`CHUNK` rows is one transaction, which also writes the rows' outcomes into the job and
beats its heartbeat (a crash leaves only whole, finished chunks, each row recorded;
re-submitting the same file skips them as "already awarded"). A running job whose heartbeat
stopped shows as interrupted, and staff may resume it (:func:`resume`); the page's counts of
badges held are read from the credentials.

Claimed from the database, so that any process may run a job and each job runs once. A job is
*queued* by :func:`start` in the caller's transaction: status "running" and no heartbeat yet.
After the commit the starting process kicks it (:func:`launch`, from ``db.after_commit`` or
right after the commit): its thread first *claims* it — one conditional UPDATE that sets the
first heartbeat where there was none, which exactly one claimer wins, whatever the process —
then runs it. The starting process claims first because it alone holds the rows' addresses
(never stored). A job queued but not claimed within :data:`QUEUE_GRACE` (its process died
between the commit and the kick) is taken by the worker of any process (:func:`start_worker`,
a poll every ``BADGER_JOB_POLL_SECONDS``, started by ``badger run`` in each server process):
:func:`claim_next` selects it ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (pollers never wait
on each other; SQLite's single writer makes the conditional UPDATE enough) and runs its plan as
a resume does. A queued job older than :data:`STALE_AFTER` shows as interrupted and is left to
staff, as any job that stopped beating.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from badger import audit
from badger.accounts.models import User
from badger.awards import issuance
from badger.awards.common import AwardSettings, staff_id
from badger.awards.models import Achievement, AwardJob, Credential
from badger.db import after_commit, get_db, utcnow
from badger.errors import UserError
from badger.grids.models import GroupSession
from badger.networks.models import Organisation

DEFAULT_SYNC_LIMIT = 50
#: A "running" job without a heartbeat for this long was interrupted (a row takes a second or
#: two; the thread beats after each one).
STALE_AFTER = timedelta(minutes=2)

#: A queued job is left this long to the process that started it before any worker takes it.
QUEUE_GRACE = timedelta(seconds=10)
#: Seconds between two looks for queued jobs by a process's worker (``BADGER_JOB_POLL_SECONDS``).
DEFAULT_POLL_SECONDS = 5.0

#: Rows awarded per transaction: the status list is signed and the job's results rewritten once
#: per chunk, not per row; a crash leaves whole chunks, each recorded (a chunk that fails is
#: run again row by row, so one bad row costs only itself).
CHUNK = 25
#: ... and at most about this long (seconds): the progress page's writes wait for a chunk on
#: SQLite (busy timeout 5 s).
CHUNK_SECONDS = 1.0

RUNNING, INTERRUPTED, FINISHED, FAILED = "running", "interrupted", "finished", "failed"


def sync_limit(app: Flask) -> int:
    return int(app.config.get("BADGER_AWARD_SYNC_LIMIT", DEFAULT_SYNC_LIMIT))


def _plan_entry(req: issuance.AwardRequest) -> dict[str, Any]:
    """What a resume needs of a row — never its address (e-mail, phone, DID)."""
    return {"participant_id": req.participant_id, "level": req.level,
            "narrative": req.narrative, "validated_competence_id": req.validated_competence_id,
            "observation": req.observation, "address": bool(req.email or req.phone or req.did)}


def start(app: Flask, session: Any, org: Organisation, ach: Achievement,
          requests: Sequence[issuance.AwardRequest], *, actor: Any = None,
          group: Any = None) -> AwardJob:
    """Queue the job in the caller's transaction and return it; call :func:`launch` after the
    commit (it claims the job, then runs it)."""
    issuance.check_eligible(session, org, ach)
    job = AwardJob(organisation_id=org.id, achievement_id=ach.id,
                   session_id=getattr(group, "id", None),
                   created_by_id=staff_id(actor), total=len(requests), done=0,
                   status="running", results=[], heartbeat_at=None,
                   plan=[_plan_entry(r) for r in requests])
    session.add(job)
    session.flush()
    return job


def state(job: AwardJob, now: datetime | None = None) -> str:
    """running | interrupted | finished | failed: a running job that stopped beating (crash,
    restart, killed process) is interrupted."""
    if job.status != RUNNING:
        return job.status
    beat = job.heartbeat_at or job.created_at
    return INTERRUPTED if beat < (now or utcnow()) - STALE_AFTER else RUNNING


def _participant_ids(job: AwardJob) -> set[int]:
    rows = job.plan or job.results
    return {int(r["participant_id"]) for r in rows if r.get("participant_id")}


def held_count(session: Any, job: AwardJob) -> int:
    """How many of the job's participants hold its badge, read from the credentials (whatever
    the job row says: it is the credentials that count)."""
    ids = _participant_ids(job)
    if not ids:
        return 0
    return int(session.scalar(
        select(func.count(func.distinct(Credential.participant_id))).where(
            Credential.achievement_id == job.achievement_id,
            Credential.participant_id.in_(ids),
        )) or 0)


def _processed_rows(job: AwardJob) -> set[int]:
    return {int(r["row"]) if "row" in r else i for i, r in enumerate(job.results)}


def launch(app: Flask, job_id: int, requests: Sequence[issuance.AwardRequest],
           actor_id: int | None, rows: Sequence[int] | None = None) -> threading.Thread:
    """Run ``requests`` (plan rows ``rows``, by default 0, 1, 2…) in a background thread.
    Without ``rows`` the job is a new one, claimed by the thread before it runs (nothing runs
    if another process claimed it); with them it is a resume, claimed by :func:`resume`."""
    numbered = list(zip(rows if rows is not None else range(len(requests)), requests,
                        strict=True))
    thread = threading.Thread(target=run, args=(app, job_id, numbered, actor_id),
                              kwargs={"claim_first": rows is None},
                              name=f"award-job-{job_id}", daemon=True)
    app.extensions.setdefault("badger.award_threads", []).append(thread)
    thread.start()
    return thread


def launch_after_commit(app: Flask, session: Any, job_id: int,
                        requests: Sequence[issuance.AwardRequest], actor_id: int | None,
                        rows: Sequence[int] | None = None) -> None:
    """:func:`launch` once ``session``'s transaction commits (never if it is rolled back): how a
    view kicks the job it queued in the request's transaction."""
    def kick() -> None:
        launch(app, job_id, requests, actor_id, rows)

    after_commit(session, kick)


def _record(db: Any, job_id: int, entries: list[dict[str, Any]]) -> None:
    """Append rows' outcomes and beat (same transaction as the rows' credentials)."""
    job = db.execute(select(AwardJob).where(AwardJob.id == job_id)).scalar_one()
    job.results = [*job.results, *entries]
    job.done = len(job.results)
    job.heartbeat_at = utcnow()


def claim(session: Any, job_id: int) -> bool:
    """Take the queued job ``job_id`` for this process (its first heartbeat): True for exactly
    one caller, in any process; the caller commits."""
    return bool(session.execute(
        update(AwardJob).where(
            AwardJob.id == job_id, AwardJob.status == RUNNING, AwardJob.heartbeat_at.is_(None),
        ).values(heartbeat_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount == 1)


def claim_next(session: Any, now: datetime | None = None) -> AwardJob | None:
    """Claim the oldest job queued for longer than :data:`QUEUE_GRACE` (and not yet stale);
    None when there is none. The caller commits."""
    now = now or utcnow()
    query = (select(AwardJob.id).where(
        AwardJob.status == RUNNING, AwardJob.heartbeat_at.is_(None),
        AwardJob.created_at <= now - QUEUE_GRACE, AwardJob.created_at > now - STALE_AFTER,
    ).order_by(AwardJob.id).limit(1).execution_options(unscoped=True))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job_id = session.scalar(query)
    if job_id is None or not claim(session, job_id):
        return None
    return session.get(AwardJob, job_id, populate_existing=True)


def run_queued(app: Flask) -> int | None:
    """Claim one queued job (:func:`claim_next`) and run its plan here, as a resume would:
    rows without an address awarded, rows that had one marked "send the file again". Returns
    its id, or None when nothing was waiting."""
    with app.app_context():
        db = get_db(app).session()
        try:
            job = claim_next(db)
            if job is None:
                db.rollback()
                return None
            todo, marked = _from_plan(db, job)
            job.results = [*job.results, *marked]
            job.done = len(job.results)
            db.commit()
            job_id, actor_id = job.id, job.created_by_id
        finally:
            db.close()
    run(app, job_id, todo, actor_id)
    return job_id


def _work(app: Flask, stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            while run_queued(app) is not None:
                pass
        except Exception:  # a database hiccup must not end the worker
            app.logger.exception("award job worker: poll failed")


def start_worker(app: Flask) -> threading.Thread | None:
    """Start this process's worker (once per app): a daemon thread that looks for queued jobs
    every ``BADGER_JOB_POLL_SECONDS`` (0: no worker) and runs those nobody claimed."""
    every = float(app.config.get("BADGER_JOB_POLL_SECONDS", DEFAULT_POLL_SECONDS) or 0)
    found: threading.Thread | None = app.extensions.get("badger.award_worker")
    if every <= 0 or found is not None:
        return found
    stop = threading.Event()
    thread = threading.Thread(target=_work, args=(app, stop, every), name="award-job-worker",
                              daemon=True)
    app.extensions["badger.award_worker"] = thread
    app.extensions["badger.award_worker_stop"] = stop
    thread.start()
    return thread


def run(app: Flask, job_id: int, rows: list[tuple[int, issuance.AwardRequest]],
        actor_id: int | None, *, claim_first: bool = False) -> None:
    """Award ``rows`` of the job, one transaction each. ``claim_first``: take the queued job
    first (:func:`claim`); nothing runs when another process has it."""
    with app.app_context():
        db = get_db(app).session()
        try:
            if claim_first:
                if not claim(db, job_id):
                    db.rollback()
                    return
                db.commit()
            job = db.execute(select(AwardJob).where(AwardJob.id == job_id)).scalar_one()
            org = db.get(Organisation, job.organisation_id)
            ach = db.get(Achievement, job.achievement_id)
            actor = db.get(User, actor_id) if actor_id else None
            group = db.get(GroupSession, job.session_id) if job.session_id else None
            assert org is not None and ach is not None
            settings = AwardSettings.from_config(app.config)
            context = (org, ach, actor, group, settings)
            pending = list(rows)
            while pending:
                pending = pending[_run_chunk(app, db, job_id, pending, context):]
            job = db.execute(select(AwardJob).where(AwardJob.id == job_id)).scalar_one()
            job.status = FINISHED
            job.finished_at = utcnow()
            db.commit()
        except Exception:
            db.rollback()
            app.logger.exception("award job %s failed", job_id)
            failed = db.execute(select(AwardJob).where(AwardJob.id == job_id)).scalar_one_or_none()
            if failed is not None:
                failed.status = FAILED
                failed.finished_at = utcnow()
                db.commit()
        finally:
            db.close()


def _run_chunk(app: Flask, db: Any, job_id: int, rows: list[tuple[int, issuance.AwardRequest]],
               context: tuple[Any, ...], limit: int = CHUNK) -> int:
    """Award the first rows of ``rows`` in one transaction with their lines in the job (the
    status list is signed and the job's results written once for them): up to ``limit`` rows,
    fewer once :data:`CHUNK_SECONDS` have passed (on SQLite the transaction holds the write lock
    that the progress page's own writes wait for). When one fails, the rows tried are run again
    one by one, so one bad row costs only itself. Returns how many rows were handled."""
    org, ach, actor, group, settings = context
    started = time.monotonic()
    entries: list[dict[str, Any]] = []
    try:
        for index, req in rows[:limit]:
            row = issuance.award_many(db, org, ach, [req], actor=actor, group=group,
                                      settings=settings)[0]
            entries.append(_entry(index, row))
            if time.monotonic() - started >= CHUNK_SECONDS:
                break
        _record(db, job_id, entries)
        db.commit()
        return len(entries)
    except Exception as exc:
        db.rollback()
        if limit == 1:
            index, req = rows[0]
            app.logger.warning("award job %s: row failed: %s", job_id, type(exc).__name__)
            _record(db, job_id, [{"row": index, "participant_id": req.participant_id,
                                  "name": "?", "outcome": "error", "message": "",
                                  "credential_id": None}])
            db.commit()
            return 1
    tried = len(entries) + 1
    for k in range(tried):
        _run_chunk(app, db, job_id, rows[k:k + 1], context, limit=1)
    return tried


def _entry(index: int, row: issuance.RowResult) -> dict[str, Any]:
    return {"row": index, "participant_id": row.participant_id, "name": row.name,
            "outcome": row.outcome, "message": row.message,
            "credential_id": row.credential.id if row.credential else None}


def resume(session: Any, job: AwardJob, *,
           actor: Any = None) -> list[tuple[int, issuance.AwardRequest]]:
    """Take over an interrupted job; the caller commits, then passes the rows returned to
    :func:`launch`.

    What a resume can do: award every row of the plan not yet processed that carried no
    address, exactly as first asked (participant, level, narrative, observation, validated
    competence); issuance is idempotent, so a row whose credential exists comes back "already
    awarded". What it cannot do: rows that carried an e-mail, phone or DID — those addresses
    were never stored — are marked "send the file again" (re-sending the file finishes them,
    skipping whatever was issued). Refused (409) unless the job is interrupted now; the claim
    is one conditional UPDATE, so two staff pressing "resume" start one thread.
    """
    now = utcnow()
    if state(job, now) != INTERRUPTED:
        raise UserError(_l("Cette attribution n'est pas interrompue : rien à reprendre."), 409)
    if not job.plan:  # started before plans were kept: its rows are unknown
        raise UserError(_l("Cette attribution ne peut pas être reprise : renvoyez le fichier pour "
                           "la terminer (les badges déjà émis sont ignorés)."), 409)
    claimed = session.execute(
        update(AwardJob).where(
            AwardJob.id == job.id, AwardJob.status == RUNNING,
            or_(AwardJob.heartbeat_at.is_(None), AwardJob.heartbeat_at < now - STALE_AFTER),
        ).values(heartbeat_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise UserError(_l("Cette attribution a déjà été reprise."), 409)
    session.refresh(job)
    todo, marked = _from_plan(session, job)
    job.results = [*job.results, *marked]
    job.done = len(job.results)
    audit.record(session, "award.job_resume", actor=actor, organisation_id=job.organisation_id,
                 obj=job)
    session.flush()
    return todo


def _from_plan(session: Any, job: AwardJob
               ) -> tuple[list[tuple[int, issuance.AwardRequest]], list[dict[str, Any]]]:
    """The plan's rows not processed yet: those to award (without an address, as first asked)
    and the outcomes of those that had one ("already" awarded, or send the "file" again)."""
    done = _processed_rows(job)
    todo: list[tuple[int, issuance.AwardRequest]] = []
    marked: list[dict[str, Any]] = []
    for index, entry in enumerate(job.plan):
        if index in done:
            continue
        if entry.get("address"):
            held = session.scalar(select(Credential.id).where(
                Credential.achievement_id == job.achievement_id,
                Credential.participant_id == entry["participant_id"]))
            marked.append({
                "row": index, "participant_id": entry["participant_id"], "name": "?",
                "outcome": "already" if held else "file", "message": "",
                "credential_id": held})
            continue
        todo.append((index, issuance.AwardRequest(
            participant_id=int(entry["participant_id"]), level=entry.get("level"),
            narrative=entry.get("narrative") or "",
            validated_competence_id=entry.get("validated_competence_id"),
            observation=entry.get("observation") or "")))
    return todo, marked
