"""Staff pages that award: proposals, a session's bulk award, CSV, long batches (jobs)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badger import awards
from badger.awards import jobs, reading
from badger.awards.forms import (
    CsvAwardForm,
    ProposalsForm,
    bulk_award_form,
    narrative,
    number,
    text,
)
from badger.awards.models import Achievement, AwardJob
from badger.awards.views.common import bp, settings
from badger.db import get_or_404, get_session
from badger.errors import UserError
from badger.grids.models import GroupSession
from badger.security import staff_required


@bp.route("/admin/awards", methods=["GET", "POST"])
@staff_required()
def proposals() -> Any:
    """Validated competences ready for their badge; tick and award in one confirmation."""
    db = get_session()
    if request.method == "POST":
        form = ProposalsForm()
        results = awards.award_proposals(db, g.organisation, set(form.proposal.data or ()),
                                         actor=current_user, settings=settings())
        if results is None:
            flash(_("Cochez au moins une proposition acceptée par le participant."), "error")
            return redirect(url_for("awards.proposals"))
        return render_template("awards/bulk_result.html", results=results, achievement=None,
                               back=url_for("awards.proposals"))
    return render_template("awards/proposals.html",
                           proposals=awards.proposals(db, g.organisation.id))


@bp.route("/admin/sessions/<int:session_id>/award", methods=["GET", "POST"])
@staff_required()
def bulk_award(session_id: int) -> Any:
    """After a session: tick participants, choose a badge, confirm once (idempotent)."""
    db = get_session()
    gs = get_or_404(db, GroupSession, session_id)
    if request.method == "POST":
        form = bulk_award_form([])
        ids = [i for i in (number(x) for x in form.participant.data or ()) if i]
        form = bulk_award_form(ids)
        ach = get_or_404(db, Achievement, number(form.achievement_id, 0))
        if not ids:
            flash(_("Cochez au moins un participant."), "error")
            return redirect(url_for("awards.bulk_award", session_id=gs.id))
        requests = awards.session_requests(
            db, gs, ach, ids, level=number(form.level), observation=text(form.observation),
            narratives={pid: narrative(form, pid) for pid in ids})
        if len(requests) > jobs.sync_limit(current_app):
            return _start_job(ach, requests, group=gs)
        results = awards.award_many_retrying(db, g.organisation, ach, requests,
                                             actor=current_user, group=gs, settings=settings())
        return render_template("awards/bulk_result.html", results=results, achievement=ach,
                               back=url_for("awards.bulk_award", session_id=gs.id))
    return render_template(
        "awards/bulk.html", gs=gs, form=bulk_award_form([]),
        achievements=reading.active_achievements(db, gs.competence_ids or []),
        awarded=reading.awarded_pairs(db, [p.id for p in gs.participants]))


def _start_job(ach: Achievement, requests: list[awards.AwardRequest], *,
               group: Any = None) -> Any:
    """A long batch: recorded, run in the background once recorded, followed on its page."""
    db = get_session()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job = jobs.start(app, db, g.organisation, ach, requests, actor=current_user, group=group)
    jobs.launch_after_commit(app, db, job.id, requests, current_user.id)
    return redirect(url_for("awards.job", job_id=job.id), 303)


@bp.route("/admin/awards/jobs/<int:job_id>")
@staff_required()
def job(job_id: int) -> Any:
    """Progress of a long batch (the page refreshes itself while the job runs); an interrupted
    job says so and offers to resume it. "Held" is counted from the credentials."""
    db = get_session()
    row = get_or_404(db, AwardJob, job_id)
    status, held = jobs.state(row), jobs.held_count(db, row)
    if request.accept_mimetypes.best == "application/json":
        return {"status": status, "done": len(row.results), "total": row.total, "held": held}
    needs_file = sum(1 for e in row.plan if e.get("address"))
    return render_template("awards/job.html", job=row, status=status, held=held,
                           needs_file=needs_file,
                           stale_minutes=int(jobs.STALE_AFTER.total_seconds() // 60))


@bp.route("/admin/awards/jobs/<int:job_id>/resume", methods=["POST"])
@staff_required()
def job_resume(job_id: int) -> Any:
    """Resume an interrupted job: rows without an address are awarded (idempotently), rows
    that carried one are marked "send the file again" (addresses are never stored)."""
    db = get_session()
    row = get_or_404(db, AwardJob, job_id)
    rows = jobs.resume(db, row, actor=current_user)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    jobs.launch_after_commit(app, db, row.id, [req for _, req in rows], current_user.id,
                             rows=[i for i, _ in rows])
    flash(_("Attribution reprise."), "success")
    return redirect(url_for("awards.job", job_id=row.id), 303)


@bp.route("/admin/badges/<int:achievement_id>/csv", methods=["GET", "POST"])
@staff_required()
def csv_award(achievement_id: int) -> Any:
    """CSV bulk award: one row per participant (narrative per row), dry run first."""
    db = get_session()
    ach = get_or_404(db, Achievement, achievement_id)
    form = CsvAwardForm()
    if request.method == "GET":
        return render_template("awards/csv.html", achievement=ach, plan=None, text="",
                               form=form)
    upload = form.file.data
    csv_text = (upload.read().decode("utf-8-sig", errors="replace")
                if upload and getattr(upload, "filename", None) else text(form.csv_text))
    try:
        rows = awards.parse_csv(csv_text)
        plan = awards.plan_csv(db, g.organisation, ach, rows)
    except UserError as exc:
        form.csv_text.data = csv_text
        return render_template("awards/csv.html", achievement=ach, plan=None, text=csv_text,
                               form=form, error=str(exc.message)), exc.status
    if text(form.confirm) != "1":
        return render_template("awards/csv.html", achievement=ach, plan=plan, text=csv_text)
    requests = [r.request for r in plan if r.plan in {"issue", "claim"} and r.request]
    if len(requests) > jobs.sync_limit(current_app):
        return _start_job(ach, requests)
    results = awards.award_many_retrying(db, g.organisation, ach, requests,
                                         actor=current_user, settings=settings())
    return render_template("awards/bulk_result.html", results=results, achievement=ach,
                           back=url_for("awards.csv_award", achievement_id=ach.id))
