"""Public référentiel pages, the CASE 1.0 REST endpoints, and the editor for admins."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from badger import urls
from badger.db import get_session, unscoped
from badger.errors import UserError
from badger.forms import ConfirmForm
from badger.referentiels import case, service
from badger.referentiels.forms import (
    LEVEL_FIELDS,
    CategoryForm,
    CompetenceForm,
    DeriveForm,
    DocumentForm,
    ImportForm,
    ReferentielForm,
    UpgradeForm,
)
from badger.referentiels.models import Adoption, Competence, Referentiel, ReferentielVersion
from badger.security import staff_required

bp = Blueprint("referentiels", __name__)

CASE_BASE = "/ims/case/v1p0"
CACHE_PUBLISHED = "public, max-age=3600"
CACHE_LIST = "public, max-age=300"


def init_app(app: Flask) -> None:
    app.jinja_env.globals["pictogram_url"] = pictogram_url


def pictogram_url(name: str) -> str:
    if name.startswith("upload-"):
        return url_for("referentiels.uploaded_pictogram", name=name)
    return url_for("static", filename=f"pictograms/{name}.svg")


# --------------------------------------------------------------------------- loaders


def _visible_version(key: str, number: int) -> ReferentielVersion:
    """A version anyone may read (published), or a draft its editors may read; else 404."""
    db = get_session()
    with unscoped(db):
        version = service.get_version(db, key, number)
    if version is None:
        abort(404)
    if not version.is_published and not service.can_edit(current_user, version.referentiel):
        abort(404)
    return version


def _editable_version(key: str, number: int) -> ReferentielVersion:
    """A version the current user may edit: 404 if they cannot see it, 403 if only read."""
    version = _visible_version(key, number)
    if not service.can_edit(current_user, version.referentiel):
        abort(403)
    return version


def _competence(version: ReferentielVersion, competence_id: int) -> Competence:
    comp = next((c for c in version.competences if c.id == competence_id), None)
    if comp is None:
        abort(404)
    return comp


def _owner_choices() -> list[tuple[str, str]]:
    """Owners the current user may publish for: their admin organisations and networks."""
    from badger.networks.models import Network

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


def _owner_kwargs(value: str, choices: list[tuple[str, str]]) -> dict[str, Any]:
    if value not in {c[0] for c in choices}:
        abort(403)
    kind, _sep, raw = value.partition(":")
    return {"network_id": int(raw)} if kind == "net" else {"organisation_id": int(raw)}


def _owner_name(value: str) -> str:
    """Plain name of the chosen owner (used as the CFDocument creator)."""
    from badger.networks.models import Network, Organisation

    kind, _sep, raw = value.partition(":")
    db = get_session()
    if kind == "net":
        net = db.get(Network, int(raw or 0))
        return net.name if net is not None else ""
    org = db.get(Organisation, int(raw or 0))
    return org.name if org is not None else ""


def _can_create() -> bool:
    return bool(current_user.is_authenticated and current_user.kind == "staff"
                and _owner_choices())


def _confirm() -> None:
    """Check the CSRF token of a bare POST button (400 when missing or stale)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _import_error(exc: case.CaseImportError) -> str:
    return _("Import refusé : %(n)s erreur(s).", n=exc.total)


# --------------------------------------------------------------------------- public pages


@bp.route("/referentiels/")
def browse() -> Any:
    """List and search every published référentiel."""
    db = get_session()
    query = request.args.get("q", "")[:200]
    with unscoped(db):
        referentiels = service.search(db, query)
        adopted: dict[int, int] = {}
        if g.get("organisation") is not None:
            adopted = {a.referentiel_id: a.version.number
                       for a in service.adoptions(db, g.organisation.id)}
    editable = []
    if current_user.is_authenticated and current_user.kind == "staff":
        editable = [r for r in db.execute(select(Referentiel).order_by(Referentiel.title))
                    .scalars() if service.can_edit(current_user, r)]
    return render_template(
        "referentiels/browse.html", referentiels=referentiels, query=query, adopted=adopted,
        editable=editable, can_create=_can_create(),
    )


@bp.route("/referentiels/<key>")
def show(key: str) -> Any:
    """Redirect to the latest published version (or the draft, for its editors)."""
    db = get_session()
    referentiel = service.get_referentiel(db, key)
    if referentiel is None:
        abort(404)
    version = referentiel.latest_published
    if version is None and service.can_edit(current_user, referentiel):
        version = referentiel.draft
    if version is None:
        abort(404)
    return redirect(url_for(".version", key=key, number=version.number))


@bp.route("/referentiels/<key>/v<int:number>")
def version(key: str, number: int) -> Any:
    """Show one version, readable by a recruiter: categories, competences, levels, links."""
    v = _visible_version(key, number)
    editor = service.can_edit(current_user, v.referentiel)
    db = get_session()
    adoption = None
    if g.get("organisation") is not None:
        adoption = db.execute(
            select(Adoption).where(Adoption.organisation_id == g.organisation.id,
                                   Adoption.referentiel_id == v.referentiel_id)
        ).scalar_one_or_none()
    sections = _sections(v)
    other_rubrics = [r for r in v.rubrics if r.get("title") != case.BADGER_SCALE_TITLE]
    return render_template(
        "referentiels/version.html", v=v, ref=v.referentiel, sections=sections,
        editor=editor, adoption=adoption, other_rubrics=other_rubrics,
        is_admin=g.get("role") == "admin", form=ConfirmForm(),
        item_url=service.item_url, base=urls.base_url(),
        rubric_titles={r["identifier"]: r.get("title", "") for r in v.rubrics},
        scale_legend=case.BADGER_SCALE if any(
            r.get("title") == case.BADGER_SCALE_TITLE for r in v.rubrics) else None,
        badger_names=[name for _score, name in case.BADGER_SCALE],
        scale_translations=_scale_translations(v),
        json_url=f"{CASE_BASE}/CFPackages/{v.identifier}",
        parent_ids={c.parent_id for c in v.categories if c.parent_id is not None},
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


def _sections(v: ReferentielVersion) -> list[tuple[Any, list[Competence], int]]:
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


def _category_choices(v: ReferentielVersion, *, exclude: Any = None,
                      top: str = "") -> list[tuple[str, str]]:
    """Categories as select options in reading order, sub-categories indented; without
    ``exclude`` and its sub-categories (where it cannot go)."""
    banned = set() if exclude is None else {exclude.id} | service.category_descendants(
        v, exclude)
    choices = [("", top)] if top else []
    for cat, _comps, depth in _sections(v):
        if cat is not None and cat.id not in banned:
            choices.append((str(cat.id), "\u2014 " * depth + cat.label))
    return choices


@bp.route("/referentiels/<key>/v<int:number>/export.<fmt>")
def export(key: str, number: int, fmt: str) -> Any:
    """Download a version as CASE JSON or CSV."""
    v = _visible_version(key, number)
    if fmt not in {"json", "csv"}:
        abort(404)
    text, mime, filename = service.export(v, "case" if fmt == "json" else "csv")
    response = Response(text, mimetype=mime.split(";")[0])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if v.is_published:
        return _conditional(response, f"{v.content_hash}-{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/referentiels/<key>/diff")
def diff(key: str) -> Any:
    """Compare two versions: added, removed and changed competences."""
    db = get_session()
    referentiel = service.get_referentiel(db, key)
    if referentiel is None:
        abort(404)
    versions = [v for v in referentiel.versions
                if v.is_published or service.can_edit(current_user, referentiel)]
    if len(versions) < 1:
        abort(404)
    numbers = {v.number: v for v in versions}
    try:
        old = numbers[int(request.args.get("from", versions[-2].number if len(versions) > 1
                                           else versions[-1].number))]
        new = numbers[int(request.args.get("to", versions[-1].number))]
    except (KeyError, ValueError):
        abort(404)
    d = service.diff(old, new)
    if request.accept_mimetypes.best == "application/json":
        return {"from": old.number, "to": new.number, **d.as_json()}
    return render_template("referentiels/diff.html", ref=referentiel, old=old, new=new, d=d,
                           versions=versions)


@bp.route("/referentiels/pictograms/<name>.png")
def uploaded_pictogram(name: str) -> Any:
    """Serve an uploaded (re-encoded) pictogram."""
    if not name.startswith("upload-") or not service.valid_pictogram(name):
        abort(404)
    response = send_from_directory(service.pictogram_dir(), f"{name}.png", mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


# --------------------------------------------------------------------------- CASE REST


def _imsx_not_found(kind: str, identifier: str) -> Response:
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": f"{kind} {identifier} not found",
        "imsx_codeMinor": {"imsx_codeMinorField": [
            {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": "unknownobject"}
        ]},
    }
    response = Response(json.dumps(body), status=404, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _conditional(response: Response, tag: str, cache: str = CACHE_PUBLISHED) -> Response:
    base = urls.base_url()
    etag = hashlib.sha256(f"{tag}|{base}".encode()).hexdigest()[:32]
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache
    response.headers["Vary"] = "Accept-Encoding"
    response.make_conditional(request)
    return response


def _json(obj: Any, tag: str, cache: str = CACHE_PUBLISHED) -> Response:
    text = json.dumps(obj, ensure_ascii=False)
    return _conditional(Response(text, mimetype="application/json"), tag, cache)


def _published(identifier: str) -> ReferentielVersion | None:
    db = get_session()
    with unscoped(db):
        v = service.get_version_by_identifier(db, identifier)
    return v if v is not None and v.is_published else None


def _doc_link(v: ReferentielVersion) -> dict[str, str]:
    return {"title": v.title, "identifier": v.identifier, "uri": service.document_url(v)}


@bp.route(f"{CASE_BASE}/CFDocuments")
def case_documents() -> Any:
    """CASE: every published CFDocument."""
    db = get_session()
    with unscoped(db):
        versions = service.published_versions(db)
    docs = []
    for v in versions:
        doc = dict(service.package_of(v)["CFDocument"])
        doc["CFPackageURI"] = {
            "title": v.title, "identifier": v.identifier,
            "uri": urls.case_url("CFPackages", v.identifier),
        }
        docs.append(doc)
    tag = "docs:" + ",".join(f"{v.identifier}:{v.content_hash}" for v in versions)
    return _json({"CFDocuments": docs}, tag, CACHE_LIST)


@bp.route(f"{CASE_BASE}/CFDocuments/<identifier>")
def case_document(identifier: str) -> Any:
    """CASE: one CFDocument (with its CFPackageURI)."""
    v = _published(identifier)
    if v is None:
        return _imsx_not_found("CFDocument", identifier)
    doc = dict(service.package_of(v)["CFDocument"])
    doc["CFPackageURI"] = {"title": v.title, "identifier": v.identifier,
                           "uri": urls.case_url("CFPackages", v.identifier)}
    return _json(doc, f"doc:{v.content_hash}")


@bp.route(f"{CASE_BASE}/CFPackages/<identifier>")
def case_package(identifier: str) -> Any:
    """CASE: the whole CFPackage of a published version."""
    v = _published(identifier)
    if v is None:
        return _imsx_not_found("CFPackage", identifier)
    return _json(service.package_of(v), f"pkg:{v.content_hash}")


@bp.route(f"{CASE_BASE}/CFItems/<identifier>")
def case_item(identifier: str) -> Any:
    """CASE: one CFItem (the target of OB 3.0 alignments)."""
    db = get_session()
    with unscoped(db):
        found = service.published_item(db, identifier)
    if found is None:
        return _imsx_not_found("CFItem", identifier)
    v, ident = found
    item = service.find_in_package(service.package_of(v), "CFItems", ident)
    if item is None:
        return _imsx_not_found("CFItem", identifier)
    out = {**item, "CFDocumentURI": _doc_link(v)}
    return _json(out, f"item:{ident}:{v.content_hash}")


def _case_object(kind: str, identifier: str) -> Response:
    db = get_session()
    with unscoped(db):
        v = service.published_object(db, kind, identifier)
    if v is None:
        return _imsx_not_found(kind, identifier)
    obj = service.find_in_package(service.package_of(v), kind, identifier)
    if obj is None:
        return _imsx_not_found(kind, identifier)
    if kind == "CFAssociations":
        obj = {**obj, "CFDocumentURI": _doc_link(v)}
    return _json(obj, f"{kind}:{identifier}:{v.content_hash}")


@bp.route(f"{CASE_BASE}/CFAssociations/<identifier>")
def case_association(identifier: str) -> Any:
    """CASE: one CFAssociation."""
    return _case_object("CFAssociations", identifier)


@bp.route(f"{CASE_BASE}/CFRubrics/<identifier>")
def case_rubric(identifier: str) -> Any:
    """CASE: one CFRubric with its criteria and levels."""
    return _case_object("CFRubrics", identifier)


@bp.route(f"{CASE_BASE}/CFRubricCriteria/<identifier>")
def case_criterion(identifier: str) -> Any:
    """One CFRubricCriterion (badger resolves every URI it writes)."""
    return _case_object("CFRubricCriteria", identifier)


@bp.route(f"{CASE_BASE}/CFRubricCriterionLevels/<identifier>")
def case_level(identifier: str) -> Any:
    """One CFRubricCriterionLevel (target of OB 3.0 RubricCriterionLevel alignments)."""
    return _case_object("CFRubricCriterionLevels", identifier)


@bp.route(f"{CASE_BASE}/CFItemTypes/<identifier>")
def case_item_type(identifier: str) -> Any:
    """CASE: one CFItemType."""
    return _case_object("CFItemTypes", identifier)


@bp.route(f"{CASE_BASE}/CFAssociationGroupings/<identifier>")
def case_grouping(identifier: str) -> Any:
    """CASE: one CFAssociationGrouping."""
    return _case_object("CFAssociationGroupings", identifier)


@bp.route(f"{CASE_BASE}/CFLicenses/<identifier>")
def case_license(identifier: str) -> Any:
    """CASE: one CFLicense."""
    return _case_object("CFLicenses", identifier)


# --------------------------------------------------------------------------- editor


@bp.route("/referentiels/new", methods=["GET", "POST"])
@staff_required()
def new() -> Any:
    """Create a référentiel (owned by my organisation or one of my networks) and its draft."""
    form = ReferentielForm()
    form.owner.choices = _owner_choices()
    if not form.owner.choices:
        abort(403)
    if form.validate_on_submit():
        db = get_session()
        owner = _owner_kwargs(form.owner.data or "", form.owner.choices)
        creator = _owner_name(form.owner.data or "")
        v = service.create_referentiel(
            db, title=form.title.data or "", key=form.key.data or "", creator=creator,
            description=form.description.data or "", **owner,
        )
        db.commit()
        flash(_("Brouillon créé. Ajoutez les compétences puis publiez."), "success")
        return redirect(url_for(".edit", key=v.referentiel.key, number=v.number))
    return render_template("referentiels/new.html", form=form), 400 if form.errors else 200


@bp.route("/referentiels/import", methods=["GET", "POST"])
@staff_required()
def import_file() -> Any:
    """Import a CASE package or CSV file as a new draft (refused whole on any error)."""
    form = ImportForm()
    form.owner.choices = _owner_choices()
    if not form.owner.choices:
        abort(403)
    errors: list[case.ImportProblem] = []
    more = 0
    message = None
    refused = 0
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            message = _("Choisissez un fichier.")
        else:
            data = upload.stream.read(case.MAX_BYTES + 1)
            db = get_session()
            owner = _owner_kwargs(form.owner.data or "", form.owner.choices)
            try:
                fw = service.parse_upload(
                    data, upload.filename, title=form.title.data or "",
                    creator=_owner_name(form.owner.data or ""),
                )
                key = (form.key.data or "").strip().lower() or None
                if key:
                    fw.key = key
                v, _changed = service.import_framework(db, fw, key=key, publish=False, **owner)
            except case.CaseImportError as exc:
                message, errors, more = _import_error(exc), exc.errors, exc.more
            except UserError as exc:  # e.g. 409: a draft of another owner has this identifier
                db.rollback()
                message, refused = str(exc.message), exc.status
            else:
                db.commit()
                flash(_("Fichier importé comme brouillon : relisez puis publiez."), "success")
                return redirect(url_for(".edit", key=v.referentiel.key, number=v.number))
    status = 422 if errors else (refused or (400 if (form.errors or message) else 200))
    return render_template("referentiels/import.html", form=form, errors=errors,
                           more=more, message=message), status


@bp.route("/referentiels/<key>/v<int:number>/edit", methods=["GET", "POST"])
@staff_required()
def edit(key: str, number: int) -> Any:
    """Edit a draft: its document fields, categories and competences; preview; publish."""
    v = _editable_version(key, number)
    if v.is_published:
        if request.method == "POST":
            raise UserError(_("Cette version est publiée : elle ne peut plus être modifiée."), 409)
        flash(_("Cette version est publiée : elle ne change plus. Créez une nouvelle version "
                "pour la faire évoluer."), "info")
        return redirect(url_for(".version", key=key, number=number))
    form = DocumentForm(obj=v)
    if form.validate_on_submit():
        db = get_session()
        service.update_document(
            db, v, title=form.title.data, creator=form.creator.data,
            description=form.description.data, notes=form.notes.data,
            official_source_url=form.official_source_url.data,
        )
        db.commit()
        flash(_("Enregistré."), "success")
        return redirect(url_for(".edit", key=key, number=number))
    category_form = CategoryForm()
    category_form.parent.choices = _category_choices(v, top=_("(premier niveau)"))
    return render_template(
        "referentiels/edit.html", v=v, ref=v.referentiel, form=form,
        category_form=category_form, confirm=ConfirmForm(), sections=_sections(v),
        parent_choices={cat.id: _category_choices(v, exclude=cat, top=_("(premier niveau)"))
                        for cat in v.categories},
        parent_ids={c.parent_id for c in v.categories if c.parent_id is not None},
        languages=[(lang, _language_name(lang)) for lang in _translation_languages(v)],
    ), 400 if form.errors else 200


@bp.route("/referentiels/<key>/v<int:number>/categories", methods=["POST"])
@staff_required()
def add_category(key: str, number: int) -> Any:
    """Add a category to a draft."""
    v = _editable_version(key, number)
    form = CategoryForm()
    form.parent.choices = _category_choices(v, top="-")
    if not form.validate_on_submit():
        if form.parent.errors:
            raise UserError(_("Catégorie parente inconnue."))
        raise UserError(_("Le libellé de la catégorie est obligatoire."))
    db = get_session()
    service.add_category(db, v, label=form.label.data or "", code=form.code.data or "",
                         parent_id=_int_or_none(form.parent.data))
    db.commit()
    return redirect(url_for(".edit", key=key, number=number))


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        abort(400)


def _category(version: ReferentielVersion, category_id: int) -> Any:
    cat = next((c for c in version.categories if c.id == category_id), None)
    if cat is None:
        abort(404)
    return cat


@bp.route("/referentiels/<key>/v<int:number>/categories/<int:category_id>",
          methods=["POST"])
@staff_required()
def category(key: str, number: int, category_id: int) -> Any:
    """Rename, move (up, down, under another category) or remove a category of a draft."""
    v = _editable_version(key, number)
    cat = _category(v, category_id)
    _confirm()
    db = get_session()
    action = request.form.get("action", "rename")
    if action == "delete":
        service.delete_category(db, cat)
    elif action in {"up", "down"}:
        service.move_category(db, cat, -1 if action == "up" else 1)
    elif action == "parent":
        service.set_category_parent(db, cat, _int_or_none(request.form.get("parent")))
    else:
        service.update_category(
            db, cat, label=request.form.get("label", ""),
            code=request.form.get("code", cat.code),
            translations={lang: request.form.get(f"tr-{lang}-label", "")
                          for lang in _translation_languages(v)
                          if f"tr-{lang}-label" in request.form},
        )
    db.commit()
    return redirect(url_for(".edit", key=key, number=number))


@bp.route("/referentiels/<key>/v<int:number>/competences/new", methods=["GET", "POST"])
@bp.route("/referentiels/<key>/v<int:number>/competences/<int:competence_id>/edit",
          methods=["GET", "POST"])
@staff_required()
def competence(key: str, number: int, competence_id: int | None = None) -> Any:
    """Add or edit one competence of a draft (levels 0–5, pictogram, recruiter words)."""
    v = _editable_version(key, number)
    comp = _competence(v, competence_id) if competence_id is not None else None
    if v.is_published:
        raise UserError(_("Cette version est publiée : elle ne peut plus être modifiée."), 409)
    form = CompetenceForm(formdata=request.form if request.method == "POST" else None)
    form.category.choices = _category_choices(v, top=_("(aucune)"))
    pictos = service.shipped_pictograms()
    form.pictogram.choices = [("", _("(aucun)"))] + [(p, p) for p in pictos]
    if comp is not None and comp.pictogram and comp.pictogram not in pictos:
        form.pictogram.choices.append((comp.pictogram, _("Pictogramme envoyé")))
    if request.method == "GET" and comp is not None:
        form.code.data, form.label.data = comp.code, comp.label
        form.description.data = comp.description
        form.category.data = str(comp.category_id or "")
        form.pictogram.data = comp.pictogram or ""
        for lv in comp.grid_levels():
            getattr(form, f"level_{int(lv['score'])}").data = lv.get("description", "")
        form.esco_uri.data = next((lk["uri"] for lk in comp.links if lk["kind"] == "esco"), "")
        form.rome_code.data = next((lk["code"] for lk in comp.links if lk["kind"] == "rome"), "")
    languages = _translation_languages(v)
    error = None
    if request.method == "POST" and form.validate():
        db = get_session()
        pictogram = form.pictogram.data or None
        upload = request.files.get("upload")
        if upload is not None and upload.filename:
            pictogram = service.save_pictogram(
                db, upload.stream.read(service.MAX_PICTOGRAM_BYTES + 1)
            )
        data = service.CompetenceInput(
            code=form.code.data or "", label=form.label.data or "",
            description=form.description.data or "",
            category_id=int(form.category.data) if form.category.data else None,
            pictogram=pictogram,
            grid_levels=[getattr(form, f).data or "" for f in LEVEL_FIELDS],
            esco_uri=form.esco_uri.data or "", rome_code=form.rome_code.data or "",
            translations={
                lang: service.TranslationInput(
                    label=request.form.get(f"tr-{lang}-label", ""),
                    description=request.form.get(f"tr-{lang}-description", ""),
                    levels=[request.form.get(f"tr-{lang}-level-{n}", "") for n in range(6)],
                )
                for lang in languages
            },
        )
        try:
            if comp is None:
                service.add_competence(db, v, data)
            else:
                service.update_competence(db, comp, data)
        except UserError as exc:
            if exc.status == 409:
                raise
            db.rollback()
            error = exc.message
        else:
            db.commit()
            flash(_("Compétence enregistrée."), "success")
            return redirect(url_for(".edit", key=key, number=number))
    return render_template(
        "referentiels/competence_form.html", v=v, ref=v.referentiel, form=form, comp=comp,
        scale=case.BADGER_SCALE, translations=_translation_blocks(languages, comp),
        error=error,
    ), 400 if (form.errors or error) else 200


def _translation_languages(v: ReferentielVersion) -> list[str]:
    """The interface languages, those the référentiel already uses, one added with ``?lang=``
    and those a posted form carries."""
    from flask import current_app

    langs = service.translation_languages(v, tuple(current_app.config["BADGER_LANGUAGES"]))
    asked = [request.args.get("lang", "").strip().lower()]
    asked += [k.split("-")[1] for k in request.form if k.startswith("tr-") and
              k.endswith("-label") and k.count("-") == 2]
    for lang in asked:
        if service.LANG_RE.match(lang) and lang != v.language and lang not in langs:
            langs.append(lang)
    return langs


def _language_name(code: str) -> str:
    from babel import Locale, UnknownLocaleError

    from badger.i18n import current_language

    try:
        name = Locale.parse(current_language()).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return str(name or code)


def _translation_blocks(languages: list[str], comp: Competence | None) -> list[dict[str, Any]]:
    """What the translation fieldsets show: posted values, else the stored translation."""
    out = []
    for lang in languages:
        stored = ((comp.translations or {}).get(lang) or {}) if comp is not None else {}
        levels = {int(float(lv["score"])): lv.get("description", "")
                  for lv in stored.get("levels") or []}
        names = case.BADGER_SCALE_NAMES.get(lang) or [n for _s, n in case.BADGER_SCALE]
        if request.method == "POST":
            label = request.form.get(f"tr-{lang}-label", "")
            description = request.form.get(f"tr-{lang}-description", "")
            texts = [request.form.get(f"tr-{lang}-level-{n}", "") for n in range(6)]
        else:
            label, description = stored.get("label", ""), stored.get("description", "")
            texts = [levels.get(n, "") for n in range(6)]
        out.append({"lang": lang, "name": _language_name(lang), "label": label,
                    "names_lang": lang if lang in case.BADGER_SCALE_NAMES else "fr",
                    "description": description, "levels": list(zip(texts, names, strict=True))})
    return out


@bp.route("/referentiels/<key>/v<int:number>/competences/<int:competence_id>/move",
          methods=["POST"])
@staff_required()
def move(key: str, number: int, competence_id: int) -> Any:
    """Move a competence up or down."""
    v = _editable_version(key, number)
    comp = _competence(v, competence_id)
    _confirm()
    db = get_session()
    service.move_competence(db, comp, -1 if request.form.get("direction") == "up" else 1)
    db.commit()
    return redirect(url_for(".edit", key=key, number=number) + f"#c{comp.id}")


@bp.route("/referentiels/<key>/v<int:number>/competences/<int:competence_id>/delete",
          methods=["POST"])
@staff_required()
def delete(key: str, number: int, competence_id: int) -> Any:
    """Remove a competence from a draft."""
    v = _editable_version(key, number)
    comp = _competence(v, competence_id)
    _confirm()
    db = get_session()
    service.delete_competence(db, comp)
    db.commit()
    flash(_("Compétence retirée."), "success")
    return redirect(url_for(".edit", key=key, number=number))


@bp.route("/referentiels/<key>/v<int:number>/publish", methods=["POST"])
@staff_required()
def publish(key: str, number: int) -> Any:
    """Publish a draft: from now on it never changes."""
    v = _editable_version(key, number)
    _confirm()
    db = get_session()
    service.publish_version(db, v)
    db.commit()
    flash(_("Version publiée. Son adresse est permanente."), "success")
    return redirect(url_for(".version", key=key, number=number))


@bp.route("/referentiels/<key>/v<int:number>/discard", methods=["POST"])
@staff_required()
def discard(key: str, number: int) -> Any:
    """Delete a draft."""
    v = _editable_version(key, number)
    _confirm()
    db = get_session()
    service.delete_draft(db, v)
    db.commit()
    flash(_("Brouillon supprimé."), "success")
    return redirect(url_for(".browse"))


@bp.route("/referentiels/<key>/new-version", methods=["POST"])
@staff_required()
def new_version(key: str) -> Any:
    """Open a new draft copied from the latest published version."""
    db = get_session()
    referentiel = service.get_referentiel(db, key)
    if referentiel is None or referentiel.latest_published is None:
        abort(404)
    if not service.can_edit(current_user, referentiel):
        abort(403)
    _confirm()
    v = service.new_version(db, referentiel)
    db.commit()
    return redirect(url_for(".edit", key=key, number=v.number))


@bp.route("/referentiels/<key>/v<int:number>/derive", methods=["GET", "POST"])
@staff_required()
def derive(key: str, number: int) -> Any:
    """Start my own référentiel from this one, keeping links to the source competences."""
    v = _visible_version(key, number)
    if not v.is_published:
        abort(404)
    form = DeriveForm()
    form.owner.choices = _owner_choices()
    if not form.owner.choices:
        abort(403)
    if request.method == "GET":
        form.title.data = _("%(t)s (adapté)", t=v.title)
    if form.validate_on_submit():
        db = get_session()
        owner = _owner_kwargs(form.owner.data or "", form.owner.choices)
        new = service.derive(
            db, v, title=form.title.data or "", key=form.key.data or "",
            creator=_owner_name(form.owner.data or ""), **owner,
        )
        db.commit()
        flash(_("Référentiel dérivé créé en brouillon."), "success")
        return redirect(url_for(".edit", key=new.referentiel.key, number=new.number))
    return render_template("referentiels/derive.html", v=v, form=form), (
        400 if form.errors else 200
    )


@bp.route("/referentiels/<key>/v<int:number>/adopt", methods=["POST"])
@staff_required("admin")
def adopt(key: str, number: int) -> Any:
    """Adopt this published version for my organisation (pinned)."""
    v = _visible_version(key, number)
    _confirm()
    db = get_session()
    service.adopt(db, g.organisation.id, v, current_user.id)
    db.commit()
    flash(_("Version %(n)s adoptée par votre organisation.", n=v.number), "success")
    return redirect(url_for(".version", key=key, number=number))


@bp.route("/referentiels/adoptions/<int:adoption_id>/upgrade", methods=["GET", "POST"])
@staff_required("admin")
def upgrade(adoption_id: int) -> Any:
    """Move my organisation's adoption to a newer published version, after seeing the diff."""
    from badger.db import get_or_404

    db = get_session()
    adoption = get_or_404(db, Adoption, adoption_id)
    current = adoption.version
    newer = [v for v in adoption.referentiel.versions
             if v.is_published and v.number > current.number]
    form = UpgradeForm()
    form.version.choices = [(str(v.number), _("Version %(n)s", n=v.number)) for v in newer]
    if form.validate_on_submit():
        chosen = next(v for v in newer if str(v.number) == form.version.data)
        service.upgrade_adoption(db, adoption, chosen)
        db.commit()
        flash(_("Adoption mise à niveau : version %(n)s. Les grilles et les badges existants "
                "restent sur la version %(old)s.", n=chosen.number, old=current.number),
              "success")
        return redirect(url_for(".version", key=adoption.referentiel.key, number=chosen.number))
    # The diff shown is always the one of the version the form confirms.
    wanted = form.version.data if request.method == "POST" else request.args.get("to")
    target = next((v for v in newer if str(v.number) == wanted), newer[-1] if newer else None)
    if target is not None:
        form.version.data = str(target.number)
    d = service.diff(current, target) if target is not None else None
    impact = service.upgrade_impact(db, adoption.organisation_id, current)
    return render_template("referentiels/upgrade.html", adoption=adoption, form=form,
                           newer=newer, target=target, current=current, d=d, impact=impact,
                           ), 400 if form.errors else 200
