"""``badger purge``: delete dead OAuth codes and tokens, and the other expired rows of
:mod:`badger.maintenance` (which says what goes and what is always kept)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from badger.db import get_session
from badger.maintenance import LABELS, purge


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Delete expired or revoked OAuth codes and tokens, old login codes and staff links.

    Never a credential, a share link or a claim code. The token endpoint purges the OAuth rows
    by itself too (at most every 15 minutes)."""
    session = get_session()
    counts = purge(session, dry_run=dry_run)
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
