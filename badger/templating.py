"""Template helpers shared by every page: navigation by role, date formatting and the language
of typed content (``in_lang``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from badger.i18n import current_language

#: Navigation per audience: (endpoint, label, pictogram, who). ``who`` is None for everyone in
#: the audience, "admin" for organisation admins, "network_admin" for network administrators.
#: An entry shows once a domain registers its endpoint, so the menu grows with the app.
NAV: dict[str, list[tuple[str, Any, str, str | None]]] = {
    "anonymous": [
        ("referentiels.browse", _l("Référentiels"), "book", None),
        ("verification.verify_page", _l("Vérifier un badge"), "check", None),
    ],
    "participant": [
        ("accounts.home", _l("Mon espace"), "home", None),
        ("grids.my_grids", _l("Mes grilles"), "chart", None),
        ("portfolio.index", _l("Mes badges"), "badge", None),
        ("awards.my_offers", _l("Nouveaux badges"), "check", None),
        ("portfolio.shares", _l("Mes partages"), "share", None),
        ("api.apps", _l("Mes applications"), "key", None),
    ],
    "staff": [
        ("accounts.home", _l("Accueil"), "home", None),
        ("grids.sessions", _l("Séances"), "calendar", None),
        ("awards.achievements", _l("Badges"), "badge", None),
        ("referentiels.browse", _l("Référentiels"), "book", None),
        ("accounts.participants", _l("Participants"), "people", "admin"),
        ("accounts.staff", _l("Équipe"), "team", "admin"),
        ("networks.admin_index", _l("Réseaux"), "team", "network_admin"),
    ],
}


#: Pages that belong to an entry's section although their URL does not start with the entry's
#: own URL (the entry is then marked ``aria-current="true"``; its own page gets ``"page"``).
NAV_SECTIONS: dict[str, tuple[str, ...]] = {
    "grids.my_grids": ("/me/rounds/", "/me/sessions/", "/me/validations/"),
    "grids.sessions": ("/rounds/", "/journeys/", "/validations"),
    "awards.achievements": ("/admin/awards", "/admin/credentials", "/admin/sessions/"),
    "networks.admin_index": ("/admin/server",),
    "portfolio.index": ("/me/identities",),
}


def _allowed(who: str | None) -> bool:
    if who is None:
        return True
    if who == "admin":
        return g.get("role") == "admin"
    if who == "network_admin":
        return bool(
            current_user.is_authenticated
            and current_user.kind == "staff"
            and (current_user.admin_network_ids() or current_user.server_admin)
        )
    return False


def nav_items() -> list[tuple[str, Any, str]]:
    audience = current_user.kind if current_user.is_authenticated else "anonymous"
    return [
        (endpoint, label, picto)
        for endpoint, label, picto, who in NAV[audience]
        if endpoint in current_app.view_functions and _allowed(who)
    ]


def nav_current(items: list[tuple[str, Any, str]]) -> tuple[str, str] | None:
    """The entry to mark and how: ``(endpoint, "page")`` on its own page, ``(endpoint, "true")``
    on a page of its section (the longest entry URL the path starts with, or ``NAV_SECTIONS``)."""
    if not has_request_context():
        return None
    path = request.script_root + request.path
    best: tuple[int, str] | None = None
    for endpoint, _label, _picto in items:
        if request.endpoint == endpoint:
            return endpoint, "page"
        base = url_for(endpoint).rstrip("/")
        prefixes = [base + "/"] if base else []
        prefixes += [request.script_root + extra for extra in NAV_SECTIONS.get(endpoint, ())]
        for prefix in prefixes:
            if path.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), endpoint)
    return (best[1], "true") if best else None


def _primary(code: str) -> str:
    return code.strip().replace("_", "-").split("-")[0].lower()


def shown_language(source: Any, field: str = "label") -> str | None:
    """The language a text is shown in. ``source`` is a language code, None (unknown), or an
    item that has ``language`` (an achievement's texts, a référentiel version); a référentiel
    item with ``translations`` is shown in the page's language when it has ``field`` translated
    into it (as :func:`badger.grids.competence_label` chooses), else in its own."""
    if source is None or isinstance(source, str):
        return source or None
    own = getattr(source, "language", None) or None
    page = current_language()
    translations = getattr(source, "translations", None)
    if isinstance(translations, dict) and own != page:
        tr = translations.get(page)
        if isinstance(tr, dict) and tr.get(field):
            return page
    return own


def in_lang(text: Any, source: Any, field: str = "label") -> Markup | Any:
    """Typed content (a référentiel title, a competence label, a badge name…) marked with its
    language when it is not the page's: ``<span lang="fr" dir="auto">…</span>`` so screen
    readers switch voice and a right-to-left page does not reorder it (WCAG 2.2 SC 3.1.2). Of
    unknown language (``source`` None): ``dir="auto"`` only, never a guessed ``lang``. In the
    page's language, or empty: the text unchanged. ``source``: see :func:`shown_language`."""
    if text is None or text == "":
        return text
    lang = shown_language(source, field)
    if lang is None:
        return Markup('<span dir="auto">{}</span>').format(text)
    if _primary(lang) == _primary(current_language()):
        return text
    return Markup('<span lang="{}" dir="auto">{}</span>').format(lang, text)


def init_app(app: Flask) -> None:
    @app.context_processor
    def _globals() -> dict[str, Any]:
        items = nav_items()
        return {
            "nav_items": items,
            "nav_current": nav_current(items),
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
    app.jinja_env.filters["in_lang"] = in_lang
