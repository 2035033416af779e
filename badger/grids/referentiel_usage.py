"""What an organisation's grids cite of an adopted référentiel version (group sessions and
rounds), counted for the référentiel upgrade page; registered with référentiels when
``badger.grids.models`` is imported (référentiels sit below grids and never import them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badger.grids.models import GroupSession, Round
from badger.referentiels.adoption import UpgradeImpact, register_version_usage
from badger.referentiels.models import ReferentielVersion


def _count(session: Session, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@register_version_usage
def grids_on_version(session: Session, organisation_id: int,
                     version: ReferentielVersion) -> UpgradeImpact:
    """Group sessions and rounds of ``organisation_id`` made with ``version``."""
    return UpgradeImpact(
        sessions=_count(session, GroupSession, GroupSession.organisation_id == organisation_id,
                        GroupSession.referentiel_version_id == version.id),
        rounds=_count(session, Round, Round.organisation_id == organisation_id,
                      Round.referentiel_version_id == version.id),
    )
