"""Read a CASE 1.0 CFPackage into a :class:`~.model.Framework`, refusing it whole on any error.

Where the things CASE 1.0 has no field for come from (see the package docstring): recruiter
words, pictograms, translations and derivation links are associations in badger's groupings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from badger.ob3 import safejson
from badger.referentiels.case.errors import (
    NOT_UTF8,
    CaseImportError,
    Location,
    at,
    line_at,
    too_big,
)
from badger.referentiels.case.model import (
    CATEGORY_TYPE,
    GROUPINGS,
    LINK_KINDS,
    MAX_BYTES,
    Criterion,
    ExternalLink,
    Framework,
    Item,
    LevelText,
    License,
    Rubric,
    Translation,
    grouping_id,
    slugify,
)
from badger.referentiels.case.schema import schema_errors
from badger.urls import CASE_PATH


def parse_package(
    data: bytes | str, *, max_bytes: int = MAX_BYTES, strict: bool = True
) -> Framework:
    """Parse and check a CASE 1.0 CFPackage; raise :class:`CaseImportError` listing the errors.

    Checks, in order: size, JSON syntax, the CASE schema (strict IMS by default, the looser
    OpenSALT one with ``strict=False``), then domain rules: duplicate identifiers and codes,
    dangling references, ``isChildOf`` cycles. Nothing is returned unless everything passes.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise CaseImportError([(at("/"), too_big(len(raw), max_bytes))])
    try:
        obj = safejson.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise CaseImportError([(Location(byte=exc.start), NOT_UTF8)]) from exc
    except json.JSONDecodeError as exc:
        raise CaseImportError(
            [(line_at(exc.lineno, exc.colno), _l("JSON invalide : %(detail)s", detail=exc.msg))]
        ) from exc
    errs = schema_errors(obj, strict=strict)
    if errs:
        raise CaseImportError(errs)
    return _from_package(obj)


def _lower(identifier: str) -> str:
    return identifier.strip().lower()


def _from_package(pkg: dict[str, Any]) -> Framework:
    """Build the framework of a schema-valid package, checking badger's rules on the way."""
    reader = _PackageReader(pkg)
    reader.read_items()
    reader.read_associations()
    reader.check_cycles()
    reader.build_items()
    reader.attach_translations()
    reader.read_rubrics()
    if reader.errors:
        raise CaseImportError(sorted(reader.errors, key=lambda e: e[0].sort_key()))
    return reader.fw


def _license(pkg: dict[str, Any], doc: dict[str, Any]) -> License | None:
    """The document's CFLicense, with its text when CFDefinitions holds it."""
    if not doc.get("licenseURI"):
        return None
    lu = doc["licenseURI"]
    text = ""
    defs_lic = pkg.get("CFDefinitions")
    for d in defs_lic.get("CFLicenses", []) if isinstance(defs_lic, dict) else []:
        if _lower(d["identifier"]) == _lower(lu["identifier"]):
            text = d.get("licenseText", "")
    return License(lu["title"], lu["uri"], text, _lower(lu["identifier"]))


def _document(pkg: dict[str, Any]) -> Framework:
    """The framework of the CFDocument, without items nor rubrics yet."""
    doc = pkg["CFDocument"]
    return Framework(
        identifier=_lower(doc["identifier"]),
        title=doc["title"],
        creator=doc["creator"],
        key=slugify(doc["title"]),
        version=doc.get("version", "1"),
        language=doc.get("language", "fr"),
        publisher=doc.get("publisher", ""),
        description=doc.get("description", ""),
        notes=doc.get("notes", ""),
        official_source_url=doc.get("officialSourceURL", ""),
        adoption_status=doc.get("adoptionStatus", ""),
        subject=list(doc.get("subject", []) or []),
        license=_license(pkg, doc),
        last_change=doc["lastChangeDateTime"],
        base_url=_base_from_uri(doc["uri"]),
    )


def _groupings(pkg: dict[str, Any]) -> dict[str, str]:
    """Association grouping identifier -> badger's kind (``other`` when not one of badger's)."""
    groupings: dict[str, str] = {}
    defs = pkg.get("CFDefinitions")
    if isinstance(defs, dict):
        for g in defs.get("CFAssociationGroupings", []):
            groupings[_lower(g["identifier"])] = _grouping_kind(g)
    return groupings


@dataclass
class _PackageReader:
    """The state of one package read: each step adds to the framework or to ``errors``, in
    the order the package is written (errors are sorted by location at the end, stably)."""

    pkg: dict[str, Any]
    errors: list[tuple[Location, Any]] = field(default_factory=list)
    #: identifier -> JSON pointer of its first use (identifiers are unique in a package)
    seen_ids: dict[str, str] = field(default_factory=dict)
    raw_items: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    #: child -> (parent, sequence number, association index)
    parent_of: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    #: translation item -> translated item
    translation_of: dict[str, str] = field(default_factory=dict)
    pictos: dict[str, str] = field(default_factory=dict)
    links: dict[str, list[ExternalLink]] = field(default_factory=dict)
    by_id: dict[str, Item] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.fw = _document(self.pkg)
        self.doc_id = self.fw.identifier
        self.groupings = _groupings(self.pkg)
        self.seen_ids[self.doc_id] = "/CFDocument/identifier"

    def error(self, pointer: str, message: Any) -> None:
        self.errors.append((at(pointer), message))

    def claim(self, identifier: str, loc: str) -> None:
        if identifier in self.seen_ids:
            self.error(loc, _l("identifiant en double (déjà utilisé en %(where)s)",
                               where=self.seen_ids[identifier]))
        else:
            self.seen_ids[identifier] = loc

    def read_items(self) -> None:
        for i, it in enumerate(self.pkg.get("CFItems", [])):
            iid = _lower(it["identifier"])
            self.claim(iid, f"/CFItems/{i}/identifier")
            self.raw_items[iid] = (i, it)

    # ----------------------------------------------------------------- associations

    def read_associations(self) -> None:
        """Classify the associations (hierarchy, translations, pictograms, links) before the
        items are built."""
        for i, a in enumerate(self.pkg.get("CFAssociations", [])):
            self._association(i, a)

    def _grouping_of(self, a: dict[str, Any], loc: str) -> str:
        if not a.get("CFAssociationGroupingURI"):
            return ""
        gid = _lower(a["CFAssociationGroupingURI"]["identifier"])
        if gid not in self.groupings:
            self.error(loc + "/CFAssociationGroupingURI",
                       _l("regroupement absent de CFDefinitions"))
        return self.groupings.get(gid, "other")

    def _association(self, i: int, a: dict[str, Any]) -> None:
        loc = f"/CFAssociations/{i}"
        self.claim(_lower(a["identifier"]), loc + "/identifier")
        origin = _lower(a["originNodeURI"]["identifier"])
        dest = a["destinationNodeURI"]
        dest_id = dest["identifier"].strip()
        atype = a["associationType"]
        gkind = self._grouping_of(a, loc)
        if origin == self.doc_id or gkind == "crosswalk":
            # document-level association, or badger's crosswalk (served beside the version by
            # badger.referentiels.crosswalks, not part of it): kept out of the model
            return
        if origin not in self.raw_items:
            self.error(loc + "/originNodeURI", _l("élément d'origine inconnu %(id)s", id=origin))
            return
        key = (origin, atype, _lower(dest_id) if is_uuid(dest_id) else dest_id)
        self.fw.association_ids[key] = _lower(a["identifier"])
        if atype == "isChildOf":
            self._child_of(i, a, origin, _lower(dest_id))
        elif gkind == "translation":
            if _lower(dest_id) not in self.raw_items:
                self.error(loc + "/destinationNodeURI",
                           _l("élément traduit inconnu %(id)s", id=dest_id))
                return
            self.translation_of[origin] = _lower(dest_id)
        elif gkind == "pictogram":
            self.pictos[origin] = dest_id
        elif atype in ("exactMatchOf", "isRelatedTo"):
            kind = gkind if gkind in LINK_KINDS else _guess_kind(dest["uri"])
            self.links.setdefault(origin, []).append(
                ExternalLink(kind=kind, uri=dest["uri"], code=dest_id,
                             label=dest.get("title", ""), exact=atype == "exactMatchOf")
            )

    def _child_of(self, i: int, a: dict[str, Any], origin: str, target: str) -> None:
        loc = f"/CFAssociations/{i}"
        if target != self.doc_id and target not in self.raw_items:
            self.error(loc + "/destinationNodeURI", _l("parent inconnu %(id)s", id=target))
            return
        if origin in self.parent_of:
            self.error(loc, _l("l'élément a déjà un parent (isChildOf en double)"))
            return
        self.parent_of[origin] = (target, int(a.get("sequenceNumber") or 0), i)

    def check_cycles(self) -> None:
        """Refuse ``isChildOf`` cycles (each reported once per item on it)."""
        parent_of = self.parent_of
        for start in parent_of:
            node, steps = start, 0
            while node in parent_of and steps <= len(parent_of):
                node = parent_of[node][0]
                steps += 1
                if node == start:
                    self.error(f"/CFAssociations/{parent_of[start][2]}",
                               _l("cycle isChildOf via %(id)s", id=start))
                    break

    # ----------------------------------------------------------------- items

    def build_items(self) -> None:
        """Turn every item that is not a translation into a category or a competence."""
        has_children = {p for p, _, _ in self.parent_of.values()}
        codes: dict[str, str] = {}
        for iid, (i, it) in self.raw_items.items():
            if iid in self.translation_of:
                continue
            ctype = it.get("CFItemType", "")
            kind = "category" if (ctype == CATEGORY_TYPE or iid in has_children) else "competence"
            code = it.get("humanCodingScheme", "").strip()
            if code:
                if code in codes:
                    self.error(f"/CFItems/{i}/humanCodingScheme",
                               _l("code en double « %(code)s » (%(where)s)", code=code,
                                  where=codes[code]))
                else:
                    codes[code] = f"/CFItems/{i}"
            self.fw.items.append(self._item(iid, it, kind, code))
        self.by_id = {it.identifier: it for it in self.fw.items}

    def _item(self, iid: str, it: dict[str, Any], kind: str, code: str) -> Item:
        label = it.get("abbreviatedStatement") or it["fullStatement"]
        full = it["fullStatement"]
        parent = self.parent_of.get(iid)
        return Item(
            identifier=iid,
            code=code,
            label=label,
            description="" if full == label else full,
            kind=kind,
            parent=None if parent is None or parent[0] == self.doc_id else parent[0],
            position=parent[1] if parent else 0,
            pictogram=self.pictos.get(iid),
            notes=it.get("notes", ""),
            language=it.get("language", self.fw.language),
            links=self.links.get(iid, []),
            last_change=it["lastChangeDateTime"],
        )

    def attach_translations(self) -> None:
        for tid, target in self.translation_of.items():
            t = self.raw_items[tid][1]
            if target not in self.by_id:
                self.error(f"/CFItems/{self.raw_items[tid][0]}", _l("traduction d'une traduction"))
                continue
            label = t.get("abbreviatedStatement") or t["fullStatement"]
            self.by_id[target].translations[t.get("language", "und")] = Translation(
                label=label,
                description="" if t["fullStatement"] == label else t["fullStatement"],
                identifier=tid,
            )

    # ----------------------------------------------------------------- rubrics

    def read_rubrics(self) -> None:
        for r_i, r in enumerate(self.pkg.get("CFRubrics", [])):
            rloc = f"/CFRubrics/{r_i}"
            rid = _lower(r["identifier"])
            self.claim(rid, rloc + "/identifier")
            rubric = Rubric(
                identifier=rid,
                title=r.get("title", ""),
                description=r.get("description", ""),
                last_change=r["lastChangeDateTime"],
            )
            for c_i, c in enumerate(r.get("CFRubricCriteria", [])):
                self._criterion(rubric, r_i, f"{rloc}/CFRubricCriteria/{c_i}", c)
            self.fw.rubrics.append(rubric)

    def _levels(self, cloc: str, c: dict[str, Any]) -> list[LevelText]:
        levels = []
        for l_i, lv in enumerate(c.get("CFRubricCriterionLevels", [])):
            lid = _lower(lv["identifier"])
            self.claim(lid, f"{cloc}/CFRubricCriterionLevels/{l_i}/identifier")
            score = lv.get("score", lv.get("position", l_i))
            levels.append(
                LevelText(
                    score=float(score),
                    quality=lv.get("quality", ""),
                    description=lv.get("description", ""),
                    identifier=lid,
                )
            )
        levels.sort(key=lambda lv: lv.score)
        return levels

    def _criterion(self, rubric: Rubric, r_i: int, cloc: str, c: dict[str, Any]) -> None:
        """One criterion: of an item, or (first rubric only) the levels of a translation."""
        cid = _lower(c["identifier"])
        self.claim(cid, cloc + "/identifier")
        levels = self._levels(cloc, c)
        if not c.get("CFItemURI"):
            self.error(cloc, _l("critère sans CFItemURI"))
            return
        target = _lower(c["CFItemURI"]["identifier"])
        if target in self.translation_of:
            owner = self.by_id.get(self.translation_of[target])
            if owner is not None and r_i == 0:
                for tr in owner.translations.values():
                    if tr.identifier == target:
                        tr.levels = levels
            return
        if target not in self.by_id:
            self.error(cloc + "/CFItemURI", _l("élément inconnu %(id)s", id=target))
            return
        rubric.criteria.append(
            Criterion(
                item=target,
                levels=levels,
                identifier=cid,
                description=c.get("description", ""),
                weight=c.get("weight"),
            )
        )


_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def is_uuid(value: str) -> bool:
    """True for a UUID (any version, any case): CASE identifiers are UUIDs."""
    return bool(_UUID_RE.match(value))


def _base_from_uri(uri: str) -> str:
    if CASE_PATH in uri:
        return uri.split(CASE_PATH, 1)[0]
    m = re.match(r"^(https?://[^/]+)", uri)
    return m.group(1) if m else "https://badger.example.org"


def _grouping_kind(g: dict[str, Any]) -> str:
    if str(g.get("description", "")).startswith("badger:crosswalk:"):
        return "crosswalk"
    ident = _lower(g["identifier"])
    for kind in GROUPINGS:
        if ident == grouping_id(kind):
            return kind
    return "other"


def _guess_kind(uri: str) -> str:
    if "data.europa.eu/esco" in uri:
        return "esco"
    if uri.startswith("urn:pix:"):
        return "pix"
    if uri.startswith("urn:rome:") or "francetravail" in uri:
        return "rome"
    return "other"
