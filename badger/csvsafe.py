"""Formula-safe CSV: the one writer every CSV that badger emits goes through.

A spreadsheet opens a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (``=HYPERLINK(…)``, ``=cmd|…``): text typed by one person — a competence
label, a coach's observation — would run in the spreadsheet of whoever opens the export (CSV
injection, OWASP). :func:`writer` prefixes such cells with an apostrophe, which spreadsheets
show as text and do not display. Readers of badger's own CSV files undo it with
:func:`unquote`, so an export re-imports to the same text: a cell that already starts with
apostrophes before one of those characters gets one more, and loses exactly one on reading.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(text: str) -> bool:
    return text.lstrip("'")[:1] in FORMULA_START and text.lstrip("'") != ""


def cell(value: Any) -> str:
    """``value`` as a CSV cell no spreadsheet runs (None: empty; numbers as they are)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    return "'" + value if _needs_quote(value) else value


def unquote(text: str) -> str:
    """The text :func:`cell` was given (for readers of badger's own exports)."""
    return text[1:] if text[:1] == "'" and _needs_quote(text[1:]) else text


class SafeWriter:
    """A ``csv.writer`` whose every cell goes through :func:`cell`."""

    def __init__(self, out: Any, **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: Any, **fmtparams: Any) -> SafeWriter:
    """Like :func:`csv.writer`, formula-safe (every CSV badger writes uses this)."""
    return SafeWriter(out, **fmtparams)
