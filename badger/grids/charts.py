"""Spider (radar) charts for co-assessment grids, as SVG and PNG.

Pure code: no Flask, no database. One layout is computed from the axes and series and then drawn
twice, by :func:`radar_svg` (inline in pages, no JavaScript needed) and :func:`radar_png` (Pillow,
for credentials, PDF and sharing), so both show the same picture.

Accessibility: the SVG carries ``role="img"`` with a ``<title>`` and ``<desc>`` referenced by
``aria-labelledby``; series are told apart by dash pattern, marker shape *and* colour; the data are
also given as a table (:func:`chart_table`, :func:`data_table_html`). Output is deterministic (fixed
number formatting, ids derived from ``id_prefix``) so it can be snapshot-tested.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont, features
from PIL.PngImagePlugin import PngInfo

SCALE_MAX = 5
SeriesKind = Literal["self", "coach", "peer", "agreed", "previous"]


@dataclass(frozen=True)
class Axis:
    """One axis of the chart: a competence label, and an optional shorter label for tight charts.
    ``language``: the label's own language when known (a French label in an Arabic chart is
    marked ``lang="fr"`` in SVG, so screen readers say it in French)."""

    label: str
    short_label: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Series:
    """One set of scores (0–5, ``None`` where not rated), one value per axis, in axis order."""

    name: str
    values: Sequence[float | None]
    kind: SeriesKind


@dataclass(frozen=True)
class SeriesStyle:
    colour: str  # "#rrggbb"; all have a contrast of at least 3:1 on white
    dash: tuple[float, ...]  # SVG stroke-dasharray, empty for a solid line
    marker: Literal["circle", "square", "triangle", "diamond", "cross"]
    width: float
    fill_opacity: float


#: Colour-blind-safe (Okabe–Ito based, darkened where needed for contrast on white).
STYLES: dict[str, SeriesStyle] = {
    "self": SeriesStyle("#0072B2", (), "circle", 2.5, 0.12),
    "coach": SeriesStyle("#B34700", (8.0, 4.0), "square", 2.5, 0.08),
    "peer": SeriesStyle("#007A5E", (2.0, 4.0), "triangle", 2.5, 0.0),
    "agreed": SeriesStyle("#1A1A1A", (12.0, 4.0, 3.0, 4.0), "diamond", 2.5, 0.0),
    "previous": SeriesStyle("#6B6B6B", (4.0, 3.0), "cross", 1.75, 0.0),
}

_STRINGS = {
    "fr": {
        "missing_one": "1 axe non renseigné",
        "missing_many": "{n} axes non renseignés",
        "not_rated": "non renseigné",
        "competence": "Compétence",
        "scale": "Échelle de 0 à 5",
    },
    "en": {
        "missing_one": "1 axis not rated",
        "missing_many": "{n} axes not rated",
        "not_rated": "not rated",
        "competence": "Competence",
        "scale": "Scale from 0 to 5",
    },
    "ar": {
        "missing_one": "محور واحد بدون درجة",
        "missing_many": "{n} محاور بدون درجة",
        "not_rated": "بدون درجة",
        "competence": "المهارة",
        "scale": "مقياس من 0 إلى 5",
    },
    "uk": {
        "missing_one": "1 вісь не оцінено",
        "missing_many": "Не оцінено осей: {n}",
        "not_rated": "не вказано",
        "competence": "Навичка",
        "scale": "Шкала від 0 до 5",
    },
}

_RTL_ROOT = ' direction="rtl"'

#: Languages written right to left (their texts are drawn and anchored from the right).
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})

_GRID_COLOUR = "#C4C4C4"
_AXIS_COLOUR = "#9A9A9A"
_TEXT_COLOUR = "#1A1A1A"
_MUTED_TEXT = "#595959"
_FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
_LEGEND_ROW = 22.0
_MARKER = 4.5


def strings(lang: str) -> dict[str, str]:
    """The chart's own few words in ``lang`` (French when the language is unknown)."""
    return _STRINGS.get(lang.split("-")[0].lower(), _STRINGS["fr"])


def _is_rtl(lang: str) -> bool:
    return lang.split("-")[0].lower() in RTL_LANGUAGES


def text_direction(text: str, lang: str) -> Literal["ltr", "rtl"]:
    """The direction of one text, as HTML's ``dir="auto"`` decides it: its first strong
    character (Arabic or Hebrew → rtl, Latin → ltr); the chart language's for digits only."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "rtl" if _is_rtl(lang) else "ltr"


#: SVG's text-anchor is logical (start is the right edge of a right-to-left text); the layout
#: computes physical anchors (start = the text runs rightwards from the point).
_LOGICAL_ANCHOR = {
    "ltr": {"start": "start", "middle": "middle", "end": "end"},
    "rtl": {"start": "end", "middle": "middle", "end": "start"},
}


def _svg_text_attrs(text: str, anchor: _Anchor, lang: str, *, explicit: bool = True) -> str:
    """``direction`` (when it differs from the chart's) and ``text-anchor`` (always when
    ``explicit``, else unless it is the default ``start``) that put ``text`` where the physical
    ``anchor`` says. A left-to-right chart's output is as it always was."""
    d = text_direction(text, lang)
    logical = _LOGICAL_ANCHOR[d][anchor]
    out = f' direction="{d}"' if d != ("rtl" if _is_rtl(lang) else "ltr") else ""
    return out + (f' text-anchor="{logical}"' if explicit or logical != "start" else "")


def _svg_lang(axis: Axis, lang: str) -> str:
    """``lang`` of an axis label in another language than the chart's; nothing otherwise (its
    ``direction`` already isolates it, as ``dir="auto"`` would)."""
    own = axis.language
    if not own or own.split("-")[0].lower() == lang.split("-")[0].lower():
        return ""
    return f' lang="{escape(own)}"'


# --------------------------------------------------------------------------- layout


_Anchor = Literal["start", "middle", "end"]


@dataclass(frozen=True)
class _Label:
    x: float
    y: float  # baseline of the first line
    anchor: Literal["start", "middle", "end"]
    lines: tuple[str, ...]
    full: str
    truncated: bool
    rotate: float = 0.0  # degrees, clockwise, around (px, py)
    px: float = 0.0
    py: float = 0.0


@dataclass(frozen=True)
class _SeriesLayout:
    series: Series
    style: SeriesStyle
    points: tuple[tuple[float, float] | None, ...]
    missing: int
    legend: str


@dataclass(frozen=True)
class _Layout:
    width: float
    height: float
    cx: float
    cy: float
    r: float
    font: float
    line_h: float
    heading: str | None
    heading_y: float
    rings: tuple[tuple[tuple[float, float], ...], ...]
    axis_ends: tuple[tuple[float, float], ...]
    labels: tuple[_Label, ...]
    series: tuple[_SeriesLayout, ...]
    legend_top: float
    lang: str = field(default="fr")


_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    """Remove characters XML cannot carry and collapse white space."""
    return " ".join(_INVALID_XML.sub("", text).split())


def _wrap(text: str, width: int, max_lines: int) -> tuple[tuple[str, ...], bool]:
    """Word-wrap ``text`` into at most ``max_lines`` lines of ``width`` characters.

    Returns the lines and whether anything was cut (the last line then ends with "…").
    """
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:  # a word longer than a line: cut it
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current = f"{current} {word}"
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if not lines:
        return ("",), False
    if len(lines) <= max_lines:
        return tuple(lines), False
    kept = lines[:max_lines]
    last = kept[-1].rstrip("-")
    kept[-1] = (last[: width - 1] if len(last) >= width else last) + "…"
    return tuple(kept), True


#: Above this many axes, labels run along their spoke (rotated) so neighbours never overlap.
RADIAL_LABELS_ABOVE = 20


def _label_budget(n: int) -> tuple[float, int, int]:
    """Font size, characters per line and lines per axis label for ``n`` axes."""
    if n <= 8:
        return 13.0, 16, 2
    if n <= 16:
        return 12.0, 14, 2
    if n <= RADIAL_LABELS_ABOVE:
        return 11.0, 14, 2
    return 10.0, 18, 1


def _to_value(v: float | None) -> float | None:
    if v is None:
        return None
    f = float(v)
    if math.isnan(f):
        return None
    return min(max(f, 0.0), float(SCALE_MAX))


def _missing_note(lang: str, n: int) -> str:
    s = strings(lang)
    return s["missing_one"] if n == 1 else s["missing_many"].format(n=n)


def _layout(
    axes: Sequence[Axis],
    series: Sequence[Series],
    *,
    size: float,
    lang: str,
    heading: str | None,
) -> _Layout:
    n = len(axes)
    if n < 3:
        raise ValueError(f"a radar chart needs at least 3 axes, got {n}")
    for s in series:
        if len(s.values) != n:
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {n} axes")
        if s.kind not in STYLES:
            raise ValueError(f"unknown series kind {s.kind!r}")
    font, chars, max_lines = _label_budget(n)
    radial = n > RADIAL_LABELS_ABOVE
    line_h = round(font * 1.2, 1)
    margin_x = chars * font * (0.62 if radial else 0.6) + 16
    width = float(size)
    r = max((width - 2 * margin_x) / 2, 60.0)
    heading = _clean(heading) if heading else None
    heading_h = font * 1.4 + 12 if heading else 0.0
    cx = width / 2

    angles = [(-math.pi / 2 + 2 * math.pi * i / n) for i in range(n)]
    trig = [(math.cos(a), math.sin(a)) for a in angles]
    # Snap tiny values so that e.g. cos(90°) prints as 0 and output stays stable.
    trig = [(0.0 if abs(c) < 1e-9 else c, 0.0 if abs(s) < 1e-9 else s) for c, s in trig]

    # Labels are placed relative to the centre first; the vertical extent of rings and labels
    # then fixes where the centre goes, so the picture has no empty band above or below.
    rel: list[tuple[float, float, float, _Anchor, tuple[str, ...], str, bool]] = []
    top = min(r * t[1] for t in trig)
    bottom = max(r * t[1] for t in trig)
    for i, axis in enumerate(axes):
        full = _clean(axis.label)
        lines, cut = _wrap(full, chars, max_lines)
        if cut and axis.short_label:
            lines, _ = _wrap(_clean(axis.short_label), chars, max_lines)
        co, si = trig[i]
        lx, ly = (r + 10) * co, (r + 10) * si
        anchor: _Anchor
        if radial:
            rotate = math.degrees(angles[i]) if co >= 0 else math.degrees(angles[i]) + 180
            rotate = round(rotate, 2)
            anchor = "start" if co >= 0 else "end"
            y_first = ly + font * 0.35
            extent = len(lines[0]) * font * 0.62
            top = min(top, ly + si * extent - font)
            bottom = max(bottom, ly + si * extent + font)
        else:
            rotate = 0.0
            if abs(co) < 0.2:
                anchor = "middle"
            elif co > 0:
                anchor = "start"
            else:
                anchor = "end"
            block = (len(lines) - 1) * line_h
            y_first = ly + font * 0.35 - block / 2 + si * (block / 2 + font * 0.5)
            top = min(top, y_first - font)
            bottom = max(bottom, y_first + block + font * 0.3)
        rel.append((lx, y_first, rotate, anchor, lines, full, cut))

    level_top = -r - 3 - font  # the "5" above the top ring
    top = min(top, level_top)
    cy = heading_h + 8 - top

    def point(value: float, i: int) -> tuple[float, float]:
        c, s = trig[i]
        d = r * value / SCALE_MAX
        return (cx + d * c, cy + d * s)

    rings = tuple(tuple(point(k, i) for i in range(n)) for k in range(1, SCALE_MAX + 1))
    axis_ends = tuple(point(SCALE_MAX, i) for i in range(n))
    labels = [
        _Label(cx + lx, cy + y, anchor, lines, full, cut, rotate, cx + lx, cy + ly_pivot)
        for (lx, y, rotate, anchor, lines, full, cut), ly_pivot in zip(
            rel, ((r + 10) * t[1] for t in trig), strict=True
        )
    ]

    series_layouts: list[_SeriesLayout] = []
    for s in series:
        values = [_to_value(v) for v in s.values]
        points = tuple(None if v is None else point(v, i) for i, v in enumerate(values))
        missing = sum(1 for v in values if v is None)
        name = _clean(s.name)
        legend = f"{name} ({_missing_note(lang, missing)})" if missing else name
        series_layouts.append(_SeriesLayout(s, STYLES[s.kind], points, missing, legend))

    legend_top = cy + bottom + 12
    height = float(math.ceil(legend_top + _LEGEND_ROW * len(series) + 8))
    return _Layout(
        width=width,
        height=height,
        cx=cx,
        cy=cy,
        r=r,
        font=font,
        line_h=line_h,
        heading=heading,
        heading_y=font * 1.4 + 4,
        rings=rings,
        axis_ends=axis_ends,
        labels=tuple(labels),
        series=tuple(series_layouts),
        legend_top=legend_top,
        lang=lang,
    )


def _runs(
    points: Sequence[tuple[float, float] | None],
) -> tuple[list[list[tuple[float, float]]], bool]:
    """Split the ring of points into connected runs; a missing value leaves a gap.

    Returns the runs and whether the shape is closed (no value missing).
    """
    n = len(points)
    if all(p is not None for p in points):
        return [[p for p in points if p is not None]], True
    if all(p is None for p in points):
        return [], False
    start = next(i for i in range(n) if points[i] is None)  # begin right after a gap
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for j in range(1, n + 1):
        p = points[(start + j) % n]
        if p is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(p)
    if current:
        runs.append(current)
    return runs, False


# --------------------------------------------------------------------------- SVG


def _f(x: float) -> str:
    """Fixed formatting for coordinates: one decimal, no negative zero."""
    s = f"{x:.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return "0" if s == "-0" else s


def _marker_svg(kind: str, x: float, y: float, colour: str, m: float = _MARKER) -> str:
    if kind == "circle":
        return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(m)}" fill="{colour}"/>'
    if kind == "square":
        h = m * 0.9
        return (
            f'<rect x="{_f(x - h)}" y="{_f(y - h)}" width="{_f(2 * h)}" height="{_f(2 * h)}"'
            f' fill="{colour}"/>'
        )
    if kind == "triangle":
        t = m * 1.2
        return (
            f'<path d="M{_f(x)} {_f(y - t)}L{_f(x + t * 0.9)} {_f(y + t * 0.65)}'
            f'L{_f(x - t * 0.9)} {_f(y + t * 0.65)}Z" fill="{colour}"/>'
        )
    if kind == "diamond":
        d = m * 1.25
        return (
            f'<path d="M{_f(x)} {_f(y - d)}L{_f(x + d * 0.8)} {_f(y)}L{_f(x)} {_f(y + d)}'
            f'L{_f(x - d * 0.8)} {_f(y)}Z" fill="{colour}"/>'
        )
    c = m * 0.85  # cross
    return (
        f'<path d="M{_f(x - c)} {_f(y - c)}L{_f(x + c)} {_f(y + c)}M{_f(x - c)} {_f(y + c)}'
        f'L{_f(x + c)} {_f(y - c)}" stroke="{colour}" stroke-width="2" fill="none"/>'
    )


def _legend_x(lay: _Layout, x: float) -> float:
    """The legend stands at the left of a left-to-right chart, at the right of a right-to-left
    one (sample line, then its words, in reading order)."""
    return lay.width - x if _is_rtl(lay.lang) else x


def _legend_anchor(lay: _Layout) -> _Anchor:
    return "end" if _is_rtl(lay.lang) else "start"


def _points_d(run: Sequence[tuple[float, float]], closed: bool) -> str:
    head, *rest = run
    d = f"M{_f(head[0])} {_f(head[1])}" + "".join(f"L{_f(x)} {_f(y)}" for x, y in rest)
    return d + ("Z" if closed else "")


def radar_svg(
    axes: Sequence[Axis],
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    lang: str = "fr",
    size: float = 560,
    id_prefix: str = "radar",
    heading: str | None = None,
) -> str:
    """Render a spider chart as a standalone, accessible SVG document fragment.

    ``axes`` gives the competences in order; each of ``series`` has one value per axis (0–5, or
    ``None`` when not rated, which leaves a gap in the line and a note in the legend). ``size`` is
    the width in pixels; the height follows from the legend. ``id_prefix`` must be unique in the
    page when several charts are inlined.
    """
    lay = _layout(axes, series, size=size, lang=lang, heading=heading)
    pid = re.sub(r"[^A-Za-z0-9_-]", "-", id_prefix) or "radar"
    if not pid[0].isalpha():
        pid = "r" + pid
    out: list[str] = []
    w = out.append
    w(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar" role="img"'
        f' width="{_f(lay.width)}" height="{_f(lay.height)}"'
        f' viewBox="0 0 {_f(lay.width)} {_f(lay.height)}" lang="{escape(lang)}"'
        f"{_RTL_ROOT if _is_rtl(lang) else ''}"
        f' aria-labelledby="{pid}-title {pid}-desc"'
        f' font-family="{_FONT_FAMILY}" font-size="{_f(lay.font)}">'
    )
    w(f'<title id="{pid}-title">{escape(_clean(title))}</title>')
    w(f'<desc id="{pid}-desc">{escape(_clean(description))}</desc>')
    w(f'<rect width="{_f(lay.width)}" height="{_f(lay.height)}" fill="#ffffff"/>')
    if lay.heading:
        w(
            f'<text class="radar-heading" x="{_f(lay.cx)}" y="{_f(lay.heading_y)}"'
            f"{_svg_text_attrs(lay.heading, 'middle', lang)}"
            f' font-size="{_f(lay.font * 1.25)}" font-weight="bold"'
            f' fill="{_TEXT_COLOUR}">{escape(lay.heading)}</text>'
        )

    # Rings 1..5 and the spokes.
    w(f'<g class="grid" fill="none" stroke="{_GRID_COLOUR}" stroke-width="1">')
    for k, ring in enumerate(lay.rings, start=1):
        w(f'<path class="ring" data-level="{k}" d="{_points_d(ring, True)}"/>')
    w("</g>")
    w(f'<g class="axes" stroke="{_AXIS_COLOUR}" stroke-width="1">')
    for i, (x, y) in enumerate(lay.axis_ends):
        w(
            f'<line class="axis" data-axis="{i}" x1="{_f(lay.cx)}" y1="{_f(lay.cy)}"'
            f' x2="{_f(x)}" y2="{_f(y)}"/>'
        )
    w("</g>")
    # Level labels 0..5 along the first (top) axis.
    fs = lay.font * 0.85
    w(f'<g class="levels" font-size="{_f(fs)}" fill="{_MUTED_TEXT}">')
    for k in range(SCALE_MAX + 1):
        y = lay.cy - lay.r * k / SCALE_MAX
        attrs = _svg_text_attrs(str(k), "start", lang, explicit=False)
        w(f'<text x="{_f(lay.cx + 4)}" y="{_f(y - 3)}"{attrs}>{k}</text>')
    w("</g>")

    w(f'<g class="axis-labels" fill="{_TEXT_COLOUR}">')
    for i, lab in enumerate(lay.labels):
        rot = (
            f' transform="rotate({_f(lab.rotate)} {_f(lab.px)} {_f(lab.py)})"' if lab.rotate else ""
        )
        w(
            f'<text class="axis-label" data-axis="{i}" x="{_f(lab.x)}" y="{_f(lab.y)}"'
            f"{_svg_text_attrs(lab.full, lab.anchor, lang)}{_svg_lang(axes[i], lang)}{rot}>"
        )
        if lab.truncated:
            w(f"<title>{escape(lab.full)}</title>")
        for j, line in enumerate(lab.lines):
            dy = "0" if j == 0 else _f(lay.line_h)
            w(f'<tspan x="{_f(lab.x)}" dy="{dy}">{escape(line)}</tspan>')
        w("</text>")
    w("</g>")

    for idx, sl in enumerate(lay.series):
        st = sl.style
        runs, closed = _runs(sl.points)
        dash = f' stroke-dasharray="{" ".join(_f(d) for d in st.dash)}"' if st.dash else ""
        fill = (
            f' fill="{st.colour}" fill-opacity="{st.fill_opacity:.2f}"'
            if closed and st.fill_opacity
            else ' fill="none"'
        )
        d = "".join(_points_d(run, closed) for run in runs) or f"M{_f(lay.cx)} {_f(lay.cy)}"
        w(
            f'<g class="series series-{sl.series.kind}" id="{pid}-s{idx}"'
            f' data-kind="{sl.series.kind}" data-missing="{sl.missing}">'
        )
        w(
            f'<path class="series-line" d="{d}"{fill} stroke="{st.colour}"'
            f' stroke-width="{_f(st.width)}"{dash} stroke-linejoin="round"/>'
        )
        w(f'<g class="markers" data-marker="{st.marker}">')
        for p in sl.points:
            if p is not None:
                w(_marker_svg(st.marker, p[0], p[1], st.colour))
        w("</g></g>")

    w(f'<g class="legend" fill="{_TEXT_COLOUR}">')
    for idx, sl in enumerate(lay.series):
        st = sl.style
        y = lay.legend_top + idx * _LEGEND_ROW + _LEGEND_ROW / 2
        dash = f' stroke-dasharray="{" ".join(_f(d) for d in st.dash)}"' if st.dash else ""
        w(f'<g class="legend-item" data-kind="{sl.series.kind}">')
        w(
            f'<line x1="{_f(_legend_x(lay, 16))}" y1="{_f(y)}" x2="{_f(_legend_x(lay, 60))}"'
            f' y2="{_f(y)}" stroke="{st.colour}" stroke-width="{_f(st.width)}"{dash}/>'
        )
        w(_marker_svg(st.marker, _legend_x(lay, 38), y, st.colour))
        attrs = _svg_text_attrs(sl.legend, _legend_anchor(lay), lang, explicit=False)
        w(
            f'<text x="{_f(_legend_x(lay, 70))}" y="{_f(y + lay.font * 0.35)}"{attrs}>'
            f"{escape(sl.legend)}</text>"
        )
        w("</g>")
    w("</g></svg>")
    return "".join(out)


# --------------------------------------------------------------------------- data table


@dataclass(frozen=True)
class ChartTable:
    """The chart's data as a table: the accessible alternative to the picture."""

    competence_header: str
    columns: tuple[str, ...]  # series names
    kinds: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (axis label, formatted values)


def format_score(v: float | None, lang: str = "fr") -> str:
    """``3`` for whole numbers, ``3,5`` / ``3.5`` otherwise, the "not rated" words for None."""
    value = _to_value(v)
    if value is None:
        return strings(lang)["not_rated"]
    if value == int(value):
        return str(int(value))
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang.startswith("fr") else text


def chart_table(axes: Sequence[Axis], series: Sequence[Series], *, lang: str = "fr") -> ChartTable:
    for s in series:
        if len(s.values) != len(axes):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(axes)} axes")
    return ChartTable(
        competence_header=strings(lang)["competence"],
        columns=tuple(_clean(s.name) for s in series),
        kinds=tuple(s.kind for s in series),
        rows=tuple(
            (_clean(a.label), tuple(format_score(s.values[i], lang) for s in series))
            for i, a in enumerate(axes)
        ),
    )


def data_table_html(
    axes: Sequence[Axis],
    series: Sequence[Series],
    *,
    caption: str,
    lang: str = "fr",
    table_id: str | None = None,
) -> str:
    """The chart's data as an HTML ``<table>`` (escaped; safe to mark as safe in templates)."""
    t = chart_table(axes, series, lang=lang)
    id_attr = f' id="{escape(table_id)}"' if table_id else ""
    parts = [
        f'<table class="radar-table"{id_attr}><caption>{escape(_clean(caption))}</caption>',
        f'<thead><tr><th scope="col">{escape(t.competence_header)}</th>',
    ]
    parts += [
        f'<th scope="col" class="col-{k}">{escape(c)}</th>'
        for c, k in zip(t.columns, t.kinds, strict=True)
    ]
    parts.append("</tr></thead><tbody>")
    for label, values in t.rows:
        parts.append(f'<tr><th scope="row">{escape(label)}</th>')
        parts += [f"<td>{escape(v)}</td>" for v in values]
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


# --------------------------------------------------------------------------- PNG

_SS = 2  # supersampling factor for anti-aliasing
_FONT_CANDIDATES = (
    Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)


@functools.lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_CANDIDATES:
        candidate = path.with_name("DejaVuSans-Bold.ttf") if bold else path
        if candidate.is_file():
            return ImageFont.truetype(str(candidate), size)
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)  # scalable since Pillow 10.1


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _dashed(
    draw: ImageDraw.ImageDraw,
    pts: Sequence[tuple[float, float]],
    pattern: Sequence[float],
    colour: tuple[int, int, int],
    width: int,
) -> None:
    """Draw a polyline with an SVG-like dash pattern (the pattern continues across vertices)."""
    if not pattern:
        draw.line(list(pts), fill=colour, width=width, joint="curve")
        return
    idx, left, on = 0, pattern[0], True
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        seg = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while pos < seg:
            step = min(left, seg - pos)
            if on:
                a, b = pos / seg, (pos + step) / seg
                draw.line(
                    [
                        (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                        (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                    ],
                    fill=colour,
                    width=width,
                )
            pos += step
            left -= step
            if left <= 1e-9:
                idx = (idx + 1) % len(pattern)
                left, on = pattern[idx], not on


def _marker_png(
    draw: ImageDraw.ImageDraw, kind: str, x: float, y: float, colour: tuple[int, int, int], k: float
) -> None:
    m = _MARKER * k
    if kind == "circle":
        draw.ellipse([x - m, y - m, x + m, y + m], fill=colour)
    elif kind == "square":
        h = m * 0.9
        draw.rectangle([x - h, y - h, x + h, y + h], fill=colour)
    elif kind == "triangle":
        t = m * 1.2
        draw.polygon(
            [(x, y - t), (x + t * 0.9, y + t * 0.65), (x - t * 0.9, y + t * 0.65)], fill=colour
        )
    elif kind == "diamond":
        d = m * 1.25
        draw.polygon([(x, y - d), (x + d * 0.8, y), (x, y + d), (x - d * 0.8, y)], fill=colour)
    else:
        c = m * 0.85
        w = max(1, round(2 * k))
        draw.line([(x - c, y - c), (x + c, y + c)], fill=colour, width=w)
        draw.line([(x - c, y + c), (x + c, y - c)], fill=colour, width=w)


_PIL_ANCHOR = {"start": "ls", "middle": "ms", "end": "rs"}

#: With libraqm, Pillow shapes Arabic (joined letter forms) and lays it out right to left; the
#: basic layout engine can do neither (letters would come out separate and reversed).
_RAQM = bool(features.check("raqm"))


@dataclass(frozen=True)
class _TextOptions:
    """Pillow's ``direction`` and ``language`` for one text (None without libraqm)."""

    direction: str | None
    language: str | None


def _text_options(text: str, lang: str) -> _TextOptions:
    if not _RAQM:
        return _TextOptions(None, None)
    return _TextOptions(text_direction(text, lang), lang.split("-")[0].lower())


def _draw_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    fill: tuple[int, int, int],
    anchor: str,
    lang: str,
    *,
    whole: str | None = None,
) -> None:
    """``draw.text`` in the direction of ``whole`` (the label a line belongs to), shaped."""
    options = _text_options(whole if whole is not None else text, lang)
    draw.text(
        xy,
        text,
        font=font,
        fill=fill,
        anchor=anchor,
        direction=options.direction,
        language=options.language,
    )


def _rotated_text(
    img: Image.Image,
    lab: _Label,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    colour: tuple[int, int, int],
    k: float,
    lang: str,
) -> None:
    """Draw a one-line label rotated around its pivot, as the SVG ``rotate()`` does."""
    text = lab.lines[0]
    options = _text_options(lab.full, lang)
    length = (
        math.ceil(font.getlength(text, direction=options.direction, language=options.language)) + 4
        if text
        else 4
    )
    half = length + 8
    patch = Image.new("L", (2 * half, 2 * half), 0)
    ImageDraw.Draw(patch).text(
        (half, half + (lab.y - lab.py) * k),
        text,
        font=font,
        fill=255,
        anchor=_PIL_ANCHOR[lab.anchor],
        direction=options.direction,
        language=options.language,
    )
    patch = patch.rotate(-lab.rotate, resample=Image.Resampling.BILINEAR)
    img.paste(colour, (round(lab.px * k) - half, round(lab.py * k) - half), patch)


def radar_png(
    axes: Sequence[Axis],
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    lang: str = "fr",
    size: float = 560,
    heading: str | None = None,
    scale: float = 1.0,
) -> bytes:
    """Render the same chart as :func:`radar_svg` into PNG bytes.

    ``scale`` multiplies the pixel size (2.0 for print). The title and description are stored
    in the PNG's text chunks.
    """
    lay = _layout(axes, series, size=size, lang=lang, heading=heading)
    k = scale * _SS
    out_w, out_h = round(lay.width * scale), round(lay.height * scale)
    img = Image.new("RGB", (out_w * _SS, out_h * _SS), (255, 255, 255))
    draw = ImageDraw.Draw(img, "RGBA")

    def P(p: tuple[float, float]) -> tuple[float, float]:
        return (p[0] * k, p[1] * k)

    grid_c, axis_c = _rgb(_GRID_COLOUR), _rgb(_AXIS_COLOUR)
    line1 = max(1, round(k))
    for ring in lay.rings:
        pts = [P(p) for p in ring]
        draw.line([*pts, pts[0]], fill=grid_c, width=line1)
    for end in lay.axis_ends:
        draw.line([P((lay.cx, lay.cy)), P(end)], fill=axis_c, width=line1)

    text_c, muted_c = _rgb(_TEXT_COLOUR), _rgb(_MUTED_TEXT)
    if lay.heading:
        heading_font = _font(round(lay.font * 1.25 * k), bold=True)
        _draw_text(draw, P((lay.cx, lay.heading_y)), lay.heading, heading_font, text_c, "ms", lang)
    level_font = _font(round(lay.font * 0.85 * k))
    for lvl in range(SCALE_MAX + 1):
        y = lay.cy - lay.r * lvl / SCALE_MAX
        draw.text(P((lay.cx + 4, y - 3)), str(lvl), font=level_font, fill=muted_c, anchor="ls")
    label_font = _font(round(lay.font * k))
    for lab in lay.labels:
        if lab.rotate:
            _rotated_text(img, lab, label_font, text_c, k, lay.lang)
            continue
        for j, line in enumerate(lab.lines):
            xy = P((lab.x, lab.y + j * lay.line_h))
            anchor = _PIL_ANCHOR[lab.anchor]
            _draw_text(draw, xy, line, label_font, text_c, anchor, lang, whole=lab.full)

    for sl in lay.series:
        st = sl.style
        colour = _rgb(st.colour)
        runs, closed = _runs(sl.points)
        width = max(1, round(st.width * k))
        pattern = [d * k for d in st.dash]
        for run in runs:
            pts = [P(p) for p in run]
            if closed:
                if st.fill_opacity:
                    draw.polygon(pts, fill=(*colour, round(255 * st.fill_opacity)))
                pts = [*pts, pts[0]]
            if len(pts) == 1:
                continue
            _dashed(draw, pts, pattern, colour, width)
        for p in sl.points:
            if p is not None:
                x, y = P(p)
                _marker_png(draw, st.marker, x, y, colour, k)

    for idx, sl in enumerate(lay.series):
        st = sl.style
        colour = _rgb(st.colour)
        y = lay.legend_top + idx * _LEGEND_ROW + _LEGEND_ROW / 2
        _dashed(
            draw,
            [P((_legend_x(lay, 16), y)), P((_legend_x(lay, 60), y))],
            [d * k for d in st.dash],
            colour,
            max(1, round(st.width * k)),
        )
        _marker_png(draw, st.marker, _legend_x(lay, 38) * k, y * k, colour, k)
        xy = P((_legend_x(lay, 70), y + lay.font * 0.35))
        anchor = _PIL_ANCHOR[_legend_anchor(lay)]
        _draw_text(draw, xy, sl.legend, label_font, text_c, anchor, lang)

    small = img.reduce(_SS)
    info = PngInfo()
    info.add_itxt("Title", _clean(title), lang=lang)
    info.add_itxt("Description", _clean(description), lang=lang)
    buf = io.BytesIO()
    small.save(buf, format="PNG", pnginfo=info, compress_level=3)
    return buf.getvalue()
