"""Where messages leave badger: e-mail through SMTP, SMS through a provider interface.

E-mail: ``BADGER_SMTP_URL`` = ``smtp://[user:password@]host[:port]`` (STARTTLS when the server
offers it, required before a password is sent; ``?starttls=require`` refuses a server without
it) or ``smtps://…`` (TLS from the start, port 465); user and password percent-encoded.
``BADGER_SMTP_FROM`` is the sender (default ``badger@<host of BADGER_BASE_URL>``). Unset
outside production: each e-mail is appended to ``<instance>/mail-outbox.jsonl`` instead
(development and demo); unset in production: no e-mail channel.

SMS: ``BADGER_SMS_BACKEND`` —

* ``outbox`` (the default outside production): one JSON line per message in
  ``<instance>/sms-outbox.jsonl``; ``file:/some/path.jsonl``: the same, in that file;
* ``twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com?from=%2B33…``: Twilio's public Messages
  API (``POST /2010-04-01/Accounts/<sid>/Messages.json``, form fields ``To``, ``From``,
  ``Body``, HTTP Basic auth), over https; ``twilio+http://…`` only for a loopback test server;
* ``none`` (the default in production): no SMS.

A provider is one class with ``send(number, text)`` raising :class:`SendError`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import smtplib
import ssl
import threading
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from flask import Flask

TIMEOUT = 10.0
_file_lock = threading.Lock()


class SendError(Exception):
    """The message could not be handed over. ``permanent``: trying again will not help (the
    provider refused the number or the credentials), so the message fails at once."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsBackend(Protocol):
    def send(self, number: str, text: str) -> None: ...


class EmailBackend(Protocol):
    def send(self, to: str, subject: str, text: str, headers: dict[str, str]) -> None: ...


def _append(path: Path, record: dict[str, object]) -> None:
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _file_lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(line)


class FileSms:
    """Development and tests: ``{"to": …, "text": …}`` per line (file mode 0600)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, number: str, text: str) -> None:
        try:
            _append(self.path, {"to": number, "text": text})
        except OSError as exc:
            raise SendError(f"cannot write {self.path}: {exc}") from exc


class TwilioSms:
    """Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if not (parts.username and parts.password and parts.hostname):
            raise ValueError("twilio://ACCOUNT_SID:AUTH_TOKEN@host?from=NUMBER")
        sender = parse_qs(parts.query).get("from", [""])[0]
        if not sender:
            raise ValueError("twilio:// needs ?from=<the sending number>")
        scheme = "http" if parts.scheme == "twilio+http" else "https"
        self.sid, self.sender = unquote(parts.username), sender
        self.token = unquote(parts.password)
        self.endpoint = (f"{scheme}://{parts.netloc.rsplit('@', 1)[1]}"
                         f"/2010-04-01/Accounts/{quote(self.sid)}/Messages.json")

    def send(self, number: str, text: str) -> None:
        body = urlencode({"To": number, "From": self.sender, "Body": text}).encode()
        auth = base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - https or a configured loopback test
            self.endpoint, data=body, method="POST",
            headers={"Authorization": f"Basic {auth}",
                     "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
                answer.read(65536)
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace")
            with contextlib.suppress(ValueError, AttributeError):
                detail = str(json.loads(detail).get("message") or detail)
            permanent = 400 <= exc.code < 500 and exc.code not in {408, 429}
            raise SendError(f"HTTP {exc.code}: {detail[:200]}", permanent=permanent) from exc
        except (OSError, ValueError) as exc:
            raise SendError(str(exc)) from exc


def _instance(app: Flask) -> Path:
    return Path(app.config.get("INSTANCE_PATH") or app.instance_path)


def sms_backend(app: Flask) -> SmsBackend | None:
    """The configured SMS provider, or None (``none``, or a value badger does not know)."""
    name = str(app.config.get("BADGER_SMS_BACKEND") or "none").strip()
    if name == "outbox":
        return FileSms(_instance(app) / "sms-outbox.jsonl")
    if name.startswith("file:"):
        return FileSms(Path(name.removeprefix("file:")))
    if name.startswith(("twilio://", "twilio+http://")):
        try:
            return TwilioSms(name)
        except ValueError as exc:
            app.logger.error("BADGER_SMS_BACKEND: %s", exc)
    return None


class SmtpEmail:
    def __init__(self, app: Flask, url: str) -> None:
        self.parts = urlsplit(url)
        if self.parts.scheme not in {"smtp", "smtps"} or not self.parts.hostname:
            raise ValueError("BADGER_SMTP_URL must be smtp://… or smtps://…")
        self.require_tls = parse_qs(self.parts.query).get("starttls", [""])[0] == "require"
        self.sender = sender(app)

    def _connect(self, context: ssl.SSLContext) -> smtplib.SMTP:
        host = str(self.parts.hostname)
        if self.parts.scheme == "smtps":
            return smtplib.SMTP_SSL(host, self.parts.port or 465, timeout=TIMEOUT, context=context)
        return smtplib.SMTP(host, self.parts.port or 25, timeout=TIMEOUT)

    def send(self, to: str, subject: str, text: str, headers: dict[str, str]) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, subject
        for name, value in headers.items():
            msg[name] = value
        msg.set_content(text)
        user = unquote(self.parts.username) if self.parts.username else None
        password = unquote(self.parts.password) if self.parts.password else ""
        context = ssl.create_default_context()
        try:
            with self._connect(context) as server:
                server.ehlo()
                if self.parts.scheme == "smtp" and server.has_extn("starttls"):
                    server.starttls(context=context)
                    server.ehlo()
                elif self.parts.scheme == "smtp" and (user or self.require_tls):
                    raise SendError("the SMTP server does not offer STARTTLS: nothing sent")
                if user:
                    server.login(user, password)
                server.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"recipient refused: {exc}"[:200], permanent=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(str(exc)[:200] or type(exc).__name__) from exc


class FileEmail:
    """Development and demo without SMTP: one JSON line per e-mail (file mode 0600)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, to: str, subject: str, text: str, headers: dict[str, str]) -> None:
        try:
            _append(self.path, {"to": to, "subject": subject, "text": text})
        except OSError as exc:
            raise SendError(f"cannot write {self.path}: {exc}") from exc


def sender(app: Flask) -> str:
    return str(app.config.get("BADGER_SMTP_FROM") or (
        "badger@" + (urlsplit(str(app.config["BADGER_BASE_URL"])).hostname or "localhost")))


def email_backend(app: Flask) -> EmailBackend | None:
    url = app.config.get("BADGER_SMTP_URL")
    if url:
        return SmtpEmail(app, str(url))
    if app.config.get("BADGER_ENV") != "production":
        return FileEmail(_instance(app) / "mail-outbox.jsonl")
    return None


def available(app: Flask) -> tuple[str, ...]:
    """The channels this server can send through now."""
    found = []
    if email_backend(app) is not None:
        found.append("email")
    if sms_backend(app) is not None:
        found.append("sms")
    return tuple(found)
