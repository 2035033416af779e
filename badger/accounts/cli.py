"""``badger create-server-admin``: a server administrator is an account.

(``badger create-admin``, an organisation's first administrator, is in ``badger.cli``.)"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from badger.accounts import service
from badger.db import get_session
from badger.errors import UserError


@click.command("create-server-admin")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option("--password", help="At least 10 characters.")
def create_server_admin(email: str, name: str, password: str) -> None:
    """Create a server administrator (or make an existing staff account one): creates
    networks and names their administrators at /admin/server. Audit-logged."""
    session = get_session()
    email = service.normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise click.ClickException("Invalid e-mail address.")
    try:
        service.make_server_admin(session, email, name, password)
    except UserError as exc:
        session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    session.commit()
    click.echo(f"Server administrator {email} ready: log in, then open /admin/server.")


commands = [create_server_admin]
