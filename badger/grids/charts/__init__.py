"""Spider (radar) charts for co-assessment grids, as SVG and PNG.

Pure code: no Flask, no database. One layout is computed from the axes and series
(:mod:`.layout`) and then drawn twice, by :func:`radar_svg` (inline in pages, no JavaScript
needed) and :func:`radar_png` (Pillow, for credentials, PDF and sharing), so both show the same
picture.

Accessibility: the SVG carries ``role="img"`` with a ``<title>`` and ``<desc>`` referenced by
``aria-labelledby``; series are told apart by dash pattern, marker shape *and* colour; the data are
also given as a table (:func:`chart_table`, :func:`data_table_html`). Output is deterministic (fixed
number formatting, ids derived from ``id_prefix``) so it can be snapshot-tested.
"""

from badger.grids.charts.layout import (
    RADIAL_LABELS_ABOVE,
    RTL_LANGUAGES,
    SCALE_MAX,
    STYLES,
    Axis,
    Series,
    SeriesKind,
    SeriesStyle,
    strings,
    text_direction,
)
from badger.grids.charts.png import radar_png
from badger.grids.charts.svg import radar_svg
from badger.grids.charts.table import ChartTable, chart_table, data_table_html, format_score

__all__ = [
    "RADIAL_LABELS_ABOVE",
    "RTL_LANGUAGES",
    "SCALE_MAX",
    "STYLES",
    "Axis",
    "ChartTable",
    "Series",
    "SeriesKind",
    "SeriesStyle",
    "chart_table",
    "data_table_html",
    "format_score",
    "radar_png",
    "radar_svg",
    "strings",
    "text_direction",
]
