"""Public référentiel pages: the list and search, a version as a recruiter reads it,
exports, diffs, uploaded pictograms."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from badger import referentiels, urls
from badger.db import get_session, unscoped
from badger.forms import ConfirmForm
from badger.i18n import current_language
from badger.referentiels import case, crosswalks
from badger.referentiels.blueprint import (
    bp,
    can_create,
    conditional,
    owner_choices,
    sections,
    visible_version,
)
from badger.referentiels.models import ReferentielVersion
from badger.urls import CASE_PATH


@bp.route("/referentiels/")
def browse() -> Any:
    """List and search every published référentiel."""
    db = get_session()
    query = request.args.get("q", "")[:200]
    with unscoped(db):
        found = referentiels.search(db, query)
        adopted: dict[int, int] = {}
        if g.get("organisation") is not None:
            adopted = {a.referentiel_id: a.version.number
                       for a in referentiels.adoptions(db, g.organisation.id)}
    return render_template(
        "referentiels/browse.html", referentiels=found, query=query, adopted=adopted,
        editable=referentiels.editable_referentiels(db, current_user), can_create=can_create(),
    )


@bp.route("/referentiels/<key>")
def show(key: str) -> Any:
    """Redirect to the latest published version (or the draft, for its editors)."""
    db = get_session()
    referentiel = referentiels.get_referentiel(db, key)
    if referentiel is None:
        abort(404)
    version = referentiel.latest_published
    if version is None and referentiels.can_edit(current_user, referentiel):
        version = referentiel.draft
    if version is None:
        abort(404)
    return redirect(url_for(".version", key=key, number=version.number))


@bp.route("/referentiels/<key>/v<int:number>")
def version(key: str, number: int) -> Any:
    """Show one version, readable by a recruiter: categories, competences, levels, links."""
    v = visible_version(key, number)
    editor = referentiels.can_edit(current_user, v.referentiel)
    db = get_session()
    adoption = None
    if g.get("organisation") is not None:
        adoption = referentiels.adoption_of(db, g.organisation.id, v.referentiel_id)
    other_rubrics = [r for r in v.rubrics if r.get("title") != case.BADGER_SCALE_TITLE]
    return render_template(
        "referentiels/version.html", v=v, ref=v.referentiel, sections=sections(v),
        editor=editor, adoption=adoption, other_rubrics=other_rubrics,
        is_admin=g.get("role") == "admin", form=ConfirmForm(),
        # "derive" only for someone who may own the copy (an admin of an organisation or a
        # network): a coach was offered the button and then refused (403)
        can_derive=getattr(current_user, "kind", None) == "staff" and bool(owner_choices()),
        item_url=referentiels.item_url, base=urls.base_url(),
        rubric_titles={r["identifier"]: r.get("title", "") for r in v.rubrics},
        scale_legend=case.BADGER_SCALE if any(
            r.get("title") == case.BADGER_SCALE_TITLE for r in v.rubrics) else None,
        badger_names=[name for _score, name in case.BADGER_SCALE],
        scale_translations=_scale_translations(v),
        json_url=f"{CASE_PATH}/CFPackages/{v.identifier}",
        parent_ids={c.parent_id for c in v.categories if c.parent_id is not None},
        crosswalk_links=crosswalks.links_by_code(db, v, current_language()),
    )


def _scale_translations(v: ReferentielVersion) -> list[tuple[str, list[str]]]:
    """The 0–5 level names the competences' translations use, by language (the legend's
    translations): [(lang, names)], one entry per distinct list of names."""
    found: set[tuple[str, tuple[str, ...]]] = set()
    for c in v.competences:
        for lang, t in (c.translations or {}).items():
            names = tuple(str(lv.get("quality", "")) for lv in t.get("levels") or [])
            if any(names):
                found.add((lang, names))
    return [(lang, list(names)) for lang, names in sorted(found)]


@bp.route("/referentiels/<key>/v<int:number>/export.<fmt>")
def export(key: str, number: int, fmt: str) -> Any:
    """Download a version as CASE JSON or CSV."""
    v = visible_version(key, number)
    if fmt not in {"json", "csv"}:
        abort(404)
    text, mime, filename = referentiels.export(v, "case" if fmt == "json" else "csv")
    response = Response(text, mimetype=mime.split(";")[0])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if v.is_published:
        return conditional(response, f"{referentiels.package_tag(v)}-{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/referentiels/<key>/diff")
def diff(key: str) -> Any:
    """Compare two versions: added, removed and changed competences."""
    db = get_session()
    referentiel = referentiels.get_referentiel(db, key)
    if referentiel is None:
        abort(404)
    versions = [v for v in referentiel.versions
                if v.is_published or referentiels.can_edit(current_user, referentiel)]
    if len(versions) < 1:
        abort(404)
    numbers = {v.number: v for v in versions}
    try:
        old = numbers[int(request.args.get("from", versions[-2].number if len(versions) > 1
                                           else versions[-1].number))]
        new = numbers[int(request.args.get("to", versions[-1].number))]
    except (KeyError, ValueError):
        abort(404)
    d = referentiels.diff(old, new)
    if request.accept_mimetypes.best == "application/json":
        return {"from": old.number, "to": new.number, **d.as_json()}
    return render_template("referentiels/diff.html", ref=referentiel, old=old, new=new, d=d,
                           versions=versions)


@bp.route("/referentiels/pictograms/<name>.png")
def uploaded_pictogram(name: str) -> Any:
    """Serve an uploaded (re-encoded) pictogram."""
    if not name.startswith("upload-") or not referentiels.valid_pictogram(name):
        abort(404)
    response = send_from_directory(referentiels.pictogram_dir(), f"{name}.png",
                                   mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


