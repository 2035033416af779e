"""Two real server processes (``badger run``) on one PostgreSQL database and one Redis: what one
process does, the other sees — a login limit counts across both, a revocation made through one
shows on a share page served by the other at its next view, a background job runs once.

Runs in the database-server run of ``make test`` (``BADGER_TEST_DATABASE_URL`` set, as CI sets
it); it needs ``redis-server`` too, and under CI=true a missing one fails (``redis_server``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

import badger
from badger import portfolio
from badger.awards import jobs
from badger.awards import service as awards
from badger.awards.models import AwardJob, Credential
from badger.db import utcnow
from badger.portfolio.models import ShareView
from tests.conftest import TEST_SECRET, _free_port
from tests.portfolio import _factory

pytestmark = pytest.mark.skipif(
    not os.environ.get("BADGER_TEST_DATABASE_URL", "").startswith("postgres"),
    reason="two processes share one database server: runs when BADGER_TEST_DATABASE_URL is set",
)

UA = {"User-Agent": "Recruiter/2.0"}


class Server:
    """One ``badger run`` process of its own, on a loopback port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from badger.cli import main; main()", "run",
             "--host", "127.0.0.1", "--port", str(self.port), "--threads", "4"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.client = httpx.Client(base_url=self.url, timeout=60, follow_redirects=False)

    def wait(self) -> None:
        for _ in range(600):
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.process.returncode}")
            try:
                self.client.get("/login")
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("server did not start")

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)
        self.log.close()


def _csrf(client: httpx.Client, path: str) -> str:
    page = client.get(path).text
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, page[:2000]
    return match.group(1)


def _log_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post("/login", data={"csrf_token": _csrf(client, "/login"), "email": email,
                                       "password": password})


@pytest.fixture
def servers(app: Any, app_config: dict[str, Any], database_url: str, redis_server: str,
            tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    import redis

    redis.Redis.from_url(redis_server).flushdb()
    root = str(Path(badger.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
        "BADGER_ENV": "development",
        "BADGER_DATABASE_URL": database_url,
        "BADGER_REDIS_URL": redis_server,
        "BADGER_SECRET_KEY": TEST_SECRET,
        "BADGER_KEY_PASSPHRASE": app_config["BADGER_KEY_PASSPHRASE"],
        "BADGER_KEYS_DIR": app_config["BADGER_KEYS_DIR"],
        "BADGER_BASE_URL": app_config["BADGER_BASE_URL"],
        "BADGER_LOGIN_RATE_LIMIT": "5 per minute",
        "BADGER_AWARD_SYNC_LIMIT": "2",
        "BADGER_JOB_POLL_SECONDS": "0.2",
    }
    two = (Server(env, tmp_path / "one.log"), Server(env, tmp_path / "two.log"))
    try:
        for server in two:
            server.wait()
        yield two
    finally:
        for server in two:
            server.stop()


def test_two_processes_share_limits_share_pages_and_jobs(
    servers: tuple[Server, Server], app: Any, db: Any, make: Any, org: Any, admin: Any,
    participant: Any, redis_server: str,
) -> None:
    import redis

    one, two = servers
    creds = _factory.badges(db, org, admin, participant, n=2)
    path = "/s/" + portfolio.create_share(
        db, participant, label="entretien", days=7, credential_ids=[c.id for c in creds]
    ).token
    db.commit()

    # a share page served by the second process, then revoked through the first
    first = two.client.get(path, headers=UA)
    assert first.status_code == 200 and first.text.count("Badge authentique") == 2
    shared = redis.Redis.from_url(redis_server).keys("*")
    assert any(b":portfolio.badge_views:" in k for k in shared)  # built once, for both
    assert one.client.get(path, headers=UA).text.count("Badge authentique") == 2
    assert _log_in(one.client, admin.email, admin.test_password).status_code == 302
    token = _csrf(one.client, f"/admin/credentials/{creds[0].id}")
    revoked = one.client.post(f"/admin/credentials/{creds[0].id}/revoke",
                              data={"csrf_token": token, "reason": "erreur de saisie"})
    assert revoked.status_code == 303
    after = two.client.get(path, headers=UA).text
    assert "Badge plus valable" in after and after.count("Badge authentique") == 1
    # three views by one visitor through two processes count once (shared de-duplication)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(ShareView)) == 1

    # background jobs: queued ones nobody kicked run once, whichever process's worker takes them
    people = [make.participant(org, f"J{i}") for i in range(4)]
    queued = []
    for person in people:
        job = jobs.start(app, db, org, creds[1].achievement,
                         [awards.AwardRequest(participant_id=person.id, level=4)], actor=admin)
        db.flush()
        job.created_at = utcnow() - jobs.QUEUE_GRACE - timedelta(seconds=1)
        queued.append(job.id)
    db.commit()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        db.expire_all()
        if all(db.get(AwardJob, i).status == "finished" for i in queued):
            break
        time.sleep(0.2)
    db.expire_all()
    assert [len(db.get(AwardJob, i).results) for i in queued] == [1, 1, 1, 1]
    held = db.scalars(select(Credential.participant_id).where(
        Credential.participant_id.in_([p.id for p in people]))).all()
    assert sorted(held) == sorted(p.id for p in people)

    # a login limit of 5 a minute: the login above and two failures on each process; the
    # sixth try is refused by either
    for server in (two, one, two, one):
        assert _log_in(server.client, admin.email, "wrong-password").status_code == 401
    assert _log_in(two.client, admin.email, "wrong-password").status_code == 429
    assert _log_in(one.client, admin.email, "wrong-password").status_code == 429
