"""Spider charts in Arabic: labels shaped (joined letters, with libraqm) and laid out right to
left in the PNG; in the SVG the chart says direction="rtl", keeps each label on its side and
puts the legend at the right. French charts are unchanged (tests/grids snapshots)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, features

from badger.grids.charts import Axis, Series, radar_png, radar_svg
from badger.grids.charts import png as charts

AR_AXES = [Axis("الالتزام بالمواعيد"), Axis("العمل في فريق"), Axis("Assiduité"),
           Axis("التواصل"), Axis("احترام القواعد")]  # fmt: skip
FR_AXES = [Axis("Ponctualité"), Axis("Travail en équipe"), Axis("Assiduité"),
           Axis("Communication"), Axis("Respect des règles")]  # fmt: skip
VALUES = [3, 4, 2, 5, None]


def _series(names: tuple[str, str]) -> list[Series]:
    return [Series(names[0], VALUES, "self"), Series(names[1], [2, 3, 3, 4, 4], "coach")]


def _png(axes, names, lang: str) -> bytes:
    return radar_png(axes, _series(names), title="t", description="d", lang=lang, heading="H")


def test_arabic_png_renders_and_differs_from_the_french_one():
    ar = _png(AR_AXES, ("التقييم الذاتي", "رأي المرافق"), "ar")
    fr = _png(FR_AXES, ("Auto-évaluation", "Regard du coach"), "fr")
    with Image.open(io.BytesIO(ar)) as a, Image.open(io.BytesIO(fr)) as f:
        assert a.format == f.format == "PNG"
        assert a.size[0] == f.size[0]  # same layout width; the drawing differs
        a, f = a.convert("RGB"), f.convert("RGB")
        assert ImageChops.difference(a, f).getbbox() is not None
        # the legend stands at the right in Arabic, at the left in French: look at its band
        w, h = a.size
        band = (0, h - 2 * round(charts._LEGEND_ROW), w, h)

        def ink(img, box):
            return sum(img.crop(box).convert("L").histogram()[:250])  # non-white pixels

        left, right = (0, band[1], w // 3, h), (2 * w // 3, band[1], w, h)
        assert ink(a, right) > ink(a, left)
        assert ink(f, left) > ink(f, right)
    assert ar != fr


@pytest.mark.skipif(not features.check("raqm"), reason="Pillow without libraqm cannot shape")
def test_arabic_is_shaped_and_right_to_left_in_the_png():
    """The chart draws Arabic as libraqm lays it out (letters joined, read from the right):
    not the basic engine's separate letters in typing order."""
    word = "مهارة"
    font = charts._font(48)
    assert charts._text_options(word, "ar") == charts._TextOptions("rtl", "ar")
    assert charts._text_options("Assiduité", "ar") == charts._TextOptions("ltr", "ar")

    def drawn(draw_it) -> bytes:
        img = Image.new("L", (300, 90), 0)
        draw_it(ImageDraw.Draw(img))
        return img.tobytes()

    by_chart = drawn(lambda d: charts._draw_text(d, (150, 65), word, font, 255, "ms", "ar"))
    shaped = drawn(lambda d: d.text((150, 65), word, font=font, fill=255, anchor="ms",
                                    direction="rtl", language="ar"))  # fmt: skip
    basic_font = ImageFont.truetype(font.path, 48, layout_engine=ImageFont.Layout.BASIC)
    unshaped = drawn(lambda d: d.text((150, 65), word, font=basic_font, fill=255, anchor="ms"))
    assert by_chart == shaped
    assert by_chart != unshaped


def test_arabic_font_has_the_glyphs():
    """The chart's font draws Arabic letters, not empty boxes (DejaVu Sans has them)."""
    font = charts._font(40)
    assert isinstance(font, ImageFont.FreeTypeFont)
    boxes = {font.getmask(ch).getbbox() for ch in "مهارة"}
    assert len(boxes) > 1 and None not in boxes
    tofu = font.getmask("\ue000").getbbox()  # a private-use character the font lacks
    assert all(b != tofu for b in boxes)


def test_arabic_svg_is_right_to_left_and_keeps_label_sides():
    ar = radar_svg(AR_AXES, _series(("التقييم الذاتي", "رأي المرافق")), title="t",
                   description="d", lang="ar")  # fmt: skip
    fr = radar_svg(FR_AXES, _series(("Auto-évaluation", "Regard du coach")), title="t",
                   description="d", lang="fr")  # fmt: skip
    assert re.search(r'<svg [^>]*lang="ar" direction="rtl"', ar)
    assert "direction=" not in fr  # French output as before
    width = float(re.search(r'<svg [^>]*width="([\d.]+)"', ar).group(1))

    def label(svg: str, i: int) -> str:
        return re.search(rf'<text class="axis-label" data-axis="{i}"[^>]*>', svg).group(0)

    # axis 1 stands at the right of the chart: its text runs away from the chart, so an
    # Arabic label ends (logical "start" of right-to-left text) at the point...
    assert 'text-anchor="start"' in label(fr, 1)
    assert 'text-anchor="end"' in label(ar, 1) and "direction=" not in label(ar, 1)
    # ...and a French label inside the Arabic chart says it is left to right, anchored as before
    assert 'direction="ltr" text-anchor="start"' in label(ar, 2)
    # the legend is mirrored: sample line then words, from the right
    legend = re.findall(r'<g class="legend-item".*?<text x="([\d.]+)"', ar)
    assert legend and all(float(x) == width - 70 for x in legend)
    assert "محور واحد بدون درجة" in ar  # the chart's own words in Arabic (one axis not rated)
