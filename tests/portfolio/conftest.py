"""Portfolio fixtures: a participant with two issued badges."""

from __future__ import annotations

from typing import Any

import pytest

from tests.portfolio import _factory


@pytest.fixture
def creds(db: Any, org: Any, admin: Any, participant: Any) -> list[Any]:
    return _factory.badges(db, org, admin, participant, n=2)
