"""The staff's pages: sessions and the coach's group screen, a participant's journeys and
rounds, the coach's detail of a round, its validation rules, confirming validations."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badger import grids
from badger.accounts.models import Participant
from badger.db import get_or_404, get_session
from badger.errors import UserError
from badger.grids.forms import (
    GridForm,
    JourneyRoundForm,
    PeerReviewForm,
    RoundStateForm,
    SessionForm,
    cell_entries,
    coach_form,
    group_screen_form,
    note_entries,
    rating_entries,
    rule_entries,
    rules_form,
)
from badger.grids.models import GroupSession, Journey, Round, ValidatedCompetence
from badger.grids.ratings import RatingInput
from badger.grids.reading import (
    active_participants,
    participant_journeys,
    published_competences,
    validations_list,
)
from badger.grids.sessions import coach_cells, list_sessions, programmes, session_columns
from badger.grids.views.base import (
    actor,
    bp,
    conflict_of,
    conflict_response,
    load_round,
    picker_context,
)
from badger.i18n import current_language
from badger.security import staff_required


def _ordered_competences(version_id: int) -> list[int]:
    return [c.id for c in published_competences(get_session(), version_id)]


@bp.route("/sessions", methods=["GET", "POST"])
@staff_required()
def sessions() -> Any:
    db = get_session()
    form = SessionForm()
    if request.method == "POST":
        version_id = form.version_id()
        held_on = form.held_on_date()
        wanted = form.ids("participants")
        gs = grids.create_session(
            db,
            organisation_id=g.organisation.id,
            coach=actor(),
            held_on=held_on,
            title=form.title.data or "",
            referentiel_version_id=version_id,
            competence_ids=form.competence_ids(_ordered_competences(version_id), grids.MAX_AXES),
            round_label=form.value("round_label", "entry"),
            participants=[p for p in active_participants(db) if p.id in wanted],
            programme=form.programme.data or "",
        )
        flash(_("Séance créée."), "success")
        return redirect(url_for("grids.session_screen", session_id=gs.id))
    form.held_on.data = date.today().isoformat()
    return render_template(
        "grids/sessions.html",
        sessions=list_sessions(db),
        participants=active_participants(db),
        form=form,
        programmes=programmes(db),
        **picker_context(),
    )


def _group_screen_rows(
    gs: GroupSession, rounds: dict[int, Round], columns: list[int], form: GridForm
) -> list[tuple[Round, list[RatingInput]]]:
    """The coach's scores of every row; a closed round's row is left out when nothing was
    asked of it."""
    rows = []
    for p in gs.participants:
        rnd = rounds.get(p.id)
        if rnd is None:
            continue
        entries = cell_entries(form, p.id, columns)
        if rnd.closed_at is not None and all(e.score is None and not e.clear for e in entries):
            continue  # nothing asked of a closed round
        rows.append((rnd, entries))
    return rows


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@staff_required()
def session_screen(session_id: int) -> Any:
    """The coach's group screen: participants × competences, fast with thumb or keyboard.
    A cell left empty changes nothing; "–" clears the coach's score."""
    db = get_session()
    gs = get_or_404(db, GroupSession, session_id)
    rounds = grids.session_rounds(db, gs)
    columns = session_columns(db, gs)
    lang = current_language()
    form = group_screen_form([p.id for p in gs.participants], [c.id for c in columns])
    conflicts: list[grids.Conflict] = []
    status = 200
    if request.method == "POST":
        rows = _group_screen_rows(gs, rounds, [c.id for c in columns], form)

        # Every row is checked before any is written: a conflict on the third participant
        # leaves the first two unsaved, and the page shown again reads what is saved.
        def check() -> None:
            for rnd, entries in rows:
                grids.check_ratings(db, rnd, role="coach", actor=actor(), entries=entries)

        conflict = conflict_of(check)
        if conflict is None:
            for rnd, entries in rows:
                grids.save_ratings(db, rnd, role="coach", actor=actor(), entries=entries)
            flash(_("Notes du coach enregistrées."), "success")
            return redirect(url_for("grids.session_screen", session_id=gs.id))
        conflicts, status = conflict.conflicts, 409
        flash(str(conflict.message), "error")
    return (
        render_template(
            "grids/session.html",
            gs=gs,
            rounds=rounds,
            columns=[(c, grids.competence_label(c, lang)) for c in columns],
            cells=coach_cells(db, rounds),
            conflicts=conflicts,
            form=form,
        ),
        status,
    )


@bp.route("/sessions/<int:session_id>/peers", methods=["POST"])
@staff_required()
def session_peers(session_id: int) -> Any:
    """The coach opens or closes the peers' views for the session."""
    db = get_session()
    gs = get_or_404(db, GroupSession, session_id)
    form = PeerReviewForm()
    form.check(400)
    grids.set_peer_review(db, gs, form.open.data == "1")
    flash(
        _("Le regard des pairs est ouvert.")
        if gs.peer_review
        else _("Le regard des pairs est fermé."),
        "success",
    )
    return redirect(url_for("grids.session_screen", session_id=gs.id))


@bp.route("/participants/<int:participant_id>/grids", methods=["GET", "POST"])
@staff_required()
def participant_grids(participant_id: int) -> Any:
    """A participant's journeys and rounds; start a journey or open a round."""
    db = get_session()
    person = get_or_404(db, Participant, participant_id)
    form = JourneyRoundForm()
    if request.method == "POST":
        form.check(400)
        if form.action.data == "journey":
            grids.start_journey(
                db,
                organisation_id=g.organisation.id,
                participant=person,
                coach_id=current_user.id,
                title=form.title.data or "",
            )
        else:
            journey = grids.current_journey(db, person)
            if journey is None:
                raise UserError(_("Commencez d'abord un parcours."), 422)
            version_id = form.version_id()
            grids.open_round(
                db,
                journey=journey,
                referentiel_version_id=version_id,
                competence_ids=form.competence_ids(
                    _ordered_competences(version_id), grids.MAX_AXES
                ),
                label=form.value("round_label", "entry"),
            )
        return redirect(url_for("grids.participant_grids", participant_id=person.id))
    return render_template(
        "grids/participant_grids.html",
        person=person,
        journeys=participant_journeys(db, person.id),
        current=grids.current_journey(db, person),
        form=form,
        **picker_context(),
    )


@bp.route("/journeys/<int:journey_id>/end", methods=["POST"])
@staff_required()
def end_journey(journey_id: int) -> Any:
    """End a journey: its open rounds are closed; a new journey can start."""
    db = get_session()
    journey = get_or_404(db, Journey, journey_id)
    grids.end_journey(db, journey)
    flash(_("Parcours terminé."), "success")
    return redirect(url_for("grids.participant_grids", participant_id=journey.participant_id))


@bp.route("/rounds/<int:round_id>/state", methods=["POST"])
@staff_required()
def round_state(round_id: int) -> Any:
    """Close a round (nothing changes any more but the participant's consent) or reopen it."""
    rnd = load_round(round_id)
    db = get_session()
    form = RoundStateForm()
    form.check(400)
    if form.action.data == "close":
        grids.close_round(db, rnd)
        message = _("Tour de grille clos.")
    else:
        grids.reopen_round(db, rnd)
        message = _("Tour de grille rouvert.")
    flash(message, "success")
    return redirect(url_for("grids.coach_round", round_id=rnd.id))


@bp.route("/rounds/<int:round_id>/rules", methods=["GET", "POST"])
@staff_required()
def round_rules(round_id: int) -> Any:
    """Per competence: the threshold (0–5) and whether the coach confirms. The participant's
    consent is always required and cannot be switched off."""
    rnd = load_round(round_id)
    db = get_session()
    ids = [it.competence_id for it in rnd.items]
    form = rules_form(ids)
    conflicts: list[grids.Conflict] = []
    status = 200
    if request.method == "POST":
        entries = rule_entries(form, ids)
        changed: list[int] = []
        conflict = conflict_of(lambda: changed.append(grids.update_rules(db, rnd, entries)))
        if conflict is None:
            flash(_("Règles de validation enregistrées (%(n)d).", n=changed[0]), "success")
            return redirect(url_for("grids.round_rules", round_id=rnd.id))
        conflicts, status = conflict.conflicts, 409
        flash(str(conflict.message), "error")
    view = grids.round_view(db, rnd, current_language(), reveal=True)
    rows = [
        (
            a,
            grids.rule_token(a.rule),
            a.validation is not None and a.validation.status == "consented",
        )
        for a in view.axes
    ]
    return (
        render_template(
            "grids/rules.html",
            round=rnd,
            rows=rows,
            conflicts=conflicts,
            form=form,
            posted=status == 409,
        ),
        status,
    )


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@staff_required()
def coach_round(round_id: int) -> Any:
    """Per-participant detail: the coach's scores, comments, advice and observations."""
    rnd = load_round(round_id)
    db = get_session()
    lang = current_language()
    ids = [it.competence_id for it in rnd.items]
    form = coach_form(ids)
    if request.method == "POST":
        ratings, notes = rating_entries(form, ids), note_entries(form, ids)
        summary = form.value("summary")

        def check() -> None:
            # both checked before either is written (the scores must not be saved alone)
            grids.check_ratings(db, rnd, role="coach", actor=actor(), entries=ratings)
            grids.check_coach_notes(db, rnd, entries=notes)

        conflict = conflict_of(check)
        if conflict is not None:
            view = grids.round_view(db, rnd, lang, viewer=actor())
            return conflict_response(
                "grids/coach_round.html", conflict, round=rnd, view=view, form=form
            )
        grids.save_ratings(db, rnd, role="coach", actor=actor(), entries=ratings)
        grids.save_coach_notes(db, rnd, author=actor(), entries=notes, summary=summary)
        flash(_("Regard du coach enregistré."), "success")
        return redirect(url_for("grids.coach_round", round_id=rnd.id))
    view = grids.round_view(db, rnd, lang, viewer=actor())
    return render_template("grids/coach_round.html", round=rnd, view=view, form=form, conflicts=[])


@bp.route("/validations/<int:vc_id>/confirm", methods=["POST"])
@staff_required()
def confirm(vc_id: int) -> Any:
    db = get_session()
    vc = get_or_404(db, ValidatedCompetence, vc_id)
    grids.confirm_validation(db, vc, actor())
    flash(_("Validation confirmée."), "success")
    return redirect(url_for("grids.compare", round_id=vc.round_id) + f"#axis-{vc.competence_id}")


@bp.route("/validations")
@staff_required()
def validations() -> Any:
    """Validated competences ready for award, and those still waiting."""
    return render_template("grids/validations.html", rows=validations_list(get_session()))
