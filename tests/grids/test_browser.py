"""A participant fills a 17-axis grid on a 360×740 phone in Chromium and sees the chart."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from badger import grids
from badger.grids.models import Rating
from tests.grids._factory import journey_round, published_version, rate

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


def test_participant_fills_17_axes_on_a_phone_and_sees_the_chart(
    live_server, phone_page, db, make, org, coach, participant
):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version)
    assert len(rnd.items) == 17
    rate(db, rnd, "coach", coach, [3, 2, 4, 3, 3, 2, 3, 4, 4, 2, 3, 3, 2, 4, 3, 3, 2])
    code = make.login_code(participant)
    page = phone_page
    page.goto(f"{live_server}/code")
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.get_by_role("button", name="Entrer").click()
    page.goto(f"{live_server}/me/grids")
    page.get_by_role("link", name="Remplir").click()
    for n in range(1, 18):
        page.wait_for_url(f"**/me/rounds/{rnd.id}/step/{n}")
        # the tap targets are big enough for a thumb and the page does not scroll sideways
        box = page.locator(".score-choice span").first.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        if n == 2:  # level texts are one tap away
            page.locator("details.levels summary").click()
            assert page.locator("details.levels dd").first.is_visible()
        page.locator(".score-choice", has_text=str(n % 6)).click()
        page.get_by_role("button", name="Enregistrer et").click()
    page.wait_for_url(f"**/me/rounds/{rnd.id}/done")
    page.get_by_role("button", name="Valider et comparer").click()
    page.wait_for_url(f"**/rounds/{rnd.id}/compare")
    # the chart's numbers are links to their axis: the picture is a group, not an image
    chart = page.locator("figure.chart svg[role=group]")
    chart.wait_for()
    assert chart.locator("line.axis").count() == 17
    assert chart.locator("a.axis-link").count() == 17
    assert chart.locator("g.series").count() == 2
    box = chart.bounding_box()
    assert box["width"] <= 360 and box["height"] > 200  # scaled to the phone
    assert page.locator("table.radar-table tbody tr").count() == 17
    assert page.locator(".prompt").count() >= 1
    if os.environ.get("BADGER_SCREENSHOTS"):  # look at it: BADGER_SCREENSHOTS=/tmp/shots
        page.screenshot(path=f"{os.environ['BADGER_SCREENSHOTS']}/grid-compare-phone.png")
    db.expire_all()
    scores = (
        db.execute(
            select(Rating.score)
            .where(Rating.round_id == rnd.id, Rating.rater_role == "self")
            .order_by(Rating.competence_id)
        )
        .scalars()
        .all()
    )
    assert scores == [n % 6 for n in range(1, 18)]


def test_peer_gives_a_view_on_a_phone(live_server, phone_page, db, make, org, coach):
    from datetime import date

    version = published_version(db)
    amina, bastien = make.participant(org, "Amina"), make.participant(org, "Bastien")
    gs = grids.create_session(
        db,
        organisation_id=org.id,
        coach=coach,
        held_on=date(2025, 3, 6),
        title="Chantier",
        referentiel_version_id=version.id,
        competence_ids=[c.id for c in version.competences[:5]],
        round_label="entry",
        participants=[amina, bastien],
    )
    grids.set_peer_review(db, gs, True)
    db.commit()
    code = make.login_code(bastien)
    page = phone_page
    page.goto(f"{live_server}/code")
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.get_by_role("button", name="Entrer").click()
    page.goto(f"{live_server}/me/grids")
    page.get_by_role("link", name="Donner mon regard").click()
    page.get_by_role("link", name="Donner mon regard").click()
    page.wait_for_url(f"**/me/sessions/{gs.id}/peers/{amina.id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator(".score-choice span").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    for i in range(5):
        page.locator(".axis-item").nth(i).locator(".score-choice", has_text=str(i)).click()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"**/me/sessions/{gs.id}/peers")
    assert "5 sur 5" in page.content()
    db.expire_all()
    scores = (
        db.execute(
            select(Rating.score)
            .where(Rating.rater_role == "peer", Rating.rater_key == f"p:{bastien.id}")
            .order_by(Rating.competence_id)
        )
        .scalars()
        .all()
    )
    assert scores == [0, 1, 2, 3, 4]


def test_coach_picks_competences_and_clears_a_score_on_a_phone(
    live_server, phone_page, db, make, org, coach, participant
):
    version = published_version(db)
    page = phone_page
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", coach.email)
    page.fill("input[name=password]", coach.test_password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server}/sessions")
    page.get_by_role("button", name="Choisir les compétences").click()
    assert page.locator("input[name=competences]:checked").count() == 17
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for label in version.competences[3:]:
        page.get_by_label(label.label, exact=True).uncheck()
    page.fill("input[name=title]", "Foot")
    page.get_by_label(participant.display_name).check()
    page.get_by_role("button", name="Créer la séance").click()
    page.wait_for_url("**/sessions/*")
    cells = page.locator(".group-table .cell")
    assert cells.count() == 3
    cells.nth(0).fill("")
    cells.nth(0).type("4")
    page.get_by_role("button", name="Enregistrer").first.click()
    # with JavaScript the screen saves through the sync endpoint and says when all is saved
    state = page.locator("#offline-state")
    expect(state).to_have_text("Tout est enregistré")
    page.reload()
    expect(page.locator(".group-table .cell").nth(0)).to_have_value("4")
    page.locator(".group-table .cell").nth(0).fill("–")
    page.get_by_role("button", name="Enregistrer").first.click()
    expect(page.locator(".group-table .cell").nth(0)).to_have_value("")
    expect(state).to_have_text("Tout est enregistré")
    db.expire_all()
    assert db.execute(select(Rating)).first() is None
    if os.environ.get("BADGER_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['BADGER_SCREENSHOTS']}/grid-session-phone.png")
    # the round's validation rules fit the phone too
    page.get_by_role("link", name=participant.display_name, exact=True).click()
    page.get_by_role("link", name="Règles de validation").click()
    page.locator("select").first.select_option("4")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("select").first.input_value() == "4"
    if os.environ.get("BADGER_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['BADGER_SCREENSHOTS']}/grid-rules-phone.png")
