"""Portfolio fixtures: clean request state, and a participant with two issued badges."""

from __future__ import annotations

from typing import Any

import pytest
from flask import g

from tests.portfolio import _factory


def _fresh_request_state() -> None:
    g.pop("_login_user", None)
    previous = g.pop("db_session", None)
    if previous is not None:
        previous.close()


@pytest.fixture(autouse=True)
def _isolated_requests(app: Any) -> None:
    """Each request starts with a clean ``g`` (the ``db`` fixture keeps a context pushed)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_state)


@pytest.fixture
def creds(db: Any, org: Any, admin: Any, participant: Any) -> list[Any]:
    return _factory.badges(db, org, admin, participant, n=2)
