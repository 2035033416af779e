"""Follow-ups at 3 and 6 months in the cohort statistics: exact figures on the seeded cohort,
a small cell and its complement hidden, a small total hiding its table, a follow-up of an exit
the participant has not agreed to not counted; on the page, in the CSV and the PDF."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from badger.outcomes import Filter, cohort_report
from badger.outcomes.models import ExitFollowUp, JourneyExit
from tests.conftest import login_staff
from tests.outcomes.test_stats import PERIOD, _cohort, _csv

FILTER_DATES = (date(2026, 1, 1), date(2026, 6, 30))


def _follow_ups(db: Any, org: Any, persons: list[Any]) -> None:
    exits = {e.participant_id: e for e in db.scalars(select(JourneyExit))}
    jobs = [exits[p.id] for p in persons[:10]]  # agreed employments
    trainings = [exits[p.id] for p in persons[10:15]]  # agreed trainings
    pending = exits[persons[15].id]  # the participant has not answered: never counted
    plan = ([(e, 3, "employment") for e in jobs[:6]] + [(e, 3, "training") for e in trainings]
            + [(e, 6, "employment") for e in jobs[:5]] + [(trainings[0], 6, "training")]
            + [(pending, 3, "employment"), (pending, 6, "no_news")])
    for row, month, kind in plan:
        db.add(ExitFollowUp(organisation_id=org.id, exit_id=row.id, month=month, kind=kind,
                            contract="cdi" if kind == "employment" else None,
                            duration="permanent" if kind == "employment" else None,
                            qualifying=True if kind == "training" else None,
                            recorded_on=date(2026, 9, 1)))
    db.commit()


def _values(cells: dict[str, Any]) -> dict[str, tuple[int | None, str | None]]:
    return {k: (c.value, c.reason) for k, c in cells.items()}


def test_follow_up_figures_with_small_cells_hidden(
    app: Any, db: Any, org: Any, admin: Any, client: Any,
) -> None:
    _version, persons = _cohort(db, org, admin)
    _follow_ups(db, org, persons)
    report = cohort_report(db, Filter((org.id,), *FILTER_DATES), 5)
    assert report.follow_up_totals[3].value == 11
    assert _values(report.follow_ups[3]) == {
        "employment": (6, None), "training": (5, None), "other_support": (0, None),
        "no_news": (0, None)}
    # month 6: 5 jobs and 1 training; the training is small, the jobs its complement
    assert report.follow_up_totals[6].value == 6
    assert _values(report.follow_ups[6]) == {
        "employment": (None, "complement"), "training": (None, "small"),
        "other_support": (0, None), "no_news": (0, None)}
    # with a minimum group of 7, the 6 follow-ups at 6 months are too few: the table goes
    strict = cohort_report(db, Filter((org.id,), *FILTER_DATES), 7)
    assert strict.follow_up_totals[6].hidden
    assert {c.reason for c in strict.follow_ups[6].values()} == {"total"}
    assert strict.follow_up_totals[3].value == 11
    assert _values(strict.follow_ups[3]) == {  # 6 and 5 are under 7 too
        "employment": (None, "small"), "training": (None, "small"),
        "other_support": (0, None), "no_news": (0, None)}

    login_staff(client, admin)
    rows = _csv(client.get(f"/outcomes/stats.csv?{PERIOD}"))
    assert rows[("Suivi à 3 mois", "suivis renseignés")] == ["11", ""]
    assert rows[("Suivi à 3 mois", "Emploi")] == ["6", "54.5"]
    assert rows[("Suivi à 3 mois", "Formation")] == ["5", "45.5"]
    assert rows[("Suivi à 6 mois", "suivis renseignés")] == ["6", ""]
    assert rows[("Suivi à 6 mois", "Emploi")] == ["masqué", ""]
    assert rows[("Suivi à 6 mois", "Formation")] == ["masqué", ""]
    page = client.get(f"/outcomes/?{PERIOD}").get_data(as_text=True)
    assert "Situation après la sortie" in page
    assert "<caption>Situation 6 mois après la sortie</caption>" in page
    assert "Suivis renseignés : 11" in page
    pdf = client.get(f"/outcomes/stats.pdf?{PERIOD}")
    if pdf.status_code == 503:
        pytest.skip("WeasyPrint needs Pango")
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Situation après la sortie" in text and "Suivis renseignés : 11" in text
