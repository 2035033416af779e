"""The chart as SVG, inline in pages (no JavaScript): ``role="img"`` with a ``<title>`` and
``<desc>``; numbers formatted the same way every time, so output can be snapshot-tested."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from badger.grids.charts.layout import (
    _AXIS_COLOUR,
    _GRID_COLOUR,
    _LEGEND_ROW,
    _MARKER,
    _MUTED_TEXT,
    _TEXT_COLOUR,
    BADGE_R,
    SCALE_MAX,
    Axis,
    Series,
    SeriesStyle,
    _Anchor,
    _clean,
    _is_rtl,
    _Layout,
    _layout,
    _legend_anchor,
    _legend_x,
    _runs,
    text_direction,
)

_RTL_ROOT = ' direction="rtl"'


_FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"


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


def _points_d(run: Sequence[tuple[float, float]], closed: bool) -> str:
    head, *rest = run
    d = f"M{_f(head[0])} {_f(head[1])}" + "".join(f"L{_f(x)} {_f(y)}" for x, y in rest)
    return d + ("Z" if closed else "")


def _svg_id(id_prefix: str) -> str:
    """``id_prefix`` made a valid XML id (it starts with a letter)."""
    pid = re.sub(r"[^A-Za-z0-9_-]", "-", id_prefix) or "radar"
    if not pid[0].isalpha():
        pid = "r" + pid
    return pid


def _svg_head(
    lay: _Layout, pid: str, title: str, description: str, lang: str, *, group: bool = False
) -> list[str]:
    """The root element, its title and description, the white ground and the heading. A chart
    whose axes are links is a ``group`` (an ``img`` hides its children from assistive
    technologies): its drawing is then hidden from them, its links and legend are not."""
    role = "group" if group else "img"
    hidden = ' aria-hidden="true"' if group else ""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar{" radar-linked" if group else ""}"'
        f' role="{role}"'
        f' width="{_f(lay.width)}" height="{_f(lay.height)}"'
        f' viewBox="0 0 {_f(lay.width)} {_f(lay.height)}" lang="{escape(lang)}"'
        f"{_RTL_ROOT if _is_rtl(lang) else ''}"
        f' aria-labelledby="{pid}-title {pid}-desc"'
        f' font-family="{_FONT_FAMILY}" font-size="{_f(lay.font)}">',
        f'<title id="{pid}-title">{escape(_clean(title))}</title>',
        f'<desc id="{pid}-desc">{escape(_clean(description))}</desc>',
        f'<rect width="{_f(lay.width)}" height="{_f(lay.height)}" fill="#ffffff"{hidden}/>',
    ]
    if lay.heading:
        out.append(
            f'<text class="radar-heading" x="{_f(lay.cx)}" y="{_f(lay.heading_y)}"'
            f"{_svg_text_attrs(lay.heading, 'middle', lang)}"
            f' font-size="{_f(lay.font * 1.25)}" font-weight="bold"'
            f' fill="{_TEXT_COLOUR}">{escape(lay.heading)}</text>'
        )
    return out


def _svg_grid(lay: _Layout, lang: str, hidden: str = "") -> list[str]:
    """Rings 1..5, the spokes, and the level numbers 0..5 along the first (top) axis."""
    out = [f'<g class="grid" fill="none" stroke="{_GRID_COLOUR}" stroke-width="1"{hidden}>']
    for k, ring in enumerate(lay.rings, start=1):
        out.append(f'<path class="ring" data-level="{k}" d="{_points_d(ring, True)}"/>')
    out.append("</g>")
    out.append(f'<g class="axes" stroke="{_AXIS_COLOUR}" stroke-width="1"{hidden}>')
    for i, (x, y) in enumerate(lay.axis_ends):
        out.append(
            f'<line class="axis" data-axis="{i}" x1="{_f(lay.cx)}" y1="{_f(lay.cy)}"'
            f' x2="{_f(x)}" y2="{_f(y)}"/>'
        )
    out.append("</g>")
    # a numbered chart: as large as the badges, and clear of the first badge above the top
    fs, dx = (lay.font, BADGE_R + 3) if lay.numbered else (lay.font * 0.85, 4)
    out.append(f'<g class="levels" font-size="{_f(fs)}" fill="{_MUTED_TEXT}"{hidden}>')
    for k in range(SCALE_MAX + 1):
        y = lay.cy - lay.r * k / SCALE_MAX
        attrs = _svg_text_attrs(str(k), "start", lang, explicit=False)
        out.append(f'<text x="{_f(lay.cx + dx)}" y="{_f(y - 3)}"{attrs}>{k}</text>')
    out.append("</g>")
    return out


def _svg_axis_labels(lay: _Layout, axes: Sequence[Axis], lang: str) -> list[str]:
    out = [f'<g class="axis-labels" fill="{_TEXT_COLOUR}">']
    for i, lab in enumerate(lay.labels):
        rot = (
            f' transform="rotate({_f(lab.rotate)} {_f(lab.px)} {_f(lab.py)})"' if lab.rotate else ""
        )
        out.append(
            f'<text class="axis-label" data-axis="{i}" x="{_f(lab.x)}" y="{_f(lab.y)}"'
            f"{_svg_text_attrs(lab.full, lab.anchor, lang)}{_svg_lang(axes[i], lang)}{rot}>"
        )
        if lab.truncated:
            out.append(f"<title>{escape(lab.full)}</title>")
        for j, line in enumerate(lab.lines):
            dy = "0" if j == 0 else _f(lay.line_h)
            out.append(f'<tspan x="{_f(lab.x)}" dy="{dy}">{escape(line)}</tspan>')
        out.append("</text>")
    out.append("</g>")
    return out


def _svg_axis_keys(
    lay: _Layout, axes: Sequence[Axis], lang: str, links: Sequence[str] | None
) -> list[str]:
    """A numbered chart's keys: each axis's number in a round badge. With ``links``, each key is
    a link (``<a href>``, reachable by keyboard) named "3. Fiabilité", that also holds an
    invisible band along its spoke, so tapping near a point opens the same axis."""
    out = ['<g class="axis-keys">']
    for i, lab in enumerate(lay.labels):
        cx, cy = lab.x, lab.y - lay.font * 0.35  # the badge's centre (see _place_number)
        name = escape(f"{i + 1}. {lab.full}")
        if links is not None:
            x0, y0 = lay.cx + (lay.axis_ends[i][0] - lay.cx) * 0.3, lay.cy + (
                lay.axis_ends[i][1] - lay.cy
            ) * 0.3
            out.append(
                f'<a class="axis-link" data-axis="{i}" href="{escape(links[i])}"'
                f' aria-label="{name}"{_svg_lang(axes[i], lang)}><title>{name}</title>'
                f'<line class="axis-hit" x1="{_f(x0)}" y1="{_f(y0)}" x2="{_f(cx)}" y2="{_f(cy)}"'
                ' stroke="#000000" stroke-opacity="0" stroke-width="20" pointer-events="stroke"/>'
            )
        else:
            out.append(f'<g class="axis-key" data-axis="{i}"><title>{name}</title>')
        out.append(
            f'<circle class="axis-badge" cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(BADGE_R)}"'
            f' fill="#ffffff" stroke="{_TEXT_COLOUR}" stroke-width="1.5"/>'
            f'<text class="axis-label" data-axis="{i}" x="{_f(cx)}" y="{_f(lab.y)}"'
            f' text-anchor="middle" font-weight="bold" fill="{_TEXT_COLOUR}"'
            f' aria-hidden="true">{escape(lab.lines[0])}</text>'
        )
        out.append("</a>" if links is not None else "</g>")
    out.append("</g>")
    return out


def _svg_dash(st: SeriesStyle) -> str:
    return f' stroke-dasharray="{" ".join(_f(d) for d in st.dash)}"' if st.dash else ""


def _svg_series(lay: _Layout, pid: str, hidden: str = "") -> list[str]:
    """Each series: its line (gaps where a value is missing, filled when closed), its markers."""
    out: list[str] = [f'<g class="all-series"{hidden}>'] if hidden else []
    for idx, sl in enumerate(lay.series):
        st = sl.style
        runs, closed = _runs(sl.points)
        fill = (
            f' fill="{st.colour}" fill-opacity="{st.fill_opacity:.2f}"'
            if closed and st.fill_opacity
            else ' fill="none"'
        )
        d = "".join(_points_d(run, closed) for run in runs) or f"M{_f(lay.cx)} {_f(lay.cy)}"
        out.append(
            f'<g class="series series-{sl.series.kind}" id="{pid}-s{idx}"'
            f' data-kind="{sl.series.kind}" data-missing="{sl.missing}">'
        )
        out.append(
            f'<path class="series-line" d="{d}"{fill} stroke="{st.colour}"'
            f' stroke-width="{_f(st.width)}"{_svg_dash(st)} stroke-linejoin="round"/>'
        )
        out.append(f'<g class="markers" data-marker="{st.marker}">')
        for p in sl.points:
            if p is not None:
                out.append(_marker_svg(st.marker, p[0], p[1], st.colour))
        out.append("</g></g>")
    if hidden:
        out.append("</g>")
    return out


def _svg_legend(lay: _Layout, lang: str) -> list[str]:
    """One row per series: a sample of its line and marker, then its name; closes the SVG."""
    out = [f'<g class="legend" fill="{_TEXT_COLOUR}">']
    for idx, sl in enumerate(lay.series):
        st = sl.style
        y = lay.legend_top + idx * _LEGEND_ROW + _LEGEND_ROW / 2
        out.append(f'<g class="legend-item" data-kind="{sl.series.kind}">')
        out.append(
            f'<line x1="{_f(_legend_x(lay, 16))}" y1="{_f(y)}" x2="{_f(_legend_x(lay, 60))}"'
            f' y2="{_f(y)}" stroke="{st.colour}" stroke-width="{_f(st.width)}"{_svg_dash(st)}/>'
        )
        out.append(_marker_svg(st.marker, _legend_x(lay, 38), y, st.colour))
        attrs = _svg_text_attrs(sl.legend, _legend_anchor(lay), lang, explicit=False)
        out.append(
            f'<text x="{_f(_legend_x(lay, 70))}" y="{_f(y + lay.font * 0.35)}"{attrs}>'
            f"{escape(sl.legend)}</text>"
        )
        out.append("</g>")
    out.append("</g></svg>")
    return out


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
    numbered: bool = False,
    links: Sequence[str] | None = None,
) -> str:
    """Render a spider chart as a standalone, accessible SVG document fragment.

    ``axes`` gives the competences in order; each of ``series`` has one value per axis (0–5, or
    ``None`` when not rated, which leaves a gap in the line and a note in the legend). ``size`` is
    the width in pixels; the height follows from the legend. ``id_prefix`` must be unique in the
    page when several charts are inlined.

    ``numbered`` keys the axes by their number (1, 2, …) in round badges instead of their
    names — for a narrow screen, where the page lists the names beside the chart; ``links``
    (one URL per axis, numbered charts only) makes each badge a link to that axis's details.
    """
    if links is not None and (not numbered or len(links) != len(axes)):
        raise ValueError("links need a numbered chart and one URL per axis")
    lay = _layout(axes, series, size=size, lang=lang, heading=heading, numbered=numbered)
    pid = _svg_id(id_prefix)
    group = links is not None
    hidden = ' aria-hidden="true"' if group else ""
    out = _svg_head(lay, pid, title, description, lang, group=group)
    out += _svg_grid(lay, lang, hidden)
    if numbered:  # the keys after the series, so a tap on a point reaches its axis's link
        out += _svg_series(lay, pid, hidden)
        out += _svg_axis_keys(lay, axes, lang, links)
    else:
        out += _svg_axis_labels(lay, axes, lang)
        out += _svg_series(lay, pid)
    out += ["</svg>"] if numbered else _svg_legend(lay, lang)
    return "".join(out)
