"""The chart's model (axes, series, styles) and its layout: where rings, spokes, labels and
points go. Computed once, then drawn by :mod:`.svg` and :mod:`.png`, so both show the same
picture."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

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


#: Languages written right to left (their texts are drawn and anchored from the right).
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


_GRID_COLOUR = "#C4C4C4"


_AXIS_COLOUR = "#9A9A9A"


_TEXT_COLOUR = "#1A1A1A"


_MUTED_TEXT = "#595959"


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
    #: axes keyed by their number in a round badge (see :data:`NUMBERED_FONT`), not by words
    numbered: bool = False


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


#: A numbered chart (the comparison page on a phone) keys each axis by its number, set in a
#: round badge of this radius at this font size: legible at 12 px and more once a 320-unit-wide
#: chart is drawn on a 360 px screen; the full names are in the list beside the chart.
NUMBERED_FONT = 14.0
BADGE_R = 13.0
_BADGE_GAP = 6.0


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


@dataclass(frozen=True)
class _LabelBudget:
    """How axis labels are set for a chart of this many axes, and the rings' radius."""

    font: float
    chars: int
    max_lines: int
    line_h: float
    radial: bool
    r: float


#: (x, baseline of the first line, rotation, anchor, lines, full text, truncated), from the centre
_RelLabel = tuple[float, float, float, _Anchor, tuple[str, ...], str, bool]


def _check_inputs(axes: Sequence[Axis], series: Sequence[Series]) -> int:
    n = len(axes)
    if n < 3:
        raise ValueError(f"a radar chart needs at least 3 axes, got {n}")
    for s in series:
        if len(s.values) != n:
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {n} axes")
        if s.kind not in STYLES:
            raise ValueError(f"unknown series kind {s.kind!r}")
    return n


def _unit_circle(n: int) -> tuple[list[float], list[tuple[float, float]]]:
    """The spokes' angles (the first points up) and their (cos, sin)."""
    angles = [(-math.pi / 2 + 2 * math.pi * i / n) for i in range(n)]
    trig = [(math.cos(a), math.sin(a)) for a in angles]
    # Snap tiny values so that e.g. cos(90°) prints as 0 and output stays stable.
    trig = [(0.0 if abs(c) < 1e-9 else c, 0.0 if abs(s) < 1e-9 else s) for c, s in trig]
    return angles, trig


def _place_label(
    axis: Axis, angle: float, co: float, si: float, b: _LabelBudget
) -> tuple[_RelLabel, float, float]:
    """One axis label placed relative to the centre, with the top and bottom it reaches."""
    full = _clean(axis.label)
    lines, cut = _wrap(full, b.chars, b.max_lines)
    if cut and axis.short_label:
        lines, _ = _wrap(_clean(axis.short_label), b.chars, b.max_lines)
    font = b.font
    lx, ly = (b.r + 10) * co, (b.r + 10) * si
    anchor: _Anchor
    if b.radial:
        rotate = math.degrees(angle) if co >= 0 else math.degrees(angle) + 180
        rotate = round(rotate, 2)
        anchor = "start" if co >= 0 else "end"
        y_first = ly + font * 0.35
        extent = len(lines[0]) * font * 0.62
        top, bottom = ly + si * extent - font, ly + si * extent + font
    else:
        rotate = 0.0
        if abs(co) < 0.2:
            anchor = "middle"
        elif co > 0:
            anchor = "start"
        else:
            anchor = "end"
        block = (len(lines) - 1) * b.line_h
        y_first = ly + font * 0.35 - block / 2 + si * (block / 2 + font * 0.5)
        top, bottom = y_first - font, y_first + block + font * 0.3
    return (lx, y_first, rotate, anchor, lines, full, cut), top, bottom


def _place_number(
    i: int, axis: Axis, co: float, si: float, r: float
) -> tuple[_RelLabel, float, float]:
    """The badge holding axis ``i``'s number (1-based), centred beyond the spoke's end."""
    d = r + _BADGE_GAP + BADGE_R
    lx, ly = d * co, d * si
    number: tuple[str, ...] = (str(i + 1),)
    label: _RelLabel = (
        lx, ly + NUMBERED_FONT * 0.35, 0.0, "middle", number, _clean(axis.label), False
    )
    return label, ly - BADGE_R, ly + BADGE_R


def _series_layout(
    s: Series, point: Callable[[float, int], tuple[float, float]], lang: str
) -> _SeriesLayout:
    values = [_to_value(v) for v in s.values]
    points = tuple(None if v is None else point(v, i) for i, v in enumerate(values))
    missing = sum(1 for v in values if v is None)
    name = _clean(s.name)
    legend = f"{name} ({_missing_note(lang, missing)})" if missing else name
    return _SeriesLayout(s, STYLES[s.kind], points, missing, legend)


def _layout(
    axes: Sequence[Axis],
    series: Sequence[Series],
    *,
    size: float,
    lang: str,
    heading: str | None,
    numbered: bool = False,
) -> _Layout:
    n = _check_inputs(axes, series)
    font, chars, max_lines = (NUMBERED_FONT, 3, 1) if numbered else _label_budget(n)
    radial = n > RADIAL_LABELS_ABOVE and not numbered
    line_h = round(font * 1.2, 1)
    margin_x = chars * font * (0.62 if radial else 0.6) + 16
    if numbered:
        margin_x = _BADGE_GAP + 2 * BADGE_R + 4
    width = float(size)
    r = max((width - 2 * margin_x) / 2, 60.0)
    heading = _clean(heading) if heading else None
    heading_h = font * 1.4 + 12 if heading else 0.0
    cx = width / 2
    angles, trig = _unit_circle(n)

    # Labels are placed relative to the centre first; the vertical extent of rings and labels
    # then fixes where the centre goes, so the picture has no empty band above or below.
    budget = _LabelBudget(font, chars, max_lines, line_h, radial, r)
    if numbered:
        placed = [_place_number(i, axis, *trig[i], r) for i, axis in enumerate(axes)]
    else:
        placed = [_place_label(axis, angles[i], *trig[i], budget) for i, axis in enumerate(axes)]
    top = min([r * t[1] for t in trig] + [p_top for _p, p_top, _b in placed])
    bottom = max([r * t[1] for t in trig] + [p_bottom for _p, _t, p_bottom in placed])
    level_top = -r - 3 - font  # the "5" above the top ring
    top = min(top, level_top)
    cy = heading_h + 8 - top

    def point(value: float, i: int) -> tuple[float, float]:
        c, s = trig[i]
        d = r * value / SCALE_MAX
        return (cx + d * c, cy + d * s)

    labels = [
        _Label(cx + lx, cy + y, anchor, lines, full, cut, rotate, cx + lx, cy + ly_pivot)
        for ((lx, y, rotate, anchor, lines, full, cut), _t, _b), ly_pivot in zip(
            placed, ((r + 10) * t[1] for t in trig), strict=True
        )
    ]
    legend_top = cy + bottom + 12
    laid = tuple(_series_layout(s, point, lang) for s in series)
    legend_h = _LEGEND_ROW * len(series)
    return _Layout(
        width=width,
        # a numbered chart has no legend of its own: the page gives the key beside it
        height=float(math.ceil(cy + bottom + 6 if numbered else legend_top + legend_h + 8)),
        cx=cx,
        cy=cy,
        r=r,
        font=font,
        line_h=line_h,
        heading=heading,
        heading_y=font * 1.4 + 4,
        rings=tuple(tuple(point(k, i) for i in range(n)) for k in range(1, SCALE_MAX + 1)),
        axis_ends=tuple(point(SCALE_MAX, i) for i in range(n)),
        labels=tuple(labels),
        series=laid,
        legend_top=legend_top,
        lang=lang,
        numbered=numbered,
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


def _legend_x(lay: _Layout, x: float) -> float:
    """The legend stands at the left of a left-to-right chart, at the right of a right-to-left
    one (sample line, then its words, in reading order)."""
    return lay.width - x if _is_rtl(lay.lang) else x


def _legend_anchor(lay: _Layout) -> _Anchor:
    return "end" if _is_rtl(lay.lang) else "start"
