"""Languages: French first, then every language with a catalogue; the choice persists.

Message ids are written in French (the product's first language, and the words of the
field: référentiel, parcours…); ``translations/<code>/LC_MESSAGES/messages.mo`` holds each other
language's compiled catalogue (English, Arabic, Ukrainian…).

*Shipped* languages are French and those whose compiled catalogue is present; *configured* ones
are what ``BADGER_LANGUAGES`` asks for (default: every shipped language). A configured language
without a catalogue stops the app at startup with a clear message, instead of a switch that
silently shows French. Arabic is written right to left: ``<html dir>`` follows the language.

*Easy-to-read mode* (FALC, "facile à lire et à comprendre"): ``translations/falc/<code>.po``
maps a French message id to an easy-to-read text in that language (short sentences, one idea
a line). When the mode is on for the request (:func:`easy_read_active`), every ``_()``,
``_l()`` and template ``_()`` looks there first and falls back to the ordinary translation
(:class:`EasyReadDomain`). Text forced into another language (``force_locale``: a credential,
a chart written in its own language) never takes the easy-to-read words.
"""

from __future__ import annotations

import functools
import gettext as _gettext
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError, support
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale, get_translations
from flask_login import current_user

from badger.config import ConfigError

TRANSLATIONS = Path(__file__).parent / "translations"

#: The easy-to-read catalogues: ``<code>.po``, French message ids → easy-to-read texts.
FALC = TRANSLATIONS / "falc"

#: The session key that remembers easy-to-read mode before login (copied to the profile then).
EASY_READ_KEY = "easy_read"

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
        g.lang = str(get_locale() or "fr")
    return str(g.lang)


def current_direction() -> str:
    return text_direction(current_language())


def language_choices() -> list[tuple[str, str]]:
    """(code, own name) of every language offered, for the switch and the profile forms."""
    return [(code, language_name(code)) for code in supported()]


def easy_read_active() -> bool:
    """Whether this request shows easy-to-read texts: the participant's profile choice
    (``easy_read``) once logged in, else the choice kept in this browser's session."""
    if not has_request_context():
        return False
    if "easy_read" not in g:
        g.easy_read = False  # while the user loads, texts are the ordinary ones (no recursion)
        chosen = session.get(EASY_READ_KEY)
        if current_user and current_user.is_authenticated:
            chosen = getattr(current_user, "easy_read", chosen)
        g.easy_read = bool(chosen)
    return bool(g.easy_read)


@functools.lru_cache(maxsize=16)
def _falc_entries(code: str, mtime: float) -> dict[Any, str]:
    """The easy-to-read texts of ``code`` as gettext catalogue keys (``msgid``, or
    ``(msgid, n)`` for each plural form); empty texts (the ordinary one is plain) left out."""
    with (FALC / f"{code}.po").open("rb") as fp:
        catalogue = read_po(fp, locale=code)
    entries: dict[Any, str] = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            forms = message.string if isinstance(message.string, tuple | list) else ()
            if all(forms):
                entries.update({(message.id[0], n): text for n, text in enumerate(forms)})
        elif message.string:
            entries[message.id] = str(message.string)
    return entries


def falc_entries(code: str) -> dict[Any, str]:
    """The easy-to-read catalogue of a language (empty when it has none); reread when edited."""
    path = FALC / f"{code}.po"
    return _falc_entries(code, path.stat().st_mtime) if path.is_file() else {}


class EasyReadDomain(Domain):
    """The message domain: the ordinary catalogues, with the easy-to-read texts laid over them
    when :func:`easy_read_active` and the locale is the page's own (not forced)."""

    def get_translations(self) -> Any:
        base = super().get_translations()
        babel_ctx = g.get("_flask_babel") if has_request_context() else None
        if getattr(babel_ctx, "forced_babel_locale", None) is not None or not easy_read_active():
            return base
        locale = str(get_locale() or SOURCE_LANGUAGE)
        # called for every text of a page: read the catalogue's file state once per request
        memo = g.get("_easy_read_overlay")
        if memo is not None and memo[0] == (locale, id(base)):
            return memo[1]
        entries = falc_entries(locale.split("_")[0])  # the same dict until the file changes
        key = ("easy-read", locale, id(base), id(entries))
        if key not in self.cache:
            overlay = support.Translations()
            overlay.merge(base)
            # The catalogue's own plural rule; French has no catalogue: CLDR's rule then.
            overlay.plural = base.plural if base._catalog else _plural_rule(locale)
            overlay._catalog.update(entries)
            self.cache[key] = overlay
        g._easy_read_overlay = ((locale, id(base)), self.cache[key])
        return self.cache[key]


def _plural_rule(locale: str) -> Any:
    """The gettext plural rule of ``locale`` (CLDR, through Babel): French says "1 fois, 2 fois"
    where the fallback without a catalogue would follow English."""
    return _gettext.c2py(get_plural(locale).plural_expr)


def _lines(text: str) -> str:
    """An easy-to-read text's lines (``\n``) as line breaks in a page. Templates print their
    translations as trusted markup; the catalogues hold no markup (tests/test_falc.py)."""
    return text.replace("\n", "<br>") if "\n" in text and easy_read_active() else text


def _template_gettext(message: str) -> str:
    return _lines(get_translations().ugettext(message))


def _template_ngettext(singular: str, plural: str, n: int) -> str:
    return _lines(get_translations().ungettext(singular, plural, n))


class _Babel(Babel):
    @functools.cached_property
    def domain_instance(self) -> EasyReadDomain:
        return EasyReadDomain(domain=self.domain)


babel = _Babel()


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    directories = tuple(
        Path(p) for p in str(app.config["BABEL_TRANSLATION_DIRECTORIES"]).split(";") if p
    )
    app.config["BADGER_LANGUAGES"] = resolve_languages(
        app.config.get("BADGER_LANGUAGES"), directories
    )
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel's template gettext, with the easy-to-read lines as line breaks.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_template_gettext, ngettext=_template_ngettext, newstyle=True
    )
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["language_choices"] = language_choices
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["current_direction"] = current_direction
    app.jinja_env.globals["easy_read_active"] = easy_read_active
