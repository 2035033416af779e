"""Pages both the participant and the staff see: the comparison (spider chart) and agreeing on
a level, the journey's progress, the chart as an image, the exports and the printable sheet."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from badger import grids
from badger.db import get_or_404, get_session
from badger.grids import charts
from badger.grids.forms import AgreeForm
from badger.grids.models import Agreement, Journey, Round
from badger.grids.views.base import (
    actor,
    agreement_state,
    bp,
    chart_markup,
    conflict_of,
    conflict_response,
    load_comparable_round,
    load_round,
    series_names,
)
from badger.i18n import current_language
from badger.templating import elide

PROGRESS_KINDS: tuple[charts.SeriesKind, ...] = ("previous", "peer", "coach", "self")


@bp.route("/rounds/<int:round_id>/compare")
def compare(round_id: int) -> Any:
    """Self and coach (and previous round) on one chart; gaps ≥ 2 are conversation prompts."""
    if not current_user.is_authenticated:
        abort(401)
    rnd = load_round(round_id)
    view = grids.round_view(get_session(), rnd, current_language(), viewer=actor())
    hidden = view.others_hidden
    svg = table = None
    if not hidden:
        svg, table = chart_markup(view, prefix=f"round{rnd.id}", linked=True)
    return render_template(
        "grids/compare.html",
        round=rnd,
        view=view,
        svg=svg,
        table=table,
        hidden=hidden,
        conflicts=[],
    )


@bp.route("/rounds/<int:round_id>/agree", methods=["POST"])
def agree(round_id: int) -> Any:
    if not current_user.is_authenticated:
        abort(401)
    rnd = load_round(round_id)
    db = get_session()
    cid, level, seen = AgreeForm().values()
    recorded: list[Agreement] = []
    conflict = conflict_of(
        lambda: recorded.append(
            grids.record_agreement(
                db, rnd, competence_id=cid, level=level, actor=actor(), seen_version=seen
            )
        ),
    )
    if conflict is not None:
        view = grids.round_view(db, rnd, current_language(), viewer=actor())
        svg, table = chart_markup(view, prefix=f"round{rnd.id}", linked=True)
        return conflict_response(
            "grids/compare.html",
            conflict,
            round=rnd,
            view=view,
            svg=svg,
            table=table,
            hidden=view.others_hidden,
        )
    # the same words as the axis's state line: "agreed", or who proposed and who is awaited
    label = next(
        grids.competence_label(it.competence, current_language())
        for it in rnd.items
        if it.competence_id == cid
    )
    flash(
        _("%(competence)s — %(state)s", competence=label, state=agreement_state(recorded[0])),
        "success",
    )
    return redirect(url_for("grids.compare", round_id=rnd.id) + f"#axis-{cid}")


def _progress_svg(journey: Journey, pv: grids.ProgressView, lang: str) -> Markup | None:
    """The last four rounds on one chart (the table shows them all); none under 3 axes."""
    # each label in the language competence_label chose for it (as RoundView.chart marks it)
    competences = {it.competence_id: it.competence for r in journey.rounds for it in r.items}
    axes = [
        charts.Axis(label, language=grids.competence_label_language(competences[p.key], lang))
        for label, p in pv.axes
    ]
    if len(axes) < 3 or not pv.labels:
        return None
    # One style per round, oldest first; the chart shows the last four (the table all).
    shown = list(enumerate(pv.labels))[-len(PROGRESS_KINDS) :]
    kinds = PROGRESS_KINDS[-len(shown) :]
    series = [
        charts.Series(lbl, [p.values[i] for _l, p in pv.axes], kind)
        for (i, lbl), kind in zip(shown, kinds, strict=True)
    ]
    return Markup(  # noqa: S704 - escaped in charts.py
        charts.radar_svg(
            axes,
            series,
            title=elide(_("Progression de %(name)s", name=journey.participant.display_name),
                        journey.participant.display_name),
            description=_("Les mêmes compétences à chaque tour de grille, de 0 à 5."),
            lang=lang,
            id_prefix=f"progress{journey.id}",
        )
    )


@bp.route("/journeys/<int:journey_id>/progress")
def progress(journey_id: int) -> Any:
    if not current_user.is_authenticated:
        abort(401)
    db = get_session()
    if current_user.kind != "participant" and g.get("organisation") is None:
        abort(403)  # staff in no organisation, like every other grid view (load_round)
    journey = get_or_404(db, Journey, journey_id)
    if current_user.kind == "participant" and journey.participant_id != current_user.id:
        abort(404)
    lang = current_language()
    pv = grids.journey_progress(db, journey, lang, viewer=actor())
    return render_template(
        "grids/progress.html",
        journey=journey,
        pv=pv,
        svg=_progress_svg(journey, pv, lang),
        staff=current_user.kind == "staff",
    )


def _chart_response(rnd: Round, fmt: str) -> Response:
    lang = current_language()
    view = grids.round_view(get_session(), rnd, lang, viewer=actor())
    axes, series = view.chart(lang, series_names())
    title = elide(_(
        "Grille de %(name)s — %(label)s",
        name=rnd.journey.participant.display_name,
        label=rnd.display_label,
    ), rnd.journey.participant.display_name)
    desc = _("Toile d'araignée des compétences, notées de 0 à 5.")
    if fmt == "svg":
        body: bytes | str = charts.radar_svg(axes, series, title=title, description=desc, lang=lang)
        mimetype = "image/svg+xml"
    else:
        body = charts.radar_png(
            axes, series, title=title, description=desc, lang=lang, heading=title
        )
        mimetype = "image/png"
    resp = Response(body, mimetype=mimetype)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/rounds/<int:round_id>/chart.<any(svg, png):fmt>")
def chart(round_id: int, fmt: str) -> Any:
    if not current_user.is_authenticated:
        abort(401)
    return _chart_response(load_comparable_round(round_id), fmt)


@bp.route("/rounds/<int:round_id>/export.<any(csv, json):fmt>")
def export(round_id: int, fmt: str) -> Any:
    if not current_user.is_authenticated:
        abort(401)
    rnd = load_comparable_round(round_id)
    db = get_session()
    name = f"grille-{rnd.id}-{rnd.label}".replace(" ", "-")
    lang, viewer = current_language(), actor()
    if fmt == "csv":
        resp = Response(grids.export_round_csv(db, rnd, lang, viewer=viewer), mimetype="text/csv")
    else:
        resp = Response(
            json.dumps(grids.export_round(db, rnd, lang, viewer=viewer), ensure_ascii=False),
            mimetype="application/json",
        )
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/rounds/<int:round_id>/print")
def print_sheet(round_id: int) -> Any:
    if not current_user.is_authenticated:
        abort(401)
    rnd = load_comparable_round(round_id)
    view = grids.round_view(get_session(), rnd, current_language(), viewer=actor())
    svg, table = chart_markup(view, prefix=f"print{rnd.id}")
    return render_template("grids/print.html", round=rnd, view=view, svg=svg, table=table)
