"""``badger integrators create|list|revoke --org SLUG``: register the machines that issue
through the VC-API (scripts, the W3C test suites' runner). The secret is printed once; only
its keyed hash is stored. Each change is audit-logged (actor "system")."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import urls
from badger.db import get_session
from badger.errors import UserError
from badger.integrators import oauth
from badger.networks.models import Organisation


def _org(session: Session, slug: str) -> Organisation:
    org = session.execute(select(Organisation).where(Organisation.slug == slug)
                          .execution_options(unscoped=True)).scalar_one_or_none()
    if org is None:
        raise click.ClickException(f"No organisation with slug {slug!r}.")
    return org


@click.group("integrators", cls=AppGroup)
def integrators_group() -> None:
    """OAuth 2.0 clients (client credentials) that issue through POST /credentials/issue."""


@integrators_group.command("create")
@click.option("--org", "slug", required=True, help="Organisation slug.")
@click.option("--name", required=True, help="What the integration is (shown to admins).")
def create(slug: str, name: str) -> None:
    """Create a client; prints its client_id and secret (the secret only this once)."""
    session = get_session()
    try:
        client, secret = oauth.create_client(session, _org(session, slug), name)
    except UserError as exc:
        raise click.ClickException(str(exc.message)) from exc
    session.commit()
    click.echo(f"client_id: {client.client_id}")
    click.echo(f"client_secret: {secret}")
    click.echo(f"token endpoint: {urls.base_url()}/integrators/oauth/token "
               f"(grant_type=client_credentials, scope={oauth.SCOPE_ISSUE})")
    click.echo(f"issue endpoint: {urls.base_url()}/credentials/issue")


@integrators_group.command("list")
@click.option("--org", "slug", required=True, help="Organisation slug.")
def list_(slug: str) -> None:
    """Every client of the organisation (never a secret)."""
    session = get_session()
    clients = oauth.list_clients(session, _org(session, slug))
    if not clients:
        click.echo("No integrator client.")
    for client in clients:
        state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
        click.echo(f"{client.client_id}  {client.name}  created {client.created_at:%Y-%m-%d}  "
                   f"{state}")


@integrators_group.command("revoke")
@click.option("--org", "slug", required=True, help="Organisation slug.")
@click.option("--client-id", required=True, help="The client_id to revoke.")
def revoke(slug: str, client_id: str) -> None:
    """Revoke a client and every token it holds."""
    session = get_session()
    try:
        client = oauth.find_client(session, _org(session, slug), client_id)
    except UserError as exc:
        raise click.ClickException(str(exc.message)) from exc
    oauth.revoke_client(session, client)
    session.commit()
    click.echo(f"Revoked {client.client_id} ({client.name}).")


commands = [integrators_group]
