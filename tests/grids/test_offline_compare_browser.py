"""In Chromium: levels agreed on a comparison page with the network cut. The coach's group
screen keeps each participant's comparison; offline the coach opens one, agrees levels, reloads
(the page and the queue come from the device), and once back online the agreements are in the
database; a level the participant agreed meanwhile is shown with both values and neither lost;
a participant's phone keeps only their own comparison, and logging out erases it."""

from __future__ import annotations

from typing import Any

import pytest

from badger import grids
from tests.a11y import assert_accessible
from tests.conftest import browser_login_staff
from tests.grids._factory import rate
from tests.grids.test_offline_agreements import agreements
from tests.grids.test_offline_browser import DEVICE, _open_ready
from tests.grids.test_offline_browser import context as context
from tests.grids.test_offline_sync import offline_session

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


def _finished(db: Any, gs: Any, person: Any, scores: list[int]) -> Any:
    rnd = grids.session_rounds(db, gs)[person.id]
    rate(db, rnd, "self", person, scores)
    grids.submit_self_assessment(db, rnd, person)
    db.commit()
    return rnd


def _agree(page: Any, cid: int, level: int) -> None:
    """The axis's card may sit in a folded line of the compact list, and its form behind
    "Convenir d'un niveau": open what a person would tap open first."""
    section = page.locator(f"#axis-{cid}")
    page.evaluate(
        """(id) => { const s = document.getElementById(id);
            for (let d = s.closest('details'); d; d = d.parentElement.closest('details')) {
                d.open = true; }
            s.querySelectorAll('details.agree-more').forEach((d) => { d.open = true; }); }""",
        f"axis-{cid}",
    )
    section.locator(f"input[name=level][value='{level}']").check()
    section.get_by_role("button", name="Nous sommes d'accord sur ce niveau").click()


def test_coach_agrees_levels_offline_reloads_and_they_reach_the_database(
    live_server, context, db, make, org, coach
):
    amina, bastien = make.participant(org, "Amina"), make.participant(org, "Bastien")
    gs = offline_session(db, org, coach, [amina, bastien], n=3)
    comp = gs.competence_ids
    rnd = _finished(db, gs, amina, [2, 3, 4])
    page = context.new_page()
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    browser_login_staff(page, live_server, coach)
    _open_ready(page, f"{live_server}/sessions/{gs.id}")
    device = page.evaluate(DEVICE)
    name = next(k for k in device["caches"] if k.startswith("badger-pages-"))
    kept = page.evaluate(
        "async (name) => (await (await caches.open(name)).keys())"
        ".map(r => new URL(r.url).pathname)",
        name,
    )
    rounds = grids.session_rounds(db, gs)
    assert sorted(kept) == sorted(
        [f"/sessions/{gs.id}"] + [f"/rounds/{rounds[p.id].id}/compare" for p in (amina, bastien)]
    )

    context.set_offline(True)
    page.get_by_role("link", name="Comparer — Amina").click()  # served by the device
    page.wait_for_url(f"**/rounds/{rnd.id}/compare")
    state = page.locator("#offline-state")
    expect(state).to_have_text("Hors ligne — rien en attente")
    _agree(page, comp[0], 3)
    _agree(page, comp[2], 4)
    expect(state).to_have_text("Hors ligne — 2 accords en attente")
    expect(page.locator(f"#axis-{comp[0]} .agree-offline")).to_have_text(
        "Niveau 3 : en attente d'envoi"
    )
    assert_accessible(page, "comparison with agreements waiting on the device")

    # A page's first instants escape Playwright's offline emulation (its script could see
    # navigator.onLine true and its sync go out): cut the sync URL too while offline.
    context.route("**/sync", lambda route: route.abort("internetdisconnected"))
    page.reload()  # offline: the page and the queue come from the device
    expect(page.locator(f"#axis-{comp[2]} input[name=level][value='4']")).to_be_checked()
    expect(page.locator(f"#axis-{comp[2]} .agree-offline")).to_have_text(
        "Niveau 4 : en attente d'envoi"
    )
    expect(page.locator("#offline-state")).to_have_text("Hors ligne — 2 accords en attente")
    # a score typed offline on the group screen is counted beside them
    page.goto(f"{live_server}/sessions/{gs.id}")
    page.locator(".group-table .cell").nth(0).focus()
    page.keyboard.type("5")
    expect(page.locator("#offline-state")).to_have_text(
        "Hors ligne — 1 notes et 2 accords en attente"
    )
    assert agreements(db) == {}

    page.goto(f"{live_server}/rounds/{rnd.id}/compare")
    expect(page.locator("#offline-state")).to_have_text(
        "Hors ligne — 1 notes et 2 accords en attente"
    )
    context.unroute("**/sync")
    context.set_offline(False)
    # sent, then the page shows the server's state: the coach proposes, Amina has to agree
    expect(page.locator("#offline-state")).to_have_text("Tout est enregistré", timeout=15000)
    expect(page.locator(f"#axis-{comp[0]} .agreement-state")).to_contain_text(
        "Le coach propose le niveau 3"
    )
    assert agreements(db) == {
        (rnd.id, comp[0]): (3, True, False),
        (rnd.id, comp[2]): (4, True, False),
    }
    assert not [r for r in page.evaluate(DEVICE)["rows"] if r["status"] != "saved"]
    assert not csp, csp


def test_a_level_the_participant_agreed_meanwhile_is_shown_and_nothing_is_lost(
    live_server, context, db, make, org, coach
):
    amina = make.participant(org, "Amina")
    gs = offline_session(db, org, coach, [amina], n=3)
    comp = gs.competence_ids
    rnd = _finished(db, gs, amina, [2, 3, 4])
    page = context.new_page()
    browser_login_staff(page, live_server, coach)
    _open_ready(page, f"{live_server}/sessions/{gs.id}")
    context.set_offline(True)
    page.goto(f"{live_server}/rounds/{rnd.id}/compare")
    _agree(page, comp[0], 4)
    expect(page.locator("#offline-state")).to_have_text("Hors ligne — 1 accords en attente")
    # meanwhile Amina agrees level 2 on her phone
    grids.record_agreement(db, rnd, competence_id=comp[0], level=2, actor=amina)
    db.commit()

    context.set_offline(False)
    problem = page.locator(".offline-problem.conflict")
    expect(problem).to_have_count(1, timeout=15000)
    text = problem.inner_text()
    assert "vous avez choisi le niveau 4" in text and "Amina a enregistré le niveau 2" in text
    expect(page.locator(f"#axis-{comp[0]} .agree-offline")).to_contain_text("le niveau 2")
    # neither is lost: the server keeps Amina's 2, the device keeps the coach's 4
    assert agreements(db) == {(rnd.id, comp[0]): (2, False, True)}
    kept = [r for r in page.evaluate(DEVICE)["rows"] if r.get("kind") == "agreement"]
    assert [(r["value"], r["status"], r["theirs"]) for r in kept] == [("4", "conflict", 2)]
    assert_accessible(page, "comparison with an agreement conflict kept on the device")
    # the coach keeps their level, on purpose: Amina's different one is withdrawn
    problem.get_by_role("button", name="Garder mon niveau").click()
    expect(page.locator("#offline-state")).to_have_text("Tout est enregistré", timeout=15000)
    assert agreements(db) == {(rnd.id, comp[0]): (4, True, False)}


def test_a_participant_s_phone_keeps_only_their_own_comparison(
    live_server, context, db, make, org, coach
):
    amina, bastien = make.participant(org, "Amina"), make.participant(org, "Bastien")
    gs = offline_session(db, org, coach, [amina, bastien], n=3)
    comp = gs.competence_ids
    rnd = _finished(db, gs, amina, [2, 3, 4])
    rate(db, rnd, "coach", coach, [2, 2, 2])
    page = context.new_page()
    page.goto(f"{live_server}/code")
    page.fill("input[name=code]", make.login_code(amina))
    with page.expect_navigation():
        page.get_by_role("button", name="Entrer").click()
    _open_ready(page, f"{live_server}/rounds/{rnd.id}/compare")
    name = next(k for k in page.evaluate(DEVICE)["caches"] if k.startswith("badger-pages-"))
    kept = page.evaluate(
        "async (name) => (await (await caches.open(name)).keys())"
        ".map(r => new URL(r.url).pathname)",
        name,
    )
    assert kept == [f"/rounds/{rnd.id}/compare"]
    # online, but the post fails for network reasons: the level stays queued
    context.route("**/sync", lambda route: route.abort("internetdisconnected"))
    _agree(page, comp[0], 5)
    expect(page.locator("#offline-state")).to_have_text("1 accords en attente d'envoi")
    context.set_offline(True)
    page.reload()
    _agree(page, comp[1], 2)
    expect(page.locator("#offline-state")).to_have_text("Hors ligne — 2 accords en attente")
    assert agreements(db) == {}
    context.unroute("**/sync")
    context.set_offline(False)
    expect(page.locator("#offline-state")).to_have_text("Tout est enregistré", timeout=15000)
    assert agreements(db) == {
        (rnd.id, comp[0]): (5, False, True),
        (rnd.id, comp[1]): (2, False, True),
    }
    # logging out from the comparison erases it all from the phone
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()
    assert page.evaluate(DEVICE) == {"dbs": [], "caches": [], "rows": []}
