"""The référentiels blueprint and what its views share: loaders that answer 404/403, owner
choices, the editor's category tree, conditional (ETag) answers."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Flask, Response, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badger import referentiels, urls
from badger.db import get_session, unscoped
from badger.forms import ConfirmForm
from badger.networks.models import Network, Organisation
from badger.referentiels import case
from badger.referentiels.models import Competence, ReferentielVersion

bp = Blueprint("referentiels", __name__)

CACHE_PUBLISHED = "public, max-age=3600"
CACHE_LIST = "public, max-age=300"


def init_app(app: Flask) -> None:
    """Templates build pictogram URLs with ``pictogram_url(name)``."""
    app.jinja_env.globals["pictogram_url"] = pictogram_url


def pictogram_url(name: str) -> str:
    if name.startswith("upload-"):
        return url_for("referentiels.uploaded_pictogram", name=name)
    return url_for("static", filename=f"pictograms/{name}.svg")


def visible_version(key: str, number: int) -> ReferentielVersion:
    """A version anyone may read (published), or a draft its editors may read; else 404."""
    db = get_session()
    with unscoped(db):
        version = referentiels.get_version(db, key, number)
    if version is None:
        abort(404)
    if not version.is_published and not referentiels.can_edit(current_user, version.referentiel):
        abort(404)
    return version


def editable_version(key: str, number: int) -> ReferentielVersion:
    """A version the current user may edit: 404 if they cannot see it, 403 if only read."""
    version = visible_version(key, number)
    if not referentiels.can_edit(current_user, version.referentiel):
        abort(403)
    return version


def competence_of(version: ReferentielVersion, competence_id: int) -> Competence:
    """A competence of ``version``, else 404."""
    comp = next((c for c in version.competences if c.id == competence_id), None)
    if comp is None:
        abort(404)
    return comp


def owner_choices() -> list[tuple[str, str]]:
    """Owners the current user may publish for: their admin organisations and networks."""
    choices = []
    for m in sorted(current_user.memberships, key=lambda m: m.organisation.name):
        if str(m.role) == "admin":
            choices.append((f"org:{m.organisation_id}", m.organisation.name))
    db = get_session()
    for net_id in sorted(current_user.admin_network_ids()):
        net = db.get(Network, net_id)
        if net is not None:
            choices.append((f"net:{net.id}", _("Réseau : %(n)s", n=net.name)))
    return choices


def owner_kwargs(value: str, choices: list[tuple[str, str]]) -> dict[str, Any]:
    """The owner chosen in a form (403 if not one of ``choices``) as service arguments."""
    if value not in {c[0] for c in choices}:
        abort(403)
    kind, _sep, raw = value.partition(":")
    return {"network_id": int(raw)} if kind == "net" else {"organisation_id": int(raw)}


def owner_name(value: str) -> str:
    """Plain name of the chosen owner (used as the CFDocument creator)."""
    kind, _sep, raw = value.partition(":")
    db = get_session()
    if kind == "net":
        net = db.get(Network, int(raw or 0))
        return net.name if net is not None else ""
    org = db.get(Organisation, int(raw or 0))
    return org.name if org is not None else ""


def can_create() -> bool:
    """Whether the current user may create a référentiel (admin of some owner)."""
    return bool(current_user.is_authenticated and current_user.kind == "staff"
                and owner_choices())


def confirm() -> None:
    """Check the CSRF token of a bare POST button (400 when missing or stale)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def import_error(exc: case.CaseImportError) -> str:
    """The headline of a refused import (the errors are listed below it)."""
    return _("Import refusé : %(n)s erreur(s).", n=exc.total)


def sections(v: ReferentielVersion) -> list[tuple[Any, list[Competence], int]]:
    """Competences grouped under their category, in reading order (uncategorised first), with
    each category's depth (0 = top level, 1 = sub-category…)."""
    by_cat: dict[int | None, list[Competence]] = {}
    for c in sorted(v.competences, key=lambda c: c.position):
        by_cat.setdefault(c.category_id, []).append(c)
    out: list[tuple[Any, list[Competence], int]] = []
    if None in by_cat:
        out.append((None, by_cat[None], 0))
    children: dict[int | None, list[Any]] = {}
    for cat in sorted(v.categories, key=lambda c: c.position):
        children.setdefault(cat.parent_id, []).append(cat)
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for cat in children.get(parent, []):
            if cat.id in seen:
                continue
            seen.add(cat.id)
            out.append((cat, by_cat.get(cat.id, []), depth))
            walk(cat.id, depth + 1)

    walk(None, 0)
    return out


def category_choices(v: ReferentielVersion, *, exclude: Any = None,
                      top: str = "") -> list[tuple[str, str]]:
    """Categories as select options in reading order, sub-categories indented; without
    ``exclude`` and its sub-categories (where it cannot go)."""
    banned = set() if exclude is None else {exclude.id} | referentiels.category_descendants(
        v, exclude)
    choices = [("", top)] if top else []
    for cat, _comps, depth in sections(v):
        if cat is not None and cat.id not in banned:
            choices.append((str(cat.id), "\u2014 " * depth + cat.label))
    return choices


def int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        abort(400)


def category_of(version: ReferentielVersion, category_id: int) -> Any:
    cat = next((c for c in version.categories if c.id == category_id), None)
    if cat is None:
        abort(404)
    return cat


def conditional(response: Response, tag: str, cache: str = CACHE_PUBLISHED) -> Response:
    base = urls.base_url()
    etag = hashlib.sha256(f"{tag}|{base}".encode()).hexdigest()[:32]
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache
    response.headers["Vary"] = "Accept-Encoding"
    response.make_conditional(request)
    return response


