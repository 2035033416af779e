"""Languages: French first, then every language with a catalogue; the choice persists.

Message ids are written in French (the product's first language, and the words of the
field: référentiel, parcours…); ``translations/<code>/LC_MESSAGES/messages.mo`` holds each other
language's compiled catalogue (English, Arabic, Ukrainian…).

*Shipped* languages are French and those whose compiled catalogue is present; *configured* ones
are what ``BADGER_LANGUAGES`` asks for (default: every shipped language). A configured language
without a catalogue stops the app at startup with a clear message, instead of a switch that
silently shows French. Arabic is written right to left: ``<html dir>`` follows the language.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel
from flask_login import current_user

from badger.config import ConfigError

babel = Babel()

TRANSLATIONS = Path(__file__).parent / "translations"

#: Each language's name in itself, in the order the switch shows them.
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية", "uk": "Українська"}

#: The language of the message ids: it needs no catalogue.
SOURCE_LANGUAGE = "fr"


def has_catalogue(code: str, directories: tuple[Path, ...] = (TRANSLATIONS,)) -> bool:
    return code == SOURCE_LANGUAGE or any(
        (d / code / "LC_MESSAGES" / "messages.mo").is_file() for d in directories
    )


def shipped_languages(directories: tuple[Path, ...] = (TRANSLATIONS,)) -> tuple[str, ...]:
    """French, then every named language whose compiled catalogue is present."""
    return tuple(code for code in LANGUAGE_NAMES if has_catalogue(code, directories))


def resolve_languages(
    configured: tuple[str, ...] | None, directories: tuple[Path, ...] = (TRANSLATIONS,)
) -> tuple[str, ...]:
    """The languages the interface offers: ``configured`` (all shipped ones when None), each
    checked to have a catalogue; French always first."""
    if configured is None:
        return shipped_languages(directories)
    wanted = tuple(dict.fromkeys(c.strip() for c in configured if c.strip()))
    missing = [c for c in wanted if not has_catalogue(c, directories)]
    if missing:
        where = ", ".join(str(d / "<code>/LC_MESSAGES/messages.mo") for d in directories)
        raise ConfigError(
            f"BADGER_LANGUAGES lists {', '.join(missing)} but no compiled catalogue exists for "
            f"{'it' if len(missing) == 1 else 'them'} ({where}); shipped: "
            f"{', '.join(shipped_languages(directories))}. Add and compile the catalogue "
            "(pybabel compile) or remove the language."
        )
    return (SOURCE_LANGUAGE, *(c for c in wanted if c != SOURCE_LANGUAGE))


def language_name(code: str) -> str:
    """A language's name in itself ("العربية"); Babel's name for one not listed; else the code."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    return str(locale.get_display_name(locale) or code)


def text_direction(code: str) -> str:
    """``rtl`` for languages written right to left (Arabic), else ``ltr`` (from CLDR)."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if locale.character_order == "right-to-left" else "ltr"


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


def current_direction() -> str:
    return text_direction(current_language())


def language_choices() -> list[tuple[str, str]]:
    """(code, own name) of every language offered, for the switch and the profile forms."""
    return [(code, language_name(code)) for code in supported()]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    directories = tuple(
        Path(p) for p in str(app.config["BABEL_TRANSLATION_DIRECTORIES"]).split(";") if p
    )
    app.config["BADGER_LANGUAGES"] = resolve_languages(
        app.config.get("BADGER_LANGUAGES"), directories
    )
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["language_choices"] = language_choices
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["current_direction"] = current_direction
