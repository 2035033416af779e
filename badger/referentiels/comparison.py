"""What changed between two versions of a référentiel (matched by competence code)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from badger.referentiels.models import Competence, ReferentielVersion


@dataclass
class Diff:
    """Differences between two versions, matched by competence code."""

    added: list[Competence] = field(default_factory=list)
    removed: list[Competence] = field(default_factory=list)
    changed: list[tuple[Competence, Competence, list[str]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_json(self) -> dict[str, Any]:
        return {
            "added": [c.code for c in self.added],
            "removed": [c.code for c in self.removed],
            "changed": [{"code": b.code, "fields": f} for _, b, f in self.changed],
        }


def _match_key(c: Competence) -> str:
    return c.code or c.label


def diff(old: ReferentielVersion, new: ReferentielVersion) -> Diff:
    """What changed from ``old`` to ``new``: added, removed and changed competences."""
    out = Diff()
    before = {_match_key(c): c for c in old.competences}
    after = {_match_key(c): c for c in new.competences}
    for k, c in after.items():
        if k not in before:
            out.added.append(c)
    for k, c in before.items():
        if k not in after:
            out.removed.append(c)
            continue
        n = after[k]
        fields = []
        if c.label != n.label:
            fields.append("label")
        if c.description != n.description:
            fields.append("description")
        if (c.category.label if c.category else None) != (n.category.label if n.category else None):
            fields.append("category")
        if c.position != n.position:
            fields.append("position")
        if c.pictogram != n.pictogram:
            fields.append("pictogram")
        if [(lv["score"], lv["quality"], lv["description"]) for lv in c.grid_levels()] != [
            (lv["score"], lv["quality"], lv["description"]) for lv in n.grid_levels()
        ]:
            fields.append("levels")
        if {(lk["kind"], lk["uri"]) for lk in c.links if lk["kind"] != "source"} != {
            (lk["kind"], lk["uri"]) for lk in n.links if lk["kind"] != "source"
        }:
            fields.append("links")
        if _translation_texts(c) != _translation_texts(n):
            fields.append("translations")
        if fields:
            out.changed.append((c, n, fields))
    return out


def _translation_texts(c: Competence) -> dict[str, Any]:
    """A competence's translations without their identifiers (which change every version)."""
    return {
        lang: (t.get("label", ""), t.get("description", ""),
               [(lv.get("score"), lv.get("quality", ""), lv.get("description", ""))
                for lv in t.get("levels") or []])
        for lang, t in (c.translations or {}).items()
    }


def diff_summary(d: Diff) -> str:
    return json.dumps(d.as_json(), ensure_ascii=False)
