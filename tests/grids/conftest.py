"""Per-request isolation for the grids tests.

The shared ``db`` fixture keeps a request context pushed for the whole test, so every test-client
request reuses that app context and its ``g``: the logged-in person (``g._login_user``) and the
database session (``g.db_session``) would leak from one client's request into the next. Tests
here drive several people at once (participant, coach, another coach), so each request starts
with a clean ``g`` as it does in production.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import g


def _fresh_request_state() -> None:
    g.pop("_login_user", None)
    previous = g.pop("db_session", None)
    if previous is not None:
        previous.close()


@pytest.fixture(autouse=True)
def _isolated_requests(app: Any) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_state)
