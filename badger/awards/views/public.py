"""The public issuer endpoints (blueprint ``issuer``): issuer Profile and keys, badges and their
images, status lists, credentials at their id, chart evidence; and the template helpers that
name credentials on every page."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Response, abort, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from badger import awards, urls
from badger.awards import documents, evidence, reading
from badger.awards.keys import issuer_keys
from badger.awards.models import CLAIM_PENDING, Achievement, Credential
from badger.awards.views.common import bp, issuer_bp, language_name, org_keys, org_or_404
from badger.db import get_session
from badger.i18n import current_language
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

#: What the human page of a credential shows besides the credential: its verification now,
#: as template values (``report``…). Registered by a higher layer (``badger.verification``
#: registers its verifier at import): awards does not import who verifies.
CredentialCheck = Callable[[Session, Credential], dict[str, Any]]
_credential_checks: list[CredentialCheck] = []


def register_credential_page(check: CredentialCheck) -> None:
    """Say how the page of a credential at its id verifies it (once, at import)."""
    _credential_checks[:] = [check]


@issuer_bp.route("/issuers/<slug>")
def issuer(slug: str) -> Any:
    """The issuer id: Profile + controller document (JSON-LD), or a page for browsers."""
    org = org_or_404(slug)
    if wants_html():
        achs = reading.public_achievements(get_session(), org)
        # who vouches for it: networks this server lists (recognition), others only claim
        endorsing = [m.network for m in org.memberships if m.endorsed_at is not None]
        return render_template(
            "awards/issuer.html", org=org, achievements=achs,
            issuer_id=urls.issuer_url(org),
            signs_as=documents.issuer_id(org, org_keys(org)),
            kind=documents.kind_of(org),
            recognised=sorted(n.name for n in endorsing if n.listed),
            claimed=sorted(n.name for n in endorsing if not n.listed),
        ), 200, {"Vary": "Accept"}
    doc = documents.issuer_document(org, org_keys(org))
    endorsements = active_endorsements(get_session(), org.id)
    if endorsements:
        doc["endorsement"] = endorsements
    return json_document(doc)


@issuer_bp.route("/issuers/<slug>/did.json")
def did_document(slug: str) -> Any:
    org = org_or_404(slug)
    return json_document(documents.did_document(org, org_keys(org)),
                         mimetype="application/did+ld+json")


@issuer_bp.route("/issuers/<slug>/jwks.json")
def issuer_jwks(slug: str) -> Any:
    org = org_or_404(slug)
    return json_document(documents.jwks(org, org_keys(org)), mimetype="application/jwk-set+json")


@issuer_bp.route("/issuers/<slug>/keys/<kid>")
def issuer_key(slug: str, kid: str) -> Any:
    """One public JWK (the VC-JWT ``kid`` URL; the 1EdTech validator fetches exactly this)."""
    org = org_or_404(slug)
    for key in org_keys(org).all:
        if key.key_id == kid:
            return json_document(documents.public_jwk(org, key), mimetype="application/jwk+json")
    abort(404)


@issuer_bp.route("/issuers/<slug>/multikeys/<kid>")
def issuer_multikey(slug: str, kid: str) -> Any:
    """One Ed25519 key as a Multikey document at its own, fragment-less URL: the
    ``verificationMethod`` of Data Integrity proofs signed as the https id since 0014."""
    org = org_or_404(slug)
    for key in org_keys(org).all:
        if key.key_id == kid and key.algorithm is KeyAlgorithm.ED25519:
            return json_document(documents.multikey_document(org, key))
    abort(404)


@issuer_bp.route("/.well-known/jwks.json")
def well_known_jwks() -> Any:
    """Every issuer's keys, each with ``iss`` (FACTS §4: multi-issuer platforms)."""
    keys: list[dict[str, Any]] = []
    for org in reading.all_organisations(get_session()):
        ring = issuer_keys(org.slug, create=False)
        if ring is not None:
            keys += documents.jwks(org, ring)["keys"]
    return json_document({"keys": keys}, mimetype="application/jwk-set+json")


def _public_achievement(uuid: str) -> Achievement:
    ach = reading.achievement_by_uuid(get_session(), uuid)
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
        texts = awards.achievement_texts(db, ach, asked or current_language())
        doc = awards.achievement_json(db, ach, texts.language)
        languages = [ach.language, *(t.language for t in awards.translations_of(db, ach))]
        return render_template(
            "awards/achievement_public.html", ach=ach, doc=doc, texts=texts,
            org=ach.organisation, languages=languages, language_name=language_name,
            image_lang=documents.image_language(ach, texts.language),
        ), 200, {"Vary": "Accept, Accept-Language, Cookie"}
    # JSON: the main language unless ?lang= names a translation; inLanguage always says which.
    doc = awards.achievement_json(db, ach, asked)
    response = json_document({"@context": [model.VC2_CONTEXT, model.OB_CONTEXT], **doc})
    response.headers["Content-Language"] = str(doc.get("inLanguage") or ach.language)
    return response


@issuer_bp.route("/achievements/<uuid>/image.<any(png, svg):fmt>")
def achievement_image(uuid: str, fmt: str) -> Any:
    """The badge's picture; ``?lang=`` names a translation whose documents show it with the
    translated name (generated images; an uploaded picture, or an unknown language: the main
    image)."""
    ach = _public_achievement(uuid)
    image = awards.badge_image(get_session(), ach,
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
    org = org_or_404(slug)
    lst = reading.status_list(get_session(), org, purpose, number)
    if lst is None:
        abort(404)
    text, etag = lst.signed_document()
    return status_list_document(text, etag, lst.updated_at)


@issuer_bp.route("/credentials/<uuid>")
def credential(uuid: str) -> Any:
    """The credential at its id — only when its holder made it public (404 otherwise; 410 once
    its holder erased their data, saying so: the issuer did not withdraw it)."""
    db = get_session()
    cred = awards.public_credential(db, uuid)
    if cred is None and awards.holder_withdrawn(db, uuid):
        gone = jsonify(error="withdrawn_at_holder_request", message=str(awards.HOLDER_ERASED))
        gone.status_code = 410
        return gone
    if cred is None:
        abort(404)
    if wants_html() and _credential_checks:
        return _credential_page(db, cred)
    accept = request.accept_mimetypes
    if accept["text/plain"] and accept["text/plain"] > max(accept[VC_JSON], accept[JSONLD],
                                                           accept["application/json"]):
        response = Response(cred.signed_jwt or "", mimetype="text/plain")
    else:
        response = Response(cred.signed_json or "", mimetype=VC_JSON)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Vary"] = "Accept"
    return response


def _credential_page(db: Session, cred: Credential) -> Any:
    """A person opening the credential's id (a recruiter following LinkedIn's "see credential"
    link) gets a page, not raw JSON: the badge verified now, in plain words, as /verify tells
    it, with the files to download. Machines asking for JSON or JWT get the document."""
    context = _credential_checks[0](db, cred)
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
def credential_versions(creds: list[Credential]) -> dict[int, awards.CredentialVersion]:
    """Each issued credential's current version (the participant's re-issue notice)."""
    return awards.credential_versions(get_session(), creds)


@bp.app_template_global("credential_texts")
def credential_texts(cred: Credential) -> documents.AchievementTexts:
    """A held badge's name and description as its credential is written, with their language
    (:func:`badger.awards.credential_texts`): the participant's pages name it this way."""
    return awards.credential_texts(get_session(), cred)


@bp.app_template_global("offered_texts")
def offered_texts(ach: Achievement) -> documents.AchievementTexts:
    """A badge offered to the participant, in their interface language when it has that
    translation, else in its main language (the language its credential would be written in)."""
    return awards.achievement_texts(get_session(), ach, current_language())


@bp.app_template_global("offer_languages")
def offer_languages(ach: Achievement) -> list[dict[str, Any]]:
    """The languages the offer lets the participant choose for their credential: each with
    its name in the interface language, the badge's texts in it, and ``checked`` on the one
    chosen unless they choose otherwise (:func:`offered_texts`'s language)."""
    db = get_session()
    default = awards.chosen_language(db, ach, None, current_language())
    return [{"code": t.language, "name": language_name(t.language), "texts": t,
             "checked": t.language == default} for t in awards.offer_languages(db, ach)]


@bp.app_template_global("participant_name")
def participant_name(participant_id: int) -> str:
    return reading.participant_name(get_session(), participant_id)
