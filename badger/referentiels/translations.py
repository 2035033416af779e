"""Translations of a référentiel: a shipped version gaining translations (the only change a
published version accepts), and the editor's translated labels, definitions and level texts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from badger.errors import UserError
from badger.referentiels import case
from badger.referentiels.case import Framework
from badger.referentiels.framework import (
    canonical_package,
    content_hash,
    hash_package,
    translations_out,
)
from badger.referentiels.models import (
    CaseObject,
    Category,
    Competence,
    ReferentielVersion,
    adding_translations,
)
from badger.referentiels.publishing import case_objects
from badger.referentiels.rules import LANG_RE, MAX_LABEL, MAX_LEVEL, MAX_TEXT


def _without_translations(fw: Framework) -> Framework:
    """``fw`` without translations nor pictograms (the two things a shipped version may gain)."""
    items = [dataclasses.replace(it, translations={}, pictogram=None) for it in fw.items]
    return dataclasses.replace(fw, items=items)


def _translation_texts_of(it: case.Item) -> dict[str, Any]:
    return {
        lang: (t.label, t.description, [(lv.score, lv.quality, lv.description) for lv in t.levels])
        for lang, t in it.translations.items()
    }


def only_adds_translations(stored: Framework, fw: Framework) -> bool:
    """True when ``fw`` is ``stored`` plus translations and pictograms: every other byte of the
    package, every translation and every pictogram ``stored`` already has, are the same."""
    if content_hash(_without_translations(stored)) != content_hash(_without_translations(fw)):
        return False
    pictograms = {it.identifier: it.pictogram for it in fw.items}
    if any(it.pictogram and pictograms[it.identifier] != it.pictogram for it in stored.items):
        return False
    new = {it.identifier: _translation_texts_of(it) for it in fw.items}
    return all(
        new[it.identifier].get(lang) == texts
        for it in stored.items
        for lang, texts in _translation_texts_of(it).items()
    )


def add_translations(session: Session, version: ReferentielVersion, fw: Framework) -> None:
    """Give a published shipped ``version`` the translations and pictograms ``fw`` adds (see
    :func:`only_adds_translations`). They change no normative text: labels, definitions,
    levels and every existing CASE identifier stay, so badges and grids citing the version read
    the same; the package gains translation items and its ``content_hash`` (ETag) changes. A
    database that imported the version before it was translated thus ends with the same
    package as a fresh install."""
    new = {it.identifier: it for it in fw.items}
    with adding_translations(session):
        rows: list[Category | Competence] = [*version.categories, *version.competences]
        for row in rows:
            merged = {**translations_out(new[row.identifier].translations),
                      **(row.translations or {})}
            if merged != (row.translations or {}):
                row.translations = merged
            if row.pictogram is None and new[row.identifier].pictogram:
                row.pictogram = new[row.identifier].pictogram
        pkg = canonical_package(version)
        version.content_hash = hash_package(pkg)
        session.flush()
    known = set(session.scalars(
        select(CaseObject.identifier).where(CaseObject.version_id == version.id)
    ))
    objects = [{"identifier": ident, "kind": kind, "version_id": version.id}
               for kind, ident in case_objects(pkg) if ident not in known]
    if objects:
        session.execute(insert(CaseObject), objects)


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


def apply_translations(version: ReferentielVersion, comp: Competence,
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
