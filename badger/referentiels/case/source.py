"""What a real CASE package is turned into before badger reads it, and why.

Publishers (OpenSALT first) write CASE 1.0 packages that the CASE 1.1 package schema does not
accept as such: ``CFDocumentURI``/``CFPackageURI`` inside the package, ``null`` values, numbers
written as text, upper-case UUIDs. :func:`normalise` rewrites only those, on a copy, and notes each
rewrite (:class:`Note`, a JSON pointer and a reason) so that ``badger referentiel diff`` can tell a
listed normalisation from a real difference. Everything else is kept as given: the normalised
package is what badger stores and serves back (see ``README`` "CASE without loss").

The normalisations (README lists the same, in the same words):

* ``null`` values are removed (CASE has no null; absent and null mean the same);
* identifiers that are UUIDs are written in lower case (CASE 1.1 requires it);
* ``sequenceNumber``, ``weight``, ``score`` and ``position`` written as text become numbers;
* properties CASE 1.1 does not define (``CFDocumentURI``, ``CFPackageURI``,
  ``CFItemAssociationURI``, ``educationalLevel``…) move into the object's ``extensions``,
  unchanged; on a link object (which has no ``extensions``) they are removed;
* a date field (``statusStartDate``, ``statusEndDate``) written as a date-time keeps its date;
  the publisher's full value goes into ``extensions`` under the same name;
* byte-identical duplicate objects (same identifier, same content) are merged into the first;
* a required field the publisher left out gets an empty text, a missing ``lastChangeDateTime``
  the document's, a missing ``uri`` ``urn:uuid:<identifier>`` (each also a warning);
* the package's arrays (``CFItems``, ``CFAssociations``, ``CFRubrics``, the five
  ``CFDefinitions``) are written even when empty.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

#: The properties CASE 1.1 defines, per object kind (the package schema's ``properties``).
_LINK = ("title", "identifier", "uri")
FIELDS: dict[str, tuple[str, ...]] = {
    "CFDocument": ("identifier", "uri", "frameworkType", "caseVersion", "creator", "title",
                   "lastChangeDateTime", "officialSourceURL", "publisher", "description",
                   "subject", "subjectURI", "language", "version", "adoptionStatus",
                   "statusStartDate", "statusEndDate", "licenseURI", "notes", "extensions"),
    "CFItems": ("identifier", "fullStatement", "alternativeLabel", "CFItemType", "uri",
                "humanCodingScheme", "listEnumeration", "abbreviatedStatement", "conceptKeywords",
                "conceptKeywordsURI", "notes", "subject", "subjectURI", "language",
                "educationLevel", "CFItemTypeURI", "licenseURI", "statusStartDate",
                "statusEndDate", "lastChangeDateTime", "extensions"),
    "CFAssociations": ("identifier", "associationType", "sequenceNumber", "uri", "originNodeURI",
                       "destinationNodeURI", "CFAssociationGroupingURI", "lastChangeDateTime",
                       "notes", "extensions"),
    "CFConcepts": ("identifier", "uri", "title", "keywords", "hierarchyCode", "description",
                   "lastChangeDateTime", "extensions"),
    "CFSubjects": ("identifier", "uri", "title", "hierarchyCode", "description",
                   "lastChangeDateTime", "extensions"),
    "CFLicenses": ("identifier", "uri", "title", "description", "licenseText",
                   "lastChangeDateTime", "extensions"),
    "CFItemTypes": ("identifier", "uri", "title", "description", "hierarchyCode", "typeCode",
                    "lastChangeDateTime", "extensions"),
    "CFAssociationGroupings": ("identifier", "uri", "title", "description", "lastChangeDateTime",
                               "extensions"),
    "CFRubrics": ("identifier", "uri", "title", "description", "lastChangeDateTime",
                  "CFRubricCriteria", "extensions"),
    "CFRubricCriteria": ("identifier", "uri", "category", "description", "CFItemURI", "weight",
                         "position", "rubricId", "lastChangeDateTime", "CFRubricCriterionLevels",
                         "extensions"),
    "CFRubricCriterionLevels": ("identifier", "uri", "description", "quality", "score",
                                "feedback", "position", "rubricCriterionId",
                                "lastChangeDateTime", "extensions"),
}
#: Required properties other than ``identifier`` (a missing identifier is refused).
REQUIRED: dict[str, tuple[str, ...]] = {
    "CFDocument": ("uri", "creator", "title", "lastChangeDateTime"),
    "CFItems": ("fullStatement", "uri", "lastChangeDateTime"),
    "CFAssociations": ("uri", "lastChangeDateTime"),
    "CFConcepts": ("uri", "title", "hierarchyCode", "lastChangeDateTime"),
    "CFSubjects": ("uri", "title", "hierarchyCode", "lastChangeDateTime"),
    "CFLicenses": ("uri", "title", "licenseText", "lastChangeDateTime"),
    "CFItemTypes": ("uri", "title", "description", "hierarchyCode", "lastChangeDateTime"),
    "CFAssociationGroupings": ("uri", "title", "lastChangeDateTime"),
    "CFRubrics": ("uri", "lastChangeDateTime"),
    "CFRubricCriteria": ("uri", "lastChangeDateTime"),
    "CFRubricCriterionLevels": ("uri", "lastChangeDateTime"),
}
#: Link properties (LinkURI / LinkGenURI) of each kind.
LINKS = {"subjectURI", "licenseURI", "conceptKeywordsURI", "CFItemTypeURI", "originNodeURI",
         "destinationNodeURI", "CFAssociationGroupingURI", "CFItemURI"}
_GEN_LINKS = {"originNodeURI", "destinationNodeURI"}
DEFINITIONS = ("CFConcepts", "CFSubjects", "CFLicenses", "CFItemTypes", "CFAssociationGroupings")
_NUMBERS = {"sequenceNumber": int, "position": int, "weight": float, "score": float}
_ID_FIELDS = {"identifier", "rubricId", "rubricCriterionId"}
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_EPOCH = "1970-01-01T00:00:00+00:00"
_DATES = {"statusStartDate", "statusEndDate"}
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]")

# Reasons (codes; README and ``badger referentiel diff`` print their French text).
NULL_REMOVED = "null retiré"
ID_LOWERCASED = "identifiant écrit en minuscules"
NUMBER_FROM_TEXT = "nombre écrit en texte"
MOVED_TO_EXTENSIONS = "propriété hors CASE 1.1 rangée dans extensions"
LINK_FIELD_DROPPED = "propriété hors CASE 1.1 d'un lien retirée"
DUPLICATE_MERGED = "doublon identique fusionné"
REQUIRED_FILLED = "champ requis absent complété"
DATE_FROM_DATETIME = "date écrite avec une heure"
ARRAY_ADDED = "liste vide écrite"


@dataclass(frozen=True)
class Note:
    """One normalisation: where (JSON pointer into the file as published) and why."""

    pointer: str
    reason: str
    detail: str = ""


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID_RE.match(value))


class _Normaliser:
    def __init__(self) -> None:
        self.notes: list[Note] = []
        self.doc_time = _EPOCH

    def note(self, pointer: str, reason: str, detail: str = "") -> None:
        self.notes.append(Note(pointer, reason, detail))

    def link(self, obj: Any, ptr: str, gen: bool) -> Any:
        if not isinstance(obj, dict):
            return obj
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if v is None:
                self.note(f"{ptr}/{k}", NULL_REMOVED)
                continue
            if k not in _LINK and not (gen and k == "targetType"):
                self.note(f"{ptr}/{k}", LINK_FIELD_DROPPED, k)
                continue
            if k == "identifier" and is_uuid(v) and v != v.lower():
                self.note(f"{ptr}/{k}", ID_LOWERCASED)
                v = v.lower()
            out[k] = v
        return out

    def value(self, kind: str, key: str, v: Any, ptr: str) -> Any:
        if key in LINKS:
            if isinstance(v, list):
                return [self.link(x, f"{ptr}/{i}", False) for i, x in enumerate(v)]
            return self.link(v, ptr, key in _GEN_LINKS)
        if key in _ID_FIELDS and is_uuid(v) and v != v.lower():
            self.note(ptr, ID_LOWERCASED)
            return v.lower()
        if key in _NUMBERS and isinstance(v, str):
            try:
                number = _NUMBERS[key](v.strip())
            except ValueError:
                return v
            self.note(ptr, NUMBER_FROM_TEXT)
            return number
        return v

    def obj(self, kind: str, obj: Any, ptr: str) -> Any:
        """One CASE object: nulls out, unknown properties into ``extensions``, required in."""
        if not isinstance(obj, dict):
            return obj
        out: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        known = FIELDS[kind]
        for k, v in obj.items():
            if v is None:
                self.note(f"{ptr}/{k}", NULL_REMOVED)
            elif k not in known:
                self.note(f"{ptr}/{k}", MOVED_TO_EXTENSIONS, k)
                extra[k] = v
            elif k in _DATES and isinstance(v, str) and _DATETIME_RE.match(v):
                self.note(f"{ptr}/{k}", DATE_FROM_DATETIME)
                out[k] = v[:10]
                extra[k] = v  # the publisher's full value, kept
            elif k == "CFRubricCriteria" and isinstance(v, list):
                out[k] = [self.obj("CFRubricCriteria", c, f"{ptr}/{k}/{i}")
                          for i, c in enumerate(v)]
            elif k == "CFRubricCriterionLevels" and isinstance(v, list):
                out[k] = [self.obj("CFRubricCriterionLevels", c, f"{ptr}/{k}/{i}")
                          for i, c in enumerate(v)]
            else:
                out[k] = self.value(kind, k, v, f"{ptr}/{k}")
        if extra:
            self.note(f"{ptr}/extensions", MOVED_TO_EXTENSIONS, ", ".join(extra))
            self._extend(kind, out, extra)
        if "identifier" in out:
            self._require(kind, out, ptr)
        return out

    def _extend(self, kind: str, out: dict[str, Any], extra: dict[str, Any]) -> None:
        ext = out.get("extensions")
        if kind == "CFRubricCriterionLevels":  # the 1.1 schema makes this one an array
            out["extensions"] = [*(ext if isinstance(ext, list) else []), extra]
        elif isinstance(ext, dict):
            out["extensions"] = {**extra, **ext}
        else:
            out["extensions"] = extra

    def _require(self, kind: str, out: dict[str, Any], ptr: str) -> None:
        for k in REQUIRED[kind]:
            if k in out:
                continue
            if k == "lastChangeDateTime":
                out[k] = self.doc_time
            elif k == "uri":
                out[k] = f"urn:uuid:{out['identifier']}"
            else:
                out[k] = ""
            self.note(f"{ptr}/{k}", REQUIRED_FILLED, k)

    def objects(self, kind: str, arr: Any, ptr: str) -> Any:
        """An array of objects: each normalised, byte-identical duplicates merged."""
        if not isinstance(arr, list):
            return arr
        out: list[Any] = []
        seen: dict[str, str] = {}
        for i, o in enumerate(arr):
            n = self.obj(kind, o, f"{ptr}/{i}")
            if isinstance(n, dict) and isinstance(n.get("identifier"), str):
                text = json.dumps(n, sort_keys=True, ensure_ascii=False)
                if seen.get(n["identifier"]) == text:
                    self.note(f"{ptr}/{i}", DUPLICATE_MERGED)
                    continue
                seen.setdefault(n["identifier"], text)
            out.append(n)
        return out


def normalise(pkg: dict[str, Any]) -> tuple[dict[str, Any], list[Note]]:
    """Return a normalised copy of ``pkg`` and the notes of what changed (module docstring).
    Shapes the schema refuses (an item that is not an object…) are left for it to report."""
    n = _Normaliser()
    src = copy.deepcopy(pkg)
    doc = src.get("CFDocument")
    if isinstance(doc, dict) and isinstance(doc.get("lastChangeDateTime"), str):
        n.doc_time = doc["lastChangeDateTime"]
    out: dict[str, Any] = {}
    for key, value in src.items():
        if value is None:
            n.note(f"/{key}", NULL_REMOVED)
        elif key == "CFDocument":
            out[key] = n.obj("CFDocument", value, "/CFDocument")
        elif key in ("CFItems", "CFAssociations", "CFRubrics"):
            out[key] = n.objects(key, value, f"/{key}")
        elif key == "CFDefinitions" and isinstance(value, dict):
            defs: dict[str, Any] = {}
            for dkey, dval in value.items():
                if dval is None:
                    n.note(f"/CFDefinitions/{dkey}", NULL_REMOVED)
                elif dkey in DEFINITIONS:
                    defs[dkey] = n.objects(dkey, dval, f"/CFDefinitions/{dkey}")
                elif dkey == "extensions":
                    defs[dkey] = ({**defs.get(dkey, {}), **dval} if isinstance(dval, dict)
                                  else dval)
                else:
                    n.note(f"/CFDefinitions/{dkey}", MOVED_TO_EXTENSIONS, dkey)
                    defs.setdefault("extensions", {})
                    if isinstance(defs["extensions"], dict):
                        defs["extensions"][dkey] = dval
            out[key] = defs
        elif key == "extensions" and isinstance(value, dict):
            out[key] = {**out.get(key, {}), **value}
        elif key in _TOP or key == "extensions":
            out[key] = value
        else:
            n.note(f"/{key}", MOVED_TO_EXTENSIONS, key)
            out.setdefault("extensions", {})
            if isinstance(out["extensions"], dict):
                out["extensions"][key] = value
    for key in ("CFItems", "CFAssociations"):
        if key not in out:
            n.note(f"/{key}", ARRAY_ADDED)
            out[key] = []
    defs = out.setdefault("CFDefinitions", {})
    if isinstance(defs, dict):
        for dkey in DEFINITIONS:
            if dkey not in defs:
                n.note(f"/CFDefinitions/{dkey}", ARRAY_ADDED)
                defs[dkey] = []
    if "CFRubrics" not in out:
        n.note("/CFRubrics", ARRAY_ADDED)
        out["CFRubrics"] = []
    return _ordered(out), n.notes


_TOP = ("CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "CFRubrics")


def _ordered(pkg: dict[str, Any]) -> dict[str, Any]:
    """Top-level keys in CASE order (the package's own order of anything else after them)."""
    out = {k: pkg[k] for k in _TOP if k in pkg}
    out.update({k: v for k, v in pkg.items() if k not in out})
    if isinstance(out.get("CFDefinitions"), dict):
        d = out["CFDefinitions"]
        out["CFDefinitions"] = {**{k: d[k] for k in DEFINITIONS if k in d},
                                **{k: v for k, v in d.items() if k not in DEFINITIONS}}
    return out
