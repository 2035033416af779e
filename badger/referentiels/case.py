"""In-memory référentiel model and its 1EdTech CASE 1.0 / CSV exchange formats.

No Flask app and no SQLAlchemy here: plain dataclasses, a parser (:func:`parse_package`,
:func:`parse_csv`) and writers (:func:`to_package`, :func:`to_csv`). Import errors are lazy
strings (French message ids, ``flask_babel.lazy_gettext``) rendered in the reader's language when
shown, with their location kept as data (:class:`Location`); without an app they read in French.

Where the things CASE 1.0 has no field for go (the strict IMS schema sets
``additionalProperties: false`` on every class, so ``extensions`` is not an option):

* **recruiter words** (ESCO, ROME, Pix, DigComp…): a ``CFAssociation`` from the item to the
  external URI, ``exactMatchOf`` (or ``isRelatedTo`` for a looser match), whose
  ``CFAssociationGroupingURI`` names the kind (``esco``, ``rome``, ``pix``…);
* **pictogram**: an ``isRelatedTo`` association in the ``pictogram`` grouping whose destination
  ``identifier`` is the pictogram name;
* **translations**: one extra ``CFItem`` per language (``language`` set, ``CFItemType``
  ``Traduction``) linked to the item by ``isRelatedTo`` in the ``translation`` grouping; translated
  level texts are rubric criteria that point at the translated item;
* **derivation**: an ``exactMatchOf`` association in the ``source`` grouping to the source item URI.

A CASE 1.0 reader that ignores groupings still sees a valid framework. See referentiels/FORMAT.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
from flask_babel import lazy_gettext as _l

from badger import csvsafe, guards
from badger.ob3 import safejson

MAX_BYTES = 10 * 1024 * 1024
MAX_ERRORS = 20
CASE_PATH = "/ims/case/v1p0"
#: Namespace of every badger UUIDv5 (uuid5(NAMESPACE_URL, "urn:badger:referentiels")).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:badger:referentiels")
SCHEMA_DIR = Path(__file__).with_name("case_schemas")

CATEGORY_TYPE = "Catégorie"
COMPETENCE_TYPE = "Compétence"
TRANSLATION_TYPE = "Traduction"
ITEM_TYPES = {
    "category": CATEGORY_TYPE,
    "competence": COMPETENCE_TYPE,
    "translation": TRANSLATION_TYPE,
}
#: Association groupings badger uses, with the French title shown to CASE readers.
GROUPINGS = {
    "esco": "Correspondance ESCO",
    "rome": "Correspondance ROME (France Travail)",
    "pix": "Correspondance Pix",
    "crcn": "Correspondance CRCN",
    "digcomp": "Correspondance DigComp",
    "source": "Compétence d'origine (référentiel dérivé)",
    "other": "Autre correspondance",
    "pictogram": "Pictogramme",
    "translation": "Traduction",
}
LINK_KINDS = ("esco", "rome", "pix", "crcn", "digcomp", "source", "other")


def stable_id(*parts: str) -> str:
    """Return the UUIDv5 of ``parts`` joined by ``/`` in badger's namespace."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def slugify(text: str) -> str:
    """Return an ASCII, lower-case, dash-separated slug of ``text``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "referentiel"


def now_iso() -> str:
    """Return the current UTC time as an ISO 8601 string (seconds precision)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def case_url(base_url: str, kind: str, identifier: str) -> str:
    """Return ``{base_url}/ims/case/v1p0/{kind}/{identifier}``."""
    return f"{base_url.rstrip('/')}{CASE_PATH}/{kind}/{identifier}"


# --------------------------------------------------------------------------- model


@dataclass
class ExternalLink:
    """A "recruiter word": the same (or a related) competence in another framework."""

    kind: str  # one of LINK_KINDS
    uri: str
    code: str = ""  # the other framework's code or id (LinkGenURI.identifier)
    label: str = ""
    exact: bool = True  # exactMatchOf, else isRelatedTo


@dataclass
class LevelText:
    """One level of a rubric criterion."""

    score: float
    quality: str
    description: str = ""
    identifier: str = ""


@dataclass
class Translation:
    """An item's label, description and level texts in another language."""

    label: str
    description: str = ""
    levels: list[LevelText] = field(default_factory=list)  # for the first rubric
    identifier: str = ""  # of the translation CFItem


@dataclass
class Item:
    """A CFItem: a category (grouping node) or a competence."""

    identifier: str
    code: str
    label: str
    description: str = ""  # the public definition, when one exists
    kind: str = "competence"  # "category" or "competence"
    parent: str | None = None  # identifier of the parent item; None = the document
    position: int = 0  # sequenceNumber among siblings (1-based)
    pictogram: str | None = None
    notes: str = ""  # provenance of the definition
    language: str = "fr"
    translations: dict[str, Translation] = field(default_factory=dict)
    links: list[ExternalLink] = field(default_factory=list)
    last_change: str = ""

    @property
    def full_statement(self) -> str:
        """CASE ``fullStatement``: the definition, or the label when no definition is public."""
        return self.description or self.label


@dataclass
class Criterion:
    """A CFRubricCriterion: the levels of one item."""

    item: str  # item identifier
    levels: list[LevelText]
    identifier: str = ""
    description: str = ""
    weight: float | None = None


@dataclass
class Rubric:
    """A CFRubric: one scale, one criterion per item. Official scales keep their own range."""

    identifier: str
    title: str
    description: str = ""
    criteria: list[Criterion] = field(default_factory=list)
    last_change: str = ""

    @property
    def scores(self) -> list[float]:
        """Distinct scores used by the criteria, ascending."""
        return sorted({lv.score for c in self.criteria for lv in c.levels})

    @property
    def scale_min(self) -> float | None:
        s = self.scores
        return s[0] if s else None

    @property
    def scale_max(self) -> float | None:
        s = self.scores
        return s[-1] if s else None

    def criterion_for(self, item_id: str) -> Criterion | None:
        """Return the criterion of ``item_id``, if any."""
        for c in self.criteria:
            if c.item == item_id:
                return c
        return None


@dataclass
class License:
    """The CFLicense of a document."""

    title: str
    uri: str
    text: str
    identifier: str = ""


@dataclass
class Framework:
    """A CFDocument with its items and rubrics (one version of a référentiel)."""

    identifier: str
    title: str
    creator: str
    key: str = ""
    version: str = "1"
    language: str = "fr"
    publisher: str = ""
    description: str = ""
    notes: str = ""  # provenance
    official_source_url: str = ""
    adoption_status: str = ""
    subject: list[str] = field(default_factory=list)
    license: License | None = None
    last_change: str = ""
    base_url: str = "https://badger.example.org"
    items: list[Item] = field(default_factory=list)
    rubrics: list[Rubric] = field(default_factory=list)
    #: association identifiers read from a package, keyed by (origin, type, destination id),
    #: so that a foreign package keeps its association URLs on re-export.
    association_ids: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def item(self, identifier: str) -> Item:
        """Return the item with ``identifier`` (KeyError if absent)."""
        for it in self.items:
            if it.identifier == identifier:
                return it
        raise KeyError(identifier)

    @property
    def competences(self) -> list[Item]:
        return [it for it in self.items if it.kind == "competence"]

    @property
    def categories(self) -> list[Item]:
        return [it for it in self.items if it.kind == "category"]

    def children(self, parent: str | None) -> list[Item]:
        """Items directly under ``parent`` (None = document), ordered."""
        return sorted(
            (it for it in self.items if it.parent == parent), key=lambda it: it.position
        )

    def ordered_items(self) -> list[Item]:
        """Items in reading order (depth first, by position)."""
        by_parent: dict[str | None, list[Item]] = {}
        for it in self.items:
            by_parent.setdefault(it.parent, []).append(it)
        for siblings in by_parent.values():
            siblings.sort(key=lambda it: it.position)
        out: list[Item] = []
        stack = list(reversed(by_parent.get(None, [])))
        while stack:
            it = stack.pop()
            out.append(it)
            stack.extend(reversed(by_parent.get(it.identifier, [])))
        return out

    def item_id_for(self, code: str) -> str:
        """Return the stable identifier of a new item with ``code`` in this version."""
        return stable_id(self.key, self.version, "item", code)


# --------------------------------------------------------------------------- errors


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


# --------------------------------------------------------------------------- schema


@lru_cache(maxsize=2)
def _validator(strict: bool) -> jsonschema.Draft4Validator:
    if strict:
        swagger = json.loads((SCHEMA_DIR / "case-v1p0-openapi-swagger2.json").read_text("utf-8"))
        schema: dict[str, Any] = {
            "$ref": "#/definitions/CFPackage.Type",
            "definitions": swagger["definitions"],
        }
    else:
        schema = json.loads(
            (SCHEMA_DIR / "opensalt-case-v1p0-cfpackage-schema.json").read_text("utf-8")
        )
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def schema_errors(data: Any, *, strict: bool = True) -> list[ImportProblem]:
    """Validate ``data`` against the CASE 1.0 CFPackage schema; return sorted errors."""
    errors = []
    for err in _validator(strict).iter_errors(data):
        loc = at("/" + "/".join(str(p) for p in err.absolute_path))
        errors.append(ImportProblem(loc, _l("schéma CASE : %(detail)s",
                                            detail=err.message[:300])))
    errors.sort(key=lambda e: e.location.sort_key())
    return errors


def _loc_key(loc: str) -> list[Any]:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in loc.split("/")]


# --------------------------------------------------------------------------- parse


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
        raise CaseImportError([(at("/"), _too_big(len(raw), max_bytes))])
    try:
        obj = safejson.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise CaseImportError([(Location(byte=exc.start), _NOT_UTF8)]) from exc
    except json.JSONDecodeError as exc:
        raise CaseImportError(
            [(line_at(exc.lineno, exc.colno), _l("JSON invalide : %(detail)s", detail=exc.msg))]
        ) from exc
    errs = schema_errors(obj, strict=strict)
    if errs:
        raise CaseImportError(errs)
    return _from_package(obj)


_NOT_UTF8 = _l("le fichier n'est pas en UTF-8")
_CSV_UNREADABLE = _l(
    "ligne illisible : cellule de plus de 128 Ko, guillemet jamais fermé ou caractère nul"
)


def _csv_reader(text: str, delimiter: str) -> Iterator[list[str]]:
    """``csv.reader`` rows; a row the csv module refuses ends the import with its line."""
    try:
        yield from guards.csv_rows(csv.reader(io.StringIO(text), delimiter=delimiter))
    except guards.CsvRefused as exc:
        raise CaseImportError([(line_at(exc.line), _CSV_UNREADABLE)]) from exc


def _too_big(size: int, maximum: int) -> Any:
    return _l("fichier trop volumineux (%(size)s octets, maximum %(max)s)", size=size,
              max=maximum)


def _lower(identifier: str) -> str:
    return identifier.strip().lower()


def _from_package(pkg: dict[str, Any]) -> Framework:
    errors: list[tuple[Location, Any]] = []
    doc = pkg["CFDocument"]
    doc_id = _lower(doc["identifier"])
    base_url = _base_from_uri(doc["uri"])
    lic = None
    if doc.get("licenseURI"):
        lu = doc["licenseURI"]
        text = ""
        defs_lic = pkg.get("CFDefinitions")
        for d in defs_lic.get("CFLicenses", []) if isinstance(defs_lic, dict) else []:
            if _lower(d["identifier"]) == _lower(lu["identifier"]):
                text = d.get("licenseText", "")
        lic = License(lu["title"], lu["uri"], text, _lower(lu["identifier"]))
    fw = Framework(
        identifier=doc_id,
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
        license=lic,
        last_change=doc["lastChangeDateTime"],
        base_url=base_url,
    )
    groupings: dict[str, str] = {}
    defs = pkg.get("CFDefinitions")
    if isinstance(defs, dict):
        for g in defs.get("CFAssociationGroupings", []):
            groupings[_lower(g["identifier"])] = _grouping_kind(g)

    seen_ids: dict[str, str] = {doc_id: "/CFDocument/identifier"}

    def claim(identifier: str, loc: str) -> None:
        if identifier in seen_ids:
            errors.append((at(loc), _l("identifiant en double (déjà utilisé en %(where)s)",
                                       where=seen_ids[identifier])))
        else:
            seen_ids[identifier] = loc

    raw_items: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, it in enumerate(pkg.get("CFItems", [])):
        iid = _lower(it["identifier"])
        claim(iid, f"/CFItems/{i}/identifier")
        raw_items[iid] = (i, it)

    # Associations: classify first (translations and hierarchy), then build items.
    parent_of: dict[str, tuple[str, int, int]] = {}  # child -> (parent, seq, assoc index)
    translation_of: dict[str, str] = {}  # translation item -> item
    pictos: dict[str, str] = {}
    links: dict[str, list[ExternalLink]] = {}
    for i, a in enumerate(pkg.get("CFAssociations", [])):
        loc = f"/CFAssociations/{i}"
        aid = _lower(a["identifier"])
        claim(aid, loc + "/identifier")
        origin = _lower(a["originNodeURI"]["identifier"])
        dest = a["destinationNodeURI"]
        dest_id = dest["identifier"].strip()
        atype = a["associationType"]
        gkind = ""
        if a.get("CFAssociationGroupingURI"):
            gid = _lower(a["CFAssociationGroupingURI"]["identifier"])
            if gid not in groupings:
                errors.append((at(loc + "/CFAssociationGroupingURI"),
                               _l("regroupement absent de CFDefinitions")))
            gkind = groupings.get(gid, "other")
        if origin == doc_id:
            continue  # document-level association: kept out of the model
        if origin not in raw_items:
            errors.append((at(loc + "/originNodeURI"),
                           _l("élément d'origine inconnu %(id)s", id=origin)))
            continue
        key = (origin, atype, _lower(dest_id) if _is_uuid(dest_id) else dest_id)
        fw.association_ids[key] = aid
        if atype == "isChildOf":
            target = _lower(dest_id)
            if target != doc_id and target not in raw_items:
                errors.append((at(loc + "/destinationNodeURI"),
                               _l("parent inconnu %(id)s", id=target)))
                continue
            if origin in parent_of:
                errors.append((at(loc), _l("l'élément a déjà un parent (isChildOf en double)")))
                continue
            parent_of[origin] = (target, int(a.get("sequenceNumber") or 0), i)
        elif gkind == "translation":
            if _lower(dest_id) not in raw_items:
                errors.append((at(loc + "/destinationNodeURI"),
                               _l("élément traduit inconnu %(id)s", id=dest_id)))
                continue
            translation_of[origin] = _lower(dest_id)
        elif gkind == "pictogram":
            pictos[origin] = dest_id
        elif atype in ("exactMatchOf", "isRelatedTo"):
            kind = gkind if gkind in LINK_KINDS else _guess_kind(dest["uri"])
            links.setdefault(origin, []).append(
                ExternalLink(
                    kind=kind,
                    uri=dest["uri"],
                    code=dest_id,
                    label=dest.get("title", ""),
                    exact=atype == "exactMatchOf",
                )
            )

    # Cycles in isChildOf.
    for start in parent_of:
        node, steps = start, 0
        while node in parent_of and steps <= len(parent_of):
            node = parent_of[node][0]
            steps += 1
            if node == start:
                errors.append((at(f"/CFAssociations/{parent_of[start][2]}"),
                               _l("cycle isChildOf via %(id)s", id=start)))
                break

    has_children = {p for p, _, _ in parent_of.values()}
    codes: dict[str, str] = {}
    for iid, (i, it) in raw_items.items():
        if iid in translation_of:
            continue
        ctype = it.get("CFItemType", "")
        kind = "category" if (ctype == CATEGORY_TYPE or iid in has_children) else "competence"
        code = it.get("humanCodingScheme", "").strip()
        if code:
            if code in codes:
                errors.append((at(f"/CFItems/{i}/humanCodingScheme"),
                               _l("code en double « %(code)s » (%(where)s)", code=code,
                                  where=codes[code])))
            else:
                codes[code] = f"/CFItems/{i}"
        label = it.get("abbreviatedStatement") or it["fullStatement"]
        full = it["fullStatement"]
        parent = parent_of.get(iid)
        fw.items.append(
            Item(
                identifier=iid,
                code=code,
                label=label,
                description="" if full == label else full,
                kind=kind,
                parent=None if parent is None or parent[0] == doc_id else parent[0],
                position=parent[1] if parent else 0,
                pictogram=pictos.get(iid),
                notes=it.get("notes", ""),
                language=it.get("language", fw.language),
                links=links.get(iid, []),
                last_change=it["lastChangeDateTime"],
            )
        )
    by_id = {it.identifier: it for it in fw.items}
    for tid, target in translation_of.items():
        t = raw_items[tid][1]
        if target not in by_id:
            errors.append((at(f"/CFItems/{raw_items[tid][0]}"),
                           _l("traduction d'une traduction")))
            continue
        label = t.get("abbreviatedStatement") or t["fullStatement"]
        by_id[target].translations[t.get("language", "und")] = Translation(
            label=label,
            description="" if t["fullStatement"] == label else t["fullStatement"],
            identifier=tid,
        )

    for r_i, r in enumerate(pkg.get("CFRubrics", [])):
        rloc = f"/CFRubrics/{r_i}"
        rid = _lower(r["identifier"])
        claim(rid, rloc + "/identifier")
        rubric = Rubric(
            identifier=rid,
            title=r.get("title", ""),
            description=r.get("description", ""),
            last_change=r["lastChangeDateTime"],
        )
        for c_i, c in enumerate(r.get("CFRubricCriteria", [])):
            cloc = f"{rloc}/CFRubricCriteria/{c_i}"
            cid = _lower(c["identifier"])
            claim(cid, cloc + "/identifier")
            levels = []
            for l_i, lv in enumerate(c.get("CFRubricCriterionLevels", [])):
                lid = _lower(lv["identifier"])
                claim(lid, f"{cloc}/CFRubricCriterionLevels/{l_i}/identifier")
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
            if not c.get("CFItemURI"):
                errors.append((at(cloc), _l("critère sans CFItemURI")))
                continue
            target = _lower(c["CFItemURI"]["identifier"])
            if target in translation_of:
                owner = by_id.get(translation_of[target])
                if owner is not None and r_i == 0:
                    for tr in owner.translations.values():
                        if tr.identifier == target:
                            tr.levels = levels
                continue
            if target not in by_id:
                errors.append((at(cloc + "/CFItemURI"), _l("élément inconnu %(id)s", id=target)))
                continue
            rubric.criteria.append(
                Criterion(
                    item=target,
                    levels=levels,
                    identifier=cid,
                    description=c.get("description", ""),
                    weight=c.get("weight"),
                )
            )
        fw.rubrics.append(rubric)
    if errors:
        raise CaseImportError(sorted(errors, key=lambda e: e[0].sort_key()))
    return fw


_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _is_uuid(value: str) -> bool:
    return bool(_UUID_RE.match(value))


def _base_from_uri(uri: str) -> str:
    if CASE_PATH in uri:
        return uri.split(CASE_PATH, 1)[0]
    m = re.match(r"^(https?://[^/]+)", uri)
    return m.group(1) if m else "https://badger.example.org"


def _grouping_kind(g: dict[str, Any]) -> str:
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


def grouping_id(kind: str) -> str:
    """Stable identifier of badger's association grouping ``kind`` (same on every server)."""
    return stable_id("grouping", kind)


# --------------------------------------------------------------------------- write


def to_package(fw: Framework, *, base_url: str | None = None) -> dict[str, Any]:
    """Return ``fw`` as a CASE 1.0 CFPackage (valid against the strict IMS schema)."""
    base = (base_url or fw.base_url).rstrip("/")
    ts = fw.last_change or now_iso()

    def link(kind: str, ident: str, title: str) -> dict[str, str]:
        return {"title": title, "identifier": ident, "uri": case_url(base, kind, ident)}

    def assoc_id(origin: str, atype: str, dest: str) -> str:
        return fw.association_ids.get((origin, atype, dest)) or stable_id(
            origin, atype, dest
        )

    used_groupings: set[str] = set()
    used_types: set[str] = set()

    def assoc(
        origin: Item | Translation,
        origin_label: str,
        atype: str,
        dest: dict[str, str],
        *,
        seq: int | None = None,
        grouping: str | None = None,
        when: str,
    ) -> dict[str, Any]:
        aid = assoc_id(origin.identifier, atype, dest["identifier"])
        a: dict[str, Any] = {
            "identifier": aid,
            "associationType": atype,
            "uri": case_url(base, "CFAssociations", aid),
            "originNodeURI": link("CFItems", origin.identifier, origin_label),
            "destinationNodeURI": dest,
            "lastChangeDateTime": when,
        }
        if seq is not None:
            a["sequenceNumber"] = seq
        if grouping:
            used_groupings.add(grouping)
            a["CFAssociationGroupingURI"] = link(
                "CFAssociationGroupings", grouping_id(grouping), GROUPINGS[grouping]
            )
        return a

    doc: dict[str, Any] = {
        "identifier": fw.identifier,
        "uri": case_url(base, "CFDocuments", fw.identifier),
        "creator": fw.creator,
        "title": fw.title,
        "lastChangeDateTime": ts,
    }
    if fw.official_source_url:
        doc["officialSourceURL"] = fw.official_source_url
    if fw.publisher:
        doc["publisher"] = fw.publisher
    if fw.description:
        doc["description"] = fw.description
    if fw.subject:
        doc["subject"] = list(fw.subject)
    doc["language"] = fw.language
    doc["version"] = fw.version
    if fw.adoption_status:
        doc["adoptionStatus"] = fw.adoption_status
    licenses = []
    if fw.license:
        lid = fw.license.identifier or stable_id("license", fw.license.uri)
        doc["licenseURI"] = {"title": fw.license.title, "identifier": lid, "uri": fw.license.uri}
        licenses.append(
            {
                "identifier": lid,
                "uri": case_url(base, "CFLicenses", lid),
                "title": fw.license.title,
                "licenseText": fw.license.text or fw.license.title,
                "lastChangeDateTime": ts,
            }
        )
    if fw.notes:
        doc["notes"] = fw.notes

    items_out: list[dict[str, Any]] = []
    assocs: list[dict[str, Any]] = []
    by_id = {it.identifier: it for it in fw.items}
    doc_link = link("CFDocuments", fw.identifier, fw.title)
    ordered = fw.ordered_items()
    reading_order = {it.identifier: n for n, it in enumerate(ordered)}
    ordered_ids = {it.identifier for it in ordered}
    ordered += [it for it in fw.items if it.identifier not in ordered_ids]  # orphans (none)
    trans_out: list[tuple[Item, str, Translation]] = []
    for it in ordered:
        when = it.last_change or ts
        used_types.add(it.kind)
        d: dict[str, Any] = {
            "identifier": it.identifier,
            "fullStatement": it.full_statement,
            "CFItemType": ITEM_TYPES[it.kind],
            "uri": case_url(base, "CFItems", it.identifier),
        }
        if it.code:
            d["humanCodingScheme"] = it.code
        if it.position:
            d["listEnumeration"] = str(it.position)
        d["abbreviatedStatement"] = it.label
        if it.notes:
            d["notes"] = it.notes
        d["language"] = it.language
        type_id = stable_id("itemtype", it.kind)
        d["CFItemTypeURI"] = link("CFItemTypes", type_id, ITEM_TYPES[it.kind])
        d["lastChangeDateTime"] = when
        items_out.append(d)
        parent = (
            doc_link
            if it.parent is None
            else link("CFItems", it.parent, by_id[it.parent].label)
        )
        assocs.append(
            assoc(it, it.label, "isChildOf", parent, seq=it.position or None, when=when)
        )
        for lk in it.links:
            dest = {"title": lk.label or lk.code or lk.uri, "identifier": lk.code or lk.uri,
                    "uri": lk.uri}
            assocs.append(
                assoc(
                    it,
                    it.label,
                    "exactMatchOf" if lk.exact else "isRelatedTo",
                    dest,
                    grouping=lk.kind if lk.kind in GROUPINGS else "other",
                    when=when,
                )
            )
        if it.pictogram:
            dest = {
                "title": it.pictogram,
                "identifier": it.pictogram,
                "uri": pictogram_uri(base, it.pictogram),
            }
            assocs.append(assoc(it, it.label, "isRelatedTo", dest, grouping="pictogram", when=when))
        for lang in sorted(it.translations):
            tr = it.translations[lang]
            if not tr.identifier:
                tr.identifier = stable_id(it.identifier, "translation", lang)
            trans_out.append((it, lang, tr))
    for it, lang, tr in trans_out:
        when = it.last_change or ts
        used_types.add("translation")
        d = {
            "identifier": tr.identifier,
            "fullStatement": tr.description or tr.label,
            "CFItemType": TRANSLATION_TYPE,
            "uri": case_url(base, "CFItems", tr.identifier),
        }
        if it.code:
            d["humanCodingScheme"] = f"{it.code}@{lang}"
        d["abbreviatedStatement"] = tr.label
        d["language"] = lang
        d["CFItemTypeURI"] = link(
            "CFItemTypes", stable_id("itemtype", "translation"), TRANSLATION_TYPE
        )
        d["lastChangeDateTime"] = when
        items_out.append(d)
        assocs.append(
            assoc(
                tr,
                tr.label,
                "isRelatedTo",
                link("CFItems", it.identifier, it.label),
                grouping="translation",
                when=when,
            )
        )

    rubrics_out = []
    for r_i, r in enumerate(fw.rubrics):
        crit_out = []
        rts = r.last_change or ts
        crit_sources: list[tuple[str, str, Criterion]] = [
            (c.item, by_id[c.item].label, c)
            for c in sorted(r.criteria, key=lambda c: reading_order.get(c.item, 0))
        ]
        if r_i == 0:
            for it, lang, tr in trans_out:
                if tr.levels:
                    crit_sources.append(
                        (
                            tr.identifier,
                            tr.label,
                            Criterion(
                                item=tr.identifier,
                                levels=tr.levels,
                                identifier=stable_id(r.identifier, "criterion", it.code, lang),
                            ),
                        )
                    )
        for pos, (target, label, c) in enumerate(crit_sources, 1):
            cid = c.identifier or stable_id(r.identifier, "criterion", target)
            c.identifier = cid
            levels_out = []
            for l_pos, lv in enumerate(c.levels):
                lid = lv.identifier or stable_id(cid, "level", _fmt_score(lv.score))
                lv.identifier = lid
                ld: dict[str, Any] = {
                    "identifier": lid,
                    "uri": case_url(base, "CFRubricCriterionLevels", lid),
                }
                if lv.description:
                    ld["description"] = lv.description
                ld["quality"] = lv.quality
                ld["score"] = lv.score
                ld["position"] = l_pos
                ld["rubricCriterionId"] = cid
                ld["lastChangeDateTime"] = rts
                levels_out.append(ld)
            cd: dict[str, Any] = {
                "identifier": cid,
                "uri": case_url(base, "CFRubricCriteria", cid),
                "category": label,
            }
            if c.description:
                cd["description"] = c.description
            cd["CFItemURI"] = link("CFItems", target, label)
            if c.weight is not None:
                cd["weight"] = c.weight
            cd["position"] = pos
            cd["rubricId"] = r.identifier
            cd["lastChangeDateTime"] = rts
            cd["CFRubricCriterionLevels"] = levels_out
            crit_out.append(cd)
        rd: dict[str, Any] = {
            "identifier": r.identifier,
            "uri": case_url(base, "CFRubrics", r.identifier),
            "title": r.title,
        }
        if r.description:
            rd["description"] = r.description
        rd["lastChangeDateTime"] = rts
        rd["CFRubricCriteria"] = crit_out
        rubrics_out.append(rd)

    item_types = [
        {
            "identifier": stable_id("itemtype", kind),
            "uri": case_url(base, "CFItemTypes", stable_id("itemtype", kind)),
            "title": ITEM_TYPES[kind],
            "description": _ITEM_TYPE_DESCRIPTIONS[kind],
            "hierarchyCode": str(i),
            "typeCode": kind,
            "lastChangeDateTime": "2026-01-01T00:00:00+00:00",
        }
        for i, kind in enumerate(ITEM_TYPES, 1)
        if kind in used_types
    ]
    groupings_out = [
        {
            "identifier": grouping_id(kind),
            "uri": case_url(base, "CFAssociationGroupings", grouping_id(kind)),
            "title": title,
            "description": f"badger:{kind}",
            "lastChangeDateTime": "2026-01-01T00:00:00+00:00",
        }
        for kind, title in GROUPINGS.items()
        if kind in used_groupings
    ]
    return {
        "CFDocument": doc,
        "CFItems": items_out,
        "CFAssociations": assocs,
        "CFDefinitions": {
            "CFConcepts": [],
            "CFSubjects": [],
            "CFLicenses": licenses,
            "CFItemTypes": item_types,
            "CFAssociationGroupings": groupings_out,
        },
        "CFRubrics": rubrics_out,
    }


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


# --------------------------------------------------------------------------- badger scale

#: badger's own 0–5 level names by language — the one place they are written: the editor
#: proposes them for a translation (CASE ``quality`` of its levels), ``referentiels/build.py``
#: writes them into the shipped translations. Not any framework's: the rubric says so. French is
#: badger's; en, ar and uk are badger's machine-assisted translations in plain words, to be
#: reviewed by native speakers (``referentiels/PROVENANCE.md``). Changing one changes what the
#: shipped packages must contain (rebuild them).
BADGER_SCALE_NAMES: dict[str, list[str]] = {
    "fr": ["Pas encore observé", "Découverte", "En cours d'acquisition", "Acquis avec appui",
           "Acquis en autonomie", "Maîtrisé et transmis"],
    "en": ["Not yet observed", "Discovering", "Being acquired", "Acquired with support",
           "Acquired independently", "Mastered and passed on"],
    "ar": ["لم يُلاحَظ بعد", "اكتشاف", "قيد التعلّم", "مكتسَب بمساعدة", "مكتسَب باستقلالية",
           "متقَن وأنقله للآخرين"],
    "uk": ["Ще не помічено", "Знайомство", "У процесі навчання", "Засвоєно з допомогою",
           "Засвоєно самостійно", "Опановано й передаю іншим"],
}
#: badger's 0–5 grid scale in French (the référentiels' own language): (score, name).
BADGER_SCALE: list[tuple[int, str]] = list(enumerate(BADGER_SCALE_NAMES["fr"]))

BADGER_SCALE_TITLE = "Échelle badger 0–5 (grille radar)"
BADGER_SCALE_DESCRIPTION = (
    "Échelle générique de badger pour la grille à 6 niveaux (0 à 5) remplie par le coach et le "
    "participant. Ces intitulés sont ceux de badger, pas ceux du référentiel."
)


def add_badger_scale(fw: Framework) -> Rubric:
    """Append badger's generic 0–5 rubric (one criterion per competence) to ``fw``."""
    rid = stable_id(fw.key, fw.version, "rubric", "badger-0-5")
    rubric = Rubric(identifier=rid, title=BADGER_SCALE_TITLE, description=BADGER_SCALE_DESCRIPTION)
    for it in fw.competences:
        rubric.criteria.append(
            Criterion(item=it.identifier, levels=[LevelText(float(s), q) for s, q in BADGER_SCALE])
        )
    fw.rubrics.append(rubric)
    return rubric


def grid_rubric(fw: Framework) -> Rubric | None:
    """Return the rubric used for the 0–5 grid (badger's scale, else the first 0–5 rubric)."""
    for r in fw.rubrics:
        if r.title == BADGER_SCALE_TITLE:
            return r
    for r in fw.rubrics:
        if r.scale_min == 0 and r.scale_max == 5:
            return r
    return None


# --------------------------------------------------------------------------- CSV

CSV_BASE_COLUMNS = ("category", "code", "label", "description")
_LEVEL_RE = re.compile(r"^level_(\d+)$")
_TRANS_RE = re.compile(r"^(label|description)_([a-z]{2,3})$")


def parse_csv(
    text: str | bytes,
    *,
    title: str,
    creator: str,
    key: str | None = None,
    version: str = "1",
    language: str = "fr",
    base_url: str = "https://badger.example.org",
    max_bytes: int = MAX_BYTES,
) -> Framework:
    """Parse a spreadsheet export into a :class:`Framework`.

    Columns (header row, any order; ``;`` or ``,`` delimiter; UTF-8 with or without BOM):
    ``category, code, label, description, level_0 … level_5`` (or ``level_1 … level_N`` for
    another scale), ``esco_uri``, ``rome_code``, ``pictogram``, ``label_<lang>``,
    ``description_<lang>``. ``code`` and ``label`` are required. With ``level_0 … level_5``
    the cells describe the levels of badger's 0–5 grid scale (whose level names stay badger's);
    other level columns become a rubric of their own whose level names are the cells. Without
    level columns badger's 0–5 scale is attached.
    """
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise CaseImportError([(at("/"), _too_big(len(text), max_bytes))])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CaseImportError([(Location(byte=exc.start), _NOT_UTF8)]) from exc
    text = text.lstrip("\ufeff")
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise CaseImportError([(at("/"), _too_big(size, max_bytes))])
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = _csv_reader(text, delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CaseImportError([(line_at(1), _l("fichier vide"))]) from None
    errors: list[tuple[Location, Any]] = []
    for req in ("code", "label"):
        if req not in header:
            errors.append((line_at(1), _l("colonne obligatoire manquante : %(name)s", name=req)))
    dupes = {h for h in header if header.count(h) > 1}
    for h in sorted(dupes):
        errors.append((line_at(1), _l("colonne en double : %(name)s", name=h)))
    if errors:
        raise CaseImportError(errors)
    level_cols = sorted(
        ((int(m.group(1)), i) for i, h in enumerate(header) if (m := _LEVEL_RE.match(h))),
    )
    known = set(CSV_BASE_COLUMNS) | {"esco_uri", "rome_code", "pictogram"}
    for i, h in enumerate(header):
        if h and h not in known and not _LEVEL_RE.match(h) and not _TRANS_RE.match(h):
            errors.append((line_at(1, i + 1), _l("colonne inconnue : %(name)s", name=h)))
    key = key or slugify(title)
    fw = Framework(
        identifier=stable_id(key, version, "document"),
        title=title,
        creator=creator,
        key=key,
        version=version,
        language=language,
        base_url=base_url,
        last_change=now_iso(),
    )
    categories: dict[str, Item] = {}
    #: items under each parent so far (None: top level, categories included), kept as the
    #: rows go: counting them per row made parsing quadratic (100,000 rows took minutes)
    children: dict[str | None, int] = {}
    codes: dict[str, int] = {}
    rubric_levels: dict[str, list[LevelText]] = {}
    col = {h: i for i, h in enumerate(header)}
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            errors.append((line_at(line_no), _l("%(cells)s cellules pour %(columns)s colonnes",
                                            cells=len(cells), columns=len(header))))
            continue
        cells = cells + [""] * (len(header) - len(cells))

        def cell(name: str, cells: list[str] = cells) -> str:
            return csvsafe.unquote(cells[col[name]].strip()) if name in col else ""

        code, label = cell("code"), cell("label")
        if not code:
            errors.append((line_at(line_no, "code"), _l("code vide")))
        if not label:
            errors.append((line_at(line_no, "label"), _l("libellé vide")))
        if code in codes:
            errors.append((line_at(line_no, "code"),
                           _l("code en double « %(code)s » (ligne %(line)s)", code=code,
                              line=codes[code])))
        if not code or not label or code in codes:
            continue
        codes[code] = line_no
        parent = None
        cat_label = cell("category")
        if cat_label:
            if cat_label not in categories:
                ccode = f"CAT-{len(categories) + 1}"
                categories[cat_label] = Item(
                    identifier=fw.item_id_for(ccode),
                    code=ccode,
                    label=cat_label,
                    kind="category",
                    position=len(categories) + 1,
                    language=language,
                )
                fw.items.append(categories[cat_label])
                children[None] = children.get(None, 0) + 1
            parent = categories[cat_label].identifier
        siblings = children.get(parent, 0)
        item = Item(
            identifier=fw.item_id_for(code),
            code=code,
            label=label,
            description=cell("description"),
            parent=parent,
            position=siblings + 1,
            pictogram=cell("pictogram") or None,
            language=language,
        )
        esco = cell("esco_uri")
        if esco:
            if not esco.startswith("http://data.europa.eu/esco/"):
                errors.append((line_at(line_no, "esco_uri"), _l("URI ESCO attendue")))
            item.links.append(ExternalLink("esco", esco, esco.rsplit("/", 1)[-1]))
        rome = cell("rome_code")
        if rome:
            item.links.append(ExternalLink("rome", f"urn:rome:{rome}", rome))
        for h in header:
            m = _TRANS_RE.match(h)
            if m and cell(h):
                tr = item.translations.setdefault(m.group(2), Translation(label=""))
                setattr(tr, m.group(1), cell(h))
        for lang, tr in list(item.translations.items()):
            if not tr.label:
                errors.append((line_at(line_no, f"label_{lang}"), _l("traduction sans libellé")))
                del item.translations[lang]
        levels = [
            LevelText(float(score), csvsafe.unquote(cells[i].strip())) for score, i in level_cols
            if cells[i].strip()
        ]
        if level_cols and len(levels) not in (0, len(level_cols)):
            errors.append((line_at(line_no), _l("%(filled)s niveaux remplis sur %(total)s",
                                            filled=len(levels), total=len(level_cols))))
        if levels:
            rubric_levels[item.identifier] = levels
        fw.items.append(item)
        children[parent] = siblings + 1
    if not codes and not errors:
        errors.append((line_at(2), _l("aucune compétence")))
    if errors:
        raise CaseImportError(errors)
    scores = [s for s, _ in level_cols]
    if rubric_levels and scores == [s for s, _ in BADGER_SCALE]:
        # The grid scale: level names are badger's, the cells describe each level.
        names = dict(BADGER_SCALE)
        grid = add_badger_scale(fw)
        for crit in grid.criteria:
            texts = {lv.score: lv.quality for lv in rubric_levels.get(crit.item, [])}
            for lv in crit.levels:
                text = texts.get(lv.score, "")
                lv.description = "" if text == names[int(lv.score)] else text
    elif rubric_levels:
        rubric = Rubric(
            identifier=stable_id(key, version, "rubric", "csv"),
            title=f"Niveaux {scores[0]}–{scores[-1]}",
        )
        for it in fw.competences:
            if it.identifier in rubric_levels:
                rubric.criteria.append(Criterion(it.identifier, rubric_levels[it.identifier]))
        fw.rubrics.append(rubric)
    else:
        add_badger_scale(fw)
    return fw


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


# --------------------------------------------------------------------------- helpers


def iter_levels(fw: Framework) -> Iterator[tuple[Rubric, Criterion, LevelText]]:
    """Yield every (rubric, criterion, level) of ``fw``."""
    for r in fw.rubrics:
        for c in r.criteria:
            for lv in c.levels:
                yield r, c, lv


def renumber(items: Iterable[Item]) -> None:
    """Give siblings consecutive positions 1..n in their current order."""
    counters: dict[str | None, int] = {}
    for it in items:
        counters[it.parent] = counters.get(it.parent, 0) + 1
        it.position = counters[it.parent]
