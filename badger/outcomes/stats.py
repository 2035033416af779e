"""Cohort statistics, aggregated in SQL (a handful of grouped queries, whatever the number of
people), then shown through the small-group rules of :mod:`badger.outcomes.suppression`.

Figures (README, "Outcomes and cohort statistics"):

* **entries**: the cohort's journeys (and distinct participants);
* **situation**: in progress / ended with an exit the participant agreed to, by kind / ended,
  exit not recorded (none, or awaiting the participant's answer); employments by contract and
  by duration class, trainings qualifying or not;
* **progression per competence**: for each journey and competence the coach scored in at
  least two rounds, *entry* = the coach's score in the earliest of those rounds, *exit* = in
  the latest (for a journey still in progress: its latest round so far); mean entry, mean
  exit, distribution 0–5 of each, share who progressed by at least one level;
* **follow-ups** at 3 and 6 months: the follow-ups recorded for the cohort's agreed exits, by
  kind (employment / training / other support / no news), one table per month whose total is
  the follow-ups recorded at that month (one not recorded yet is not counted);
* **badges** issued to the cohort's participants (and accepted: in their hands, not waiting
  for a claim, not revoked); **share links** of the cohort's participants opened at least once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, distinct, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from badger.awards.models import Credential
from badger.grids.models import Rating, Round
from badger.outcomes.cohort import Filter, Scope, cohort_select, resolve
from badger.outcomes.models import (
    CONTRACTS,
    DURATIONS,
    EXIT_KINDS,
    FOLLOW_UP_MONTHS,
    ExitFollowUp,
    JourneyExit,
)
from badger.outcomes.suppression import Cell, mean_or_none, protect, total_cell
from badger.portfolio.models import Share, ShareView
from badger.referentiels.models import Competence

STATUSES = ("in_progress", "employment", "training", "other_support", "no_news", "unrecorded")
LEVELS = tuple(range(6))
UNSCOPED = {"unscoped": True}


@dataclass
class CompetenceRow:
    competence_id: int
    label: str
    n: Cell
    entry: dict[int, Cell]
    exit: dict[int, Cell]
    mean_entry: float | None
    mean_exit: float | None
    progressed: Cell
    not_progressed: Cell

    @property
    def progressed_share(self) -> float | None:
        return self.progressed.share(self.n)


@dataclass
class Report:
    """What a page, the CSV and the PDF show; no name anywhere, only counts and means."""

    filter: Filter
    min_group: int
    journeys: Cell
    participants: Cell
    shown: bool = True
    left_out: int = 0
    status: dict[str, Cell] = field(default_factory=dict)
    contracts: dict[str, Cell] = field(default_factory=dict)
    durations: dict[str, Cell] = field(default_factory=dict)
    training: dict[str, Cell] = field(default_factory=dict)
    competences: list[CompetenceRow] = field(default_factory=list)
    #: month (3, 6) → recorded follow-ups (the table's total), and by kind
    follow_up_totals: dict[int, Cell] = field(default_factory=dict)
    follow_ups: dict[int, dict[str, Cell]] = field(default_factory=dict)
    badges: dict[str, Cell] = field(default_factory=dict)
    shares: dict[str, Cell] = field(default_factory=dict)


def _situations(db: Session, cohort: Any) -> dict[tuple[Any, ...], int]:
    """(status, contract, duration, qualifying) → journeys."""
    counted = JourneyExit.consent.in_(("given", "not_needed"))
    # the labels as SQL literals, not parameters: SQLite then sees the GROUP BY expression is
    # the selected one (with parameters the plan was 100 times slower)
    status = case(
        (cohort.c.ended_on.is_(None), literal_column("'in_progress'")),
        (and_(JourneyExit.id.is_not(None), counted), JourneyExit.kind),
        else_=literal_column("'unrecorded'"),
    ).label("status")
    query = (
        select(status, JourneyExit.contract, JourneyExit.duration, JourneyExit.qualifying,
               func.count())
        .select_from(cohort)
        .outerjoin(JourneyExit, JourneyExit.journey_id == cohort.c.jid)
        .group_by(status, JourneyExit.contract, JourneyExit.duration, JourneyExit.qualifying)
    )
    return {tuple(r[:4]): r[4] for r in db.execute(query, execution_options=UNSCOPED)}


def _follow_ups(db: Session, cohort: Any) -> dict[tuple[int, str], int]:
    """(month, kind) → follow-ups recorded for the cohort's agreed exits."""
    query = (
        select(ExitFollowUp.month, ExitFollowUp.kind, func.count())
        .select_from(cohort)
        .join(JourneyExit, JourneyExit.journey_id == cohort.c.jid)
        .join(ExitFollowUp, ExitFollowUp.exit_id == JourneyExit.id)
        .where(JourneyExit.consent == "given")
        .group_by(ExitFollowUp.month, ExitFollowUp.kind)
    )
    return {(r[0], r[1]): r[2] for r in db.execute(query, execution_options=UNSCOPED)}


def _follow_up_tables(report: Report, found: dict[tuple[int, str], int], m: int) -> None:
    """One table per month, under the same rules: a small total hides its table whole; one
    hidden cell takes the smallest other one with it."""
    for month in FOLLOW_UP_MONTHS:
        counts = {k: found.get((month, k), 0) for k in EXIT_KINDS}
        total = total_cell(sum(counts.values()), m)
        report.follow_up_totals[month] = total
        report.follow_ups[month] = protect(counts, m, total_hidden=total.hidden)


def _progression(db: Session, cohort: Any) -> dict[int, dict[tuple[int, int], int]]:
    """competence id → {(entry score, exit score): journeys}: the coach's score in the
    journey's first round and in its last round (journeys with two rounds or more; a
    competence counts when the coach scored it in both)."""
    bounds = (
        select(Round.journey_id.label("jid"), func.min(Round.position).label("p0"),
               func.max(Round.position).label("p1"))
        .join(cohort, cohort.c.jid == Round.journey_id)
        .group_by(Round.journey_id)
        .having(func.min(Round.position) < func.max(Round.position))
        .subquery("bounds")
    )
    first_round, last_round = aliased(Round), aliased(Round)
    entry, exit_ = aliased(Rating), aliased(Rating)
    query = (
        select(entry.competence_id, entry.score, exit_.score, func.count())
        .select_from(bounds)
        .join(first_round, and_(first_round.journey_id == bounds.c.jid,
                                first_round.position == bounds.c.p0))
        .join(last_round, and_(last_round.journey_id == bounds.c.jid,
                               last_round.position == bounds.c.p1))
        .join(entry, and_(entry.round_id == first_round.id, entry.rater_role == "coach"))
        .join(exit_, and_(exit_.round_id == last_round.id, exit_.rater_role == "coach",
                          exit_.competence_id == entry.competence_id))
        .group_by(entry.competence_id, entry.score, exit_.score)
    )
    out: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    for cid, first, last, n in db.execute(query, execution_options=UNSCOPED):
        out[cid][(first, last)] = n
    return out


def _people_counts(db: Session, cohort: Any) -> tuple[dict[str, int], dict[str, int]]:
    people = select(cohort.c.pid).distinct().scalar_subquery()
    accepted = and_(Credential.state == "issued", Credential.revoked_at.is_(None))
    badges = db.execute(
        select(func.count(Credential.id),
               func.count(distinct(Credential.participant_id)),
               func.sum(case((accepted, 1), else_=0)),
               func.count(distinct(case((accepted, Credential.participant_id)))))
        .where(Credential.participant_id.in_(people)),
        execution_options=UNSCOPED,
    ).one()
    opened = select(ShareView.share_id).distinct().scalar_subquery()
    shares = db.execute(
        select(func.count(Share.id), func.count(distinct(Share.participant_id)))
        .where(Share.participant_id.in_(people), Share.id.in_(opened)),
        execution_options=UNSCOPED,
    ).one()
    return (
        {"issued": badges[0] or 0, "people": badges[1] or 0, "accepted": badges[2] or 0,
         "accepted_people": badges[3] or 0},
        {"links": shares[0] or 0, "people": shares[1] or 0},
    )


def _competence_rows(db: Session, pairs: dict[int, dict[tuple[int, int], int]],
                     m: int) -> list[CompetenceRow]:
    labels = dict(db.execute(
        select(Competence.id, Competence.label).where(Competence.id.in_(list(pairs))),
        execution_options=UNSCOPED).all()) if pairs else {}
    rows = []
    for cid in sorted(pairs, key=lambda c: (str(labels.get(c, "")), c)):
        counts = pairs[cid]
        n = sum(counts.values())
        entry = {lv: sum(k for (e, _x), k in counts.items() if e == lv) for lv in LEVELS}
        exit_ = {lv: sum(k for (_e, x), k in counts.items() if x == lv) for lv in LEVELS}
        up = sum(k for (e, x), k in counts.items() if x - e >= 1)
        n_cell = total_cell(n, m)
        entry_cells = protect(entry, m, total_hidden=n_cell.hidden)
        exit_cells = protect(exit_, m, total_hidden=n_cell.hidden)
        prog = protect({"up": up, "not": n - up}, m, total_hidden=n_cell.hidden)
        rows.append(CompetenceRow(
            cid, str(labels.get(cid, cid)), n_cell, entry_cells, exit_cells,
            mean_or_none(entry, entry_cells), mean_or_none(exit_, exit_cells),
            prog["up"], prog["not"]))
    return rows


def _situation_tables(report: Report, found: dict[tuple[Any, ...], int], m: int) -> None:
    status = {s: sum(n for k, n in found.items() if k[0] == s) for s in STATUSES}
    report.status = protect(status, m)
    job = report.status["employment"].hidden
    report.contracts = protect(
        {c: sum(n for k, n in found.items() if k[0] == "employment" and k[1] == c)
         for c in CONTRACTS}, m, total_hidden=job)
    report.durations = protect(
        {d: sum(n for k, n in found.items() if k[0] == "employment" and k[2] == d)
         for d in DURATIONS}, m, total_hidden=job)
    report.training = protect(
        {q: sum(n for k, n in found.items() if k[0] == "training" and bool(k[3]) == (q == "yes"))
         for q in ("yes", "no")}, m, total_hidden=report.status["training"].hidden)


def _people_tables(report: Report, badges: dict[str, int], shares: dict[str, int],
                   m: int) -> None:
    people = badges["people"]
    hide = 0 < people < m
    report.badges = {
        "people": total_cell(people, m),
        "issued": Cell(None, "small") if hide else Cell(badges["issued"]),
    }
    acc_hide = hide or 0 < badges["accepted_people"] < m
    report.badges["accepted"] = Cell(None, "small") if acc_hide else Cell(badges["accepted"])
    hide_s = 0 < shares["people"] < m
    report.shares = {
        "people": total_cell(shares["people"], m),
        "links": Cell(None, "small") if hide_s else Cell(shares["links"]),
    }


def cohort_report(db: Session, f: Filter, min_group: int) -> Report:
    """The report of a filter; ``shown`` is False (and nothing else is filled) when the cohort
    has fewer than ``min_group`` journeys or participants. A filter the difference rules refuse
    raises :class:`~badger.errors.UserError` (422)."""
    scope: Scope = resolve(db, f, min_group)
    cohort = cohort_select(f, scope.organisation_ids).cte("cohort")
    journeys, people = db.execute(
        select(func.count(), func.count(distinct(cohort.c.pid))).select_from(cohort),
        execution_options=UNSCOPED).one()
    report = Report(f, min_group, total_cell(journeys, min_group),
                    total_cell(people, min_group), left_out=scope.left_out)
    if journeys < min_group or people < min_group:
        report.shown = False
        return report
    _situation_tables(report, _situations(db, cohort), min_group)
    _follow_up_tables(report, _follow_ups(db, cohort), min_group)
    report.competences = _competence_rows(db, _progression(db, cohort), min_group)
    badges, shares = _people_counts(db, cohort)
    _people_tables(report, badges, shares, min_group)
    return report
