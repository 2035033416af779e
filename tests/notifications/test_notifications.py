"""Notifications end to end: the participant's choice over HTTP, messages queued in the
database, delivered to a loopback SMTP server, to the SMS file backend and to a fake Twilio
API, retried after a failure on the frozen clock, stopped from the page and from the stop
link, in the reader's language; purged, erased and exported with the participant."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from badger import maintenance
from badger.audit import AuditEvent
from badger.notifications import (
    Notification,
    NotificationPreference,
    enqueue,
    register_kind,
    send_due,
)
from badger.notifications.sending import backoff
from badger.portfolio.erasure import erase
from badger.portfolio.export import export_zip
from tests.notifications._servers import free_port, smtp_on, twilio_server

STOP = re.compile(r"http://localhost/notifications/stop/([A-Za-z0-9_-]+)")


def _choose(client: Any, channel: str, contact: str) -> Any:
    return client.post("/me/notifications", data={"channel": channel, "contact": contact})


def _queue(db: Any, participant: Any, **extra: Any) -> Notification | None:
    found = enqueue(db, participant=participant, kind="notifications.test",
                    link="/me/badges", params={"name": participant.display_name}, **extra)
    db.commit()
    return found


def _row(db: Any, n: Notification) -> Notification:
    db.expire_all()
    return db.scalars(select(Notification).where(Notification.id == n.id)).one()


def _events(db: Any, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --------------------------------------------------------------------------- e-mail


def test_email_reaches_a_loopback_smtp_server_in_the_participants_language(
    app: Any, db: Any, participant_client: Any, participant: Any
) -> None:
    participant.locale = "en"
    db.commit()
    assert _choose(participant_client, "email", " Amina@Example.ORG ").status_code == 302
    page = participant_client.get("/me/notifications").get_data(as_text=True)
    assert "amina@example.org" in page
    n = _queue(db, participant)
    assert n is not None and n.channel == "email" and n.status == "pending"
    with smtp_on(free_port()) as server:
        app.config["BADGER_SMTP_URL"] = f"smtp://127.0.0.1:{server.server_address[1]}"
        assert send_due(app)["sent"] == 1
    (to, msg), = server.messages
    assert to == ["amina@example.org"]
    assert msg["Subject"] == "Test message"
    text = msg.get_content()
    assert "Hello Amina, your messages arrive here." in text
    assert "http://localhost/me/badges" in text
    stop = STOP.search(text)
    assert stop and str(msg["List-Unsubscribe"]).strip() == f"<{stop.group(0)}>"
    row = _row(db, n)
    assert (row.status, row.attempts, row.language) == ("sent", 1, "en")
    assert row.sent_at is not None and row.stop_hash and stop.group(1) not in row.stop_hash
    (event,) = _events(db, "notification.sent")
    assert event.object_id == str(n.id) and "amina" not in json.dumps(event.details)


def test_staff_get_e_mails_at_their_login_address(app: Any, db: Any, coach: Any) -> None:
    register_kind("tests.staff", subject=_l("Message d'essai"),
                  body=_l("Bonjour %(name)s, vos messages arrivent bien ici."))
    n = enqueue(db, user=coach, kind="tests.staff", link=None, params={"name": "Chloé"})
    db.commit()
    assert n is not None
    with smtp_on(free_port()) as server:
        app.config["BADGER_SMTP_URL"] = f"smtp://127.0.0.1:{server.server_address[1]}"
        assert send_due(app)["sent"] == 1
    (to, msg), = server.messages
    assert to == [coach.email] and msg["Subject"] == "Message d'essai"
    assert "Bonjour Chloé, vos messages arrivent bien ici." in msg.get_content()


# --------------------------------------------------------------------------- SMS


def test_sms_goes_to_the_file_backend_in_arabic(
    app: Any, db: Any, participant_client: Any, participant: Any, tmp_path: Path
) -> None:
    outbox = tmp_path / "sms.jsonl"
    app.config["BADGER_SMS_BACKEND"] = f"file:{outbox}"
    participant.locale = "ar"
    db.commit()
    assert _choose(participant_client, "sms", "06 12 34 56 78").status_code == 302
    _queue(db, participant)
    assert send_due(app)["sent"] == 1
    (line,) = outbox.read_text(encoding="utf-8").splitlines()
    sms = json.loads(line)
    assert sms["to"] == "+33612345678"
    assert sms["text"].startswith("مرحبا Amina")
    assert "http://localhost/me/badges" in sms["text"] and STOP.search(sms["text"])
    assert len(sms["text"]) < 300
    assert outbox.stat().st_mode & 0o777 == 0o600


def test_the_outbox_default_writes_under_the_instance_folder(
    app: Any, db: Any, participant_client: Any, participant: Any
) -> None:
    app.config["BADGER_SMS_BACKEND"] = "outbox"
    app.config["BADGER_SMTP_URL"] = None
    _choose(participant_client, "email", "amina@example.org")
    _queue(db, participant)
    assert send_due(app)["sent"] == 1
    mail = Path(app.config["INSTANCE_PATH"]) / "mail-outbox.jsonl"
    assert json.loads(mail.read_text(encoding="utf-8"))["to"] == "amina@example.org"


def test_twilio_adapter_posts_the_documented_form_and_stops_on_a_refusal(
    app: Any, db: Any, participant_client: Any, participant: Any
) -> None:
    with twilio_server() as server:
        port = server.server_address[1]
        app.config["BADGER_SMS_BACKEND"] = (
            f"twilio+http://AC123:s%40cret@127.0.0.1:{port}?from=%2B33700000000")
        assert _choose(participant_client, "sms", "+33 6 12 34 56 78").status_code == 302
        first = _queue(db, participant)
        assert send_due(app)["sent"] == 1
        (req,) = server.requests
        assert req["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
        assert req["auth"] == "Basic " + base64.b64encode(b"AC123:s@cret").decode()
        form = parse_qs(req["body"])
        assert form["To"] == ["+33612345678"] and form["From"] == ["+33700000000"]
        assert "Amina" in form["Body"][0]
        # a 5xx is tried again later; a 400 (bad number) fails at once
        server.answers[:] = [503]
        second = _queue(db, participant)
        assert send_due(app)["retry"] == 1
        assert _row(db, second).last_error.startswith("HTTP 503")
        server.answers[:] = [400]
        third = _queue(db, participant)
        assert send_due(app)["failed"] == 1
    row = _row(db, third)
    assert row.status == "failed" and "not valid" in row.last_error
    assert _row(db, first).status == "sent"
    assert len(_events(db, "notification.failed")) == 1


# --------------------------------------------------------------------------- retries


def test_retried_after_the_server_was_down_with_backoff_on_the_clock(
    app: Any, db: Any, participant_client: Any, participant: Any, clock: Any
) -> None:
    port = free_port()  # nobody listens there yet
    app.config["BADGER_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    app.config["BADGER_NOTIFY_RETRY_SECONDS"] = 60
    _choose(participant_client, "email", "amina@example.org")
    n = _queue(db, participant)
    assert send_due(app)["retry"] == 1
    row = _row(db, n)
    assert (row.status, row.attempts) == ("pending", 1) and row.last_error
    assert row.next_attempt_at == clock.now + timedelta(seconds=60)
    assert row.stop_hash is None  # no live stop link for a message that did not leave
    assert send_due(app)["retry"] == 0  # not due yet
    clock.advance(seconds=59)
    assert sum(send_due(app).values()) == 0
    clock.advance(seconds=1)
    assert send_due(app)["retry"] == 1  # still down: the wait doubles
    assert _row(db, n).next_attempt_at == clock.now + timedelta(seconds=120)
    clock.advance(seconds=120)
    with smtp_on(port) as server:
        assert send_due(app)["sent"] == 1
    assert len(server.messages) == 1
    row = _row(db, n)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


def test_gives_up_after_the_configured_attempts(
    app: Any, db: Any, participant_client: Any, participant: Any, clock: Any
) -> None:
    app.config["BADGER_SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    app.config["BADGER_NOTIFY_MAX_ATTEMPTS"] = 2
    _choose(participant_client, "email", "amina@example.org")
    n = _queue(db, participant)
    assert send_due(app)["retry"] == 1
    clock.advance(hours=1)
    assert send_due(app)["failed"] == 1
    assert _row(db, n).status == "failed"
    (event,) = _events(db, "notification.failed")
    assert event.details["attempts"] == 2
    clock.advance(days=2)
    assert sum(send_due(app).values()) == 0


def test_backoff_doubles_and_is_capped(app: Any) -> None:
    app.config["BADGER_NOTIFY_RETRY_SECONDS"] = 60
    assert [backoff(app, k).total_seconds() for k in (1, 2, 3)] == [60, 120, 240]
    assert backoff(app, 40) == timedelta(days=1)


def test_cli_sends_what_is_due(
    app: Any, db: Any, participant_client: Any, participant: Any, tmp_path: Path
) -> None:
    app.config["BADGER_SMS_BACKEND"] = f"file:{tmp_path / 'sms.jsonl'}"
    _choose(participant_client, "sms", "0612345678")
    _queue(db, participant)
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "sent: 1" in result.output
    assert (tmp_path / "sms.jsonl").read_text(encoding="utf-8").count("\n") == 1


# --------------------------------------------------------------------------- stopping


def test_stop_all_from_the_page_deletes_the_address_and_stops_queued_messages(
    app: Any, db: Any, participant_client: Any, participant: Any, tmp_path: Path
) -> None:
    app.config["BADGER_SMS_BACKEND"] = f"file:{tmp_path / 'sms.jsonl'}"
    _choose(participant_client, "sms", "0612345678")
    queued = _queue(db, participant)
    assert participant_client.post("/me/notifications/stop").status_code == 302
    pref = db.scalars(select(NotificationPreference)).one()
    db.refresh(pref)
    assert (pref.channel, pref.contact) == ("none", None) and pref.stopped_at is not None
    assert _row(db, queued).status == "stopped"
    assert _queue(db, participant) is None
    assert sum(send_due(app).values()) == 0
    assert not (tmp_path / "sms.jsonl").exists()
    page = participant_client.get("/me/notifications").get_data(as_text=True)
    assert "Vous ne recevez pas de messages." in page and "0612345678" not in page
    assert _events(db, "notifications.stop")[0].details["via"] == "page"


def test_changing_channel_before_sending_stops_the_old_message(
    app: Any, db: Any, participant_client: Any, participant: Any, tmp_path: Path
) -> None:
    app.config["BADGER_SMS_BACKEND"] = f"file:{tmp_path / 'sms.jsonl'}"
    app.config["BADGER_SMTP_URL"] = None
    _choose(participant_client, "sms", "0612345678")
    old = _queue(db, participant)
    _choose(participant_client, "email", "amina@example.org")
    assert send_due(app)["stopped"] == 1
    assert _row(db, old).status == "stopped"


def test_the_stop_link_needs_no_login_and_a_scanner_opening_it_stops_nothing(
    app: Any, db: Any, make: Any, participant: Any, tmp_path: Path
) -> None:
    outbox = tmp_path / "sms.jsonl"
    app.config["BADGER_SMS_BACKEND"] = f"file:{outbox}"
    client = app.test_client()
    from tests.conftest import login_participant

    login_participant(client, make, participant)
    _choose(client, "sms", "0612345678")
    _queue(db, participant)
    send_due(app)
    url = STOP.search(json.loads(outbox.read_text())["text"]).group(0)  # type: ignore[union-attr]
    stranger = app.test_client()
    page = stranger.get(url.removeprefix("http://localhost"))
    assert page.status_code == 200 and "Arrêter les messages" in page.get_data(as_text=True)
    assert _queue(db, participant) is not None  # GET stopped nothing
    done = stranger.post(url.removeprefix("http://localhost"))
    assert done.status_code == 200
    assert "vous ne recevrez plus de messages" in done.get_data(as_text=True)
    assert _queue(db, participant) is None
    assert _events(db, "notifications.stop")[0].details["via"] == "link"
    assert stranger.get("/notifications/stop/" + "x" * 32).status_code == 404
    assert stranger.post("/notifications/stop/" + "x" * 32).status_code == 404


# --------------------------------------------------------------------------- the page


@pytest.mark.parametrize(("channel", "contact", "message"), [
    ("sms", "12", "Ce numéro de téléphone n'est pas valable."),
    ("email", "not-an-address", "Cette adresse e-mail n'est pas valable."),
    ("fax", "x", "Choisissez SMS, e-mail ou aucun message."),
])
def test_bad_contacts_are_refused_plainly(
    participant_client: Any, db: Any, channel: str, contact: str, message: str
) -> None:
    answer = _choose(participant_client, channel, contact)
    assert answer.status_code == 422
    assert message in html.unescape(answer.get_data(as_text=True))
    assert db.scalars(select(NotificationPreference)).first() is None


def test_a_channel_the_server_cannot_send_through_is_refused(
    app: Any, participant_client: Any
) -> None:
    app.config["BADGER_SMS_BACKEND"] = "none"
    page = html.unescape(participant_client.get("/me/notifications").get_data(as_text=True))
    assert "L'envoi de SMS n'est pas disponible" in page
    assert _choose(participant_client, "sms", "0612345678").status_code == 422


def test_the_test_message_button_queues_one(
    app: Any, db: Any, participant_client: Any, participant: Any
) -> None:
    assert participant_client.post("/me/notifications/test").status_code == 409
    _choose(participant_client, "email", "amina@example.org")
    assert participant_client.post("/me/notifications/test").status_code == 302
    (n,) = db.scalars(select(Notification)).all()
    assert (n.kind, n.params, n.link) == (
        "notifications.test", {"name": "Amina"}, "http://localhost/me/notifications")


def test_staff_cannot_use_the_participants_page(admin_client: Any) -> None:
    assert admin_client.get("/me/notifications").status_code == 403


def test_enqueue_refuses_unknown_kinds_and_missing_params(db: Any, participant: Any) -> None:
    with pytest.raises(ValueError, match="unknown notification kind"):
        enqueue(db, participant=participant, kind="nope", link=None, params={})
    with pytest.raises(ValueError, match="params do not fit"):
        enqueue(db, participant=participant, kind="notifications.test", link=None, params={})
    with pytest.raises(ValueError, match="participant or a user"):
        enqueue(db, kind="notifications.test", link=None, params={"name": "x"})
    # a participant who never chose a channel gets nothing
    assert enqueue(db, participant=participant, kind="notifications.test", link=None,
                   params={"name": "x"}) is None


# --------------------------------------------------------------------------- retention


def test_purge_drops_old_finished_messages_and_keeps_waiting_ones(
    app: Any, db: Any, participant_client: Any, participant: Any, clock: Any, tmp_path: Path
) -> None:
    app.config["BADGER_SMS_BACKEND"] = f"file:{tmp_path / 'sms.jsonl'}"
    _choose(participant_client, "sms", "0612345678")
    sent = _queue(db, participant)
    send_due(app)
    waiting = _queue(db, participant, now=clock.now + timedelta(days=1))
    retention = maintenance.Retention.from_config(app.config)
    assert retention.notifications == timedelta(days=30)
    day_30 = clock.now + timedelta(days=30)
    assert maintenance.purge(db, retention, now=day_30)["notifications.messages"] == 0
    counts = maintenance.purge(db, retention, now=day_30 + timedelta(seconds=1))
    db.commit()
    assert counts["notifications.messages"] == 1
    left = [n.id for n in db.scalars(select(Notification))]
    assert left == [waiting.id] and sent.id not in left  # type: ignore[union-attr]


def test_export_and_erasure_carry_the_address_and_the_messages(
    app: Any, db: Any, participant_client: Any, participant: Any, tmp_path: Path
) -> None:
    app.config["BADGER_SMS_BACKEND"] = f"file:{tmp_path / 'sms.jsonl'}"
    _choose(participant_client, "sms", "0612345678")
    _queue(db, participant)
    send_due(app)
    db.expire_all()
    with zipfile.ZipFile(io.BytesIO(export_zip(db, participant))) as zf:
        data = json.loads(zf.read("notifications.json"))
    assert (data["channel"], data["contact"]) == ("sms", "+33612345678")
    (msg,) = data["messages"]
    assert (msg["kind"], msg["status"], msg["params"]) == (
        "notifications.test", "sent", {"name": "Amina"})
    erase(db, participant)
    db.commit()
    assert db.scalars(select(Notification)).first() is None
    assert db.scalars(select(NotificationPreference)).first() is None
