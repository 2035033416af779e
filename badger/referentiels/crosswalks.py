"""Crosswalks to recruiters' words: a competence of one référentiel linked to the same (or a
related) competence of another référentiel or to an ESCO skill, each link saying where it comes
from — a cited source, or badger's (or the network's) own proposal.

The shipped links (``referentiels/crosswalks/*.json``) are loaded by ``badger init``; the owners
of a référentiel add, change and remove its links in the editor (audited). The CASE package of
each published version carries them as ``exactMatchOf``/``isRelatedTo`` CFAssociations whose
grouping states the provenance (CASE 1.0 has no notes on associations), and share pages show
them beside the competence ("En mots de recruteur").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from badger import audit, urls
from badger.errors import UserError
from badger.referentiels import case
from badger.referentiels.framework import register_association_provider
from badger.referentiels.models import (
    EXACT,
    PROPOSAL,
    PROVENANCE_KINDS,
    RELATIONS,
    SOURCED,
    Competence,
    Crosswalk,
    Referentiel,
    ReferentielVersion,
)

#: The shipped crosswalk files, beside the shipped référentiels.
FOLDER = "crosswalks"
_URI_RE = re.compile(r"^https?://[^\s<>\"']+$")
_DEFINITIONS_DATE = "2026-01-01T00:00:00+00:00"


@dataclass
class CrosswalkInput:
    """What the editor form sends for one link."""

    source_code: str
    #: "<référentiel key>:<code>" for a badger competence, or an http(s) URI (ESCO…).
    target: str
    target_label: str = ""  # the outside target's label (ignored for a badger competence)
    target_language: str = "en"
    relation: str = EXACT
    provenance_kind: str = PROPOSAL
    provenance_source: str = ""
    provenance_note: str = ""


@dataclass
class Target:
    """Where a link points, in words a recruiter reads."""

    label: str
    language: str | None
    uri: str
    identifier: str
    framework: str  # "ESCO", or the target référentiel's title


def crosswalk_id(key: str, code: str, target_key: str, target_code: str, target_uri: str) -> str:
    """The link's CFAssociation identifier: the same on every server and at every init."""
    return case.stable_id("crosswalk", key, code, target_key, target_code, target_uri)


# --------------------------------------------------------------------------- reading


def mappings(session: Session, referentiel: Referentiel) -> list[Crosswalk]:
    """The links whose origin is a competence of ``referentiel``, by competence code."""
    return list(session.scalars(
        select(Crosswalk).where(Crosswalk.referentiel_id == referentiel.id)
        .order_by(Crosswalk.source_code, Crosswalk.id)
    ))


def _current_version(referentiel: Referentiel) -> ReferentielVersion | None:
    return referentiel.draft or referentiel.latest_published


def _published_competence(session: Session, key: str, code: str) -> Competence | None:
    ref = session.execute(select(Referentiel).filter_by(key=key)).scalar_one_or_none()
    version = ref.latest_published if ref is not None else None
    if version is None:
        return None
    return next((c for c in version.competences if c.code == code), None)


def _label_in(competence: Competence, lang: str) -> tuple[str, str | None]:
    tr = (competence.translations or {}).get(lang) or {}
    if tr.get("label"):
        return str(tr["label"]), lang
    return competence.label, competence.language or None


def resolve(session: Session, cw: Crosswalk, lang: str,
            base: str | None = None) -> Target | None:
    """The link's target, its label in ``lang`` when that exists (else as written, with its
    language). None when the target competence is no longer published."""
    if cw.is_external:
        labels = cw.target_labels or {}
        chosen = lang if labels.get(lang) else ("en" if labels.get("en") else next(iter(labels),
                                                                                   None))
        label = str(labels.get(chosen, "")) if chosen else ""
        framework = "ESCO" if "data.europa.eu/esco/" in cw.target_uri else ""
        return Target(label or cw.target_uri, chosen, cw.target_uri,
                      cw.target_uri.rstrip("/").rsplit("/", 1)[-1], framework)
    comp = _published_competence(session, cw.target_key, cw.target_code)
    return _competence_target(comp, lang, base) if comp is not None else None


def _competence_target(comp: Competence, lang: str, base: str | None) -> Target:
    label, language = _label_in(comp, lang)
    return Target(label, language, urls.case_url("CFItems", comp.identifier, base),
                  comp.identifier, comp.version.title)


@dataclass
class RecruiterLink:
    """One line of "En mots de recruteur" on a share page."""

    label: str
    language: str | None
    uri: str
    framework: str
    relation: str
    provenance_kind: str
    provenance_source: str
    provenance_note: str


def recruiter_links(session: Session, competence: Competence, lang: str) -> list[RecruiterLink]:
    """The links from ``competence`` (by its référentiel and code) to recruiters' words. Only
    this direction: a France Travail competence is not explained by the sport grid that points
    at it."""
    if not competence.code:
        return []
    ref = competence.version.referentiel
    rows = session.scalars(
        select(Crosswalk).where(Crosswalk.referentiel_id == ref.id,
                                Crosswalk.source_code == competence.code)
        .order_by(Crosswalk.target_uri != "", Crosswalk.id)
    ).all()
    out: list[RecruiterLink] = []
    for cw in rows:
        target = resolve(session, cw, lang)
        if target is not None:
            out.append(RecruiterLink(target.label, target.language, target.uri,
                                     target.framework, cw.relation, cw.provenance_kind,
                                     cw.provenance_source, cw.provenance_note))
    return out


def links_by_code(session: Session, version: ReferentielVersion,
                  lang: str) -> dict[str, list[RecruiterLink]]:
    """The links of every competence of ``version``, by competence code (the version page)."""
    out: dict[str, list[RecruiterLink]] = {}
    codes = {c.code for c in version.competences if c.code}
    for cw in mappings(session, version.referentiel):
        target = resolve(session, cw, lang) if cw.source_code in codes else None
        if target is not None:
            out.setdefault(cw.source_code, []).append(RecruiterLink(
                target.label, target.language, target.uri, target.framework, cw.relation,
                cw.provenance_kind, cw.provenance_source, cw.provenance_note))
    return out


# --------------------------------------------------------------------------- editing


def _check(session: Session, referentiel: Referentiel, data: CrosswalkInput
           ) -> tuple[str, str, str, str]:
    """Validate ``data``; return (source_code, target_key, target_code, target_uri)."""
    code = data.source_code.strip()
    version = _current_version(referentiel)
    if version is None or not any(c.code == code for c in version.competences if c.code):
        raise UserError(_l("Choisissez une compétence de ce référentiel."))
    if data.relation not in RELATIONS:
        raise UserError(_l("Type de correspondance inconnu."))
    if data.provenance_kind not in PROVENANCE_KINDS:
        raise UserError(_l("Provenance inconnue."))
    if data.provenance_kind == SOURCED and not data.provenance_source.strip():
        raise UserError(_l("Une correspondance sourcée cite sa source (document, page ou "
                           "adresse). Sans source, c'est une proposition."))
    target = data.target.strip()
    if _URI_RE.match(target):
        if not data.target_label.strip() and not _known_labels(session, target):
            raise UserError(_l("Donnez le libellé de la compétence visée."))
        return code, "", "", target
    key, sep, target_code = target.partition(":")
    if not sep or _published_competence(session, key, target_code) is None:
        raise UserError(_l("Cible inconnue : donnez l'adresse d'une compétence ESCO, ou "
                           "« clé-du-référentiel:code » d'une compétence publiée."))
    if key == referentiel.key:
        raise UserError(_l("Une correspondance relie deux référentiels différents."))
    return code, key, target_code, ""


def _known_labels(session: Session, uri: str) -> dict[str, Any]:
    """The labels another link already gives the outside target ``uri`` (ESCO's, shipped)."""
    for labels in session.scalars(select(Crosswalk.target_labels).where(
            Crosswalk.target_uri == uri)):
        if labels:
            return dict(labels)
    return {}


def _fill(cw: Crosswalk, data: CrosswalkInput, parts: tuple[str, str, str, str]) -> None:
    cw.source_code, cw.target_key, cw.target_code, cw.target_uri = parts
    cw.identifier = crosswalk_id(cw.referentiel.key, *parts)
    session = object_session(cw.referentiel)
    if not parts[3]:
        cw.target_labels = {}
    elif data.target_label.strip():
        cw.target_labels = {(data.target_language.strip() or "en"): data.target_label.strip()}
    elif session is not None:  # an ESCO skill another link names already: its labels
        cw.target_labels = _known_labels(session, parts[3])
    cw.relation = data.relation
    cw.provenance_kind = data.provenance_kind
    cw.provenance_source = data.provenance_source.strip()
    cw.provenance_note = data.provenance_note.strip()


def _refuse_duplicate(session: Session, cw: Crosswalk) -> None:
    other = session.scalars(select(Crosswalk).where(
        Crosswalk.identifier == cw.identifier, Crosswalk.id != (cw.id or 0))).first()
    if other is not None:
        raise UserError(_l("Cette correspondance existe déjà."), 409)


def _audit(session: Session, action: str, cw: Crosswalk, actor: Any) -> None:
    audit.record(session, f"referentiel.crosswalk_{action}", actor=actor, obj=cw,
                 organisation_id=cw.referentiel.organisation_id,
                 referentiel=cw.referentiel.key, source_code=cw.source_code,
                 target=cw.target_uri or f"{cw.target_key}:{cw.target_code}",
                 relation=cw.relation, provenance=cw.provenance_kind)


def add_mapping(session: Session, referentiel: Referentiel, data: CrosswalkInput,
                actor: Any = None) -> Crosswalk:
    """Add a link from a competence of ``referentiel`` (audited)."""
    parts = _check(session, referentiel, data)
    cw = Crosswalk(referentiel=referentiel)
    with session.no_autoflush:
        _fill(cw, data, parts)
        _refuse_duplicate(session, cw)
    session.add(cw)
    session.flush()
    _audit(session, "added", cw, actor)
    return cw


def update_mapping(session: Session, cw: Crosswalk, data: CrosswalkInput,
                   actor: Any = None) -> None:
    """Change a link (audited); it is no longer the shipped one."""
    parts = _check(session, cw.referentiel, data)
    with session.no_autoflush:
        _fill(cw, data, parts)
        _refuse_duplicate(session, cw)
    cw.shipped = False
    session.flush()
    _audit(session, "changed", cw, actor)


def delete_mapping(session: Session, cw: Crosswalk, actor: Any = None) -> None:
    """Remove a link (audited)."""
    _audit(session, "removed", cw, actor)
    session.delete(cw)
    session.flush()


def copy_from(session: Session, referentiel: Referentiel, source: Referentiel,
              actor: Any = None) -> int:
    """Give ``referentiel`` (derived from ``source``) the links of ``source``'s competences
    whose codes it kept, provenance included; return how many were added."""
    version = _current_version(referentiel)
    codes = {c.code for c in version.competences if c.code} if version is not None else set()
    have = {cw.identifier for cw in mappings(session, referentiel)}
    added = 0
    for src in mappings(session, source):
        if src.source_code not in codes or src.target_key == referentiel.key:
            continue
        ident = crosswalk_id(referentiel.key, src.source_code, src.target_key, src.target_code,
                             src.target_uri)
        if ident in have:
            continue
        cw = Crosswalk(
            referentiel=referentiel, identifier=ident, source_code=src.source_code,
            target_key=src.target_key, target_code=src.target_code, target_uri=src.target_uri,
            target_labels=dict(src.target_labels or {}), relation=src.relation,
            provenance_kind=src.provenance_kind, provenance_source=src.provenance_source,
            provenance_note=src.provenance_note, shipped=False,
        )
        session.add(cw)
        session.flush()
        _audit(session, "added", cw, actor)
        have.add(ident)
        added += 1
    return added


# --------------------------------------------------------------------------- shipped files


def load_shipped(session: Session, folder: Path) -> int:
    """Load every ``*.json`` crosswalk file of ``folder`` onto the shipped référentiels
    (idempotent: the shipped links of those référentiels become exactly the files' ones).
    Return how many links changed."""
    wanted: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        for m in json.loads(path.read_text("utf-8"))["mappings"]:
            row = _shipped_row(m)
            wanted[row["identifier"]] = row
    refs = {r.key: r for r in session.scalars(select(Referentiel).where(Referentiel.shipped))}
    existing = {cw.identifier: cw for cw in session.scalars(
        select(Crosswalk).where(Crosswalk.shipped))}
    changed = 0
    for ident, row in wanted.items():
        ref = refs.get(row.pop("key"))
        if ref is None:
            continue
        cw = existing.pop(ident, None)
        if cw is None:
            cw = Crosswalk(referentiel=ref, shipped=True)
            session.add(cw)
        if any(getattr(cw, k, None) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(cw, k, v)
            changed += 1
    for cw in existing.values():
        session.delete(cw)
        changed += 1
    session.flush()
    return changed


def _shipped_row(m: dict[str, Any]) -> dict[str, Any]:
    src, dst, prov = m["from"], m["to"], m["provenance"]
    if m["relation"] not in RELATIONS or prov["kind"] not in PROVENANCE_KINDS:
        raise ValueError(f"bad crosswalk {m!r}")
    if prov["kind"] == SOURCED and not prov.get("source"):
        raise ValueError(f"sourced crosswalk without a source: {m!r}")
    target_key, target_code = dst.get("referentiel", ""), dst.get("code", "")
    target_uri = dst.get("esco", "") or dst.get("uri", "")
    return {
        "key": src["referentiel"],
        "identifier": crosswalk_id(src["referentiel"], src["code"], target_key, target_code,
                                   target_uri),
        "source_code": src["code"], "target_key": target_key, "target_code": target_code,
        "target_uri": target_uri, "target_labels": dict(dst.get("label") or {}),
        "relation": m["relation"], "provenance_kind": prov["kind"],
        "provenance_source": prov.get("source", ""), "provenance_note": prov.get("note", ""),
    }


# --------------------------------------------------------------------------- CASE export


def grouping(cw: Crosswalk) -> tuple[str, str, str]:
    """(identifier, title, description) of the CFAssociationGrouping that states ``cw``'s
    provenance: CASE 1.0 has no notes on an association, a grouping has a description."""
    if cw.provenance_kind == SOURCED:
        title = f"Correspondance sourcée : {cw.provenance_source}"
    else:
        title = "Correspondance proposée par badger ou le réseau (non sourcée)"
    desc = f"badger:crosswalk:{cw.provenance_kind}"
    if cw.provenance_source:
        desc += f" | source: {cw.provenance_source}"
    if cw.provenance_note:
        desc += f" | {cw.provenance_note}"
    ident = case.stable_id("crosswalk-provenance", cw.provenance_kind, cw.provenance_source,
                           cw.provenance_note)
    return ident, title, desc


def package_associations(version: ReferentielVersion, base: str) -> dict[str, list[Any]]:
    """The links of ``version``'s competences as CFAssociations and their provenance
    groupings (the provider :func:`badger.referentiels.framework.package_of` calls)."""
    session = object_session(version)
    if session is None:
        return {}
    by_code = {c.code: c for c in version.competences if c.code}
    assocs: list[dict[str, Any]] = []
    groupings: dict[str, dict[str, Any]] = {}
    for cw in mappings(session, version.referentiel):
        origin = by_code.get(cw.source_code)
        target = resolve(session, cw, version.language or "fr", base) if origin else None
        if origin is None or target is None:
            continue
        gid, gtitle, gdesc = grouping(cw)
        groupings.setdefault(gid, {
            "identifier": gid, "uri": urls.case_url("CFAssociationGroupings", gid, base),
            "title": gtitle, "description": gdesc, "lastChangeDateTime": _DEFINITIONS_DATE,
        })
        assocs.append({
            "identifier": cw.identifier,
            "associationType": cw.relation,
            "uri": urls.case_url("CFAssociations", cw.identifier, base),
            "originNodeURI": {"title": origin.label, "identifier": origin.identifier,
                              "uri": urls.case_url("CFItems", origin.identifier, base)},
            "destinationNodeURI": {"title": target.label, "identifier": target.identifier,
                                   "uri": target.uri},
            "CFAssociationGroupingURI": {"title": gtitle, "identifier": gid,
                                         "uri": urls.case_url("CFAssociationGroupings", gid,
                                                              base)},
            "lastChangeDateTime": _iso(cw.updated_at),
        })
    return {"CFAssociations": assocs, "CFAssociationGroupings": list(groupings.values())}


def _iso(when: datetime | None) -> str:
    if when is None:
        return _DEFINITIONS_DATE
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def find_association(session: Session, identifier: str) -> tuple[ReferentielVersion, str] | None:
    """The published version whose package carries the link ``identifier`` (for the CASE
    ``CFAssociations/<id>`` endpoint), and that identifier."""
    cw = session.scalars(select(Crosswalk).filter_by(identifier=identifier.lower())).first()
    version = cw.referentiel.latest_published if cw is not None else None
    return (version, cw.identifier) if version is not None and cw is not None else None


register_association_provider(package_associations)
