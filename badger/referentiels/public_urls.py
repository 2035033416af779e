"""Permanent public URLs of référentiel objects (CASE CFItems, levels, documents) and the
OB 3.0 Alignment that cites a competence."""

from __future__ import annotations

from typing import Any

from badger import urls
from badger.referentiels.models import Competence, ReferentielVersion


def item_url(identifier: str, base: str | None = None) -> str:
    """The CASE CFItem URL of a competence: use it as OB 3.0 ``Alignment.targetUrl``."""
    return urls.case_url("CFItems", identifier, base)


def competence_public_url(competence: Competence, base: str | None = None) -> str:
    """The permanent public URL of ``competence`` (its CASE CFItem)."""
    return item_url(competence.identifier, base)


def rubric_level_url(level_identifier: str, base: str | None = None) -> str:
    """The CASE ``CFRubricCriterionLevel`` URL of one level (OB 3.0 RubricCriterionLevel)."""
    return urls.case_url("CFRubricCriterionLevels", level_identifier, base)


def document_url(version: ReferentielVersion, base: str | None = None) -> str:
    return urls.case_url("CFDocuments", version.identifier, base)


def alignment(competence: Competence, base: str | None = None) -> dict[str, Any]:
    """An OB 3.0 Alignment to ``competence`` (targetType CFItem), as in the 1EdTech example."""
    out: dict[str, Any] = {
        "type": ["Alignment"],
        "targetType": "CFItem",
        "targetName": competence.label,
        "targetUrl": competence_public_url(competence, base),
        "targetFramework": competence.version.title,
        "targetCode": competence.identifier,
    }
    if competence.description:
        out["targetDescription"] = competence.description
    return out
