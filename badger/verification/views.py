"""The verify page for anyone, and the machine endpoints (W3C VC-API shape, file upload).

``GET/POST /verify``: drop a file, paste text or give a URL; the answer comes first in plain
words with a big pictogram, then every check (passed / failed / could not check). A bare
EndorsementCredential (a network recommending an organisation) is accepted everywhere here and
described as such ("Le réseau X recommande l'organisme Y").
``POST /credentials/verify``: VC-API, any Verifiable Credential (badges and endorsements get
every Open Badges check besides); 200 when verified, 422 with the report when a check failed
or could not be done, 400 when the body is not a verification request or the credential is not
a well-formed VC (its @context, type or data model).
``POST /api/verify``: a multipart file upload, or a compact JWS / JSON as the body.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from badger.db import get_session
from badger.errors import UserError
from badger.ob3 import Resolver, VerificationReport
from badger.ob3.report import ENDORSEMENT, VERIFIABLE_CREDENTIAL
from badger.resolver import app_resolver
from badger.security import csrf, limiter
from badger.verification import (
    credential_page,  # noqa: F401 - registers the credential page
    messages,
)
from badger.verification.description import describe, report_context
from badger.verification.forms import VerifyForm
from badger.verification.presentations import verify_presentation
from badger.verification.reading import MAX_VERIFY_BYTES, check_input, fetch_url
from badger.verification.schemas import BadRequest, PresentationRequest, VerifyRequest, load_json
from badger.verification.verifying import (
    VC_API_KINDS,
    unwrap_enveloped,
    verify_bytes,
    verify_document,
)

bp = Blueprint("verification", __name__)


def _verify_limit() -> str:
    return str(current_app.config["BADGER_VERIFY_RATE_LIMIT"])


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_verify_limit, methods=["POST"])
def verify_page() -> Any:
    """Check a badge: upload, paste or URL; plain answer first, every check below."""
    form = VerifyForm()
    context: dict[str, Any] = {"error": None, "details": None, "form": form}
    status = 200
    if request.method == "POST":
        text = (form.text.data or "").strip()
        url = (form.url.data or "").strip()
        form.text.data, form.url.data = text[:20000], url
        try:
            resolver = app_resolver()
            report = verify_bytes(_given(form.file.data, text, url, resolver), resolver,
                                  session=get_session())
        except UserError as exc:
            context["error"] = str(exc.message)
            context["details"] = exc.details
            status = exc.status
        else:
            context.update(report_context(report, resolver))
    return render_template("verification/verify.html", **context), status


def _given(upload: Any, text: str, url: str, resolver: Resolver) -> bytes:
    """The bytes to verify: the file, else the text, else what the URL serves."""
    if request.content_length and request.content_length > MAX_VERIFY_BYTES + 65536:
        raise UserError(_l("Le fichier est trop lourd."), 413)
    if upload is not None and upload.filename:
        return bytes(upload.stream.read(MAX_VERIFY_BYTES + 1))
    if text:
        return text.encode("utf-8")
    if url:
        return fetch_url(url, resolver, session=get_session())
    raise UserError(_l("Donnez un fichier, un texte ou une adresse de badge."), 400)


def _vc_api_body(report: VerificationReport, resolver: Resolver) -> dict[str, Any]:
    about = describe(report, resolver) if report.kind == ENDORSEMENT else None
    body = {
        "verified": report.verified,
        "state": report.state,
        "checks": [c.name for c in report.checks if c.state == "passed"],
        "warnings": [
            {"name": c.name, "code": c.code, "message": c.message}
            for c in report.checks
            if c.state == "warning"
        ],
        "errors": [
            {"name": c.name, "code": c.code, "state": c.state, "message": c.message}
            for c in report.checks
            if c.state in {"failed", "unknown"}
        ],
        "report": report.to_dict(),
    }
    if report.kind != VERIFIABLE_CREDENTIAL:  # the plain sentences speak of badges
        body["plain"] = messages.plain_report(report, about)
    return body


def _report_response(report: VerificationReport, resolver: Resolver) -> Any:
    body = _vc_api_body(report, resolver)
    if report.verified:
        return jsonify(body), 200
    return jsonify(body), 400 if _malformed(report) else 422


def _malformed(report: VerificationReport) -> bool:
    """Not a well-formed credential (400): unreadable, not a VC of an accepted kind, or not
    following the VC data model; anything else that fails is a credential that does not verify
    (422)."""
    extraction = report.check("extraction")
    fmt = report.check("format")
    model = report.check("data_model")
    return (
        (extraction is not None and extraction.state == "failed")
        or (fmt is not None and fmt.state == "failed" and fmt.code in {"bad_context", "bad_type",
                                                                      "not_vc"})
        or (model is not None and model.state == "failed")
    )


def _bad_request(message: Any, details: Any = None) -> Any:
    body: dict[str, Any] = {
        "verified": False,
        "errors": [{"name": "request", "code": "bad_request", "message": str(message)}],
    }
    if details is not None:
        body["details"] = details
    return jsonify(body), 400


@bp.route("/credentials/verify", methods=["POST"])
@csrf.exempt
@limiter.limit(_verify_limit)
def vc_api_verify() -> Any:
    """W3C VC-API: verify ``{"verifiableCredential": {...}, "options": {...}}`` (a VCDM 2.0
    ``EnvelopedVerifiableCredential`` carrying a VC-JWT too)."""
    try:
        body = load_json(VerifyRequest())
    except BadRequest as exc:
        return _bad_request(exc.message, exc.details)
    resolver = app_resolver()
    report = verify_document(
        unwrap_enveloped(body["verifiableCredential"]), resolver, session=get_session(),
        kinds=VC_API_KINDS, checks=tuple(body["options"].get("checks", ())))
    return _report_response(report, resolver)


@bp.route("/presentations/verify", methods=["POST"])
@csrf.exempt
@limiter.limit(_verify_limit)
def vc_api_verify_presentation() -> Any:
    """W3C VC-API: verify ``{"verifiablePresentation": {...} | "<VP-JWT>", "options":
    {"challenge", "domain"}}``. 200 when the presentation (its proof, if any) and every
    credential in it verify; 422 with the reasons otherwise; 400 when it is not a request."""
    try:
        body = load_json(PresentationRequest())
    except BadRequest as exc:
        return _bad_request(exc.message, exc.details)
    vp = body["verifiablePresentation"]
    if not isinstance(vp, dict | str):
        return _bad_request(_l("La présentation n'est ni un objet JSON ni un JWT."))
    resolver = app_resolver()
    options = body["options"]
    try:
        outcome = verify_presentation(
            vp, challenge=options.get("challenge"), domain=options.get("domain"),
            resolver=resolver, session=get_session(), checks=tuple(options.get("checks", ())))
    except UserError as exc:
        return _bad_request(exc.message)
    presentation_result: dict[str, Any] = {
        "verified": outcome.error is None,
        "signed": outcome.signed,
        "holder": outcome.holder,
    }
    errors: list[dict[str, Any]] = []
    if outcome.error is not None:
        presentation_result["error"] = {"code": outcome.error_code, "message": outcome.error}
        errors.append({"name": "presentation", "code": outcome.error_code,
                       "message": outcome.error})
    credential_results = []
    for index, report in enumerate(outcome.credentials):
        result = _vc_api_body(report, resolver)
        result.pop("plain", None)
        credential_results.append(result)
        errors += [{**e, "credential": index} for e in result["errors"]]
    body_out = {
        "verified": outcome.verified,
        "presentationResult": presentation_result,
        "credentialResults": credential_results,
        "errors": errors,
    }
    return jsonify(body_out), 200 if outcome.verified else 422


@bp.route("/api/verify", methods=["POST"])
@csrf.exempt
@limiter.limit(_verify_limit)
def api_verify() -> Any:
    """Verify an uploaded file (field ``file``) or a body holding a compact JWS or JSON."""
    request.max_content_length = MAX_VERIFY_BYTES + 65536
    upload = request.files.get("file")
    if upload is not None:
        data = upload.stream.read(MAX_VERIFY_BYTES + 1)
    else:
        data = request.get_data(cache=False)
    try:
        check_input(data)
    except UserError as exc:
        return jsonify(
            {
                "verified": False,
                "errors": [{"name": "request", "code": "bad_input", "message": str(exc.message)}],
            }
        ), exc.status
    resolver = app_resolver()
    return _report_response(
        verify_document(data, resolver, session=get_session()), resolver
    )
