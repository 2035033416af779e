"""In Chromium: the coach's group screen and the participant's grid steps with the network cut
(``context.set_offline``): scores typed offline survive a reload and a closed page, reach the
database once back online, a second coach's change meanwhile is shown with both values and
neither lost, logout erases the device's data, and a 12 × 17 paper sheet goes in with one
keystroke per score."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from badger import grids
from badger.grids.models import Rating
from tests.a11y import assert_accessible
from tests.conftest import browser_login_staff
from tests.grids._factory import journey_round, published_version
from tests.grids.test_offline_sync import coach_scores, offline_session

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

DEVICE = """async () => {
  const names = (await indexedDB.databases()).map(d => d.name)
    .filter(n => n && n.startsWith("badger-offline-"));
  const rows = [];
  for (const name of names) {
    rows.push(...await new Promise((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => {
        const get = open.result.transaction("scores").objectStore("scores").getAll();
        get.onsuccess = () => { open.result.close(); resolve(get.result); };
        get.onerror = () => reject(get.error);
      };
      open.onerror = () => reject(open.error);
    }));
  }
  return {dbs: names, caches: await caches.keys(), rows: rows};
}"""


@pytest.fixture
def context(browser: Any) -> Any:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    yield ctx
    ctx.close()


def _open_ready(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-offline-ready='1']", timeout=15000)


def _type_cells(page: Any, first: int, keys: str) -> None:
    page.locator(".group-table .cell").nth(first).focus()
    page.keyboard.type(keys)


def test_coach_scores_offline_reloads_reopens_and_syncs(live_server, context, db, make, org, coach):
    people = [make.participant(org, n) for n in ("Amina", "Bastien", "Chloé")]
    gs = offline_session(db, org, coach, people, n=5)
    comp = gs.competence_ids
    page = context.new_page()
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    browser_login_staff(page, live_server, coach)
    url = f"{live_server}/sessions/{gs.id}"
    _open_ready(page, url)
    state = page.locator("#offline-state")
    expect(state).to_have_text("Tout est enregistré")

    context.set_offline(True)
    expect(state).to_have_text("Hors ligne — rien en attente")
    _type_cells(page, 0, "4321054321")  # Amina and Bastien, 5 competences each
    expect(state).to_have_text("Hors ligne — 10 notes en attente")

    page.reload()  # offline: the service worker answers, the queue fills the cells again
    expect(page.locator(".group-table .cell").nth(9)).to_have_value("1")
    expect(page.locator("#offline-state")).to_have_text("Hors ligne — 10 notes en attente")

    page.close()  # the browser keeps the queue on the device
    # A new page's first instants escape Playwright's offline emulation (its script could
    # see navigator.onLine true and its request go out): cut the sync URL as well meanwhile.
    context.route("**/sync", lambda route: route.abort("internetdisconnected"))
    page = context.new_page()
    page.goto(url)
    cells = page.locator(".group-table .cell")
    expect(cells.nth(0)).to_have_value("4")
    _type_cells(page, 10, "55")  # Chloé, two competences
    expect(page.locator("#offline-state")).to_have_text("Hors ligne — 12 notes en attente")
    assert coach_scores(db) == {}  # nothing reached the server yet

    context.unroute("**/sync")
    context.set_offline(False)
    expect(page.locator("#offline-state")).to_have_text("Tout est enregistré", timeout=15000)
    expected = {(people[0].id, c): s for c, s in zip(comp, [4, 3, 2, 1, 0], strict=True)} | {
        (people[1].id, c): s for c, s in zip(comp, [5, 4, 3, 2, 1], strict=True)
    }
    expected |= {(people[2].id, comp[0]): 5, (people[2].id, comp[1]): 5}
    assert coach_scores(db) == expected
    device = page.evaluate(DEVICE)
    assert all(r["status"] == "saved" for r in device["rows"])
    assert not csp, csp


def test_a_second_coach_s_change_while_offline_is_shown_and_nothing_is_lost(
    live_server, context, db, make, org, coach
):
    amina = make.participant(org, "Amina")
    gs = offline_session(db, org, coach, [amina], n=3)
    comp = gs.competence_ids
    second = make.staff(org, "assessor", email="bis@example.org")
    page = context.new_page()
    browser_login_staff(page, live_server, coach)
    _open_ready(page, f"{live_server}/sessions/{gs.id}")
    context.set_offline(True)
    _type_cells(page, 0, "43")
    expect(page.locator("#offline-state")).to_have_text("Hors ligne — 2 notes en attente")
    # meanwhile, another coach saves Amina's first score online
    rnd = grids.session_rounds(db, gs)[amina.id]
    grids.save_ratings(db, rnd, role="coach", actor=second, entries=[grids.RatingInput(comp[0], 2)])
    db.commit()

    context.set_offline(False)
    problem = page.locator(".offline-problem.conflict")
    expect(problem).to_have_count(1, timeout=15000)
    text = problem.inner_text()
    assert "votre note 4" in text and "a enregistré 2" in text and second.name in text
    expect(page.locator("#offline-state")).to_contain_text("1 notes à revoir")
    # neither is lost: the server keeps the other coach's 2, the device keeps this coach's 4
    assert coach_scores(db) == {(amina.id, comp[0]): 2, (amina.id, comp[1]): 3}
    kept = [r for r in page.evaluate(DEVICE)["rows"] if r["competence_id"] == comp[0]]
    assert [(r["value"], r["status"], r["theirs"]) for r in kept] == [("4", "conflict", 2)]
    expect(page.locator(".group-table .cell").nth(0)).to_have_value("4")
    assert_accessible(page, "group screen with a conflict kept on the device")
    # the coach keeps their own, on purpose: sent again on the server's version
    problem.get_by_role("button", name="Garder ma note").click()
    expect(page.locator("#offline-state")).to_have_text("Tout est enregistré", timeout=15000)
    assert coach_scores(db)[(amina.id, comp[0])] == 4


def test_logout_erases_the_device_data_and_the_page_is_not_served_offline(
    live_server, context, db, make, org, coach
):
    amina = make.participant(org, "Amina")
    gs = offline_session(db, org, coach, [amina], n=3)
    page = context.new_page()
    browser_login_staff(page, live_server, coach)
    url = f"{live_server}/sessions/{gs.id}"
    _open_ready(page, url)
    _type_cells(page, 0, "3")
    expect(page.locator("#offline-state")).to_have_text("Tout est enregistré", timeout=15000)
    before = page.evaluate(DEVICE)
    assert len(before["dbs"]) == 1 and before["rows"]
    assert any(k.startswith("badger-pages-") for k in before["caches"])
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()
    after = page.evaluate(DEVICE)
    assert after == {"dbs": [], "caches": [], "rows": []}
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    # offline, the session page is no longer on the device
    context.set_offline(True)
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED"):
        page.goto(url)
    # the browser's own error page follows the failed navigation: wait for it, not a snapshot
    expect(page.locator("body")).not_to_contain_text("Amina")


def test_a_12_by_17_paper_sheet_with_one_keystroke_per_score(
    live_server, context, db, make, org, coach
):
    people = [make.participant(org, f"Participant {i:02d}") for i in range(12)]
    gs = offline_session(db, org, coach, people, n=17)
    page = context.new_page()
    browser_login_staff(page, live_server, coach)
    _open_ready(page, f"{live_server}/sessions/{gs.id}")
    hint = page.locator("#entry-hint")
    expect(hint).to_contain_text("le curseur passe seul à la case suivante")
    expect(hint).not_to_contain_text("Tab passe à la case suivante ;")
    sheet = [[(i * 7 + j * 3) % 6 for j in range(17)] for i in range(12)]
    keys = "".join(str(s) for row in sheet for s in row)
    assert len(keys) == 204
    _type_cells(page, 0, keys)
    cells = page.locator(".group-table .cell")
    assert cells.evaluate_all("cs => cs.map(c => c.value).join('')") == keys
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("#offline-state")).to_have_text("Tout est enregistré", timeout=20000)
    expected = {
        (p.id, c): sheet[i][j]
        for i, p in enumerate(people)
        for j, c in enumerate(gs.competence_ids)
    }
    assert coach_scores(db) == expected
    # Tab moves one cell without changing it (the hint's promise)
    cells.nth(0).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == cells.nth(1).get_attribute("name")


def test_participant_fills_grid_steps_offline(live_server, context, db, make, org, coach):
    person = make.participant(org, "Amina")
    version = published_version(db)
    rnd = journey_round(db, org, person, coach, version, n=4)
    gs = offline_session(db, org, coach, [make.participant(org, "Bastien")], n=3)
    code = make.login_code(person)
    page = context.new_page()
    # the phone was a coach's before, and the coach did not log out
    browser_login_staff(page, live_server, coach)
    _open_ready(page, f"{live_server}/sessions/{gs.id}")
    coach_device = page.evaluate(DEVICE)
    assert len(coach_device["dbs"]) == 1
    page.goto(f"{live_server}/code")
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.get_by_role("button", name="Entrer").click()
    _open_ready(page, f"{live_server}/me/rounds/{rnd.id}/step/1")
    # only this participant's grid is kept on the device now: nothing of the coach's
    device = page.evaluate(DEVICE)
    assert len(device["dbs"]) == 1 and device["dbs"] != coach_device["dbs"]
    pages = [k for k in device["caches"] if k.startswith("badger-pages-")]
    assert len(pages) == 1 and pages[0] not in coach_device["caches"]
    kept = page.evaluate(
        "async (name) => (await (await caches.open(name)).keys())"
        ".map(r => new URL(r.url).pathname)",
        pages[0],
    )
    assert sorted(kept) == sorted(
        [f"/me/rounds/{rnd.id}/step/{n}" for n in range(1, 5)] + [f"/me/rounds/{rnd.id}/done"]
    )
    context.set_offline(True)
    for n in range(1, 5):
        page.wait_for_url(f"**/me/rounds/{rnd.id}/step/{n}")
        page.locator(".score-choice", has_text=str(n)).click()
        if n == 2:
            page.locator("textarea[name=comment]").fill("Au chantier, à l'heure")
        page.get_by_role("button", name="Enregistrer et").click()
    page.wait_for_url(f"**/me/rounds/{rnd.id}/done")
    page.goto(f"{live_server}/me/rounds/{rnd.id}/step/2")  # offline, from the device
    expect(page.locator("input[name=score][value='2']")).to_be_checked()
    expect(page.locator("textarea[name=comment]")).to_have_value("Au chantier, à l'heure")
    expect(page.locator("#offline-state")).to_have_text("Hors ligne — 4 notes en attente")
    db.expire_all()
    assert db.execute(select(Rating)).first() is None

    # back to the end of the grid, still offline; the network returns there
    page.goto(f"{live_server}/me/rounds/{rnd.id}/done")
    context.set_offline(False)
    # sent from the end page, which then shows the grid as the server has it
    expect(page.get_by_role("button", name="Valider et comparer")).to_be_visible(timeout=15000)
    expect(page.locator("#offline-state")).to_have_text("Tout est enregistré")
    db.expire_all()
    rows = {
        r.competence_id: (r.score, r.comment)
        for r in db.execute(select(Rating).where(Rating.rater_role == "self")).scalars()
    }
    ids = [it.competence_id for it in rnd.items]
    assert rows == {
        ids[0]: (1, ""),
        ids[1]: (2, "Au chantier, à l'heure"),
        ids[2]: (3, ""),
        ids[3]: (4, ""),
    }


def test_scores_left_in_another_session_are_sent_from_the_open_one(
    live_server, context, db, make, org, coach
):
    amina, bastien = make.participant(org, "Amina"), make.participant(org, "Bastien")
    first = offline_session(db, org, coach, [amina], n=3)
    second = offline_session(db, org, coach, [bastien], n=3)
    page = context.new_page()
    browser_login_staff(page, live_server, coach)
    _open_ready(page, f"{live_server}/sessions/{first.id}")
    context.set_offline(True)
    _type_cells(page, 0, "52")
    expect(page.locator("#offline-state")).to_have_text("Hors ligne — 2 notes en attente")
    page.close()
    context.set_offline(False)
    page = context.new_page()
    _open_ready(page, f"{live_server}/sessions/{second.id}")
    expect(page.locator("#offline-state")).to_have_text("Tout est enregistré", timeout=15000)
    assert coach_scores(db) == {
        (amina.id, first.competence_ids[0]): 5,
        (amina.id, first.competence_ids[1]): 2,
    }
    # only the open session's page stays kept on the device
    name = next(k for k in page.evaluate(DEVICE)["caches"] if k.startswith("badger-pages-"))
    kept = page.evaluate(
        "async (name) => (await (await caches.open(name)).keys())"
        ".map(r => new URL(r.url).pathname)",
        name,
    )
    rnd = grids.session_rounds(db, second)[bastien.id]
    assert sorted(kept) == [f"/rounds/{rnd.id}/compare", f"/sessions/{second.id}"]
