"""Template helpers shared by every page: navigation by role and date formatting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app, g
from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user

#: Navigation per audience: (endpoint, label, pictogram, admin only). An entry shows once a
#: domain registers its endpoint, so the menu grows with the app without edits here.
NAV: dict[str, list[tuple[str, Any, str, bool]]] = {
    "anonymous": [
        ("referentiels.browse", _l("Référentiels"), "book", False),
        ("verification.verify_page", _l("Vérifier un badge"), "check", False),
    ],
    "participant": [
        ("accounts.home", _l("Mon espace"), "home", False),
        ("grids.my_grids", _l("Mes grilles"), "chart", False),
        ("portfolio.index", _l("Mes badges"), "badge", False),
        ("awards.my_offers", _l("Badges à accepter"), "check", False),
        ("portfolio.shares", _l("Mes partages"), "share", False),
        ("api.apps", _l("Mes applications"), "key", False),
    ],
    "staff": [
        ("accounts.home", _l("Accueil"), "home", False),
        ("grids.sessions", _l("Séances"), "calendar", False),
        ("awards.achievements", _l("Badges"), "badge", False),
        ("referentiels.browse", _l("Référentiels"), "book", False),
        ("accounts.participants", _l("Participants"), "people", True),
        ("accounts.staff", _l("Équipe"), "team", True),
    ],
}


def nav_items() -> list[tuple[str, Any, str]]:
    audience = current_user.kind if current_user.is_authenticated else "anonymous"
    is_admin = g.get("role") == "admin"
    return [
        (endpoint, label, picto)
        for endpoint, label, picto, admin_only in NAV[audience]
        if endpoint in current_app.view_functions and (is_admin or not admin_only)
    ]


def init_app(app: Flask) -> None:
    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "nav_items": nav_items(),
            "organisation": g.get("organisation"),
            "role": g.get("role"),
        }

    def _date(value: datetime | None, fmt: str = "medium") -> str:
        return "" if value is None else format_date(value, fmt)

    def _datetime(value: datetime | None, fmt: str = "medium") -> str:
        return "" if value is None else format_datetime(value, fmt)

    app.jinja_env.globals["has_endpoint"] = lambda name: name in current_app.view_functions
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
