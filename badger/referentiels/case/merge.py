"""Serving an imported package back without loss, and telling two packages apart.

:func:`merge` is a three-way merge per CASE object identifier: the package as imported
(``source``), badger's writing of the version right after the import (``baseline``) and badger's
writing now (``current``). What badger did not change since the import is served exactly as the
publisher wrote it; what was edited in badger (a label, the order, a new competence, a removed
one) comes from ``current``. An unedited version is served as its source, byte for byte modulo
the listed normalisations (:mod:`.source`).

:func:`diff` lists the differences between two packages as JSON pointers, objects matched by
identifier (``badger referentiel diff``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from badger.referentiels.case.source import DEFINITIONS

_ARRAYS = ("CFItems", "CFAssociations", "CFRubrics")
_NESTED = {"CFRubrics": "CFRubricCriteria", "CFRubricCriteria": "CFRubricCriterionLevels"}


def _ident(o: Any) -> str | None:
    if isinstance(o, dict) and isinstance(o.get("identifier"), str):
        return str(o["identifier"]).lower()
    return None


def _by_id(arr: Any) -> dict[str, Any]:
    return {i: o for o in (arr if isinstance(arr, list) else []) if (i := _ident(o))}


def _merge_object(src: dict[str, Any], base: dict[str, Any], cur: dict[str, Any],
                  kind: str = "") -> dict[str, Any]:
    """``src`` with every field badger changed between ``base`` and ``cur``."""
    out = dict(src)
    nested = _NESTED.get(kind)
    for key in base.keys() | cur.keys():
        if key == nested:
            out[key] = _merge_list(src.get(key, []), base.get(key, []), cur.get(key, []), key)
        elif base.get(key) != cur.get(key):
            if key in cur:
                out[key] = copy.deepcopy(cur[key])
            else:
                out.pop(key, None)
    return out


def _merge_list(src: list[Any], base: list[Any], cur: list[Any], kind: str) -> list[Any]:
    b, c = _by_id(base), _by_id(cur)
    src_ids = set()
    out = []
    for o in src:
        i = _ident(o)
        src_ids.add(i)
        if i is None or i not in b:
            out.append(o)  # badger never represented it: kept as published
        elif i in c:
            out.append(_merge_object(o, b[i], c[i], kind))
        # else: removed in badger
    out += [copy.deepcopy(o) for i, o in c.items() if i not in b and i not in src_ids]
    return out


def merge(source: dict[str, Any], baseline: dict[str, Any],
          current: dict[str, Any]) -> dict[str, Any]:
    """The package to serve (module docstring). Definitions that a new or edited object
    names and the source lacks (badger's item types, groupings) are added from ``current``."""
    if baseline == current:
        return copy.deepcopy(source)
    out = copy.deepcopy(source)
    out["CFDocument"] = _merge_object(source["CFDocument"], baseline["CFDocument"],
                                      current["CFDocument"])
    for key in _ARRAYS:
        out[key] = _merge_list(source.get(key, []), baseline.get(key, []),
                               current.get(key, []), key)
    defs = out.setdefault("CFDefinitions", {})
    for key in DEFINITIONS:
        defs[key] = _merge_list(source["CFDefinitions"].get(key, []),
                                baseline["CFDefinitions"].get(key, []),
                                current["CFDefinitions"].get(key, []), key)
    _drop_links_to_removed(out, set(_by_id(baseline["CFItems"])) - set(_by_id(current["CFItems"])))
    _add_named_definitions(out, current)
    return out


def _node(link: Any) -> str:
    return str(link.get("identifier", "")).lower() if isinstance(link, dict) else ""


def _drop_links_to_removed(out: dict[str, Any], removed: set[str]) -> None:
    """An item deleted in badger takes the publisher's associations and criteria naming it
    along (else they would point at nothing)."""
    if not removed:
        return
    out["CFAssociations"] = [
        a for a in out["CFAssociations"]
        if not ({_node(a.get("originNodeURI")), _node(a.get("destinationNodeURI"))} & removed)
    ]
    for r in out["CFRubrics"]:
        if isinstance(r.get("CFRubricCriteria"), list):
            r["CFRubricCriteria"] = [c for c in r["CFRubricCriteria"]
                                     if _node(c.get("CFItemURI")) not in removed]


def _add_named_definitions(out: dict[str, Any], current: dict[str, Any]) -> None:
    named: set[str] = set()
    for it in out["CFItems"]:
        for key in ("CFItemTypeURI", "licenseURI"):
            if isinstance(it.get(key), dict):
                named.add(str(it[key].get("identifier", "")).lower())
    for a in out["CFAssociations"]:
        if isinstance(a.get("CFAssociationGroupingURI"), dict):
            named.add(str(a["CFAssociationGroupingURI"].get("identifier", "")).lower())
    for key in DEFINITIONS:
        have = set(_by_id(out["CFDefinitions"][key]))
        out["CFDefinitions"][key] += [
            copy.deepcopy(d) for i, d in _by_id(current["CFDefinitions"].get(key, [])).items()
            if i in named and i not in have
        ]


def rebase(value: Any, old: str, new: str) -> Any:
    """``value`` with every string starting with ``old`` (badger's canonical host) moved to
    ``new`` — only badger's own URLs start with the canonical host."""
    if old == new:
        return value
    if isinstance(value, str):
        return new + value[len(old):] if value.startswith(old) else value
    if isinstance(value, list):
        return [rebase(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: rebase(v, old, new) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Difference:
    """One difference between two packages: where, and the two values (``MISSING`` when a
    side lacks it)."""

    pointer: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.pointer or '/'} : {_short(self.before)} → {_short(self.after)}"


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


MISSING: Any = _Missing()


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 120 else text[:117] + "…"


def diff(a: Any, b: Any, pointer: str = "") -> list[Difference]:
    """Every difference between ``a`` and ``b``; arrays of identified objects are compared by
    identifier (an order change is one difference at the array)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[Difference] = []
        for k in list(a) + [k for k in b if k not in a]:
            p = f"{pointer}/{k}"
            if k not in b:
                out.append(Difference(p, a[k], MISSING))
            elif k not in a:
                out.append(Difference(p, MISSING, b[k]))
            else:
                out += diff(a[k], b[k], p)
        return out
    if isinstance(a, list) and isinstance(b, list):
        return _diff_list(a, b, pointer)
    if a != b or type(a) is not type(b):
        return [Difference(pointer, a, b)]
    return []


def _diff_list(a: list[Any], b: list[Any], pointer: str) -> list[Difference]:
    ia, ib = [_ident(o) for o in a], [_ident(o) for o in b]
    if not a or not b or None in ia or None in ib:
        if len(a) != len(b):
            return [Difference(pointer, a, b)] if a != b else []
        out: list[Difference] = []
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            out += diff(x, y, f"{pointer}/{n}")
        return out
    bmap = {i: (n, o) for n, (i, o) in enumerate(zip(ib, b, strict=True))}
    out = []
    for n, (i, o) in enumerate(zip(ia, a, strict=True)):
        if i not in bmap:
            out.append(Difference(f"{pointer}/{n}", o, MISSING))
        else:
            out += diff(o, bmap[i][1], f"{pointer}/{n}")
    seen = set(ia)
    out += [Difference(f"{pointer}/-", MISSING, o) for i, o in zip(ib, b, strict=True)
            if i not in seen]
    common_a = list(dict.fromkeys(i for i in ia if i in bmap))  # merged duplicates once
    common_b = [i for i in ib if i in seen]
    if common_a != common_b:
        out.append(Difference(pointer, "ordre des objets", "autre ordre"))
    return out
