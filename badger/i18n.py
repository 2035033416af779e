"""Languages: French first, English second; the choice persists for the person.

Message ids are written in French (the product's first language, and the words of the
field: référentiel, parcours…); ``translations/en`` holds the English catalogue.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel
from flask_login import current_user

babel = Babel()

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def supported() -> tuple[str, ...]:
    return tuple(current_app.config["BADGER_LANGUAGES"])


def select_locale() -> str:
    """Explicit choice (person's profile, then session), then the browser, then French."""
    langs = supported()
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated:
        locale = getattr(current_user, "locale", None)
        if locale in langs:
            return str(locale)
    chosen = session.get("lang")
    if chosen in langs:
        return str(chosen)
    best = request.accept_languages.best_match(langs)
    return best or str(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_language() -> str:
    if "lang" not in g:
        from flask_babel import get_locale

        g.lang = str(get_locale() or "fr")
    return str(g.lang)


def init_app(app: Flask) -> None:
    from pathlib import Path

    translations = Path(__file__).parent / "translations"
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(translations))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["current_language"] = current_language
