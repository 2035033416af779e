"""The référentiel editor over HTTP: import errors in the UI language, translated level texts,
nested categories, and upgrading an adopted version (diff first; grids and badges stay pinned)."""

from __future__ import annotations

import io
import json
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from badger.referentiels import case
from tests.conftest import login_staff
from tests.referentiels.test_views import counts

ROOT = Path(__file__).resolve().parents[2]


def _import(client: Any, org: Any, payload: bytes, name: str) -> Any:
    return client.post("/referentiels/import", data={
        "file": (io.BytesIO(payload), name), "title": "Grille", "key": "",
        "owner": f"org:{org.id}"}, content_type="multipart/form-data")


# --------------------------------------------------------------------------- import errors


def test_import_errors_are_shown_in_the_ui_language(client: Any, admin: Any, db: Any,
                                                    org: Any) -> None:
    login_staff(client, admin)
    csv_text = b"code;label;colour\nA;Un;x\nA;Deux;y\n"
    pkg = json.loads((ROOT / "referentiels/clea.json").read_text("utf-8"))
    pkg["CFItems"][1]["humanCodingScheme"] = pkg["CFItems"][0]["humanCodingScheme"]
    code = pkg["CFItems"][0]["humanCodingScheme"]

    fr = _import(client, org, csv_text, "grille.csv")
    assert fr.status_code == 422
    page = unescape(fr.get_data(as_text=True))
    assert "ligne 1, colonne 3" in page and "colonne inconnue : colour" in page
    assert "ligne 3, colonne code" in page and "code en double « A » (ligne 2)" in page
    fr_pkg = unescape(_import(client, org, json.dumps(pkg).encode(), "p.json")
                      .get_data(as_text=True))
    assert f"code en double « {code} » (/CFItems/0)" in fr_pkg

    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 302
    en = _import(client, org, csv_text, "grille.csv")
    assert en.status_code == 422
    page = unescape(en.get_data(as_text=True))
    assert "line 1, column 3" in page and "unknown column: colour" in page
    assert "line 3, column code" in page and 'duplicate code "A" (line 2)' in page
    assert "colonne" not in page and "ligne" not in page
    en_pkg = unescape(_import(client, org, json.dumps(pkg).encode(), "p.json")
                      .get_data(as_text=True))
    assert "/CFItems/1/humanCodingScheme" in en_pkg
    assert f'duplicate code "{code}" (/CFItems/0)' in en_pkg
    # a CSV without a title: the location is the form field, in English too
    no_title = client.post("/referentiels/import", data={
        "file": (io.BytesIO(b"code;label\nA;Un\n"), "g.csv"), "title": "", "key": "",
        "owner": f"org:{org.id}"}, content_type="multipart/form-data")
    assert 'field "Title"' in unescape(no_title.get_data(as_text=True))
    assert counts(db) == (0, 0, 0)


def test_more_errors_than_listed_are_counted(client: Any, admin: Any, org: Any) -> None:
    login_staff(client, admin)
    rows = "".join(f"A;Ligne {n}\n" for n in range(40))
    page = unescape(_import(client, org, f"code;label\n{rows}".encode(), "g.csv")
                    .get_data(as_text=True))
    assert page.count("code en double") == case.MAX_ERRORS
    assert "… et 19 autre(s) erreur(s)" in page


def test_errors_read_in_french_without_an_app_and_in_the_cli(app: Any, tmp_path: Path) -> None:
    with pytest.raises(case.CaseImportError) as info:
        case.parse_csv("code;label\nA;\n", title="T", creator="C")
    exc = info.value
    assert str(exc) == "Import refusé (1 erreur(s)) :\nligne 2, colonne label : libellé vide"
    assert exc.errors[0].location == case.Location(line=2, column="label")
    bad = tmp_path / "grille.csv"
    bad.write_text("code;label\nA;Un\nA;Deux\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["referentiel", "import", str(bad), "--title", "Grille"])
    assert result.exit_code != 0
    assert "ligne 3, colonne code : code en double « A » (ligne 2)" in result.output
