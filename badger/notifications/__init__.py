"""Notifications: an outbox of short messages (e-mail, SMS) with retries, in the reader's language.

Low in the layer order (just above accounts) so that any domain may enqueue a message.

The API other domains call::

    from flask_babel import lazy_gettext as _l
    from badger.notifications import enqueue, register_kind

    # once, at import time of the calling module (texts translated at send time):
    register_kind("jobs.offer", subject=_l("Une offre pour vous"),
                  body=_l("%(job)s à %(place)s vous correspond."))

    # in the caller's transaction (flush, never commit):
    enqueue(db, participant=p, kind="jobs.offer", link="/me/offers/12",
            params={"job": "Boulanger", "place": "Lyon"})  # -> Notification | None
    enqueue(db, user=employer, kind=..., link=..., params=...)  # a staff account

``enqueue(db, *, participant=None, user=None, kind, link, params) -> Notification | None``:
exactly one of ``participant`` / ``user``; ``link`` a full http(s) URL or a path of this
server (made absolute with ``BADGER_BASE_URL``), or None; ``params`` plain JSON values for the
kind's ``%(name)s`` placeholders (checked at once: ``ValueError`` for a missing one or an
unknown kind). It returns None — nothing queued — when the person stopped messages, chose
"none", or gave no address (participants have no message until they choose a channel on
``/me/notifications``; staff get e-mails at their login address unless they stop). The
channel and language are the recipient's at send time; every message ends with its link and
a stop link. ``badger notifications send`` (cron, every minute) delivers, with retries.

Contacts: participants' proven phones and e-mails (``badger.holders``) are keyed hashes, so
the address for messages is asked for here, kept plain but alone (one address, for the
chosen channel), deleted when the person stops or chooses "none", erased with them and
included in their data export (``notifications.json``).
"""

from badger.notifications.kinds import register_kind
from badger.notifications.models import Notification, NotificationPreference
from badger.notifications.sending import send_due
from badger.notifications.service import choose, enqueue, export_rows, stop, stop_by_token

__all__ = [
    "Notification",
    "NotificationPreference",
    "choose",
    "enqueue",
    "export_rows",
    "register_kind",
    "send_due",
    "stop",
    "stop_by_token",
]
