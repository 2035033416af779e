"""``badger referentiel import|export|diff|list``; ``on_init`` loads the shipped référentiels."""

from __future__ import annotations

import contextlib
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import urls
from badger.db import get_session
from badger.errors import UserError
from badger.networks.models import Network, Organisation
from badger.ob3.resolver import ResolutionError
from badger.referentiels import case, crosswalks
from badger.referentiels.case.reader import MAX_PACKAGE_BYTES
from badger.referentiels.framework import package_of
from badger.referentiels.importing import export, import_framework, parse_upload, shipped_dir
from badger.referentiels.models import Referentiel
from badger.referentiels.public_urls import document_url
from badger.referentiels.reading import find_version
from badger.resolver import FetchRefusedError, WebResolver

#: CLI and URL imports stream packages of up to 50 MiB (the web form keeps case.MAX_BYTES).
MAX_DOWNLOAD = MAX_PACKAGE_BYTES
DOWNLOAD_TIMEOUT = 20.0
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def on_init(session: Session, app: Flask) -> None:
    """Load (or confirm) the référentiels shipped in ``referentiels/`` — idempotent."""
    folder = shipped_dir()
    for path in sorted(folder.glob("*.json")):
        try:
            fw = case.parse_package(path.read_bytes())
            version, changed = import_framework(session, fw, key=path.stem, shipped=True,
                                                keep_source=False)
        except (case.CaseImportError, UserError) as exc:
            app.logger.warning("référentiel %s not loaded: %s", path.name, exc)
            continue
        if changed:
            app.logger.info("référentiel %s v%s loaded", version.referentiel.key, version.number)
    changed_links = crosswalks.load_shipped(session, folder / crosswalks.FOLDER)
    if changed_links:
        app.logger.info("%s crosswalk link(s) loaded", changed_links)


def _resolver() -> Any:
    """The verifier's fetcher: https only, every address public (each redirect re-checked, at
    most three), timeouts, size cap; ``BADGER_ALLOW_PRIVATE_FETCH`` lifts the address rule."""
    return WebResolver(
        allow_private=bool(current_app.config.get("BADGER_ALLOW_PRIVATE_FETCH")),
        timeout=DOWNLOAD_TIMEOUT, max_bytes=MAX_DOWNLOAD, cache_ttl=0,
    )


@contextlib.contextmanager
def _open_source(source: str) -> Iterator[tuple[IO[bytes], str]]:
    """FILE or URL as a binary stream and its file name: a package is parsed as it is read
    (up to :data:`MAX_DOWNLOAD` bytes, 50 MiB), never held whole as bytes."""
    try:
        if _URL_RE.match(source):
            name = urllib.parse.urlsplit(source).path.rsplit("/", 1)[-1]
            with _resolver().open_stream(source, max_bytes=MAX_DOWNLOAD) as stream:
                yield stream, name
            return
        path = Path(source)
        if not path.is_file():
            raise click.ClickException(f"{source} : fichier introuvable")
        if path.stat().st_size > MAX_DOWNLOAD:
            raise click.ClickException(f"{source} : plus de {MAX_DOWNLOAD} octets, refusé")
        with path.open("rb") as stream:
            yield stream, path.name
    except FetchRefusedError as exc:
        raise click.ClickException(f"{source} : adresse refusée ({exc})") from exc
    except ResolutionError as exc:
        raise click.ClickException(f"{source} : téléchargement impossible ({exc})") from exc


def _owner(session: Session, network: str | None, organisation: str | None) -> dict[str, Any]:
    if network:
        net = session.execute(select(Network).filter_by(slug=network)).scalar_one_or_none()
        if net is None:
            raise click.ClickException(f"réseau inconnu : {network}")
        return {"network_id": net.id}
    if organisation:
        org = session.execute(
            select(Organisation).filter_by(slug=organisation)
        ).scalar_one_or_none()
        if org is None:
            raise click.ClickException(f"organisation inconnue : {organisation}")
        return {"organisation_id": org.id}
    return {}


referentiel_group = AppGroup("referentiel", help="Référentiels de compétences (CASE).")


@referentiel_group.command("import")
@click.argument("source")
@click.option("--key", help="Clé du référentiel (par défaut : tirée du titre).")
@click.option("--network", help="Slug du réseau propriétaire.")
@click.option("--organisation", help="Slug de l'organisation propriétaire.")
@click.option("--title", default="", help="Titre (fichiers CSV).")
@click.option("--draft", is_flag=True, help="Importer comme brouillon, sans publier.")
@click.option("--lenient", is_flag=True,
              help="Sans effet (gardé pour les scripts) : l'import accepte par défaut ce que "
                   "le schéma CASE 1.1 et OpenSALT acceptent.")
@with_appcontext
def import_command(
    source: str, key: str | None, network: str | None, organisation: str | None, title: str,
    draft: bool, lenient: bool,
) -> None:
    """Import a CASE package or CSV file from FILE or URL (idempotent)."""
    session = get_session()
    owner = _owner(session, network, organisation)
    try:
        with _open_source(source) as (stream, name):
            fw = parse_upload(stream, name, title=title, strict=not lenient,
                              max_bytes=MAX_DOWNLOAD)
        if key:
            fw.key = key
        version, changed = import_framework(
            session, fw, key=key, publish=not draft, shipped=not owner, keep_source=True,
            **owner,
        )
    except case.CaseImportError as exc:
        raise click.ClickException(str(exc)) from exc
    except UserError as exc:
        raise click.ClickException(str(exc.message)) from exc
    session.commit()
    state = "importé" if changed else "déjà présent, rien changé"
    click.echo(
        f"{version.referentiel.key} v{version.number} ({version.status}) : {state} — "
        f"{len(version.competences)} compétences — {document_url(version)}"
    )
    _echo_warnings(fw.warnings)


def _echo_warnings(warnings: list[Any]) -> None:
    """What badger keeps and serves back but cannot show or edit (never silent)."""
    if warnings:
        click.echo(f"{len(warnings)} avertissement(s) — conservé dans le paquet republié :")
        for w in warnings:
            click.echo(f"  {w}")


@referentiel_group.command("export")
@click.argument("ref")
@click.option("--format", "fmt", type=click.Choice(["case", "csv"]), default="case",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Fichier (défaut : stdout).")
@with_appcontext
def export_command(ref: str, fmt: str, output: str | None) -> None:
    """Export REF (document identifier, KEY or KEY@NUMBER) as CASE JSON or CSV."""
    session = get_session()
    version = find_version(session, ref)
    if version is None:
        raise click.ClickException(f"référentiel introuvable : {ref}")
    text, _mime, _name = export(version, fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"{output} écrit")
    else:
        click.echo(text, nl=False)


@referentiel_group.command("diff")
@click.argument("source")
@click.argument("ref")
@with_appcontext
def diff_command(source: str, ref: str) -> None:
    """Compare the CASE package FILE (or URL) with what badger serves for REF.

    Prints the normalisations applied to the file (listed in the README), then every other
    difference; exits with status 1 when there is one."""
    session = get_session()
    try:
        with _open_source(source) as (stream, _name):
            fw = case.parse_package(stream, max_bytes=MAX_DOWNLOAD)
    except case.CaseImportError as exc:
        raise click.ClickException(str(exc)) from exc
    version = find_version(session, ref)
    if version is None:
        raise click.ClickException(f"référentiel introuvable : {ref}")
    served = package_of(version, urls.base_url())
    reasons: dict[str, int] = {}
    for n in fw.normalisations:
        reasons[n.reason] = reasons.get(n.reason, 0) + 1
    for reason, count in reasons.items():
        click.echo(f"normalisation : {reason} ({count})")
    differences = case.diff(fw.source, served)
    for d in differences:
        click.echo(f"différence : {d}")
    click.echo(f"{len(differences)} différence(s) hors normalisations listées")
    if differences:
        raise SystemExit(1)


@referentiel_group.command("list")
@with_appcontext
def list_command() -> None:
    """List référentiels and their versions."""
    session = get_session()
    for ref in session.execute(select(Referentiel).order_by(Referentiel.key)).scalars():
        versions = ", ".join(f"v{v.number} {v.status}" for v in ref.versions)
        click.echo(f"{ref.key}\t{ref.owner_name}\t{versions}")


commands = [referentiel_group]
