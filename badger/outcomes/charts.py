"""Bar charts as SVG for the statistics pages and the printed report: ``role="img"`` with a
``<title>`` and ``<desc>`` (``aria-labelledby``); every figure is also in a data table beside it.
Hidden figures are drawn as no bar and say "masqué" (hidden) in the label."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

ROW = 26
LABEL_W = 230
BAR_W = 300


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the figure as written beside the bar
    series: int = 0  # 0 or 1: two series are told apart by fill pattern as well as colour


def bar_chart(ident: str, title: str, description: str, bars: Sequence[Bar],
              maximum: float) -> Markup:
    """Horizontal bars, one per row, scaled to ``maximum``."""
    height = ROW * len(bars) + 10
    width = LABEL_W + BAR_W + 90
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="outcome-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = 5 + i * ROW
        out.append(f'<text x="{LABEL_W - 6}" y="{y + 17}" text-anchor="end" '
                   f'class="label">{escape(bar.label)}</text>')
        length = 0.0 if bar.value is None or maximum <= 0 else BAR_W * bar.value / maximum
        if length > 0:
            out.append(f'<rect x="{LABEL_W}" y="{y + 4}" width="{length:.1f}" height="18" '
                       f'class="bar s{bar.series}"/>')
        shown = bar.text if bar.value is not None else _("masqué")
        out.append(f'<text x="{LABEL_W + length + 6:.1f}" y="{y + 17}" '
                   f'class="value">{escape(shown)}</text>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above went through escape()
