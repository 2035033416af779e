"""Cross-organisation cases for tests/test_isolation.py: an org-A admin gets 404 on the exit
pages of an org-B journey, and on the outcomes of a network org A's admin does not administer."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.networks.isolation import _network_b


def _journey(make: Any, org_b: Any) -> Any:
    from badger.grids.models import Journey

    person = make.participant(org_b, "Other")
    journey = Journey(organisation_id=org_b.id, participant_id=person.id,
                      started_on=date(2026, 1, 5), ended_on=date(2026, 6, 1))
    make.db.add(journey)
    make.db.commit()
    return journey


CASES: dict[str, Any] = {
    "outcomes.journey_exit": lambda make, b: ("GET", f"/journeys/{_journey(make, b).id}/exit"),
    "outcomes.follow_up": lambda make, b: (
        "POST", f"/journeys/{_journey(make, b).id}/follow-up"),
    "outcomes.network": lambda make, b: (
        "GET", f"/admin/networks/{_network_b(make, b).slug}/outcomes"),
    "outcomes.network_export": lambda make, b: (
        "GET", f"/admin/networks/{_network_b(make, b).slug}/outcomes.csv"),
}

EXEMPT: dict[str, str] = {
    "outcomes.export": "no id: <fmt> is csv or pdf; the organisation is the login's "
    "(tests/outcomes/test_stats.py: other organisation sees only its own)",
    "outcomes.answer": "participants only (staff get 403); another participant's journey "
    "answers 404 (tests/outcomes/test_exits.py)",
}
