"""The CASE 1.0 REST endpoints (``/ims/case/v1p0/…``): every URI badger writes into a package
resolves here, for published versions only."""

from __future__ import annotations

import json
from typing import Any

from flask import Response

from badger import referentiels, urls
from badger.db import get_session, unscoped
from badger.referentiels.blueprint import CACHE_LIST, CACHE_PUBLISHED, bp, conditional
from badger.referentiels.models import ReferentielVersion
from badger.urls import CASE_PATH


def _imsx_not_found(kind: str, identifier: str) -> Response:
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": f"{kind} {identifier} not found",
        "imsx_codeMinor": {"imsx_codeMinorField": [
            {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": "unknownobject"}
        ]},
    }
    response = Response(json.dumps(body), status=404, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _json(obj: Any, tag: str, cache: str = CACHE_PUBLISHED) -> Response:
    text = json.dumps(obj, ensure_ascii=False)
    return conditional(Response(text, mimetype="application/json"), tag, cache)


def _published(identifier: str) -> ReferentielVersion | None:
    db = get_session()
    with unscoped(db):
        v = referentiels.get_version_by_identifier(db, identifier)
    return v if v is not None and v.is_published else None


def _doc_link(v: ReferentielVersion) -> dict[str, str]:
    return {"title": v.title, "identifier": v.identifier, "uri": referentiels.document_url(v)}


@bp.route(f"{CASE_PATH}/CFDocuments")
def case_documents() -> Any:
    """CASE: every published CFDocument."""
    db = get_session()
    with unscoped(db):
        versions = referentiels.published_versions(db)
    docs = []
    for v in versions:
        doc = dict(referentiels.package_of(v)["CFDocument"])
        doc["CFPackageURI"] = {
            "title": v.title, "identifier": v.identifier,
            "uri": urls.case_url("CFPackages", v.identifier),
        }
        docs.append(doc)
    tag = "docs:" + ",".join(f"{v.identifier}:{v.content_hash}" for v in versions)
    return _json({"CFDocuments": docs}, tag, CACHE_LIST)


@bp.route(f"{CASE_PATH}/CFDocuments/<identifier>")
def case_document(identifier: str) -> Any:
    """CASE: one CFDocument (with its CFPackageURI)."""
    v = _published(identifier)
    if v is None:
        return _imsx_not_found("CFDocument", identifier)
    doc = dict(referentiels.package_of(v)["CFDocument"])
    doc["CFPackageURI"] = {"title": v.title, "identifier": v.identifier,
                           "uri": urls.case_url("CFPackages", v.identifier)}
    return _json(doc, f"doc:{v.content_hash}")


@bp.route(f"{CASE_PATH}/CFPackages/<identifier>")
def case_package(identifier: str) -> Any:
    """CASE: the whole CFPackage of a published version."""
    v = _published(identifier)
    if v is None:
        return _imsx_not_found("CFPackage", identifier)
    return _json(referentiels.package_of(v), f"pkg:{referentiels.package_tag(v)}")


@bp.route(f"{CASE_PATH}/CFItems/<identifier>")
def case_item(identifier: str) -> Any:
    """CASE: one CFItem (the target of OB 3.0 alignments)."""
    db = get_session()
    with unscoped(db):
        found = referentiels.published_item(db, identifier)
    if found is None:
        return _imsx_not_found("CFItem", identifier)
    v, ident = found
    item = referentiels.find_in_package(referentiels.package_of(v), "CFItems", ident)
    if item is None:
        return _imsx_not_found("CFItem", identifier)
    out = {**item, "CFDocumentURI": _doc_link(v)}
    return _json(out, f"item:{ident}:{v.content_hash}")


def _case_object(kind: str, identifier: str) -> Response:
    db = get_session()
    with unscoped(db):
        v = referentiels.published_object(db, kind, identifier)
        if v is None and kind == "CFAssociations":  # a crosswalk (added after publication)
            found = referentiels.crosswalks.find_association(db, identifier)
            v = found[0] if found else None
    if v is None:
        return _imsx_not_found(kind, identifier)
    obj = referentiels.find_in_package(referentiels.package_of(v), kind, identifier)
    if obj is None:
        return _imsx_not_found(kind, identifier)
    if kind == "CFAssociations":
        obj = {**obj, "CFDocumentURI": _doc_link(v)}
    return _json(obj, f"{kind}:{identifier}:{referentiels.package_tag(v)}")


@bp.route(f"{CASE_PATH}/CFAssociations/<identifier>")
def case_association(identifier: str) -> Any:
    """CASE: one CFAssociation."""
    return _case_object("CFAssociations", identifier)


@bp.route(f"{CASE_PATH}/CFRubrics/<identifier>")
def case_rubric(identifier: str) -> Any:
    """CASE: one CFRubric with its criteria and levels."""
    return _case_object("CFRubrics", identifier)


@bp.route(f"{CASE_PATH}/CFRubricCriteria/<identifier>")
def case_criterion(identifier: str) -> Any:
    """One CFRubricCriterion (badger resolves every URI it writes)."""
    return _case_object("CFRubricCriteria", identifier)


@bp.route(f"{CASE_PATH}/CFRubricCriterionLevels/<identifier>")
def case_level(identifier: str) -> Any:
    """One CFRubricCriterionLevel (target of OB 3.0 RubricCriterionLevel alignments)."""
    return _case_object("CFRubricCriterionLevels", identifier)


@bp.route(f"{CASE_PATH}/CFItemTypes/<identifier>")
def case_item_type(identifier: str) -> Any:
    """CASE: one CFItemType."""
    return _case_object("CFItemTypes", identifier)


@bp.route(f"{CASE_PATH}/CFAssociationGroupings/<identifier>")
def case_grouping(identifier: str) -> Any:
    """CASE: one CFAssociationGrouping."""
    return _case_object("CFAssociationGroupings", identifier)


@bp.route(f"{CASE_PATH}/CFLicenses/<identifier>")
def case_license(identifier: str) -> Any:
    """CASE: one CFLicense."""
    return _case_object("CFLicenses", identifier)


