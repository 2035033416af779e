"""A report as tables (page, PDF) and as CSV rows; and its charts. Only counts, shares and
means: the report holds no name, and a hidden figure reads "masqué" everywhere."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from badger import csvsafe
from badger.outcomes.charts import Bar, bar_chart
from badger.outcomes.labels import (
    CONTRACT_LABELS,
    DURATION_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    TRAINING_LABELS,
)
from badger.outcomes.stats import LEVELS, Report
from badger.outcomes.suppression import Cell


@dataclass(frozen=True)
class Line:
    label: str
    cell: Cell
    share: float | None


def text(cell: Cell) -> str:
    return _("masqué") if cell.value is None else str(cell.value)


def number(value: float | None) -> str:
    return _("masqué") if value is None else f"{value:.1f}"


def _lines(cells: dict[str, Cell], labels: dict[str, Any], total: Cell) -> list[Line]:
    return [Line(str(labels[k]), c, c.share(total)) for k, c in cells.items()]


def tables(r: Report) -> dict[str, list[Line]]:
    """Situation, contracts, durations, training: label, count, share of its total."""
    job, training = r.status["employment"], r.status["training"]
    return {
        "status": _lines(r.status, STATUS_LABELS, r.journeys),
        "contracts": _lines(r.contracts, CONTRACT_LABELS, job),
        "durations": _lines(r.durations, DURATION_LABELS, job),
        "training": _lines(r.training, TRAINING_LABELS, training),
        **{f"follow_up_{m}": _lines(cells, KIND_LABELS, r.follow_up_totals[m])
           for m, cells in r.follow_ups.items()},
    }


def charts(r: Report) -> dict[str, Markup]:
    status = tables(r)["status"]
    shown = [line.cell.value or 0 for line in status]
    situation = bar_chart(
        "chart-status", _("Situation des parcours de la cohorte"),
        _("Nombre de parcours par situation ; le tableau suivant donne les mêmes chiffres."),
        [Bar(line.label, line.cell.value, text(line.cell)) for line in status],
        max(shown, default=0))
    bars = []
    for row in r.competences:
        bars.append(Bar(f"{row.label} — " + _("entrée"), row.mean_entry,
                        number(row.mean_entry), 0))
        bars.append(Bar(f"{row.label} — " + _("sortie"), row.mean_exit,
                        number(row.mean_exit), 1))
    progression = bar_chart(
        "chart-progression", _("Niveau moyen à l'entrée et à la sortie, par compétence"),
        _("Pour chaque compétence, deux barres : niveau moyen (0 à 5) donné par le coach au "
          "premier tour, puis au dernier ; le tableau suivant donne les mêmes chiffres."),
        bars, 5)
    return {"status": situation, "progression": progression}


def csv_text(r: Report, *, scope: str) -> str:
    """The report as CSV (badger.csvsafe): section, item, count or value, share (%)."""
    out = io.StringIO()
    w = csvsafe.writer(out)
    f = r.filter
    w.writerow([_("rubrique"), _("élément"), _("valeur"), _("part (%)")])
    w.writerow([_("filtre"), _("périmètre"), scope, ""])
    w.writerow([_("filtre"), _("période"), f"{f.start.isoformat()}/{f.end.isoformat()}", ""])
    w.writerow([_("filtre"), _("programme"), f.programme if f.programme is not None
                else _("tous"), ""])
    w.writerow([_("filtre"), _("groupe minimum"), r.min_group, ""])
    w.writerow([_("cohorte"), _("parcours"), text(r.journeys), ""])
    w.writerow([_("cohorte"), _("participants"), text(r.participants), ""])
    if not r.shown:
        return out.getvalue()
    if r.left_out:
        w.writerow([_("cohorte"), _("membres non comptés (trop petits)"), r.left_out, ""])
    sections = {"status": _("Situation des parcours"), "contracts": _("Emplois par contrat"),
                "durations": _("Emplois par durée"), "training": _("Formations"),
                **{f"follow_up_{m}": _("Suivi à %(n)s mois", n=m) for m in r.follow_up_totals}}
    for month, cell in r.follow_up_totals.items():
        w.writerow([sections[f"follow_up_{month}"], _("suivis renseignés"), text(cell), ""])
    for section, lines in tables(r).items():
        for line in lines:
            w.writerow([sections[section], line.label, text(line.cell), number(line.share)
                        if line.share is not None else ""])
    for row in r.competences:
        w.writerow([_("progression"), row.label, text(row.n), ""])
        w.writerow([_("progression"), f"{row.label} — " + _("moyenne entrée"),
                    number(row.mean_entry), ""])
        w.writerow([_("progression"), f"{row.label} — " + _("moyenne sortie"),
                    number(row.mean_exit), ""])
        for level in LEVELS:
            w.writerow([_("progression"), f"{row.label} — " + _("entrée niveau %(n)s", n=level),
                        text(row.entry[level]), ""])
            w.writerow([_("progression"), f"{row.label} — " + _("sortie niveau %(n)s", n=level),
                        text(row.exit[level]), ""])
        share = row.progressed_share
        w.writerow([_("progression"), f"{row.label} — " + _("progressé d'au moins 1 niveau"),
                    text(row.progressed), number(share) if share is not None else ""])
    names = {"people": _("Participants ayant reçu un badge"), "issued": _("Badges délivrés"),
             "accepted": _("Badges acceptés")}
    for key, cell in r.badges.items():
        w.writerow([_("badges"), names[key], text(cell), ""])
    names = {"people": _("Participants dont un lien de partage a été ouvert"),
             "links": _("Liens de partage ouverts")}
    for key, cell in r.shares.items():
        w.writerow([_("liens de partage ouverts"), names[key], text(cell), ""])
    return out.getvalue()
