"""The chart as PNG (Pillow), for credentials, PDF and sharing: the same layout as the SVG,
drawn supersampled; Arabic shaped and laid out right to left when Pillow has libraqm."""

from __future__ import annotations

import functools
import io
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features
from PIL.PngImagePlugin import PngInfo

from badger.grids.charts.layout import (
    _AXIS_COLOUR,
    _GRID_COLOUR,
    _LEGEND_ROW,
    _MARKER,
    _MUTED_TEXT,
    _TEXT_COLOUR,
    SCALE_MAX,
    Axis,
    Series,
    _clean,
    _Label,
    _Layout,
    _layout,
    _legend_anchor,
    _legend_x,
    _runs,
    text_direction,
)

_SS = 2  # supersampling factor for anti-aliasing


_FONT_CANDIDATES = (
    Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSans.ttf",  # badger/grids/fonts
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


def _px(p: tuple[float, float], k: float) -> tuple[float, float]:
    """A layout point in the (supersampled) picture's pixels."""
    return (p[0] * k, p[1] * k)


def _png_grid(draw: ImageDraw.ImageDraw, lay: _Layout, k: float) -> None:
    grid_c, axis_c = _rgb(_GRID_COLOUR), _rgb(_AXIS_COLOUR)
    line1 = max(1, round(k))
    for ring in lay.rings:
        pts = [_px(p, k) for p in ring]
        draw.line([*pts, pts[0]], fill=grid_c, width=line1)
    for end in lay.axis_ends:
        draw.line([_px((lay.cx, lay.cy), k), _px(end, k)], fill=axis_c, width=line1)


def _png_texts(
    img: Image.Image, draw: ImageDraw.ImageDraw, lay: _Layout, k: float, lang: str
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The heading, the level numbers and the axis labels; returns the labels' font."""
    text_c, muted_c = _rgb(_TEXT_COLOUR), _rgb(_MUTED_TEXT)
    if lay.heading:
        heading_font = _font(round(lay.font * 1.25 * k), bold=True)
        xy = _px((lay.cx, lay.heading_y), k)
        _draw_text(draw, xy, lay.heading, heading_font, text_c, "ms", lang)
    level_font = _font(round(lay.font * 0.85 * k))
    for lvl in range(SCALE_MAX + 1):
        y = lay.cy - lay.r * lvl / SCALE_MAX
        xy = _px((lay.cx + 4, y - 3), k)
        draw.text(xy, str(lvl), font=level_font, fill=muted_c, anchor="ls")
    label_font = _font(round(lay.font * k))
    for lab in lay.labels:
        if lab.rotate:
            _rotated_text(img, lab, label_font, text_c, k, lay.lang)
            continue
        for j, line in enumerate(lab.lines):
            xy = _px((lab.x, lab.y + j * lay.line_h), k)
            anchor = _PIL_ANCHOR[lab.anchor]
            _draw_text(draw, xy, line, label_font, text_c, anchor, lang, whole=lab.full)
    return label_font


def _png_series(draw: ImageDraw.ImageDraw, lay: _Layout, k: float) -> None:
    for sl in lay.series:
        st = sl.style
        colour = _rgb(st.colour)
        runs, closed = _runs(sl.points)
        width = max(1, round(st.width * k))
        pattern = [d * k for d in st.dash]
        for run in runs:
            pts = [_px(p, k) for p in run]
            if closed:
                if st.fill_opacity:
                    draw.polygon(pts, fill=(*colour, round(255 * st.fill_opacity)))
                pts = [*pts, pts[0]]
            if len(pts) == 1:
                continue
            _dashed(draw, pts, pattern, colour, width)
        for p in sl.points:
            if p is not None:
                x, y = _px(p, k)
                _marker_png(draw, st.marker, x, y, colour, k)


def _png_legend(
    draw: ImageDraw.ImageDraw,
    lay: _Layout,
    k: float,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    lang: str,
) -> None:
    text_c = _rgb(_TEXT_COLOUR)
    for idx, sl in enumerate(lay.series):
        st = sl.style
        colour = _rgb(st.colour)
        y = lay.legend_top + idx * _LEGEND_ROW + _LEGEND_ROW / 2
        _dashed(
            draw,
            [_px((_legend_x(lay, 16), y), k), _px((_legend_x(lay, 60), y), k)],
            [d * k for d in st.dash],
            colour,
            max(1, round(st.width * k)),
        )
        _marker_png(draw, st.marker, _legend_x(lay, 38) * k, y * k, colour, k)
        xy = _px((_legend_x(lay, 70), y + lay.font * 0.35), k)
        anchor = _PIL_ANCHOR[_legend_anchor(lay)]
        _draw_text(draw, xy, sl.legend, font, text_c, anchor, lang)


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
    """Render the same chart as :func:`~badger.grids.charts.svg.radar_svg` into PNG bytes.

    ``scale`` multiplies the pixel size (2.0 for print). The title and description are stored
    in the PNG's text chunks.
    """
    lay = _layout(axes, series, size=size, lang=lang, heading=heading)
    k = scale * _SS
    out_w, out_h = round(lay.width * scale), round(lay.height * scale)
    img = Image.new("RGB", (out_w * _SS, out_h * _SS), (255, 255, 255))
    draw = ImageDraw.Draw(img, "RGBA")
    _png_grid(draw, lay, k)
    label_font = _png_texts(img, draw, lay, k, lang)
    _png_series(draw, lay, k)
    _png_legend(draw, lay, k, label_font, lang)

    small = img.reduce(_SS)
    info = PngInfo()
    info.add_itxt("Title", _clean(title), lang=lang)
    info.add_itxt("Description", _clean(description), lang=lang)
    buf = io.BytesIO()
    small.save(buf, format="PNG", pnginfo=info, compress_level=3)
    return buf.getvalue()
