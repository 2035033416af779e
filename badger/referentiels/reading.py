"""Finding référentiels and versions: by key, number or CASE identifier, the published CASE
objects the public API serves, and the search of the public list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from badger.referentiels import case
from badger.referentiels.framework import package_of
from badger.referentiels.models import (
    PUBLISHED,
    CaseObject,
    Category,
    Competence,
    Referentiel,
    ReferentielVersion,
)


def _version_query() -> Any:
    return select(ReferentielVersion).options(
        selectinload(ReferentielVersion.categories),
        selectinload(ReferentielVersion.competences),
    )


def get_referentiel(session: Session, key: str) -> Referentiel | None:
    return session.execute(select(Referentiel).filter_by(key=key)).scalar_one_or_none()


def get_version(session: Session, key: str, number: int) -> ReferentielVersion | None:
    return session.execute(
        _version_query().join(Referentiel).where(
            Referentiel.key == key, ReferentielVersion.number == number
        )
    ).scalar_one_or_none()


def get_version_by_identifier(session: Session, identifier: str) -> ReferentielVersion | None:
    return session.execute(
        _version_query().where(ReferentielVersion.identifier == identifier.lower())
    ).scalar_one_or_none()


def find_version(session: Session, ref: str) -> ReferentielVersion | None:
    """Resolve ``ref``: a CFDocument identifier, ``key`` (latest published) or ``key@number``."""
    if case.is_uuid(ref):
        return get_version_by_identifier(session, ref)
    key, _, number = ref.partition("@")
    if number:
        return get_version(session, key, int(number)) if number.isdigit() else None
    referentiel = get_referentiel(session, key)
    if referentiel is None:
        return None
    latest = referentiel.latest_published or (
        referentiel.versions[-1] if referentiel.versions else None
    )
    return latest


def published_item(session: Session, identifier: str) -> tuple[ReferentielVersion, str] | None:
    """Find the published version holding CFItem ``identifier`` (newest first)."""
    identifier = identifier.lower()
    for model in (Competence, Category):
        row = session.execute(
            select(ReferentielVersion)
            .join(model, model.version_id == ReferentielVersion.id)
            .where(model.identifier == identifier, ReferentielVersion.status == PUBLISHED)
            .order_by(ReferentielVersion.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if row is not None:
            return row, identifier
    obj = session.execute(
        select(CaseObject).where(CaseObject.identifier == identifier,
                                 CaseObject.kind == "CFItems").limit(1)
    ).scalar_one_or_none()
    if obj is not None:
        version = session.get(ReferentielVersion, obj.version_id)
        if version is not None:
            return version, identifier
    return None


def published_object(session: Session, kind: str, identifier: str) -> ReferentielVersion | None:
    obj = session.execute(
        select(CaseObject).where(CaseObject.identifier == identifier.lower(),
                                 CaseObject.kind == kind)
        .order_by(CaseObject.version_id.desc()).limit(1)
    ).scalar_one_or_none()
    return None if obj is None else session.get(ReferentielVersion, obj.version_id)


def find_in_package(pkg: dict[str, Any], kind: str, identifier: str) -> dict[str, Any] | None:
    """Find one CASE object by kind and identifier inside a package."""
    identifier = identifier.lower()
    if kind == "CFItems":
        pool: list[dict[str, Any]] = pkg["CFItems"]
    elif kind == "CFAssociations":
        pool = pkg["CFAssociations"]
    elif kind == "CFRubrics":
        pool = pkg["CFRubrics"]
    elif kind == "CFRubricCriteria":
        pool = [c for r in pkg["CFRubrics"] for c in r["CFRubricCriteria"]]
    elif kind == "CFRubricCriterionLevels":
        pool = [lv for r in pkg["CFRubrics"] for c in r["CFRubricCriteria"]
                for lv in c["CFRubricCriterionLevels"]]
    elif kind in case.source.DEFINITIONS:
        pool = pkg["CFDefinitions"].get(kind, [])
    else:
        return None
    return next((o for o in pool if o["identifier"] == identifier), None)


def published_case_object(
    session: Session, kind: str, identifier: str
) -> tuple[ReferentielVersion, dict[str, Any]] | None:
    """The newest published version holding the CASE object ``kind``/``identifier`` and the
    object as served in its package (``package_of``); None when no published version has it."""
    identifier = identifier.lower()
    if kind == "CFItems":
        found = published_item(session, identifier)
        version = found[0] if found else None
    else:
        version = published_object(session, kind, identifier)
    if version is None:
        return None
    obj = find_in_package(package_of(version), kind, identifier)
    return None if obj is None else (version, obj)


def item_associations(
    session: Session, identifier: str
) -> tuple[ReferentielVersion, dict[str, Any], list[dict[str, Any]]] | None:
    """For ``CFItemAssociations/<id>``: the newest published version holding CFItem
    ``identifier``, the item, and every association of that package from or to it."""
    found = published_case_object(session, "CFItems", identifier)
    if found is None:
        return None
    version, item = found
    ident = item["identifier"].lower()
    assocs = [a for a in package_of(version)["CFAssociations"]
              if ident in (str(a["originNodeURI"].get("identifier", "")).lower(),
                           str(a["destinationNodeURI"].get("identifier", "")).lower())]
    return version, item, assocs


def published_versions(session: Session) -> list[ReferentielVersion]:
    return list(
        session.execute(
            select(ReferentielVersion).where(ReferentielVersion.status == PUBLISHED)
            .order_by(ReferentielVersion.title, ReferentielVersion.number)
        ).scalars()
    )


def search(session: Session, query: str = "") -> list[Referentiel]:
    """Référentiels with a published version whose title or a competence matches ``query``."""
    stmt = (
        select(Referentiel)
        .join(ReferentielVersion, ReferentielVersion.referentiel_id == Referentiel.id)
        .where(ReferentielVersion.status == PUBLISHED)
    )
    q = query.strip()
    if q:
        like = f"%{q.lower()}%"
        matching = (
            select(Competence.version_id)
            .where(or_(func.lower(Competence.label).like(like),
                       func.lower(Competence.code).like(like)))
        )
        stmt = stmt.where(or_(func.lower(ReferentielVersion.title).like(like),
                              func.lower(Referentiel.key).like(like),
                              ReferentielVersion.id.in_(matching)))
    return list(session.execute(stmt.distinct().order_by(Referentiel.title)).scalars())
