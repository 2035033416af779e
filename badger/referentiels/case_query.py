"""The CASE 1.0 REST binding's collection parameters (``limit``, ``offset``, ``sort``,
``orderBy``, ``filter``, ``fields``) over a list of CASE objects: plain functions, no Flask.

The binding leaves their form to the IMS common REST conventions, which badger follows:
``filter=title~'math' AND language='en'`` — predicates ``field OP 'value'`` with ``=``, ``!=``,
``>``, ``>=``, ``<``, ``<=`` (text comparison) and ``~`` (contains, any case), joined by ``AND``
or by ``OR`` (not both); a quote inside a value is doubled. A list field (``subject``) matches
when one of its values does; ``field.sub`` reads inside an object (``licenseURI.title``).
``fields=identifier,title`` keeps those properties. Refusals carry the ``imsx_codeMinor`` the
binding lists: ``invalid_sort_field`` (sort, orderBy), ``invalid_selection_field`` (filter,
fields, limit, offset — the binding has no other code for a bad selection).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DEFAULT_LIMIT = 100
#: Larger limits are cut to this one (the ``Link`` header gives the next page).
MAX_LIMIT = 1000

_PREDICATE = re.compile(
    r"\s*(?P<field>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)?)\s*"
    r"(?P<op>!=|>=|<=|=|>|<|~)\s*'(?P<value>(?:[^']|'')*)'\s*"
)
_JOIN = re.compile(r"(AND|OR)\s+")


class QueryError(ValueError):
    """A refused parameter: which one, and the binding's ``imsx_codeMinor`` value."""

    def __init__(self, parameter: str, code: str, detail: str) -> None:
        super().__init__(detail)
        self.parameter, self.code, self.detail = parameter, code, detail


@dataclass(frozen=True)
class Predicate:
    field: str
    op: str
    value: str

    def matches(self, obj: dict[str, Any]) -> bool:
        values = _values(obj, self.field)
        if self.op == "!=":
            return all(v != self.value for v in values)
        return any(_compare(v, self.op, self.value) for v in values)


def _values(obj: dict[str, Any], field: str) -> list[str]:
    head, _dot, sub = field.partition(".")
    value = obj.get(head)
    found = value if isinstance(value, list) else [] if value is None else [value]
    if sub:
        found = [v.get(sub) for v in found if isinstance(v, dict) and v.get(sub) is not None]
    return [v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)
            for v in found if not isinstance(v, dict | list)]


def _compare(value: str, op: str, wanted: str) -> bool:
    if op == "~":
        return wanted.casefold() in value.casefold()
    if op == "=":
        return value == wanted
    if op == ">":
        return value > wanted
    if op == ">=":
        return value >= wanted
    if op == "<":
        return value < wanted
    return value <= wanted


def parse_filter(text: str, fields: frozenset[str]) -> tuple[str, list[Predicate]]:
    """``(joiner, predicates)`` of a filter; :class:`QueryError` when malformed or on a field
    the objects do not have."""
    predicates: list[Predicate] = []
    joins: set[str] = set()
    pos = 0
    while True:
        m = _PREDICATE.match(text, pos)
        if m is None:
            raise QueryError("filter", "invalid_selection_field",
                             f"filter not understood at character {pos + 1}")
        field = m["field"]
        if field.partition(".")[0] not in fields:
            raise QueryError("filter", "invalid_selection_field", f"unknown field {field!r}")
        predicates.append(Predicate(field, m["op"], m["value"].replace("''", "'")))
        pos = m.end()
        if pos == len(text):
            break
        j = _JOIN.match(text, pos)
        if j is None:
            raise QueryError("filter", "invalid_selection_field",
                             f"AND or OR expected at character {pos + 1}")
        joins.add(j[1])
        pos = j.end()
    if len(joins) > 1:
        raise QueryError("filter", "invalid_selection_field", "AND and OR cannot be mixed")
    return (joins.pop() if joins else "AND"), predicates


def _int(args: Any, name: str, default: int, minimum: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(name, "invalid_selection_field", f"{name} must be an integer") from None
    if value < minimum:
        raise QueryError(name, "invalid_selection_field", f"{name} must be at least {minimum}")
    return value


@dataclass(frozen=True)
class Page:
    """What one request asks of a collection."""

    limit: int
    offset: int
    sort: str | None
    descending: bool
    joiner: str
    predicates: tuple[Predicate, ...]
    fields: tuple[str, ...]

    @classmethod
    def from_args(cls, args: Any, known: frozenset[str], sortable: frozenset[str]) -> Page:
        """Read the query parameters (a mapping); :class:`QueryError` on any bad one."""
        limit = min(_int(args, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
        offset = _int(args, "offset", 0, 0)
        sort = args.get("sort") or None
        if sort is not None and sort not in sortable:
            raise QueryError("sort", "invalid_sort_field", f"cannot sort on {sort!r}")
        order = args.get("orderBy") or "asc"
        if order not in ("asc", "desc"):
            raise QueryError("orderBy", "invalid_sort_field", "orderBy is asc or desc")
        joiner, predicates = "AND", list[Predicate]()
        if args.get("filter"):
            joiner, predicates = parse_filter(args["filter"], known)
        fields: tuple[str, ...] = ()
        if args.get("fields"):
            fields = tuple(f.strip() for f in args["fields"].split(",") if f.strip())
            unknown = [f for f in fields if f not in known]
            if unknown or not fields:
                raise QueryError("fields", "invalid_selection_field",
                                 f"unknown field {(unknown or [''])[0]!r}")
        return cls(limit, offset, sort, order == "desc", joiner, tuple(predicates), fields)

    def apply(self, objects: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
        """``(total after filtering, this page's objects)``, sorted and with only ``fields``."""
        if self.predicates:
            test = all if self.joiner == "AND" else any
            objects = [o for o in objects if test(p.matches(o) for p in self.predicates)]
        if self.sort is not None:
            field = self.sort
            present = [o for o in objects if _values(o, field)]
            absent = [o for o in objects if not _values(o, field)]
            present.sort(key=lambda o: _values(o, field)[0], reverse=self.descending)
            objects = present + absent  # objects without the field come last either way
        page = objects[self.offset:self.offset + self.limit]
        if self.fields:
            page = [{f: o[f] for f in self.fields if f in o} for o in page]
        return len(objects), page
