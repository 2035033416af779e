"""``badger referentiel import|export|list``; ``on_init`` loads the shipped référentiels."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.db import get_session
from badger.errors import UserError
from badger.networks.models import Network, Organisation
from badger.ob3.resolver import ResolutionError
from badger.referentiels import case, crosswalks
from badger.referentiels.importing import export, import_framework, parse_upload, shipped_dir
from badger.referentiels.models import Referentiel
from badger.referentiels.public_urls import document_url
from badger.referentiels.reading import find_version
from badger.resolver import FetchRefusedError, WebResolver

MAX_DOWNLOAD = case.MAX_BYTES
DOWNLOAD_TIMEOUT = 20.0
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def on_init(session: Session, app: Flask) -> None:
    """Load (or confirm) the référentiels shipped in ``referentiels/`` — idempotent."""
    folder = shipped_dir()
    for path in sorted(folder.glob("*.json")):
        try:
            fw = case.parse_package(path.read_bytes())
            version, changed = import_framework(session, fw, key=path.stem, shipped=True)
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


def _read_source(source: str) -> tuple[bytes, str]:
    if _URL_RE.match(source):
        try:
            data = _resolver().fetch_bytes(source, max_bytes=MAX_DOWNLOAD)
        except FetchRefusedError as exc:
            raise click.ClickException(f"{source} : adresse refusée ({exc})") from exc
        except ResolutionError as exc:
            raise click.ClickException(f"{source} : téléchargement impossible ({exc})") from exc
        return data, urllib.parse.urlsplit(source).path.rsplit("/", 1)[-1]
    path = Path(source)
    if not path.is_file():
        raise click.ClickException(f"{source} : fichier introuvable")
    if path.stat().st_size > MAX_DOWNLOAD:
        raise click.ClickException(f"{source}: plus de {MAX_DOWNLOAD} octets, refusé")
    return path.read_bytes(), path.name


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
@click.option("--lenient", is_flag=True, help="Schéma OpenSALT, plus tolérant que celui d'IMS.")
@with_appcontext
def import_command(
    source: str, key: str | None, network: str | None, organisation: str | None, title: str,
    draft: bool, lenient: bool,
) -> None:
    """Import a CASE package or CSV file from FILE or URL (idempotent)."""
    session = get_session()
    data, name = _read_source(source)
    owner = _owner(session, network, organisation)
    try:
        fw = parse_upload(data, name, title=title, strict=not lenient)
        if key:
            fw.key = key
        version, changed = import_framework(
            session, fw, key=key, publish=not draft, shipped=not owner, **owner
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


@referentiel_group.command("list")
@with_appcontext
def list_command() -> None:
    """List référentiels and their versions."""
    session = get_session()
    for ref in session.execute(select(Referentiel).order_by(Referentiel.key)).scalars():
        versions = ", ".join(f"v{v.number} {v.status}" for v in ref.versions)
        click.echo(f"{ref.key}\t{ref.owner_name}\t{versions}")


commands = [referentiel_group]
