"""The ``badger`` command: init, run, demo, create-admin, db upgrade (+ domain commands).

Domains add their own commands through ``badger/<domain>/cli.py`` (``commands`` list) and
hook into ``init`` and ``demo`` with ``on_init(session, app)`` / ``on_demo(session, app, demo)``.
"""

from __future__ import annotations

import json
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, routes_command, shell_command, with_appcontext
from sqlalchemy import func, select

from badger import DOMAINS, backup, create_app, domain_module, keystore, migrate, serving
from badger.accounts import service as accounts
from badger.accounts.models import Role
from badger.awards import jobs
from badger.config import ConfigError
from badger.db import get_session
from badger.demo import DEMO_ADMIN, DEMO_COACH, ensure_demo, is_installed, login_box
from badger.errors import UserError
from badger.networks.models import Organisation
from badger.resolver import app_resolver
from badger.verification import verify_document


def _create_app() -> object:
    return create_app()


cli = FlaskGroup(
    create_app=_create_app,  # type: ignore[arg-type]
    add_default_commands=False,
    add_version_option=False,
    help="badger: Open Badges 3.0 issuer and competence portfolios.",
)
cli.add_command(shell_command)
cli.add_command(routes_command)


def _domain_hooks(name: str) -> list[object]:
    hooks = []
    for domain in DOMAINS:
        module = domain_module(domain, "cli")
        hook = getattr(module, name, None)
        if hook is not None:
            hooks.append(hook)
    return hooks


def init_instance() -> None:
    """Create or upgrade the database, the keys folder, then run each domain's init hook."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    keys_dir = Path(app.config["BADGER_KEYS_DIR"])
    keys_dir.mkdir(parents=True, exist_ok=True)
    keys_dir.chmod(stat.S_IRWXU)
    migrate.upgrade(app)
    session = get_session()
    for hook in _domain_hooks("on_init"):
        hook(session, app)  # type: ignore[operator]
        session.commit()


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database and keys folder; load shipped référentiels."""
    init_instance()
    click.echo(f"Database ready: {current_app.config['BADGER_DATABASE_URL']}")


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    migrate.upgrade(current_app._get_current_object(), revision)  # type: ignore[attr-defined]
    click.echo("Database upgraded.")


@db_group.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    migrate.check(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo("Models and migrations agree.")


@click.command("run")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Server processes: 1 is waitress; more are gunicorn's workers (see README, "
                   "\"Running on several machines\").")
def run_command(host: str, port: int, threads: int, workers: int) -> None:
    """Serve the app (waitress; gunicorn with --workers N), with the award-job worker."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(
        f"badger serving on http://{host}:{port}/ (base URL {app.config['BADGER_BASE_URL']})"
        + (f", {workers} processes" if workers > 1 else "")
    )
    _echo_demo_logins(app)
    serving.serve(create_app, host=host, port=port, workers=workers, threads=threads,
                  on_start=jobs.start_worker, app=app)


def _echo_demo_logins(app: Any) -> None:
    """On a demo install (never in production), end the start-up output with who logs in
    where: the newcomer's first screen (README, "First hour")."""
    if app.config["BADGER_ENV"] == "production":
        return
    session = get_session()
    try:
        installed = is_installed(session)
    finally:
        session.rollback()
    if installed:
        config = app.config
        click.echo(login_box(config["BADGER_BASE_URL"], config["BADGER_LOGIN_CODE_MINUTES"]))


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
def demo_command(if_empty: bool) -> None:
    """Create demo data (idempotent) and print the logins."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["BADGER_ENV"] == "production":
        raise click.ClickException("Demo data is refused in production.")
    session = get_session()
    if if_empty and session.scalar(select(func.count()).select_from(Organisation)):
        click.echo("Database already has data; demo skipped.")
        return
    demo = ensure_demo(session)
    session.commit()
    for hook in _domain_hooks("on_demo"):
        hook(session, app, demo)  # type: ignore[operator]
        session.commit()
    click.echo(
        "Created: " + (", ".join(demo.created) if demo.created else "nothing (already there)")
    )
    click.echo(f"Organisation: {demo.organisation.name}")
    click.echo(f"  admin  {DEMO_ADMIN[0]}  password {DEMO_ADMIN[2]}")
    click.echo(f"  coach  {DEMO_COACH[0]}  password {DEMO_COACH[2]}")
    for line in demo.lines:
        click.echo(line)
    if not demo.lines:
        click.echo("  participants: create new login codes from the coach's Participants page.")


@click.command("create-admin")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--organisation", "org_slug", required=True, help="Organisation slug (created if new)."
)
@click.option("--organisation-name", default=None, help="Name when the organisation is new.")
@click.password_option("--password", help="At least 10 characters.")
def create_admin(
    email: str, name: str, org_slug: str, organisation_name: str | None, password: str
) -> None:
    """Create an organisation administrator (and the organisation when it is new)."""
    session = get_session()
    org = session.execute(select(Organisation).filter_by(slug=org_slug)).scalar_one_or_none()
    if org is None:
        try:
            keystore.folder(current_app._get_current_object(), org_slug)  # type: ignore[attr-defined]
        except ValueError as exc:
            raise click.ClickException(
                "The organisation slug must be lower-case letters, digits, '-' or '_' "
                f"(and not '{keystore.NETWORKS}')."
            ) from exc
        org = Organisation(slug=org_slug, name=organisation_name or org_slug)
        session.add(org)
        session.flush()
    try:
        accounts.create_staff(
            session, organisation=org, email=email, name=name, role=Role.ADMIN, password=password
        )
    except UserError as exc:
        session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    session.commit()
    click.echo(f"Administrator {email} created for {org.name}.")


@click.command("verify")
@click.argument("file", type=click.File("rb"))
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.option("--now", default=None, help="Check validity at this ISO 8601 instant.")
@with_appcontext
def verify_command(file: Any, as_json: bool, now: str | None) -> None:
    """Verify a credential file (JSON, JWT, baked PNG or SVG); exit 0 only when verified.

    A badge or a bare EndorsementCredential, as on the verify page. Keys and status lists are
    fetched with the same SSRF-guarded resolver as the web verifier; this server's own URLs are
    answered in process.
    """
    when = None
    if now:
        try:
            when = datetime.fromisoformat(now.replace("Z", "+00:00"))
        except ValueError as exc:
            raise click.BadParameter(f"not an ISO 8601 date-time: {now}") from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    data = file.read(16 * 1024 * 1024 + 1)
    if len(data) > 16 * 1024 * 1024:
        raise click.ClickException("File larger than 16 MiB.")
    report = verify_document(data, app_resolver(), now=when, session=get_session())
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        marks = {"passed": "ok", "failed": "FAILED", "warning": "warning", "unknown": "unknown"}
        for check in report.checks:
            click.echo(f"[{marks.get(check.state, check.state):>7}] {check.name}: {check.message}")
        verdict = "VERIFIED" if report.verified else f"NOT VERIFIED ({report.state})"
        issuer = report.issuer_name or report.issuer_id or "?"
        if report.endorsed_id is not None:
            click.echo(f"{verdict}: {issuer} endorses {report.endorsed_id}")
        else:
            click.echo(f"{verdict}: {report.achievement_name or '?'} — {issuer}")
    sys.exit(0 if report.verified else 1)


@click.command("backup")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="The archive to write (refused if it exists).",
)
@click.option(
    "--passphrase-file", type=click.Path(dir_okay=False), default=None,
    help="File whose first line is the archive passphrase (else BADGER_BACKUP_PASSPHRASE).",
)
@with_appcontext
def backup_command(out: Path, passphrase_file: str | None) -> None:
    """Write one encrypted archive of the database, keys and uploaded pictograms, while the
    server runs. The secret key and the key passphrase are not in it: keep them apart."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        manifest = backup.create_backup(app, out, backup.read_passphrase(passphrase_file))
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    database = manifest["database"]
    click.echo(
        f"Backup written: {out} ({database['kind']} database at revision "
        f"{database['alembic_revision'] or 'unknown'}, {len(manifest['members'])} files)."
    )
    click.echo(
        "Not in the archive, keep them elsewhere: BADGER_SECRET_KEY, BADGER_KEY_PASSPHRASE "
        f"(it decrypts the keys), and BADGER_BASE_URL={manifest['base_url']}."
    )


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--passphrase-file", type=click.Path(dir_okay=False), default=None,
    help="File whose first line is the archive passphrase (else BADGER_BACKUP_PASSPHRASE).",
)
@with_appcontext
def restore_command(archive: Path, passphrase_file: str | None) -> None:
    """Restore an archive of `badger backup` into this EMPTY instance (stop the server first).
    Checks the passphrase, every checksum and that BADGER_KEY_PASSPHRASE opens the keys."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        manifest = backup.restore_backup(app, archive, backup.read_passphrase(passphrase_file))
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Restored {archive}: made {manifest['created_at']} by badger "
        f"{manifest['badger_version']}, {len(manifest['members'])} files."
    )
    if manifest["base_url"] != app.config["BADGER_BASE_URL"]:
        click.echo(
            f"Warning: the archive was made with BADGER_BASE_URL={manifest['base_url']}, this "
            f"instance has {app.config['BADGER_BASE_URL']}; its credentials name the former.",
            err=True,
        )
    click.echo("Next: `badger init` (applies newer migrations), then start the server.")


#: Registered on every app by ``create_app`` (so ``app.test_cli_runner`` sees them too).
commands = [
    init_command, db_group, run_command, demo_command, create_admin, verify_command,
    backup_command, restore_command,
]


def main() -> None:
    """The console script. A bad setting stops with its one-line message, not a traceback:
    the operator needs the setting's name and value, nothing else."""
    try:
        cli.main(args=sys.argv[1:], prog_name="badger")
    except ConfigError as exc:
        click.echo(f"badger: configuration error: {exc}", err=True)
        sys.exit(2)
