"""The CASE 1.0 REST binding (``/ims/case/v1p0/…``, IMS CASE Service 1.0 OpenAPI): every
URI badger writes into a package resolves here, for published versions only.

Answers are shaped as the binding's definitions say: single objects for CFDocuments, CFItems,
CFAssociations, CFLicenses, CFAssociationGroupings, CFRubrics; ``{"CFConcepts": [...]}``,
``{"CFSubjects": [...]}``, ``{"CFItemTypes": [...]}`` sets (the object asked for, then the
children its ``hierarchyCode`` names); ``{"CFItem": ..., "CFAssociations": [...]}`` for
CFItemAssociations. Every refusal is an ``imsx_StatusInfo``: 400 ``invaliduuid`` for an
identifier that is not a UUID, 404 ``unknownobject`` for a UUID no published version holds,
400 ``invalid_sort_field``/``invalid_selection_field`` for CFDocuments' parameters
(:mod:`.case_query`). Answers are JSON only (406 otherwise), hence ``Vary: Accept``.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask import Response, request

from badger import referentiels, urls
from badger.db import get_session, unscoped
from badger.referentiels import case
from badger.referentiels.blueprint import CACHE_LIST, CACHE_PUBLISHED, bp, conditional
from badger.referentiels.case.schema import SCHEMA_DIR
from badger.referentiels.case_query import Page, QueryError
from badger.referentiels.models import ReferentielVersion
from badger.urls import CASE_PATH

VARY = "Accept, Accept-Encoding"


def _status(status: int, code: str | None, description: str, field: str = "sourcedId",
            major: str = "failure") -> Response:
    """An ``imsx_StatusInfo`` failure (the binding's body for every 4xx)."""
    body: dict[str, Any] = {
        "imsx_codeMajor": major,
        "imsx_severity": "error",
        "imsx_description": description,
    }
    if code is not None:
        body["imsx_codeMinor"] = {"imsx_codeMinorField": [
            {"imsx_codeMinorFieldName": field, "imsx_codeMinorFieldValue": code}
        ]}
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = VARY
    return response


def _not_found(kind: str, identifier: str) -> Response:
    return _status(404, "unknownobject", f"{kind} {identifier} not found")


@bp.before_request
def _negotiate() -> Response | None:
    """CASE paths answer JSON only: a client that refuses it gets 406, and a bad identifier
    gets 400 ``invaliduuid`` before any lookup."""
    if not request.path.startswith(CASE_PATH + "/"):
        return None
    if request.accept_mimetypes and request.accept_mimetypes.best_match(
            ["application/json"]) is None:
        return _status(406, None, "only application/json is served", major="unsupported")
    identifier = (request.view_args or {}).get("identifier")
    if identifier is not None and not case.is_uuid(identifier):
        return _status(400, "invaliduuid", f"{identifier[:100]} is not a UUID")
    return None


def _json(obj: Any, tag: str, cache: str = CACHE_PUBLISHED) -> Response:
    text = json.dumps(obj, ensure_ascii=False)
    response = conditional(Response(text, mimetype="application/json"), tag, cache)
    response.headers["Vary"] = VARY
    return response


def _doc_link(v: ReferentielVersion) -> dict[str, str]:
    """Where badger serves its copy of the document (a foreign ``uri`` is kept as given)."""
    return {"title": v.title, "identifier": v.identifier, "uri": referentiels.document_url(v)}


def _document(v: ReferentielVersion) -> dict[str, Any]:
    doc = dict(referentiels.package_of(v)["CFDocument"])
    doc["CFPackageURI"] = {"title": v.title, "identifier": v.identifier,
                           "uri": urls.case_url("CFPackages", v.identifier)}
    return doc


@lru_cache(maxsize=1)
def _document_fields() -> tuple[frozenset[str], frozenset[str]]:
    """CFDocument's properties in the binding, and those a list may be sorted on (text)."""
    swagger = json.loads((SCHEMA_DIR / "case-v1p0-openapi-swagger2.json")
                         .read_text("utf-8"))
    props = swagger["definitions"]["CFPckgDocument.Type"]["properties"]
    known = frozenset(props) | {"CFPackageURI", "extensions", "frameworkType", "caseVersion"}
    sortable = frozenset(k for k, p in props.items() if p.get("type") == "string") | {
        "frameworkType", "caseVersion"}
    return known, sortable


def _link_header(page: Page, total: int) -> str:
    """RFC 8288 ``Link``: first, prev, next, last pages with the same parameters."""
    args = request.args.to_dict()
    links = []

    def url(offset: int) -> str:
        query = urllib.parse.urlencode({**args, "limit": page.limit, "offset": offset})
        return f"{request.base_url}?{query}"

    last = max(0, (total - 1) // page.limit * page.limit)
    links.append(f'<{url(0)}>; rel="first"')
    if page.offset > 0:
        links.append(f'<{url(max(0, page.offset - page.limit))}>; rel="prev"')
    if page.offset + page.limit < total:
        links.append(f'<{url(page.offset + page.limit)}>; rel="next"')
    links.append(f'<{url(last)}>; rel="last"')
    return ", ".join(links)


@bp.route(f"{CASE_PATH}/CFDocuments")
def case_documents() -> Any:
    """CASE: the published CFDocuments, with the binding's paging, sorting, filter and field
    selection; ``X-Total-Count`` and ``Link`` headers."""
    known, sortable = _document_fields()
    try:
        page = Page.from_args(request.args, known, sortable)
    except QueryError as exc:
        return _status(400, exc.code, exc.detail, exc.parameter)
    db = get_session()
    with unscoped(db):
        versions = referentiels.published_versions(db)
    total, docs = page.apply([_document(v) for v in versions])
    tag = "docs:" + request.query_string.decode("latin-1") + ":" + ",".join(
        f"{v.identifier}:{v.content_hash}" for v in versions)
    response = _json({"CFDocuments": docs}, tag, CACHE_LIST)
    response.headers["X-Total-Count"] = str(total)
    response.headers["Link"] = _link_header(page, total)
    return response


@bp.route(f"{CASE_PATH}/CFDocuments/<identifier>")
def case_document(identifier: str) -> Any:
    """CASE: one CFDocument (with its CFPackageURI)."""
    db = get_session()
    with unscoped(db):
        v = referentiels.get_version_by_identifier(db, identifier)
    if v is None or not v.is_published:
        return _not_found("CFDocument", identifier)
    return _json(_document(v), f"doc:{v.content_hash}")


@bp.route(f"{CASE_PATH}/CFPackages/<identifier>")
def case_package(identifier: str) -> Any:
    """CASE: the whole CFPackage of a published version."""
    db = get_session()
    with unscoped(db):
        v = referentiels.get_version_by_identifier(db, identifier)
    if v is None or not v.is_published:
        return _not_found("CFPackage", identifier)
    return _json(referentiels.package_of(v), f"pkg:{referentiels.package_tag(v)}")


def _object(kind: str, identifier: str,
            shape: Callable[[ReferentielVersion, dict[str, Any]], Any] | None = None) -> Response:
    """One published CASE object, shaped for the binding (as it is in the package by default)."""
    db = get_session()
    with unscoped(db):
        found = referentiels.published_case_object(db, kind, identifier)
        if found is None and kind == "CFAssociations":
            found = _crosswalk(db, identifier)
    if found is None:
        return _not_found(kind, identifier)
    v, obj = found
    body = shape(v, obj) if shape is not None else obj
    return _json(body, f"{kind}:{obj['identifier']}:{referentiels.package_tag(v)}")


def _crosswalk(db: Any, identifier: str) -> tuple[ReferentielVersion, dict[str, Any]] | None:
    """A crosswalk link: served in its référentiel's package, but added after publication, so
    not in the published objects' index."""
    found = referentiels.crosswalks.find_association(db, identifier)
    if found is None:
        return None
    v, ident = found
    obj = referentiels.find_in_package(referentiels.package_of(v), "CFAssociations", ident)
    return (v, obj) if obj is not None else None


def _with_document(v: ReferentielVersion, obj: dict[str, Any]) -> dict[str, Any]:
    return {**obj, "CFDocumentURI": _doc_link(v)}


def _hierarchy(kind: str) -> Callable[[ReferentielVersion, dict[str, Any]], Any]:
    """The binding's set answer: the object, then its children by ``hierarchyCode``."""

    def shape(v: ReferentielVersion, obj: dict[str, Any]) -> dict[str, Any]:
        code = obj.get("hierarchyCode")
        pool = referentiels.package_of(v)["CFDefinitions"].get(kind, [])
        children = sorted(
            (o for o in pool
             if code and isinstance(o.get("hierarchyCode"), str)
             and o["hierarchyCode"].startswith(f"{code}.")),
            key=lambda o: o["hierarchyCode"],
        )
        return {kind: [obj, *children]}

    return shape


@bp.route(f"{CASE_PATH}/CFItems/<identifier>")
def case_item(identifier: str) -> Any:
    """CASE: one CFItem (the target of OB 3.0 alignments)."""
    return _object("CFItems", identifier, _with_document)


@bp.route(f"{CASE_PATH}/CFItemAssociations/<identifier>")
def case_item_associations(identifier: str) -> Any:
    """CASE: a CFItem and every association from or to it (``CFAssociationSet``)."""
    db = get_session()
    with unscoped(db):
        found = referentiels.item_associations(db, identifier)
    if found is None:
        return _not_found("CFItem", identifier)
    v, item, assocs = found
    body = {"CFItem": _with_document(v, item), "CFAssociations": assocs}
    return _json(body, f"item-assocs:{item['identifier']}:{v.content_hash}")


@bp.route(f"{CASE_PATH}/CFAssociations/<identifier>")
def case_association(identifier: str) -> Any:
    """CASE: one CFAssociation."""
    return _object("CFAssociations", identifier, _with_document)


@bp.route(f"{CASE_PATH}/CFRubrics/<identifier>")
def case_rubric(identifier: str) -> Any:
    """CASE: one CFRubric with its criteria and levels."""
    return _object("CFRubrics", identifier)


@bp.route(f"{CASE_PATH}/CFRubricCriteria/<identifier>")
def case_criterion(identifier: str) -> Any:
    """One CFRubricCriterion (badger resolves every URI it writes)."""
    return _object("CFRubricCriteria", identifier)


@bp.route(f"{CASE_PATH}/CFRubricCriterionLevels/<identifier>")
def case_level(identifier: str) -> Any:
    """One CFRubricCriterionLevel (target of OB 3.0 RubricCriterionLevel alignments)."""
    return _object("CFRubricCriterionLevels", identifier)


@bp.route(f"{CASE_PATH}/CFItemTypes/<identifier>")
def case_item_type(identifier: str) -> Any:
    """CASE: a CFItemType and its children (``CFItemTypeSet``)."""
    return _object("CFItemTypes", identifier, _hierarchy("CFItemTypes"))


@bp.route(f"{CASE_PATH}/CFConcepts/<identifier>")
def case_concept(identifier: str) -> Any:
    """CASE: a CFConcept and its children (``CFConceptSet``)."""
    return _object("CFConcepts", identifier, _hierarchy("CFConcepts"))


@bp.route(f"{CASE_PATH}/CFSubjects/<identifier>")
def case_subject(identifier: str) -> Any:
    """CASE: a CFSubject and its children (``CFSubjectSet``)."""
    return _object("CFSubjects", identifier, _hierarchy("CFSubjects"))


@bp.route(f"{CASE_PATH}/CFAssociationGroupings/<identifier>")
def case_grouping(identifier: str) -> Any:
    """CASE: one CFAssociationGrouping."""
    return _object("CFAssociationGroupings", identifier)


@bp.route(f"{CASE_PATH}/CFLicenses/<identifier>")
def case_license(identifier: str) -> Any:
    """CASE: one CFLicense."""
    return _object("CFLicenses", identifier)
