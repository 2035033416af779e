"""Drafts: creating a référentiel, opening a new version, deriving one's own référentiel from
a published one, editing the document fields, deleting a draft."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger.errors import UserError
from badger.referentiels import case
from badger.referentiels.case import Framework
from badger.referentiels.framework import fill_version, framework_of
from badger.referentiels.importing import import_framework
from badger.referentiels.models import Referentiel, ReferentielVersion
from badger.referentiels.public_urls import document_url, item_url
from badger.referentiels.reading import get_referentiel
from badger.referentiels.rules import KEY_RE, require_draft, touch


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
    fill_version(session, version, fw)
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
    require_draft(version)
    allowed = {"title", "creator", "publisher", "description", "notes", "language",
               "official_source_url"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(name)
        setattr(version, name, (value or "").strip())
    if not version.title:
        raise UserError(_l("Le titre est obligatoire."))
    version.referentiel.title = version.title
    touch(version)
    session.flush()


def delete_draft(session: Session, version: ReferentielVersion) -> None:
    require_draft(version)
    session.delete(version)
    session.flush()
