"""A small CASE package that uses every CFDefinitions kind, for the REST binding's tests."""

from __future__ import annotations

import uuid
from typing import Any

BASE = "https://cadre.example.org/ims/case/v1p0"
WHEN = "2026-03-01T10:00:00+00:00"


def ident(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:test:case-rest:{name}"))


def link(kind: str, name: str, title: str) -> dict[str, str]:
    return {"title": title, "identifier": ident(name), "uri": f"{BASE}/{kind}/{ident(name)}"}


def _definition(kind: str, name: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"identifier": ident(name), "uri": f"{BASE}/{kind}/{ident(name)}", "title": title,
            **extra, "lastChangeDateTime": WHEN}


def package(doc: str = "doc", title: str = "Cadre d'essai REST", *,
            language: str = "fr") -> dict[str, Any]:
    """A framework with two items, three associations and every definition kind."""
    items = [
        {"identifier": ident(f"{doc}-item-{n}"),
         "uri": f"{BASE}/CFItems/{ident(f'{doc}-item-{n}')}",
         "fullStatement": f"Compétence {n} du cadre", "humanCodingScheme": f"C{n}",
         "CFItemType": "Compétence",
         "CFItemTypeURI": link("CFItemTypes", "type-comp", "Compétence"),
         "conceptKeywordsURI": link("CFConcepts", "concept-1.1", "Coopérer"),
         "language": language, "lastChangeDateTime": WHEN}
        for n in (1, 2)
    ]
    doc_link = link("CFDocuments", doc, title)

    def assoc(name: str, atype: str, origin: int, dest: dict[str, str], **extra: Any) -> Any:
        return {"identifier": ident(f"{doc}-{name}"), "associationType": atype,
                "uri": f"{BASE}/CFAssociations/{ident(f'{doc}-{name}')}",
                "originNodeURI": {"title": items[origin]["fullStatement"],
                                  "identifier": items[origin]["identifier"],
                                  "uri": items[origin]["uri"]},
                "destinationNodeURI": dest, **extra, "lastChangeDateTime": WHEN}

    item2 = {"title": items[1]["fullStatement"], "identifier": items[1]["identifier"],
             "uri": items[1]["uri"]}
    return {
        "CFDocument": {
            "identifier": ident(doc), "uri": f"{BASE}/CFDocuments/{ident(doc)}",
            "creator": "Réseau d'essai", "title": title, "lastChangeDateTime": WHEN,
            "publisher": "Éditeur d'essai", "description": f"Description de {title}",
            "subject": ["Coopération"], "subjectURI": [link("CFSubjects", "subject-1", "Savoirs")],
            "language": language, "version": "1.0", "adoptionStatus": "Adopted",
            "licenseURI": link("CFLicenses", "license", "CC BY 4.0"),
        },
        "CFItems": items,
        "CFAssociations": [
            assoc("a1", "isChildOf", 0, doc_link, sequenceNumber=1),
            assoc("a2", "isChildOf", 1, doc_link, sequenceNumber=2),
            assoc("a3", "precedes", 0, item2,
                  CFAssociationGroupingURI=link("CFAssociationGroupings", "grouping", "Parcours")),
        ],
        "CFDefinitions": {
            "CFConcepts": [
                _definition("CFConcepts", "concept-1", "Relations", hierarchyCode="1",
                            keywords="relations"),
                _definition("CFConcepts", "concept-1.1", "Coopérer", hierarchyCode="1.1"),
                _definition("CFConcepts", "concept-1.2", "Communiquer", hierarchyCode="1.2"),
                _definition("CFConcepts", "concept-2", "Organisation", hierarchyCode="2"),
            ],
            "CFSubjects": [
                _definition("CFSubjects", "subject-1", "Savoirs", hierarchyCode="1"),
                _definition("CFSubjects", "subject-1.1", "Savoir-être", hierarchyCode="1.1"),
            ],
            "CFLicenses": [_definition("CFLicenses", "license", "CC BY 4.0",
                                       licenseText="https://creativecommons.org/licenses/by/4.0/")],
            "CFItemTypes": [_definition("CFItemTypes", "type-comp", "Compétence",
                                        description="Une compétence", hierarchyCode="1",
                                        typeCode="competence")],
            "CFAssociationGroupings": [_definition("CFAssociationGroupings", "grouping",
                                                   "Parcours", description="Ordre conseillé")],
        },
    }
