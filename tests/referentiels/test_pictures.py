"""Pictures badger ships: a pictogram for every competence of every shipped référentiel, every
picture file listed with an open licence, its author and its source, and every SVG reduced to
plain drawing (no script, no link, no external reference). A database that imported a shipped
version before it had pictograms gains them at the next ``badger init``."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from badger import referentiels as service
from badger.referentiels import case
from badger.referentiels.cli import on_init
from badger.referentiels.models import CaseObject

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
ALLOWED_LICENCES = {"CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0"}
SHIPPED = sorted((ROOT / "referentiels").glob("*.json"))
SVG = "{http://www.w3.org/2000/svg}"
ELEMENTS = {"svg", "title", "g", "path", "circle", "ellipse", "line", "polyline", "polygon",
            "rect"}
ATTRIBUTES = {
    "viewBox", "d", "fill", "fill-rule", "fill-opacity", "clip-rule", "stroke", "stroke-width",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity",
    "stroke-dasharray", "opacity", "cx", "cy", "r", "rx", "ry", "x", "y", "width", "height",
    "x1", "x2", "y1", "y2", "points", "transform", "paint-order", "role", "aria-label",
}


def index(folder: str) -> dict[str, dict[str, str]]:
    rows = list(csv.DictReader((STATIC / folder / "index.csv").open(encoding="utf-8")))
    return {r["name"]: r for r in rows}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_competence_has_a_pictogram(path: Path) -> None:
    fw = case.parse_package(path.read_bytes())
    assert fw.competences
    listed = index("pictograms")
    for it in fw.competences:
        assert it.pictogram, f"{path.stem} {it.code} has no pictogram"
        assert it.pictogram in listed, it.pictogram
        for ext in ("svg", "png"):
            assert (STATIC / "pictograms" / f"{it.pictogram}.{ext}").is_file()
        assert it.pictogram in service.shipped_pictograms()


@pytest.mark.parametrize("folder", ["pictograms", "photolangage"])
def test_every_picture_file_has_an_open_licence_an_author_and_a_source(folder: str) -> None:
    rows = index(folder)
    files = {p.stem for p in (STATIC / folder).iterdir() if p.suffix in {".svg", ".png"}}
    assert files == set(rows), "every picture listed in index.csv, and only those"
    for name, row in rows.items():
        assert row["licence"] in ALLOWED_LICENCES, name
        assert row["author"].strip() and row["source_url"].strip(), name
        if row["licence"] == "CC0-1.0":  # our own drawings
            assert row["author"] == "badger"
            assert (ROOT / row["source_url"]).is_file()
        else:
            assert row["source_url"].startswith("https://"), name
            assert row["author"].startswith("OpenMoji"), name
    if folder == "photolangage":
        assert len(rows) >= 24


def svg_files() -> list[Path]:
    return sorted([*(STATIC / "pictograms").glob("*.svg"),
                   *(STATIC / "photolangage").glob("*.svg")])


@pytest.mark.parametrize("path", svg_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_svg_is_plain_drawing(path: Path) -> None:
    raw = path.read_text("utf-8")
    low = raw.lower()
    for word in ("<script", "javascript:", "href", "<!entity", "<!doctype", "url(", "@import",
                 "<style", "<foreignobject", "<image", " on"):
        assert word not in low, (path.name, word)
    root = ET.fromstring(raw)
    for el in root.iter():
        assert el.tag.startswith(SVG) and el.tag[len(SVG):] in ELEMENTS, (path.name, el.tag)
        extra = set(el.attrib) - ATTRIBUTES
        assert not extra, (path.name, el.tag, extra)


def _without_pictograms(key: str) -> bytes:
    fw = case.parse_package((ROOT / "referentiels" / f"{key}.json").read_bytes())
    for it in fw.items:
        it.pictogram = None
    return case.dumps(case.to_package(fw)).encode()


def test_a_database_imported_before_the_pictograms_gains_them(app: Any, client: Any,
                                                             db: Any) -> None:
    service.import_framework(db, case.parse_package(_without_pictograms("clea")), key="clea",
                             shipped=True)
    db.commit()
    version = service.get_version(db, "clea", 1)
    assert version is not None
    assert all(c.pictogram is None for c in version.competences)
    before = {c.identifier: (c.label, c.levels) for c in version.competences}
    objects = set(db.scalars(select(CaseObject.identifier)
                             .where(CaseObject.version_id == version.id)))

    on_init(db, app)  # `badger init` after upgrading badger
    db.commit()
    db.expire_all()
    version = service.get_version(db, "clea", 1)
    assert version is not None
    assert {c.identifier: (c.label, c.levels) for c in version.competences} == before
    shipped = case.parse_package((ROOT / "referentiels/clea.json").read_bytes())
    assert {c.code: c.pictogram for c in version.competences} == {
        it.code: it.pictogram for it in shipped.competences}
    assert version.content_hash == service.content_hash(shipped)
    now = set(db.scalars(select(CaseObject.identifier)
                         .where(CaseObject.version_id == version.id)))
    assert objects < now  # the pictogram associations are served too
    pkg = client.get(f"/ims/case/v1p0/CFPackages/{version.identifier}").get_json()
    assert case.schema_errors(pkg) == []
    pictos = [a["destinationNodeURI"]["uri"] for a in pkg["CFAssociations"]
              if "/static/pictograms/" in a["destinationNodeURI"]["uri"]]
    assert len(pictos) == 7
    assert client.get(pictos[0].removeprefix("http://localhost")).status_code == 200


def test_a_shipped_pictogram_is_never_replaced(app: Any, db: Any) -> None:
    from badger.errors import UserError

    service.import_framework(db, case.parse_package((ROOT / "referentiels/clea.json")
                                                    .read_bytes()), key="clea", shipped=True)
    db.commit()
    other = case.parse_package((ROOT / "referentiels/clea.json").read_bytes())
    other.competences[0].pictogram = "star"
    with pytest.raises(UserError):
        service.import_framework(db, other, key="clea", shipped=True)
    db.rollback()
    version = service.get_version(db, "clea", 1)
    assert version is not None and version.competences[0].pictogram == "speaking"
