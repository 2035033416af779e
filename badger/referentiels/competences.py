"""Competences of a draft: add, edit (levels 0–5, pictogram, recruiter words, translations),
move, remove."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, object_session

from badger.errors import UserError
from badger.referentiels import case
from badger.referentiels.models import Competence, ReferentielVersion
from badger.referentiels.pictograms import valid_pictogram
from badger.referentiels.rules import (
    check_code,
    renumber_competences,
    require_draft,
    swap_with_sibling,
    touch,
)
from badger.referentiels.translations import TranslationInput, apply_translations


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
    check_code(version, code, exclude=comp)
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
        comp.translations = apply_translations(version, comp, data.translations)
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
    comp.last_change = touch(version)


def add_competence(session: Session, version: ReferentielVersion,
                   data: CompetenceInput) -> Competence:
    """Append a competence to a draft."""
    require_draft(version)
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
    require_draft(comp.version)
    old_category = comp.category_id
    _apply(comp.version, comp, data)
    if comp.category_id != old_category:
        comp.position = 1 + max(
            (c.position for c in comp.version.competences
             if c is not comp and c.category_id == comp.category_id), default=0
        )
    session.flush()


def delete_competence(session: Session, comp: Competence) -> None:
    require_draft(comp.version)
    version = comp.version
    version.competences.remove(comp)
    session.delete(comp)
    renumber_competences(version)
    touch(version)
    session.flush()


def move_competence(session: Session, comp: Competence, delta: int) -> None:
    """Move a competence up (-1) or down (+1) among its siblings."""
    require_draft(comp.version)
    siblings = [c for c in comp.version.competences if c.category_id == comp.category_id]
    swap_with_sibling(comp.version, siblings, comp, delta)
    session.flush()
