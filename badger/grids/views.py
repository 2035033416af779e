"""Pages for co-assessment grids: the participant's phone flow, the coach's group screen, the
comparison (spider chart), agreement, validation and consent, progress, exports and print."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from badger import grids
from badger.accounts.models import Participant, User
from badger.db import get_or_404, get_session
from badger.errors import UserError
from badger.grids import GridConflict, NoteInput, RatingInput, RuleInput, charts
from badger.grids.models import (
    ROUND_LABEL_NAMES,
    Journey,
    Rating,
    Round,
    ValidatedCompetence,
    display_round_label,
    session_participants,
)
from badger.grids.models import GroupSession as GroupSessionModel
from badger.guards import form_int
from badger.i18n import current_language
from badger.referentiels.models import Competence, ReferentielVersion
from badger.security import participant_required, staff_required

bp = Blueprint("grids", __name__)

PROGRESS_KINDS: tuple[charts.SeriesKind, ...] = ("previous", "peer", "coach", "self")
#: What a cell of the group screen may hold to clear a score (the explicit "–" choice).
CLEAR_MARKS = frozenset({"-", "–", "—"})


def round_label(label: str) -> str:
    return display_round_label(label)


@bp.app_template_filter("round_label")
def _round_label_filter(label: str) -> str:
    return display_round_label(label)


@bp.app_template_filter("grid_score")
def _score_filter(value: float | None) -> str:
    """A score or a mean as people write it here ("2,5" in French)."""
    return charts.format_score(value, current_language())


def _series_names() -> dict[str, str]:
    return {
        "self": _("Auto-évaluation"),
        "coach": _("Regard du coach"),
        "peer": _("Regard des pairs"),
        "agreed": _("Niveau convenu"),
        "previous": _("Tour précédent"),
    }


def _load_round(round_id: int) -> Round:
    """A round the current person may see: scope filters other organisations; a participant
    sees only their own rounds (404 otherwise, like any other hidden object)."""
    db = get_session()
    rnd = get_or_404(db, Round, round_id)
    if current_user.kind == "participant" and rnd.journey.participant_id != current_user.id:
        abort(404)
    if current_user.kind != "participant" and g.get("organisation") is None:
        abort(403)
    return rnd


def _load_comparable_round(round_id: int) -> Round:
    """A round whose coach view the current person may see: a participant sees it only once
    they have finished their own assessment, so the coach's scores never steer theirs."""
    rnd = _load_round(round_id)
    if current_user.kind == "participant" and rnd.self_submitted_at is None:
        abort(404)
    return rnd


def _actor() -> User | Participant:
    return current_user._get_current_object()


def _int(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise UserError(_("Une note est un nombre entier de 0 à 5."), 422) from None


def _chart(view: grids.RoundView, *, prefix: str) -> tuple[Markup, Markup]:
    lang = current_language()
    axes, series = view.chart(lang, _series_names())
    who = view.round.journey.participant.display_name
    title = _("Grille de %(name)s — %(label)s", name=who, label=view.round.display_label)
    desc = _(
        "Toile d'araignée sur %(n)d compétences, notées de 0 à 5 : %(series)s.",
        n=len(axes),
        series=", ".join(s.name for s in series),
    )
    svg = charts.radar_svg(axes, series, title=title, description=desc, lang=lang, id_prefix=prefix)
    table = charts.data_table_html(
        axes, series, caption=_("Les notes de la grille, en tableau"), lang=lang
    )
    return Markup(svg), Markup(table)  # noqa: S704 - both built with escaping in charts.py


def _conflict_response(template: str, err: GridConflict, **ctx: Any) -> tuple[str, int]:
    flash(str(err.message), "error")
    return render_template(template, conflicts=err.conflicts, **ctx), 409


# --------------------------------------------------------------------------- participant


@bp.route("/me/grids")
@participant_required
def my_grids() -> Any:
    db = get_session()
    journeys = (
        db.execute(
            select(Journey)
            .where(Journey.participant_id == current_user.id)
            .order_by(Journey.started_on.desc())
            .options(selectinload(Journey.rounds))
        )
        .scalars()
        .all()
    )
    done = dict(
        db.execute(
            select(Rating.round_id, func.count())
            .where(Rating.rater_role == "self", Rating.rater_key == "self")
            .where(Rating.round_id.in_([r.id for j in journeys for r in j.rounds]))
            .group_by(Rating.round_id)
        ).all()
    )
    validations = (
        db.execute(
            select(ValidatedCompetence)
            .where(
                ValidatedCompetence.participant_id == current_user.id,
                ValidatedCompetence.status.in_(("proposed", "confirmed")),
            )
            .options(selectinload(ValidatedCompetence.competence))
        )
        .scalars()
        .all()
    )
    peer_sessions = (
        db.execute(
            select(GroupSessionModel)
            .join(session_participants, session_participants.c.session_id == GroupSessionModel.id)
            .where(
                session_participants.c.participant_id == current_user.id,
                GroupSessionModel.peer_review.is_(True),
            )
            .order_by(GroupSessionModel.held_on.desc())
        )
        .scalars()
        .all()
    )
    return render_template(
        "grids/my_grids.html",
        journeys=journeys,
        done=done,
        validations=validations,
        peer_sessions=[gs for gs in peer_sessions if len(gs.participants) > 1],
    )


def _first_unrated(view: grids.RoundView) -> int:
    return next((i for i, a in enumerate(view.axes) if a.self_score is None), 0)


@bp.route("/me/rounds/<int:round_id>", methods=["GET", "POST"])
@participant_required
def fill_list(round_id: int) -> Any:
    """Compact list mode: every competence on one page, one form."""
    rnd = _load_round(round_id)
    db = get_session()
    lang = current_language()
    if request.method == "POST":
        entries = [
            RatingInput(
                it.competence_id,
                _int(request.form.get(f"score-{it.competence_id}")),
                request.form.get(f"comment-{it.competence_id}"),
                _int(request.form.get(f"v-{it.competence_id}")),
            )
            for it in rnd.items
        ]
        try:
            grids.save_ratings(db, rnd, role="self", actor=_actor(), entries=entries)
        except GridConflict as err:
            db.rollback()
            view = grids.round_view(db, rnd, lang)
            return _conflict_response(
                "grids/fill_list.html", err, round=rnd, view=view, posted=request.form
            )
        db.commit()
        flash(_("Vos réponses sont enregistrées."), "success")
        return redirect(url_for("grids.fill_list", round_id=rnd.id))
    view = grids.round_view(db, rnd, lang)
    return render_template("grids/fill_list.html", round=rnd, view=view, posted={}, conflicts=[])


@bp.route("/me/rounds/<int:round_id>/step", defaults={"n": None})
@bp.route("/me/rounds/<int:round_id>/step/<int:n>", methods=["GET", "POST"])
@participant_required
def fill_step(round_id: int, n: int | None) -> Any:
    """One competence per screen, big tap targets; saved at each step, so it can be resumed."""
    rnd = _load_round(round_id)
    db = get_session()
    lang = current_language()
    view = grids.round_view(db, rnd, lang)
    if n is None:  # resume where the participant stopped
        return redirect(url_for("grids.fill_step", round_id=rnd.id, n=_first_unrated(view) + 1))
    if not 1 <= n <= len(view.axes):
        abort(404)
    axis = view.axes[n - 1]
    if request.method == "POST":
        entry = RatingInput(
            axis.competence.id,
            _int(request.form.get("score")),
            request.form.get("comment"),
            _int(request.form.get("v")),
        )
        try:
            grids.save_ratings(db, rnd, role="self", actor=_actor(), entries=[entry])
        except GridConflict as err:
            db.rollback()
            view = grids.round_view(db, rnd, lang)
            return _conflict_response(
                "grids/fill_step.html",
                err,
                round=rnd,
                view=view,
                axis=view.axes[n - 1],
                n=n,
                posted=request.form,
            )
        db.commit()
        if request.form.get("go") == "back" and n > 1:
            return redirect(url_for("grids.fill_step", round_id=rnd.id, n=n - 1))
        if n < len(view.axes):
            return redirect(url_for("grids.fill_step", round_id=rnd.id, n=n + 1))
        return redirect(url_for("grids.fill_done", round_id=rnd.id))
    return render_template(
        "grids/fill_step.html", round=rnd, view=view, axis=axis, n=n, posted={}, conflicts=[]
    )


@bp.route("/me/rounds/<int:round_id>/done", methods=["GET", "POST"])
@participant_required
def fill_done(round_id: int) -> Any:
    rnd = _load_round(round_id)
    db = get_session()
    if request.method == "POST":
        grids.submit_self_assessment(db, rnd, _actor())  # refuses an unfinished grid (422)
        db.commit()
        return redirect(url_for("grids.compare", round_id=rnd.id))
    view = grids.round_view(db, rnd, current_language())
    return render_template("grids/fill_done.html", round=rnd, view=view)


@bp.route("/me/rounds/<int:round_id>/portfolio", methods=["POST"])
@participant_required
def chart_in_portfolio(round_id: int) -> Any:
    rnd = _load_round(round_id)
    db = get_session()
    grids.set_chart_in_portfolio(db, rnd, _actor(), request.form.get("show") == "1")
    db.commit()
    flash(_("Votre choix est enregistré."), "success")
    return redirect(url_for("grids.compare", round_id=rnd.id))


@bp.route("/me/validations/<int:vc_id>", methods=["POST"])
@participant_required
def consent(vc_id: int) -> Any:
    db = get_session()
    vc = get_or_404(db, ValidatedCompetence, vc_id)
    if vc.participant_id != current_user.id:
        abort(404)
    answer = request.form.get("answer")
    if answer not in {"given", "declined"}:
        raise UserError(_("Choisissez d'accepter ou de refuser."), 400)
    grids.set_consent(db, vc, _actor(), given=answer == "given")
    db.commit()
    flash(_("Votre réponse est enregistrée."), "success")
    return redirect(url_for("grids.compare", round_id=vc.round_id))


# --------------------------------------------------------------------------- both


@bp.route("/rounds/<int:round_id>/compare")
def compare(round_id: int) -> Any:
    """Self and coach (and previous round) on one chart; gaps ≥ 2 are conversation prompts."""
    if not current_user.is_authenticated:
        abort(401)
    rnd = _load_round(round_id)
    db = get_session()
    view = grids.round_view(db, rnd, current_language(), viewer=_actor())
    hidden = view.others_hidden
    svg = table = None
    if not hidden:
        svg, table = _chart(view, prefix=f"round{rnd.id}")
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
    rnd = _load_round(round_id)
    db = get_session()
    cid = _int(request.form.get("competence"))
    level = _int(request.form.get("level"))
    if cid is None or level is None:
        raise UserError(_("Choisissez un niveau."), 422)
    try:
        grids.record_agreement(
            db,
            rnd,
            competence_id=cid,
            level=level,
            actor=_actor(),
            seen_version=_int(request.form.get("v")),
        )
    except GridConflict as err:
        db.rollback()
        view = grids.round_view(db, rnd, current_language(), viewer=_actor())
        svg, table = _chart(view, prefix=f"round{rnd.id}")
        return _conflict_response(
            "grids/compare.html",
            err,
            round=rnd,
            view=view,
            svg=svg,
            table=table,
            hidden=view.others_hidden,
        )
    db.commit()
    flash(_("Niveau convenu enregistré."), "success")
    return redirect(url_for("grids.compare", round_id=rnd.id) + f"#axis-{cid}")


@bp.route("/journeys/<int:journey_id>/progress")
def progress(journey_id: int) -> Any:
    if not current_user.is_authenticated:
        abort(401)
    db = get_session()
    if current_user.kind != "participant" and g.get("organisation") is None:
        abort(403)  # staff in no organisation, like every other grid view (_load_round)
    journey = get_or_404(db, Journey, journey_id)
    if current_user.kind == "participant" and journey.participant_id != current_user.id:
        abort(404)
    lang = current_language()
    pv = grids.journey_progress(db, journey, lang, viewer=_actor())
    # each label in the language competence_label chose for it (as RoundView.chart marks it)
    competences = {it.competence_id: it.competence for r in journey.rounds for it in r.items}
    axes = [
        charts.Axis(label, language=grids.competence_label_language(competences[p.key], lang))
        for label, p in pv.axes
    ]
    svg = None
    if len(axes) >= 3 and pv.labels:
        # One style per round, oldest first; the chart shows the last four (the table all).
        shown = list(enumerate(pv.labels))[-len(PROGRESS_KINDS) :]
        kinds = PROGRESS_KINDS[-len(shown) :]
        series = [
            charts.Series(lbl, [p.values[i] for _l, p in pv.axes], kind)
            for (i, lbl), kind in zip(shown, kinds, strict=True)
        ]
        svg = Markup(  # noqa: S704 - escaped in charts.py
            charts.radar_svg(
                axes,
                series,
                title=_("Progression de %(name)s", name=journey.participant.display_name),
                description=_("Les mêmes compétences à chaque tour de grille, de 0 à 5."),
                lang=lang,
                id_prefix=f"progress{journey.id}",
            )
        )
    return render_template(
        "grids/progress.html", journey=journey, pv=pv, svg=svg, staff=current_user.kind == "staff"
    )


def _chart_response(rnd: Round, fmt: str) -> Response:
    db = get_session()
    lang = current_language()
    view = grids.round_view(db, rnd, lang, viewer=_actor())
    axes, series = view.chart(lang, _series_names())
    title = _(
        "Grille de %(name)s — %(label)s",
        name=rnd.journey.participant.display_name,
        label=rnd.display_label,
    )
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
    return _chart_response(_load_comparable_round(round_id), fmt)


@bp.route("/rounds/<int:round_id>/export.<any(csv, json):fmt>")
def export(round_id: int, fmt: str) -> Any:
    if not current_user.is_authenticated:
        abort(401)
    rnd = _load_comparable_round(round_id)
    db = get_session()
    name = f"grille-{rnd.id}-{rnd.label}".replace(" ", "-")
    lang, viewer = current_language(), _actor()
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
    rnd = _load_comparable_round(round_id)
    db = get_session()
    view = grids.round_view(db, rnd, current_language(), viewer=_actor())
    svg, table = _chart(view, prefix=f"print{rnd.id}")
    return render_template("grids/print.html", round=rnd, view=view, svg=svg, table=table)


# --------------------------------------------------------------------------- staff


def _published_versions() -> list[ReferentielVersion]:
    db = get_session()
    return list(
        db.execute(
            select(ReferentielVersion)
            .where(ReferentielVersion.status == "published")
            .order_by(ReferentielVersion.title, ReferentielVersion.number)
        ).scalars()
    )


def _org_participants() -> list[Participant]:
    db = get_session()
    return list(
        db.execute(
            select(Participant)
            .where(Participant.active.is_(True))
            .order_by(Participant.display_name)
        ).scalars()
    )


def _version_competences(version_id: int | None) -> list[Competence]:
    """The competences of a published version, in order (empty for no or an unknown version)."""
    if version_id is None:
        return []
    db = get_session()
    return list(
        db.execute(
            select(Competence)
            .join(ReferentielVersion, Competence.version_id == ReferentielVersion.id)
            .where(Competence.version_id == version_id, ReferentielVersion.status == "published")
            .order_by(Competence.position, Competence.id)
        ).scalars()
    )


def _competence_ids_from_form(version_id: int) -> list[int]:
    """The competences ticked in the picker, in the version's order. A form without the picker
    (``pick`` absent) takes the version's first 30; with the picker, what was ticked (so an
    empty choice is refused, never silently replaced)."""
    ticked = {i for i in map(form_int, request.form.getlist("competences")) if i is not None}
    ordered = [c.id for c in _version_competences(version_id)]
    if ticked or request.form.get("pick"):
        # In the version's order; ids from elsewhere are kept so that the service refuses them.
        return [c for c in ordered if c in ticked] + sorted(ticked - set(ordered))
    return ordered[: grids.MAX_AXES]


def _picker_context() -> dict[str, Any]:
    """The version chosen in the first step (``?version=``) and its competences for the picker;
    the first 30 are ticked by default."""
    version_id = _int_arg("version")
    versions = _published_versions()
    chosen = next((v for v in versions if v.id == version_id), None)
    competences = _version_competences(chosen.id) if chosen else []
    lang = current_language()
    return {
        "versions": versions,
        "chosen": chosen,
        "competences": [(c, grids.competence_label(c, lang)) for c in competences],
        "ticked": {c.id for c in competences[: grids.MAX_AXES]},
        "labels": ROUND_LABEL_NAMES,
        "min_axes": grids.MIN_AXES,
        "max_axes": grids.MAX_AXES,
    }


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return form_int(value)


@bp.route("/sessions", methods=["GET", "POST"])
@staff_required()
def sessions() -> Any:
    db = get_session()
    if request.method == "POST":
        version_id = _int(request.form.get("version"))
        if version_id is None:
            raise UserError(_("Choisissez un référentiel."), 422)
        try:
            held_on = date.fromisoformat(request.form.get("held_on") or date.today().isoformat())
        except ValueError:
            raise UserError(_("Date non valable."), 422) from None
        wanted = {i for i in map(form_int, request.form.getlist("participants")) if i is not None}
        people = [p for p in _org_participants() if p.id in wanted]
        gs = grids.create_session(
            db,
            organisation_id=g.organisation.id,
            coach=_actor(),
            held_on=held_on,
            title=request.form.get("title", ""),
            referentiel_version_id=version_id,
            competence_ids=_competence_ids_from_form(version_id),
            round_label=request.form.get("round_label", "entry"),
            participants=people,
        )
        db.commit()
        flash(_("Séance créée."), "success")
        return redirect(url_for("grids.session_screen", session_id=gs.id))
    rows = (
        db.execute(select(GroupSessionModel).order_by(GroupSessionModel.held_on.desc()))
        .scalars()
        .all()
    )
    return render_template(
        "grids/sessions.html",
        sessions=rows,
        participants=_org_participants(),
        today=date.today().isoformat(),
        **_picker_context(),
    )


def _cell(value: str | None) -> tuple[int | None, bool]:
    """(score, clear) from a group-screen cell: empty leaves as is, "–" clears."""
    value = (value or "").strip()
    if value in CLEAR_MARKS:
        return None, True
    return _int(value), False


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@staff_required()
def session_screen(session_id: int) -> Any:
    """The coach's group screen: participants × competences, fast with thumb or keyboard.
    A cell left empty changes nothing; "–" clears the coach's score."""
    db = get_session()
    gs = get_or_404(db, GroupSessionModel, session_id)
    rounds = grids.session_rounds(db, gs)
    competences = {
        c.id: c
        for c in db.execute(
            select(Competence).where(Competence.id.in_(gs.competence_ids))
        ).scalars()
    }
    columns = [competences[c] for c in gs.competence_ids if c in competences]
    lang = current_language()
    conflicts: list[grids.Conflict] = []
    status = 200
    if request.method == "POST":
        try:
            for p in gs.participants:
                rnd = rounds.get(p.id)
                if rnd is None:
                    continue
                entries = []
                for c in columns:
                    score, clear = _cell(request.form.get(f"s-{p.id}-{c.id}"))
                    entries.append(
                        RatingInput(
                            c.id, score, None, _int(request.form.get(f"v-{p.id}-{c.id}")), clear
                        )
                    )
                if rnd.closed_at is not None and all(
                    e.score is None and not e.clear for e in entries
                ):
                    continue  # nothing asked of a closed round
                grids.save_ratings(db, rnd, role="coach", actor=_actor(), entries=entries)
        except GridConflict as err:
            db.rollback()
            conflicts, status = err.conflicts, 409
            flash(str(err.message), "error")
        else:
            db.commit()
            flash(_("Notes du coach enregistrées."), "success")
            return redirect(url_for("grids.session_screen", session_id=gs.id))
    cells: dict[tuple[int, int], Rating] = {}
    if rounds:
        round_to_p = {r.id: pid for pid, r in rounds.items()}
        for r in db.execute(
            select(Rating).where(
                Rating.round_id.in_(list(round_to_p)), Rating.rater_role == "coach"
            )
        ).scalars():
            cells[(round_to_p[r.round_id], r.competence_id)] = r
    return (
        render_template(
            "grids/session.html",
            gs=gs,
            rounds=rounds,
            columns=[(c, grids.competence_label(c, lang)) for c in columns],
            cells=cells,
            conflicts=conflicts,
            posted=request.form if status == 409 else {},
        ),
        status,
    )


@bp.route("/sessions/<int:session_id>/peers", methods=["POST"])
@staff_required()
def session_peers(session_id: int) -> Any:
    """The coach opens or closes the peers' views for the session."""
    db = get_session()
    gs = get_or_404(db, GroupSessionModel, session_id)
    answer = request.form.get("open")
    if answer not in {"0", "1"}:
        raise UserError(_("Choisissez d'ouvrir ou de fermer le regard des pairs."), 400)
    grids.set_peer_review(db, gs, answer == "1")
    db.commit()
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
    if request.method == "POST":
        action = request.form.get("action")
        if action == "journey":
            grids.start_journey(
                db,
                organisation_id=g.organisation.id,
                participant=person,
                coach_id=current_user.id,
                title=request.form.get("title", ""),
            )
        elif action == "round":
            journey = grids.current_journey(db, person)
            if journey is None:
                raise UserError(_("Commencez d'abord un parcours."), 422)
            version_id = _int(request.form.get("version"))
            if version_id is None:
                raise UserError(_("Choisissez un référentiel."), 422)
            grids.open_round(
                db,
                journey=journey,
                referentiel_version_id=version_id,
                competence_ids=_competence_ids_from_form(version_id),
                label=request.form.get("round_label", "entry"),
            )
        else:
            raise UserError(_("Action inconnue."), 400)
        db.commit()
        return redirect(url_for("grids.participant_grids", participant_id=person.id))
    journeys = (
        db.execute(
            select(Journey)
            .where(Journey.participant_id == person.id)
            .order_by(Journey.started_on.desc(), Journey.id.desc())
        )
        .scalars()
        .all()
    )
    return render_template(
        "grids/participant_grids.html",
        person=person,
        journeys=journeys,
        current=grids.current_journey(db, person),
        **_picker_context(),
    )


@bp.route("/journeys/<int:journey_id>/end", methods=["POST"])
@staff_required()
def end_journey(journey_id: int) -> Any:
    """End a journey: its open rounds are closed; a new journey can start."""
    db = get_session()
    journey = get_or_404(db, Journey, journey_id)
    grids.end_journey(db, journey)
    db.commit()
    flash(_("Parcours terminé."), "success")
    return redirect(url_for("grids.participant_grids", participant_id=journey.participant_id))


@bp.route("/rounds/<int:round_id>/state", methods=["POST"])
@staff_required()
def round_state(round_id: int) -> Any:
    """Close a round (nothing changes any more but the participant's consent) or reopen it."""
    rnd = _load_round(round_id)
    db = get_session()
    action = request.form.get("action")
    if action == "close":
        grids.close_round(db, rnd)
        message = _("Tour de grille clos.")
    elif action == "reopen":
        grids.reopen_round(db, rnd)
        message = _("Tour de grille rouvert.")
    else:
        raise UserError(_("Action inconnue."), 400)
    db.commit()
    flash(message, "success")
    return redirect(url_for("grids.coach_round", round_id=rnd.id))


@bp.route("/rounds/<int:round_id>/rules", methods=["GET", "POST"])
@staff_required()
def round_rules(round_id: int) -> Any:
    """Per competence: the threshold (0–5) and whether the coach confirms. The participant's
    consent is always required and cannot be switched off."""
    rnd = _load_round(round_id)
    db = get_session()
    lang = current_language()
    conflicts: list[grids.Conflict] = []
    status = 200
    if request.method == "POST":
        f = request.form
        if f.get("participant_consents") is not None and f.get("participant_consents") != "1":
            raise UserError(_("L'accord du participant est toujours demandé."), 400)
        entries = [
            RuleInput(
                it.competence_id,
                f.get(f"min-{it.competence_id}", ""),
                f.get(f"confirm-{it.competence_id}") == "1",
                f.get(f"seen-{it.competence_id}"),
            )
            for it in rnd.items
            if f"min-{it.competence_id}" in f
        ]
        try:
            changed = grids.update_rules(db, rnd, entries)
        except GridConflict as err:
            db.rollback()
            conflicts, status = err.conflicts, 409
            flash(str(err.message), "error")
        else:
            db.commit()
            flash(_("Règles de validation enregistrées (%(n)d).", n=changed), "success")
            return redirect(url_for("grids.round_rules", round_id=rnd.id))
    view = grids.round_view(db, rnd, lang, reveal=True)
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
            posted=request.form if status == 409 else {},
        ),
        status,
    )


# --------------------------------------------------------------------------- peers


@bp.route("/me/sessions/<int:session_id>/peers")
@participant_required
def peer_list(session_id: int) -> Any:
    """The other participants of a session, to give each one's grid your view."""
    db = get_session()
    gs = get_or_404(db, GroupSessionModel, session_id)
    rounds = grids.peer_rounds(db, gs, _actor())  # 404 to non-members, 403 until opened
    done = {rnd.id: len(grids.my_peer_ratings(db, rnd, _actor())) for rnd in rounds}
    return render_template("grids/peer_list.html", gs=gs, rounds=rounds, done=done)


@bp.route("/me/sessions/<int:session_id>/peers/<int:participant_id>", methods=["GET", "POST"])
@participant_required
def peer_fill(session_id: int, participant_id: int) -> Any:
    """Your view, as a peer, on another participant's grid of the session (one form). You see
    only your own answers, never theirs, their coach's or the other peers'."""
    db = get_session()
    gs = get_or_404(db, GroupSessionModel, session_id)
    rnd = grids.peer_round(db, gs, _actor(), participant_id)
    lang = current_language()
    conflicts: list[grids.Conflict] = []
    status = 200
    if request.method == "POST":
        entries = []
        for it in rnd.items:
            cid = it.competence_id
            raw = request.form.get(f"score-{cid}")
            clear = raw == "clear"
            entries.append(
                RatingInput(
                    cid,
                    None if clear else _int(raw),
                    None,
                    _int(request.form.get(f"v-{cid}")),
                    clear,
                )
            )
        try:
            grids.save_ratings(db, rnd, role="peer", actor=_actor(), entries=entries)
        except GridConflict as err:
            db.rollback()
            conflicts, status = err.conflicts, 409
            flash(str(err.message), "error")
        else:
            db.commit()
            flash(_("Votre regard est enregistré."), "success")
            return redirect(url_for("grids.peer_list", session_id=gs.id))
    mine = grids.my_peer_ratings(db, rnd, _actor())
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
            posted=request.form if status == 409 else {},
        ),
        status,
    )


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@staff_required()
def coach_round(round_id: int) -> Any:
    """Per-participant detail: the coach's scores, comments, advice and observations."""
    rnd = _load_round(round_id)
    db = get_session()
    lang = current_language()
    if request.method == "POST":
        f = request.form
        ids = [it.competence_id for it in rnd.items]
        try:
            grids.save_ratings(
                db,
                rnd,
                role="coach",
                actor=_actor(),
                entries=[
                    RatingInput(
                        c, _int(f.get(f"score-{c}")), f.get(f"comment-{c}"), _int(f.get(f"v-{c}"))
                    )
                    for c in ids
                ],
            )
            grids.save_coach_notes(
                db,
                rnd,
                author=_actor(),
                entries=[
                    NoteInput(
                        c, f.get(f"advice-{c}", ""), f.get(f"obs-{c}", ""), _int(f.get(f"nv-{c}"))
                    )
                    for c in ids
                ],
                summary=f.get("summary"),
            )
        except GridConflict as err:
            db.rollback()
            view = grids.round_view(db, rnd, lang, viewer=_actor())
            return _conflict_response("grids/coach_round.html", err, round=rnd, view=view, posted=f)
        db.commit()
        flash(_("Regard du coach enregistré."), "success")
        return redirect(url_for("grids.coach_round", round_id=rnd.id))
    view = grids.round_view(db, rnd, lang, viewer=_actor())
    return render_template("grids/coach_round.html", round=rnd, view=view, posted={}, conflicts=[])


@bp.route("/validations/<int:vc_id>/confirm", methods=["POST"])
@staff_required()
def confirm(vc_id: int) -> Any:
    db = get_session()
    vc = get_or_404(db, ValidatedCompetence, vc_id)
    grids.confirm_validation(db, vc, _actor())
    db.commit()
    flash(_("Validation confirmée."), "success")
    return redirect(url_for("grids.compare", round_id=vc.round_id) + f"#axis-{vc.competence_id}")


@bp.route("/validations")
@staff_required()
def validations() -> Any:
    """Validated competences ready for award, and those still waiting."""
    db = get_session()
    rows = (
        db.execute(
            select(ValidatedCompetence)
            .order_by(ValidatedCompetence.validated_on.desc(), ValidatedCompetence.id)
            .options(
                selectinload(ValidatedCompetence.competence),
                selectinload(ValidatedCompetence.participant),
                selectinload(ValidatedCompetence.round),
            )
        )
        .scalars()
        .all()
    )
    return render_template("grids/validations.html", rows=rows)
