"""Checks shared by the grid rules: a score is 0–5, a closed round takes no change, a grid
has 3–30 competences of one published version."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.errors import UserError
from badger.grids import scoring
from badger.grids.models import Round
from badger.referentiels.models import Competence, ReferentielVersion

MIN_AXES = 3
MAX_AXES = 30


def checked_score(value: object) -> int:
    try:
        return scoring.check_score(value)
    except ValueError:
        raise UserError(_l("Une note est un nombre entier de 0 à 5."), 422) from None


def check_version_and_competences(
    db: Session, version_id: int, competence_ids: Sequence[int]
) -> list[Competence]:
    version = db.get(ReferentielVersion, version_id)
    if version is None or not version.is_published:
        raise UserError(_l("Choisissez une version publiée d'un référentiel."), 422)
    ids = list(dict.fromkeys(int(c) for c in competence_ids))
    if not MIN_AXES <= len(ids) <= MAX_AXES:
        raise UserError(_l("Une grille compte de 3 à 30 compétences."), 422)
    rows = db.execute(
        select(Competence).where(Competence.id.in_(ids), Competence.version_id == version_id)
    ).scalars()
    by_id = {c.id: c for c in rows}
    if len(by_id) != len(ids):
        raise UserError(_l("Ces compétences n'appartiennent pas à ce référentiel."), 422)
    return [by_id[i] for i in ids]


def check_open(rnd: Round) -> None:
    if rnd.closed_at is not None:
        raise UserError(_l("Ce tour de grille est clos."), 409)
