"""API test fixtures: each request starts with a clean ``g`` (the ``db`` fixture keeps an app
context pushed, which would otherwise share one session and organisation scope between the
anonymous API client and the participant's browser)."""

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
