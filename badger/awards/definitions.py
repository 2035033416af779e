"""Badge definitions: the badges an organisation awards, on the competences of the
référentiel versions it adopted (texts, level, validity, image)."""

from __future__ import annotations

import re
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badger import audit
from badger.awards import images
from badger.awards.common import staff_id
from badger.awards.models import (
    Achievement,
    Credential,
)
from badger.awards.translations import TranslationInput, apply_translations, forget_derived
from badger.errors import UserError
from badger.networks.models import Organisation
from badger.ob3 import model
from badger.referentiels.models import Adoption, Competence


def adopted_version_ids(session: Session, organisation_id: int) -> set[int]:
    rows = session.execute(
        select(Adoption.version_id)
        .where(Adoption.organisation_id == organisation_id)
        .execution_options(unscoped=True)
    ).scalars()
    return set(rows)


def adoptable_competences(session: Session, organisation_id: int) -> list[Competence]:
    """Competences of the référentiel versions the organisation has adopted."""
    versions = adopted_version_ids(session, organisation_id)
    if not versions:
        return []
    return list(
        session.scalars(
            select(Competence)
            .where(Competence.version_id.in_(versions))
            .order_by(Competence.version_id, Competence.position)
        )
    )


def default_criteria(competence: Competence, min_level: int) -> str:
    """Criteria narrative generated from the competence and its rubric levels (editable)."""
    lines = [
        f"Compétence « {competence.label} »"
        + (f" ({competence.code})" if competence.code else "")
        + " évaluée sur une grille de 0 à 5, remplie par la personne et par son coach, "
        f"puis validée d'un commun accord au niveau {min_level} ou plus.",
    ]
    if competence.description:
        lines += ["", competence.description]
    levels = [lv for lv in competence.grid_levels() if int(lv.get("score", -1)) >= min_level]
    if levels:
        lines += ["", "Niveaux reconnus :"]
        for lv in levels:
            text = str(lv.get("description") or lv.get("quality") or "").strip()
            lines.append(f"- {lv.get('score')} : {text}")
    return "\n".join(lines)


#: OB 3.0 ``LanguageCode`` as the strict schema checks ``inLanguage`` (fr, en, en-GB, zh-Hant-TW).
LANGUAGE_RE = re.compile(r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
MAX_TRANSLATIONS = 20


@dataclass
class AchievementInput:
    competence_id: int
    name: str
    description: str
    criteria: str = ""
    min_level: int = 3
    validity_days: int | None = None
    achievement_type: str = "Competency"
    language: str = "fr"
    tags: list[str] = field(default_factory=list)
    image_alt: str = ""
    upload_png: bytes | None = None
    pictogram: str | None = None
    #: Every translation the badge keeps (None = leave the stored translations as they are).
    translations: list[TranslationInput] | None = None


def _check_translations(data: AchievementInput) -> None:
    seen: set[str] = set()
    for tr in data.translations or []:
        tr.language = tr.language.strip()
        if tr.is_empty():
            continue
        if not tr.language:
            raise UserError(_l("Traduction : indiquez sa langue (par exemple en pour l'anglais)."),
                            422)
        if not LANGUAGE_RE.match(tr.language):
            raise UserError(_l("Traduction : « %(code)s » n'est pas un code de langue "
                               "(par exemple en, es ou pt-BR).", code=tr.language[:20]), 422)
        if tr.language == data.language:
            raise UserError(_l("Traduction : « %(code)s » est déjà la langue principale du "
                               "badge. Choisissez une autre langue.", code=tr.language), 422)
        if tr.language in seen:
            raise UserError(_l("Traduction : une seule traduction par langue (« %(code)s » "
                               "revient deux fois).", code=tr.language), 422)
        seen.add(tr.language)
        if not tr.name.strip():
            raise UserError(_l("Traduction en « %(code)s » : donnez un nom au badge.",
                               code=tr.language), 422)
        if not tr.description.strip():
            raise UserError(_l("Traduction en « %(code)s » : décrivez le badge en une ou deux "
                               "phrases.", code=tr.language), 422)
        if len(tr.name.strip()) > 200 or len(tr.image_alt.strip()) > 500:
            raise UserError(_l("Traduction en « %(code)s » : le nom (200 caractères) ou le texte "
                               "de l'image (500 caractères) est trop long.", code=tr.language), 422)
    if len(seen) > MAX_TRANSLATIONS:
        raise UserError(_l("Trop de traductions (%(n)d au plus).", n=MAX_TRANSLATIONS), 422)


def _check_input(data: AchievementInput) -> None:
    if not data.name.strip():
        raise UserError(_l("Donnez un nom au badge."), 422)
    if not data.description.strip():
        raise UserError(_l("Décrivez le badge en une ou deux phrases."), 422)
    if not 0 <= data.min_level <= 5:
        raise UserError(_l("Le niveau minimum doit être entre 0 et 5."), 422)
    if data.validity_days is not None and not 1 <= data.validity_days <= 36500:
        raise UserError(_l("La durée de validité doit être un nombre de jours positif."), 422)
    if data.achievement_type not in model.ACHIEVEMENT_TYPES and not re.match(
        r"^ext:[A-Za-z0-9.\-_]+$", data.achievement_type
    ):
        raise UserError(_l("Type de badge inconnu."), 422)
    data.language = data.language.strip()
    if not LANGUAGE_RE.match(data.language):
        raise UserError(_l("Code de langue non valable (par exemple fr ou en)."), 422)
    _check_translations(data)


def _apply_image(ach: Achievement, org: Organisation, data: AchievementInput) -> None:
    alt = data.image_alt.strip() or f"Badge « {ach.name} » de {org.name}"
    ach.image_alt = alt[:500]
    if data.upload_png:
        try:
            ach.image_png = images.reencode_upload(data.upload_png)
        except images.ImageError as exc:
            raise UserError(_l("L'image doit être un fichier PNG valable."), 415) from exc
        ach.image_svg = images.svg_from_png(ach.image_png, ach.image_alt)
        ach.image_source = "uploaded"
    elif ach.image_source != "uploaded" or not ach.image_png:
        ach.image_png = images.generate_png(ach.name, org.colour, ach.pictogram)
        ach.image_svg = images.generate_svg(ach.name, org.colour, ach.pictogram, ach.image_alt)
        ach.image_source = "generated"


def _competence_for(session: Session, org: Organisation, competence_id: int) -> Competence:
    competence = session.execute(
        select(Competence).where(Competence.id == competence_id)
    ).scalar_one_or_none()
    if competence is None:
        raise UserError(_l("Compétence introuvable."), 404)
    if competence.version_id not in adopted_version_ids(session, org.id):
        raise UserError(
            _l("Cette version du référentiel n'est pas adoptée par votre organisation."), 422
        )
    return competence


def create_achievement(
    session: Session, org: Organisation, data: AchievementInput, *, actor: Any = None
) -> Achievement:
    _check_input(data)
    competence = _competence_for(session, org, data.competence_id)
    ach = Achievement(
        organisation_id=org.id,
        uuid=str(uuidlib.uuid4()),
        name=data.name.strip()[:200],
        description=data.description.strip(),
        criteria_narrative=data.criteria.strip() or default_criteria(competence, data.min_level),
        achievement_type=data.achievement_type,
        language=data.language,
        tags=[t.strip() for t in data.tags if t.strip()][:20],
        referentiel_version_id=competence.version_id,
        competence_id=competence.id,
        min_level=data.min_level,
        validity_days=data.validity_days,
        pictogram=data.pictogram or competence.pictogram,
        created_by_id=staff_id(actor),
        image_source="generated",
    )
    _apply_image(ach, org, data)
    session.add(ach)
    session.flush()
    apply_translations(session, ach, org, data.translations)
    audit.record(session, "award.achievement_create", actor=actor, organisation_id=org.id,
                 obj=ach)
    return ach


def update_achievement(
    session: Session, ach: Achievement, org: Organisation, data: AchievementInput, *,
    actor: Any = None,
) -> Achievement:
    """Edit texts and image. Competence and level stay: issued credentials cite them."""
    data.competence_id = ach.competence_id
    data.min_level = ach.min_level if _issued_count(session, ach) else data.min_level
    _check_input(data)
    ach.name = data.name.strip()[:200]
    ach.description = data.description.strip()
    ach.criteria_narrative = data.criteria.strip() or ach.criteria_narrative
    ach.achievement_type = data.achievement_type
    ach.language = data.language
    ach.tags = [t.strip() for t in data.tags if t.strip()][:20]
    ach.min_level = data.min_level
    ach.validity_days = data.validity_days
    if data.pictogram:
        ach.pictogram = data.pictogram
    _apply_image(ach, org, data)
    session.flush()
    apply_translations(session, ach, org, data.translations)
    forget_derived()
    audit.record(session, "award.achievement_update", actor=actor, organisation_id=org.id,
                 obj=ach)
    return ach


def _issued_count(session: Session, ach: Achievement) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Credential).where(Credential.achievement_id == ach.id)
        )
        or 0
    )
