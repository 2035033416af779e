"""Sending a one-time code: e-mail through SMTP, SMS through a provider interface.

E-mail: ``BADGER_SMTP_URL`` = ``smtp://[user:password@]host[:port]`` (STARTTLS when the server
offers it, required with a password), or ``smtps://…`` (TLS from the start, port 465 by
default); ``BADGER_SMTP_FROM`` is the sender (default ``badger@<host of BADGER_BASE_URL>``).
Unset: e-mail addresses cannot be proven.

SMS: ``BADGER_SMS_BACKEND`` names an :class:`SmsBackend`. ``outbox`` (development) appends
each message to ``<instance folder>/sms-outbox.jsonl``; ``none`` (the default in production)
offers no SMS. A real provider is one class with ``send(number, text)`` added to ``BACKENDS``.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from flask import Flask

SMTP_TIMEOUT = 10.0


class SendError(Exception):
    """The message could not be handed over (no configuration, or the server refused)."""


class SmsBackend(Protocol):
    """Something that delivers a short text to a phone number (E.164 ``+33…``)."""

    def send(self, number: str, text: str) -> None: ...


class OutboxSms:
    """Development backend: one JSON line per message in the instance folder (0600)."""

    _lock = threading.Lock()

    def __init__(self, app: Flask) -> None:
        self.path = Path(app.config.get("INSTANCE_PATH") or app.instance_path) / "sms-outbox.jsonl"

    def send(self, number: str, text: str) -> None:
        line = json.dumps({"to": number, "text": text}, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.touch(mode=0o600, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)


BACKENDS: dict[str, type[Any]] = {"outbox": OutboxSms}


def sms_backend(app: Flask) -> SmsBackend | None:
    name = str(app.config.get("BADGER_SMS_BACKEND") or "none")
    found = BACKENDS.get(name)
    return found(app) if found is not None else None


def email_configured(app: Flask) -> bool:
    return bool(app.config.get("BADGER_SMTP_URL"))


def send_email(app: Flask, to: str, subject: str, body: str) -> None:
    """Hand one plain-text message to the configured SMTP server."""
    url = app.config.get("BADGER_SMTP_URL")
    if not url:
        raise SendError("BADGER_SMTP_URL is not set")
    parts = urlsplit(str(url))
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise SendError("BADGER_SMTP_URL must be smtp://… or smtps://…")
    sender = app.config.get("BADGER_SMTP_FROM") or (
        "badger@" + (urlsplit(str(app.config["BADGER_BASE_URL"])).hostname or "localhost")
    )
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    context = ssl.create_default_context()
    try:
        if parts.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                parts.hostname, parts.port or 465, timeout=SMTP_TIMEOUT, context=context
            )
        else:
            server = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=SMTP_TIMEOUT)
        with server:
            server.ehlo()
            if parts.scheme == "smtp" and server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
            elif parts.scheme == "smtp" and user:
                raise SendError("the SMTP server does not offer STARTTLS: no password sent")
            if user:
                server.login(user, password or "")
            server.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(str(exc)) from exc
