"""``badger export-credentials``, ``badger keys list|rotate`` and the demo hook."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.awards import keys as award_keys
from badger.awards.models import ISSUED, Achievement, Credential, StatusList
from badger.db import get_session, sign_unsigned_status_lists
from badger.networks.models import Organisation
from badger.ob3.keys import KeyAlgorithm


def _org(session: Session, slug: str) -> Organisation:
    org = session.execute(select(Organisation).filter_by(slug=slug)).scalar_one_or_none()
    if org is None:
        raise click.ClickException(f"No organisation with slug {slug!r}.")
    return org


@click.command("export-credentials")
@with_appcontext
@click.option("--org", "slug", required=True, help="Organisation slug.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path))
def export_credentials(slug: str, out: Path) -> None:
    """Write every issued credential as .json (Data Integrity), .jwt, .png and .svg."""
    session = get_session()
    org = _org(session, slug)
    out.mkdir(parents=True, exist_ok=True)
    out.chmod(stat.S_IRWXU)
    rows = session.scalars(
        select(Credential)
        .where(Credential.organisation_id == org.id, Credential.state == ISSUED)
        .order_by(Credential.id)
    ).all()
    for cred in rows:
        base = out / cred.uuid
        if cred.signed_json:
            base.with_suffix(".json").write_text(cred.signed_json, encoding="utf-8")
        if cred.signed_jwt:
            base.with_suffix(".jwt").write_text(cred.signed_jwt, encoding="ascii")
        if cred.baked_png:
            base.with_suffix(".png").write_bytes(cred.baked_png)
        if cred.baked_svg:
            base.with_suffix(".svg").write_bytes(cred.baked_svg)
    click.echo(f"{len(rows)} credential(s) of {org.slug} written to {out}")


@click.group("keys", cls=AppGroup)
def keys_group() -> None:
    """Issuer signing keys (encrypted files in BADGER_KEYS_DIR/<org>/)."""


@keys_group.command("list")
@click.option("--org", "slug", required=True)
def keys_list(slug: str) -> None:
    """List an organisation's keys (ids, algorithms, dates; never key material)."""
    org = _org(get_session(), slug)
    ring = award_keys.key_ring(current_app._get_current_object(), org.slug)  # type: ignore[attr-defined]
    found = ring.list_keys()
    if not found:
        click.echo("No keys yet (they are created on first issuance).")
    for k in found:
        state = f"retired {k.retired_at:%Y-%m-%d}" if k.retired_at else "active"
        click.echo(f"{k.algorithm.value:8} {k.key_id}  created {k.created:%Y-%m-%d}  {state}")


@keys_group.command("rotate")
@click.option("--org", "slug", required=True)
@click.option("--algorithm", type=click.Choice(["Ed25519", "RS256", "ES256", "EdDSA", "all"]),
              default="all", show_default=True,
              help="Ed25519: the Data Integrity key; RS256, ES256, EdDSA: a new VC-JWT key of "
              "that algorithm, and new VC-JWTs are signed with it (EdDSA: with a new Ed25519 "
              "key, shared with Data Integrity); all: Ed25519 and RS256.")
def keys_rotate(slug: str, algorithm: str) -> None:
    """Retire the active key(s) and create new ones; old keys stay published for verification."""
    from badger.awards import documents, service

    session = get_session()
    org = _org(session, slug)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    algs = {"all": [KeyAlgorithm.ED25519, KeyAlgorithm.RS256], "EdDSA": [KeyAlgorithm.ED25519],
            "Ed25519": [KeyAlgorithm.ED25519], "RS256": [KeyAlgorithm.RS256],
            "ES256": [KeyAlgorithm.ES256]}[algorithm]
    if KeyAlgorithm.ED25519 in algs:
        _refuse_did_key_rotation(session, org)
    if algorithm in documents.JWT_ALGORITHMS and documents.kind_of(org) == "did:key" \
            and algorithm != "EdDSA":
        raise click.ClickException(
            f"{org.slug} signs as did:key: its VC-JWTs are EdDSA by its did:key's own key.")
    for alg in algs:
        new = award_keys.rotate(org.slug, alg, app)
        click.echo(f"new {alg.value} key {new.key_id}")
    if algorithm in documents.JWT_ALGORITHMS:
        service.set_jwt_algorithm(session, org, algorithm)
        session.commit()
        click.echo(f"new VC-JWTs of {org.slug} are signed {algorithm}")


def _refuse_did_key_rotation(session: Session, org: Organisation) -> None:
    """A did:key is its key: rotating it would leave the status lists signed as that did:key
    unsignable (a revocation could no longer be published). Refused while any exists."""
    from badger.awards import documents

    keys = award_keys.issuer_keys(org.slug, create=False)
    if keys is None:
        return
    current = documents.did_key(keys)
    used = session.scalars(select(StatusList).where(StatusList.organisation_id == org.id,
                                                    StatusList.issuer_id == current)).first()
    if used is not None or documents.kind_of(org) == "did:key":
        raise click.ClickException(
            f"{org.slug}'s Ed25519 key is its did:key ({current}), which credentials or status "
            "lists name: a did:key cannot rotate. Choose another identifier for new badges "
            "first; while a status list is signed as that did:key, the key must stay.")


@keys_group.command("identifier")
@click.option("--org", "slug", required=True)
@click.option("--use", "kind", type=click.Choice(["https", "did:web", "did:key"]),
              help="Sign new credentials, VC-JWTs and status lists as this identifier.")
def keys_identifier(slug: str, kind: str | None) -> None:
    """Show (or with --use, change) the issuer identifier new signatures name."""
    from badger.awards import documents, service
    from badger.errors import UserError

    session = get_session()
    org = _org(session, slug)
    if kind:
        try:
            service.set_issuer_identifier(session, org, kind)
        except UserError as exc:
            raise click.ClickException(str(exc.message)) from exc
        session.commit()
    keys = award_keys.issuer_keys(org.slug)
    assert keys is not None
    click.echo(f"{org.slug} signs as {documents.kind_of(org)}: "
               f"{documents.issuer_id(org, keys)} (VC-JWT {documents.jwt_algorithm(org)})")


commands = [export_credentials, keys_group]



def on_init(session: Session, app: Flask) -> None:
    """Sign the status lists an older version left unsigned (it signed them on their next
    read; reads no longer write). Committed by ``badger init``."""
    sign_unsigned_status_lists(session, StatusList)

def on_demo(session: Session, app: Flask, demo: Any) -> None:
    """A badge on the demo organisation's adopted référentiel, a session, a few credentials."""
    from badger.awards import service
    from badger.db import set_scope

    org = demo.organisation
    competences = service.adoptable_competences(session, org.id)
    if not competences:
        competences = _adopt_demo_version(session, org, demo)
    if not competences:
        demo.lines.append("  awards: no adopted référentiel, no demo badge")
        return
    ach = session.execute(
        select(Achievement).where(Achievement.organisation_id == org.id)
        .execution_options(unscoped=True)
    ).scalars().first()
    if ach is None:
        comp = competences[0]
        ach = service.create_achievement(
            session, org,
            service.AchievementInput(
                competence_id=comp.id,
                name=comp.label[:60] if len(comp.label) <= 60 else comp.label[:57] + "…",
                description=f"Compétence « {comp.label} » reconnue après une séance de sport "
                "collective et une grille remplie à deux.",
                min_level=3,
                validity_days=730,
            ),
            actor=demo.admin,
        )
        demo.created.append("badge definition")
    group = _demo_session(session, org, demo, ach)
    existing = {
        c.participant_id
        for c in session.scalars(select(Credential).where(Credential.achievement_id == ach.id)
                                 .execution_options(unscoped=True))
    }
    todo = [p for p in demo.participants[:3] if p.id not in existing]
    if not todo:
        return
    set_scope(session, None)
    requests = []
    for i, p in enumerate(todo):
        # Demo addresses only; never stored in clear (hashed into the credential).
        email = None if i == len(todo) - 1 else f"{p.id}-demo@demo.badger.test"
        requests.append(service.AwardRequest(participant_id=p.id, level=4, email=email,
                                             observation="A encouragé ses coéquipiers et "
                                             "respecté les consignes tout au long de la séance."))
    with app.test_request_context(base_url=app.config["BADGER_BASE_URL"]):
        results = service.award_many(session, org, ach, requests, actor=demo.coach, group=group)
    for r in results:
        if r.claim_code:
            demo.lines.append(f"  claim code for {r.name}: {r.claim_code}  (redeem at /claim)")
        elif r.outcome == "issued":
            demo.created.append(f"credential for {r.name}")


def _adopt_demo_version(session: Session, org: Organisation, demo: Any) -> list[Any]:
    """The demo organisation adopts the référentiel its demo session uses (APELS sport grid),
    when nothing else adopted one, so a fresh install can award badges at once."""
    from badger import referentiels
    from badger.awards import service
    from badger.grids.models import GroupSession

    group = session.execute(
        select(GroupSession).where(GroupSession.organisation_id == org.id)
        .order_by(GroupSession.id).execution_options(unscoped=True)
    ).scalars().first()
    if group is None or not group.referentiel_version.is_published:
        return []
    referentiels.adopt(session, org.id, group.referentiel_version, demo.admin.id)
    demo.created.append("adoption of the demo session's référentiel")
    return service.adoptable_competences(session, org.id)


def _demo_session(session: Session, org: Organisation, demo: Any, ach: Achievement) -> Any:
    from badger.grids.models import GroupSession

    group = session.execute(
        select(GroupSession).where(GroupSession.organisation_id == org.id)
        .execution_options(unscoped=True)
    ).scalars().first()
    if group is not None:
        return group
    from badger import grids

    try:
        with session.begin_nested():
            group = grids.create_session(
                session, organisation_id=org.id, coach=demo.coach, held_on=date.today(),
                title="Football du mardi (démo)",
                referentiel_version_id=ach.referentiel_version_id,
                competence_ids=[ach.competence_id], round_label="entry",
                participants=demo.participants,
            )
    except Exception:
        return None
    return group
