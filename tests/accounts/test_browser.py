"""A participant logs in with a code on a small phone, in Chromium."""

from __future__ import annotations

import pytest

from tests.a11y import no_overflow

pytestmark = pytest.mark.browser


def test_participant_code_login_on_a_phone(live_server, phone_page, make, participant):
    code = make.login_code(participant)
    page = phone_page
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="J'ai un code de connexion").click()
    page.get_by_label("Code de connexion").fill(code)
    page.get_by_role("button", name="Entrer").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Amina"
    no_overflow(page)


def test_language_switch_in_the_browser(live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server}/login")
    page.locator("details.lang-menu > summary").click()  # on a phone, languages are a menu
    with page.expect_navigation():
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


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_shell_pages_are_accessible(live_server, browser, make, participant, admin, lang):
    from tests.a11y import assert_accessible, no_overflow

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale=lang)
    page = context.new_page()
    try:
        for path in ("/", "/login", "/code", "/nowhere"):
            page.goto(f"{live_server}{path}")
            assert page.evaluate("document.documentElement.lang") == lang
            assert_accessible(page, f"{path} ({lang})")
            no_overflow(page)
        page.goto(f"{live_server}/code/{make.login_code(participant)}")
        with page.expect_navigation():
            page.locator("main button[type=submit]").last.click()
        assert_accessible(page, f"participant home ({lang})")
        with page.expect_navigation():
            page.locator("footer button[type=submit]").click()
        page.goto(f"{live_server}/login")
        page.locator("#email").fill(admin.email)
        page.locator("#password").fill(admin.test_password)
        with page.expect_navigation():
            page.locator("main form:not(.easy-read-switch) button[type=submit]").click()
        for path in ("/", "/admin/participants", "/admin/staff"):
            page.goto(f"{live_server}{path}")
            assert_accessible(page, f"{path} as admin ({lang})")
            no_overflow(page)
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_sessions_page_on_a_phone(live_server, browser, make, participant, lang):
    """The footer link leads to the list of devices; ending the other one works on a 360 px
    phone, in a left-to-right and a right-to-left language, and the page passes axe."""
    from tests.a11y import assert_accessible

    other = browser.new_context(viewport={"width": 1280, "height": 800})
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale=lang)
    try:
        laptop = other.new_page()
        laptop.goto(f"{live_server}/code/{make.login_code(participant)}")
        with laptop.expect_navigation():
            laptop.locator("main button[type=submit]").last.click()
        page = context.new_page()
        page.goto(f"{live_server}/code/{make.login_code(participant)}")
        with page.expect_navigation():
            page.locator("main button[type=submit]").last.click()
        with page.expect_navigation():
            page.locator("footer a[href='/account/sessions']").click()
        assert page.locator("main li").count() == 2
        no_overflow(page)
        with page.expect_navigation():
            page.locator("main li form button").first.click()
        assert page.locator("main li").count() == 1
        laptop.reload()  # the other device is logged out: the landing page, no account link
        assert laptop.locator("footer a[href='/account/sessions']").count() == 0
        assert_accessible(page, f"sessions ({lang})")  # last: skips when axe-core is absent
    finally:
        context.close()
        other.close()
