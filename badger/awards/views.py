"""Awards UI (badge definitions, proposals, bulk award, CSV, claims, revocation) and the
public issuer endpoints (blueprint ``issuer``: no login, cacheable, CORS-open)."""

from __future__ import annotations

import hashlib
from typing import Any

import segno
from babel import Locale, UnknownLocaleError
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from badger import urls
from badger import verification as vservice
from badger.accounts.models import Participant
from badger.awards import documents, jobs, service
from badger.awards.keys import issuer_keys
from badger.awards.models import (
    CLAIM_PENDING,
    Achievement,
    AchievementTranslation,
    AwardJob,
    Claim,
    Credential,
    StatusList,
)
from badger.db import get_or_404, get_session, unscoped
from badger.errors import UserError
from badger.i18n import current_language
from badger.networks.models import Organisation
from badger.networks.service import active_endorsements
from badger.ob3 import model
from badger.ob3.keys import KeyAlgorithm
from badger.public import (
    JSONLD,
    PUBLIC_CACHE,
    VC_JSON,
    json_document,
    status_list_document,
    wants_html,
)
from badger.resolver import app_resolver
from badger.security import limiter, participant_required, staff_required

bp = Blueprint("awards", __name__)
issuer_bp = Blueprint("issuer", __name__)



def init_app(app: Flask) -> None:
    app.register_blueprint(issuer_bp)


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _claim_limit() -> str:
    return str(current_app.config["BADGER_LOGIN_RATE_LIMIT"])


# --------------------------------------------------------------------------- badge definitions


MAX_FORM_TRANSLATIONS = service.MAX_TRANSLATIONS + 1


def _translations_from_form() -> list[service.TranslationInput] | None:
    """The form's language blocks (``tr-<i>-…``); None when the form sent none at all."""
    form = request.form
    if not any(key.startswith("tr-") for key in form):
        return None
    out = []
    for i in range(MAX_FORM_TRANSLATIONS):
        if f"tr-{i}-language" not in form:
            continue
        language = form.get(f"tr-{i}-language", "").strip()[:35]
        if form.get(f"tr-{i}-remove"):
            out.append(service.TranslationInput(language=language))
            continue
        out.append(service.TranslationInput(
            language=language,
            name=form.get(f"tr-{i}-name", ""),
            description=form.get(f"tr-{i}-description", ""),
            criteria=form.get(f"tr-{i}-criteria", ""),
            image_alt=form.get(f"tr-{i}-image_alt", ""),
        ))
    return out


def language_name(code: str, *, own: bool = False) -> str:
    """A language's name in the interface language ("anglais", "English"), or in itself
    (``own``: "English", "español", for language links); else its code."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
        name = locale.get_display_name(locale if own else (get_locale() or "fr"))
    except (ValueError, UnknownLocaleError):
        return code
    return str(name) if name else code


def _suggested_language(main: str, taken: set[str]) -> str:
    for lang in current_app.config["BADGER_LANGUAGES"]:
        if lang != main and lang not in taken:
            return str(lang)
    return ""


def _translation_blocks(ach: Achievement | None) -> list[dict[str, Any]]:
    """What the form's language blocks show: the stored translations (or what was just sent)
    and one empty block to add a language."""
    main = (request.form.get("language") if request.method == "POST" else None) or (
        ach.language if ach else "fr")
    stored = {t.language for t in service.translations_of(get_session(), ach)} if ach else set()
    sent = _translations_from_form() if request.method == "POST" else None
    blocks: list[dict[str, Any]] = []
    if sent is not None:
        for tr in sent:
            if tr.is_empty() and tr.language not in stored:
                continue
            blocks.append({"language": tr.language, "name": tr.name,
                           "description": tr.description, "criteria": tr.criteria,
                           "image_alt": tr.image_alt, "stored": tr.language in stored})
    elif ach is not None:
        for row in service.translations_of(get_session(), ach):
            blocks.append({"language": row.language, "name": row.name,
                           "description": row.description, "criteria": row.criteria_narrative,
                           "image_alt": row.image_alt, "stored": True})
    taken = {b["language"] for b in blocks}
    if len(blocks) < service.MAX_TRANSLATIONS:
        blocks.append({"language": _suggested_language(main, taken), "name": "",
                       "description": "", "criteria": "", "image_alt": "", "stored": False})
    return blocks


def _input_from_form(competence_id: int) -> service.AchievementInput:
    form = request.form
    upload = request.files.get("image")
    data = upload.read() if upload and upload.filename else None
    return service.AchievementInput(
        competence_id=competence_id,
        name=form.get("name", ""),
        description=form.get("description", ""),
        criteria=form.get("criteria", ""),
        min_level=_int(form.get("min_level"), 3) or 0,
        validity_days=_int(form.get("validity_days")) if form.get("validity_days") else None,
        achievement_type=form.get("achievement_type", "Competency") or "Competency",
        language=form.get("language", "fr") or "fr",
        tags=[t for t in form.get("tags", "").split(",") if t.strip()],
        image_alt=form.get("image_alt", ""),
        upload_png=data,
        pictogram=form.get("pictogram") or None,
        translations=_translations_from_form(),
    )


@bp.route("/admin/badges")
@staff_required()
def achievements() -> Any:
    """The organisation's badge definitions."""
    db = get_session()
    rows = db.scalars(select(Achievement).order_by(Achievement.name)).all()
    counts = dict(db.execute(
            select(Credential.achievement_id, func.count()).group_by(
                Credential.achievement_id
            )
        ).all())
    from badger.grids.models import GroupSession

    sessions = db.scalars(
        select(GroupSession).order_by(GroupSession.held_on.desc(), GroupSession.id.desc())
        .limit(10)
    ).all()
    languages: dict[int, list[str]] = {a.id: [a.language] for a in rows}
    for t in db.scalars(select(AchievementTranslation).order_by(AchievementTranslation.language)):
        languages.setdefault(t.achievement_id, []).append(t.language)
    return render_template("awards/achievements.html", achievements=rows, counts=counts,
                           sessions=sessions, languages=languages, language_name=language_name)


@bp.route("/admin/issuer", methods=["GET", "POST"])
@staff_required("admin")
def issuer_settings() -> Any:
    """How the organisation names itself in what it signs from now on (https, did:web,
    did:key)."""
    db = get_session()
    org = db.get(Organisation, g.organisation.id)
    assert org is not None
    status, error = 200, None
    if request.method == "POST":
        try:
            service.set_issuer_identifier(db, org, request.form.get("kind", ""),
                                          actor=current_user)
        except UserError as exc:
            db.rollback()
            error, status = str(exc.message), exc.status
        else:
            db.commit()
            flash(_("Choix enregistré : les prochains badges seront signés ainsi."), "success")
            return redirect(url_for("awards.issuer_settings"))
    keys = _org_keys(org)
    ids = {"https": urls.issuer_url(org), "did:web": urls.did_web(org),
           "did:key": documents.did_key(keys)}
    return render_template("awards/issuer_settings.html", org=org, ids=ids, error=error,
                           kind=documents.kind_of(org),
                           https_base=urls.base_url().startswith("https://")), status


@bp.route("/admin/badges/new", methods=["GET", "POST"])
@staff_required("admin")
def achievement_new() -> Any:
    """Create a badge on a competence of an adopted référentiel."""
    db = get_session()
    competences = service.adoptable_competences(db, g.organisation.id)
    error = None
    status = 200
    if request.method == "POST":
        try:
            ach = service.create_achievement(
                db, g.organisation, _input_from_form(_int(request.form.get("competence_id"), 0)
                                                     or 0), actor=current_user)
        except UserError as exc:
            db.rollback()
            error, status = str(exc.message), exc.status
        else:
            db.commit()
            flash(_("Badge créé."), "success")
            return redirect(url_for("awards.achievement_edit", achievement_id=ach.id))
    chosen = _int(request.args.get("competence_id") or request.form.get("competence_id"))
    suggestion = ""
    for c in competences:
        if c.id == chosen:
            suggestion = service.default_criteria(c, _int(request.form.get("min_level"), 3) or 3)
    return render_template(
        "awards/achievement_form.html", achievement=None, competences=competences,
        error=error, form=request.form, suggestion=suggestion, chosen=chosen,
        types=sorted(model.ACHIEVEMENT_TYPES), translations=_translation_blocks(None),
        language_name=language_name,
    ), status


@bp.route("/admin/badges/<int:achievement_id>/edit", methods=["GET", "POST"])
@staff_required("admin")
def achievement_edit(achievement_id: int) -> Any:
    """Edit texts, validity and image of a badge."""
    db = get_session()
    ach = get_or_404(db, Achievement, achievement_id)
    error = None
    status = 200
    if request.method == "POST":
        try:
            service.update_achievement(db, ach, g.organisation,
                                       _input_from_form(ach.competence_id), actor=current_user)
        except UserError as exc:
            db.rollback()
            error, status = str(exc.message), exc.status
            ach = get_or_404(db, Achievement, achievement_id)
        else:
            db.commit()
            flash(_("Badge enregistré."), "success")
            return redirect(url_for("awards.achievement_edit", achievement_id=ach.id))
    return render_template(
        "awards/achievement_form.html", achievement=ach, competences=[], error=error,
        form=request.form if request.method == "POST" else None, suggestion="", chosen=None,
        types=sorted(model.ACHIEVEMENT_TYPES), translations=_translation_blocks(ach),
        language_name=language_name,
    ), status


@bp.route("/admin/badges/<int:achievement_id>/preview.png")
@staff_required()
def achievement_preview(achievement_id: int) -> Any:
    ach = get_or_404(get_session(), Achievement, achievement_id)
    return Response(ach.image_png, mimetype="image/png",
                    headers={"Cache-Control": "private, no-cache"})


# --------------------------------------------------------------------------- proposals / bulk


@bp.route("/admin/awards", methods=["GET", "POST"])
@staff_required()
def proposals() -> Any:
    """Validated competences ready for their badge; tick and award in one confirmation."""
    db = get_session()
    props = service.proposals(db, g.organisation.id)
    results = None
    if request.method == "POST":
        chosen = set(request.form.getlist("proposal"))
        picked = [p for p in props if f"{p.validated.id}:{p.achievement.id}" in chosen
                  and p.validated.status == "consented"]
        if not picked:
            flash(_("Cochez au moins une proposition acceptée par le participant."), "error")
            return redirect(url_for("awards.proposals"))
        results = []
        for p in picked:
            results += service.award_many(
                db, g.organisation, p.achievement,
                [service.AwardRequest(participant_id=p.participant.id, level=p.validated.level,
                                      validated_competence_id=p.validated.id,
                                      observation=str((p.validated.evidence or {}).get(
                                          "observations") or ""))],
                actor=current_user,
                group=p.validated.round.session if p.validated.round else None,
            )
        db.commit()
        return render_template("awards/bulk_result.html", results=results, achievement=None,
                               back=url_for("awards.proposals"))
    return render_template("awards/proposals.html", proposals=props)


def _bulk_achievements(gs: Any) -> list[Achievement]:
    db = get_session()
    rows = db.scalars(
        select(Achievement).where(Achievement.active.is_(True)).order_by(Achievement.name)
    ).all()
    ids = set(gs.competence_ids or [])
    preferred = [a for a in rows if a.competence_id in ids]
    return preferred or list(rows)


@bp.route("/admin/sessions/<int:session_id>/award", methods=["GET", "POST"])
@staff_required()
def bulk_award(session_id: int) -> Any:
    """After a session: tick participants, choose a badge, confirm once (idempotent)."""
    from badger.grids.models import GroupSession, ValidatedCompetence

    db = get_session()
    gs = get_or_404(db, GroupSession, session_id)
    achs = _bulk_achievements(gs)
    if request.method == "POST":
        ach = get_or_404(db, Achievement, _int(request.form.get("achievement_id"), 0))
        ids = [i for i in (_int(x) for x in request.form.getlist("participant")) if i]
        if not ids:
            flash(_("Cochez au moins un participant."), "error")
            return redirect(url_for("awards.bulk_award", session_id=gs.id))
        level = _int(request.form.get("level"))
        observation = request.form.get("observation", "")
        vcs = {
            vc.participant_id: vc
            for vc in db.scalars(
                select(ValidatedCompetence).where(
                    ValidatedCompetence.competence_id == ach.competence_id,
                    ValidatedCompetence.participant_id.in_(ids),
                    ValidatedCompetence.status != "declined",
                )
            )
            if vc.round is not None and vc.round.session_id == gs.id
        }
        requests = [
            service.AwardRequest(
                participant_id=pid,
                level=level if level is not None else (vcs[pid].level if pid in vcs else None),
                narrative=request.form.get(f"narrative-{pid}", ""),
                validated_competence_id=vcs[pid].id if pid in vcs else None,
                observation=observation,
            )
            for pid in ids
        ]
        if len(requests) > jobs.sync_limit(current_app):
            return _start_job(ach, requests, group=gs)
        results = _award_with_retry(ach, requests, group=gs)
        return render_template("awards/bulk_result.html", results=results, achievement=ach,
                               back=url_for("awards.bulk_award", session_id=gs.id))
    awarded = {
        (c.participant_id, c.achievement_id)
        for c in db.scalars(select(Credential).where(
            Credential.participant_id.in_([p.id for p in gs.participants])))
    }
    return render_template("awards/bulk.html", gs=gs, achievements=achs, awarded=awarded)


def _award_with_retry(ach: Achievement, requests: list[service.AwardRequest], *,
                      group: Any = None) -> list[service.RowResult]:
    """One transaction; a concurrent double submit that wins the race makes ours retry once,
    and the retry then reports those rows as already awarded."""
    db = get_session()
    for attempt in (1, 2):
        try:
            results = service.award_many(db, g.organisation, ach, requests, actor=current_user,
                                         group=group)
            db.commit()
            return results
        except IntegrityError:
            db.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _start_job(ach: Achievement, requests: list[service.AwardRequest], *,
               group: Any = None) -> Any:
    """A long batch: recorded, run in the background, followed on its progress page."""
    db = get_session()
    job = jobs.start(current_app, db, g.organisation, ach, requests, actor=current_user,
                     group=group)
    db.commit()
    jobs.launch(current_app._get_current_object(), job.id,  # type: ignore[attr-defined]
                requests, current_user.id)
    return redirect(url_for("awards.job", job_id=job.id), 303)


@bp.route("/admin/awards/jobs/<int:job_id>")
@staff_required()
def job(job_id: int) -> Any:
    """Progress of a long batch (the page refreshes itself while the job runs); an interrupted
    job says so and offers to resume it. "Held" is counted from the credentials."""
    db = get_session()
    row = get_or_404(db, AwardJob, job_id)
    status, held = jobs.state(row), jobs.held_count(db, row)
    if request.accept_mimetypes.best == "application/json":
        return {"status": status, "done": len(row.results), "total": row.total, "held": held}
    needs_file = sum(1 for e in row.plan if e.get("address"))
    return render_template("awards/job.html", job=row, status=status, held=held,
                           needs_file=needs_file,
                           stale_minutes=int(jobs.STALE_AFTER.total_seconds() // 60))


@bp.route("/admin/awards/jobs/<int:job_id>/resume", methods=["POST"])
@staff_required()
def job_resume(job_id: int) -> Any:
    """Resume an interrupted job: rows without an address are awarded (idempotently), rows
    that carried one are marked "send the file again" (addresses are never stored)."""
    db = get_session()
    row = get_or_404(db, AwardJob, job_id)
    rows = jobs.resume(db, row, actor=current_user)
    db.commit()
    jobs.launch(current_app._get_current_object(), row.id,  # type: ignore[attr-defined]
                [req for _, req in rows], current_user.id, rows=[i for i, _ in rows])
    flash(_("Attribution reprise."), "success")
    return redirect(url_for("awards.job", job_id=row.id), 303)


@bp.route("/admin/badges/<int:achievement_id>/csv", methods=["GET", "POST"])
@staff_required()
def csv_award(achievement_id: int) -> Any:
    """CSV bulk award: one row per participant (narrative per row), dry run first."""
    db = get_session()
    ach = get_or_404(db, Achievement, achievement_id)
    if request.method == "GET":
        return render_template("awards/csv.html", achievement=ach, plan=None, text="")
    upload = request.files.get("file")
    text = (upload.read().decode("utf-8-sig", errors="replace") if upload and upload.filename
            else request.form.get("csv_text", ""))
    try:
        rows = service.parse_csv(text)
        plan = service.plan_csv(db, g.organisation, ach, rows)
    except UserError as exc:
        return render_template("awards/csv.html", achievement=ach, plan=None, text=text,
                               error=str(exc.message)), exc.status
    if request.form.get("confirm") != "1":
        return render_template("awards/csv.html", achievement=ach, plan=plan, text=text)
    requests = [r.request for r in plan if r.plan in {"issue", "claim"} and r.request]
    if len(requests) > jobs.sync_limit(current_app):
        return _start_job(ach, requests)
    results = _award_with_retry(ach, requests)
    return render_template("awards/bulk_result.html", results=results, achievement=ach,
                           back=url_for("awards.csv_award", achievement_id=ach.id))


# --------------------------------------------------------------------------- credentials (staff)


@bp.route("/admin/credentials")
@staff_required()
def credentials() -> Any:
    db = get_session()
    rows = db.scalars(select(Credential).order_by(Credential.awarded_at.desc()).limit(500)).all()
    return render_template("awards/credentials.html", credentials=rows)


@bp.route("/admin/credentials/<int:credential_id>")
@staff_required()
def credential_detail(credential_id: int) -> Any:
    db = get_session()
    cred = get_or_404(db, Credential, credential_id)
    claim = db.execute(select(Claim).where(Claim.credential_id == cred.id)).scalar_one_or_none()
    return render_template("awards/credential_detail.html", cred=cred, claim=claim,
                           credential_id_url=urls.credential_url(cred.uuid))


def _admin_action(credential_id: int, action: str) -> Any:
    db = get_session()
    cred = get_or_404(db, Credential, credential_id)
    reason = request.form.get("reason", "")
    try:
        if action == "revoke":
            service.revoke(db, cred, reason, actor=current_user)
            message = _("Badge retiré. La liste de statut est mise à jour.")
        elif action == "suspend":
            service.suspend(db, cred, reason, actor=current_user)
            message = _("Badge suspendu : il n'est plus valable tant que la suspension dure. "
                        "La liste de statut est mise à jour.")
        elif action == "unsuspend":
            service.unsuspend(db, cred, actor=current_user)
            message = _("Suspension levée : le badge est réémis. Les fichiers téléchargés avant la "
                        "suspension ne sont plus valables.")
        else:
            service.reissue(db, cred, actor=current_user)
            message = _("Badge réémis (même identifiant, même date d'attribution).")
    except UserError as exc:
        db.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("awards.credential_detail", credential_id=credential_id)), 303
    db.commit()
    flash(message, "success")
    return redirect(url_for("awards.credential_detail", credential_id=credential_id)), 303


@bp.route("/admin/credentials/<int:credential_id>/revoke", methods=["POST"])
@staff_required("admin")
def revoke(credential_id: int) -> Any:
    return _admin_action(credential_id, "revoke")


@bp.route("/admin/credentials/<int:credential_id>/suspend", methods=["POST"])
@staff_required("admin")
def suspend(credential_id: int) -> Any:
    return _admin_action(credential_id, "suspend")


@bp.route("/admin/credentials/<int:credential_id>/unsuspend", methods=["POST"])
@staff_required("admin")
def unsuspend(credential_id: int) -> Any:
    return _admin_action(credential_id, "unsuspend")


@bp.route("/admin/credentials/<int:credential_id>/reissue", methods=["POST"])
@staff_required("admin")
def reissue(credential_id: int) -> Any:
    return _admin_action(credential_id, "reissue")


def _claim_page(cred: Credential, code: str) -> Any:
    url = url_for("awards.redeem", code=code, _external=True)
    qr_svg = segno.make(url, error="m").svg_inline(scale=5, title=_("Code QR pour récupérer le "
                                                                    "badge"))
    return render_template("awards/claim_print.html", cred=cred, code=code, qr_svg=qr_svg,
                           redeem_url=url_for("awards.redeem", _external=True))


@bp.route("/admin/credentials/<int:credential_id>/claim", methods=["POST"])
@staff_required()
def claim_code(credential_id: int) -> Any:
    """A new printable claim code (the previous one stops working)."""
    db = get_session()
    cred = get_or_404(db, Credential, credential_id)
    code = service.renew_claim(db, cred, actor=current_user)
    db.commit()
    return _claim_page(cred, code)


FORMATS = {
    "json": ("signed_json", VC_JSON, "json"),
    "jwt": ("signed_jwt", "text/plain", "jwt"),
    "png": ("baked_png", "image/png", "png"),
    "svg": ("baked_svg", "image/svg+xml", "svg"),
}


def _download(cred: Credential, fmt: str) -> Response:
    attr, mimetype, ext = FORMATS[fmt]
    body = getattr(cred, attr)
    if body is None:
        abort(404)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="badge-{cred.uuid}.{ext}"',
        "Cache-Control": "private, no-store",
    })


@bp.route("/admin/credentials/<int:credential_id>/file.<any(json, jwt, png, svg):fmt>")
@staff_required()
def credential_file(credential_id: int, fmt: str) -> Any:
    return _download(get_or_404(get_session(), Credential, credential_id), fmt)


# --------------------------------------------------------------------------- participant


@bp.route("/me/badges", methods=["GET", "POST"])
@participant_required
def my_offers() -> Any:
    """Badges proposed to me (accept / decline) and the badges I hold."""
    db = get_session()
    error = None
    status = 200
    if request.method == "POST":
        vc_id = _int(request.form.get("validated_competence_id"), 0) or 0
        ach_id = _int(request.form.get("achievement_id"), 0) or 0
        accept = request.form.get("decision") == "accept"
        try:
            service.consent(db, current_user, vc_id, ach_id, accept=accept,
                            email=request.form.get("email"), phone=request.form.get("phone"),
                            did=request.form.get("did"),
                            attach_chart=request.form.get("attach_chart") == "1")
        except UserError as exc:
            db.rollback()
            error, status = str(exc.message), exc.status
        else:
            db.commit()
            flash(_("Badge reçu. Il est privé tant que vous ne le rendez pas public.") if accept
                  else _("C'est noté : ce badge ne sera pas émis."), "success")
            return redirect(url_for("awards.my_offers"), 303)
    props = service.proposals(db, current_user.organisation_id, current_user.id)
    held = db.scalars(select(Credential).where(Credential.participant_id == current_user.id)
                      .order_by(Credential.awarded_at.desc())).all()
    return render_template("awards/my_offers.html", proposals=props, held=held, error=error,
                           has_identity=bool(current_user.email or current_user.phone)), status


@bp.route("/me/badges/<int:credential_id>/file.<any(json, jwt, png, svg):fmt>")
@participant_required
def my_file(credential_id: int, fmt: str) -> Any:
    cred = get_or_404(get_session(), Credential, credential_id)
    if cred.participant_id != current_user.id:
        abort(404)
    return _download(cred, fmt)


@bp.route("/claim", methods=["GET", "POST"])
@bp.route("/claim/<code>", methods=["GET"])
@limiter.limit(_claim_limit, methods=["POST"])
def redeem(code: str | None = None) -> Any:
    """Redeem a claim code: bind an e-mail, a phone or a wallet DID; the badge is issued."""
    db = get_session()
    error = None
    status = 200
    if request.method == "POST":
        code = request.form.get("code", "")
        kind = request.form.get("kind", "email")
        value = request.form.get("value", "")
        try:
            cred = service.redeem_claim(
                db, code,
                email=value if kind == "email" else None,
                phone=value if kind == "phone" else None,
                did=value if kind == "did" else None,
            )
        except UserError as exc:
            db.rollback()
            error, status = str(exc.message), exc.status
        else:
            db.commit()
            return render_template("awards/claim_done.html", cred=cred)
    return render_template("awards/claim.html", code=code or "", error=error), status


# --------------------------------------------------------------------------- public endpoints


def _org_or_404(slug: str) -> Organisation:
    org = get_session().execute(
        select(Organisation).where(Organisation.slug == slug)
    ).scalar_one_or_none()
    if org is None:
        abort(404)
    return org


def _org_keys(org: Organisation) -> Any:
    keys = issuer_keys(org.slug, create=True)
    assert keys is not None
    return keys


@issuer_bp.route("/issuers/<slug>")
def issuer(slug: str) -> Any:
    """The issuer id: Profile + controller document (JSON-LD), or a page for browsers."""
    org = _org_or_404(slug)
    if wants_html():
        db = get_session()
        with unscoped(db):
            achs = db.scalars(select(Achievement).where(
                Achievement.organisation_id == org.id, Achievement.active.is_(True))
                .order_by(Achievement.name)).all()
        # who vouches for it: networks this server lists (recognition), others only claim
        endorsing = [m.network for m in org.memberships if m.endorsed_at is not None]
        return render_template(
            "awards/issuer.html", org=org, achievements=achs,
            issuer_id=urls.issuer_url(org),
            signs_as=documents.issuer_id(org, _org_keys(org)),
            kind=documents.kind_of(org),
            recognised=sorted(n.name for n in endorsing if n.listed),
            claimed=sorted(n.name for n in endorsing if not n.listed),
        ), 200, {"Vary": "Accept"}
    doc = documents.issuer_document(org, _org_keys(org))
    endorsements = active_endorsements(get_session(), org.id)
    if endorsements:
        doc["endorsement"] = endorsements
    return json_document(doc)


@issuer_bp.route("/issuers/<slug>/did.json")
def did_document(slug: str) -> Any:
    org = _org_or_404(slug)
    return json_document(documents.did_document(org, _org_keys(org)),
                          mimetype="application/did+ld+json")


@issuer_bp.route("/issuers/<slug>/jwks.json")
def issuer_jwks(slug: str) -> Any:
    org = _org_or_404(slug)
    return json_document(documents.jwks(org, _org_keys(org)), mimetype="application/jwk-set+json")


@issuer_bp.route("/issuers/<slug>/keys/<kid>")
def issuer_key(slug: str, kid: str) -> Any:
    """One public JWK (the VC-JWT ``kid`` URL; the 1EdTech validator fetches exactly this)."""
    org = _org_or_404(slug)
    for key in _org_keys(org).all:
        if key.key_id == kid:
            return json_document(documents.public_jwk(org, key), mimetype="application/jwk+json")
    abort(404)


@issuer_bp.route("/issuers/<slug>/multikeys/<kid>")
def issuer_multikey(slug: str, kid: str) -> Any:
    """One Ed25519 key as a Multikey document at its own, fragment-less URL: the
    ``verificationMethod`` of Data Integrity proofs signed as the https id since 0014."""
    org = _org_or_404(slug)
    for key in _org_keys(org).all:
        if key.key_id == kid and key.algorithm is KeyAlgorithm.ED25519:
            return json_document(documents.multikey_document(org, key))
    abort(404)


@issuer_bp.route("/.well-known/jwks.json")
def well_known_jwks() -> Any:
    """Every issuer's keys, each with ``iss`` (FACTS §4: multi-issuer platforms)."""
    db = get_session()
    orgs = db.scalars(select(Organisation).order_by(Organisation.id)).all()
    keys: list[dict[str, Any]] = []
    for org in orgs:
        ring = issuer_keys(org.slug, create=False)
        if ring is not None:
            keys += documents.jwks(org, ring)["keys"]
    return json_document({"keys": keys}, mimetype="application/jwk-set+json")


def _public_achievement(uuid: str) -> Achievement:
    db = get_session()
    ach = db.execute(select(Achievement).where(Achievement.uuid == uuid)
                     .execution_options(unscoped=True)).scalar_one_or_none()
    if ach is None:
        abort(404)
    return ach


@issuer_bp.route("/achievements/<uuid>")
def achievement(uuid: str) -> Any:
    """The OB 3.0 Achievement (JSON-LD) or its public page."""
    ach = _public_achievement(uuid)
    db = get_session()
    asked = request.args.get("lang", "").strip()[:35] or None
    if wants_html():
        # The visitor's interface language when the badge speaks it (or ?lang=), else the
        # badge's main language, marked with lang= on its texts.
        texts = service.achievement_texts(db, ach, asked or current_language())
        doc = service.achievement_json(db, ach, texts.language)
        languages = [ach.language, *(t.language for t in service.translations_of(db, ach))]
        return render_template(
            "awards/achievement_public.html", ach=ach, doc=doc, texts=texts,
            org=ach.organisation, languages=languages, language_name=language_name,
            image_lang=documents.image_language(ach, texts.language),
        ), 200, {"Vary": "Accept, Accept-Language, Cookie"}
    # JSON: the main language unless ?lang= names a translation; inLanguage always says which.
    doc = service.achievement_json(db, ach, asked)
    response = json_document({"@context": [model.VC2_CONTEXT, model.OB_CONTEXT], **doc})
    response.headers["Content-Language"] = str(doc.get("inLanguage") or ach.language)
    return response


@issuer_bp.route("/achievements/<uuid>/image.<any(png, svg):fmt>")
def achievement_image(uuid: str, fmt: str) -> Any:
    """The badge's picture; ``?lang=`` names a translation whose documents show it with the
    translated name (generated images; an uploaded picture, or an unknown language: the main
    image)."""
    ach = _public_achievement(uuid)
    image = service.badge_image(get_session(), ach,
                                request.args.get("lang", "").strip()[:35] or None)
    if fmt == "png":
        response = Response(image.png, mimetype="image/png")
    else:
        response = Response(image.svg, mimetype="image/svg+xml")
        response.headers["Content-Security-Policy"] = "default-src 'none'; img-src data:; " \
                                                      "style-src 'unsafe-inline'"
    if image.language:
        response.headers["Content-Language"] = image.language
    response.headers["Cache-Control"] = PUBLIC_CACHE
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    return response.make_conditional(request)


@issuer_bp.route("/status/<slug>/<any(revocation, suspension):purpose>/<int:number>")
def status_list(slug: str, purpose: str, number: int) -> Any:
    """The signed BitstringStatusListCredential (signed by the change itself: never writes)."""
    org = _org_or_404(slug)
    db = get_session()
    lst = db.execute(select(StatusList).where(
        StatusList.organisation_id == org.id, StatusList.purpose == purpose,
        StatusList.number == number).execution_options(unscoped=True)).scalar_one_or_none()
    if lst is None:
        abort(404)
    text, etag = lst.signed_document()
    return status_list_document(text, etag, lst.updated_at)


@issuer_bp.route("/credentials/<uuid>")
def credential(uuid: str) -> Any:
    """The credential at its id — only when its holder made it public (404 otherwise; 410 once
    its holder erased their data, saying so: the issuer did not withdraw it)."""
    db = get_session()
    cred = service.public_credential(db, uuid)
    if cred is None and service.holder_withdrawn(db, uuid):
        from badger.verification.messages import HOLDER_ERASED

        gone = jsonify(error="withdrawn_at_holder_request", message=str(HOLDER_ERASED))
        gone.status_code = 410
        return gone
    if cred is None:
        abort(404)
    if wants_html():
        return _credential_page(cred)
    accept = request.accept_mimetypes
    if accept["text/plain"] and accept["text/plain"] > max(accept[VC_JSON], accept[JSONLD],
                                                           accept["application/json"]):
        response = Response(cred.signed_jwt or "", mimetype="text/plain")
    else:
        response = Response(cred.signed_json or "", mimetype=VC_JSON)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Vary"] = "Accept"
    return response


def _credential_page(cred: Credential) -> Any:
    """A person opening the credential's id (a recruiter following LinkedIn's "see credential"
    link) gets a page, not raw JSON: the badge verified now, in plain words, as /verify tells
    it, with the files to download. Machines asking for JSON or JWT get the document."""
    resolver = app_resolver()
    report = vservice.verify_document(cred.signed_json or "", resolver, session=get_session())
    context = vservice.report_context(report, resolver)
    response = Response(render_template(
        "awards/credential_public.html", cred=cred, url=urls.credential_url(cred.uuid),
        **context))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@issuer_bp.route("/evidence/<token>.png")
def evidence_image(token: str) -> Any:
    """A grid chart its participant chose to attach to a badge (cited as Evidence): public,
    reached only through its unguessable token; 410 once the badge is revoked."""
    from badger.awards import evidence

    status, png = evidence.public_image(get_session(), token)
    if png is None:
        abort(status)
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = evidence.CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Robots-Tag"] = "noindex"
    response.set_etag(hashlib.sha256(png).hexdigest()[:32])
    return response.make_conditional(request)


@bp.app_template_global("credential_state_label")
def credential_state_label(cred: Credential) -> str:
    labels = {
        "revoked": _("Retiré"),
        "suspended": _("Suspendu"),
        CLAIM_PENDING: _("En attente de récupération"),
        "issued": _("Émis"),
    }
    return labels.get(cred.status_label, cred.status_label)


@bp.app_template_global("credential_versions")
def credential_versions(creds: list[Credential]) -> dict[int, service.CredentialVersion]:
    """Each issued credential's current version (the participant's re-issue notice)."""
    return service.credential_versions(get_session(), creds)


@bp.app_template_global("credential_texts")
def credential_texts(cred: Credential) -> documents.AchievementTexts:
    """A held badge's name and description as its credential is written, with their language
    (:func:`service.credential_texts`): the participant's pages name it this way."""
    return service.credential_texts(get_session(), cred)


@bp.app_template_global("offered_texts")
def offered_texts(ach: Achievement) -> documents.AchievementTexts:
    """A badge offered to the participant, in their interface language when it has that
    translation, else in its main language (the language its credential would be written in)."""
    return service.achievement_texts(get_session(), ach, current_language())


@bp.app_template_global("participant_name")
def participant_name(participant_id: int) -> str:
    db = get_session()
    p = db.execute(select(Participant).where(Participant.id == participant_id)
                   .execution_options(unscoped=True)).scalar_one_or_none()
    return p.display_name if p else "?"
