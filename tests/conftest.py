"""Shared fixtures: a real database (SQLite, or PostgreSQL when BADGER_TEST_DATABASE_URL is
set), one fresh schema per test run, an app per test, a CSRF-aware client, factories.

Every test starts from empty tables; the schema itself is made once per run with
``create_all`` (``tests/test_migrations.py`` proves the Alembic history builds the same one).
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from badger import create_app
from badger.db import Base, get_db

TEST_SECRET = "test-secret-key-" + "x" * 40

#: A test skipped for one of these reasons lacks a tool CI must have: under CI=true it fails.
CI_REQUIRED_TOOLS = ("chromium", "playwright", "node is not installed", "node_modules", "npm ci",
                     "axe-core", "postgres", "redis-server")


def on_ci(env: dict[str, str] | None = None) -> bool:
    return (env if env is not None else os.environ).get("CI", "").strip().lower() == "true"


def ci_failure(skip_reason: str, env: dict[str, str] | None = None) -> str | None:
    """Under CI=true, why a skip for a missing tool must be a failure (None: a skip is fine —
    not on CI, or skipped for another reason, such as reference material outside the repo)."""
    if not on_ci(env):
        return None
    lowered = skip_reason.lower()
    if any(tool in lowered for tool in CI_REQUIRED_TOOLS):
        return f"CI=true, so a missing tool fails instead of skipping: {skip_reason}"
    return None


def _skip_reason(longrepr: Any) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and not hasattr(report, "wasxfail"):
        failure = ci_failure(_skip_reason(report.longrepr))
        if failure:
            report.outcome, report.longrepr = "failed", failure


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: Any) -> Iterator[None]:
    """A module skipped at import (``importorskip("playwright…")``) fails too under CI=true."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.outcome == "skipped":
        failure = ci_failure(_skip_reason(report.longrepr))
        if failure:
            report.outcome, report.longrepr = "failed", failure
CHROMIUM = "/usr/bin/chromium"


def _postgres_url(base_url: str, schema: str) -> str:
    sep = "&" if "?" in base_url else "?"
    return f"{base_url}{sep}options={quote('-csearch_path=' + schema)}"


def _normalise_pg(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database for this test run: a fresh PostgreSQL schema, or a fresh SQLite file."""
    base = os.environ.get("BADGER_TEST_DATABASE_URL")
    if base and base.startswith("postgres"):
        base = _normalise_pg(base)
        schema = f"badger_test_{os.getpid()}_{secrets.token_hex(4)}"
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = _postgres_url(base, schema)
        engine = create_engine(url)
        import badger.models

        Base.metadata.create_all(engine)
        engine.dispose()
        yield url
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("db") / "badger-test.sqlite"
        url = f"sqlite:///{path}"
        engine = create_engine(url)
        import badger.models  # noqa: F401

        Base.metadata.create_all(engine)
        engine.dispose()
        yield url


class BadgerClient(FlaskClient):
    """A test client that adds a valid CSRF token to writes, unless told ``csrf=False``."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        add_token = kwargs.pop("csrf", True)
        method = str(kwargs.get("method", "GET")).upper()
        if add_token and method in {"POST", "PUT", "PATCH", "DELETE"}:
            token = self.csrf_token()
            data = kwargs.get("data")
            if isinstance(data, dict):
                data.setdefault("csrf_token", token)
            headers = dict(kwargs.get("headers") or {})
            headers.setdefault("X-CSRFToken", token)
            kwargs["headers"] = headers
        # A fresh app context per request: otherwise a context pushed by a fixture would be
        # reused and ``g`` (logged-in person, database session) would leak between requests.
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """Sign the session's raw token the way Flask-WTF does."""
        with self.session_transaction() as sess:
            raw = sess.get("csrf_token")
            if not raw:
                raw = secrets.token_hex(20)
                sess["csrf_token"] = raw
        app = self.application
        return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(raw)


@pytest.fixture
def app_config(tmp_path: Path, database_url: str) -> dict[str, Any]:
    """Settings for the test app; tests may tweak this before ``app`` is created."""
    keys = tmp_path / "keys"
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "BADGER_KEY_PASSPHRASE": "test-passphrase-0123456789",
        "BADGER_DATABASE_URL": database_url,
        "BADGER_KEYS_DIR": str(keys),
        "BADGER_BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "BADGER_ALLOW_PRIVATE_FETCH": True,
        "BADGER_REDIS_URL": None,  # sessions in the database unless a test asks for Redis
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    app.test_client_class = BadgerClient
    from badger.security import limiter

    limiter.reset()
    yield app
    engine = get_db(app).engine
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


class Clock:
    """A fixed "now" for every ``utcnow`` badger reads; ``advance`` moves it (no sleeping)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Freeze ``badger.db.utcnow`` — and every badger module's imported copy of it — at the
    present instant; tests move it with ``clock.advance(minutes=…)``."""
    import sys

    import badger.db

    real = badger.db.utcnow
    fixed = Clock(real())
    for name, module in list(sys.modules.items()):
        if (name == "badger" or name.startswith("badger.")) and getattr(
            module, "utcnow", None
        ) is real:
            monkeypatch.setattr(module, "utcnow", fixed)
    return fixed


@pytest.fixture
def client(app: Flask) -> BadgerClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session outside any request, with no organisation scope (test set-up and checks)."""
    session = get_db(app).session()
    with app.test_request_context():
        yield session
    session.close()


@dataclass
class Factory:
    """Builds rows through the services, so test data obeys the same rules as real data."""

    app: Flask
    db: Session

    def organisation(self, slug: str | None = None, name: str | None = None) -> Any:
        from badger.networks.models import Organisation

        slug = slug or f"org-{secrets.token_hex(3)}"
        org = Organisation(slug=slug, name=name or slug.title())
        self.db.add(org)
        self.db.commit()
        return org

    def network(self, slug: str | None = None, *, listed: bool = True) -> Any:
        """A network; ``listed`` (default): one a server administrator created, listed in the
        server's registry (its endorsements read as recognition); ``listed=False``: a demo or
        legacy network."""
        from badger.networks.models import Network

        slug = slug or f"net-{secrets.token_hex(3)}"
        net = Network(slug=slug, name=slug.title(), listed=listed)
        self.db.add(net)
        self.db.commit()
        return net

    def staff(
        self,
        org: Any,
        role: str = "admin",
        email: str | None = None,
        password: str = "pw-" + "s" * 12,
    ) -> Any:
        from badger.accounts import service
        from badger.accounts.models import Role

        email = email or f"{role}-{secrets.token_hex(3)}@example.org"
        user = service.create_staff(
            self.db,
            organisation=org,
            email=email,
            name=email.split("@")[0],
            role=Role(role),
            password=password,
        )
        self.db.commit()
        user.test_password = password  # type: ignore[attr-defined]
        return user

    def participant(self, org: Any, name: str = "Alex", email: str | None = None) -> Any:
        from badger.accounts import service

        p = service.create_participant(
            self.db, organisation_id=org.id, display_name=name, email=email
        )
        self.db.commit()
        return p

    def login_code(self, participant: Any, minutes: int = 30) -> str:
        from badger.accounts import service

        issued = service.issue_login_code(self.db, participant, minutes=minutes)
        self.db.commit()
        return issued.code


@pytest.fixture
def make(app: Flask, db: Session) -> Factory:
    return Factory(app, db)


def login_staff(client: FlaskClient, user: Any) -> Any:
    response = client.post("/login", data={"email": user.email, "password": user.test_password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def browser_login_staff(page: Any, live_server: str, user: Any) -> None:
    """Log a staff user in through the real login form of a live server (browser tests)."""
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(user.test_password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert not page.url.endswith("/login"), "browser login refused"


def login_participant(client: FlaskClient, make: Factory, participant: Any) -> Any:
    code = make.login_code(participant)
    response = client.post("/code", data={"code": code})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def org(make: Factory) -> Any:
    return make.organisation("org-a", "Organisation A")


@pytest.fixture
def admin(make: Factory, org: Any) -> Any:
    return make.staff(org, "admin", email="admin@a.example.org")


@pytest.fixture
def coach(make: Factory, org: Any) -> Any:
    return make.staff(org, "assessor", email="coach@a.example.org")


@pytest.fixture
def participant(make: Factory, org: Any) -> Any:
    return make.participant(org, "Amina")


@pytest.fixture
def admin_client(client: FlaskClient, admin: Any) -> FlaskClient:
    login_staff(client, admin)
    return client


@pytest.fixture
def coach_client(client: FlaskClient, coach: Any) -> FlaskClient:
    login_staff(client, coach)
    return client


@pytest.fixture
def participant_client(client: FlaskClient, make: Factory, participant: Any) -> FlaskClient:
    login_participant(client, make, participant)
    return client


# --- live server and browser -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the test app on 127.0.0.1 in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    port = _free_port()
    app.config["BADGER_BASE_URL"] = f"http://127.0.0.1:{port}"
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        reason = "Debian's chromium is not installed (make test installs it)"
        if on_ci():
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A fresh browser context the size of a small phone (360×740)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def endorsement_proofs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the EndorsementCredentials whose proof ``badger.ob3.verify`` checks, in order
    (to count how often one embedded endorsement is verified)."""
    from badger.ob3 import verify as verify_module

    seen: list[str] = []
    real = verify_module.verify_proof

    def counting(document: Any, *args: Any, **kwargs: Any) -> Any:
        if "EndorsementCredential" in (document.get("type") or []):
            seen.append(document["id"])
        return real(document, *args, **kwargs)

    monkeypatch.setattr(verify_module, "verify_proof", counting)
    return seen


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ``redis-server`` of this test run on a loopback port (skipped without one: under
    CI=true that fails, see ``CI_REQUIRED_TOOLS``); tests flush what they use."""
    import shutil
    import subprocess
    import time

    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis-server")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    for _ in range(200):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)
