"""Write a :class:`~.model.Framework` as a CASE 1.0 CFPackage (valid against the strict IMS
schema) or as the CSV layout :func:`~.import_csv.parse_csv` reads.

The package is compared byte for byte (content hashes, ETags, shipped files): every object's
keys are written in a fixed order, and identifiers that were missing are generated from stable
parts (UUIDv5) and written back into the framework, as CASE readers expect the same ones.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from badger import csvsafe
from badger.referentiels.case.model import (
    CSV_BASE_COLUMNS,
    GROUPINGS,
    ITEM_TYPES,
    TRANSLATION_TYPE,
    Criterion,
    Framework,
    Item,
    LevelText,
    Rubric,
    Translation,
    grouping_id,
    now_iso,
    stable_id,
)
from badger.urls import case_url

#: When badger's item types and groupings were defined (they never change).
_DEFINITIONS_DATE = "2026-01-01T00:00:00+00:00"


def to_package(fw: Framework, *, base_url: str | None = None) -> dict[str, Any]:
    """Return ``fw`` as a CASE 1.0 CFPackage (valid against the strict IMS schema)."""
    writer = _PackageWriter(fw, (base_url or fw.base_url).rstrip("/"))
    doc, licenses = writer.document()
    items_out, assocs = writer.items()
    rubrics_out = [writer.rubric(r_i, r) for r_i, r in enumerate(fw.rubrics)]
    return {
        "CFDocument": doc,
        "CFItems": items_out,
        "CFAssociations": assocs,
        "CFDefinitions": {
            "CFConcepts": [],
            "CFSubjects": [],
            "CFLicenses": licenses,
            "CFItemTypes": writer.item_types(),
            "CFAssociationGroupings": writer.groupings(),
        },
        "CFRubrics": rubrics_out,
    }


@dataclass
class _PackageWriter:
    """One package being written: the URLs' base, and what the definitions must list."""

    fw: Framework
    base: str
    used_groupings: set[str] = field(default_factory=set)
    used_types: set[str] = field(default_factory=set)
    #: translations in the order they are written: (item, language, translation)
    translations: list[tuple[Item, str, Translation]] = field(default_factory=list)
    #: association identifiers written so far
    assoc_ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.ts = self.fw.last_change or now_iso()
        self.by_id = {it.identifier: it for it in self.fw.items}
        self.reading_order: dict[str, int] = {}

    def url(self, kind: str, ident: str) -> str:
        return case_url(kind, ident, self.base)

    def link(self, kind: str, ident: str, title: str) -> dict[str, str]:
        return {"title": title, "identifier": ident, "uri": self.url(kind, ident)}

    # ----------------------------------------------------------------- document

    def document(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The CFDocument and the CFLicenses it names (none or one)."""
        fw = self.fw
        doc: dict[str, Any] = {
            "identifier": fw.identifier,
            "uri": self.url("CFDocuments", fw.identifier),
            "creator": fw.creator,
            "title": fw.title,
            "lastChangeDateTime": self.ts,
        }
        if fw.official_source_url:
            doc["officialSourceURL"] = fw.official_source_url
        if fw.publisher:
            doc["publisher"] = fw.publisher
        if fw.description:
            doc["description"] = fw.description
        if fw.subject:
            doc["subject"] = list(fw.subject)
        if fw.language:  # unknown stays unknown
            doc["language"] = fw.language
        if fw.version:
            doc["version"] = fw.version
        if fw.adoption_status:
            doc["adoptionStatus"] = fw.adoption_status
        licenses = []
        if fw.license:
            lid = fw.license.identifier or stable_id("license", fw.license.uri)
            doc["licenseURI"] = {"title": fw.license.title, "identifier": lid,
                                 "uri": fw.license.uri}
            licenses.append({
                "identifier": lid,
                "uri": self.url("CFLicenses", lid),
                "title": fw.license.title,
                "licenseText": fw.license.text or fw.license.title,
                "lastChangeDateTime": self.ts,
            })
        if fw.notes:
            doc["notes"] = fw.notes
        return doc, licenses

    # ----------------------------------------------------------------- associations

    def assoc(
        self,
        origin: Item | Translation,
        origin_label: str,
        atype: str,
        dest: dict[str, str],
        *,
        seq: int | None = None,
        grouping: str | None = None,
        when: str,
    ) -> dict[str, Any]:
        """A CFAssociation from ``origin`` (its identifier read back from the package it came
        from, else stable)."""
        key = (origin.identifier, atype, dest["identifier"])
        aid = self.fw.association_ids.get(key) or stable_id(*key)
        n = 1
        while aid in self.assoc_ids:  # two associations never share one identifier
            n += 1
            aid = stable_id(*key, str(n))
        self.assoc_ids.add(aid)
        a: dict[str, Any] = {
            "identifier": aid,
            "associationType": atype,
            "uri": self.url("CFAssociations", aid),
            "originNodeURI": self.link("CFItems", origin.identifier, origin_label),
            "destinationNodeURI": dest,
            "lastChangeDateTime": when,
        }
        if seq is not None:
            a["sequenceNumber"] = seq
        if grouping:
            self.used_groupings.add(grouping)
            a["CFAssociationGroupingURI"] = self.link(
                "CFAssociationGroupings", grouping_id(grouping), GROUPINGS[grouping]
            )
        return a

    def item_associations(self, it: Item, when: str) -> list[dict[str, Any]]:
        """The item's place (isChildOf), its recruiter words and its pictogram."""
        parent = (
            self.link("CFDocuments", self.fw.identifier, self.fw.title)
            if it.parent is None
            else self.link("CFItems", it.parent, self.by_id[it.parent].label)
        )
        out = [self.assoc(it, it.label, "isChildOf", parent, seq=it.position or None, when=when)]
        for lk in it.links:
            dest = {"title": lk.label or lk.code or lk.uri, "identifier": lk.code or lk.uri,
                    "uri": lk.uri}
            out.append(self.assoc(
                it, it.label, "exactMatchOf" if lk.exact else "isRelatedTo", dest,
                grouping=lk.kind if lk.kind in GROUPINGS else "other", when=when,
            ))
        if it.pictogram:
            dest = {"title": it.pictogram, "identifier": it.pictogram,
                    "uri": pictogram_uri(self.base, it.pictogram)}
            out.append(self.assoc(it, it.label, "isRelatedTo", dest, grouping="pictogram",
                                  when=when))
        return out

    # ----------------------------------------------------------------- items

    def items(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """CFItems and CFAssociations: items in reading order, then their translations."""
        fw = self.fw
        items_out: list[dict[str, Any]] = []
        assocs: list[dict[str, Any]] = []
        ordered = fw.ordered_items()
        self.reading_order = {it.identifier: n for n, it in enumerate(ordered)}
        ordered_ids = {it.identifier for it in ordered}
        ordered += [it for it in fw.items if it.identifier not in ordered_ids]  # orphans (none)
        for it in ordered:
            when = it.last_change or self.ts
            items_out.append(self.item(it, when))
            assocs += self.item_associations(it, when)
            for lang in sorted(it.translations):
                tr = it.translations[lang]
                if not tr.identifier:
                    tr.identifier = stable_id(it.identifier, "translation", lang)
                self.translations.append((it, lang, tr))
        for it, lang, tr in self.translations:
            when = it.last_change or self.ts
            items_out.append(self.translation_item(it, lang, tr, when))
            assocs.append(self.assoc(
                tr, tr.label, "isRelatedTo", self.link("CFItems", it.identifier, it.label),
                grouping="translation", when=when,
            ))
        return items_out, assocs

    def item(self, it: Item, when: str) -> dict[str, Any]:
        self.used_types.add(it.kind)
        d: dict[str, Any] = {
            "identifier": it.identifier,
            "fullStatement": it.full_statement,
            "CFItemType": ITEM_TYPES[it.kind],
            "uri": self.url("CFItems", it.identifier),
        }
        if it.code:
            d["humanCodingScheme"] = it.code
        if it.position:
            d["listEnumeration"] = str(it.position)
        d["abbreviatedStatement"] = it.label
        if it.notes:
            d["notes"] = it.notes
        if it.language:
            d["language"] = it.language
        type_id = stable_id("itemtype", it.kind)
        d["CFItemTypeURI"] = self.link("CFItemTypes", type_id, ITEM_TYPES[it.kind])
        d["lastChangeDateTime"] = when
        return d

    def translation_item(self, it: Item, lang: str, tr: Translation, when: str) -> dict[str, Any]:
        """The extra CFItem holding ``it`` in ``lang`` (CFItemType ``Traduction``)."""
        self.used_types.add("translation")
        d: dict[str, Any] = {
            "identifier": tr.identifier,
            "fullStatement": tr.description or tr.label,
            "CFItemType": TRANSLATION_TYPE,
            "uri": self.url("CFItems", tr.identifier),
        }
        if it.code:
            d["humanCodingScheme"] = f"{it.code}@{lang}"
        d["abbreviatedStatement"] = tr.label
        d["language"] = lang
        d["CFItemTypeURI"] = self.link(
            "CFItemTypes", stable_id("itemtype", "translation"), TRANSLATION_TYPE
        )
        d["lastChangeDateTime"] = when
        return d

    # ----------------------------------------------------------------- rubrics

    def rubric(self, r_i: int, r: Rubric) -> dict[str, Any]:
        """A CFRubric; the first one also carries the translations' level texts."""
        rts = r.last_change or self.ts
        sources: list[tuple[str, str, Criterion]] = [
            (c.item, self.by_id[c.item].label, c)
            for c in sorted(r.criteria, key=lambda c: self.reading_order.get(c.item, 0))
        ]
        if r_i == 0:
            sources += [
                (tr.identifier, tr.label, Criterion(
                    item=tr.identifier, levels=tr.levels,
                    identifier=stable_id(r.identifier, "criterion", it.code, lang),
                ))
                for it, lang, tr in self.translations
                if tr.levels
            ]
        crit_out = [self.criterion(r, rts, pos, target, label, c)
                    for pos, (target, label, c) in enumerate(sources, 1)]
        rd: dict[str, Any] = {
            "identifier": r.identifier,
            "uri": self.url("CFRubrics", r.identifier),
            "title": r.title,
        }
        if r.description:
            rd["description"] = r.description
        rd["lastChangeDateTime"] = rts
        rd["CFRubricCriteria"] = crit_out
        return rd

    def criterion(self, r: Rubric, rts: str, pos: int, target: str, label: str,
                  c: Criterion) -> dict[str, Any]:
        cid = c.identifier or stable_id(r.identifier, "criterion", target)
        c.identifier = cid
        levels_out = [self.level(cid, rts, l_pos, lv) for l_pos, lv in enumerate(c.levels)]
        cd: dict[str, Any] = {
            "identifier": cid,
            "uri": self.url("CFRubricCriteria", cid),
            "category": label,
        }
        if c.description:
            cd["description"] = c.description
        cd["CFItemURI"] = self.link("CFItems", target, label)
        if c.weight is not None:
            cd["weight"] = c.weight
        cd["position"] = pos
        cd["rubricId"] = r.identifier
        cd["lastChangeDateTime"] = rts
        cd["CFRubricCriterionLevels"] = levels_out
        return cd

    def level(self, cid: str, rts: str, l_pos: int, lv: LevelText) -> dict[str, Any]:
        lid = lv.identifier or stable_id(cid, "level", _fmt_score(lv.score))
        lv.identifier = lid
        ld: dict[str, Any] = {
            "identifier": lid,
            "uri": self.url("CFRubricCriterionLevels", lid),
        }
        if lv.description:
            ld["description"] = lv.description
        ld["quality"] = lv.quality
        ld["score"] = lv.score
        ld["position"] = l_pos
        ld["rubricCriterionId"] = cid
        ld["lastChangeDateTime"] = rts
        return ld

    # ----------------------------------------------------------------- definitions

    def item_types(self) -> list[dict[str, Any]]:
        return [
            {
                "identifier": stable_id("itemtype", kind),
                "uri": self.url("CFItemTypes", stable_id("itemtype", kind)),
                "title": ITEM_TYPES[kind],
                "description": _ITEM_TYPE_DESCRIPTIONS[kind],
                "hierarchyCode": str(i),
                "typeCode": kind,
                "lastChangeDateTime": _DEFINITIONS_DATE,
            }
            for i, kind in enumerate(ITEM_TYPES, 1)
            if kind in self.used_types
        ]

    def groupings(self) -> list[dict[str, Any]]:
        return [
            {
                "identifier": grouping_id(kind),
                "uri": self.url("CFAssociationGroupings", grouping_id(kind)),
                "title": title,
                "description": f"badger:{kind}",
                "lastChangeDateTime": _DEFINITIONS_DATE,
            }
            for kind, title in GROUPINGS.items()
            if kind in self.used_groupings
        ]


_ITEM_TYPE_DESCRIPTIONS = {
    "category": "Regroupement de compétences (domaine, pôle, axe)",
    "competence": "Compétence évaluable",
    "translation": "Traduction d'un élément (langue dans le champ language)",
}


def pictogram_uri(base_url: str, name: str) -> str:
    """Public URL of a pictogram: shipped SVG, or an uploaded PNG (``upload-…`` names)."""
    if name.startswith("upload-"):
        return f"{base_url.rstrip('/')}/referentiels/pictograms/{name}.png"
    return f"{base_url.rstrip('/')}/static/pictograms/{name}.svg"


def _fmt_score(score: float) -> str:
    return str(int(score)) if float(score).is_integer() else str(score)


def dumps(pkg: dict[str, Any]) -> str:
    """Serialise a package deterministically (UTF-8, 2-space indent, trailing newline)."""
    return json.dumps(pkg, ensure_ascii=False, indent=2) + "\n"


def to_csv(fw: Framework, *, delimiter: str = ";") -> str:
    """Write the competences of ``fw`` in the CSV layout :func:`parse_csv` reads."""
    rubric = fw.rubrics[0] if fw.rubrics else None
    scores = [_fmt_score(s) for s in rubric.scores] if rubric else []
    langs = sorted({lang for it in fw.competences for lang in it.translations})
    header = [*CSV_BASE_COLUMNS, *(f"level_{s}" for s in scores), "esco_uri", "rome_code",
              "pictogram"]
    for lang in langs:
        header += [f"label_{lang}", f"description_{lang}"]
    out = io.StringIO()
    w = csvsafe.writer(out, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    for it in fw.ordered_items():
        if it.kind != "competence":
            continue
        cat = fw.item(it.parent).label if it.parent else ""
        crit = rubric.criterion_for(it.identifier) if rubric else None
        by_score = (
            {_fmt_score(lv.score): lv.description or lv.quality for lv in crit.levels}
            if crit else {}
        )
        esco = next((lk.uri for lk in it.links if lk.kind == "esco"), "")
        rome = next((lk.code for lk in it.links if lk.kind == "rome"), "")
        row = [cat, it.code, it.label, it.description, *(by_score.get(s, "") for s in scores),
               esco, rome, it.pictogram or ""]
        for lang in langs:
            tr = it.translations.get(lang)
            row += [tr.label if tr else "", tr.description if tr else ""]
        w.writerow(row)
    return out.getvalue()


