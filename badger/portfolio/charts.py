"""A grid round's radar chart as a share page shows it (the chart the participant chose to put
in their portfolio).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger.grids import charts as grid_charts
from badger.grids import round_view
from badger.grids.models import Round
from badger.portfolio.badge_view import RecruiterWord, competence_words


@dataclass
class ChartView:
    round_id: int
    title: str
    svg: str
    referentiel_title: str | None
    #: Per competence of the grid: (its label, its recruiter words), those that have some.
    words: list[tuple[str, list[RecruiterWord]]] = field(default_factory=list)


SERIES_KINDS = ("self", "coach", "peer", "agreed", "previous")


def _series_names() -> dict[str, str]:
    return {
        "self": str(_l("Auto-évaluation")),
        "coach": str(_l("Coach")),
        "peer": str(_l("Pairs")),
        "agreed": str(_l("Niveau convenu")),
        "previous": str(_l("Passage précédent")),
    }


def chart_view(db: Session, rnd: Round, lang: str, prefix: str) -> ChartView:
    view = round_view(db, rnd, lang)
    axes, series = view.chart(lang, _series_names())
    version = rnd.referentiel_version
    title = str(_l("Graphique radar — %(label)s", label=rnd.display_label))
    if any(s.kind == "coach" for s in series):
        desc = str(
            _l(
                "Chaque branche est une compétence, notée de 0 (au centre) à 5 (au bord), "
                "par la personne et par son coach."
            )
        )
    else:
        desc = str(
            _l(
                "Chaque branche est une compétence, notée de 0 (au centre) à 5 (au bord), "
                "par la personne elle-même."
            )
        )
    svg = grid_charts.radar_svg(
        axes, series, title=title, description=desc, lang=lang, id_prefix=prefix
    )
    words = [(a.label, found) for a in view.axes
             if (found := competence_words(db, a.competence, lang))]
    return ChartView(rnd.id, title, svg, version.title if version is not None else None, words)
