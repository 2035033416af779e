"""The registry of message kinds and how a message is written in its reader's language.

A domain registers each kind once, at import time, with lazy French texts::

    register_kind("jobs.offer", subject=_l("Une offre pour vous"),
                  body=_l("%(job)s à %(place)s : elle vous correspond."))

The texts are translated when the message is sent, in the recipient's language; ``params``
fill the ``%(name)s`` placeholders. Keep the body short (an SMS is 160 characters, and the
link and the stop line are added after it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Kind:
    name: str
    subject: LazyString
    body: LazyString


@dataclass(frozen=True)
class Message:
    """A message as the reader gets it."""

    subject: str
    text: str


KINDS: dict[str, Kind] = {}


def register_kind(kind: str, *, subject: LazyString, body: LazyString) -> Kind:
    """Add (or replace: module reloads in tests) a message kind."""
    if not kind or len(kind) > 60:
        raise ValueError("a notification kind is 1 to 60 characters")
    found = Kind(kind, subject, body)
    KINDS[kind] = found
    return found


def get_kind(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown notification kind {kind!r}: register_kind() it first") from None


def _fill(template: Any, params: dict[str, Any]) -> str:
    return str(template) % params


def render(kind: str, language: str, params: dict[str, Any], link: str | None,
           stop_url: str | None) -> Message:
    """The message in ``language``: subject, then the text — body, link, stop line."""
    found = get_kind(kind)
    with force_locale(language or "fr"):
        subject = _fill(found.subject, params)
        lines = [_fill(found.body, params)]
        if link:
            lines.append(link)
        if stop_url:
            lines.append(str(_l("Ne plus recevoir de messages : %(url)s", url=stop_url)))
    return Message(subject=subject, text="\n".join(lines))


# The one kind this domain sends itself: a test message from the preferences page.
register_kind(
    "notifications.test",
    subject=_l("Message d'essai"),
    body=_l("Bonjour %(name)s, vos messages arrivent bien ici."),
)
