"""The same session rules with the Redis store (``BADGER_REDIS_URL``), against a real
``redis-server`` started on a loopback port for this module; nothing lands in the table."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from sqlalchemy import func, select

from badger.accounts import service
from badger.accounts.models import LoginSession, Membership, TokenPurpose
from badger.accounts.sessions import RedisStore
from tests.conftest import login_participant, login_staff

STAFF_PAGE = "/admin/participants"
REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS is None, reason="redis-server is not installed")


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The run's redis-server (``tests/conftest.py``), emptied by ``app_config`` per test."""
    return redis_server


@pytest.fixture
def app_config(app_config: dict[str, Any], redis_url: str) -> dict[str, Any]:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    return {**app_config, "BADGER_REDIS_URL": redis_url}


def _logged_in(client: Any, page: str = STAFF_PAGE) -> bool:
    response = client.get(page)
    assert response.status_code in {200, 302}, response.status_code
    return response.status_code == 200


def _replay(app: Any, client: Any) -> Any:
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_the_redis_store_is_used(app: Any, client: Any, admin: Any, db: Any) -> None:
    assert isinstance(app.extensions["badger.sessions"], RedisStore)
    login_staff(client, admin)
    assert _logged_in(client)
    assert db.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_a_cookie_replayed_after_logout_is_refused(app: Any, client: Any, admin: Any) -> None:
    login_staff(client, admin)
    copy = _replay(app, client)
    assert _logged_in(copy)
    client.post("/logout")
    assert not _logged_in(copy) and not _logged_in(client)


def test_login_rotates_the_token(app: Any, client: Any, admin: Any, coach: Any) -> None:
    login_staff(client, admin)
    before = _replay(app, client)
    login_staff(client, coach)
    assert not _logged_in(before)
    assert _logged_in(client)


def test_password_change_and_role_removal_end_sessions(
    app: Any, admin: Any, coach: Any, db: Any
) -> None:
    admin_browser, coach_browser = app.test_client(), app.test_client()
    login_staff(admin_browser, admin)
    login_staff(coach_browser, coach)
    token = service.issue_action_token(db, admin, TokenPurpose.PASSWORD_RESET)
    service.use_action_token(db, token, "another-password-1")
    db.commit()
    assert not _logged_in(admin_browser)
    db.delete(db.scalars(select(Membership).where(Membership.user_id == coach.id)).one())
    db.commit()
    assert not _logged_in(coach_browser)


def test_idle_sessions_expire_on_the_clock(app: Any, client: Any, admin: Any, clock: Any) -> None:
    idle = app.config["BADGER_SESSION_IDLE_MINUTES"]
    login_staff(client, admin)
    clock.advance(minutes=idle - 1)
    assert _logged_in(client)
    clock.advance(minutes=idle + 1)
    assert not _logged_in(client)


def test_the_account_page_ends_other_devices(app: Any, make: Any, participant: Any) -> None:
    phone, laptop, tablet = app.test_client(), app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile"
    for browser in (phone, laptop, tablet):
        login_participant(browser, make, participant)
    html = phone.get("/account/sessions").get_data(as_text=True)
    assert "Chrome, Android" in html and html.count("/end\"") == 2
    store = app.extensions["badger.sessions"]
    with app.test_request_context():
        live = store.live(None, participant.get_id(), None)
    assert len(live) == 3
    laptop_id = next(s.id for s in live if not s.device and s.id != max(x.id for x in live))
    assert phone.post(f"/account/sessions/{laptop_id}/end").status_code == 302
    assert phone.post(f"/account/sessions/{laptop_id}/end").status_code == 404
    assert not _logged_in(laptop, "/account/sessions")
    assert _logged_in(tablet, "/account/sessions")
    assert phone.post("/account/sessions/end-others").status_code == 302
    assert not _logged_in(tablet, "/account/sessions")
    assert _logged_in(phone, "/account/sessions")


def test_someone_elses_session_id_is_not_found(app: Any, make: Any, org: Any, admin: Any) -> None:
    other = make.staff(make.organisation("org-b"), "assessor")
    theirs, mine = app.test_client(), app.test_client()
    login_staff(theirs, other)
    login_staff(mine, admin)
    store = app.extensions["badger.sessions"]
    with app.test_request_context():
        (their_session,) = store.live(None, other.get_id(), None)
    assert mine.post(f"/account/sessions/{their_session.id}/end").status_code == 404
    assert _logged_in(theirs, "/account/sessions")
