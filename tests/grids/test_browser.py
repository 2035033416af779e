"""A participant fills a 17-axis grid on a 360×740 phone in Chromium and sees the chart."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from badger.grids.models import Rating
from tests.grids._factory import journey_round, published_version, rate

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
    chart = page.locator("figure.chart svg[role=img]")
    chart.wait_for()
    assert chart.locator("line.axis").count() == 17
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
