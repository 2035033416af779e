"""The chart's data as a table: the accessible alternative to the picture."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from badger.grids.charts.layout import (
    Axis,
    Series,
    _clean,
    _to_value,
    strings,
)


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
