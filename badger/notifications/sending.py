"""Delivering the outbox: ``badger notifications send`` calls :func:`send_due`.

Each due message (pending, ``next_attempt_at`` passed) is first *claimed* — one conditional
UPDATE that pushes its next attempt :data:`LEASE` ahead, committed — so two senders (two cron
runs, two machines) never send it twice; then rendered in the recipient's current language,
with a fresh stop link, and handed to its channel. Sent: ``sent``, audited. Refused: tried
again after ``BADGER_NOTIFY_RETRY_SECONDS`` doubled at each attempt (capped at a day), up to
``BADGER_NOTIFY_MAX_ATTEMPTS`` attempts (or at once for a permanent refusal), then ``failed``,
audited. A recipient who stopped, chose "none" or changed channel: ``stopped``, not sent.
Each message is its own transaction."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badger import audit, urls
from badger.db import get_db, utcnow
from badger.notifications import service
from badger.notifications.channels import SendError, email_backend, sms_backend
from badger.notifications.kinds import Message, render
from badger.notifications.models import EMAIL, FAILED, PENDING, SENT, STOPPED, Notification
from badger.security import url_token_hash

#: How long a claimed message is left to its sender before another may take it.
LEASE = timedelta(minutes=10)
MAX_DELAY = timedelta(days=1)


def backoff(app: Flask, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base × 2^(attempts − 1), ≤ a day."""
    base = int(app.config.get("BADGER_NOTIFY_RETRY_SECONDS", 60))
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_DELAY)


def _claim(db: Session, notification_id: int, now: datetime) -> bool:
    result = db.execute(update(Notification).where(
        Notification.id == notification_id, Notification.status == PENDING,
        Notification.next_attempt_at <= now,
    ).values(next_attempt_at=now + LEASE).execution_options(synchronize_session=False))
    db.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _deliver(app: Flask, channel: str, to: str, message: Message, stop_url: str) -> None:
    if channel == EMAIL:
        mail = email_backend(app)
        if mail is None:
            raise SendError("no e-mail channel (BADGER_SMTP_URL is not set)")
        mail.send(to, message.subject, message.text, {"List-Unsubscribe": f"<{stop_url}>"})
        return
    sms = sms_backend(app)
    if sms is None:
        raise SendError("no SMS channel (BADGER_SMS_BACKEND)")
    sms.send(to, message.text)


def _fail(app: Flask, db: Session, n: Notification, error: str, *, permanent: bool,
          now: datetime) -> str:
    n.last_error = error[:300]
    limit = int(app.config.get("BADGER_NOTIFY_MAX_ATTEMPTS", 6))
    if permanent or n.attempts >= limit:
        n.status = FAILED
        audit.record(db, "notification.failed", obj=n, kind=n.kind, channel=n.channel,
                     attempts=n.attempts, organisation_id=_org(db, n))
        return FAILED
    n.next_attempt_at = now + backoff(app, n.attempts)
    return "retry"


def _org(db: Session, n: Notification) -> int | None:
    recipient = service.recipient_of(db, n)
    return getattr(recipient, "organisation_id", None)


def send_one(app: Flask, db: Session, notification_id: int, now: datetime) -> str:
    """Claim, render and send one message; its outcome: sent, retry, failed, stopped, skipped."""
    if not _claim(db, notification_id, now):
        return "skipped"
    n = db.scalars(select(Notification).where(Notification.id == notification_id)
                   .execution_options(unscoped=True)).one()
    recipient = service.recipient_of(db, n)
    found = service.address(db, recipient) if recipient is not None else None
    if recipient is None or found is None or found[0] != n.channel:
        n.status = STOPPED
        db.commit()
        return STOPPED
    token = secrets.token_urlsafe(24)
    stop_url = urls.base_url() + service.STOP_PATH + token
    n.language = service.language_of(recipient)
    n.attempts += 1
    try:
        message = render(n.kind, n.language, n.params, n.link, stop_url)
    except (ValueError, KeyError, TypeError) as exc:
        outcome = _fail(app, db, n, f"cannot write the message: {exc!r}", permanent=True, now=now)
        db.commit()
        return outcome
    try:
        _deliver(app, n.channel, found[1], message, stop_url)
    except SendError as exc:
        outcome = _fail(app, db, n, str(exc), permanent=exc.permanent, now=now)
    else:
        n.status, n.sent_at, n.last_error = SENT, utcnow(), None
        n.stop_hash = url_token_hash(token)
        audit.record(db, "notification.sent", obj=n, kind=n.kind, channel=n.channel,
                     attempts=n.attempts, organisation_id=getattr(recipient, "organisation_id",
                                                                  None))
        outcome = SENT
    db.commit()
    return outcome


def send_due(app: Flask, *, limit: int = 500, now: datetime | None = None) -> Counter[str]:
    """Send every message due now (at most ``limit``); outcome → count."""
    counts: Counter[str] = Counter()
    db = get_db(app).session()
    try:
        when = now or utcnow()
        due = db.scalars(select(Notification.id).where(
            Notification.status == PENDING, Notification.next_attempt_at <= when,
        ).order_by(Notification.next_attempt_at, Notification.id).limit(limit)
            .execution_options(unscoped=True)).all()
        for notification_id in due:
            try:
                counts[send_one(app, db, notification_id, when)] += 1
            except Exception:
                db.rollback()
                app.logger.exception("notification %s", notification_id)
                counts["error"] += 1
    finally:
        db.close()
    return counts
