"""Spider charts: SVG structure, snapshot, 3 to 30 axes, PNG, hostile input."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from badger.grids.charts import (
    STYLES,
    Axis,
    Series,
    chart_table,
    data_table_html,
    radar_png,
    radar_svg,
)

NS = {"s": "http://www.w3.org/2000/svg"}
SNAPSHOTS = Path(__file__).parent / "snapshots"
#: Set BADGER_UPDATE_SNAPSHOTS=1 to rewrite the expected files after a deliberate change.
UPDATE = os.environ.get("BADGER_UPDATE_SNAPSHOTS") == "1"

APELS = [
    "Assiduité",
    "Ponctualité",
    "Fiabilité",
    "Respect des autres",
    "Respect des règles",
    "Respect de l'environnement",
    "Hygiène de vie",
    "Posture / Dynamisme",
    "Capacités Physiques",
    "Connaissance de soi",
    "Estime de soi",
    "Goût de l'effort",
    "Prise de risque",
    "Détermination / Persévérance",
    "Gestion du stress",
    "Maîtrise de soi / Prise de recul",
    "Expression de soi (verbale et non verbale)",
]
SELF = [4, 5, 3, 4, 3, 2, 3, 4, 5, 2, 1, 3, 2, 4, 2, 3, 1]
COACH = [5, 2, 3, 4, 4, 3, 3, 3, 4, 3, 3, 2, 2, 4, 3, 3, 2]
ENTRY = [3, 2, 2, 3, None, 2, 2, 3, 4, 1, 1, 2, 1, 3, 2, 2, 1]


def apels_chart() -> tuple[list[Axis], list[Series]]:
    axes = [Axis(label) for label in APELS]
    series = [
        Series("Moi", SELF, "self"),
        Series("Coach", COACH, "coach"),
        Series("Entrée", ENTRY, "previous"),
    ]
    return axes, series


def svg_of(axes, series, **kw) -> str:
    kw.setdefault("title", "Grille de mi-parcours")
    kw.setdefault("description", "Auto-évaluation et regard du coach, 17 compétences")
    return radar_svg(axes, series, **kw)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_svg_structure_axes_series_markers_title():
    axes, series = apels_chart()
    root = parse(svg_of(axes, series, id_prefix="g1"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "g1-title g1-desc"
    assert root.find("s:title", NS).get("id") == "g1-title"
    assert root.find("s:title", NS).text == "Grille de mi-parcours"
    assert root.find("s:desc", NS).get("id") == "g1-desc"
    assert len(root.findall(".//s:line[@class='axis']", NS)) == 17
    assert len(root.findall(".//s:text[@class='axis-label']", NS)) == 17
    rings = root.findall(".//s:path[@class='ring']", NS)
    assert [r.get("data-level") for r in rings] == ["1", "2", "3", "4", "5"]
    levels = [t.text for t in root.findall(".//s:g[@class='levels']/s:text", NS)]
    assert levels == ["0", "1", "2", "3", "4", "5"]
    groups = root.findall(".//s:g[@data-kind]", NS)
    series_groups = [g for g in groups if "series" in (g.get("class") or "").split()]
    assert [g.get("data-kind") for g in series_groups] == ["self", "coach", "previous"]
    for g, values in zip(series_groups, (SELF, COACH, ENTRY), strict=True):
        assert len(g.findall("s:path[@class='series-line']", NS)) == 1
        markers = list(g.find("s:g[@class='markers']", NS))
        assert len(markers) == sum(v is not None for v in values)
    # Series differ by marker shape and by dash pattern, not only colour.
    shapes = [g.find("s:g[@class='markers']", NS).get("data-marker") for g in series_groups]
    assert len(set(shapes)) == 3
    dashes = [g.find("s:path", NS).get("stroke-dasharray") for g in series_groups]
    assert len(set(dashes)) == 3
    # The complete series are closed shapes; the one with a gap is not, and says so.
    assert series_groups[0].find("s:path", NS).get("d").endswith("Z")
    assert not series_groups[2].find("s:path", NS).get("d").endswith("Z")
    assert series_groups[2].get("data-missing") == "1"
    legend = root.findall(".//s:g[@class='legend-item']/s:text", NS)
    assert [t.text for t in legend] == ["Moi", "Coach", "Entrée (1 axe non renseigné)"]


def test_svg_is_deterministic_and_ids_follow_prefix():
    axes, series = apels_chart()
    a = svg_of(axes, series, id_prefix="x")
    assert a == svg_of(axes, series, id_prefix="x")
    b = svg_of(axes, series, id_prefix="y")
    assert 'id="y-title"' in b and 'id="x-title"' not in b
    # two charts in one page do not share ids
    ids_a = {e.get("id") for e in parse(a).iter() if e.get("id")}
    ids_b = {e.get("id") for e in parse(b).iter() if e.get("id")}
    assert not ids_a & ids_b


@pytest.mark.parametrize("name", ["apels17", "three_axes"])
def test_svg_snapshot(name):
    if name == "apels17":
        axes, series = apels_chart()
        svg = svg_of(axes, series, id_prefix="snap")
    else:
        svg = radar_svg(
            [Axis("Ponctualité"), Axis("Travail en équipe"), Axis("Autonomie")],
            [Series("Moi", [2, 4, None], "self"), Series("Accord", [3, 3, 3], "agreed")],
            title="Trois axes",
            description="Exemple minimal",
            lang="fr",
            id_prefix="snap3",
        )
    path = SNAPSHOTS / f"{name}.svg"
    if UPDATE:
        path.write_text(svg, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with BADGER_UPDATE_SNAPSHOTS=1"
    assert svg == path.read_text(encoding="utf-8"), (
        f"{path.name} changed; if deliberate, rerun with BADGER_UPDATE_SNAPSHOTS=1"
    )


@pytest.mark.parametrize("n", [3, 5, 8, 12, 17, 24, 30])
def test_axis_counts(n):
    axes = [Axis(f"Compétence numéro {i} avec un libellé assez long") for i in range(n)]
    series = [
        Series("Moi", [i % 6 for i in range(n)], "self"),
        Series("Coach", [(i * 2) % 6 for i in range(n)], "coach"),
        Series("Pair", [(i * 3) % 6 for i in range(n)], "peer"),
        Series("Accord", [3] * n, "agreed"),
        Series("Avant", [2] * n, "previous"),
    ]
    root = parse(svg_of(axes, series))
    assert len(root.findall(".//s:line[@class='axis']", NS)) == n
    # long labels are wrapped to at most two lines and keep their full text as a tooltip
    for text in root.findall(".//s:text[@class='axis-label']", NS):
        lines = text.findall("s:tspan", NS)
        assert 1 <= len(lines) <= 2
        assert all(len(t.text) <= 18 for t in lines)
    # labels stay inside the picture horizontally (anchors pick the side)
    width = float(root.get("width"))
    for text in root.findall(".//s:text[@class='axis-label']", NS):
        x = float(text.get("x"))
        assert 0 < x < width


def test_short_label_used_when_long_label_does_not_fit():
    axes = [Axis("Expression de soi (verbale et non verbale)", "Expression de soi")] + [
        Axis(f"Axe {i}") for i in range(16)
    ]
    root = parse(svg_of(axes, [Series("Moi", [3] * 17, "self")]))
    first = root.find(".//s:text[@data-axis='0']", NS)
    assert " ".join(t.text for t in first.findall("s:tspan", NS)) == "Expression de soi"
    assert first.find("s:title", NS).text == "Expression de soi (verbale et non verbale)"


def test_values_out_of_range_are_clamped_and_all_missing_is_drawn_empty():
    axes = [Axis("a"), Axis("b"), Axis("c")]
    root = parse(
        svg_of(
            axes,
            [Series("x", [9, -1, float("nan")], "self"), Series("y", [None] * 3, "coach")],
        )
    )
    groups = root.findall(".//s:g[@class='series series-self']", NS)
    assert len(groups[0].find("s:g", NS)) == 2  # nan is missing
    coach = root.find(".//s:g[@class='series series-coach']", NS)
    assert len(coach.find("s:g", NS)) == 0
    assert coach.get("data-missing") == "3"


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="at least 3 axes"):
        radar_svg([Axis("a"), Axis("b")], [], title="t", description="d")
    with pytest.raises(ValueError, match="2 values for 3 axes"):
        radar_svg(
            [Axis("a"), Axis("b"), Axis("c")],
            [Series("s", [1, 2], "self")],
            title="t",
            description="d",
        )


def _luminance(hex_colour: str) -> float:
    def chan(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * chan(r) + 0.7152 * chan(g) + 0.0722 * chan(b)


def test_palette_contrast_on_white_and_distinct_encodings():
    for style in STYLES.values():
        assert (1.05) / (_luminance(style.colour) + 0.05) >= 3.0, style.colour
    assert len({s.marker for s in STYLES.values()}) == len(STYLES)
    assert len({s.dash for s in STYLES.values()}) == len(STYLES)
    assert len({s.colour for s in STYLES.values()}) == len(STYLES)


def test_data_table_alternative():
    axes, series = apels_chart()
    t = chart_table(axes, series)
    assert t.columns == ("Moi", "Coach", "Entrée")
    assert len(t.rows) == 17
    assert t.rows[4] == ("Respect des règles", ("3", "4", "non renseigné"))
    html = data_table_html(axes, series, caption="Scores <mi-parcours>", table_id="t1")
    root = ET.fromstring(html)
    assert root.find("caption").text == "Scores <mi-parcours>"
    assert [th.text for th in root.findall("thead/tr/th")] == [
        "Compétence",
        "Moi",
        "Coach",
        "Entrée",
    ]
    assert len(root.findall("tbody/tr")) == 17
    assert all(tr.find("th").get("scope") == "row" for tr in root.findall("tbody/tr"))
    en = chart_table(axes, [Series("Me", [2.5] + [None] * 16, "self")], lang="en")
    assert en.rows[0][1] == ("2.5",) and en.rows[1][1] == ("not rated",)


def test_png_renders_at_expected_size_with_text_chunks():
    axes, series = apels_chart()
    svg_root = parse(svg_of(axes, series))
    data = radar_png(axes, series, title="Grille", description="Desc")
    img = Image.open(io.BytesIO(data))
    img.load()
    assert img.format == "PNG"
    assert img.size == (round(float(svg_root.get("width"))), round(float(svg_root.get("height"))))
    assert img.text["Title"] == "Grille"
    # anti-aliased: many distinct colours, not a handful of flat ones
    colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50
    big = Image.open(io.BytesIO(radar_png(axes, series, title="t", description="d", scale=2)))
    assert big.size == (img.size[0] * 2, img.size[1] * 2)


def test_png_three_and_thirty_axes_with_heading():
    for n in (3, 30):
        axes = [Axis(f"Axe {i}") for i in range(n)]
        data = radar_png(
            axes,
            [Series("Moi", [None] + [3] * (n - 1), "self")],
            title="t",
            description="d",
            heading="Camille — sortie",
        )
        assert Image.open(io.BytesIO(data)).size[0] == 560


labels = st.text(min_size=0, max_size=60)
score = st.one_of(st.none(), st.integers(0, 5), st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n=st.integers(3, 30),
    kinds=st.lists(st.sampled_from(list(STYLES)), min_size=0, max_size=5),
    title=labels,
)
def test_hypothesis_random_scores_and_labels_always_give_valid_svg(data, n, kinds, title):
    axes = [Axis(data.draw(labels), data.draw(st.one_of(st.none(), labels))) for _ in range(n)]
    series = [
        Series(data.draw(labels), data.draw(st.lists(score, min_size=n, max_size=n)), kind)
        for kind in kinds
    ]
    svg = radar_svg(axes, series, title=title, description=title, id_prefix=data.draw(labels))
    root = ET.fromstring(svg)
    assert len(root.findall(".//s:line[@class='axis']", NS)) == n
    assert len(root.findall(".//s:g[@class='legend-item']", NS)) == len(kinds)
    ET.fromstring(data_table_html(axes, series, caption=title))


@settings(max_examples=10, deadline=None)
@given(
    n=st.integers(3, 30),
    values=st.lists(score, min_size=30, max_size=30),
    label=labels,
)
def test_hypothesis_png_never_crashes(n, values, label):
    axes = [Axis(label or "x") for _ in range(n)]
    data = radar_png(axes, [Series(label, values[:n], "coach")], title=label, description=label)
    Image.open(io.BytesIO(data)).verify()


@pytest.mark.parametrize("n", [3, 8, 17, 30])
def test_numbered_chart_keys_every_axis_legibly_without_overlap(n):
    """The comparison page's chart: each axis's number in a badge (14 units in a 320-unit chart,
    so ≥ 12 px on a 360 px phone), badges apart from each other and inside the picture, each
    a link to its axis named by the full label; no legend of its own, nothing cut."""
    axes = [Axis(f"{APELS[i % len(APELS)]} {i}") for i in range(n)]
    series = [Series("Auto", [i % 6 for i in range(n)], "self")]
    links = [f"#axis-{100 + i}" for i in range(n)]
    svg = radar_svg(axes, series, title="t", description="d", size=320, numbered=True, links=links)
    root = ET.fromstring(svg)
    assert root.get("role") == "group" and root.get("width") == "320"
    height = float(root.get("height"))
    anchors = root.findall(".//s:a[@class='axis-link']", NS)
    assert [a.get("href") for a in anchors] == links
    names = [f"{i + 1}. {a.label}" for i, a in enumerate(axes)]
    assert [a.get("aria-label") for a in anchors] == names
    texts = root.findall(".//s:text[@class='axis-label']", NS)
    assert [t.text for t in texts] == [str(i + 1) for i in range(n)]
    assert float(root.get("font-size")) >= 14 and "…" not in svg
    assert root.find(".//s:g[@class='legend']", NS) is None
    badges = [
        (float(c.get("cx")), float(c.get("cy")), float(c.get("r")))
        for c in root.findall(".//s:circle[@class='axis-badge']", NS)
    ]
    for i, (x, y, r) in enumerate(badges):
        assert r >= 12 and r <= x <= 320 - r and r <= y <= height - r
        for x2, y2, r2 in badges[i + 1 :]:
            assert ((x - x2) ** 2 + (y - y2) ** 2) ** 0.5 >= r + r2
    # the drawing is hidden from screen readers, the links are not
    for cls in ("grid", "axes", "levels", "all-series"):
        assert root.find(f".//s:g[@class='{cls}']", NS).get("aria-hidden") == "true"


def test_links_need_a_numbered_chart_with_one_url_per_axis():
    axes = [Axis(a) for a in APELS[:4]]
    series = [Series("Auto", [1, 2, 3, 4], "self")]
    with pytest.raises(ValueError):
        radar_svg(axes, series, title="t", description="d", links=["#a"] * 4)
    with pytest.raises(ValueError):
        radar_svg(axes, series, title="t", description="d", numbered=True, links=["#a"] * 3)
    plain = radar_svg(axes, series, title="t", description="d", numbered=True)
    assert 'role="img"' in plain and "<a " not in plain
