"""The compact header on a 360×740 phone in Chromium: one row at most 64 px tall, so a grid
step's "Enregistrer et continuer" is on the first screen (French, Arabic, Ukrainian); the
language menu and the menu button are <details> disclosures that open with the keyboard, close
with Escape and work without JavaScript; right to left in Arabic; axe-core finds nothing with
each menu closed and open; on a wide screen both stand open."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.a11y import assert_accessible, no_overflow
from tests.grids._factory import journey_round, published_version

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
SAVE = {"fr": "Enregistrer et continuer", "ar": "حفظ ومتابعة", "uk": None}
MENU = {"fr": "Menu", "ar": "القائمة", "uk": "Меню"}


def _shot(page: Any, name: str) -> None:
    if os.environ.get("BADGER_SCREENSHOTS"):  # look at it: BADGER_SCREENSHOTS=/tmp/shots
        page.screenshot(path=f"{os.environ['BADGER_SCREENSHOTS']}/{name}.png")


def _header_height(page: Any) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


@pytest.fixture
def step(db: Any, org: Any, coach: Any, participant: Any) -> str:
    rnd = journey_round(db, org, participant, coach, published_version(db))
    return f"/me/rounds/{rnd.id}/step/1"


def _log_in(page: Any, live_server: str, make: Any, participant: Any, lang: str) -> None:
    page.goto(f"{live_server}/code/{make.login_code(participant)}")
    with page.expect_navigation():
        page.locator("main form:not(.easy-read-switch) button[type=submit]").click()
    if page.evaluate("document.documentElement.lang") != lang:
        page.locator("details.lang-menu > summary").click()
        with page.expect_navigation():
            page.locator(f".lang-switch button[value={lang}]").click()
    assert page.evaluate("document.documentElement.lang") == lang


@pytest.mark.parametrize("lang", ["fr", "ar", "uk"])
def test_grid_step_save_button_is_on_the_first_screen(
    live_server: str, browser: Any, make: Any, participant: Any, step: str, lang: str
) -> None:
    context = browser.new_context(viewport=PHONE, locale=lang)
    page = context.new_page()
    try:
        _log_in(page, live_server, make, participant, lang)
        page.goto(live_server + step)
        page.wait_for_load_state("load")
        assert _header_height(page) <= 64
        save = page.locator("main button[name=go][value=next]")
        if SAVE[lang]:
            assert save.inner_text().strip() == SAVE[lang]
        box = save.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
        # every part of the header row is whole on screen, tappable, on one line
        for part in ("a.brand", "details.lang-menu > summary", "details.nav-menu > summary"):
            b = page.locator(part).bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"], (part, b)
            assert b["width"] >= 44 and b["height"] >= 44, (part, b)
        menu = page.locator("details.nav-menu > summary")
        assert menu.inner_text().strip() == MENU[lang]
        assert not page.locator("nav.main-nav a").first.is_visible()
        no_overflow(page)
        assert_accessible(page, f"grid step, menus closed ({lang})")
        _shot(page, f"header-step-{lang}")
        if lang == "ar":  # mirrored: the brand at the right, the menu button at the left
            brand = page.locator("a.brand").bounding_box()
            summary = page.locator("details.nav-menu > summary").bounding_box()
            assert brand["x"] > summary["x"] + summary["width"]
        menu.click()
        links = page.locator("nav.main-nav a")
        assert links.count() == 6
        for i in range(links.count()):
            b = links.nth(i).bounding_box()
            assert links.nth(i).is_visible() and b["x"] >= 0 and b["x"] + b["width"] <= 360
        assert page.locator("nav.main-nav a[aria-current=true]").count() == 1  # "Mes grilles"
        assert_accessible(page, f"grid step, menu open ({lang})")
        _shot(page, f"header-menu-{lang}")
        page.locator("details.lang-menu > summary").click()  # opening one closes the other
        assert not links.first.is_visible()
        buttons = page.locator(".lang-switch button")
        assert buttons.count() >= 4
        for i in range(buttons.count()):
            b = buttons.nth(i).bounding_box()
            assert buttons.nth(i).is_visible() and b["height"] >= 44
            assert b["x"] >= 0 and b["x"] + b["width"] <= 360
        assert page.locator(".lang-switch button[aria-current=true]").get_attribute("value") == lang
        assert_accessible(page, f"grid step, language menu open ({lang})")
        _shot(page, f"header-lang-{lang}")
    finally:
        context.close()


def test_menus_with_the_keyboard(
    live_server: str, browser: Any, make: Any, participant: Any
) -> None:
    context = browser.new_context(viewport=PHONE, locale="fr")
    page = context.new_page()
    try:
        _log_in(page, live_server, make, participant, "fr")
        summary = page.locator("details.nav-menu > summary")
        summary.focus()
        page.keyboard.press("Enter")
        assert page.locator("details.nav-menu").get_attribute("open") is not None
        page.keyboard.press("Tab")  # into the panel: the first entry
        assert page.evaluate("document.activeElement.innerText.trim()") == "Mon espace"
        page.keyboard.press("Escape")
        assert page.locator("details.nav-menu").get_attribute("open") is None
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Space")
        assert page.locator("details.nav-menu").get_attribute("open") is not None
        page.mouse.click(180, 700)  # a tap elsewhere (under the open panel) closes it
        assert page.locator("details.nav-menu").get_attribute("open") is None
        # the language menu: Enter opens it, a language button changes the page's language
        page.locator("details.lang-menu > summary").focus()
        page.keyboard.press("Enter")
        page.locator(".lang-switch button[value=ar]").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
            "ar", "rtl"]
    finally:
        context.close()


def test_menus_work_without_javascript(
    live_server: str, browser: Any, make: Any, participant: Any, step: str
) -> None:
    context = browser.new_context(viewport=PHONE, locale="fr", java_script_enabled=False)
    page = context.new_page()
    try:
        _log_in(page, live_server, make, participant, "fr")
        page.locator("summary", has_text="Menu").click()
        with page.expect_navigation():
            page.get_by_role("navigation").get_by_role("link", name="Mes badges").click()
        assert page.url.endswith("/portfolio")
        page.locator("summary", has_text="Français").click()
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.url.endswith("/portfolio")
    finally:
        context.close()


def test_wide_screen_keeps_the_expanded_header(
    live_server: str, browser: Any, make: Any, participant: Any
) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr")
    page = context.new_page()
    try:
        _log_in(page, live_server, make, participant, "fr")
        assert not page.locator("details.nav-menu > summary").is_visible()
        links = page.locator("nav.main-nav a")
        tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
        assert links.first.is_visible() and len(tops) == 1
        assert page.get_by_role("button", name="English").is_visible()
        assert_accessible(page, "participant home, 1024 px")
        _shot(page, "header-wide")
    finally:
        context.close()
