"""The participant's pages: their grids, filling one (a competence per screen or all on one
page), finishing it, consenting to a validation, and giving a peer's view in a session."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badger import grids
from badger.db import get_or_404, get_session
from badger.grids.forms import (
    ChartChoiceForm,
    ConsentForm,
    StepForm,
    peer_entries,
    peer_form,
    rating_entries,
    self_ratings_form,
)
from badger.grids.models import GroupSession, ValidatedCompetence
from badger.grids.reading import participant_overview
from badger.grids.views.base import actor, bp, conflict_of, conflict_response, load_round
from badger.i18n import current_language
from badger.security import participant_required


@bp.route("/me/grids")
@participant_required
def my_grids() -> Any:
    mine = participant_overview(get_session(), current_user.id)
    return render_template(
        "grids/my_grids.html",
        journeys=mine.journeys,
        done=mine.done,
        validations=mine.validations,
        peer_sessions=mine.peer_sessions,
    )


def _first_unrated(view: grids.RoundView) -> int:
    return next((i for i, a in enumerate(view.axes) if a.self_score is None), 0)


@bp.route("/me/rounds/<int:round_id>", methods=["GET", "POST"])
@participant_required
def fill_list(round_id: int) -> Any:
    """Compact list mode: every competence on one page, one form."""
    rnd = load_round(round_id)
    db = get_session()
    lang = current_language()
    ids = [it.competence_id for it in rnd.items]
    form = self_ratings_form(ids)
    if request.method == "POST":
        entries = rating_entries(form, ids)
        conflict = conflict_of(
            lambda: grids.save_ratings(db, rnd, role="self", actor=actor(), entries=entries)
        )
        if conflict is not None:
            view = grids.round_view(db, rnd, lang)
            return conflict_response(
                "grids/fill_list.html", conflict, round=rnd, view=view, form=form
            )
        flash(_("Vos réponses sont enregistrées."), "success")
        return redirect(url_for("grids.fill_list", round_id=rnd.id))
    view = grids.round_view(db, rnd, lang)
    return render_template("grids/fill_list.html", round=rnd, view=view, form=form, conflicts=[])


@bp.route("/me/rounds/<int:round_id>/step", defaults={"n": None})
@bp.route("/me/rounds/<int:round_id>/step/<int:n>", methods=["GET", "POST"])
@participant_required
def fill_step(round_id: int, n: int | None) -> Any:
    """One competence per screen, big tap targets; saved at each step, so it can be resumed."""
    rnd = load_round(round_id)
    db = get_session()
    lang = current_language()
    view = grids.round_view(db, rnd, lang)
    if n is None:  # resume where the participant stopped
        return redirect(url_for("grids.fill_step", round_id=rnd.id, n=_first_unrated(view) + 1))
    if not 1 <= n <= len(view.axes):
        abort(404)
    axis = view.axes[n - 1]
    form = StepForm()
    if request.method == "POST":
        entry = form.entry(axis.competence.id)
        conflict = conflict_of(
            lambda: grids.save_ratings(db, rnd, role="self", actor=actor(), entries=[entry])
        )
        if conflict is not None:
            view = grids.round_view(db, rnd, lang)
            return conflict_response(
                "grids/fill_step.html",
                conflict,
                round=rnd,
                view=view,
                axis=view.axes[n - 1],
                n=n,
                form=form,
            )
        if form.go.data == "back" and n > 1:
            return redirect(url_for("grids.fill_step", round_id=rnd.id, n=n - 1))
        if n < len(view.axes):
            return redirect(url_for("grids.fill_step", round_id=rnd.id, n=n + 1))
        return redirect(url_for("grids.fill_done", round_id=rnd.id))
    return render_template(
        "grids/fill_step.html", round=rnd, view=view, axis=axis, n=n, form=form, conflicts=[]
    )


@bp.route("/me/rounds/<int:round_id>/done", methods=["GET", "POST"])
@participant_required
def fill_done(round_id: int) -> Any:
    rnd = load_round(round_id)
    db = get_session()
    if request.method == "POST":
        grids.submit_self_assessment(db, rnd, actor())  # refuses an unfinished grid (422)
        return redirect(url_for("grids.compare", round_id=rnd.id))
    view = grids.round_view(db, rnd, current_language())
    return render_template("grids/fill_done.html", round=rnd, view=view)


@bp.route("/me/rounds/<int:round_id>/portfolio", methods=["POST"])
@participant_required
def chart_in_portfolio(round_id: int) -> Any:
    rnd = load_round(round_id)
    form = ChartChoiceForm()
    grids.set_chart_in_portfolio(get_session(), rnd, actor(), form.show.data == "1")
    flash(_("Votre choix est enregistré."), "success")
    return redirect(url_for("grids.compare", round_id=rnd.id))


@bp.route("/me/validations/<int:vc_id>", methods=["POST"])
@participant_required
def consent(vc_id: int) -> Any:
    db = get_session()
    vc = get_or_404(db, ValidatedCompetence, vc_id)
    if vc.participant_id != current_user.id:
        abort(404)
    form = ConsentForm()
    form.check(400)
    grids.set_consent(db, vc, actor(), given=form.answer.data == "given")
    flash(_("Votre réponse est enregistrée."), "success")
    return redirect(url_for("grids.compare", round_id=vc.round_id) + f"#axis-{vc.competence_id}")


# --------------------------------------------------------------------------- peers


@bp.route("/me/sessions/<int:session_id>/peers")
@participant_required
def peer_list(session_id: int) -> Any:
    """The other participants of a session, to give each one's grid your view."""
    db = get_session()
    gs = get_or_404(db, GroupSession, session_id)
    rounds = grids.peer_rounds(db, gs, actor())  # 404 to non-members, 403 until opened
    done = {rnd.id: len(grids.my_peer_ratings(db, rnd, actor())) for rnd in rounds}
    return render_template("grids/peer_list.html", gs=gs, rounds=rounds, done=done)


@bp.route("/me/sessions/<int:session_id>/peers/<int:participant_id>", methods=["GET", "POST"])
@participant_required
def peer_fill(session_id: int, participant_id: int) -> Any:
    """Your view, as a peer, on another participant's grid of the session (one form). You see
    only your own answers, never theirs, their coach's or the other peers'."""
    db = get_session()
    gs = get_or_404(db, GroupSession, session_id)
    rnd = grids.peer_round(db, gs, actor(), participant_id)
    lang = current_language()
    ids = [it.competence_id for it in rnd.items]
    form = peer_form(ids)
    conflicts: list[grids.Conflict] = []
    status = 200
    if request.method == "POST":
        entries = peer_entries(form, ids)
        conflict = conflict_of(
            lambda: grids.save_ratings(db, rnd, role="peer", actor=actor(), entries=entries)
        )
        if conflict is None:
            flash(_("Votre regard est enregistré."), "success")
            return redirect(url_for("grids.peer_list", session_id=gs.id))
        conflicts, status = conflict.conflicts, 409
        flash(str(conflict.message), "error")
    mine = grids.my_peer_ratings(db, rnd, actor())
    axes = [
        (
            it.competence,
            grids.competence_label(it.competence, lang),
            grids.competence_levels(it.competence, lang),
            mine.get(it.competence_id),
        )
        for it in rnd.items
    ]
    return (
        render_template(
            "grids/peer_fill.html",
            gs=gs,
            round=rnd,
            person=rnd.journey.participant,
            axes=axes,
            conflicts=conflicts,
            form=form,
        ),
        status,
    )
