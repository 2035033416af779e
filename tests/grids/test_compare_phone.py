"""The comparison page of a 17-axis round on a 360×740 phone, in Chromium: about three screens,
a chart whose numbers are legible and lead to their axis, the table folded away, axe-clean,
and agreeing or consenting brings the person back to that axis."""

from __future__ import annotations

import os

import pytest

from tests.a11y import assert_accessible, no_overflow
from tests.conftest import browser_login_staff
from tests.grids._factory import TYPICAL_GAPS, TYPICAL_NEEDS_WORD, typical_round

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

#: Three screens of 740 px: the page's own content (``main``: the chart, the three cards of a
#: round just compared, the list of the fourteen other axes, the folded table, the portfolio
#: choice, the exports) at 360 px wide. The site's header and footer (base.html) add about
#: 500 px more today.
THREE_SCREENS = 3 * 740
#: The same round half-way through the conversation: five cards (two more: a proposal waiting
#: for an answer, a validation waiting for consent), twelve lines: under four screens.
FOUR_SCREENS = 4 * 740

#: The page's own content: from its title to the end of <main> (the "Écouter" button every
#: participant page carries floats beside the title).
_MAIN_HEIGHT = """(() => { const m = document.querySelector('main').getBoundingClientRect();
  return m.bottom - document.querySelector('main h1').getBoundingClientRect().top; })()"""

#: For each axis number on the chart: its font size in the SVG's units times the scale the page
#: draws the SVG at (rendered width / viewBox width), i.e. the size a person sees, in CSS px.
_RENDERED_FONT = """() => {
  const svg = document.querySelector('figure.chart svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text.axis-label')].map(
    t => parseFloat(getComputedStyle(t).fontSize) * scale);
}"""


def _shot(page, name: str) -> None:
    if os.environ.get("BADGER_SCREENSHOTS"):  # look at it: BADGER_SCREENSHOTS=/tmp/shots
        page.screenshot(path=f"{os.environ['BADGER_SCREENSHOTS']}/{name}.png", full_page=True)


def _login_participant(page, live_server, make, participant) -> None:
    page.goto(f"{live_server}/code")
    page.fill("input[name=code]", make.login_code(participant))
    with page.expect_navigation():
        page.get_by_role("button", name="Entrer").click()


def _in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= -1 && r.top < window.innerHeight && r.height > 0; }""",
        selector,
    )


def test_participant_reads_the_comparison_in_three_screens(
    live_server, phone_page, db, make, org, coach, participant
):
    rnd = typical_round(db, org, participant, coach, conversation=False)
    cids = [it.competence_id for it in rnd.items]
    page = phone_page
    _login_participant(page, live_server, make, participant)
    page.goto(f"{live_server}/rounds/{rnd.id}/compare")
    _shot(page, "compare-phone")
    height = page.evaluate(_MAIN_HEIGHT)
    assert height <= THREE_SCREENS, f"the page's content is {height} px long"
    no_overflow(page)

    # the chart: 17 numbers, each at 12 px or more as drawn, each a link named by its axis
    sizes = page.evaluate(_RENDERED_FONT)
    assert len(sizes) == 17 and min(sizes) >= 12, sizes
    links = page.locator("figure.chart svg a.axis-link")
    assert links.count() == 17
    assert links.nth(5).get_attribute("aria-label") == "6. Respect de l'environnement"
    assert "…" not in page.locator("figure.chart").inner_html()
    box = page.locator("figure.chart svg").bounding_box()
    assert box["width"] <= 328 and box["height"] >= 300

    # cards for the axes that need a word, one list line for each other axis
    cards = page.locator(".to-discuss > .axis-item")
    assert [c.get_attribute("id") for c in cards.all()] == [f"axis-{cids[i]}" for i in TYPICAL_GAPS]
    assert page.locator(".axis-list > li").count() == 17 - len(TYPICAL_GAPS)
    assert not page.locator(".axis-list .axis-item").first.is_visible()
    # the table is folded; opened, it scrolls sideways inside its own focusable region
    assert not page.locator("table.radar-table").is_visible()
    assert_accessible(page, "comparison, table folded")
    page.get_by_text("Les notes en tableau").click()
    expect(page.locator("table.radar-table")).to_be_visible()
    region = page.get_by_role("region", name="Les notes de la grille, en tableau")
    assert region.get_attribute("tabindex") == "0"
    assert_accessible(page, "comparison, table open")
    no_overflow(page)

    # tapping axis 2's number (a settled axis, folded in the list) opens its details
    links.nth(1).click()
    page.wait_for_url(f"**/rounds/{rnd.id}/compare#axis-{cids[1]}")
    card = page.locator(f"#axis-{cids[1]}")
    expect(card).to_be_visible()
    expect(card.locator(".agree-more summary")).to_have_text("Convenir d'un niveau")
    assert _in_view(page, f"#axis-{cids[1]}")
    # …and from the keyboard, axis 14's (a card: a gap of 2)
    links.nth(13).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#axis-{cids[13]}")
    assert _in_view(page, f"#axis-{cids[13]}")
    expect(page.locator(f"#axis-{cids[13]} .prompt")).to_be_visible()
    _shot(page, "compare-phone-axis")

    # in Arabic (right to left) too: nothing sideways, axe-clean
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    page.request.post(
        f"{live_server}/language", form={"lang": "ar", "next": "/", "csrf_token": token}
    )
    page.goto(f"{live_server}/rounds/{rnd.id}/compare")
    assert page.locator("html").get_attribute("dir") == "rtl"
    no_overflow(page)
    assert min(page.evaluate(_RENDERED_FONT)) >= 12
    assert_accessible(page, "comparison in Arabic")
    _shot(page, "compare-phone-ar")


def test_agreeing_and_consenting_come_back_to_the_axis(
    live_server, phone_page, db, make, org, coach, participant
):
    rnd = typical_round(db, org, participant, coach)
    cids = [it.competence_id for it in rnd.items]
    page = phone_page
    _login_participant(page, live_server, make, participant)
    page.goto(f"{live_server}/rounds/{rnd.id}/compare")
    _shot(page, "compare-phone-conversation")
    assert page.evaluate(_MAIN_HEIGHT) <= FOUR_SCREENS

    # the coach proposed 4 on axis 9: the participant agrees; the message and the line agree
    card = page.locator(f"#axis-{cids[8]}")
    expect(card.locator(".agreement-state")).to_contain_text(
        "Le coach propose le niveau 4 ; en attente de l'accord du participant."
    )
    # with JavaScript the agreement goes through the device's queue (static/js/offline.js),
    # then the page reloads at its axis as the server has it (the flash after a plain POST,
    # without JavaScript, is checked in test_compare_http.py)
    with page.expect_navigation():
        card.get_by_role("button", name="Nous sommes d'accord sur ce niveau").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/rounds/{rnd.id}/compare#axis-{cids[8]}")
    expect(page.locator(f"#axis-{cids[8]} .agreement-state")).to_contain_text("Niveau convenu : 4")

    # axis 8 awaits the participant's consent: consenting comes back to it, not to the top
    page.locator(f"#axis-{cids[7]}").get_by_role(
        "button", name="J'accepte que cette compétence soit validée"
    ).click()
    page.wait_for_url(f"**/rounds/{rnd.id}/compare#axis-{cids[7]}")
    assert page.evaluate("window.scrollY") > 0 and _in_view(page, f"#axis-{cids[7]}")
    expect(page.locator(f"#axis-{cids[7]}")).to_contain_text("prête pour le badge")

    # a settled axis: open its line, propose a level — back to it, open, the same words twice
    row = page.locator(".axis-list > li").filter(has_text=rnd.items[9].competence.label)
    row.locator("details.axis-more > summary").click()
    row.get_by_text("Convenir d'un niveau").click()
    row.locator(".score-choice", has_text="3").click()
    with page.expect_navigation():  # sent through the device's queue, then reloaded
        row.get_by_role("button", name="Nous sommes d'accord sur ce niveau").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"#axis-{cids[9]}")
    state = "Le participant propose le niveau 3 ; en attente de l'accord du coach."
    expect(page.locator(f"#axis-{cids[9]} .agreement-state")).to_have_text(state)


def test_coach_sees_the_same_page_and_the_numbers_work_without_javascript(
    live_server, browser, db, make, org, coach, participant
):
    rnd = typical_round(db, org, participant, coach)
    cids = [it.competence_id for it in rnd.items]
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    try:
        browser_login_staff(page, live_server, coach)
        page.goto(f"{live_server}/rounds/{rnd.id}/compare")
        assert page.evaluate(_MAIN_HEIGHT) <= FOUR_SCREENS
        no_overflow(page)
        assert page.locator(".to-discuss > .axis-item").count() == len(TYPICAL_NEEDS_WORD)
        # the coach confirms nothing here (all confirmed) but reaches every tool of the page
        expect(page.get_by_role("link", name="Regard du coach")).to_be_visible()
        page.locator("figure.chart svg a.axis-link").nth(16).click()
        page.wait_for_url(f"**#axis-{cids[16]}")
        expect(page.locator(f"#axis-{cids[16]}")).to_be_visible()
        assert _in_view(page, f"#axis-{cids[16]}")
    finally:
        context.close()
