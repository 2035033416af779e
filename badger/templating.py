"""Template helpers shared by every page: navigation by role, date formatting, the language
of typed content (``in_lang``) and French elision before names (``elide``, ``de``)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

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


#: Letters a French vowel sound starts with (lower case), for :func:`elides`.
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")
#: The words French elides before a vowel sound, and their elided form.
_ELIDED = {"de": "d'", "De": "D'", "que": "qu'", "Que": "Qu'", "le": "l'", "Le": "L'"}


def elides(name: str) -> bool:
    """Whether French elides "de", "que" or "le" before ``name`` ("d'Amina", "d'Éric").

    Kept simple, from spelling only: a name starting with a vowel letter (a e i o u, accented
    or not, any case) elides; so does one starting with y before a consonant (Yves, Ysée —
    not Yasmine or Yann, where y is a consonant sound). h never elides: a mute h ("Hélène")
    cannot be told from an aspirated one ("Hugo") by its spelling, and "de Hélène" still
    reads. Digits, quotes and other scripts (Arabic, Cyrillic) never elide."""
    word = name.strip().lower()
    if not word or word[0] not in _VOWELS:
        return False
    if word[0] == "y":
        return len(word) > 1 and word[1].isalpha() and word[1] not in _VOWELS
    return True


def _is_french(language: str | None) -> bool:
    return _primary(language or str(get_locale() or "fr")) == "fr"


def de(name: Any, language: str | None = None) -> str:
    """``de Bastien`` / ``d'Amina`` in French (``language``, default the current locale,
    which :func:`flask_babel.force_locale` also sets); the name alone in other languages."""
    text = str(name)
    if not _is_french(language):
        return text
    return f"d'{text}" if elides(text) else f"de {text}"


def elide(text: Any, *names: Any, language: str | None = None) -> Any:
    """A translated sentence with French elision before the ``names`` it holds: "Les badges
    de Amina" becomes "Les badges d'Amina", "accord de Lucie et de Omar" "… et d'Omar"
    (also "que" → "qu'", "le" → "l'"). Only a "de"/"que"/"le" right before one of ``names``
    changes (markup between them, such as ``in_lang``'s span, is kept); only when the text is
    French (``language``, default the current locale): other languages are returned as they
    are. Markup in, Markup out (names are then matched in their escaped form)."""
    if text is None or not _is_french(language):
        return text
    is_markup = isinstance(text, Markup)
    out = str(text)
    for name in names:
        plain = str(name or "")
        if not elides(plain):
            continue
        shown = str(escape(plain)) if is_markup else plain
        pattern = re.compile(r"\b(de|De|que|Que|le|Le) ((?:<[^<>]*>)*)(?=" + re.escape(shown) + ")")
        out = pattern.sub(lambda m: _ELIDED[m.group(1)] + m.group(2), out)
    return Markup(out) if is_markup else out  # noqa: S704 - escaped text, elided words added


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
    app.jinja_env.filters["elide"] = elide
    app.jinja_env.globals["de"] = de
