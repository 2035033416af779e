"""In Chromium at 360 × 740: easy-to-read mode chosen at code login, the "Écouter" button
(the browser's speech synthesis, stubbed to record what it is asked to say), and axe-core on
easy-to-read pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.a11y import assert_accessible, no_overflow
from tests.portfolio import _factory

pytestmark = pytest.mark.browser

#: Records each utterance instead of speaking (headless Chromium has no voice to test with).
SPEECH_STUB = """
window.__spoken = [];
window.__cancelled = 0;
if (window.speechSynthesis) {
  window.speechSynthesis.speak = (u) => window.__spoken.push({text: u.text, lang: u.lang});
  window.speechSynthesis.cancel = () => { window.__cancelled += 1; };
}
"""
NO_SPEECH = "Object.defineProperty(window, 'speechSynthesis', {value: undefined});"


def _phone(browser: Any, script: str) -> Any:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    context.add_init_script(script)
    return context, context.new_page()


def _code_login(page: Any, base: str, code: str, *, switch: bool = True) -> None:
    """Log in with the code, choosing easy-to-read mode on the code page first."""
    if switch:
        page.goto(f"{base}/code")
        page.get_by_role("button", name="Texte facile à lire").click()
        page.wait_for_load_state()
    assert page.locator("html.easy-read").count() == 1
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Entrer", exact=True).click()
    page.wait_for_load_state()


@pytest.fixture
def participant_with_badges(
    live_server: str, db: Any, org: Any, admin: Any, coach: Any, participant: Any, make: Any
) -> tuple[str, str]:
    version = _factory.adopted_version(db, org, admin)
    for i in range(2):
        _factory.issue(db, org, _factory.achievement(db, org, admin, version, index=i), participant)
    _factory.chart_round(db, org, participant, coach, version)
    return live_server, make.login_code(participant)


def test_listen_reads_the_main_text_in_the_page_language(browser, participant_with_badges):
    base, code = participant_with_badges
    context, page = _phone(browser, SPEECH_STUB)
    try:
        _code_login(page, base, code)
        page.goto(f"{base}/me/grids")
        listen = page.get_by_role("button", name="Écouter")
        assert listen.is_visible()
        listen.click()
        spoken = page.evaluate("window.__spoken")
        text = "\n".join(u["text"] for u in spoken)
        assert {u["lang"] for u in spoken} == {"fr"}
        assert "Mes grilles" in text  # the heading
        assert "Écouter" not in text and "badger" not in text  # not the button, not the header
        assert page.get_by_role("button", name="Arrêter la lecture").get_attribute(
            "aria-pressed") == "true"
        # A second press stops the reading.
        page.get_by_role("button", name="Arrêter la lecture").click()
        assert page.evaluate("window.__cancelled") >= 2  # once before speaking, once to stop
        assert page.get_by_role("button", name="Écouter").get_attribute("aria-pressed") == "false"

        # In Arabic, the page's language and its easy-to-read text.
        page.locator("details.lang-menu > summary").click()  # languages are a menu on a phone
        page.get_by_role("button", name="العربية").click()
        page.wait_for_load_state()
        page.goto(f"{base}/me/badges")
        page.evaluate("window.__spoken = []")
        page.get_by_role("button", name="استمع").click()
        spoken = page.evaluate("window.__spoken")
        assert spoken and {u["lang"] for u in spoken} == {"ar"}
        assert "شاراتي" in "\n".join(u["text"] for u in spoken)
    finally:
        context.close()


def test_listen_is_hidden_without_speech_synthesis(browser, live_server):
    context, page = _phone(browser, NO_SPEECH)
    try:
        page.goto(f"{live_server}/code")
        assert page.locator("#listen-button").count() == 1
        assert not page.locator("#listen-button").is_visible()
    finally:
        context.close()


def test_easy_read_pages_pass_axe_on_a_phone(browser, participant_with_badges):
    base, code = participant_with_badges
    context, page = _phone(browser, SPEECH_STUB)
    try:
        page.goto(f"{base}/code")
        page.get_by_role("button", name="Texte facile à lire").click()
        page.wait_for_load_state()
        assert "Écrivez ce code dans la case." in page.locator("main").inner_text()
        assert_accessible(page, "code login, easy-to-read")
        no_overflow(page)
        _code_login(page, base, code, switch=False)
        for path in ("/", "/portfolio", "/portfolio/shares"):
            page.goto(f"{base}{path}")
            assert page.locator("html.easy-read").count() == 1
            assert_accessible(page, f"{path}, easy-to-read")
            no_overflow(page)
    finally:
        context.close()
