"""Preferences, the outbox and stopping: what other domains and the views call.

``enqueue`` only queues (in the caller's transaction); ``badger notifications send``
(:mod:`badger.notifications.sending`) delivers. Addresses are read at send time from the
recipient's :class:`NotificationPreference` (participants) or their login e-mail (staff)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badger import audit, urls
from badger.accounts.models import Participant, User
from badger.db import utcnow
from badger.errors import UserError
from badger.i18n import supported
from badger.notifications.channels import available
from badger.notifications.kinds import get_kind, render
from badger.notifications.models import (
    CHANNELS,
    EMAIL,
    NONE,
    PENDING,
    SMS,
    STOPPED,
    Notification,
    NotificationPreference,
)
from badger.ob3.model import ModelError, normalise_identity
from badger.security import url_token_hash

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
#: Path of a message's stop link (``/notifications/stop/<token>``, see views).
STOP_PATH = "/notifications/stop/"

Recipient = Participant | User


def _unscoped(query: Any) -> Any:
    return query.execution_options(unscoped=True)


def preference(db: Session, recipient: Recipient) -> NotificationPreference | None:
    column = (NotificationPreference.participant_id if isinstance(recipient, Participant)
              else NotificationPreference.user_id)
    return db.scalars(_unscoped(select(NotificationPreference).where(
        column == recipient.id))).one_or_none()


def language_of(recipient: Recipient) -> str:
    """The recipient's chosen language when this server offers it, else French."""
    locale = recipient.locale
    return locale if locale and locale in supported() else "fr"


def address(db: Session, recipient: Recipient) -> tuple[str, str] | None:
    """(channel, address) to write to now, or None: stopped, "none", or nothing to write to.
    A participant has messages only once they chose a channel and gave its address; a staff
    member gets e-mails at their login address unless they chose otherwise."""
    pref = preference(db, recipient)
    if pref is None:
        return (EMAIL, recipient.email) if isinstance(recipient, User) else None
    if pref.stopped_at is not None or pref.channel not in CHANNELS or not pref.contact:
        return None
    return pref.channel, pref.contact


def normalise_contact(channel: str, value: str) -> str:
    """The address in its canonical form, or a clear 422."""
    value = (value or "").strip()
    try:
        if channel == EMAIL:
            text = normalise_identity(value, "emailAddress")
            if len(text) <= 254 and _EMAIL.match(text):
                return text
        elif channel == SMS:
            text = normalise_identity(value, "ext:phone")
            if text.startswith("+") and 8 <= len(text) - 1 <= 15:
                return text
    except ModelError:
        pass
    if channel == SMS:
        raise UserError(_l("Ce numéro de téléphone n'est pas valable."), 422)
    raise UserError(_l("Cette adresse e-mail n'est pas valable."), 422)


def _cancel_pending(db: Session, recipient: Recipient) -> int:
    column = (Notification.participant_id if isinstance(recipient, Participant)
              else Notification.user_id)
    result = db.execute(update(Notification).where(
        column == recipient.id, Notification.status == PENDING,
    ).values(status=STOPPED, last_error=None).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _own(db: Session, recipient: Recipient) -> NotificationPreference:
    pref = preference(db, recipient)
    if pref is None:
        pref = NotificationPreference(channel=NONE)
        if isinstance(recipient, Participant):
            pref.participant_id = recipient.id
        else:
            pref.user_id = recipient.id
        db.add(pref)
    return pref


def choose(db: Session, recipient: Recipient, channel: str, contact: str) -> None:
    """Set the channel and its address ("none": no message, the address is deleted)."""
    if channel not in (*CHANNELS, NONE):
        raise UserError(_l("Choisissez SMS, e-mail ou aucun message."), 422)
    if channel != NONE and channel not in available(current_app):
        raise UserError(_l("Ce moyen d'envoi n'est pas disponible sur ce service."), 422)
    pref = _own(db, recipient)
    if channel == NONE:
        stop(db, recipient, via="page")
        return
    pref.channel, pref.contact = channel, normalise_contact(channel, contact)
    pref.stopped_at = None
    db.flush()
    audit.record(db, "notifications.choose", actor=recipient, obj=pref,
                 organisation_id=getattr(recipient, "organisation_id", None), channel=channel)


def stop(db: Session, recipient: Recipient, *, via: str) -> None:
    """No more messages: channel "none", the address deleted, queued messages stopped."""
    pref = _own(db, recipient)
    pref.channel, pref.contact, pref.stopped_at = NONE, None, utcnow()
    cancelled = _cancel_pending(db, recipient)
    db.flush()
    audit.record(db, "notifications.stop", actor=recipient, obj=pref, via=via,
                 organisation_id=getattr(recipient, "organisation_id", None),
                 cancelled=cancelled)


def recipient_of(db: Session, n: Notification) -> Recipient | None:
    if n.participant_id is not None:
        return db.scalars(_unscoped(select(Participant).where(
            Participant.id == n.participant_id))).one_or_none()
    return db.scalars(select(User).where(User.id == n.user_id)).one_or_none()


def notification_for_stop_token(db: Session, token: str) -> Notification | None:
    if not token or len(token) > 100:
        return None
    return db.scalars(_unscoped(select(Notification).where(
        Notification.stop_hash == url_token_hash(token)))).one_or_none()


def stop_by_token(db: Session, token: str) -> bool:
    """Stop every message to the person a stop link was sent to; False: unknown link (or its
    message was purged after ``BADGER_RETENTION_NOTIFICATIONS_DAYS``)."""
    n = notification_for_stop_token(db, token)
    recipient = recipient_of(db, n) if n is not None else None
    if recipient is None:
        return False
    stop(db, recipient, via="link")
    return True


def enqueue(
    db: Session,
    *,
    participant: Participant | None = None,
    user: User | None = None,
    kind: str,
    link: str | None,
    params: dict[str, Any],
    now: datetime | None = None,
) -> Notification | None:
    """Queue one message of ``kind`` (see :func:`badger.notifications.register_kind`) for a
    participant or a staff user, in the caller's transaction. ``link``: a full URL or a path
    of this server (``/me/...``, made absolute with ``BADGER_BASE_URL``). ``params`` fill the
    kind's placeholders (plain JSON values). None when the person stopped messages or gave
    no address for their channel. ``ValueError`` for an unknown kind or missing params."""
    if (participant is None) == (user is None):
        raise ValueError("enqueue() takes a participant or a user")
    recipient: Recipient = participant if participant is not None else user  # type: ignore[assignment]
    get_kind(kind)
    try:
        render(kind, "fr", params, None, None)  # wrong params fail here, in the caller
    except (KeyError, TypeError) as exc:
        raise ValueError(f"params do not fit the kind {kind!r}: {exc!r}") from None
    if link and link.startswith("/"):
        link = urls.base_url() + link
    if link is not None and (len(link) > 500 or not link.startswith(("https://", "http://"))):
        raise ValueError("a notification link is an http(s) URL of at most 500 characters")
    found = address(db, recipient)
    if found is None:
        return None
    n = Notification(
        participant_id=participant.id if participant is not None else None,
        user_id=user.id if user is not None else None,
        channel=found[0], kind=kind, language=language_of(recipient), link=link,
        params=dict(params), status=PENDING, attempts=0, next_attempt_at=now or utcnow(),
        created_at=now or utcnow(),
    )
    db.add(n)
    db.flush()
    return n


def export_rows(db: Session, participant: Participant) -> dict[str, Any]:
    """What the data export holds: the choice, the address, and each message kept."""
    pref = preference(db, participant)
    rows = db.scalars(_unscoped(select(Notification).where(
        Notification.participant_id == participant.id).order_by(Notification.id))).all()

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "channel": pref.channel if pref else NONE,
        "contact": pref.contact if pref else None,
        "stopped_at": iso(pref.stopped_at) if pref else None,
        "messages": [
            {"kind": n.kind, "channel": n.channel, "language": n.language, "link": n.link,
             "params": n.params, "status": n.status, "attempts": n.attempts,
             "created_at": iso(n.created_at), "sent_at": iso(n.sent_at)}
            for n in rows
        ],
    }
