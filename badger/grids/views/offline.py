"""Offline use of the group screen and the grid steps: the service worker (served from the
root, so its scope covers both), the web app manifest, and the JSON endpoints the device sends
its queued scores to. The endpoints take the CSRF token in the ``X-CSRFToken`` header like the
app's other script posts, and answer per score (saved / conflict / refused)."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from badger.db import get_or_404, get_session
from badger.errors import UserError
from badger.grids.models import GroupSession
from badger.grids.offline import (
    MAX_BODY_BYTES,
    device_key,
    parse_items,
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
    """The coach's group-screen scores queued on the device, saved by the same rules."""
    db = get_session()
    gs = get_or_404(db, GroupSession, session_id)
    items = parse_items(_json_body(), group=True)
    return jsonify({"results": sync_session(db, gs, actor(), items)})


@bp.route("/me/rounds/<int:round_id>/sync", methods=["POST"])
@participant_required
def round_sync(round_id: int) -> Any:
    """The participant's own scores and comments queued on their phone."""
    rnd = load_round(round_id)
    items = parse_items(_json_body(), group=False)
    return jsonify({"results": sync_round(get_session(), rnd, actor(), items)})
