"""The main navigation on a 360×740 phone, in Chromium, for a participant, a coach and an admin
(who also administers a network: the longest menu), in French and in English.

On a phone the entries are behind the header's menu button (a <details> disclosure, see also
tests/test_header_browser.py). Once it is open, every entry is visible without sideways
scrolling, shows a pictogram and its words inside its own box, is at least 44×44 px, leads to
its page, which marks it ``aria-current="page"``; axe-core (WCAG 2.2 AA) passes on each of
those pages; keyboard focus is visible on each entry; the menu works with JavaScript off and
stands open in one row on a wide screen.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.a11y import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}

#: What each person sees in the menu, in order.
MENUS = {
    ("participant", "fr"): [
        "Mon espace", "Mes grilles", "Mes badges", "Nouveaux badges", "Mes partages",
        "Mes applications",
    ],
    ("participant", "en"): [
        "My space", "My grids", "My badges", "New badges", "My shares", "My apps",
    ],
    ("coach", "fr"): ["Accueil", "Séances", "Badges", "Référentiels"],
    ("coach", "en"): ["Home", "Sessions", "Badges", "Competence frameworks"],
    ("admin", "fr"): [
        "Accueil", "Séances", "Badges", "Référentiels", "Participants", "Équipe", "Réseaux",
    ],
    ("admin", "en"): [
        "Home", "Sessions", "Badges", "Competence frameworks", "Participants", "Team",
        "Networks",
    ],
}

#: Geometry of every entry of the menu: box, label box, whether it is inside the viewport.
ENTRIES_JS = """() => [...document.querySelectorAll('nav.main-nav a')].map(a => {
  const box = a.getBoundingClientRect();
  const label = a.querySelector('span').getBoundingClientRect();
  const picto = a.querySelector('img');
  return {
    name: a.innerText.trim().replace(/\\s+/g, ' '),
    href: a.getAttribute('href'),
    current: a.getAttribute('aria-current'),
    left: box.left, right: box.right, top: box.top, width: box.width, height: box.height,
    labelLeft: label.left, labelRight: label.right, labelBottom: label.bottom,
    bottom: box.bottom,
    lines: (() => {
      const range = document.createRange();
      range.selectNodeContents(a.querySelector('span'));
      return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    })(),
    picto: !!picto && picto.complete && picto.naturalWidth > 0 && picto.getAttribute('alt') === '',
  };
})"""


@pytest.fixture
def people(make: Any, db: Any, participant: Any, admin: Any, coach: Any) -> dict[str, Any]:
    from badger.accounts.models import NetworkAdmin

    network = make.network("reseau-nav")
    db.add(NetworkAdmin(user_id=admin.id, network_id=network.id))
    db.commit()
    return {"participant": participant, "coach": coach, "admin": admin}


def _log_in(page: Any, live_server: str, make: Any, who: str, person: Any) -> None:
    if who == "participant":
        page.goto(f"{live_server}/code/{make.login_code(person)}")
    else:
        page.goto(f"{live_server}/login")
        page.locator("#email").fill(person.email)
        page.locator("#password").fill(person.test_password)
    with page.expect_navigation():
        page.locator("main button[type=submit]").last.click()
    assert page.locator("footer button[type=submit]").count() == 1, f"{who} is not logged in"


def _open_menu(page: Any) -> None:
    """Open the menu button's panel (on a phone; on a wide screen the menu stands open)."""
    summary = page.locator("details.nav-menu > summary")
    if summary.is_visible() and page.locator("details.nav-menu[open]").count() == 0:
        summary.click()


def _check_menu(
    page: Any, expected: list[str], where: str, width: int = PHONE["width"]
) -> list[dict[str, Any]]:
    """Nothing scrolls sideways; once the menu is open every entry is whole on screen, big
    enough, pictogram + words."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, where
    _open_menu(page)
    entries = page.evaluate(ENTRIES_JS)
    assert [e["name"] for e in entries] == expected, where
    for e in entries:
        what = f"{e['name']!r} on {where}"
        assert e["left"] >= 0 and e["right"] <= width, f"{what} is cut: {e}"
        assert e["width"] >= 44 and e["height"] >= 44, f"{what} is too small: {e}"
        assert e["left"] <= e["labelLeft"] and e["labelRight"] <= e["right"], (
            f"{what}: its words stick out of its box: {e}"
        )
        assert e["labelBottom"] <= e["bottom"], f"{what}: its words stick out: {e}"
        assert e["lines"] <= len(e["name"].split()), f"{what}: a word is cut in two: {e}"
        assert e["picto"], f"{what} has no pictogram (decorative, alt='')"
    return entries


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("who", ["participant", "coach", "admin"])
def test_every_menu_entry_fits_and_leads_to_its_page_on_a_phone(
    live_server: str, browser: Any, make: Any, people: dict[str, Any], who: str, lang: str
) -> None:
    expected = MENUS[(who, lang)]
    context = browser.new_context(viewport=PHONE, locale=lang)
    page = context.new_page()
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    try:
        _log_in(page, live_server, make, who, people[who])
        assert page.evaluate("document.documentElement.lang") == lang
        entries = _check_menu(page, expected, f"home of the {who} ({lang})")
        assert [e["current"] for e in entries] == ["page"] + [None] * (len(entries) - 1)
        menu_name = "Navigation principale" if lang == "fr" else "Main navigation"
        for entry in entries:
            name = entry["name"]
            link = page.get_by_role("navigation", name=menu_name).get_by_role(
                "link", name=name, exact=True
            )
            assert link.is_visible(), name
            with page.expect_navigation():
                link.click()
            where = f"{name!r} page of the {who} ({lang})"
            after = _check_menu(page, expected, where)
            marked = [(e["name"], e["current"]) for e in after if e["current"]]
            # An entry whose page redirects (one network → its page) is marked as the section.
            assert marked in ([(name, "page")], [(name, "true")]), f"{where}: {marked}"
            if page.url.removeprefix(live_server) == entry["href"]:
                assert marked == [(name, "page")], where
            assert_accessible(page, where)
        assert not csp_errors, csp_errors
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_keyboard_focus_is_visible_on_every_entry(
    live_server: str, browser: Any, make: Any, people: dict[str, Any], lang: str
) -> None:
    context = browser.new_context(viewport=PHONE, locale=lang)
    page = context.new_page()
    try:
        _log_in(page, live_server, make, "participant", people["participant"])
        count = page.locator("nav.main-nav a").count()
        seen: list[str] = []
        for _ in range(count + 10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('details.nav-menu > summary')"):
                page.keyboard.press("Enter")  # the menu button opens the entries' panel
                continue
            focus = page.evaluate("""() => {
              const el = document.activeElement;
              if (!el.closest('nav.main-nav')) return null;
              const s = getComputedStyle(el);
              const box = el.getBoundingClientRect();
              return {name: el.innerText.trim().replace(/\\s+/g, ' '),
                      visible: el.matches(':focus-visible'),
                      outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                      inView: box.top >= 0 && box.bottom <= innerHeight
                              && box.left >= 0 && box.right <= innerWidth};
            }""")
            if focus is None:
                if seen:
                    break
                continue
            assert focus["visible"] and focus["outline"] != "none" and focus["width"] >= 2, focus
            assert focus["inView"], focus
            seen.append(focus["name"])
        assert seen == MENUS[("participant", lang)]
    finally:
        context.close()


def test_menu_works_without_javascript(
    live_server: str, browser: Any, make: Any, people: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=PHONE, locale="fr", java_script_enabled=False)
    page = context.new_page()
    try:
        _log_in(page, live_server, make, "participant", people["participant"])
        for name in MENUS[("participant", "fr")][1:]:
            _open_menu(page)
            with page.expect_navigation():
                page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()
            current = page.locator("nav.main-nav a[aria-current=page]")
            assert not current.is_visible()  # the panel is closed on the new page
            _open_menu(page)
            assert current.inner_text().strip() == name
            assert current.is_visible() and current.bounding_box()["x"] >= 0
    finally:
        context.close()


def test_menu_on_a_320_px_phone_and_on_a_wide_screen(
    live_server: str, browser: Any, make: Any, people: dict[str, Any]
) -> None:
    for lang in ("fr", "en"):
        context = browser.new_context(viewport={"width": 320, "height": 640}, locale=lang)
        page = context.new_page()
        try:
            _log_in(page, live_server, make, "participant", people["participant"])
            _check_menu(page, MENUS[("participant", lang)], f"320 px ({lang})", width=320)
        finally:
            context.close()
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en")
    page = context.new_page()
    try:
        _log_in(page, live_server, make, "admin", people["admin"])
        entries = _check_menu(page, MENUS[("admin", "en")], "1024 px", width=1024)
        assert len({round(e["top"]) for e in entries}) == 1, f"not one row: {entries}"
    finally:
        context.close()
