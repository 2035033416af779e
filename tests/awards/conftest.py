"""Awards test fixtures: an adopted référentiel, a badge, a session, a resolver that reads the
app's own public endpoints through the test client."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from badger.ob3.resolver import ResolutionError
from tests.awards import _factory


class TestClientResolver:
    __test__ = False  # a helper, not a test class

    """A ``badger.ob3`` Resolver that GETs URLs under the base URL from the app itself, so keys
    and status lists come from the public endpoints exactly as a verifier would see them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.requests: list[str] = []

    def fetch_json(self, url: str) -> dict[str, Any]:
        base = str(self.app.config["BADGER_BASE_URL"]).rstrip("/")
        if not url.startswith(base + "/"):
            raise ResolutionError(f"not served here: {url}")
        self.requests.append(url)
        path = url[len(base):].partition("#")[0]
        parts = urllib.parse.urlsplit(base)
        client = self.app.test_client()
        response = client.get(path, headers={"Accept": "application/ld+json, application/json"},
                              base_url=f"{parts.scheme}://{parts.netloc}")
        if response.status_code != 200:
            raise ResolutionError(f"{url} answered {response.status_code}")
        value = json.loads(response.get_data(as_text=True))
        if not isinstance(value, dict):
            raise ResolutionError("not an object")
        return value


@pytest.fixture
def resolver(app: Flask) -> TestClientResolver:
    return TestClientResolver(app)


@pytest.fixture
def version(db: Any, org: Any, admin: Any) -> Any:
    return _factory.adopted_version(db, org, admin)


@pytest.fixture
def achievement(db: Any, org: Any, admin: Any, version: Any) -> Any:
    return _factory.achievement(db, org, admin, version)


@pytest.fixture
def group(db: Any, org: Any, coach: Any, version: Any, make: Any) -> Any:
    people = [make.participant(org, name, email=f"{name.lower()}@example.org")
              for name in ("Amina", "Bastien", "Chloé")]
    return _factory.group_session(db, org, coach, version, people)


@pytest.fixture
def credential_docs(app: Flask) -> Iterator[None]:
    yield None
