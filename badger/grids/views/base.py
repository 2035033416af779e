"""The grids blueprint and what its pages share: loading a round the person may see, the
chart with its data table, the answer to an edit conflict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from badger.accounts.models import Participant, User
from badger.db import get_or_404, get_session
from badger.grids import (
    MAX_AXES,
    MIN_AXES,
    GridConflict,
    RoundView,
    charts,
    competence_label,
)
from badger.grids.models import ROUND_LABEL_NAMES, Agreement, Round, display_round_label
from badger.grids.reading import published_competences, published_versions
from badger.guards import form_int
from badger.i18n import current_language
from badger.templating import elide

bp = Blueprint("grids", __name__)


@bp.app_template_filter("round_label")
def _round_label_filter(label: str) -> str:
    return display_round_label(label)


@bp.app_template_filter("grid_score")
def _score_filter(value: float | None) -> str:
    """A score or a mean as people write it here ("2,5" in French)."""
    return charts.format_score(value, current_language())


def series_names() -> dict[str, str]:
    return {
        "self": _("Auto-évaluation"),
        "coach": _("Regard du coach"),
        "peer": _("Regard des pairs"),
        "agreed": _("Niveau convenu"),
        "previous": _("Tour précédent"),
    }


def load_round(round_id: int) -> Round:
    """A round the current person may see: scope filters other organisations; a participant
    sees only their own rounds (404 otherwise, like any other hidden object)."""
    db = get_session()
    rnd = get_or_404(db, Round, round_id)
    if current_user.kind == "participant" and rnd.journey.participant_id != current_user.id:
        abort(404)
    if current_user.kind != "participant" and g.get("organisation") is None:
        abort(403)
    return rnd


def load_comparable_round(round_id: int) -> Round:
    """A round whose coach view the current person may see: a participant sees it only once
    they have finished their own assessment, so the coach's scores never steer theirs."""
    rnd = load_round(round_id)
    if current_user.kind == "participant" and rnd.self_submitted_at is None:
        abort(404)
    return rnd


def actor() -> User | Participant:
    return current_user._get_current_object()


#: The comparison page's chart is drawn 320 units wide, numbered, so that on a 360 px phone
#: (328 px inside the page's margins) its numbers show at 14 px and more.
PHONE_CHART_SIZE = 320


def chart_markup(view: RoundView, *, prefix: str, linked: bool = False) -> tuple[Markup, Markup]:
    """The chart and its data table. ``linked``: the comparison page's chart — numbered axes,
    each a link to that axis's details (``#axis-<competence id>``) — instead of named axes."""
    lang = current_language()
    axes, series = view.chart(lang, series_names())
    who = view.round.journey.participant.display_name
    title = elide(_("Grille de %(name)s — %(label)s", name=who, label=view.round.display_label),
                  who)
    desc = _(
        "Toile d'araignée sur %(n)d compétences, notées de 0 à 5 : %(series)s.",
        n=len(axes),
        series=", ".join(s.name for s in series),
    )
    extra: dict[str, Any] = {}
    if linked:
        links = [f"#axis-{a.competence.id}" for a in view.axes]
        extra = {"numbered": True, "links": links, "size": PHONE_CHART_SIZE}
    svg = charts.radar_svg(
        axes, series, title=title, description=desc, lang=lang, id_prefix=prefix, **extra
    )
    table = charts.data_table_html(
        axes, series, caption=_("Les notes de la grille, en tableau"), lang=lang
    )
    return Markup(svg), Markup(table)  # noqa: S704 - both built with escaping in charts.py


@bp.app_template_global("agreement_state")
def agreement_state(agreement: Agreement) -> str:
    """The one wording of an agreement's state, on the comparison page and in the message
    after agreeing: both agreed, the coach proposed, or the participant proposed."""
    if agreement.complete:
        return _("Niveau convenu : %(n)d", n=agreement.level)
    if agreement.coach_agreed_at:
        return _(
            "Le coach propose le niveau %(n)d ; en attente de l'accord du participant.",
            n=agreement.level,
        )
    return _(
        "Le participant propose le niveau %(n)d ; en attente de l'accord du coach.",
        n=agreement.level,
    )


def conflict_of(write: Callable[[], object]) -> GridConflict | None:
    """Run ``write`` (a service call, or a page's checks before it writes anything) and hand
    back its edit conflict, to show it on the page. The services raise a conflict before they
    write, so nothing of it is in the session; the 409 answer then rolls the request back."""
    try:
        write()
    except GridConflict as err:
        return err
    return None


def conflict_response(template: str, err: GridConflict, **ctx: Any) -> tuple[str, int]:
    flash(str(err.message), "error")
    return render_template(template, conflicts=err.conflicts, **ctx), 409


def int_arg(name: str) -> int | None:
    return form_int(request.args.get(name, ""))


def picker_context() -> dict[str, Any]:
    """The version chosen in the first step (``?version=``) and its competences for the picker;
    the first 30 are ticked by default."""
    db = get_session()
    version_id = int_arg("version")
    versions = published_versions(db)
    chosen = next((v for v in versions if v.id == version_id), None)
    competences = published_competences(db, chosen.id) if chosen else []
    lang = current_language()
    return {
        "versions": versions,
        "chosen": chosen,
        "competences": [(c, competence_label(c, lang)) for c in competences],
        "ticked": {c.id for c in competences[:MAX_AXES]},
        "labels": ROUND_LABEL_NAMES,
        "min_axes": MIN_AXES,
        "max_axes": MAX_AXES,
    }
