"""Why an import was refused, as data: where (:class:`Location`) and what (a lazy message).

Messages are lazy strings (French message ids, ``flask_babel.lazy_gettext``) rendered in the
reader's language when shown; without an app they read in French.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l

MAX_ERRORS = 20


@dataclass(frozen=True)
class Location:
    """Where an import error is, as data: a JSON pointer into a package, a CSV line (and
    column number or name), a byte offset, or a form field. ``str()`` renders it in the current
    language (JSON pointers are the same in every language)."""

    pointer: str | None = None
    line: int | None = None
    column: int | str | None = None
    byte: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        if self.pointer is not None:
            return self.pointer or "/"
        if self.byte is not None:
            return str(_l("octet %(byte)s", byte=self.byte))
        if self.field is not None:
            return str(_l("champ « %(field)s »", field=_FIELD_NAMES.get(self.field, self.field)))
        if self.line is not None and self.column is not None:
            return str(_l("ligne %(line)s, colonne %(column)s", line=self.line,
                          column=self.column))
        if self.line is not None:
            return str(_l("ligne %(line)s", line=self.line))
        return "/"

    def sort_key(self) -> list[Any]:
        if self.pointer is not None:
            return _loc_key(self.pointer)
        return [(2, self.byte or 0, ""), (2, self.line or 0, str(self.column or ""))]


_FIELD_NAMES: dict[str, Any] = {"title": _l("Titre")}


def at(pointer: str) -> Location:
    """The location of a JSON pointer (``/CFItems/3/identifier``)."""
    return Location(pointer=pointer)


def line_at(line: int, column: int | str | None = None) -> Location:
    """The location of a line of a text file, optionally of one column (number or name)."""
    return Location(line=line, column=column)


class ImportProblem(NamedTuple):
    """One reason a file was refused: where, and what (a lazy, translatable message)."""

    location: Location
    message: Any  # flask_babel LazyString: str() renders it in the current language

    def __str__(self) -> str:
        return f"{self.location} : {self.message}"


class CaseImportError(ValueError):
    """A package or CSV file was refused. ``errors`` lists :class:`ImportProblem` tuples
    ``(location, message)``; both render in the current language with ``str()``."""

    def __init__(self, errors: Sequence[tuple[Location, Any]], *,
                 total: int | None = None) -> None:
        self.errors = [ImportProblem(loc, msg) for loc, msg in errors[:MAX_ERRORS]]
        self.total = total if total is not None else len(errors)
        super().__init__(self.total)

    @property
    def more(self) -> int:
        """How many errors are not listed (beyond :data:`MAX_ERRORS`)."""
        return max(0, self.total - len(self.errors))

    def __str__(self) -> str:
        lines = [str(problem) for problem in self.errors]
        if self.more:
            lines.append(str(_l("… et %(n)s autre(s) erreur(s)", n=self.more)))
        head = _l("Import refusé (%(n)s erreur(s)) :", n=self.total)
        return f"{head}\n" + "\n".join(lines)


def _loc_key(loc: str) -> list[Any]:
    """Sort key of a JSON pointer: array indexes numerically, names after them."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in loc.split("/")]


#: The message of a file that is not UTF-8 (either parser).
NOT_UTF8 = _l("le fichier n'est pas en UTF-8")


def too_big(size: int, maximum: int) -> Any:
    """The message of a file over ``maximum`` bytes."""
    return _l("fichier trop volumineux (%(size)s octets, maximum %(max)s)", size=size,
              max=maximum)


