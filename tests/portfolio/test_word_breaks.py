"""Words are never cut mid-letter on the share and verify pages of a 360 px phone (issue #17:
"Compétenc/e"): Chromium lays the pages out and, for every run of letters on the page outside
codes and addresses, a DOM Range's line boxes must all sit on one line. Long addresses and ids
still wrap inside the screen (no horizontal overflow)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from badger import referentiels
from tests.awards import _factory as awards_factory
from tests.conftest import login_participant
from tests.portfolio import _factory

pytestmark = pytest.mark.browser

LABELS = ["Compétences transversales", "Responsabilité environnementale",
          "Communication interprofessionnelle"]

#: Every run of letters in the page's main text whose line boxes sit on more than one line
#: (cut mid-word), except inside codes, URLs and ids, which may wrap anywhere.
_SPLIT_WORDS = r"""() => {
  const skip = 'code, kbd, samp, .id-value, .share-token, .token-link, .permalink, script, style,'
             + ' .visually-hidden, svg';
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const split = [];
  let checked = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !parent.getClientRects().length) continue;
    if (/^https?:\/\//.test(node.textContent.trim())) continue;
    for (const m of node.textContent.matchAll(/\p{L}{4,}/gu)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                         .map(r => Math.round(r.top)));
      checked += 1;
      if (tops.size > 1) split.push(m[0] + ' in <' + parent.tagName.toLowerCase() + '>');
    }
  }
  return {checked, split};
}"""


@pytest.fixture
def shared(live_server: str, app: Any, db: Any, make: Any, org: Any, admin: Any) -> dict[str, Any]:
    """Three badges with long competence names, shared with the name shown; returns the share
    path and one signed credential (for the verify page)."""
    version = awards_factory.published_version(db, LABELS)
    referentiels.adopt(db, org.id, version, admin.id)
    db.commit()
    person = make.participant(org, "Amina")
    creds = [_factory.issue(db, org, _factory.achievement(db, org, admin, version, index=i),
                            person) for i in range(3)]
    client = app.test_client()
    login_participant(client, make, person)
    r = client.post("/portfolio/shares", data={"label": "entretien", "days": "30",
                                               "credential": [str(c.id) for c in creds],
                                               "show_name": "1"})
    assert r.status_code == 302
    detail = client.get(r.headers["Location"]).get_data(as_text=True)
    link = re.search(r'<code id="share-link">([^<]+)</code>', detail)
    assert link
    return {"path": "/" + link.group(1).split("/", 3)[3], "json": creds[0].signed_json}


def _assert_no_split_word(page: Any, what: str) -> None:
    page.wait_for_load_state("load")
    found = page.evaluate(_SPLIT_WORDS)
    assert found["checked"] > 30, (what, found)  # the check did look at the page's words
    assert found["split"] == [], (what, found["split"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), what


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_share_and_verify_pages_keep_words_whole(live_server: str, browser: Any,
                                                 shared: dict[str, Any], lang: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  locale="ar" if lang == "ar" else "fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{live_server}{shared['path']}")
        assert page.evaluate("document.documentElement.lang") == lang
        for label in LABELS:
            assert label in page.content()
        _assert_no_split_word(page, f"share page ({lang})")

        page.goto(f"{live_server}/verify")
        page.locator("textarea[name=text]").fill(shared["json"])
        with page.expect_navigation():
            page.locator("form.verify-form button[type=submit]").click()
        assert LABELS[0] in page.content()
        _assert_no_split_word(page, f"verify page ({lang})")
    finally:
        context.close()


def test_the_check_sees_a_word_cut_mid_letter(live_server: str, browser: Any,
                                              shared: dict[str, Any]) -> None:
    """The detector itself: the old rule (``overflow-wrap: anywhere`` in a narrow column)
    put back on the page is caught."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR",
                                  bypass_csp=True)  # to add the old rule back as a <style>
    page = context.new_page()
    try:
        page.goto(f"{live_server}{shared['path']}")
        page.add_style_tag(content=".facts { grid-template-columns: 4rem 1fr; }"
                                   ".facts dt, .facts dd { overflow-wrap: anywhere; }")
        found = page.evaluate(_SPLIT_WORDS)
        assert found["split"], found
    finally:
        context.close()
