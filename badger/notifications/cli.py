"""``badger notifications send``: deliver the messages that are due (run it every minute)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from badger.notifications.sending import send_due


@click.group("notifications", cls=AppGroup)
def notifications_group() -> None:
    """The outbox of e-mails and SMS to participants and staff."""


@notifications_group.command("send")
@with_appcontext
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
def send_command(limit: int) -> None:
    """Send every message due now; failed ones are tried again later (backoff)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    counts = send_due(app, limit=limit)
    click.echo(", ".join(f"{k}: {counts.get(k, 0)}" for k in
                         ("sent", "retry", "failed", "stopped", "skipped", "error")))
    if counts.get("error"):
        raise SystemExit(1)


commands = [notifications_group]
