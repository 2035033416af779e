"""In Chromium on a small phone: the statistics page (charts, tables) and the participant's
"Ma sortie" page pass axe-core (WCAG 2.2 AA) and fit a 360 px screen."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from badger.grids.models import Journey
from badger.outcomes.models import JourneyExit
from tests.a11y import assert_accessible, no_overflow
from tests.conftest import browser_login_staff
from tests.outcomes.test_stats import PERIOD, _cohort

pytestmark = pytest.mark.browser


def test_statistics_and_my_exit_pages_are_accessible(
    live_server: str, phone_page: Any, db: Any, make: Any, org: Any, admin: Any,
) -> None:
    _cohort(db, org, admin)
    page = phone_page
    browser_login_staff(page, live_server, admin)
    page.goto(f"{live_server}/outcomes/?{PERIOD}")
    assert page.locator("svg[role=img] desc").count() == 2
    assert_accessible(page, "cohort statistics")
    no_overflow(page)
    person = make.participant(org, "Dalia")
    journey = Journey(organisation_id=org.id, participant_id=person.id,
                      started_on=date(2026, 1, 5), ended_on=date(2026, 6, 1))
    db.add(journey)
    db.flush()
    db.add(JourneyExit(organisation_id=org.id, journey_id=journey.id, participant_id=person.id,
                       kind="training", qualifying=True, exited_on=date(2026, 6, 1),
                       consent="pending", follow_ups=False))
    db.commit()
    page.context.clear_cookies()
    page.goto(f"{live_server}/code/{make.login_code(person)}")
    page.get_by_role("button", name="Entrer").click()
    page.wait_for_load_state("load")
    assert "donnez votre accord" in page.content()
    page.goto(f"{live_server}/me/outcome")
    assert "Formation — Qualifiante" in page.content()
    assert_accessible(page, "my exit")
    no_overflow(page)
