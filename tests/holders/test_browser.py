"""In Chromium at 360 px: a participant proves their phone with the code from the SMS outbox,
then imports a badge given to that phone; the identity page has no axe-core violation
(WCAG 2.2 AA) in French, English and Arabic (right to left) and fits the screen."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from badger.ob3 import model, sign
from tests.a11y import assert_accessible
from tests.ob3._factory import credential, key
from tests.portfolio.test_browser import login, no_horizontal_overflow
from tests.verification import _creds

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_prove_a_phone_then_import_its_badge_on_a_phone(
    app: Any, live_server: str, make: Any, participant: Any, phone_page: Any, tmp_path: Path,
    lang: str,
) -> None:
    app.extensions["badger.web_resolver"] = _creds.resolver()
    page = phone_page
    login(page, live_server, make.login_code(participant))
    if lang != "fr":
        page.locator("details.lang-menu > summary").click()  # the header's language menu
        page.locator(f".lang-switch button[value={lang}]").click()
        page.wait_for_load_state()
    page.goto(f"{live_server}/me/identities")
    assert no_horizontal_overflow(page)
    assert_accessible(page, f"identities ({lang})")
    page.locator("#identity-phone").fill("07 98 76 54 32")
    page.locator("#identity-phone").press("Enter")
    page.wait_for_load_state()
    outbox = Path(app.config["INSTANCE_PATH"]) / "sms-outbox.jsonl"
    sent = json.loads(outbox.read_text(encoding="utf-8").splitlines()[-1])
    assert sent["to"] == "+33798765432"
    assert_accessible(page, f"identities, code sent ({lang})")
    page.locator("#identity-code").fill(re.search(r"\d{6}", sent["text"]).group(0))  # type: ignore[union-attr]
    page.locator("#identity-code").press("Enter")
    page.wait_for_load_state()
    assert "+33 •••• 32" in page.content()

    doc = credential()
    doc["credentialSubject"]["identifier"] = [
        model.identity_object("+33798765432", identity_type="phone")
    ]
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(sign(doc, key(), _creds.vm(), created=_creds.CREATED)))
    page.goto(f"{live_server}/portfolio")
    page.locator("#import-file").set_input_files(str(badge))
    page.locator("#import-identity").fill("07 98 76 54 32")
    page.locator("#import-identity").press("Enter")
    page.wait_for_load_state()
    assert page.locator(".import-item .holder-mark").count() == 1
    assert_accessible(page, f"portfolio with a bound import ({lang})")
