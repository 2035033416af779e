"""Copy the OpenMoji pictures badger uses into static/, sanitised, with their licence recorded.

Run from the project root, after ``npm pack openmoji`` and unpacking it (build time only; the
application never loads anything from the network):

    cd /tmp && npm pack openmoji && tar xzf openmoji-*.tgz
    .venv/bin/python referentiels/import_openmoji.py /tmp/package

OpenMoji (https://openmoji.org/) is licensed CC BY-SA 4.0. Each SVG is parsed and written again
with a short list of drawing elements and attributes (no script, no link, no style, no id, no
external reference); the pictograms also get a 256 px PNG (rendered by Chromium, for badge
images). Every file is listed with its licence, author and source in the folder's
``index.csv`` (pictograms) or ``index.csv`` (photolangage); ``tests/referentiels/
test_pictures.py`` checks both.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml import ElementTree as DefusedET

ROOT = Path(__file__).resolve().parent.parent
PICTOGRAMS = ROOT / "static" / "pictograms"
PHOTOLANGAGE = ROOT / "static" / "photolangage"
SVG_NS = "http://www.w3.org/2000/svg"
LICENCE = "CC-BY-SA-4.0"
SOURCE = "https://github.com/hfg-gmuend/openmoji/blob/17.0.0/color/svg/{hexcode}.svg"
ELEMENTS = {"svg", "g", "path", "circle", "ellipse", "line", "polyline", "polygon", "rect"}
ATTRIBUTES = {
    "viewBox", "d", "fill", "fill-rule", "fill-opacity", "clip-rule", "stroke", "stroke-width",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity",
    "stroke-dasharray", "opacity", "cx", "cy", "r", "rx", "ry", "x", "y", "width", "height",
    "x1", "x2", "y1", "y2", "points", "transform", "paint-order",
}

#: pictogram name -> (OpenMoji hexcode, French label)
PICTOGRAM_SET = {
    "adapt": ("1F504", "Flèches en cercle"),
    "rally": ("1F9D1-200D-1F91D-200D-1F9D1", "Personnes main dans la main"),
    "idea": ("1F4A1", "Ampoule"),
    "magnifier": ("1F50D", "Loupe"),
    "walking": ("1F6B6", "Personne qui marche"),
    "flag": ("1F6A9", "Drapeau"),
    "compass": ("1F9ED", "Boussole"),
    "service": ("1F6CE", "Sonnette d'accueil"),
    "commitment": ("270D", "Main qui écrit"),
    "palette": ("1F3A8", "Palette"),
    "speaking": ("1F5E3", "Tête qui parle"),
    "abacus": ("1F9EE", "Boulier"),
    "laptop": ("1F4BB", "Ordinateur portable"),
    "books": ("1F4DA", "Livres"),
    "helmet": ("26D1", "Casque de sécurité"),
    "rules": ("1F4DC", "Parchemin"),
    "writing": ("1F4DD", "Bloc-notes"),
    "greeting": ("1F44B", "Main qui salue"),
    "folders": ("1F5C2", "Intercalaires"),
    "umbrella": ("2602", "Parapluie"),
    "ladder": ("1FA9C", "Échelle"),
    "chart": ("1F4CA", "Graphique en barres"),
    "share": ("1F4E4", "Boîte d'envoi"),
    "globe": ("1F310", "Globe"),
    "camera": ("1F4F7", "Appareil photo"),
    "keyboard": ("2328", "Clavier"),
    "lock": ("1F512", "Cadenas"),
    "privacy": ("1F510", "Cadenas et clé"),
    "wrench": ("1F527", "Clé plate"),
    "toolbox": ("1F9F0", "Boîte à outils"),
    "scales": ("2696", "Balance"),
    "ballot": ("1F5F3", "Urne"),
    "id-card": ("1FAAA", "Carte d'identité"),
    "puzzle": ("1F9E9", "Pièce de puzzle"),
    "copyright": ("00A9", "Copyright"),
    "progress": ("1F4C8", "Courbe qui monte"),
}

#: photolangage picture -> OpenMoji hexcode (labels: badger/grids/photolangage.py)
PHOTOLANGAGE_SET = {
    "building-site": "1F477",
    "kitchen": "1F9D1-200D-1F373",
    "cleaning": "1F9F9",
    "warehouse": "1F4E6",
    "delivery": "1F69A",
    "shop": "1F6D2",
    "care": "1F9D1-200D-2695-FE0F",
    "childcare": "1F9D1-200D-1F37C",
    "office": "1F9D1-200D-1F4BC",
    "workshop": "1F9D1-200D-1F527",
    "factory": "1F9D1-200D-1F3ED",
    "garden": "1F9D1-200D-1F33E",
    "training": "1F9D1-200D-1F393",
    "safety": "1F9BA",
    "teamwork": "1F9D1-200D-1F91D-200D-1F9D1",
    "agreement": "1F91D",
    "late": "23F0",
    "transport": "1F68C",
    "asking-help": "1F64B",
    "listening": "1F442",
    "phone-call": "1F4DE",
    "conflict": "1F620",
    "pride": "1F3C6",
    "joy": "1F600",
    "tiredness": "1F971",
    "stress": "1F630",
    "discouraged": "1F61E",
    "thinking": "1F914",
    "break": "2615",
    "pay": "1F4B6",
}


def sanitise(raw: bytes, title: str) -> str:
    """``raw`` SVG rewritten with only drawing elements and attributes, and a title."""
    ET.register_namespace("", SVG_NS)
    src = DefusedET.fromstring(raw)
    out = ET.Element(f"{{{SVG_NS}}}svg", {"viewBox": src.get("viewBox", "0 0 72 72"),
                                           "width": "72", "height": "72"})
    ET.SubElement(out, f"{{{SVG_NS}}}title").text = title

    def copy(node: ET.Element, parent: ET.Element) -> None:
        for child in node:
            tag = child.tag.split("}")[-1]
            if not child.tag.startswith(f"{{{SVG_NS}}}") or tag not in ELEMENTS - {"svg"}:
                continue
            attrs = {k: v for k, v in child.attrib.items() if k in ATTRIBUTES
                     and "url(" not in v and "javascript" not in v.lower()}
            clean = ET.SubElement(parent, child.tag, attrs)
            copy(child, clean)

    copy(src, out)
    return ET.tostring(out, encoding="unicode") + "\n"


def render_png(svgs: dict[str, str]) -> dict[str, bytes]:
    """256 px transparent PNGs of ``svgs`` (name -> SVG text), drawn by Chromium."""
    import base64

    from playwright.sync_api import sync_playwright

    out: dict[str, bytes] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 256, "height": 256})
        for name, text in svgs.items():
            data = base64.b64encode(text.encode()).decode()
            page.set_content(
                "<html><body style='margin:0;background:transparent'>"
                f"<img src='data:image/svg+xml;base64,{data}' width='256' height='256'>"
                "</body></html>"
            )
            out[name] = page.screenshot(omit_background=True, type="png")
        browser.close()
    return out


def _shrink(png: bytes) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGBA").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def update_index(folder: Path, rows: dict[str, dict[str, str]], fields: list[str]) -> None:
    """Write ``rows`` into ``folder/index.csv``, keeping the rows of other files."""
    path = folder / "index.csv"
    kept: dict[str, dict[str, str]] = {}
    if path.exists():
        kept = {r["name"]: r for r in csv.DictReader(path.open(encoding="utf-8"))}
    kept.update(rows)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for name in sorted(kept):
        w.writerow({f: kept[name].get(f, "") for f in fields})
    path.write_text(buf.getvalue(), encoding="utf-8")


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: import_openmoji.py UNPACKED_OPENMOJI_PACKAGE")
    package = Path(sys.argv[1])
    meta = {e["hexcode"]: e for e in json.loads((package / "data/openmoji.json").read_text())}
    version = json.loads((package / "package.json").read_text())["version"]

    def row(name: str, hexcode: str, label: str) -> dict[str, str]:
        author = meta[hexcode].get("openmoji_author") or "OpenMoji"
        return {"name": name, "label_fr": label, "licence": LICENCE,
                "author": f"OpenMoji ({author})",
                "source_url": SOURCE.format(hexcode=hexcode).replace("17.0.0", version)}

    svgs: dict[str, str] = {}
    rows: dict[str, dict[str, str]] = {}
    for name, (hexcode, label) in PICTOGRAM_SET.items():
        svgs[name] = sanitise((package / "color/svg" / f"{hexcode}.svg").read_bytes(), label)
        (PICTOGRAMS / f"{name}.svg").write_text(svgs[name], encoding="utf-8")
        rows[name] = row(name, hexcode, label)
    for name, png in render_png(svgs).items():
        (PICTOGRAMS / f"{name}.png").write_bytes(_shrink(png))
    update_index(PICTOGRAMS, rows, ["name", "label_fr", "licence", "author", "source_url"])

    PHOTOLANGAGE.mkdir(parents=True, exist_ok=True)
    photo_rows: dict[str, dict[str, str]] = {}
    for name, hexcode in PHOTOLANGAGE_SET.items():
        text = sanitise((package / "color/svg" / f"{hexcode}.svg").read_bytes(),
                        meta[hexcode]["annotation"])
        (PHOTOLANGAGE / f"{name}.svg").write_text(text, encoding="utf-8")
        photo_rows[name] = row(name, hexcode, "")
    update_index(PHOTOLANGAGE, photo_rows, ["name", "licence", "author", "source_url"])
    print(f"{len(PICTOGRAM_SET)} pictograms, {len(PHOTOLANGAGE_SET)} photolangage pictures")


if __name__ == "__main__":
    main()
