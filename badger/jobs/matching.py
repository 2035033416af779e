"""Matching offers and participants.

**A participant's level for a competence** (one competence of one référentiel version — a
level on another version's competence does not count): the level of a badge for it (an
issued credential of an achievement aligned to that competence, not revoked, not suspended,
not past its validity; the highest if several) counts first; else the level last agreed in a
grid (an ``Agreement`` both the coach and the participant agreed to, the latest of them); else
the competence is not evaluated yet.

**Fit**: every required competence at or above its minimum level. An offer that the
participant meets in part is shown apart, with what is missing.

Everything is computed in SQL (:func:`levels_query`), so matching one offer against every
participant of its audience is one query (``bench/jobs_match.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from badger.accounts.models import Participant
from badger.awards.models import Achievement, Credential
from badger.db import utcnow
from badger.grids.models import Agreement, Journey, Round
from badger.jobs.models import Offer, Preference
from badger.networks.models import NetworkMembership
from badger.referentiels.models import Competence

BADGE = "badge"


def competence_label(competence: Competence, lang: str) -> str:
    """The competence's label in ``lang`` when translated, else as written."""
    translated = (competence.translations or {}).get(lang) or {}
    return str(translated.get("label") or competence.label)



AGREED = "agreed"


def levels_query(competence_ids: list[int], participant_ids: Any = None) -> Select[Any]:
    """Rows (participant_id, competence_id, level, source) — the participant's level per
    competence by the rule above. ``participant_ids``: a list or a subquery, or None (all)."""
    now = utcnow()
    badges = (
        select(Credential.participant_id.label("pid"), Achievement.competence_id.label("cid"),
               func.max(Credential.level).label("level"), literal(1).label("rank"))
        .join(Achievement, Achievement.id == Credential.achievement_id)
        .where(Achievement.competence_id.in_(competence_ids), Credential.state == "issued",
               Credential.revoked_at.is_(None), Credential.suspended_at.is_(None),
               or_(Credential.valid_until.is_(None), Credential.valid_until > now))
        .group_by(Credential.participant_id, Achievement.competence_id)
    )
    agreed_at = case((Agreement.coach_agreed_at > Agreement.participant_agreed_at,
                      Agreement.coach_agreed_at), else_=Agreement.participant_agreed_at)
    ordered = (
        select(Journey.participant_id.label("pid"), Agreement.competence_id.label("cid"),
               Agreement.level.label("level"),
               func.row_number().over(
                   partition_by=(Journey.participant_id, Agreement.competence_id),
                   order_by=(agreed_at.desc(), Agreement.id.desc())).label("n"))
        .join(Round, Round.id == Agreement.round_id).join(Journey, Journey.id == Round.journey_id)
        .where(Agreement.competence_id.in_(competence_ids),
               Agreement.coach_agreed_at.is_not(None),
               Agreement.participant_agreed_at.is_not(None))
    )
    if participant_ids is not None:
        badges = badges.where(Credential.participant_id.in_(participant_ids))
        ordered = ordered.where(Journey.participant_id.in_(participant_ids))
    last = ordered.subquery("ordered")
    agreements = select(last.c.pid, last.c.cid, last.c.level, literal(2).label("rank")).where(
        last.c.n == 1)
    both = union_all(badges, agreements).subquery("both")
    # one pass: the badge's level when there is one, else the agreed level
    badge_level = func.max(case((both.c.rank == 1, both.c.level)))
    agreed_level = func.max(case((both.c.rank == 2, both.c.level)))
    return (select(both.c.pid, both.c.cid,
                   func.coalesce(badge_level, agreed_level).label("level"),
                   case((badge_level.is_not(None), BADGE), else_=AGREED).label("source"))
            .group_by(both.c.pid, both.c.cid)
            .execution_options(unscoped=True))


def participant_levels(db: Session, participant_id: int,
                       competence_ids: list[int]) -> dict[int, tuple[int, str]]:
    rows = db.execute(levels_query(competence_ids, [participant_id])).all()
    return {r.cid: (r.level, r.source) for r in rows}


@dataclass
class Line:
    """One required competence beside the participant's level."""

    label: str
    required: int
    level: int | None
    source: str | None  # BADGE, AGREED or None (not evaluated yet)

    @property
    def met(self) -> bool:
        return self.level is not None and self.level >= self.required


@dataclass
class Match:
    offer: Offer
    lines: list[Line]

    @property
    def fits(self) -> bool:
        return all(line.met for line in self.lines)

    @property
    def missing(self) -> list[Line]:
        return [line for line in self.lines if not line.met]


def explain(db: Session, offer: Offer, participant_id: int, lang: str = "fr") -> Match:
    ids = [r.competence_id for r in offer.requirements]
    levels = participant_levels(db, participant_id, ids)
    lines = []
    for req in offer.requirements:
        level, source = levels.get(req.competence_id, (None, None))
        lines.append(Line(competence_label(req.competence, lang), req.min_level, level, source))
    return Match(offer, lines)


def matches(db: Session, offers: list[Offer], participant_id: int,
            lang: str = "fr") -> tuple[list[Match], list[Match]]:
    """(fitting, partly fitting) — partly: at least one required competence met."""
    all_ = [explain(db, o, participant_id, lang) for o in offers]
    fitting = [m for m in all_ if m.fits]
    partial = [m for m in all_ if not m.fits and len(m.missing) < len(m.lines)]
    return fitting, partial


def audience_participants(offer: Offer) -> Select[Any]:
    """Ids of the participants in the offer's audience who chose to receive offers."""
    stmt = (select(Participant.id).join(Preference, Preference.participant_id == Participant.id)
            .where(Preference.receive_offers.is_(True), Participant.active.is_(True)))
    if offer.organisation_id is not None:
        return stmt.where(Participant.organisation_id == offer.organisation_id)
    members = select(NetworkMembership.organisation_id).where(
        NetworkMembership.network_id == offer.network_id)
    return stmt.where(Participant.organisation_id.in_(members))


def fitting_participants(db: Session, offer: Offer, *, digest_only: bool = False) -> list[int]:
    """The participants (ids) who opted in and fit the offer: one SQL query."""
    reqs = {r.competence_id: r.min_level for r in offer.requirements}
    if not reqs:
        return []
    who = audience_participants(offer)
    if digest_only:
        who = who.where(Preference.weekly_digest.is_(True))
    levels = levels_query(list(reqs), who.scalar_subquery()).subquery("levels")
    met = or_(*(and_(levels.c.cid == cid, levels.c.level >= level)
                for cid, level in reqs.items()))
    stmt = (select(levels.c.pid).where(met).group_by(levels.c.pid)
            .having(func.count() == len(reqs)).order_by(levels.c.pid)
            .execution_options(unscoped=True))
    return list(db.scalars(stmt))
