"""A shared phone: the pages the service worker kept for one person are never served to the
next one, even when the first did not log out (their session was replaced by the next login)
and the network is gone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import browser_login_staff
from tests.grids.test_offline_sync import offline_session

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

PAGE_CACHES = """async () => (await caches.keys()).filter(k => k.startsWith("badger-pages-"))"""


@pytest.fixture
def context(browser: Any) -> Any:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    yield ctx
    ctx.close()


def test_the_next_person_never_gets_the_last_one_s_kept_pages_offline(
    live_server, context, db, make, org, coach
):
    amina = make.participant(org, "Amina")
    bastien = make.participant(org, "Bastien")
    gs = offline_session(db, org, coach, [amina], n=3)
    code = make.login_code(bastien)
    page = context.new_page()
    browser_login_staff(page, live_server, coach)
    url = f"{live_server}/sessions/{gs.id}"
    page.goto(url)
    page.wait_for_selector("html[data-offline-ready='1']", timeout=15000)
    coach_pages = page.evaluate(PAGE_CACHES)
    assert len(coach_pages) == 1
    # the coach hands the phone over without logging out; a participant logs in with a code
    page.goto(f"{live_server}/code")
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.get_by_role("button", name="Entrer").click()
    expect(page.locator("body")).to_contain_text("Bastien")
    # their first page already drops what was kept for the coach
    for _ in range(50):
        if not page.evaluate(PAGE_CACHES):
            break
        page.wait_for_timeout(200)
    assert page.evaluate(PAGE_CACHES) == []
    # offline, the back button to the coach's group screen gets nothing of it
    context.set_offline(True)
    with pytest.raises(Exception, match=r"ERR_INTERNET_DISCONNECTED|ERR_FAILED"):
        page.goto(url)
    expect(page.locator("body")).not_to_contain_text("Amina")
