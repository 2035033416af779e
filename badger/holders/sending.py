"""Sending a one-time code: e-mail through SMTP, SMS through a provider interface.

The channels are :mod:`badger.notifications.channels` (one configuration for the whole
server): ``BADGER_SMTP_URL`` / ``BADGER_SMTP_FROM`` for e-mail, ``BADGER_SMS_BACKEND`` for
SMS (``outbox`` appends to ``<instance folder>/sms-outbox.jsonl`` in development,
``file:/path``, ``twilio://…``, ``none``). A code is sent at once, never queued: it expires in
15 minutes. E-mail proofs need a real SMTP server (``BADGER_SMTP_URL``); without it e-mail
addresses cannot be proven.
"""

from __future__ import annotations

from flask import Flask

from badger.notifications.channels import SendError, SmsBackend, SmtpEmail, sms_backend

__all__ = ["SendError", "SmsBackend", "email_configured", "send_email", "sms_backend"]


def email_configured(app: Flask) -> bool:
    return bool(app.config.get("BADGER_SMTP_URL"))


def send_email(app: Flask, to: str, subject: str, body: str) -> None:
    """Hand one plain-text message to the configured SMTP server."""
    url = app.config.get("BADGER_SMTP_URL")
    if not url:
        raise SendError("BADGER_SMTP_URL is not set")
    try:
        mail = SmtpEmail(app, str(url))
    except ValueError as exc:
        raise SendError(str(exc)) from exc
    mail.send(to, subject, body, {})
