"""``badger network-keys list|rotate --network SLUG`` and the demo hook (the demo network
endorses the demo organisation)."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import urls
from badger.db import sign_unsigned_status_lists
from badger.networks import keys as network_keys
from badger.networks import service
from badger.networks.models import (
    Network,
    NetworkEndorsement,
    NetworkMembership,
    NetworkStatusList,
)

DEMO_COMMENT = (
    "Membre du réseau régional : accompagnement vers l'emploi par le sport, grilles de "
    "compétences remplies avec chaque participant."
)


def _network(session: Session, slug: str) -> Network:
    network = service.network_by_slug(session, slug)
    if network is None:
        raise click.ClickException(f"No network with slug {slug!r}.")
    return network


@click.group("network-keys", cls=AppGroup)
def keys_group() -> None:
    """Network signing keys (encrypted files in BADGER_KEYS_DIR/networks/<network>/)."""


@keys_group.command("list")
@with_appcontext
@click.option("--network", "slug", required=True, help="Network slug.")
def keys_list(slug: str) -> None:
    """Key ids, algorithm and dates (never key material)."""
    from badger.db import get_session

    network = _network(get_session(), slug)
    found = network_keys.network_keys(network.slug)
    if not found:
        click.echo("No key yet (one is created with the first endorsement).")
    for key in found:
        state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "active"
        click.echo(f"{key.key_id}  {key.algorithm.value}  created {key.created:%Y-%m-%d}  {state}")


@keys_group.command("rotate")
@with_appcontext
@click.option("--network", "slug", required=True, help="Network slug.")
def keys_rotate(slug: str) -> None:
    """Retire the active key (it stays published) and create a new one."""
    from badger.db import get_session

    network = _network(get_session(), slug)
    key = network_keys.rotate(network.slug, current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"New key {key.key_id} for network {network.slug}.")


@click.group("network", cls=AppGroup)
def network_group() -> None:
    """Networks: create one (listed in this server's registry), name its administrators."""


def _fail(session: Session, exc: Exception) -> click.ClickException:
    session.rollback()
    return click.ClickException(str(getattr(exc, "message", exc)))


@network_group.command("create")
@with_appcontext
@click.option("--slug", required=True, help="Permanent identifier (part of the network's id).")
@click.option("--name", required=True)
@click.option("--location", default=None, help="Where the network works (registry entry).")
@click.option("--url", default=None, help="The network's web site (https://).")
@click.option("--description", default="")
def network_create(slug: str, name: str, location: str | None, url: str | None,
                   description: str) -> None:
    """Create a network, listed in this server's registry of networks (audit-logged)."""
    from badger.db import get_session
    from badger.errors import UserError

    session = get_session()
    try:
        network = service.create_network(session, slug, name, actor=None, location=location,
                                         url=url, description=description,
                                         app=current_app._get_current_object())  # type: ignore[attr-defined]
    except UserError as exc:
        raise _fail(session, exc) from exc
    session.commit()
    click.echo(f"Network {network.slug} created: {urls.network_url(network)}")
    click.echo(f"  member registry: {urls.registry_url(network)}")


@network_group.command("add-admin")
@with_appcontext
@click.option("--network", "slug", required=True, help="Network slug.")
@click.option("--email", required=True)
@click.option("--name", default="", help="Name, when the account is new.")
def network_add_admin(slug: str, email: str, name: str) -> None:
    """Make a staff account administrator of a network (a new account gets an invitation
    link, printed once)."""
    from flask import url_for

    from badger.accounts import service as accounts
    from badger.accounts.models import TokenPurpose
    from badger.db import get_session
    from badger.errors import UserError

    session = get_session()
    network = _network(session, slug)
    try:
        user, invite = service.add_network_admin(session, network, email, name, actor=None)
        token = accounts.issue_action_token(session, user, TokenPurpose.INVITE) if invite else None
    except UserError as exc:
        raise _fail(session, exc) from exc
    session.commit()
    click.echo(f"{user.email} administers network {network.slug}.")
    if token is not None:
        base = str(current_app.config["BADGER_BASE_URL"]).rstrip("/")
        with current_app.test_request_context(base_url=base):
            link = url_for("accounts.accept_token", token=token, _external=True)
        click.echo(f"  invitation link (works once): {link}")


@click.command("create-server-admin")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option("--password", help="At least 10 characters.")
def create_server_admin(email: str, name: str, password: str) -> None:
    """Create a server administrator (or make an existing staff account one): creates
    networks and names their administrators at /admin/server. Audit-logged."""
    from badger import audit
    from badger.accounts import service as accounts
    from badger.accounts.models import User
    from badger.db import get_session
    from badger.errors import UserError
    from badger.security import hash_password

    session = get_session()
    email = accounts.normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise click.ClickException("Invalid e-mail address.")
    try:
        accounts.check_new_password(password)
    except UserError as exc:
        raise _fail(session, exc) from exc
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, name=name.strip() or email)
        session.add(user)
    user.password_hash = hash_password(password)
    user.server_admin = True
    session.flush()
    audit.record(session, "server.admin_created", actor=None, obj=user)
    session.commit()
    click.echo(f"Server administrator {email} ready: log in, then open /admin/server.")


commands = [keys_group, network_group, create_server_admin]



def on_init(session: Session, app: Flask) -> None:
    """Sign the status lists an older version left unsigned (it signed them on their next
    read; reads no longer write). Committed by ``badger init``."""
    sign_unsigned_status_lists(session, NetworkStatusList)

def on_demo(session: Session, app: Flask, demo: Any) -> None:
    """The demo network endorses the demo organisation (once)."""
    network, org = demo.network, demo.organisation
    membership = session.execute(
        select(NetworkMembership).where(
            NetworkMembership.network_id == network.id,
            NetworkMembership.organisation_id == org.id,
        )
    ).scalar_one_or_none()
    if membership is None:
        service.add_member(session, network, org.slug, actor=None)
    else:
        active = session.execute(
            select(NetworkEndorsement.id).where(
                NetworkEndorsement.membership_id == membership.id,
                NetworkEndorsement.withdrawn_at.is_(None),
            )
        ).scalar_one_or_none()
        if active is not None:
            return
    service.endorse(session, network, org.slug, DEMO_COMMENT, actor=None, app=app)
    demo.created.append("network endorsement")
    demo.lines.append(
        f"  network {network.slug} endorses {org.slug}: {urls.network_url(network)}"
    )
