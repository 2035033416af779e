"""Who is in a cohort, in SQL: the journeys an organisation (or a network's members) started in a
period, optionally of one programme; and the checks that refuse a filter whose figures could be
told apart from another filter's by a few people.

Definitions (README, "Outcomes and cohort statistics"):

* a journey's **programme** is the programme of the session of its earliest round that has one
  (``grid_sessions.programme``); a journey with none is "no programme";
* the **cohort** of a filter is the journeys started (``started_on``) from the first day of the
  ``from`` month to the last day of the ``to`` month, in the organisations of the scope, of the
  programme when one is chosen. Everything else (exits, progression, badges, share links) is
  about the cohort's journeys and people, whenever it happened up to today.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from badger.errors import UserError
from badger.grids.models import GroupSession, Journey, Round
from badger.outcomes.suppression import protect

#: The "no programme" group in the programme partition.
NO_PROGRAMME = ""
MAX_MONTHS = 120


@dataclass(frozen=True)
class Filter:
    """A statistics request: the organisations of the viewer's scope, a programme (None: all)
    and a period in whole months."""

    organisation_ids: tuple[int, ...]
    start: date
    end: date
    programme: str | None = None
    network: bool = False


def month_start(value: str) -> date:
    """``YYYY-MM`` → its first day (a clear 400 otherwise)."""
    try:
        year, month = (int(x) for x in value.strip().split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise UserError(_l("Mois non valable : écrivez AAAA-MM."), 400) from None


def month_end(value: str) -> date:
    first = month_start(value)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def check_period(start: date, end: date) -> None:
    if end < start:
        raise UserError(_l("La fin de la période est avant son début."), 400)
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise UserError(_l("Une période de dix ans au plus."), 400)


def journey_programmes(organisation_ids: Sequence[int]) -> Any:
    """(journey id, programme) of every journey with one: the programme of the session of its
    earliest round that has one — set-based (two grouped joins), not a query per journey."""
    ids = list(organisation_ids)
    earliest = (
        select(Round.journey_id.label("jid"), func.min(Round.position).label("pos"))
        .join(GroupSession, GroupSession.id == Round.session_id)
        .where(Round.organisation_id.in_(ids), GroupSession.programme != "")
        .group_by(Round.journey_id)
        .subquery("earliest")
    )
    rnd, gs = aliased(Round), aliased(GroupSession)
    return (
        select(earliest.c.jid, gs.programme.label("programme"))
        .join(rnd, and_(rnd.journey_id == earliest.c.jid, rnd.position == earliest.c.pos))
        .join(gs, gs.id == rnd.session_id)
        .cte("journey_programmes")
    )


def cohort_select(f: Filter, organisation_ids: Sequence[int]) -> Any:
    """The cohort's journeys: (journey id, participant id, ended_on)."""
    query = select(Journey.id.label("jid"), Journey.participant_id.label("pid"),
                   Journey.ended_on.label("ended_on")).where(
        Journey.organisation_id.in_(list(organisation_ids)),
        Journey.started_on >= f.start, Journey.started_on <= f.end)
    if f.programme is not None:
        # IN / NOT IN a subquery, not a LEFT JOIN: SQLite plans the join with bound parameters
        # as a nested scan (100 times slower on 10,000 journeys)
        progs = journey_programmes(organisation_ids)
        if f.programme == NO_PROGRAMME:
            query = query.where(Journey.id.not_in(select(progs.c.jid)))
        else:
            query = query.where(Journey.id.in_(
                select(progs.c.jid).where(progs.c.programme == f.programme)))
    return query


@dataclass
class Entries:
    """Journeys started, per (month, organisation, programme): everything the checks need,
    read in one grouped query."""

    rows: dict[tuple[date, int, str], int] = field(default_factory=dict)

    def count(self, start: date, end: date, orgs: set[int] | None = None,
              programme: str | None = None) -> int:
        return sum(n for (m, o, p), n in self.rows.items()
                   if start <= m <= end and (orgs is None or o in orgs)
                   and (programme is None or p == programme))

    def months(self) -> list[date]:
        return sorted({m for m, _o, _p in self.rows})


def entries(db: Session, organisation_ids: Sequence[int]) -> Entries:
    """Two grouped queries: every journey, then those with a programme (inner join); the
    "no programme" group is the difference."""
    ids = list(organisation_ids)
    progs = journey_programmes(organisation_ids)
    unscoped = {"unscoped": True}
    out: dict[tuple[date, int, str], int] = defaultdict(int)
    every = (select(Journey.started_on, Journey.organisation_id, func.count())
             .where(Journey.organisation_id.in_(ids))
             .group_by(Journey.started_on, Journey.organisation_id))
    for day, org_id, n in db.execute(every, execution_options=unscoped):
        out[(day.replace(day=1), org_id, NO_PROGRAMME)] += n
    tagged = (select(Journey.started_on, Journey.organisation_id, progs.c.programme,
                     func.count())
              .join(progs, progs.c.jid == Journey.id)
              .where(Journey.organisation_id.in_(ids))
              .group_by(Journey.started_on, Journey.organisation_id, progs.c.programme))
    for day, org_id, programme, n in db.execute(tagged, execution_options=unscoped):
        out[(day.replace(day=1), org_id, str(programme))] += n
        out[(day.replace(day=1), org_id, NO_PROGRAMME)] -= n
    return Entries({k: n for k, n in out.items() if n})


@dataclass
class Scope:
    """What the figures are computed on once the difference rules ran."""

    organisation_ids: tuple[int, ...]
    left_out: int = 0  # members of a network left out (fewer than the minimum)


def resolve(db: Session, f: Filter, min_group: int) -> Scope:
    """Apply the rules that guard against figures told apart by difference; raise a 422 naming
    the rule when the filter is refused.

    * network: a member organisation with fewer than ``min_group`` journeys in the cohort is
      left out of the network's figures (else its own figure would be the network's minus the
      others');
    * programme: the cohort counts per programme (and "no programme") are one table under the
      small-group and complementary rules; a programme whose cell is hidden is refused;
    * period: the nearest month before ``from`` and after ``to`` with any entry must add
      0 or at least ``min_group`` journeys (else two periods a month apart differ by a few
      people).
    """
    found = entries(db, f.organisation_ids)
    orgs = set(f.organisation_ids)
    left_out = 0
    if f.network:
        small = {o for o in orgs
                 if 0 < found.count(f.start, f.end, {o}, f.programme) < min_group}
        left_out, orgs = len(small), orgs - small
    if f.programme is not None:
        per_programme: dict[str, int] = defaultdict(int)
        for (m, o, p), n in found.rows.items():
            if f.start <= m <= f.end and o in orgs:
                per_programme[p] += n
        per_programme.setdefault(f.programme, 0)
        if protect(per_programme, min_group)[f.programme].hidden:
            raise UserError(_l(
                "Ce programme compte trop peu de personnes sur cette période, ou ses chiffres "
                "se déduiraient de ceux des autres programmes."), 422)
    before = [m for m in found.months() if m < f.start.replace(day=1)
              and found.count(m, m, orgs, f.programme)]
    after = [m for m in found.months() if m > f.end and found.count(m, m, orgs, f.programme)]
    for month in (before[-1:] + after[:1]):
        if 0 < found.count(month, month, orgs, f.programme) < min_group:
            raise UserError(_l("Un mois voisin de cette période ne compte que quelques entrées : "
                               "élargissez la période pour que personne ne se déduise d'une "
                               "différence."), 422)
    return Scope(tuple(sorted(orgs)), left_out)


def programme_labels(db: Session, organisation_ids: Sequence[int]) -> list[str]:
    """The programme labels the organisations' sessions use (the filter's choices)."""
    return list(db.execute(
        select(GroupSession.programme).where(
            GroupSession.organisation_id.in_(list(organisation_ids)),
            GroupSession.programme != "").distinct().order_by(GroupSession.programme),
        execution_options={"unscoped": True}).scalars())
