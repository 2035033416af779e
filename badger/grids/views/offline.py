"""Offline use of the group screen and the grid steps: the service worker (served from the
root, so its scope covers both), the web app manifest, and the JSON endpoints the device sends
its queued scores to. The endpoints take the CSRF token in the ``X-CSRFToken`` header like the
app's other script posts, and answer per score (saved / conflict / refused)."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badger.db import get_or_404, get_session
from badger.errors import UserError
from badger.grids.models import GroupSession, Round
from badger.grids.offline import (
    MAX_BODY_BYTES,
    agree_round,
    agree_session,
    device_key,
    parse_body,
    sync_round,
    sync_session,
)
from badger.grids.views.base import actor, bp, load_round
from badger.ob3 import safejson
from badger.security import participant_required, staff_required


@bp.app_template_global("offline_key")
def offline_key() -> str:
    """The logged-in person's opaque device-store name (see :func:`device_key`)."""
    return device_key(current_app.config["SECRET_KEY"], current_user.get_id())


@bp.app_template_global("offline_messages")
def offline_messages() -> dict[str, str]:
    """The state line's texts (``data-msg-*``), translated here: the script carries none.
    ``{n}``, ``{a}``, ``{cell}``… are filled in by the script."""
    return {
        "offline": _("Hors ligne — %(n)s notes en attente", n="{n}"),
        "offline-none": _("Hors ligne — rien en attente"),
        "offline-agree": _("Hors ligne — %(a)s accords en attente", a="{a}"),
        "offline-both": _("Hors ligne — %(n)s notes et %(a)s accords en attente", n="{n}", a="{a}"),
        "pending": _("%(n)s notes en attente d'envoi", n="{n}"),
        "pending-agree": _("%(a)s accords en attente d'envoi", a="{a}"),
        "pending-both": _("%(n)s notes et %(a)s accords en attente d'envoi", n="{n}", a="{a}"),
        "saved": _("Tout est enregistré"),
        "problems": _("%(n)s notes à revoir, ci-dessous", n="{n}"),
        "conflict": _(
            "%(cell)s : votre note %(yours)s ; %(by)s a enregistré %(theirs)s entre-temps.",
            cell="{cell}",
            yours="{yours}",
            by="{by}",
            theirs="{theirs}",
        ),
        "refused": _(
            "%(cell)s : note %(yours)s refusée — %(reason)s",
            cell="{cell}",
            yours="{yours}",
            reason="{reason}",
        ),
        "mine": _("Garder ma note"),
        "theirs": _("Garder l'autre note"),
        "drop": _("Abandonner ma note"),
        "agree-pending": _("Niveau %(n)s : en attente d'envoi", n="{n}"),
        "agree-saved": _("Niveau %(n)s : enregistré", n="{n}"),
        "agree-conflict": _(
            "%(cell)s : vous avez choisi le niveau %(yours)s ; %(by)s a enregistré le niveau "
            "%(theirs)s entre-temps.",
            cell="{cell}",
            yours="{yours}",
            by="{by}",
            theirs="{theirs}",
        ),
        "agree-refused": _(
            "%(cell)s : niveau %(yours)s refusé — %(reason)s",
            cell="{cell}",
            yours="{yours}",
            reason="{reason}",
        ),
        "agree-mine": _("Garder mon niveau"),
        "agree-theirs": _("Garder l'autre niveau"),
        "agree-drop": _("Abandonner mon niveau"),
        "logout": _(
            "Des notes ne sont pas encore envoyées : se déconnecter les efface de cet appareil. "
            "Se déconnecter quand même ?"
        ),
    }


@bp.app_template_global("offline_compare")
def offline_compare(rnd: Round) -> str:
    """The comparison page's one offline hook (``data-offline-compare``, JSON): where its
    agreed levels are queued and sent. The coach's page belongs to the session the round was
    opened in (the group screen keeps it); a participant's to their own round, once their grid
    is finished (before, the page shows no coach's view and no agreement). Empty: no offline."""
    who = current_user.kind
    if who == "participant":
        if rnd.self_submitted_at is None or rnd.journey.participant_id != current_user.id:
            return ""
        scope, sync = f"r:{rnd.id}", url_for("grids.round_sync", round_id=rnd.id)
        pages, participant_id = [url_for("grids.compare", round_id=rnd.id)], None
    elif rnd.session_id is not None:
        scope, sync = (
            f"g:{rnd.session_id}",
            url_for("grids.session_sync", session_id=rnd.session_id),
        )
        pages, participant_id = [], rnd.journey.participant_id
    else:
        return ""
    conf = {
        "key": offline_key(),
        "scope": scope,
        "syncUrl": sync,
        "pages": pages,
        "round": rnd.id,
        "participant": participant_id,
        "name": rnd.journey.participant.display_name,
        "msgs": offline_messages(),
    }
    return json.dumps(conf, ensure_ascii=False)


@bp.route("/sw.js")
def service_worker() -> Any:
    """The service worker script, at the root: its scope is the whole site, and it only ever
    answers from its cache for the pages a logged-in person's page asked it to keep."""
    response = current_app.send_static_file("js/sw.js")
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
def manifest() -> Any:
    """The installable web app's manifest (names in the visitor's language)."""
    body = {
        "name": "badger",
        "short_name": "badger",
        "description": _("Grilles de compétences, même sans réseau"),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4e89",
        "icons": [
            {"src": "/static/icons/app-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icons/app-512.png", "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


def _json_body() -> Any:
    """The request's JSON, refused with 415 (not JSON), 413 (too big) or 400 (not parseable)."""
    if request.mimetype != "application/json":
        raise UserError(_("Le corps doit être du JSON (application/json)."), 415)
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise UserError(_("Demande trop volumineuse."), 413)
    data = request.stream.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:
        raise UserError(_("Demande trop volumineuse."), 413)
    try:
        return safejson.loads(data)
    except ValueError as exc:
        raise UserError(_("Le corps n'est pas du JSON valable."), 400) from exc


@bp.route("/sessions/<int:session_id>/sync", methods=["POST"])
@staff_required()
def session_sync(session_id: int) -> Any:
    """The coach's group-screen scores, and the levels agreed on the comparisons of the
    session's participants, queued on the device, saved by the same rules."""
    db = get_session()
    gs = get_or_404(db, GroupSession, session_id)
    items, agreements = parse_body(_json_body(), group=True)
    results = sync_session(db, gs, actor(), items) if items else []
    results += agree_session(db, gs, actor(), agreements)
    return jsonify({"results": results})


@bp.route("/me/rounds/<int:round_id>/sync", methods=["POST"])
@participant_required
def round_sync(round_id: int) -> Any:
    """The participant's own scores and comments, and the levels they agreed on their
    comparison, queued on their phone."""
    rnd = load_round(round_id)
    db = get_session()
    items, agreements = parse_body(_json_body(), group=False)
    results = sync_round(db, rnd, actor(), items) if items else []
    results += agree_round(db, rnd, actor(), agreements)
    return jsonify({"results": results})
