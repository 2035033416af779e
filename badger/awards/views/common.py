"""What the awards view modules share: the two blueprints and small helpers.

``bp`` (``awards``) holds the staff and participant pages; ``issuer_bp`` (``issuer``) the public
issuer endpoints (no login, cacheable, CORS-open). Several modules add their routes to them."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Blueprint, abort, current_app
from flask_babel import get_locale

from badger.awards import reading
from badger.awards.common import AwardSettings
from badger.awards.keys import issuer_keys
from badger.db import get_session
from badger.networks.models import Organisation

bp = Blueprint("awards", __name__)
issuer_bp = Blueprint("issuer", __name__)


def settings() -> AwardSettings:
    """The awards settings of this app, handed to the services."""
    return AwardSettings.from_config(current_app.config)


def language_name(code: str, *, own: bool = False) -> str:
    """A language's name in the interface language ("anglais", "English"), or in itself
    (``own``: "English", "español", for language links); else its code."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
        name = locale.get_display_name(locale if own else (get_locale() or "fr"))
    except (ValueError, UnknownLocaleError):
        return code
    return str(name) if name else code


def org_or_404(slug: str) -> Organisation:
    org = reading.organisation_by_slug(get_session(), slug)
    if org is None:
        abort(404)
    return org


def org_keys(org: Organisation) -> Any:
    keys = issuer_keys(org.slug, create=True)
    assert keys is not None
    return keys
