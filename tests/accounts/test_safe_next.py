"""After login (staff and participant) and after a language change, ``next`` is followed only
when it is a path of this site: every open-redirect spelling is refused, over HTTP."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from badger.accounts.views import _safe_next

HOSTILE = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https://evil.example",
    "http:evil.example",
    "HTTPS://evil.example/",
    "//evil.example/%2F..",
    "javascript:alert(1)",
    "data:text/html,hi",
    "/\t/evil.example",  # browsers drop tabs and newlines: this is //evil.example
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "evil.example",
    "%2F%2Fevil.example",  # arrives as-is when the query is encoded twice
    "",
    "/" + "a" * 3000,
]
LOCAL = ["/portfolio", "/admin/participants?x=1", "/s/abc#top", "/%2F%2Fevil.example"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_next_goes_home(app, target):
    with app.test_request_context():
        assert _safe_next(target) == "/"


@pytest.mark.parametrize("target", LOCAL)
def test_local_next_is_followed(app, target):
    with app.test_request_context():
        assert _safe_next(target) == target


@pytest.mark.parametrize(
    "raw_query",
    ["next=//evil.example", "next=%2F%2Fevil.example", "next=/%5Cevil.example",
     "next=https%3A%2F%2Fevil.example", "next=%2F%09%2Fevil.example"],
)
def test_staff_login_never_redirects_away(client, admin, raw_query):
    response = client.post(
        f"/login?{raw_query}", data={"email": admin.email, "password": admin.test_password}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_participant_login_and_language_never_redirect_away(client, make, participant):
    code = make.login_code(participant)
    response = client.post("/code?next=" + quote("/\\evil.example"), data={"code": code})
    assert response.headers["Location"] == "/"
    response = client.post("/language", data={"lang": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"
    response = client.post("/language", data={"lang": "fr", "next": "/portfolio"})
    assert response.headers["Location"] == "/portfolio"
