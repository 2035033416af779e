"""Adoption: an organisation pins a published version, and upgrades it explicitly after
seeing what it already has on the old one (:class:`UpgradeImpact`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.errors import UserError
from badger.referentiels.models import Adoption, ReferentielVersion


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


#: Counts what an organisation has on a version, for :func:`upgrade_impact`: the part of the
#: :class:`UpgradeImpact` its domain knows (grids, awards), the other fields left at zero.
VersionUsageCounter = Callable[[Session, int, ReferentielVersion], UpgradeImpact]
_COUNTERS: list[VersionUsageCounter] = []


def register_version_usage(counter: VersionUsageCounter) -> VersionUsageCounter:
    """Register a domain's :data:`VersionUsageCounter` (once; usable as a decorator). The
    domains above référentiels (grids, awards) own what cites a version: they register
    themselves when their models are imported, so this layer never imports them."""
    if counter not in _COUNTERS:
        _COUNTERS.append(counter)
    return counter


def upgrade_impact(session: Session, organisation_id: int,
                   version: ReferentielVersion) -> UpgradeImpact:
    """Count what ``organisation_id`` has pinned to ``version`` (see :class:`UpgradeImpact`):
    the sum of every registered counter's part."""
    total = UpgradeImpact()
    for counter in _COUNTERS:
        part = counter(session, organisation_id, version)
        total.sessions += part.sessions
        total.rounds += part.rounds
        total.achievements += part.achievements
        total.credentials += part.credentials
        total.pending += part.pending
    return total


def adoption_of(session: Session, organisation_id: int, referentiel_id: int) -> Adoption | None:
    """The organisation's adoption of a référentiel, if any (one per référentiel)."""
    return session.execute(
        select(Adoption).where(Adoption.organisation_id == organisation_id,
                               Adoption.referentiel_id == referentiel_id)
    ).scalar_one_or_none()


def adoptions(session: Session, organisation_id: int) -> list[Adoption]:
    """The référentiel versions an organisation has adopted."""
    return list(session.execute(
        select(Adoption).where(Adoption.organisation_id == organisation_id)
    ).scalars())
