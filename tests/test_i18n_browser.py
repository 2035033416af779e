"""Arabic on a 360 px phone in Chromium: the page mirrors (right to left), nothing scrolls
sideways, axe finds nothing, and the four-language menu of the header stays usable."""

from __future__ import annotations

import os

import pytest

from tests.a11y import assert_accessible, no_overflow
from tests.grids._factory import journey_round, published_version

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def _shot(page, name: str) -> None:
    if os.environ.get("BADGER_SCREENSHOTS"):  # look at it: BADGER_SCREENSHOTS=/tmp/shots
        page.screenshot(path=f"{os.environ['BADGER_SCREENSHOTS']}/{name}.png", full_page=True)


def _switch_is_usable(page) -> None:
    """The language menu opens; every language button is then on screen, at least 24 px each
    way, named in its language."""
    menu = page.locator("details.lang-menu > summary")
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    if page.locator("details.lang-menu[open]").count() == 0:
        menu.click()
    buttons = page.locator(".lang-switch button")
    assert buttons.count() >= 4
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.get_by_role("button", name="العربية").get_attribute("lang") == "ar"


def test_participant_home_and_grid_in_arabic_on_a_phone(
    live_server, browser, db, make, org, coach, participant
):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version)
    context = browser.new_context(viewport=PHONE, locale="ar")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/code/{make.login_code(participant)}")
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
            "ar",
            "rtl",
        ]
        with page.expect_navigation():
            page.get_by_role("button", name="دخول").click()
        page.wait_for_load_state("load")
        assert page.get_by_role("heading", level=1).inner_text() == "مرحبا Amina"
        # mirrored: the brand stands at the right, the text runs from the right
        brand = page.locator(".brand").bounding_box()
        assert brand["x"] + brand["width"] > PHONE["width"] / 2
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        _switch_is_usable(page)
        no_overflow(page)
        assert_accessible(page, "participant home (ar)")
        _shot(page, "ar-home")

        page.goto(f"{live_server}/me/rounds/{rnd.id}/step/1")
        page.wait_for_load_state("load")
        scores = page.locator(".score-choice span")
        zero, five = scores.nth(0).bounding_box(), scores.nth(5).bounding_box()
        assert zero["x"] > five["x"]  # the 0–5 row reads from the right, like the text
        assert zero["height"] >= 44 and zero["width"] >= 44
        no_overflow(page)
        assert_accessible(page, "grid fill step (ar)")
        _shot(page, "ar-grid-step")
    finally:
        context.close()


def test_choosing_arabic_in_the_browser_persists(live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server}/login")
    assert page.evaluate("document.documentElement.dir") == "ltr"
    _switch_is_usable(page)
    no_overflow(page)
    with page.expect_navigation():
        page.get_by_role("button", name="العربية").click()
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ]
    page.goto(f"{live_server}/verify")
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.locator(".lang-switch button[aria-current=true]").get_attribute("value") == "ar"
    no_overflow(page)
    assert_accessible(page, "verify page (ar)")
    _shot(page, "ar-verify")
