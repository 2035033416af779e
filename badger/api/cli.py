"""``badger purge``: delete what :mod:`badger.maintenance` says is no longer needed (dead OAuth
rows, old login codes, dead share links, finished jobs, old audit events), after the periods
set by ``BADGER_RETENTION_*_DAYS``; it says what is always kept."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from badger.db import get_session
from badger.maintenance import LABELS, Retention, purge


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Delete what is no longer needed, after the BADGER_RETENTION_*_DAYS periods.

    Dead OAuth codes and tokens, old login codes and staff links, share links stopped or
    expired long ago, finished background jobs, old audit events; never a credential, a claim
    code, a live share link or anything of a portfolio. One transaction. Run it daily."""
    session = get_session()
    counts = purge(session, Retention.from_config(current_app.config), dry_run=dry_run)
    if dry_run:
        session.rollback()
    else:
        session.commit()
    for key, n in counts.items():
        click.echo(f"{LABELS.get(key, key)} : {n}")
    total = sum(counts.values())
    if dry_run:
        click.echo(f"Simulation : {total} ligne(s) à supprimer, rien n'a été supprimé.")
    else:
        click.echo(f"{total} ligne(s) supprimée(s).")


commands = [purge_command]
