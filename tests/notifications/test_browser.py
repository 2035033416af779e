"""In Chromium at 360 px: a participant chooses SMS on "Mes messages", gets a message in the
SMS file backend, opens its stop link without being logged in and stops with one tap; both
pages fit the screen and have no axe-core violation (WCAG 2.2 AA) in French, English and
Arabic (right to left)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from badger.notifications import enqueue, send_due
from tests.a11y import assert_accessible
from tests.portfolio.test_browser import login, no_horizontal_overflow

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_choose_sms_then_stop_from_the_message_on_a_phone(
    app: Any, db: Any, live_server: str, make: Any, participant: Any, phone_page: Any,
    browser: Any, tmp_path: Path, lang: str,
) -> None:
    outbox = tmp_path / "sms.jsonl"
    app.config["BADGER_SMS_BACKEND"] = f"file:{outbox}"
    page = phone_page
    login(page, live_server, make.login_code(participant))
    if lang != "fr":
        page.locator("details.lang-menu > summary").click()  # languages are a menu on a phone
        page.locator(f".lang-switch button[value={lang}]").click()
        page.wait_for_load_state()
    page.goto(f"{live_server}/me/notifications")
    assert no_horizontal_overflow(page)
    assert_accessible(page, f"my messages ({lang})")
    page.locator("#notify-phone").fill("07 98 76 54 32")
    page.locator("#notify-phone").press("Enter")
    page.wait_for_load_state()
    assert "+33798765432" in page.locator("#notify-status").inner_text()
    assert_accessible(page, f"my messages, SMS chosen ({lang})")

    db.expire_all()
    enqueue(db, participant=participant, kind="notifications.test", link="/me/badges",
            params={"name": participant.display_name})
    db.commit()
    assert send_due(app)["sent"] == 1
    text = json.loads(outbox.read_text(encoding="utf-8"))["text"]
    stop = re.search(r"/notifications/stop/[A-Za-z0-9_-]+", text).group(0)  # type: ignore[union-attr]

    stranger = browser.new_page(viewport={"width": 360, "height": 740})
    stranger.goto(f"{live_server}{stop}")
    assert no_horizontal_overflow(stranger)
    assert_accessible(stranger, f"stop link ({lang})")
    stranger.locator("#stop-button").click()
    stranger.wait_for_load_state()
    assert stranger.locator("#stop-done").count() == 1
    stranger.close()
    page.reload()
    assert "+33798765432" not in page.content()
