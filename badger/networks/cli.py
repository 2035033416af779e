"""``badger network-keys list|rotate --network SLUG``, ``badger network create|add-admin`` and
the demo hook (the demo network endorses the demo organisation).

``badger create-server-admin`` is in ``badger.accounts.cli`` (a server administrator is an
account); ``network add-admin`` names a network's administrator through the function
``badger.accounts`` registers (:func:`badger.networks.service.add_network_admin`)."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import urls
from badger.db import get_session, sign_unsigned_status_lists
from badger.errors import UserError
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
    session = get_session()
    network = _network(session, slug)
    try:
        user, token = service.add_network_admin(session, network, email, name, actor=None)
    except UserError as exc:
        raise _fail(session, exc) from exc
    session.commit()
    click.echo(f"{user.email} administers network {network.slug}.")
    if token is not None:
        with current_app.test_request_context(base_url=urls.base_url()):
            link = url_for("accounts.accept_token", token=token, _external=True)
        click.echo(f"  invitation link (works once): {link}")


commands = [keys_group, network_group]


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
