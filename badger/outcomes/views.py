"""Outcome pages: the coach records a journey's exit and its follow-ups, the participant agrees
(or not) on their own page, administrators read the cohort statistics (page, CSV, PDF).

Who sees the statistics: an organisation's administrators, their organisation's; a network's
administrators, the aggregated figures of its members (``/admin/networks/<slug>/outcomes``).
Assessors (coaches) record exits and follow-ups and see the follow-ups due, not statistics:
a funder's figures are the structure's management's to publish.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from badger.db import get_or_404, get_session
from badger.errors import UserError
from badger.grids.models import Journey
from badger.networks import service as networks
from badger.networks.models import Network
from badger.outcomes import exits
from badger.outcomes.cohort import (
    Filter,
    check_period,
    month_end,
    month_start,
    programme_labels,
)
from badger.outcomes.forms import AnswerForm, ExitForm, FollowUpForm
from badger.outcomes.labels import CONSENT_LABELS, situation_text
from badger.outcomes.report import charts, csv_text, tables, text
from badger.outcomes.stats import Report, cohort_report
from badger.paper import html_to_pdf
from badger.security import limiter, network_admin_required, participant_required, staff_required

bp = Blueprint("outcomes", __name__)


def init_app(app: Flask) -> None:
    @app.context_processor
    def _outcomes() -> dict[str, Any]:
        return {"situation_text": situation_text, "outcome_questions": _questions,
                "outcome_due": _due}


def _questions() -> int:
    """Exits waiting for the logged-in participant's answer (their home page links to them)."""
    if not current_user.is_authenticated or current_user.kind != "participant":
        return 0
    return sum(r.consent == "pending" for r in exits.my_exits(get_session(), current_user))


def _due() -> int:
    """Follow-ups due in the staff member's organisation (their home page says how many)."""
    if not current_user.is_authenticated or current_user.kind != "staff":
        return 0
    if g.get("organisation") is None:
        return 0
    return len(exits.due_follow_ups(get_session()))


# --------------------------------------------------------------------------- statistics


def _filter(organisation_ids: tuple[int, ...], *, network: bool) -> Filter:
    today = date.today()
    default_from = date(today.year - (1 if today.month < 12 else 0), today.month % 12 + 1, 1)
    start = month_start(request.args.get("from") or default_from.strftime("%Y-%m"))
    end = month_end(request.args.get("to") or today.strftime("%Y-%m"))
    check_period(start, end)
    programme = (request.args.get("programme") or "").strip()[:80] or None
    return Filter(organisation_ids, start, end, programme, network)


def _report(f: Filter) -> tuple[Report | None, str | None]:
    """The report, or the difference rule's refusal (shown on the page, 422)."""
    try:
        return cohort_report(get_session(), f, current_app.config["BADGER_STATS_MIN_GROUP"]), None
    except UserError as exc:
        if exc.status != 422:
            raise
        return None, str(exc.message)


def _answer(template_kind: str, scope_name: str, f: Filter, links: dict[str, str],
            programme_list: list[str], **extra: Any) -> Any:
    report, refused = _report(f)
    fmt = request.view_args.get("fmt") if request.view_args else None
    if fmt == "csv":
        if report is None:
            return Response(refused or "", status=422, mimetype="text/plain")
        body = csv_text(report, scope=scope_name)
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="statistiques-cohorte.csv"',
            "Cache-Control": "private, no-store"})
    context = dict(report=report, refused=refused, f=f, scope_name=scope_name, links=links,
                   programmes=programme_list, tables=tables(report) if report and report.shown
                   else {}, charts=charts(report) if report and report.shown else {},
                   text=text, kind=template_kind, **extra)
    if fmt == "pdf":
        if report is None:
            return Response(refused or "", status=422, mimetype="text/plain")
        html = render_template("outcomes/report_pdf.html", **context)
        response = Response(html_to_pdf(html, title="statistiques"), mimetype="application/pdf")
        response.headers["Content-Disposition"] = 'attachment; filename="statistiques-cohorte.pdf"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return render_template("outcomes/stats.html", **context), (422 if refused else 200)


def _links(endpoint: str, **values: Any) -> dict[str, str]:
    args: dict[str, Any] = {k: v for k, v in request.args.items()
                            if k in ("from", "to", "programme")}
    return {fmt: url_for(endpoint, fmt=fmt, **values, **args) for fmt in ("csv", "pdf")}


@bp.route("/outcomes/")
@staff_required()
def index() -> Any:
    """The organisation's cohort statistics (administrators); coaches get the follow-ups."""
    db = get_session()
    due = len(exits.due_follow_ups(db))
    if g.role != "admin":
        return render_template("outcomes/stats.html", due=due, kind="coach", report=None,
                               refused=None)
    f = _filter((g.organisation.id,), network=False)
    return _answer("organisation", g.organisation.name, f, _links("outcomes.export"),
                   programme_labels(db, (g.organisation.id,)), due=due)


@bp.route("/outcomes/follow-ups")
@staff_required()
def follow_ups() -> Any:
    """The follow-ups at 3 and 6 months whose date has come, oldest first (names: this is the
    coaches' reminder, not a statistic)."""
    return render_template("outcomes/follow_ups.html", due=exits.due_follow_ups(get_session()))


@bp.route("/outcomes/stats.<any(csv, pdf):fmt>")
@staff_required("admin")
@limiter.limit("30 per minute")
def export(fmt: str) -> Any:
    f = _filter((g.organisation.id,), network=False)
    return _answer("organisation", g.organisation.name, f, {}, [])


def _network(slug: str) -> tuple[Network, tuple[int, ...], list[str]]:
    db = get_session()
    network = networks.network_for_admin(db, current_user, slug)
    ids = tuple(sorted(m.organisation.id for m in networks.members(db, network)))
    return network, ids, programme_labels(db, ids)


@bp.route("/admin/networks/<slug>/outcomes")
@network_admin_required
def network(slug: str) -> Any:
    """The network's members' aggregated figures."""
    net, ids, labels = _network(slug)
    f = _filter(ids, network=True)
    return _answer("network", net.name, f, _links("outcomes.network_export", slug=slug), labels,
                   network=net)


@bp.route("/admin/networks/<slug>/outcomes.<any(csv, pdf):fmt>")
@network_admin_required
@limiter.limit("30 per minute")
def network_export(slug: str, fmt: str) -> Any:
    net, ids, _labels = _network(slug)
    return _answer("network", net.name, _filter(ids, network=True), {}, [], network=net)


# --------------------------------------------------------------------------- exits (staff)


@bp.route("/journeys/<int:journey_id>/exit", methods=["GET", "POST"])
@staff_required()
def journey_exit(journey_id: int) -> Any:
    """Record (or correct) how an ended journey ended; then the follow-ups."""
    db = get_session()
    journey = get_or_404(db, Journey, journey_id)
    form = ExitForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        exits.record_exit(db, journey, form.situation(), coach=current_user._get_current_object(),
                          exited_on=form.exited_on_date())
        flash(_("Sortie enregistrée. Le participant doit donner son accord sur sa page « Ma "
                "sortie »."), "success")
        return redirect(url_for("outcomes.journey_exit", journey_id=journey.id))
    row = exits.exit_for(db, journey)
    due = {d.month for d in exits.due_follow_ups(db) if row is not None and d.exit.id == row.id}
    return render_template("outcomes/exit.html", journey=journey, row=row, form=form,
                           follow_form=FollowUpForm(formdata=None), due=due,
                           consent_labels=CONSENT_LABELS)


@bp.route("/journeys/<int:journey_id>/follow-up", methods=["POST"])
@staff_required()
def follow_up(journey_id: int) -> Any:
    db = get_session()
    journey = get_or_404(db, Journey, journey_id)
    row = exits.exit_for(db, journey)
    form = FollowUpForm()
    if row is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    exits.record_follow_up(db, row, form.month_number(), form.situation(),
                           coach=current_user._get_current_object())
    flash(_("Suivi enregistré."), "success")
    return redirect(url_for("outcomes.journey_exit", journey_id=journey.id))


# --------------------------------------------------------------------------- the participant


@bp.route("/me/outcome")
@participant_required
def mine() -> Any:
    db = get_session()
    return render_template("outcomes/mine.html", rows=exits.my_exits(db, current_user),
                           form=AnswerForm(formdata=None))


@bp.route("/me/journeys/<int:journey_id>/exit", methods=["POST"])
@participant_required
def answer(journey_id: int) -> Any:
    db = get_session()
    journey = get_or_404(db, Journey, journey_id)
    row = exits.exit_for(db, journey)
    form = AnswerForm()
    if row is None or journey.participant_id != current_user.id:
        abort(404)
    if not form.validate_on_submit() or form.answer.data not in ("yes", "no"):
        abort(400)
    agreed = exits.answer(db, row, current_user, agree=form.answer.data == "yes",
                          follow_ups=bool(form.follow_ups.data))
    flash(_("Merci, c'est noté.") if agreed else _("C'est noté : votre sortie est effacée."),
          "success")
    return redirect(url_for("outcomes.mine"))
