"""The CASE 1.0 REST binding over HTTP: every path's 200 shape (validated against the binding's
own definitions), 400 invaliduuid vs 404 unknownobject, CFDocuments' paging, sorting, filter and
field selection with X-Total-Count and Link, Vary: Accept."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from badger import referentiels as service
from badger.referentiels import case
from tests.referentiels.case_rest_package import ident, package

ROOT = Path(__file__).resolve().parents[2]
B = "/ims/case/v1p0"
SWAGGER = json.loads((ROOT / "badger/referentiels/case_schemas/case-v1p0-openapi-swagger2.json")
                     .read_text("utf-8"))


def _merged(definitions: dict[str, Any]) -> dict[str, Any]:
    """The binding's definitions with each ``allOf`` of objects merged into one object.

    As published, ``CFDocument.Type`` (and ``CFItem.Type``, ``CFAssociation.Type``) is
    ``allOf: [CFPckgDocument.Type, {CFPackageURI, required}]`` while CFPckgDocument.Type says
    ``additionalProperties: false``: no document can satisfy both. Merging the branches
    (properties and required lists united, no other property allowed) is what the binding means.
    """
    out = {}
    for name, d in definitions.items():
        if "allOf" in d:
            props: dict[str, Any] = {}
            required: list[str] = []
            for part in d["allOf"]:
                part = definitions[part["$ref"].rsplit("/", 1)[1]] if "$ref" in part else part
                props.update(part.get("properties", {}))
                required += part.get("required", [])
            d = {"type": "object", "properties": props, "required": required,
                 "additionalProperties": False}
        out[name] = d
    return out


DEFINITIONS = _merged(SWAGGER["definitions"])


def binding_errors(body: Any, definition: str) -> list[str]:
    """Errors of ``body`` against the binding's ``definition`` (e.g. ``CFConceptSet.Type``)."""
    schema = {"$ref": f"#/definitions/{definition}", "definitions": DEFINITIONS}
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    return [e.message for e in validator.iter_errors(body)]


@pytest.fixture
def published(app: Any, db: Any) -> None:
    """Three published frameworks: the package using every definition, and two more to page."""
    for doc, title, lang in (("doc", "Cadre d'essai REST", "fr"), ("doc-b", "Beta framework", "en"),
                             ("doc-c", "Alpha cadre", "fr")):
        service.import_framework(db, case.parse_package(json.dumps(package(doc, title,
                                                                           language=lang))))
    db.commit()


PATHS = [
    ("CFDocuments", "doc", "CFDocument.Type"),
    ("CFPackages", "doc", "CFPackage.Type"),
    ("CFItems", "doc-item-1", "CFItem.Type"),
    ("CFAssociations", "doc-a3", "CFAssociation.Type"),
    ("CFItemAssociations", "doc-item-2", "CFAssociationSet.Type"),
    ("CFConcepts", "concept-1", "CFConceptSet.Type"),
    ("CFSubjects", "subject-1", "CFSubjectSet.Type"),
    ("CFLicenses", "license", "CFLicense.Type"),
    ("CFItemTypes", "type-comp", "CFItemTypeSet.Type"),
    ("CFAssociationGroupings", "grouping", "CFAssociationGrouping.Type"),
]


def assert_status(response: Any, status: int, code: str, field: str = "sourcedId") -> None:
    assert response.status_code == status
    body = response.get_json()
    assert binding_errors(body, "imsx_StatusInfo.Type") == []
    assert body["imsx_codeMajor"] == "failure"
    assert body["imsx_codeMinor"]["imsx_codeMinorField"] == [
        {"imsx_codeMinorFieldName": field, "imsx_codeMinorFieldValue": code}]
    assert response.headers["Cache-Control"] == "no-store"
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(("kind", "name", "definition"), PATHS)
def test_every_path_answers_the_bindings_shape(
    client: Any, published: None, kind: str, name: str, definition: str
) -> None:
    response = client.get(f"{B}/{kind}/{ident(name)}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Vary"].startswith("Accept, ")
    assert response.headers["ETag"]
    body = response.get_json()
    assert binding_errors(body, definition) == []
    again = client.get(f"{B}/{kind}/{ident(name)}",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    # A UUID in upper case names the same object; a malformed one is 400, an unknown one 404.
    assert client.get(f"{B}/{kind}/{ident(name).upper()}").get_json() == body
    assert_status(client.get(f"{B}/{kind}/not-a-uuid"), 400, "invaliduuid")
    assert_status(client.get(f"{B}/{kind}/{ident(name)[:-1]}"), 400, "invaliduuid")
    assert_status(client.get(f"{B}/{kind}/{ident('nothing-' + name)}"), 404, "unknownobject")


def test_objects_are_served_as_published_with_their_links(client: Any, published: None) -> None:
    concepts = client.get(f"{B}/CFConcepts/{ident('concept-1')}").get_json()["CFConcepts"]
    # The concept asked for, then its children by hierarchyCode — not "2", not other frameworks.
    assert [c["hierarchyCode"] for c in concepts] == ["1", "1.1", "1.2"]
    assert concepts[0]["keywords"] == "relations"
    leaf = client.get(f"{B}/CFConcepts/{ident('concept-1.1')}").get_json()
    assert [c["title"] for c in leaf["CFConcepts"]] == ["Coopérer"]
    subjects = client.get(f"{B}/CFSubjects/{ident('subject-1')}").get_json()["CFSubjects"]
    assert [s["title"] for s in subjects] == ["Savoirs", "Savoir-être"]
    types = client.get(f"{B}/CFItemTypes/{ident('type-comp')}").get_json()
    assert types["CFItemTypes"][0]["typeCode"] == "competence"
    lic = client.get(f"{B}/CFLicenses/{ident('license')}").get_json()
    assert lic["licenseText"] == "https://creativecommons.org/licenses/by/4.0/"
    # CFItemAssociations: the item, and every association from or to it (isChildOf, precedes).
    body = client.get(f"{B}/CFItemAssociations/{ident('doc-item-2')}").get_json()
    assert body["CFItem"]["humanCodingScheme"] == "C2"
    assert body["CFItem"]["CFDocumentURI"]["uri"].endswith(f"{B}/CFDocuments/{ident('doc')}")
    assert sorted(a["associationType"] for a in body["CFAssociations"]) == ["isChildOf",
                                                                             "precedes"]
    assert {a["identifier"] for a in body["CFAssociations"]} == {ident("doc-a2"),
                                                                 ident("doc-a3")}
    # The publisher's URIs are kept; badger's own copy is named by CFPackageURI/CFDocumentURI.
    doc = client.get(f"{B}/CFDocuments/{ident('doc')}").get_json()
    assert doc["uri"].startswith("https://cadre.example.org/")
    assert doc["CFPackageURI"]["uri"] == f"http://localhost{B}/CFPackages/{ident('doc')}"
    assoc = client.get(f"{B}/CFAssociations/{ident('doc-a3')}").get_json()
    assert assoc["CFAssociationGroupingURI"]["identifier"] == ident("grouping")


def test_drafts_are_not_served(client: Any, app: Any, db: Any) -> None:
    service.import_framework(db, case.parse_package(json.dumps(package("draft", "Brouillon"))),
                             publish=False)
    db.commit()
    for kind, name in (("CFDocuments", "draft"), ("CFItems", "draft-item-1"),
                       ("CFItemAssociations", "draft-item-1"), ("CFPackages", "draft")):
        assert_status(client.get(f"{B}/{kind}/{ident(name)}"), 404, "unknownobject")
    listed = client.get(f"{B}/CFDocuments")
    assert listed.get_json() == {"CFDocuments": []}
    assert listed.headers["X-Total-Count"] == "0"


def _titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [d.get("title") for d in response.get_json()["CFDocuments"]]


def _links(response: Any) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"',
                                                response.headers["Link"])}


def test_documents_paging_sorting_filter_and_fields(client: Any, published: None) -> None:
    everything = client.get(f"{B}/CFDocuments")
    assert binding_errors(everything.get_json(), "CFDocumentSet.Type") == []
    assert everything.headers["X-Total-Count"] == "3"
    assert _titles(client.get(f"{B}/CFDocuments?sort=title")) == [
        "Alpha cadre", "Beta framework", "Cadre d'essai REST"]
    assert _titles(client.get(f"{B}/CFDocuments?sort=title&orderBy=desc")) == [
        "Cadre d'essai REST", "Beta framework", "Alpha cadre"]
    page = client.get(f"{B}/CFDocuments?sort=title&limit=2&offset=1")
    assert _titles(page) == ["Beta framework", "Cadre d'essai REST"]
    assert page.headers["X-Total-Count"] == "3"
    links = _links(page)
    assert set(links) == {"first", "prev", "last"}
    assert "offset=0" in links["first"] and "sort=title" in links["first"]
    first = client.get(links["first"].replace("http://localhost", ""))
    assert _titles(first) == ["Alpha cadre", "Beta framework"]
    assert "offset=2" in _links(first)["next"]
    # Filters: =, !=, ~ (any case), AND / OR, a list field, a quoted quote.
    assert _titles(client.get(f"{B}/CFDocuments?filter=language='en'")) == ["Beta framework"]
    assert _titles(client.get(
        f"{B}/CFDocuments?sort=title&filter=language!='en'")) == ["Alpha cadre",
                                                                  "Cadre d'essai REST"]
    assert _titles(client.get(f"{B}/CFDocuments?filter=title~'CADRE' AND language='fr'"
                              "&sort=title")) == ["Alpha cadre", "Cadre d'essai REST"]
    assert _titles(client.get(f"{B}/CFDocuments?filter=title='Alpha cadre' OR "
                              "title='Beta framework'&sort=title")) == ["Alpha cadre",
                                                                        "Beta framework"]
    assert _titles(client.get(f"{B}/CFDocuments?filter=title='Cadre d''essai REST'")) == [
        "Cadre d'essai REST"]
    assert len(_titles(client.get(f"{B}/CFDocuments?filter=subject='Coopération'"))) == 3
    assert _titles(client.get(f"{B}/CFDocuments?filter=licenseURI.title='MIT'")) == []
    # Fields: only those properties.
    only = client.get(f"{B}/CFDocuments?fields=identifier,title&sort=title&limit=1")
    assert only.get_json() == {"CFDocuments": [{"identifier": ident("doc-c"),
                                                "title": "Alpha cadre"}]}
    assert only.headers["X-Total-Count"] == "3"


@pytest.mark.parametrize(("query", "field", "code"), [
    ("sort=colour", "sort", "invalid_sort_field"),
    ("sort=title&orderBy=up", "orderBy", "invalid_sort_field"),
    ("fields=title,colour", "fields", "invalid_selection_field"),
    ("filter=colour='red'", "filter", "invalid_selection_field"),
    ("filter=title='a' AND language='fr' OR language='en'", "filter", "invalid_selection_field"),
    ("filter=title=a", "filter", "invalid_selection_field"),
    ("limit=0", "limit", "invalid_selection_field"),
    ("limit=ten", "limit", "invalid_selection_field"),
    ("offset=-1", "offset", "invalid_selection_field"),
])
def test_documents_refuse_bad_parameters(client: Any, published: None, query: str, field: str,
                                         code: str) -> None:
    assert_status(client.get(f"{B}/CFDocuments?{query}"), 400, code, field)


def test_json_only_hence_vary_accept(client: Any, published: None) -> None:
    url = f"{B}/CFItems/{ident('doc-item-1')}"
    assert client.get(url, headers={"Accept": "text/html,*/*;q=0.8"}).status_code == 200
    refused = client.get(url, headers={"Accept": "application/xml"})
    assert refused.status_code == 406
    assert refused.get_json()["imsx_codeMajor"] == "unsupported"
    assert "Accept" in refused.headers["Vary"]
    assert client.post(url).status_code == 405
