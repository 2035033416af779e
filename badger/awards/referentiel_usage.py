"""What an organisation's badges cite of an adopted référentiel version (badge definitions,
the badges issued from them, validated competences not awarded yet), counted for the
référentiel upgrade page; registered with référentiels when ``badger.awards.models`` is
imported (référentiels sit below awards and never import them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badger.awards.models import Achievement, Credential
from badger.grids.models import ValidatedCompetence
from badger.referentiels.adoption import UpgradeImpact, register_version_usage
from badger.referentiels.models import ReferentielVersion


def _count(session: Session, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@register_version_usage
def awards_on_version(session: Session, organisation_id: int,
                      version: ReferentielVersion) -> UpgradeImpact:
    """Badge definitions of ``organisation_id`` on ``version`` (by name), the badges issued
    from them, and its validated competences of ``version`` neither declined nor awarded."""
    achievements = list(session.execute(
        select(Achievement).where(Achievement.organisation_id == organisation_id,
                                  Achievement.referentiel_version_id == version.id)
        .order_by(Achievement.name)
    ).scalars())
    awarded = select(Credential.validated_competence_id).where(
        Credential.validated_competence_id.is_not(None))
    return UpgradeImpact(
        achievements=achievements,
        credentials=_count(session, Credential, Credential.organisation_id == organisation_id,
                           Credential.achievement_id.in_([a.id for a in achievements]))
        if achievements else 0,
        pending=_count(session, ValidatedCompetence,
                       ValidatedCompetence.organisation_id == organisation_id,
                       ValidatedCompetence.referentiel_version_id == version.id,
                       ValidatedCompetence.status != "declined",
                       ValidatedCompetence.id.not_in(awarded)),
    )
