"""``badger outcomes due`` (the follow-ups whose date has come) and the demo hook: a second
member of the demo network with a finished intake of the demo programme, so the network's
outcomes page shows a programme's progression and exits."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.accounts import service as accounts
from badger.awards.keys import issuer_keys
from badger.db import get_session, set_scope, utcnow
from badger.grids.models import GroupSession, Journey, Rating, Round, RoundCompetence
from badger.networks.models import NetworkMembership, Organisation
from badger.outcomes.exits import add_months, due_follow_ups
from badger.outcomes.models import JourneyExit
from badger.outcomes.reminders import Reminded, remind
from badger.referentiels.models import Referentiel

outcomes_group = AppGroup("outcomes", help="Journey exits and their follow-ups.")


@outcomes_group.command("due")
@with_appcontext
@click.option("--org", "slug", default=None, help="Only this organisation (slug).")
@click.option("--today", default=None, help="Pretend today is this date (YYYY-MM-DD).")
def due_command(slug: str | None, today: str | None) -> None:
    """List the follow-ups at 3 and 6 months whose date has come (oldest first)."""
    session = get_session()
    day = date.fromisoformat(today) if today else date.today()
    orgs = session.execute(select(Organisation).order_by(Organisation.slug)).scalars().all()
    if slug is not None:
        orgs = [o for o in orgs if o.slug == slug]
        if not orgs:
            raise click.ClickException(f"No organisation with slug {slug!r}.")
    total = 0
    for org in orgs:
        for d in due_follow_ups(session, day, organisation_id=org.id):
            total += 1
            click.echo(f"{org.slug}\tjourney {d.exit.journey_id}\t{d.exit.participant.display_name}"
                       f"\t{d.month} months\tdue {d.due_on.isoformat()}")
    click.echo(f"{total} follow-up(s) due.")


@outcomes_group.command("remind")
@with_appcontext
@click.option("--today", default=None, help="Pretend today is this date (YYYY-MM-DD).")
def remind_command(today: str | None) -> None:
    """Queue a message to the coach of each follow-up that fell due (once each); then
    ``badger notifications send`` delivers it. Run it daily."""
    session = get_session()
    day = date.fromisoformat(today) if today else date.today()
    total = Reminded()
    for org in session.execute(select(Organisation).order_by(Organisation.slug)).scalars():
        found = remind(session, day, organisation_id=org.id)
        total.queued += found.queued
        total.not_queued += found.not_queued
        total.no_coach += found.no_coach
    session.commit()
    click.echo(f"queued: {total.queued}, coach stopped messages: {total.not_queued}, "
               f"no coach: {total.no_coach}")


commands = [outcomes_group]

# --------------------------------------------------------------------------- demo

DEMO_PROGRAMME = "Remobilisation par le sport"
DEMO_SECOND_ORG = ("atelier-velo-demo", "Atelier Vélo Solidaire (démo)")
#: The finished intake: kind, contract, duration, qualifying — 20 journeys, every cell ≥ 5.
DEMO_EXITS = (
    [("employment", "cdi", "permanent", None)] * 5
    + [("employment", "cdd", "lt6", None)] * 5
    + [("training", None, None, True)] * 5
    + [("other_support", None, None, None)] * 5
)
DEMO_IN_PROGRESS = 12


def _demo_round(session: Session, journey: Journey, gs: GroupSession, position: int,
                competence_ids: list[int], scores: list[int], closed: datetime | None) -> None:
    rnd = Round(organisation_id=journey.organisation_id, journey=journey,
                referentiel_version_id=gs.referentiel_version_id, session_id=gs.id,
                label=("entry" if position == 1 else "exit" if journey.ended_on else "mid-way"),
                position=position, closed_at=closed)
    rnd.items = [RoundCompetence(competence_id=c, position=i) for i, c in enumerate(competence_ids)]
    session.add(rnd)
    session.flush()
    for c, score in zip(competence_ids, scores, strict=True):
        session.add(Rating(organisation_id=journey.organisation_id, round_id=rnd.id,
                           competence_id=c, rater_role="coach", rater_key="coach", score=score))


def _demo_people(session: Session, org: Organisation, demo: Any, version: Any) -> None:
    today = date.today()
    ids = [c.id for c in version.competences][:6]
    starts = (add_months(today.replace(day=1), -9), add_months(today.replace(day=1), -4))
    sessions = [GroupSession(organisation_id=org.id, coach_id=None, held_on=s,
                             title=f"Atelier vélo — groupe {n}", referentiel_version_id=version.id,
                             competence_ids=ids, round_label="entry", programme=DEMO_PROGRAMME)
                for n, s in enumerate(starts, 1)]
    session.add_all(sessions)
    session.flush()
    ended = add_months(starts[0], 5)
    plan = [(0, e) for e in DEMO_EXITS] + [(1, None)] * DEMO_IN_PROGRESS
    for n, (group, outcome) in enumerate(plan, 1):
        person = accounts.create_participant(session, organisation_id=org.id,
                                             display_name=f"Vélo {n:02d}", locale=None)
        journey = Journey(organisation_id=org.id, participant_id=person.id,
                          started_on=starts[group], ended_on=ended if outcome else None)
        session.add(journey)
        entry = [1 + (n + i) % 3 for i in range(len(ids))]
        exit_ = [min(5, s + (n * (i + 1)) % 3) for i, s in enumerate(entry)]
        _demo_round(session, journey, sessions[group], 1, ids, entry, utcnow())
        _demo_round(session, journey, sessions[group], 2, ids, exit_, None)
        if outcome:
            kind, contract, duration, qualifying = outcome
            session.add(JourneyExit(
                organisation_id=org.id, journey=journey, participant_id=person.id, kind=kind,
                contract=contract, duration=duration, qualifying=qualifying, exited_on=ended,
                consent="given", consent_at=utcnow() - timedelta(days=30), follow_ups=n % 2 == 0))


def on_demo(session: Session, app: Flask, demo: Any) -> None:
    """Idempotent: the demo session joins the demo programme; a second member of the demo
    network (an intake of 20 that ended with recorded exits, one of 12 in progress)."""
    ref = session.execute(
        select(Referentiel).where(Referentiel.key == "apels-sport")).scalar_one_or_none()
    version = ref.latest_published if ref is not None else None
    if version is None:
        app.logger.warning("outcomes demo skipped: référentiel apels-sport not loaded")
        return
    for gs in session.execute(select(GroupSession).where(
            GroupSession.organisation_id == demo.organisation.id,
            GroupSession.programme == "")).scalars():
        gs.programme = DEMO_PROGRAMME
    slug, name = DEMO_SECOND_ORG
    if session.execute(select(Organisation).filter_by(slug=slug)).scalar_one_or_none():
        return
    org = Organisation(slug=slug, name=name,
                       description="Association fictive : réparation de vélos et remobilisation.")
    session.add(org)
    session.flush()
    session.add(NetworkMembership(network_id=demo.network.id, organisation_id=org.id))
    # its signing keys now, like the demo organisation's: an issuer page must not be the
    # first to make them (a backup taken before would not hold them)
    issuer_keys(slug, app)
    set_scope(session, org.id)
    try:
        _demo_people(session, org, demo, version)
    finally:
        set_scope(session, None)
    session.flush()
    demo.created.append("outcomes demo (second network member, programme cohort)")
