"""Server-side sessions: a cookie is a login only while its session lives on the server.

Every check goes over HTTP with the real cookie a browser would keep; expiry is driven by the
``clock`` fixture, never by sleeping.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from badger.accounts import service
from badger.accounts.models import LoginSession, Membership, Role, TokenPurpose
from badger.config import ConfigError, load_config
from tests.conftest import login_participant, login_staff

STAFF_PAGE = "/admin/participants"
ANDROID_FIREFOX = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"


def _cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app, cookie: str):
    """A second browser that holds a copy of ``cookie`` (as a thief would)."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def _logged_in(client, page: str = STAFF_PAGE) -> bool:
    response = client.get(page)
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/login" in response.headers["Location"], (
        response.status_code
    )
    return False


def _sessions(db, **owner) -> list[LoginSession]:
    db.expire_all()
    column = LoginSession.user_id if "user_id" in owner else LoginSession.participant_id
    return list(
        db.scalars(select(LoginSession).where(column == next(iter(owner.values())))).all()
    )


def test_a_cookie_replayed_after_logout_is_refused(app, client, admin, db):
    login_staff(client, admin)
    stolen = _cookie(client)
    assert _logged_in(_replay(app, stolen))  # the copy works while the session lives
    assert client.post("/logout").status_code == 302
    assert not _logged_in(client)
    assert not _logged_in(_replay(app, stolen))
    (row,) = _sessions(db, user_id=admin.id)
    assert row.ended_at is not None and row.end_reason == "logout"


def test_a_participant_cookie_replayed_after_logout_is_refused(app, client, make, participant):
    login_participant(client, make, participant)
    stolen = _cookie(client)
    assert _logged_in(_replay(app, stolen), "/account/sessions")
    client.post("/logout")
    assert not _logged_in(_replay(app, stolen), "/account/sessions")


def test_login_rotates_the_session_and_ends_the_one_the_browser_had(app, client, admin, coach, db):
    login_staff(client, admin)
    first = _cookie(client)
    with client.session_transaction() as sess:
        first_sid = sess["_sid"]
    login_staff(client, coach)  # log in again in the same browser, as someone else
    with client.session_transaction() as sess:
        assert sess["_sid"] != first_sid
    assert not _logged_in(_replay(app, first))
    (old,) = _sessions(db, user_id=admin.id)
    assert old.end_reason == "replaced"
    # The token is stored only as a keyed hash.
    assert first_sid not in {old.token_hash} and len(old.token_hash) == 64


def test_a_planted_cookie_is_useless_after_login(app, client, admin):
    """Session fixation: whatever the browser carried before login is not the new session."""
    with client.session_transaction() as sess:
        sess["_sid"] = "chosen-by-the-attacker"
        sess["_user_id"] = f"u:{admin.id}"
    assert not _logged_in(client)  # a forged id without a live session is no login
    assert client.get_cookie("session") is None  # and the refused login is dropped
    client.get("/login")
    planted = _cookie(client)
    login_staff(client, admin)
    assert _logged_in(client)
    assert not _logged_in(_replay(app, planted))


def test_a_new_password_ends_every_session(app, client, admin, db):
    login_staff(client, admin)
    phone = _replay(app, _cookie(client))
    token = service.issue_action_token(db, admin, TokenPurpose.PASSWORD_RESET)
    db.commit()
    fresh = app.test_client()
    response = fresh.post(
        f"/invitation/{token}", data={"password": "a-new-password-1", "confirm": "a-new-password-1"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert not _logged_in(client) and not _logged_in(phone)
    assert _logged_in(fresh)  # the browser that set the password starts a fresh session
    reasons = sorted(r.end_reason or "live" for r in _sessions(db, user_id=admin.id))
    assert reasons == ["live", "password"]


def test_changing_a_role_ends_the_sessions(app, make, org, db):
    kept = make.staff(org, "admin")
    other = app.test_client()
    login_staff(other, kept)
    membership = db.scalars(select(Membership).where(Membership.user_id == kept.id)).one()
    membership.role = Role.ASSESSOR
    db.commit()
    assert not _logged_in(other)
    assert db.scalars(
        select(LoginSession.end_reason).where(LoginSession.user_id == kept.id)
    ).one() == "role"


def test_deleting_a_membership_row_ends_the_sessions(client, make, org, db):
    user = make.staff(org, "assessor")
    login_staff(client, user)
    membership = db.scalars(select(Membership).where(Membership.user_id == user.id)).one()
    db.delete(membership)
    db.commit()
    assert client.get(STAFF_PAGE).status_code == 302
    assert _sessions(db, user_id=user.id)[0].end_reason == "role"


def test_removing_a_network_role_ends_the_sessions(client, make, org, db):
    from badger.accounts.models import NetworkAdmin

    user = make.staff(org, "admin")
    db.add(NetworkAdmin(user_id=user.id, network_id=make.network().id))
    db.commit()
    login_staff(client, user)
    other = db.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    assert other.ended_at is None
    db.delete(db.scalars(select(NetworkAdmin).where(NetworkAdmin.user_id == user.id)).one())
    db.commit()
    assert not _logged_in(client)
    assert _sessions(db, user_id=user.id)[0].end_reason == "role"


def test_a_deactivated_participant_is_logged_out(client, make, participant, db):
    login_participant(client, make, participant)
    assert _logged_in(client, "/account/sessions")
    participant.active = False
    db.add(participant)
    db.commit()
    assert not _logged_in(client, "/account/sessions")
    assert _sessions(db, participant_id=participant.id)[0].end_reason == "inactive"


def test_an_idle_session_expires(app, client, admin, clock, db):
    idle = app.config["BADGER_SESSION_IDLE_MINUTES"]
    login_staff(client, admin)
    clock.advance(minutes=idle - 1)
    assert _logged_in(client)  # activity within the limit keeps it alive, and is noted
    clock.advance(minutes=idle - 1)
    assert _logged_in(client)
    clock.advance(minutes=idle + 1)
    assert not _logged_in(client)
    clock.advance(seconds=-3600 * 5)  # even if the clock went back, an ended session stays ended
    assert not _logged_in(client)
    assert _sessions(db, user_id=admin.id)[0].end_reason == "idle"


def test_a_session_ends_after_its_longest_life_despite_activity(app, client, admin, clock):
    app.config["BADGER_SESSION_MAX_HOURS"] = 2
    login_staff(client, admin)
    for _ in range(4):
        clock.advance(minutes=29)
        assert _logged_in(client)
    clock.advance(minutes=9)  # 2 h 05 after login
    assert not _logged_in(client)


def test_the_account_page_lists_and_ends_other_sessions(app, make, participant, db):
    phone = app.test_client()
    laptop = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = ANDROID_FIREFOX
    login_participant(phone, make, participant)
    login_participant(laptop, make, participant)
    page = phone.get("/account/sessions")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Firefox, Android" in html and "cet appareil" in html
    assert "Mozilla/5.0" not in html  # only the short label is kept and shown
    assert ANDROID_FIREFOX not in {r.device for r in _sessions(db, participant_id=participant.id)}
    laptop_row = next(r for r in _sessions(db, participant_id=participant.id) if not r.device)
    assert phone.post(f"/account/sessions/{laptop_row.id}/end").status_code == 302
    assert not _logged_in(laptop, "/account/sessions")
    assert _logged_in(phone, "/account/sessions")
    # Ending again, or an unknown id, answers 404 and writes nothing.
    assert phone.post(f"/account/sessions/{laptop_row.id}/end").status_code == 404
    assert phone.post("/account/sessions/999999/end").status_code == 404


def test_end_every_other_session_keeps_this_one(app, client, admin, db):
    others = [app.test_client() for _ in range(2)]
    for browser in [client, *others]:
        login_staff(browser, admin)
    response = client.post("/account/sessions/end-others")
    assert response.status_code == 302
    assert _logged_in(client)
    assert not any(_logged_in(b) for b in others)
    assert sorted(r.end_reason or "live" for r in _sessions(db, user_id=admin.id)) == [
        "ended_elsewhere",
        "ended_elsewhere",
        "live",
    ]


def test_ending_a_session_needs_the_csrf_token(app, client, admin, db):
    login_staff(client, admin)
    other = app.test_client()
    login_staff(other, admin)
    row = next(r for r in _sessions(db, user_id=admin.id) if r.ended_at is None)
    response = client.post(f"/account/sessions/{row.id}/end", csrf=False)
    assert response.status_code == 400
    assert all(r.ended_at is None for r in _sessions(db, user_id=admin.id))


def test_the_account_page_needs_a_login(client):
    response = client.get("/account/sessions")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("BADGER_SESSION_IDLE_MINUTES", "0"),
        ("BADGER_SESSION_IDLE_MINUTES", "soon"),
        ("BADGER_SESSION_MAX_HOURS", "-1"),
        ("BADGER_SESSION_MAX_HOURS", "99999999"),
    ],
)
def test_session_lifetimes_are_checked_at_startup(tmp_path, key, value):
    with pytest.raises(ConfigError, match=key):
        load_config(tmp_path, {"SECRET_KEY": "x" * 40, key: value})
