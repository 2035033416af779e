"""The share page right after a link is made, on a 360 px phone in Chromium: "Copier le lien"
writes the link with the Clipboard API (or, refused, selects it and says so), "Partager" opens the
phone's share sheet (Web Share API) and is hidden where the browser cannot share; both live in
static/js/share.js under the page's strict CSP. Later the page says why the link and its QR
code cannot be shown again and offers a new link, whose page shows a new QR code."""

from __future__ import annotations

from typing import Any

import pytest

from tests.a11y import assert_accessible, no_overflow
from tests.portfolio import _factory

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}

#: Stand-ins for the clipboard and the share sheet that record what the page asks of them.
STUBS = """
window.__calls = {copy: [], share: []};
Object.defineProperty(navigator, 'clipboard', {configurable: true, value: {
  writeText: (text) => { window.__calls.copy.push(text);
    return window.__refuse ? Promise.reject(new Error('denied')) : Promise.resolve(); }}});
navigator.share = (data) => { window.__calls.share.push(data); return Promise.resolve(); };
navigator.canShare = () => true;
"""
NO_SHARE = "delete Navigator.prototype.share; delete Navigator.prototype.canShare;"


@pytest.fixture
def code(live_server: str, db: Any, org: Any, admin: Any, participant: Any, make: Any) -> Any:
    """A participant holding one badge; called, a fresh login code (each is used once)."""
    version = _factory.adopted_version(db, org, admin)
    _factory.issue(db, org, _factory.achievement(db, org, admin, version), participant)
    return lambda: make.login_code(participant)


def _make_share(page: Any, live_server: str, code: Any) -> None:
    page.goto(f"{live_server}/code/{code()}")
    with page.expect_navigation():
        page.locator("main form:not(.easy-read-switch) button[type=submit]").click()
    page.goto(f"{live_server}/portfolio/shares")
    page.locator("#share-label").fill("entretien boulangerie")
    with page.expect_navigation():
        page.locator("form button.primary").click()
    page.wait_for_load_state("load")


def test_copy_and_share_the_new_link(
    browser: Any, live_server: str, code: Any
) -> None:
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    context.add_init_script(STUBS)
    page = context.new_page()
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    try:
        _make_share(page, live_server, code)
        link = page.locator("#share-link").inner_text().strip()
        assert "/s/" in link
        copy = page.get_by_role("button", name="Copier le lien")
        share = page.get_by_role("button", name="Partager")
        assert copy.is_visible() and share.is_visible()
        copy.click()
        status = page.get_by_role("status").filter(has_text="Lien copié")
        status.wait_for()
        assert page.evaluate("window.__calls.copy") == [link]
        share.click()
        page.wait_for_function("window.__calls.share.length === 1")
        assert page.evaluate("window.__calls.share") == [{"title": "Mes badges", "url": link}]
        # the clipboard refused: the link is selected for the phone's own copy menu
        page.evaluate("window.__refuse = true")
        copy.click()
        page.get_by_role("status").filter(has_text="Copie impossible").wait_for()
        assert page.evaluate("String(window.getSelection())").strip() == link
        assert page.locator(".qr svg").count() == 1
        no_overflow(page)
        assert_accessible(page, "share created, with copy and share buttons")
        assert not csp, csp

        # Later: the link is not kept (only its hash), the page says so and offers a new one.
        page.reload()
        assert page.locator("#share-link").count() == 0
        assert page.locator(".qr svg").count() == 0
        why = "nous ne pouvons pas vous le remontrer, ni son code QR"
        assert page.get_by_text(why).is_visible()
        with page.expect_navigation():
            page.get_by_role("button", name="Lien perdu ? Faire un nouveau lien").click()
        assert page.locator(".qr svg").count() == 1
        assert page.locator("#share-link").inner_text().strip() not in ("", link)
    finally:
        context.close()


def test_share_button_hidden_without_web_share(
    browser: Any, live_server: str, code: Any
) -> None:
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    context.add_init_script(NO_SHARE)
    page = context.new_page()
    try:
        _make_share(page, live_server, code)
        assert page.get_by_role("button", name="Copier le lien").is_visible()
        assert page.locator("button[data-share]").is_hidden()
    finally:
        context.close()
    context = browser.new_context(viewport=PHONE, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:  # without JavaScript neither button is offered; the link and QR code are there
        _make_share(page, live_server, code)
        assert page.locator("[data-share-tools]").is_hidden()
        assert page.locator("#share-link").is_visible() and page.locator(".qr svg").count() == 1
    finally:
        context.close()
