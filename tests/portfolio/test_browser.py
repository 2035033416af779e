"""In Chromium at 360 px: a participant makes a share, a recruiter opens it on a phone; the
portfolio, share and verify pages have no axe-core violations (WCAG 2.2 AA) in French and
English."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.a11y import assert_accessible
from tests.portfolio import _factory

pytestmark = pytest.mark.browser

_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 10)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().width))"""


def no_horizontal_overflow(page: Any) -> bool:
    ok = bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
    if not ok:
        print("wider than the screen:", page.evaluate(_WIDE))
    return ok


def login(page: Any, base: str, code: str) -> None:
    page.goto(f"{base}/code")
    page.locator("input[name=code]").fill(code)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.fixture
def setup(
    live_server: str, db: Any, org: Any, admin: Any, coach: Any, participant: Any, make: Any
) -> Any:
    from badger.networks import service as networks
    from tests.networks.conftest import add_member

    # Two networks endorse the organisation: one this server lists (recognition), one it does
    # not (told as a claim); both lines are on the recruiter's page, checked by axe-core.
    for listed in (True, False):
        net = make.network(listed=listed)
        add_member(make, net, org)
        networks.endorse(db, net, org.slug, "Membre actif du réseau.", actor=None)
    db.commit()
    # Issued after the live server started, so the credentials carry its base URL.
    version = _factory.adopted_version(db, org, admin)
    creds = [
        _factory.issue(db, org, _factory.achievement(db, org, admin, version, index=i), participant)
        for i in range(2)
    ]
    _factory.chart_round(db, org, participant, coach, version)
    return live_server, creds, make.login_code(participant)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_participant_shares_recruiter_opens_on_a_phone(
    setup: Any, browser: Any, phone_page: Any, lang: str
) -> None:
    base, creds, code = setup
    page = phone_page
    login(page, base, code)
    if lang == "en":
        page.locator("details.lang-menu > summary").click()  # the header's language menu
        page.locator(".lang-switch button[value=en]").click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == "en"

    page.goto(f"{base}/portfolio")
    assert creds[0].achievement.name in page.content()
    assert no_horizontal_overflow(page)
    assert_accessible(page, f"portfolio ({lang})")

    page.goto(f"{base}/portfolio/shares")
    assert_accessible(page, f"shares ({lang})")
    page.locator("#share-label").fill("entretien boulangerie")
    page.locator("input[name=chart]").first.check()
    page.locator("form button.primary").click()
    page.wait_for_load_state()
    link = page.locator("#share-link").inner_text().strip()
    assert "/s/" in link
    assert page.locator(".qr svg").count() == 1
    assert no_horizontal_overflow(page)
    assert_accessible(page, f"share created ({lang})")

    # The recruiter: another phone, no account, no cookies.
    recruiter = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-US" if lang == "en" else "fr-FR"
    )
    try:
        rpage = recruiter.new_page()
        response = rpage.goto(link)
        assert response.status == 200
        assert rpage.evaluate("document.documentElement.lang") == lang
        genuine = "Genuine badge" if lang == "en" and _translated() else "Badge authentique"
        assert rpage.get_by_text(genuine).count() == 2
        assert rpage.locator(".chart svg").count() == 1
        assert rpage.locator(".trust-recognised").count() == 2
        assert rpage.locator(".trust-claimed").count() == 2
        assert no_horizontal_overflow(rpage)
        assert_accessible(rpage, f"public share ({lang})")
        rpage.goto(link + "/cv")
        assert_accessible(rpage, f"CV annex ({lang})")
    finally:
        recruiter.close()


def _translated() -> bool:
    from flask_babel import force_locale, gettext

    from badger import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "BADGER_DATABASE_URL": "sqlite://"})
    with app.test_request_context(), force_locale("en"):
        return gettext("Badge authentique") != "Badge authentique"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_verify_page_accessible_and_works_without_js(setup: Any, browser: Any, lang: str) -> None:
    base, creds, _code = setup
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="en-US" if lang == "en" else "fr-FR",
        java_script_enabled=False,
    )
    try:
        page = context.new_page()
        page.goto(f"{base}/verify")
        assert page.evaluate is not None
        page.locator("#verify-text").fill(creds[0].signed_json)
        page.locator("form.verify-form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator(".verdict.status-ok").count() == 1
    finally:
        context.close()
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-US" if lang == "en" else "fr-FR"
    )
    try:
        page = context.new_page()
        page.goto(f"{base}/verify")
        assert no_horizontal_overflow(page)
        assert_accessible(page, f"verify ({lang})")
        tampered = json.loads(creds[0].signed_json)
        tampered["credentialSubject"]["achievement"]["name"] = "Autre chose"
        page.locator("#verify-text").fill(json.dumps(tampered))
        page.locator("form.verify-form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator(".verdict.status-bad").count() == 1
        assert no_horizontal_overflow(page)
        assert_accessible(page, f"verify result ({lang})")
    finally:
        context.close()
