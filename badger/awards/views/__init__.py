"""Awards UI (badge definitions, proposals, bulk award, CSV, claims, revocation) and the
public issuer endpoints (blueprint ``issuer``: no login, cacheable, CORS-open).

One blueprint per audience, shared by the modules of this package (endpoint names are the
blueprint's: ``awards.achievement_edit``, ``issuer.credential``…)."""

from __future__ import annotations

from flask import Flask

from badger.awards.views import awarding, credentials, definitions, public
from badger.awards.views.common import bp, issuer_bp, language_name
from badger.awards.views.credentials import claim_limit, claimed_here
from badger.awards.views.public import register_credential_page

__all__ = ["awarding", "bp", "claim_limit", "claimed_here", "credentials", "definitions",
           "init_app", "issuer_bp", "language_name", "public", "register_credential_page"]


def init_app(app: Flask) -> None:
    app.register_blueprint(issuer_bp)
