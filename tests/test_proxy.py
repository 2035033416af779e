"""Behind a reverse proxy: BADGER_TRUSTED_PROXIES makes rate limits count visitors, not the proxy;
without it the X-Forwarded-For header (which anyone can send) is ignored."""

from __future__ import annotations

from typing import Any

import pytest

from badger import create_app
from badger.security import limiter
from tests.conftest import BadgerClient


def _app(app_config: dict[str, Any], proxies: int) -> Any:
    app = create_app({**app_config, "BADGER_TRUSTED_PROXIES": proxies})
    app.test_client_class = BadgerClient
    app.config["BADGER_LOGIN_RATE_LIMIT"] = "2 per minute"
    limiter.reset()
    return app


def _attempt(client: Any, visitor: str) -> int:
    return int(client.post("/code", data={"code": "AAAAAAAA"},
                           headers={"X-Forwarded-For": visitor}).status_code)


@pytest.mark.parametrize("proxies", [0, 1])
def test_rate_limit_key_follows_the_trusted_proxy_setting(app_config: dict[str, Any],
                                                          proxies: int) -> None:
    app = _app(app_config, proxies)
    try:
        client = app.test_client()
        assert [_attempt(client, "203.0.113.5") for _ in range(2)] == [401, 401]
        assert _attempt(client, "203.0.113.5") == 429
        # another visitor behind the same proxy
        other = _attempt(client, "198.51.100.7")
        if proxies:
            assert other == 401  # counted on its own
        else:
            assert other == 429  # the header is not trusted: everyone is the proxy
    finally:
        from badger.db import get_db

        get_db(app).engine.dispose()


def test_forwarded_address_reaches_the_request(app_config: dict[str, Any]) -> None:
    app = _app(app_config, 1)
    seen: list[str | None] = []

    @app.get("/_whoami")
    def whoami() -> str:
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    app.test_client().get("/_whoami", headers={"X-Forwarded-For": "192.0.2.1, 203.0.113.9"})
    assert seen == ["203.0.113.9"]  # one trusted proxy: its left neighbour, not a forged first hop
    from badger.db import get_db

    get_db(app).engine.dispose()
