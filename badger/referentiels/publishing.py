"""Publishing a draft: it never changes afterwards, and its CASE objects are indexed for the
public API."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert
from sqlalchemy.orm import Session

from badger.db import utcnow
from badger.errors import UserError
from badger.referentiels import case
from badger.referentiels.case import Framework
from badger.referentiels.framework import (
    CANONICAL_BASE,
    canonical_package,
    framework_of,
    hash_package,
)
from badger.referentiels.models import PUBLISHED, CaseObject, ReferentielVersion
from badger.referentiels.rules import require_draft


def publish_version(session: Session, version: ReferentielVersion, *,
                    check_schema: bool = True) -> None:
    """Publish a draft: from now on it never changes. Indexes its CASE objects."""
    require_draft(version)
    if not version.competences and version.case_source is None:  # imported: may be empty
        raise UserError(_l("Ajoutez au moins une compétence avant de publier."))
    fw = framework_of(version)
    current = case.to_package(fw, base_url=CANONICAL_BASE)  # writes generated ids into fw
    # Freeze generated identifiers (criteria, levels) into the rows before the guard applies.
    _freeze_identifiers(version, fw)
    pkg = canonical_package(version, current)
    errors: list[case.ImportProblem] = []
    if check_schema:  # an imported package keeps its publisher's identifiers (loose UUIDs)
        errors = (case.schema11_errors(pkg, loose_ids=True) if version.case_source is not None
                  else case.schema_errors(pkg))
    if errors:
        raise UserError(
            _l("Le référentiel n'est pas un paquet CASE valable."), 422,
            details=[{"location": str(loc), "message": str(msg)} for loc, msg in errors[:20]],
        )
    version.status = PUBLISHED
    version.published_at = utcnow()
    version.content_hash = hash_package(pkg)
    session.flush()
    rows = [{"identifier": ident, "kind": kind, "version_id": version.id}
            for kind, ident in case_objects(pkg)]
    if rows:
        session.execute(insert(CaseObject), rows)


def _freeze_identifiers(version: ReferentielVersion, fw: Framework) -> None:
    crit = {(r.identifier, c.item): c for r in fw.rubrics for c in r.criteria}
    for comp in version.competences:
        changed = False
        entries = []
        for e in comp.levels or []:
            c = crit.get((e["rubric"], comp.identifier))
            if c is not None and (e.get("criterion") != c.identifier or any(
                lv.get("identifier") != cl.identifier for lv, cl in zip(e["levels"], c.levels,
                                                                         strict=False))):
                changed = True
                e = {**e, "criterion": c.identifier, "levels": [
                    {**lv, "identifier": cl.identifier}
                    for lv, cl in zip(e["levels"], c.levels, strict=False)
                ]}
            entries.append(e)
        if changed:
            comp.levels = entries
        trs = {}
        for lang, t in (comp.translations or {}).items():
            tr_id = t.get("identifier") or case.stable_id(comp.identifier, "translation", lang)
            trs[lang] = {**t, "identifier": tr_id}
        if trs != (comp.translations or {}):
            comp.translations = trs


def case_objects(pkg: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, identifier) of every object of ``pkg`` the CASE REST binding serves alone."""
    out = [("CFAssociations", a["identifier"]) for a in pkg["CFAssociations"]]
    for r in pkg["CFRubrics"]:
        out.append(("CFRubrics", r["identifier"]))
        for c in r["CFRubricCriteria"]:
            out.append(("CFRubricCriteria", c["identifier"]))
            out += [("CFRubricCriterionLevels", lv["identifier"])
                    for lv in c["CFRubricCriterionLevels"]]
    defs = pkg["CFDefinitions"]
    for kind in case.source.DEFINITIONS:
        out += [(kind, d["identifier"]) for d in defs.get(kind, [])]
    out += [("CFItems", i["identifier"]) for i in pkg["CFItems"]]
    seen: set[tuple[str, str]] = set()
    return [k for k in out if not (k in seen or seen.add(k))]  # type: ignore[func-returns-value]
