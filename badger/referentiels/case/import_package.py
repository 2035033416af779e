"""Read a CASE 1.0 CFPackage into a :class:`~.model.Framework`, refusing it whole on any error.

Where the things CASE 1.0 has no field for come from (see the package docstring): recruiter
words, pictograms, translations and derivation links are associations in badger's groupings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import lazy_gettext as _l

from badger.referentiels.case.errors import (
    CaseImportError,
    ImportProblem,
    Location,
    at,
)
from badger.referentiels.case.model import (
    CATEGORY_TYPE,
    COMPETENCE_TYPE,
    GROUPINGS,
    LINK_KINDS,
    MAX_BYTES,
    TRANSLATION_TYPE,
    Criterion,
    ExternalLink,
    Framework,
    Item,
    LevelText,
    License,
    Rubric,
    Translation,
    grouping_id,
    renumber,
    slugify,
)
from badger.referentiels.case.reader import read_package
from badger.referentiels.case.schema import schema11_errors
from badger.referentiels.case.source import (
    DATE_FROM_DATETIME,
    DEFINITIONS,
    LINK_FIELD_DROPPED,
    MOVED_TO_EXTENSIONS,
    REQUIRED_FILLED,
    Note,
    normalise,
)
from badger.urls import CASE_PATH


def parse_package(
    data: bytes | str | IO[bytes], *, max_bytes: int = MAX_BYTES, strict: bool = True
) -> Framework:
    """Parse and check a CASE CFPackage; raise :class:`CaseImportError` listing the errors.

    ``data`` may be a binary stream, read in bounded memory (:func:`~.reader.read_package`).
    Checks, in order: size, JSON syntax, then :func:`parse_decoded`. ``strict`` is kept for
    callers of the former reader: every package is now read the same way (what the CASE 1.1
    package schema accepts, plus what OpenSALT writes).
    """
    del strict
    obj = read_package(data, max_bytes=max_bytes)
    return parse_decoded(obj)


def parse_decoded(obj: Any) -> Framework:
    """Read a decoded CFPackage (any JSON value) into a framework that keeps the package.

    The package is normalised first (:func:`.source.normalise`), then checked against the
    CASE 1.1 package schema with loose UUIDs; then only what makes the data ambiguous is
    refused (an object without identifier, two different objects with one identifier, an
    association to nothing, an ``isChildOf`` cycle), each error with its JSON pointer.
    Everything badger cannot show or edit is a warning (``fw.warnings``) and stays in
    ``fw.source``, which badger stores and serves back.
    """
    if not isinstance(obj, dict):
        raise CaseImportError([(at("/"), _l("un paquet CASE est un objet JSON"))])
    pkg, notes = normalise(obj)
    errs: list[tuple[Location, Any]] = list(_missing_identifiers(pkg))
    missing = {str(loc) for loc, _ in errs}
    errs += [e for e in schema11_errors(pkg, loose_ids=True)
             if not (str(e.location) in missing and "'identifier'" in str(e.message))]
    if errs:
        raise CaseImportError(sorted(errs, key=lambda e: e[0].sort_key()))
    fw = _from_package(pkg, {n.pointer for n in notes if n.reason == MOVED_TO_EXTENSIONS})
    fw.source = pkg
    fw.normalisations = notes
    fw.warnings = _note_warnings(notes) + fw.warnings
    return fw


def _missing_identifiers(pkg: dict[str, Any]) -> list[tuple[Location, Any]]:
    """Objects without identifier: nothing could ever name them (refused)."""
    out: list[tuple[Location, Any]] = []
    arrays: list[tuple[str, Any]] = [(f"/{k}", pkg.get(k)) for k in ("CFItems", "CFAssociations",
                                                                     "CFRubrics")]
    defs = pkg.get("CFDefinitions")
    if isinstance(defs, dict):
        arrays += [(f"/CFDefinitions/{k}", defs.get(k)) for k in DEFINITIONS]
    if isinstance(pkg.get("CFDocument"), dict) and "identifier" not in pkg["CFDocument"]:
        out.append((at("/CFDocument"), _l("objet sans identifiant")))
    for ptr, arr in arrays:
        for i, o in enumerate(arr if isinstance(arr, list) else []):
            if isinstance(o, dict) and "identifier" not in o:
                out.append((at(f"{ptr}/{i}"), _l("objet sans identifiant")))
    return out


def _note_warnings(notes: list[Note]) -> list[ImportProblem]:
    """Warnings for the normalisations a reader of badger's package should know about: filled
    required fields, and each property moved into ``extensions`` (by name)."""
    out = _Warnings()
    for n in notes:
        if n.reason == REQUIRED_FILLED:
            out.add("filled", n.pointer, _l(
                "champ requis absent complété (texte vide, date du document ou urn:uuid:…)"))
        elif n.reason == DATE_FROM_DATETIME:
            out.add("date", n.pointer, _l(
                "date écrite avec une heure : la date est gardée, la valeur complète est "
                "rangée dans extensions"))
        elif n.reason == LINK_FIELD_DROPPED:
            out.add(f"link:{n.detail}", n.pointer, _l(
                "« %(f)s » dans un lien n'est pas une propriété CASE 1.1 : retiré (un lien "
                "CASE n'a pas d'extensions)", f=n.detail))
        elif n.reason == MOVED_TO_EXTENSIONS and not n.pointer.endswith("/extensions"):
            out.add(f"moved:{n.detail}", n.pointer, _l(
                "« %(f)s » n'est pas une propriété CASE 1.1 : rangé tel quel dans extensions",
                f=n.detail))
    return out.problems()


def _lower(identifier: str) -> str:
    return identifier.strip().lower()


def _from_package(pkg: dict[str, Any], moved: set[str] | None = None) -> Framework:
    """Build the framework of a schema-valid package, checking badger's rules on the way.
    ``moved``: pointers of ``extensions`` that only hold moved properties (warned already)."""
    reader = _PackageReader(pkg)
    reader.moved = moved or set()
    reader.read_items()
    reader.read_associations()
    reader.check_cycles()
    reader.build_items()
    reader.attach_translations()
    reader.read_rubrics()
    reader.note_kept_fields()
    if reader.errors:
        raise CaseImportError(sorted(reader.errors, key=lambda e: e[0].sort_key()))
    reader.fw.warnings = reader.warned.problems()
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
    """The framework of the CFDocument, without items nor rubrics yet. An absent ``language``
    or ``version`` stays unknown (empty), never invented."""
    doc = pkg["CFDocument"]
    return Framework(
        identifier=_lower(doc["identifier"]),
        title=doc["title"],
        creator=doc["creator"],
        key=slugify(doc["title"]),
        version=doc.get("version", ""),
        language=doc.get("language", ""),
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


class _Warnings:
    """Warnings aggregated by kind: the first location, how many, and the message."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[str, int, Any]] = {}

    def add(self, key: str, pointer: str, message: Any) -> None:
        first, count, msg = self.seen.get(key, (pointer, 0, message))
        self.seen[key] = (first, count + 1, msg)

    def problems(self) -> list[ImportProblem]:
        out = []
        for first, count, msg in self.seen.values():
            text = msg if count == 1 else _l("%(msg)s (%(n)s fois ; la première ici)",
                                             msg=msg, n=count)
            out.append(ImportProblem(at(first), text))
        out.sort(key=lambda p: p.location.sort_key())
        return out


#: Item properties badger's editor has no field for: kept and served back, not shown.
_KEPT_ITEM_FIELDS = ("alternativeLabel", "CFItemTypeURI", "listEnumeration", "conceptKeywords",
                     "conceptKeywordsURI", "subject", "subjectURI", "educationLevel",
                     "licenseURI", "statusStartDate", "statusEndDate", "extensions")
def _badger_written(key: str, item: dict[str, Any]) -> bool:
    """Fields badger writes itself (its item types, the position as list number)."""
    if key == "CFItemTypeURI":
        return item.get("CFItemType") in (CATEGORY_TYPE, COMPETENCE_TYPE, TRANSLATION_TYPE)
    return key == "listEnumeration" and str(item[key]).isdigit()


_KEPT_DOC_FIELDS = ("frameworkType", "caseVersion", "subjectURI", "statusStartDate",
                    "statusEndDate", "extensions")


@dataclass
class _PackageReader:
    """The state of one package read: each step adds to the framework, to ``errors`` (refusal)
    or to ``warned`` (kept in the source, not shown by badger), in package order."""

    pkg: dict[str, Any]
    errors: list[tuple[Location, Any]] = field(default_factory=list)
    warned: _Warnings = field(default_factory=_Warnings)
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
    #: items holding a rubric criterion (they stay competences even with children)
    criteria_of: set[str] = field(default_factory=set)
    #: pointers of ``extensions`` made by normalisation only (warned by :func:`_note_warnings`)
    moved: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.fw = _document(self.pkg)
        self.doc_id = self.fw.identifier
        self.groupings = _groupings(self.pkg)
        self.seen_ids[self.doc_id] = "/CFDocument/identifier"
        for r in self.pkg.get("CFRubrics", []):
            for c in r.get("CFRubricCriteria", []):
                if c.get("CFItemURI"):
                    self.criteria_of.add(_lower(c["CFItemURI"]["identifier"]))

    def error(self, pointer: str, message: Any) -> None:
        self.errors.append((at(pointer), message))

    def claim(self, identifier: str, loc: str) -> None:
        """Two different objects with one identifier are ambiguous (identical ones were
        merged by :func:`normalise`)."""
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
            self.warned.add("grouping", loc + "/CFAssociationGroupingURI", _l(
                "regroupement absent de CFDefinitions (association conservée telle quelle)"))
        return self.groupings.get(gid, "other")

    def _known(self, ident: str) -> bool:
        return ident == self.doc_id or ident in self.raw_items

    def _association(self, i: int, a: dict[str, Any]) -> None:
        loc = f"/CFAssociations/{i}"
        self.claim(_lower(a["identifier"]), loc + "/identifier")
        origin = _lower(a["originNodeURI"]["identifier"])
        dest = a["destinationNodeURI"]
        dest_id = dest["identifier"].strip()
        for end, node in (("originNodeURI", a["originNodeURI"]), ("destinationNodeURI", dest)):
            if not node["identifier"].strip() and not node["uri"].strip():
                self.error(f"{loc}/{end}", _l("association vers rien (ni identifiant ni uri)"))
                return
        atype = a["associationType"]
        gkind = self._grouping_of(a, loc)
        if gkind == "crosswalk":
            # badger's crosswalk (served beside the version by badger.referentiels.crosswalks,
            # not part of it): kept out of the model
            return
        if origin not in self.raw_items:
            key = "doc-assoc" if origin == self.doc_id else "foreign-origin"
            self.warned.add(key, loc + "/originNodeURI", _l(
                "association dont l'origine n'est pas un élément de ce référentiel : "
                "conservée et republiée, non affichée par badger"))
            return
        triple = (origin, atype, _lower(dest_id) if is_uuid(dest_id) else dest_id)
        self.fw.association_ids.setdefault(triple, _lower(a["identifier"]))
        if atype == "isChildOf":
            self._child_of(i, a, origin, _lower(dest_id))
        elif gkind == "translation" and _lower(dest_id) in self.raw_items:
            self.translation_of[origin] = _lower(dest_id)
        elif gkind == "pictogram":
            self.pictos[origin] = dest_id
        elif atype in ("exactMatchOf", "isRelatedTo"):
            kind = gkind if gkind in LINK_KINDS else _guess_kind(dest["uri"])
            self.links.setdefault(origin, []).append(
                ExternalLink(kind=kind, uri=dest["uri"], code=dest_id,
                             label=dest.get("title", ""), exact=atype == "exactMatchOf")
            )
        else:
            self.warned.add(f"type:{atype}", loc + "/associationType", _l(
                "association « %(t)s » conservée et republiée, non affichée par badger",
                t=atype))

    def _child_of(self, i: int, a: dict[str, Any], origin: str, target: str) -> None:
        loc = f"/CFAssociations/{i}"
        if not self._known(target):
            self.warned.add("parent-elsewhere", loc + "/destinationNodeURI", _l(
                "parent hors de ce référentiel : l'élément est affiché au premier niveau "
                "(association conservée)"))
            return
        if origin in self.parent_of:
            self.warned.add("two-parents", loc, _l(
                "l'élément a plusieurs parents : badger l'affiche sous le premier "
                "(les autres associations sont conservées)"))
            return
        seq = a.get("sequenceNumber")
        self.parent_of[origin] = (target, seq if isinstance(seq, int) else 0, i)

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
        """Turn every item that is not a translation into a category or a competence, in a
        stable order: siblings by ``sequenceNumber`` (missing = 0), then package order, then
        given positions 1..n so that stored rows come back in the same order."""
        has_children = {p for p, _, _ in self.parent_of.values()}
        for iid, (_i, it) in self.raw_items.items():
            if iid in self.translation_of:
                continue
            ctype = it.get("CFItemType", "")
            is_cat = ctype == CATEGORY_TYPE or (iid in has_children
                                                and iid not in self.criteria_of)
            self.fw.items.append(self._item(iid, it, "category" if is_cat else "competence"))
        self.by_id = {it.identifier: it for it in self.fw.items}
        for item in self.fw.items:
            parent = self.by_id.get(item.parent) if item.parent else None
            if item.parent is not None and (parent is None or parent.kind != "category"):
                self.warned.add("parent-kind", f"/CFItems/{self.raw_items[item.identifier][0]}",
                                _l("parent qui n'est pas une catégorie pour badger : élément "
                                   "affiché au premier niveau (association conservée)"))
                item.parent = None
        order = {iid: n for n, iid in enumerate(self.raw_items)}
        self.fw.items.sort(key=lambda it: (it.position, order[it.identifier]))
        renumber(self.fw.items)

    def _item(self, iid: str, it: dict[str, Any], kind: str) -> Item:
        label = it.get("abbreviatedStatement") or it["fullStatement"]
        full = it["fullStatement"]
        parent = self.parent_of.get(iid)
        return Item(
            identifier=iid,
            code=it.get("humanCodingScheme", "").strip(),
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

    def note_kept_fields(self) -> None:
        """Warn once per property badger keeps and serves back but does not show."""
        for i, it in enumerate(self.pkg.get("CFItems", [])):
            for k in _KEPT_ITEM_FIELDS:
                if k in it and not _badger_written(k, it) and (
                        f"/CFItems/{i}/{k}" not in self.moved):
                    self.warned.add(f"item:{k}", f"/CFItems/{i}/{k}", _l(
                        "« %(f)s » conservé et republié, non affiché par badger", f=k))
        doc = self.pkg["CFDocument"]
        for k in _KEPT_DOC_FIELDS:
            if k in doc and f"/CFDocument/{k}" not in self.moved:
                self.warned.add(f"doc:{k}", f"/CFDocument/{k}", _l(
                    "« %(f)s » conservé et republié, non affiché par badger", f=k))
        defs = self.pkg.get("CFDefinitions", {})
        for k in ("CFConcepts", "CFSubjects"):
            for d_i, _d in enumerate(defs.get(k, [])):
                self.warned.add(f"defs:{k}", f"/CFDefinitions/{k}/{d_i}", _l(
                    "« %(f)s » conservé et republié, non affiché par badger", f=k))

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
            self.warned.add("criterion-free", cloc, _l(
                "critère sans CFItemURI : conservé et republié, non affiché par badger"))
            return
        target = _lower(c["CFItemURI"]["identifier"])
        if target in self.translation_of:
            owner = self.by_id.get(self.translation_of[target])
            if owner is not None and r_i == 0:
                for tr in owner.translations.values():
                    if tr.identifier == target:
                        tr.levels = levels
            return
        if target not in self.by_id or self.by_id[target].kind != "competence":
            self.warned.add("criterion-elsewhere", cloc + "/CFItemURI", _l(
                "critère d'un élément qui n'est pas une compétence de ce référentiel : "
                "conservé et republié, non affiché par badger"))
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
