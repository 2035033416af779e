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
from badger.referentiels.case import Framework, merge
from badger.referentiels.models import CaseSource, Category, Competence, ReferentielVersion

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


def store_source(version: ReferentielVersion, fw: Framework) -> None:
    """Keep the package ``fw`` was read from, and badger's writing of the version as stored
    now (the baseline :func:`served_package` compares later writings with). Call after
    :func:`fill_version`."""
    if fw.source is None:
        version.case_source = None
        return
    baseline = case.to_package(framework_of(version), base_url=CANONICAL_BASE)
    data = {
        "package": fw.source,
        "baseline": baseline,
        "warnings": [{"location": str(p.location), "message": str(p.message)}
                     for p in fw.warnings],
        "normalisations": [{"pointer": n.pointer, "reason": n.reason, "detail": n.detail}
                           for n in fw.normalisations],
    }
    if version.case_source is None:
        version.case_source = CaseSource(**data)
    else:
        for k, v in data.items():
            setattr(version.case_source, k, v)


#: Extra CASE objects published with a version (crosswalks): each provider gets the version
#: and the base URL and returns ``{"CFAssociations": [...], "CFAssociationGroupings": [...]}``
#: (either key optional). Objects whose identifier is already in the package are skipped.
AssociationProvider = Callable[[ReferentielVersion, str], dict[str, list[dict[str, Any]]]]
ASSOCIATION_PROVIDERS: list[AssociationProvider] = []


def register_association_provider(provider: AssociationProvider) -> AssociationProvider:
    """Add ``provider`` to :data:`ASSOCIATION_PROVIDERS` (usable as a decorator)."""
    if provider not in ASSOCIATION_PROVIDERS:
        ASSOCIATION_PROVIDERS.append(provider)
    return provider


def _with_providers(version: ReferentielVersion, pkg: dict[str, Any],
                    base: str) -> dict[str, Any]:
    if not ASSOCIATION_PROVIDERS:
        return pkg
    pkg = {**pkg, "CFAssociations": list(pkg["CFAssociations"]),
           "CFDefinitions": {**pkg["CFDefinitions"], "CFAssociationGroupings":
                             list(pkg["CFDefinitions"]["CFAssociationGroupings"])}}
    have = {o["identifier"] for o in pkg["CFAssociations"]}
    have |= {o["identifier"] for o in pkg["CFDefinitions"]["CFAssociationGroupings"]}
    for provider in ASSOCIATION_PROVIDERS:
        extra = provider(version, base)
        for key, target in (("CFAssociations", pkg["CFAssociations"]),
                            ("CFAssociationGroupings",
                             pkg["CFDefinitions"]["CFAssociationGroupings"])):
            for obj in extra.get(key, []):
                if obj["identifier"] not in have:
                    have.add(obj["identifier"])
                    target.append(obj)
    return pkg


def served_package(version: ReferentielVersion, base: str) -> dict[str, Any]:
    """The CFPackage badger serves for ``version`` at ``base`` (without providers): badger's
    writing, or — for an imported version — the source package with badger's edits since the
    import (:func:`case.merge.merge`), the publisher's ``uri``s untouched."""
    src = version.case_source
    if src is None:
        return case.to_package(framework_of(version), base_url=base)
    current = case.to_package(framework_of(version), base_url=CANONICAL_BASE)
    return merge.rebase(merge.merge(src.package, src.baseline, current), CANONICAL_BASE, base)


def canonical_package(version: ReferentielVersion,
                      current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The served package on the canonical host: what content hashes are computed from.
    ``current``: badger's writing of the version on that host, when the caller has it."""
    if current is None:
        return served_package(version, CANONICAL_BASE)
    src = version.case_source
    return current if src is None else merge.merge(src.package, src.baseline, current)


def version_hash(version: ReferentielVersion) -> str:
    """sha256 of :func:`canonical_package` (ETag, idempotent import)."""
    return hash_package(canonical_package(version))


def content_hash(fw: Framework) -> str:
    """sha256 of the canonical CASE package of ``fw`` (host-independent)."""
    return hash_package(case.to_package(fw, base_url=CANONICAL_BASE))


def hash_package(pkg: dict[str, Any]) -> str:
    text = json.dumps(pkg, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: CASE packages of published versions (they never change) by (version, content hash, base).
_PACKAGE_CACHE: cache.Cache[dict[str, Any]] = cache.Cache("referentiels.case_packages", size=32,
                                                          ttl=None)


def package_of(version: ReferentielVersion, base: str | None = None) -> dict[str, Any]:
    """The CASE CFPackage of ``version`` (cached for published versions: they never change),
    with the objects of :data:`ASSOCIATION_PROVIDERS` appended."""
    base = base or urls.base_url()
    if not version.is_published:
        return _with_providers(version, served_package(version, base), base)
    sourced = "s" if version.case_source is not None else "b"
    key = "\x1f".join((str(version.id), version.identifier, sourced,
                        version.content_hash or "", base))
    pkg = _PACKAGE_CACHE.get_or_set(key, lambda: served_package(version, base))
    return _with_providers(version, pkg, base)


def package_tag(version: ReferentielVersion) -> str:
    """What a published package's ETag must follow: its content hash, and the providers'
    associations (which may change after publication)."""
    extra = [fn(version, CANONICAL_BASE) for fn in ASSOCIATION_PROVIDERS]
    if not any(v for e in extra for v in e.values()):
        return version.content_hash or ""
    return f"{version.content_hash}+{hash_package({'extra': extra})[:16]}"
