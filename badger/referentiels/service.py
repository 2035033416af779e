"""Référentiel rules: import/export, drafts, editing, publication, adoption, derivation, diff.

Every function takes a SQLAlchemy session and plain values, flushes, never commits (the view
or CLI command commits once). Broken rules raise :class:`badger.errors.UserError`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session, object_session, selectinload

from badger import cache, urls
from badger.db import staged_on_commit, utcnow, write_file_on_commit
from badger.errors import UserError
from badger.referentiels import case
from badger.referentiels.case import CaseImportError, Framework
from badger.referentiels.models import (
    PUBLISHED,
    Adoption,
    CaseObject,
    Category,
    Competence,
    Referentiel,
    ReferentielVersion,
    adding_translations,
)

#: Base URL used only to hash packages, so the hash does not depend on the host name.
CANONICAL_BASE = "https://badger.invalid"
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,118}[a-z0-9]$")
MAX_PICTOGRAM_BYTES = 1024 * 1024
PICTOGRAM_SIZE = 256


# --------------------------------------------------------------------------- URLs


def item_url(identifier: str, base: str | None = None) -> str:
    """The CASE CFItem URL of a competence: use it as OB 3.0 ``Alignment.targetUrl``."""
    return case.case_url(base or urls.base_url(), "CFItems", identifier)


def competence_public_url(competence: Competence, base: str | None = None) -> str:
    """The permanent public URL of ``competence`` (its CASE CFItem)."""
    return item_url(competence.identifier, base)


def rubric_level_url(level_identifier: str, base: str | None = None) -> str:
    """The CASE ``CFRubricCriterionLevel`` URL of one level (OB 3.0 RubricCriterionLevel)."""
    return case.case_url(base or urls.base_url(), "CFRubricCriterionLevels", level_identifier)


def document_url(version: ReferentielVersion, base: str | None = None) -> str:
    return case.case_url(base or urls.base_url(), "CFDocuments", version.identifier)


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


# --------------------------------------------------------------------------- DB <-> Framework


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


def _translations_out(data: dict[str, case.Translation]) -> dict[str, Any]:
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


def _fill(session: Session, version: ReferentielVersion, fw: Framework) -> None:
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
                translations=_translations_out(it.translations), links=_links_out(it.links),
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
            "translations": _translations_out(it.translations), "links": _links_out(it.links),
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
    return _hash(case.to_package(fw, base_url=CANONICAL_BASE))


def _hash(pkg: dict[str, Any]) -> str:
    text = json.dumps(pkg, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: CASE packages of published versions (they never change) by (version, content hash, base).
_PACKAGE_CACHE: cache.Cache[dict[str, Any]] = cache.Cache("referentiels.case_packages", size=32,
                                                          ttl=None)


def package_of(version: ReferentielVersion, base: str | None = None) -> dict[str, Any]:
    """The CASE CFPackage of ``version`` (cached for published versions: they never change)."""
    base = base or urls.base_url()
    if not version.is_published:
        return case.to_package(framework_of(version), base_url=base)
    key = f"{version.id}\x1f{version.content_hash or ''}\x1f{base}"
    return _PACKAGE_CACHE.get_or_set(
        key, lambda: case.to_package(framework_of(version), base_url=base))


# --------------------------------------------------------------------------- loading


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
    if case._is_uuid(ref):
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


# --------------------------------------------------------------------------- import / export


def _owner_kwargs(network_id: int | None, organisation_id: int | None) -> dict[str, Any]:
    if network_id and organisation_id:
        raise UserError(_l("Un référentiel a un seul propriétaire : réseau ou organisation."))
    return {"network_id": network_id, "organisation_id": organisation_id}


def _require_same_owner(
    draft: ReferentielVersion, network_id: int | None, organisation_id: int | None
) -> None:
    """Refuse to touch a draft of another owner: draft identifiers are predictable (UUIDv5 of
    the key or the title), so an import naming one must never replace — or even reach —
    somebody else's work. Published versions are public; they are handled by the caller."""
    ref = draft.referentiel
    if (ref.network_id, ref.organisation_id) != (network_id or None, organisation_id or None):
        raise UserError(
            _l(
                "Un brouillon d'un autre propriétaire porte déjà cet identifiant de document : "
                "l'import ne peut pas le remplacer. Changez l'identifiant du document (ou le "
                "titre d'un fichier CSV)."
            ),
            409,
        )


def import_framework(
    session: Session,
    fw: Framework,
    *,
    key: str | None = None,
    network_id: int | None = None,
    organisation_id: int | None = None,
    shipped: bool = False,
    publish: bool = True,
    referentiel: Referentiel | None = None,
) -> tuple[ReferentielVersion, bool]:
    """Store ``fw`` as a version; return ``(version, changed)``.

    Idempotent: the same package again changes nothing. A package whose CFDocument identifier
    is already a published version with other content is refused (published versions never
    change); a draft with that identifier is replaced only when it has the same owner
    (``network_id``/``organisation_id``, both None for a shipped référentiel), refused with
    409 otherwise, whatever the path (UI upload, CLI file or URL). One exception: a shipped
    version may gain translations (:func:`add_translations`).
    """
    existing = get_version_by_identifier(session, fw.identifier)
    if existing is not None and not existing.is_published:
        _require_same_owner(existing, network_id, organisation_id)
    if existing is not None:
        if content_hash(framework_of(existing)) == content_hash(fw):
            return existing, False
        if (existing.is_published and shipped and existing.referentiel.shipped
                and _only_adds_translations(framework_of(existing), fw)):
            add_translations(session, existing, fw)
            return existing, True
        if existing.is_published:
            raise UserError(
                _l(
                    "La version %(v)s de « %(t)s » est déjà publiée avec un autre contenu. Une "
                    "version publiée ne change jamais : changez l'identifiant du document et son "
                    "numéro de version.",
                    v=existing.version_label, t=existing.title,
                ),
                409,
            )
        for c in list(existing.competences):
            session.delete(c)
        for cat in list(existing.categories):
            session.delete(cat)
        session.flush()
        existing.competences.clear()
        existing.categories.clear()
        _fill(session, existing, fw)
        if publish:
            publish_version(session, existing, check_schema=False)
        return existing, True
    key = key or fw.key or case.slugify(fw.title)
    if referentiel is None:
        referentiel = get_referentiel(session, key)
    if referentiel is None:
        if not KEY_RE.match(key):
            raise UserError(_l("Clé de référentiel non valable : %(k)s", k=key))
        referentiel = Referentiel(
            uuid=case.stable_id("referentiel", key), key=key, title=fw.title, shipped=shipped,
            **_owner_kwargs(network_id, organisation_id),
        )
        session.add(referentiel)
        session.flush()
    elif (referentiel.network_id, referentiel.organisation_id) != (network_id, organisation_id):
        raise UserError(
            _l("La clé « %(k)s » est déjà prise par un autre propriétaire.", k=key), 409
        )
    number = 1 + max((v.number for v in referentiel.versions), default=0)
    if referentiel.draft is not None and publish:
        raise UserError(
            _l("Ce référentiel a déjà un brouillon en cours : publiez-le ou supprimez-le."), 409
        )
    version = ReferentielVersion(referentiel=referentiel, number=number, identifier=fw.identifier)
    session.add(version)
    _fill(session, version, fw)
    referentiel.title = fw.title
    if publish:
        # Parsed packages passed the schema already, and badger's writer emits valid CASE.
        publish_version(session, version, check_schema=False)
    return version, True


def _without_translations(fw: Framework) -> Framework:
    items = [dataclasses.replace(it, translations={}) for it in fw.items]
    return dataclasses.replace(fw, items=items)


def _translation_texts_of(it: case.Item) -> dict[str, Any]:
    return {
        lang: (t.label, t.description, [(lv.score, lv.quality, lv.description) for lv in t.levels])
        for lang, t in it.translations.items()
    }


def _only_adds_translations(stored: Framework, fw: Framework) -> bool:
    """True when ``fw`` is ``stored`` plus translations: every other byte of the package, and
    every translation ``stored`` already has, are the same."""
    if content_hash(_without_translations(stored)) != content_hash(_without_translations(fw)):
        return False
    new = {it.identifier: _translation_texts_of(it) for it in fw.items}
    return all(
        new[it.identifier].get(lang) == texts
        for it in stored.items
        for lang, texts in _translation_texts_of(it).items()
    )


def add_translations(session: Session, version: ReferentielVersion, fw: Framework) -> None:
    """Give a published shipped ``version`` the translations ``fw`` adds (see
    :func:`_only_adds_translations`). They change no normative text: labels, definitions,
    levels and every existing CASE identifier stay, so badges and grids citing the version read
    the same; the package gains translation items and its ``content_hash`` (ETag) changes. A
    database that imported the version before it was translated thus ends with the same
    package as a fresh install."""
    new = {it.identifier: it for it in fw.items}
    with adding_translations(session):
        rows: list[Category | Competence] = [*version.categories, *version.competences]
        for row in rows:
            merged = {**_translations_out(new[row.identifier].translations),
                      **(row.translations or {})}
            if merged != (row.translations or {}):
                row.translations = merged
        pkg = case.to_package(framework_of(version), base_url=CANONICAL_BASE)
        version.content_hash = _hash(pkg)
        session.flush()
    known = set(session.scalars(
        select(CaseObject.identifier).where(CaseObject.version_id == version.id)
    ))
    objects = [{"identifier": ident, "kind": kind, "version_id": version.id}
               for kind, ident in _case_objects(pkg) if ident not in known]
    if objects:
        session.execute(insert(CaseObject), objects)


def parse_upload(data: bytes, filename: str, *, title: str = "", creator: str = "",
                 strict: bool = True) -> Framework:
    """Parse an uploaded CASE JSON or CSV file (by extension, else by first byte)."""
    name = filename.lower()
    is_csv = name.endswith(".csv") or (
        not name.endswith(".json") and not data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{")
    )
    if is_csv:
        if not title:
            raise CaseImportError([(case.Location(field="title"),
                                    _l("un titre est nécessaire pour un fichier CSV"))])
        return case.parse_csv(data, title=title, creator=creator or title)
    return case.parse_package(data, strict=strict)


def export(version: ReferentielVersion, fmt: str, base: str | None = None) -> tuple[str, str, str]:
    """Return ``(text, mimetype, filename)`` of ``version`` as CASE JSON or CSV."""
    stem = f"{version.referentiel.key}-v{version.number}"
    if fmt == "csv":
        return case.to_csv(framework_of(version)), "text/csv; charset=utf-8", f"{stem}.csv"
    if fmt == "case":
        return case.dumps(package_of(version, base)), "application/json", f"{stem}.json"
    raise UserError(_l("Format inconnu : %(f)s (case ou csv)", f=fmt))


def shipped_dir() -> Path:
    """Folder of the shipped CASE files: ``referentiels/`` in a checkout, or the wheel's
    ``badger/referentiels_data`` (``resource_dir`` would find this package instead)."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "referentiels_data"
    return packaged if packaged.is_dir() else package.parent / "referentiels"


def load_shipped(session: Session, folder: Path) -> list[tuple[str, bool]]:
    """Import every shipped CASE file in ``folder`` (idempotent); return (key, changed)."""
    out = []
    for path in sorted(folder.glob("*.json")):
        fw = case.parse_package(path.read_bytes())
        version, changed = import_framework(session, fw, key=path.stem, shipped=True)
        out.append((version.referentiel.key, changed))
    return out


# --------------------------------------------------------------------------- drafts


def _require_draft(version: ReferentielVersion) -> None:
    if version.is_published:
        raise UserError(
            _l("Cette version est publiée : elle ne peut plus être modifiée. Créez une nouvelle "
               "version."),
            409,
        )


def _touch(version: ReferentielVersion) -> str:
    now = case.now_iso()
    version.last_change = now
    return now


def create_referentiel(
    session: Session,
    *,
    title: str,
    key: str,
    creator: str,
    network_id: int | None = None,
    organisation_id: int | None = None,
    language: str = "fr",
    description: str = "",
) -> ReferentielVersion:
    """Create a référentiel and its first draft (with badger's 0–5 scale)."""
    title, key = title.strip(), key.strip().lower()
    if not title:
        raise UserError(_l("Le titre est obligatoire."))
    if not KEY_RE.match(key):
        raise UserError(
            _l("La clé doit faire 3 à 120 caractères : lettres minuscules, chiffres, tirets.")
        )
    if get_referentiel(session, key) is not None:
        raise UserError(_l("La clé « %(k)s » est déjà prise.", k=key), 409)
    if not network_id and not organisation_id:
        raise UserError(_l("Un référentiel appartient à un réseau ou à une organisation."))
    fw = Framework(
        identifier=case.stable_id(key, "1", "document"), title=title, creator=creator, key=key,
        version="1", language=language, description=description, last_change=case.now_iso(),
    )
    case.add_badger_scale(fw)
    version, _ = import_framework(
        session, fw, key=key, network_id=network_id, organisation_id=organisation_id,
        publish=False,
    )
    return version


def _copy_framework(source: ReferentielVersion, *, key: str, label: str) -> tuple[
    Framework, dict[str, str]
]:
    """Copy ``source`` with fresh identifiers for ``key``/``label``; return (fw, old->new)."""
    fw = framework_of(source)
    mapping: dict[str, str] = {}
    for it in fw.items:
        new_id = case.stable_id(key, label, "item", it.code or it.identifier)
        mapping[it.identifier] = new_id
    for it in fw.items:
        it.identifier = mapping[it.identifier]
        it.parent = mapping[it.parent] if it.parent else None
        for tr in it.translations.values():
            tr.identifier = ""
    for r in fw.rubrics:
        r.identifier = case.stable_id(key, label, "rubric", r.identifier)
        for c in r.criteria:
            c.item = mapping[c.item]
            c.identifier = ""
            for lv in c.levels:
                lv.identifier = ""
        for it in fw.items:
            for tr in it.translations.values():
                for lv in tr.levels:
                    lv.identifier = ""
    fw.association_ids = {}
    fw.key = key
    fw.version = label
    fw.identifier = case.stable_id(key, label, "document")
    fw.last_change = case.now_iso()
    fw.adoption_status = ""
    return fw, mapping


def new_version(session: Session, referentiel: Referentiel) -> ReferentielVersion:
    """Open a new draft, copied from the latest published version."""
    if referentiel.draft is not None:
        return referentiel.draft
    source = referentiel.latest_published
    if source is None:
        raise UserError(_l("Aucune version publiée à copier."))
    number = 1 + max(v.number for v in referentiel.versions)
    fw, mapping = _copy_framework(source, key=referentiel.key, label=str(number))
    version = ReferentielVersion(
        referentiel=referentiel, number=number, identifier=fw.identifier,
        source_version_id=source.id,
    )
    session.add(version)
    _fill(session, version, fw)
    _link_sources(version, source, mapping)
    session.flush()
    return version


def _link_sources(version: ReferentielVersion, source: ReferentielVersion,
                  mapping: dict[str, str]) -> None:
    by_new = {new: old for old, new in mapping.items()}
    old_comp = {c.identifier: c for c in source.competences}
    for comp in version.competences:
        original = old_comp.get(by_new.get(comp.identifier, ""))
        if original is not None:
            comp.source_competence_id = original.id


def derive(
    session: Session,
    source: ReferentielVersion,
    *,
    title: str,
    key: str,
    creator: str,
    network_id: int | None = None,
    organisation_id: int | None = None,
) -> ReferentielVersion:
    """Start a new référentiel from a published one, keeping a link to each source item."""
    if not source.is_published:
        raise UserError(_l("On ne peut dériver que d'une version publiée."))
    key = key.strip().lower()
    if not KEY_RE.match(key):
        raise UserError(
            _l("La clé doit faire 3 à 120 caractères : lettres minuscules, chiffres, tirets.")
        )
    if get_referentiel(session, key) is not None:
        raise UserError(_l("La clé « %(k)s » est déjà prise.", k=key), 409)
    if not network_id and not organisation_id:
        raise UserError(_l("Un référentiel appartient à un réseau ou à une organisation."))
    fw, mapping = _copy_framework(source, key=key, label="1")
    fw.title = title.strip() or source.title
    fw.creator = creator
    fw.publisher = ""
    fw.notes = f"Dérivé de « {source.title} » (version {source.version_label}, " + (
        f"{document_url(source)})." + (f" {source.notes}" if source.notes else "")
    )
    by_old = {it.identifier: it for it in framework_of(source).items}
    new_items = {it.identifier: it for it in fw.items}
    for old_id, new_id in mapping.items():
        it, old = new_items[new_id], by_old[old_id]
        if it.kind == "competence":
            it.links.append(case.ExternalLink("source", item_url(old_id), old_id, old.label))
    version, _ = import_framework(
        session, fw, key=key, network_id=network_id, organisation_id=organisation_id,
        publish=False,
    )
    version.source_version_id = source.id
    _link_sources(version, source, mapping)
    session.flush()
    return version


def update_document(session: Session, version: ReferentielVersion, **fields: Any) -> None:
    """Change the CFDocument fields of a draft (title, creator, description, notes…)."""
    _require_draft(version)
    allowed = {"title", "creator", "publisher", "description", "notes", "language",
               "official_source_url"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(name)
        setattr(version, name, (value or "").strip())
    if not version.title:
        raise UserError(_l("Le titre est obligatoire."))
    version.referentiel.title = version.title
    _touch(version)
    session.flush()


def add_category(session: Session, version: ReferentielVersion, *, label: str,
                 code: str = "", parent_id: int | None = None) -> Category:
    """Add a category to a draft, at the top level or under ``parent_id`` (a sub-category)."""
    _require_draft(version)
    label, code = label.strip(), code.strip()
    if not label:
        raise UserError(_l("Le libellé est obligatoire."))
    parent = _parent_category(version, parent_id)
    code = code or _free_category_code(version)
    _check_code(version, code)
    position = 1 + sum(1 for c in version.categories if c.parent_id == parent_id)
    with session.no_autoflush:
        cat = Category(
            version=version, identifier=case.stable_id(version.referentiel.key,
                                                       version.version_label, "item", code),
            code=code, label=label, position=position, parent=parent,
            language=version.language, last_change=_touch(version),
        )
        session.add(cat)
    session.flush()
    return cat


def _free_category_code(version: ReferentielVersion) -> str:
    used = {c.code for c in version.categories} | {c.code for c in version.competences}
    n = len(version.categories) + 1
    while f"CAT-{n}" in used:
        n += 1
    return f"CAT-{n}"


def _parent_category(version: ReferentielVersion, parent_id: int | None) -> Category | None:
    if parent_id is None:
        return None
    parent = next((c for c in version.categories if c.id == parent_id), None)
    if parent is None:
        raise UserError(_l("Catégorie parente inconnue."))
    return parent


def category_descendants(version: ReferentielVersion, cat: Category) -> set[int]:
    """Ids of every category nested (at any depth) under ``cat``."""
    children: dict[int | None, list[int]] = {}
    for c in version.categories:
        children.setdefault(c.parent_id, []).append(c.id)
    out: set[int] = set()
    stack = list(children.get(cat.id, []))
    while stack:
        cid = stack.pop()
        if cid not in out:
            out.add(cid)
            stack.extend(children.get(cid, []))
    return out


def category_depths(version: ReferentielVersion) -> dict[int, int]:
    """Depth of each category (0 = top level). A cycle, impossible through the editor and refused
    at import, would stop at the number of categories."""
    by_id = {c.id: c for c in version.categories}
    out: dict[int, int] = {}
    for c in version.categories:
        depth, node = 0, c
        while node.parent_id is not None and node.parent_id in by_id and depth < len(by_id):
            node = by_id[node.parent_id]
            depth += 1
        out[c.id] = depth
    return out


def set_category_parent(session: Session, cat: Category, parent_id: int | None) -> None:
    """Move a category of a draft under another one (or to the top level). Refuses cycles: a
    category cannot be placed under itself nor under one of its own sub-categories."""
    version = cat.version
    _require_draft(version)
    if parent_id == cat.parent_id:
        return
    if parent_id is not None and (parent_id == cat.id
                                  or parent_id in category_descendants(version, cat)):
        raise UserError(
            _l("Une catégorie ne peut pas être placée dans elle-même ni dans une de ses "
               "sous-catégories."), 422,
        )
    parent = _parent_category(version, parent_id)
    old_parent = cat.parent_id
    cat.parent = parent
    cat.parent_id = parent_id
    cat.position = 1 + max((c.position for c in version.categories
                            if c is not cat and c.parent_id == parent_id), default=0)
    cat.last_change = _touch(version)
    _renumber_categories(version, old_parent)
    session.flush()


def _renumber_categories(version: ReferentielVersion, parent_id: int | None) -> None:
    siblings = sorted((c for c in version.categories if c.parent_id == parent_id),
                      key=lambda c: c.position)
    for n, c in enumerate(siblings, 1):
        if c.position != n:
            c.position = n


def update_category(session: Session, cat: Category, *, label: str, code: str,
                    translations: dict[str, str] | None = None) -> None:
    """Rename a category of a draft; ``translations`` ({lang: label}, "" removes one) sets its
    label in other languages."""
    _require_draft(cat.version)
    label, code = label.strip(), code.strip()
    if not label:
        raise UserError(_l("Le libellé est obligatoire."))
    _check_code(cat.version, code, exclude=cat)
    cat.label, cat.code = label, code
    if translations is not None:
        out = dict(cat.translations or {})
        for lang, t_label in translations.items():
            t_label = t_label.strip()
            if not LANG_RE.match(lang) or lang == cat.version.language:
                raise UserError(_l("Code de langue non valable."))
            if len(t_label) > MAX_LABEL:
                raise UserError(_l("Traduction trop longue."))
            if t_label:
                old = out.get(lang, {})
                out[lang] = {**old, "label": t_label, "description": old.get("description", ""),
                             "identifier": old.get("identifier", ""),
                             "levels": old.get("levels", [])}
            else:
                out.pop(lang, None)
        if out != (cat.translations or {}):
            cat.translations = out
    cat.last_change = _touch(cat.version)
    session.flush()


def delete_category(session: Session, cat: Category) -> None:
    """Remove a category of a draft; its competences stay, without category."""
    _require_draft(cat.version)
    version = cat.version
    if any(c.parent_id == cat.id for c in version.categories):
        raise UserError(_l("Retirez d'abord les sous-catégories."))
    for comp in version.competences:
        if comp.category_id == cat.id:
            comp.category_id = None
            comp.position = 1000 + comp.position
    parent_id = cat.parent_id
    version.categories.remove(cat)
    session.delete(cat)
    _renumber(version)
    _renumber_categories(version, parent_id)
    _touch(version)
    session.flush()


def _swap_with_sibling(
    version: ReferentielVersion, siblings: list[Any], row: Any, delta: int
) -> None:
    """Move ``row`` up (-1) or down (+1) among ``siblings`` and renumber them from 1."""
    siblings.sort(key=lambda c: c.position)
    i = siblings.index(row)
    j = i + delta
    if 0 <= j < len(siblings):
        siblings[i], siblings[j] = siblings[j], siblings[i]
        for n, c in enumerate(siblings, 1):
            if c.position != n:
                c.position = n
                c.last_change = case.now_iso()
        _touch(version)


def move_category(session: Session, cat: Category, delta: int) -> None:
    """Move a category up (-1) or down (+1) among its siblings."""
    _require_draft(cat.version)
    siblings = [c for c in cat.version.categories if c.parent_id == cat.parent_id]
    _swap_with_sibling(cat.version, siblings, cat, delta)
    session.flush()


def _check_code(version: ReferentielVersion, code: str, *, exclude: Any = None) -> None:
    if not code:
        raise UserError(_l("Le code est obligatoire."))
    others: list[Category | Competence] = [*version.categories, *version.competences]
    for other in others:
        if other is not exclude and other.code == code:
            raise UserError(_l("Le code « %(c)s » est déjà utilisé dans ce référentiel.", c=code))


LANG_RE = re.compile(r"^[a-z]{2,3}$")
MAX_LABEL, MAX_TEXT, MAX_LEVEL = 1000, 5000, 2000


@dataclass
class TranslationInput:
    """A competence's label, definition and 0–5 level texts in another language."""

    label: str
    description: str = ""
    levels: list[str] = field(default_factory=list)  # 6 texts for 0–5 ("" = none)


def translation_languages(version: ReferentielVersion,
                          wanted: tuple[str, ...] | list[str] = ("en",)) -> list[str]:
    """Languages a draft's competences can be translated into: ``wanted`` (the interface
    languages), then every language the référentiel already has translations in; never the
    référentiel's own language."""
    found: set[str] = set()
    items: list[Category | Competence] = [*version.competences, *version.categories]
    for item in items:
        found.update(lang for lang in (item.translations or {}) if LANG_RE.match(lang))
    out = [lang for lang in wanted if lang != version.language]
    out += sorted(lang for lang in found if lang not in out and lang != version.language)
    return out


@dataclass
class CompetenceInput:
    """What the editor form sends for one competence."""

    code: str
    label: str
    description: str = ""
    category_id: int | None = None
    pictogram: str | None = None
    grid_levels: list[str] = field(default_factory=list)  # 6 texts for 0–5 ("" = keep name)
    esco_uri: str = ""
    rome_code: str = ""
    #: {lang: TranslationInput (or a (label, description) pair)}; an empty label removes
    #: that translation, level texts included.
    translations: dict[str, TranslationInput | tuple[str, str]] = field(default_factory=dict)


def _grid_rubric(version: ReferentielVersion) -> dict[str, Any]:
    for r in version.rubrics:
        if r.get("title") == case.BADGER_SCALE_TITLE:
            return dict(r)
    rubric = {
        "identifier": case.stable_id(version.referentiel.key, version.version_label, "rubric",
                                     "badger-0-5"),
        "title": case.BADGER_SCALE_TITLE, "description": case.BADGER_SCALE_DESCRIPTION,
        "last_change": "",
    }
    version.rubrics = [rubric, *version.rubrics]
    return rubric


def _apply(version: ReferentielVersion, comp: Competence, data: CompetenceInput) -> None:
    code, label = data.code.strip(), data.label.strip()
    if not label:
        raise UserError(_l("Le libellé est obligatoire."))
    _check_code(version, code, exclude=comp)
    if data.category_id is not None and data.category_id not in {c.id for c in version.categories}:
        raise UserError(_l("Catégorie inconnue."))
    if data.pictogram and not valid_pictogram(data.pictogram, object_session(version)):
        raise UserError(_l("Pictogramme inconnu."))
    esco = data.esco_uri.strip()
    if esco and not esco.startswith("http://data.europa.eu/esco/"):
        raise UserError(_l("Une URI ESCO commence par http://data.europa.eu/esco/"))
    comp.code, comp.label = code, label
    comp.description = data.description.strip()
    comp.category_id = data.category_id
    comp.pictogram = data.pictogram or None
    links = [lk for lk in comp.links or [] if lk["kind"] not in {"esco", "rome"}]
    if esco:
        links.append({"kind": "esco", "uri": esco, "code": esco.rsplit("/", 1)[-1], "label": "",
                      "exact": True})
    rome = data.rome_code.strip()
    if rome:
        links.append({"kind": "rome", "uri": f"urn:rome:{rome}", "code": rome, "label": "",
                      "exact": True})
    comp.links = links
    rubric = _grid_rubric(version)
    if data.translations:
        comp.translations = _apply_translations(version, comp, data.translations)
    texts = list(data.grid_levels) + [""] * (6 - len(data.grid_levels))
    entries = [e for e in comp.levels or [] if e["rubric"] != rubric["identifier"]]
    old = next((e for e in comp.levels or [] if e["rubric"] == rubric["identifier"]), None)
    old_levels = {lv["score"]: lv for lv in (old or {}).get("levels", [])}
    levels = []
    for score, name in case.BADGER_SCALE:
        text = texts[score].strip()
        prev = old_levels.get(float(score), {})
        levels.append({"score": float(score), "quality": name, "description": text,
                       "identifier": prev.get("identifier", "")})
    entries.insert(0, {"rubric": rubric["identifier"],
                       "criterion": (old or {}).get("criterion", ""), "description": "",
                       "weight": None, "levels": levels})
    comp.levels = entries
    comp.last_change = _touch(version)


def _apply_translations(version: ReferentielVersion, comp: Competence,
                        given: dict[str, TranslationInput | tuple[str, str]]) -> dict[str, Any]:
    """New translations of ``comp``: label, definition and, for badger's 0–5 scale, level texts
    (CASE: a translation CFItem and its rubric criterion, see case.py)."""
    translations = dict(comp.translations or {})
    for lang, value in given.items():
        tr = value if isinstance(value, TranslationInput) else TranslationInput(*value)
        if not LANG_RE.match(lang) or lang == version.language:
            raise UserError(_l("Code de langue non valable."))
        label, description = tr.label.strip(), tr.description.strip()
        texts = [t.strip() for t in tr.levels] + [""] * (6 - len(tr.levels))
        if len(label) > MAX_LABEL or len(description) > MAX_TEXT or any(
                len(t) > MAX_LEVEL for t in texts):
            raise UserError(_l("Traduction trop longue."))
        if not label:
            if description or any(texts):
                raise UserError(
                    _l("Donnez le libellé en « %(lang)s » pour enregistrer sa traduction.",
                       lang=lang)
                )
            translations.pop(lang, None)
            continue
        old = translations.get(lang, {})
        old_levels = {float(lv["score"]): lv for lv in old.get("levels", [])}
        names = case.BADGER_SCALE_NAMES.get(lang)
        levels = []
        if any(texts[:6]):
            for score, name in case.BADGER_SCALE:
                prev = old_levels.get(float(score), {})
                levels.append({"score": float(score),
                               "quality": names[score] if names else name,
                               "description": texts[score],
                               "identifier": prev.get("identifier", "")})
        translations[lang] = {**old, "label": label, "description": description,
                              "identifier": old.get("identifier", ""), "levels": levels}
    return translations


def add_competence(session: Session, version: ReferentielVersion,
                   data: CompetenceInput) -> Competence:
    """Append a competence to a draft."""
    _require_draft(version)
    code = data.code.strip()
    with session.no_autoflush:
        comp = Competence(
            identifier=case.stable_id(version.referentiel.key, version.version_label, "item",
                                      code),
            label=data.label, language=version.language, levels=[], links=[], translations={},
        )
        _apply(version, comp, data)
        comp.position = 1 + sum(1 for c in version.competences
                                if c.category_id == comp.category_id)
        if any(c.identifier == comp.identifier for c in version.competences):
            comp.identifier = case.stable_id(comp.identifier, case.now_iso())
        comp.version = version
        session.add(comp)
    session.flush()
    return comp


def update_competence(session: Session, comp: Competence, data: CompetenceInput) -> None:
    """Change a competence of a draft (its identifier stays)."""
    _require_draft(comp.version)
    old_category = comp.category_id
    _apply(comp.version, comp, data)
    if comp.category_id != old_category:
        comp.position = 1 + max(
            (c.position for c in comp.version.competences
             if c is not comp and c.category_id == comp.category_id), default=0
        )
    session.flush()


def delete_competence(session: Session, comp: Competence) -> None:
    _require_draft(comp.version)
    version = comp.version
    version.competences.remove(comp)
    session.delete(comp)
    _renumber(version)
    _touch(version)
    session.flush()


def move_competence(session: Session, comp: Competence, delta: int) -> None:
    """Move a competence up (-1) or down (+1) among its siblings."""
    _require_draft(comp.version)
    siblings = [c for c in comp.version.competences if c.category_id == comp.category_id]
    _swap_with_sibling(comp.version, siblings, comp, delta)
    session.flush()


def _renumber(version: ReferentielVersion) -> None:
    groups: dict[int | None, list[Competence]] = {}
    for c in sorted(version.competences, key=lambda c: c.position):
        groups.setdefault(c.category_id, []).append(c)
    for siblings in groups.values():
        for n, c in enumerate(siblings, 1):
            c.position = n


def delete_draft(session: Session, version: ReferentielVersion) -> None:
    _require_draft(version)
    session.delete(version)
    session.flush()


def publish_version(session: Session, version: ReferentielVersion, *,
                    check_schema: bool = True) -> None:
    """Publish a draft: from now on it never changes. Indexes its CASE objects."""
    _require_draft(version)
    if not version.competences:
        raise UserError(_l("Ajoutez au moins une compétence avant de publier."))
    fw = framework_of(version)
    pkg = case.to_package(fw, base_url=CANONICAL_BASE)
    errors = case.schema_errors(pkg) if check_schema else []
    if errors:
        raise UserError(
            _l("Le référentiel n'est pas un paquet CASE valable."), 422,
            details=[{"location": str(loc), "message": str(msg)} for loc, msg in errors[:20]],
        )
    version.status = PUBLISHED
    version.published_at = utcnow()
    version.content_hash = _hash(pkg)
    # Freeze generated identifiers (criteria, levels) into the rows before the guard applies.
    _freeze_identifiers(version, fw)
    session.flush()
    rows = [{"identifier": ident, "kind": kind, "version_id": version.id}
            for kind, ident in _case_objects(pkg)]
    if rows:
        session.execute(insert(CaseObject), rows)


def _freeze_identifiers(version: ReferentielVersion, fw: Framework) -> None:
    crit = {(r.identifier, c.item): c for r in fw.rubrics for c in r.criteria}
    for comp in version.competences:
        changed = False
        entries = []
        for e in comp.levels or []:
            c = crit.get((e["rubric"], comp.identifier))
            if c is not None and (e.get("criterion") != c.identifier or any(
                lv.get("identifier") != cl.identifier for lv, cl in zip(e["levels"], c.levels,
                                                                         strict=False))):
                changed = True
                e = {**e, "criterion": c.identifier, "levels": [
                    {**lv, "identifier": cl.identifier}
                    for lv, cl in zip(e["levels"], c.levels, strict=False)
                ]}
            entries.append(e)
        if changed:
            comp.levels = entries
        trs = {}
        for lang, t in (comp.translations or {}).items():
            tr_id = t.get("identifier") or case.stable_id(comp.identifier, "translation", lang)
            trs[lang] = {**t, "identifier": tr_id}
        if trs != (comp.translations or {}):
            comp.translations = trs


def _case_objects(pkg: dict[str, Any]) -> list[tuple[str, str]]:
    out = [("CFAssociations", a["identifier"]) for a in pkg["CFAssociations"]]
    for r in pkg["CFRubrics"]:
        out.append(("CFRubrics", r["identifier"]))
        for c in r["CFRubricCriteria"]:
            out.append(("CFRubricCriteria", c["identifier"]))
            out += [("CFRubricCriterionLevels", lv["identifier"])
                    for lv in c["CFRubricCriterionLevels"]]
    defs = pkg["CFDefinitions"]
    out += [("CFItemTypes", d["identifier"]) for d in defs["CFItemTypes"]]
    out += [("CFAssociationGroupings", d["identifier"]) for d in defs["CFAssociationGroupings"]]
    out += [("CFLicenses", d["identifier"]) for d in defs["CFLicenses"]]
    out += [("CFItems", i["identifier"]) for i in pkg["CFItems"]
            if i.get("CFItemType") == case.TRANSLATION_TYPE]
    return out


# --------------------------------------------------------------------------- CASE lookups


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
    elif kind in {"CFItemTypes", "CFAssociationGroupings", "CFLicenses"}:
        pool = pkg["CFDefinitions"][kind]
    else:
        return None
    return next((o for o in pool if o["identifier"] == identifier), None)


def published_versions(session: Session) -> list[ReferentielVersion]:
    return list(
        session.execute(
            select(ReferentielVersion).where(ReferentielVersion.status == PUBLISHED)
            .order_by(ReferentielVersion.title, ReferentielVersion.number)
        ).scalars()
    )


# --------------------------------------------------------------------------- sharing


def adopt(session: Session, organisation_id: int, version: ReferentielVersion,
          user_id: int | None = None) -> Adoption:
    """Pin ``version`` for an organisation."""
    if not version.is_published:
        raise UserError(_l("Seule une version publiée peut être adoptée."))
    existing = session.execute(
        select(Adoption).where(Adoption.organisation_id == organisation_id,
                               Adoption.referentiel_id == version.referentiel_id)
    ).scalar_one_or_none()
    if existing is not None:
        raise UserError(
            _l("Ce référentiel est déjà adopté (version %(n)s). Passez par « Mettre à niveau ».",
               n=existing.version.number),
            409,
        )
    adoption = Adoption(organisation_id=organisation_id, referentiel_id=version.referentiel_id,
                        version_id=version.id, adopted_by_id=user_id)
    session.add(adoption)
    session.flush()
    return adoption


def upgrade_adoption(session: Session, adoption: Adoption, version: ReferentielVersion) -> None:
    """Move an adoption to a newer published version of the same référentiel (explicit)."""
    if version.referentiel_id != adoption.referentiel_id or not version.is_published:
        raise UserError(_l("Choisissez une version publiée de ce même référentiel."))
    if version.number <= adoption.version.number:
        raise UserError(_l("Choisissez une version plus récente que la version adoptée."))
    adoption.version_id = version.id
    session.flush()


@dataclass
class UpgradeImpact:
    """What an organisation already has on the version it adopted. Upgrading changes none of
    it: grids, validated competences, badge definitions and issued badges keep citing the version
    they were made with (published versions never change, so their URLs stay valid)."""

    sessions: int = 0
    rounds: int = 0
    #: Badge definitions on the adopted version (only the adopted version can be awarded, so
    #: after the upgrade they are no longer awarded; new ones are defined on the new version).
    achievements: list[Any] = field(default_factory=list)
    credentials: int = 0
    #: Validated competences of the adopted version not turned into a badge yet.
    pending: int = 0

    @property
    def empty(self) -> bool:
        return not (self.sessions or self.rounds or self.achievements or self.credentials
                    or self.pending)


def upgrade_impact(session: Session, organisation_id: int,
                   version: ReferentielVersion) -> UpgradeImpact:
    """Count what ``organisation_id`` has pinned to ``version`` (see :class:`UpgradeImpact`)."""
    from badger.awards.models import Achievement, Credential
    from badger.grids.models import GroupSession, Round, ValidatedCompetence

    def count(model: Any, *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    achievements = list(session.execute(
        select(Achievement).where(Achievement.organisation_id == organisation_id,
                                  Achievement.referentiel_version_id == version.id)
        .order_by(Achievement.name)
    ).scalars())
    awarded = select(Credential.validated_competence_id).where(
        Credential.validated_competence_id.is_not(None))
    return UpgradeImpact(
        sessions=count(GroupSession, GroupSession.organisation_id == organisation_id,
                       GroupSession.referentiel_version_id == version.id),
        rounds=count(Round, Round.organisation_id == organisation_id,
                     Round.referentiel_version_id == version.id),
        achievements=achievements,
        credentials=count(Credential, Credential.organisation_id == organisation_id,
                          Credential.achievement_id.in_([a.id for a in achievements]))
        if achievements else 0,
        pending=count(ValidatedCompetence,
                      ValidatedCompetence.organisation_id == organisation_id,
                      ValidatedCompetence.referentiel_version_id == version.id,
                      ValidatedCompetence.status != "declined",
                      ValidatedCompetence.id.not_in(awarded)),
    )


def adoptions(session: Session, organisation_id: int) -> list[Adoption]:
    return list(session.execute(
        select(Adoption).where(Adoption.organisation_id == organisation_id)
    ).scalars())


@dataclass
class Diff:
    """Differences between two versions, matched by competence code."""

    added: list[Competence] = field(default_factory=list)
    removed: list[Competence] = field(default_factory=list)
    changed: list[tuple[Competence, Competence, list[str]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_json(self) -> dict[str, Any]:
        return {
            "added": [c.code for c in self.added],
            "removed": [c.code for c in self.removed],
            "changed": [{"code": b.code, "fields": f} for _, b, f in self.changed],
        }


def _match_key(c: Competence) -> str:
    return c.code or c.label


def diff(old: ReferentielVersion, new: ReferentielVersion) -> Diff:
    """What changed from ``old`` to ``new``: added, removed and changed competences."""
    out = Diff()
    before = {_match_key(c): c for c in old.competences}
    after = {_match_key(c): c for c in new.competences}
    for k, c in after.items():
        if k not in before:
            out.added.append(c)
    for k, c in before.items():
        if k not in after:
            out.removed.append(c)
            continue
        n = after[k]
        fields = []
        if c.label != n.label:
            fields.append("label")
        if c.description != n.description:
            fields.append("description")
        if (c.category.label if c.category else None) != (n.category.label if n.category else None):
            fields.append("category")
        if c.position != n.position:
            fields.append("position")
        if c.pictogram != n.pictogram:
            fields.append("pictogram")
        if [(lv["score"], lv["quality"], lv["description"]) for lv in c.grid_levels()] != [
            (lv["score"], lv["quality"], lv["description"]) for lv in n.grid_levels()
        ]:
            fields.append("levels")
        if {(lk["kind"], lk["uri"]) for lk in c.links if lk["kind"] != "source"} != {
            (lk["kind"], lk["uri"]) for lk in n.links if lk["kind"] != "source"
        }:
            fields.append("links")
        if _translation_texts(c) != _translation_texts(n):
            fields.append("translations")
        if fields:
            out.changed.append((c, n, fields))
    return out


def _translation_texts(c: Competence) -> dict[str, Any]:
    """A competence's translations without their identifiers (which change every version)."""
    return {
        lang: (t.get("label", ""), t.get("description", ""),
               [(lv.get("score"), lv.get("quality", ""), lv.get("description", ""))
                for lv in t.get("levels") or []])
        for lang, t in (c.translations or {}).items()
    }


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


# --------------------------------------------------------------------------- permissions


def can_edit(user: Any, referentiel: Referentiel) -> bool:
    """Network admins edit their network's référentiels, organisation admins their own."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != "staff":
        return False
    if referentiel.shipped:
        return False
    if referentiel.network_id is not None:
        return referentiel.network_id in user.admin_network_ids()
    if referentiel.organisation_id is not None:
        role = user.role_in(referentiel.organisation_id)
        return role is not None and str(role) == "admin"
    return False


# --------------------------------------------------------------------------- pictograms


def shipped_pictograms() -> list[str]:
    from badger import resource_dir

    return sorted(p.stem for p in (resource_dir("static") / "pictograms").glob("*.svg"))


def valid_pictogram(name: str, session: Session | None = None) -> bool:
    """A shipped pictogram, or an uploaded one that is saved — or will be when ``session``
    commits (uploaded in the same transaction)."""
    if re.fullmatch(r"upload-[0-9a-f]{16}", name):
        path = pictogram_dir() / f"{name}.png"
        return path.exists() or staged_on_commit(session, path)
    return name in shipped_pictograms()


def pictogram_dir() -> Path:
    return Path(current_app.instance_path) / "pictograms"


def save_pictogram(session: Session, data: bytes) -> str:
    """Re-encode an uploaded PNG with Pillow (no metadata, ≤256 px); return its name. The
    file is written under the instance folder when ``session`` commits the competence that
    uses it (never if it does not: :func:`badger.db.write_file_on_commit`)."""
    from PIL import UnidentifiedImageError

    from badger.guards import ImageRefused, open_image

    if len(data) > MAX_PICTOGRAM_BYTES:
        raise UserError(_l("Pictogramme trop lourd (1 Mo au plus)."), 413)
    try:
        with open_image(data) as probe:
            if probe.format != "PNG":
                raise UserError(_l("Le pictogramme doit être une image PNG."), 415)
            if probe.width * probe.height > 4096 * 4096:
                raise UserError(_l("Image trop grande."), 413)
            probe.verify()
        with open_image(data) as img:
            img.load()
            clean = img.convert("RGBA")
    except UserError:
        raise
    except (ImageRefused, UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UserError(_l("Ce fichier n'est pas une image PNG lisible."), 415) from exc
    clean.thumbnail((PICTOGRAM_SIZE, PICTOGRAM_SIZE))
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    name = "upload-" + hashlib.sha256(png).hexdigest()[:16]
    write_file_on_commit(session, pictogram_dir() / f"{name}.png", png)
    return name


def diff_summary(d: Diff) -> str:
    return json.dumps(d.as_json(), ensure_ascii=False)
