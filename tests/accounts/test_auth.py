"""Logging in and out, for staff (password) and participants (one-time code)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from badger.accounts.models import LoginCode
from badger.audit import AuditEvent
from badger.db import utcnow
from tests.conftest import login_participant, login_staff


def test_staff_login_and_logout(client, admin, db):
    page = client.get("/login")
    assert page.status_code == 200 and "Connexion de l'équipe" in page.get_data(as_text=True)
    login_staff(client, admin)
    home = client.get("/")
    assert f"Bonjour {admin.name}" in home.get_data(as_text=True)
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "staff.login")) is not None
    out = client.post("/logout")
    assert out.status_code == 302
    assert "Bonjour" not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_clear_message(client, admin):
    response = client.post("/login", data={"email": admin.email, "password": "not-the-password"})
    assert response.status_code == 401
    assert "E-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/admin/participants").status_code == 302  # still anonymous


def test_unknown_email_gets_the_same_answer(client):
    response = client.post("/login", data={"email": "nobody@example.org", "password": "whatever12"})
    assert response.status_code == 401
    assert "E-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_login_next_only_follows_local_paths(client, admin):
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": admin.email, "password": admin.test_password},
    )
    assert response.headers["Location"] == "/"


def test_participant_logs_in_with_a_code_once(client, make, participant):
    code = make.login_code(participant)
    response = client.post("/code", data={"code": code.lower()})
    assert response.status_code == 302
    assert "Bonjour Amina" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    again = client.post("/code", data={"code": code})
    assert again.status_code == 401
    assert "pas valable" in again.get_data(as_text=True)


def test_qr_link_prefills_the_code_but_needs_a_click(client, make, participant):
    code = make.login_code(participant)
    page = client.get(f"/code/{code}")
    assert page.status_code == 200 and code in page.get_data(as_text=True)
    assert "Bonjour" not in client.get("/").get_data(as_text=True)  # GET did not log in


def test_expired_code_is_refused(client, make, participant, db):
    code = make.login_code(participant)
    row = db.scalars(select(LoginCode)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.commit()
    response = client.post("/code", data={"code": code})
    assert response.status_code == 401
    assert "expiré" in response.get_data(as_text=True)


def test_new_code_cancels_the_previous_one(client, make, participant):
    first = make.login_code(participant)
    second = make.login_code(participant)
    assert client.post("/code", data={"code": first}).status_code == 401
    assert client.post("/code", data={"code": second}).status_code == 302


def test_login_is_rate_limited(app, client, admin):
    app.config["BADGER_LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        client.post("/login", data={"email": admin.email, "password": "wrong-password"})
    response = client.post("/login", data={"email": admin.email, "password": admin.test_password})
    assert response.status_code == 429
    assert "Trop d'essais" in response.get_data(as_text=True)


def test_code_login_is_rate_limited(app, client):
    app.config["BADGER_LOGIN_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        client.post("/code", data={"code": "AAAAAAAA"})
    assert client.post("/code", data={"code": "AAAAAAAA"}).status_code == 429


def test_form_without_csrf_token_is_refused(client, admin):
    response = client.post(
        "/login", data={"email": admin.email, "password": admin.test_password}, csrf=False
    )
    assert response.status_code == 400
    assert "formulaire a expiré" in response.get_data(as_text=True)
    assert "Bonjour" not in client.get("/").get_data(as_text=True)


def test_participant_cannot_open_staff_pages(client, make, participant):
    login_participant(client, make, participant)
    assert client.get("/admin/participants").status_code == 403


def test_assessor_cannot_manage_the_team(client, coach):
    login_staff(client, coach)
    assert client.get("/admin/staff").status_code == 403
    assert client.get("/admin/participants").status_code == 200
    assert client.post("/admin/participants", data={"display_name": "X"}).status_code == 403


def test_participant_login_returns_to_a_local_next_only(client, make, participant):
    code = make.login_code(participant)
    page = client.get("/code?next=/portfolio")
    assert re.search(r'action="/code\?next=(%2F|/)portfolio"', page.get_data(as_text=True))
    response = client.post("/code?next=/portfolio", data={"code": code})
    assert response.headers["Location"] == "/portfolio"
    client.post("/logout")
    code = make.login_code(participant)
    response = client.post("/code?next=https://evil.example/", data={"code": code})
    assert response.headers["Location"] == "/"
