"""``badger jobs import FILE --org SLUG --source NAME``, ``badger jobs add-employer``,
``badger jobs digest`` and the demo hook (a vouched-for employer, two offers, a participant
who chose to receive offers)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.accounts import service as accounts
from badger.accounts.models import Participant, TokenPurpose, User
from badger.db import get_session, utcnow
from badger.errors import UserError
from badger.jobs import applications, employers, imports, matching, offers
from badger.jobs.models import Employer, Offer, Preference
from badger.networks.models import Network, Organisation
from badger.security import hash_password

DEMO_EMPLOYER = ("employeur@demo.badger.example", "Camille Martin", "employeur-demo-2026")
DEMO_COMPANY = "Boulangerie du Parc (démo)"


@click.group("jobs", cls=AppGroup)
def jobs_group() -> None:
    """Job offers: imports from job boards, employers, weekly digest."""


def _org(db: Session, slug: str) -> Organisation:
    org = db.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise click.ClickException(f"No organisation with slug {slug!r}.")
    return org


@jobs_group.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "slug", required=True, help="Organisation whose participants see them.")
@click.option("--source", required=True, help="The job board's name (shown on each offer).")
@click.option("--referentiel", default=None, help="Référentiel key (default: the best fit).")
def import_command(file: Path, slug: str, source: str, referentiel: str | None) -> None:
    """Import JobPosting JSON-LD or France Travail offers (JSON) for an organisation."""
    db = get_session()
    if file.stat().st_size > imports.MAX_BYTES:
        raise click.ClickException("File too large (2 MB at most).")
    try:
        report = imports.import_file(db, file.read_bytes(), organisation_id=_org(db, slug).id,
                                     source=source, referentiel_key=referentiel)
    except UserError as exc:
        raise click.ClickException(str(exc.message)) from exc
    db.commit()
    click.echo(f"created {report.created}, updated {report.updated}, skipped "
               f"{report.skipped_expired} expired and {report.skipped_no_skill} with no "
               "recognised savoir-être")


@jobs_group.command("add-employer")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--company", required=True)
@click.option("--org", "slug", default=None, help="Vouching organisation.")
@click.option("--network", "network_slug", default=None, help="Vouching network.")
def add_employer(email: str, name: str, company: str, slug: str | None,
                 network_slug: str | None) -> None:
    """Vouch for an employer; prints their invitation token (the link sets a password)."""
    db = get_session()
    if (slug is None) == (network_slug is None):
        raise click.ClickException("Give --org or --network (one of them).")
    network = db.scalar(select(Network).where(Network.slug == network_slug)) \
        if network_slug else None
    if network_slug and network is None:
        raise click.ClickException(f"No network with slug {network_slug!r}.")
    try:
        employer = employers.vouch(db, email=email, name=name, company=company,
                                   organisation_id=_org(db, slug).id if slug else None,
                                   network_id=network.id if network else None)
    except UserError as exc:
        raise click.ClickException(str(exc.message)) from exc
    token = accounts.issue_action_token(db, employer.user, TokenPurpose.INVITE)
    db.commit()
    click.echo(f"employer {employer.id} vouched; invitation token: {token}")


@jobs_group.command("digest")
@with_appcontext
def digest() -> None:
    """Queue each weekly-digest participant's fitting offers (badger.notifications)."""
    db = get_session()
    week_ago = utcnow() - timedelta(days=7)
    per_person: dict[int, list[str]] = {}
    for offer in db.scalars(select(Offer).where(Offer.expires_at > utcnow())):
        for pid in matching.fitting_participants(db, offer, digest_only=True):
            per_person.setdefault(pid, []).append(offer.title)
    sent = 0
    for pid, titles in per_person.items():
        pref = db.scalar(select(Preference).where(Preference.participant_id == pid)
                         .execution_options(unscoped=True))
        if pref is None or (pref.digest_sent_at and pref.digest_sent_at > week_ago):
            continue
        person = db.scalar(select(Participant).where(Participant.id == pid)
                           .execution_options(unscoped=True))
        if applications.notify(db, participant=person, kind="jobs.digest", link="/my/jobs",
                               params={"count": len(titles), "offers": ", ".join(titles[:5])}):
            sent += 1
        pref.digest_sent_at = utcnow()
    db.commit()
    click.echo(f"{sent} digest(s) queued")


commands = [jobs_group]


def _demo_employer(session: Session, demo: Any) -> Employer:
    user = session.scalar(select(User).where(User.email == DEMO_EMPLOYER[0]))
    employer = session.scalar(select(Employer).where(Employer.user_id == user.id)) \
        if user else None
    if employer is None:
        employer = employers.vouch(session, email=DEMO_EMPLOYER[0], name=DEMO_EMPLOYER[1],
                                   company=DEMO_COMPANY, organisation_id=demo.organisation.id,
                                   actor=demo.admin)
        employer.user.password_hash = hash_password(DEMO_EMPLOYER[2])
        demo.created.append("employer")
    return employer


def on_demo(session: Session, app: Flask, demo: Any) -> None:
    """A demo employer vouched by the demo organisation, two offers, Amina receives offers."""
    versions = offers.usable_versions(session, [demo.organisation.id])
    if not versions:
        demo.lines.append("  jobs: no adopted référentiel, no demo offer")
        return
    employer = _demo_employer(session, demo)
    comps = versions[0].competences
    if not offers.employer_offers(session, employer) and len(comps) >= 2:
        until = (utcnow() + timedelta(days=60)).date()
        for title, code, reqs in (
            ("Vendeur·se en boulangerie", "D1106", [(comps[0].id, 3, comps[0].label)]),
            ("Employé·e polyvalent·e", "G1603", [(comps[0].id, 3, comps[0].label),
                                                  (comps[1].id, 4, comps[1].label)]),
        ):
            offers.post(session, employer, offers.OfferInput(
                title=title, rome_code=code, place="Rouen", postcode="76000", contract="CDD",
                expires_on=until, requirements=reqs))
        demo.created.append("2 job offers")
    if demo.participants:
        applications.set_preference(session, demo.participants[0], receive=True, digest=False)
    session.flush()
    demo.lines.append(f"  employer {DEMO_EMPLOYER[0]} / {DEMO_EMPLOYER[2]}")
