"""A participant logs in with a code on a small phone, in Chromium."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_participant_code_login_on_a_phone(live_server, phone_page, make, participant):
    code = make.login_code(participant)
    page = phone_page
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="J'ai un code de connexion").click()
    page.get_by_label("Code de connexion").fill(code)
    page.get_by_role("button", name="Entrer").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Amina"
    # Nothing overflows horizontally at 360 px.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_language_switch_in_the_browser(live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server}/login")
    page.get_by_role("button", name="English").click()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.goto(f"{live_server}/")
    assert page.evaluate("document.documentElement.lang") == "en"


def test_scanned_qr_link_logs_in_after_one_tap(live_server, phone_page, make, participant):
    code = make.login_code(participant)
    page = phone_page
    page.goto(f"{live_server}/code/{code}")
    page.get_by_role("button", name="Entrer").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Amina"
