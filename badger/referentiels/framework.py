"""Rows <-> the in-memory CASE model: :func:`framework_of` rebuilds a version's
:class:`~badger.referentiels.case.Framework`, :func:`fill_version` writes one into rows, and
:func:`package_of` gives the (cached) CFPackage of a version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from badger import cache, urls
from badger.referentiels import case
from badger.referentiels.case import Framework
from badger.referentiels.models import Category, Competence, ReferentielVersion

CANONICAL_BASE = "https://badger.invalid"


def framework_of(version: ReferentielVersion) -> Framework:
    """Rebuild the in-memory CASE model of ``version`` from its rows."""
    ref = version.referentiel
    lic = version.license
    fw = Framework(
        identifier=version.identifier,
        title=version.title,
        creator=version.creator,
        key=ref.key,
        version=version.version_label,
        language=version.language,
        publisher=version.publisher,
        description=version.description,
        notes=version.notes,
        official_source_url=version.official_source_url,
        adoption_status=version.adoption_status,
        subject=list(version.subject or []),
        license=case.License(lic["title"], lic["uri"], lic.get("text", ""),
                             lic.get("identifier", "")) if lic else None,
        last_change=version.last_change,
        base_url=urls.base_url(),
        association_ids={(a[0], a[1], a[2]): a[3] for a in version.association_ids or []},
    )
    cat_ids = {c.id: c.identifier for c in version.categories}
    for c in version.categories:
        fw.items.append(
            case.Item(
                identifier=c.identifier, code=c.code, label=c.label, description=c.description,
                kind="category", parent=cat_ids.get(c.parent_id) if c.parent_id else None,
                position=c.position, pictogram=c.pictogram, notes=c.notes, language=c.language,
                translations=_translations_in(c.translations), links=_links_in(c.links),
                last_change=c.last_change,
            )
        )
    rubrics = {
        r["identifier"]: case.Rubric(
            identifier=r["identifier"], title=r.get("title", ""),
            description=r.get("description", ""), last_change=r.get("last_change", ""),
        )
        for r in version.rubrics or []
    }
    for comp in version.competences:
        fw.items.append(
            case.Item(
                identifier=comp.identifier, code=comp.code, label=comp.label,
                description=comp.description, kind="competence",
                parent=cat_ids.get(comp.category_id) if comp.category_id else None,
                position=comp.position, pictogram=comp.pictogram, notes=comp.notes,
                language=comp.language, translations=_translations_in(comp.translations),
                links=_links_in(comp.links), last_change=comp.last_change,
            )
        )
        for entry in comp.levels or []:
            rubric = rubrics.get(entry["rubric"])
            if rubric is None:
                continue
            rubric.criteria.append(
                case.Criterion(
                    item=comp.identifier, levels=_levels_in(entry["levels"]),
                    identifier=entry.get("criterion", ""),
                    description=entry.get("description", ""), weight=entry.get("weight"),
                )
            )
    fw.rubrics = list(rubrics.values())
    return fw


def _levels_in(levels: list[dict[str, Any]]) -> list[case.LevelText]:
    return [
        case.LevelText(float(lv["score"]), lv.get("quality", ""), lv.get("description", ""),
                       lv.get("identifier", ""))
        for lv in levels
    ]


def _levels_out(levels: list[case.LevelText]) -> list[dict[str, Any]]:
    return [
        {"score": lv.score, "quality": lv.quality, "description": lv.description,
         "identifier": lv.identifier}
        for lv in levels
    ]


def _translations_in(data: dict[str, Any]) -> dict[str, case.Translation]:
    return {
        lang: case.Translation(t["label"], t.get("description", ""),
                               _levels_in(t.get("levels", [])), t.get("identifier", ""))
        for lang, t in (data or {}).items()
    }


def translations_out(data: dict[str, case.Translation]) -> dict[str, Any]:
    return {
        lang: {"label": t.label, "description": t.description, "identifier": t.identifier,
               "levels": _levels_out(t.levels)}
        for lang, t in data.items()
    }


def _links_in(data: list[dict[str, Any]]) -> list[case.ExternalLink]:
    return [
        case.ExternalLink(d["kind"], d["uri"], d.get("code", ""), d.get("label", ""),
                          d.get("exact", True))
        for d in data or []
    ]


def _links_out(links: list[case.ExternalLink]) -> list[dict[str, Any]]:
    return [
        {"kind": lk.kind, "uri": lk.uri, "code": lk.code, "label": lk.label, "exact": lk.exact}
        for lk in links
    ]


def fill_version(session: Session, version: ReferentielVersion, fw: Framework) -> None:
    """Write ``fw``'s document fields, categories and competences into ``version``."""
    version.title = fw.title
    version.creator = fw.creator
    version.publisher = fw.publisher
    version.description = fw.description
    version.notes = fw.notes
    version.language = fw.language
    version.version_label = fw.version
    version.adoption_status = fw.adoption_status
    version.official_source_url = fw.official_source_url
    version.subject = list(fw.subject)
    version.license = (
        {"title": fw.license.title, "uri": fw.license.uri, "text": fw.license.text,
         "identifier": fw.license.identifier} if fw.license else None
    )
    version.rubrics = [
        {"identifier": r.identifier, "title": r.title, "description": r.description,
         "last_change": r.last_change}
        for r in fw.rubrics
    ]
    version.association_ids = [[*k, v] for k, v in fw.association_ids.items()]
    version.last_change = fw.last_change or case.now_iso()
    levels_by_item: dict[str, list[dict[str, Any]]] = {}
    for r in fw.rubrics:
        for c in r.criteria:
            levels_by_item.setdefault(c.item, []).append(
                {"rubric": r.identifier, "criterion": c.identifier, "description": c.description,
                 "weight": c.weight, "levels": _levels_out(c.levels)}
            )
    categories: dict[str, Category] = {}
    for it in fw.ordered_items():
        if it.kind == "category":
            cat = Category(
                version=version, identifier=it.identifier, code=it.code, label=it.label,
                description=it.description, notes=it.notes, position=it.position,
                pictogram=it.pictogram, language=it.language,
                translations=translations_out(it.translations), links=_links_out(it.links),
                last_change=it.last_change,
            )
            if it.parent:
                cat.parent = categories[it.parent]
            categories[it.identifier] = cat
            session.add(cat)
    session.flush()
    # Competences can be many (10,000 in the bench): one bulk INSERT, then reload the collection.
    rows = [
        {
            "version_id": version.id, "identifier": it.identifier, "code": it.code,
            "label": it.label, "description": it.description, "notes": it.notes,
            "position": it.position, "pictogram": it.pictogram, "language": it.language,
            "category_id": categories[it.parent].id if it.parent else None,
            "levels": levels_by_item.get(it.identifier, []),
            "translations": translations_out(it.translations), "links": _links_out(it.links),
            "last_change": it.last_change,
        }
        for it in fw.ordered_items()
        if it.kind == "competence"
    ]
    if rows:
        session.execute(insert(Competence), rows)
    session.expire(version, ["competences"])


def content_hash(fw: Framework) -> str:
    """sha256 of the canonical CASE package of ``fw`` (host-independent)."""
    return hash_package(case.to_package(fw, base_url=CANONICAL_BASE))


def hash_package(pkg: dict[str, Any]) -> str:
    text = json.dumps(pkg, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: CASE packages of published versions (they never change) by (version, content hash, base).
_PACKAGE_CACHE: cache.Cache[dict[str, Any]] = cache.Cache("referentiels.case_packages", size=32,
                                                          ttl=None)


#: Associations other modules add to a version's package (crosswalks): each provider gets
#: (version, base URL) and returns {"CFAssociations": [...], "CFAssociationGroupings": [...]}.
#: They may change after publication, so they are added after the cache.
AssociationProvider = Callable[[ReferentielVersion, str], dict[str, list[Any]]]
ASSOCIATION_PROVIDERS: list[AssociationProvider] = []


def register_association_provider(fn: AssociationProvider) -> AssociationProvider:
    if fn not in ASSOCIATION_PROVIDERS:
        ASSOCIATION_PROVIDERS.append(fn)
    return fn


def package_of(version: ReferentielVersion, base: str | None = None) -> dict[str, Any]:
    """The CASE CFPackage of ``version`` (its normative content cached for published
    versions: they never change), with the providers' associations."""
    base = base or urls.base_url()
    if not version.is_published:
        pkg = case.to_package(framework_of(version), base_url=base)
    else:
        key = f"{version.id}\x1f{version.content_hash or ''}\x1f{base}"
        pkg = _PACKAGE_CACHE.get_or_set(
            key, lambda: case.to_package(framework_of(version), base_url=base))
    return _with_provided(pkg, version, base)


def _with_provided(pkg: dict[str, Any], version: ReferentielVersion,
                   base: str) -> dict[str, Any]:
    """``pkg`` plus the providers' objects (those whose identifier it has are skipped)."""
    extra = [fn(version, base) for fn in ASSOCIATION_PROVIDERS]
    if not any(e.get("CFAssociations") or e.get("CFAssociationGroupings") for e in extra):
        return pkg
    assocs = list(pkg["CFAssociations"])
    defs = dict(pkg["CFDefinitions"])
    groupings = list(defs["CFAssociationGroupings"])
    seen = {a["identifier"] for a in assocs} | {g["identifier"] for g in groupings}
    for e in extra:
        for a in e.get("CFAssociations", []):
            if a["identifier"] not in seen:
                seen.add(a["identifier"])
                assocs.append(a)
        for g in e.get("CFAssociationGroupings", []):
            if g["identifier"] not in seen:
                seen.add(g["identifier"])
                groupings.append(g)
    defs["CFAssociationGroupings"] = groupings
    return {**pkg, "CFAssociations": assocs, "CFDefinitions": defs}


def package_tag(version: ReferentielVersion) -> str:
    """What a published package's ETag must follow: its content hash, and the providers'
    associations (which may change after publication)."""
    extra = [fn(version, CANONICAL_BASE) for fn in ASSOCIATION_PROVIDERS]
    if not any(v for e in extra for v in e.values()):
        return version.content_hash or ""
    return f"{version.content_hash}+{hash_package({'extra': extra})[:16]}"
