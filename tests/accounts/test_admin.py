"""Admins invite staff, reset passwords and create participants with printable codes."""

from __future__ import annotations

import re

from sqlalchemy import select

from badger.accounts.models import Participant, User


def _link(html: str) -> str:
    match = re.search(r"http://localhost(/invitation/[\w-]+)", html)
    assert match, html[:2000]
    return match.group(1)


def test_invite_then_accept_sets_the_password(admin_client, db, client):
    response = admin_client.post(
        "/admin/staff", data={"email": "New.Coach@Example.org ", "name": "Nour", "role": "assessor"}
    )
    assert response.status_code == 200
    path = _link(response.get_data(as_text=True))
    user = db.scalar(select(User).where(User.email == "new.coach@example.org"))
    assert user is not None and user.password_hash is None
    admin_client.post("/logout")
    assert admin_client.post(path, data={"password": "short"}).status_code == 400
    assert admin_client.post(path, data={"password": "a-long-password"}).status_code == 302
    assert "Bonjour Nour" in admin_client.get("/").get_data(as_text=True)
    admin_client.post("/logout")
    # The link works once.
    assert admin_client.get(path).status_code == 410


def test_reset_link_replaces_the_password(admin_client, coach, client):
    response = admin_client.post(f"/admin/staff/{coach.id}/reset")
    path = _link(response.get_data(as_text=True))
    admin_client.post("/logout")
    assert client.post(path, data={"password": "brand-new-password"}).status_code == 302
    client.post("/logout")
    old = client.post("/login", data={"email": coach.email, "password": coach.test_password})
    assert old.status_code == 401
    new = client.post("/login", data={"email": coach.email, "password": "brand-new-password"})
    assert new.status_code == 302


def test_create_participant_without_email_and_print_a_code(admin_client, db, client):
    response = admin_client.post(
        "/admin/participants",
        data={"display_name": "Yusuf", "email": "", "phone": "", "locale": "fr"},
    )
    assert response.status_code == 302
    p = db.scalar(select(Participant).where(Participant.display_name == "Yusuf"))
    assert p is not None and p.email is None
    page = admin_client.post(f"/admin/participants/{p.id}/code")
    html = page.get_data(as_text=True)
    code = re.search(r'class="big-code"[^>]*>([A-Z0-9]{8})<', html).group(1)
    assert "<svg" in html  # the QR code
    admin_client.post("/logout")
    assert client.post("/code", data={"code": code}).status_code == 302
    assert "Bonjour Yusuf" in client.get("/").get_data(as_text=True)


def test_participant_form_errors_write_nothing(admin_client, db):
    before = db.scalar(select(Participant).where(Participant.display_name == ""))
    response = admin_client.post("/admin/participants", data={"display_name": "", "email": "nope"})
    assert response.status_code == 400
    assert before is None
    assert db.scalars(select(Participant)).all() == []


def test_duplicate_member_is_refused(admin_client, coach):
    response = admin_client.post(
        "/admin/staff", data={"email": coach.email, "name": "Again", "role": "assessor"}
    )
    assert response.status_code == 409
    assert "déjà partie" in response.get_data(as_text=True)


def test_a_new_participant_reads_their_phone_language_until_they_choose(admin_client, db, app):
    """The form's default stores no language: the participant's phone (Accept-Language)
    decides until they pick one; a language the coach picks wins over the phone."""
    form = admin_client.get("/admin/participants").get_data(as_text=True)
    options = re.search(r'<select[^>]*name="locale"[^>]*>(.*?)</select>', form, re.S).group(1)
    assert options.startswith('<option value="">Celle de son téléphone</option>')  # the default
    for name, locale in (("Olena", ""), ("Karim", "fr")):
        r = admin_client.post("/admin/participants",
                              data={"display_name": name, "email": "", "phone": "",
                                    "locale": locale})
        assert r.status_code == 302
    olena, karim = (db.scalar(select(Participant).where(Participant.display_name == n))
                    for n in ("Olena", "Karim"))
    assert olena.locale is None and karim.locale == "fr"
    ukrainian = {"Accept-Language": "uk-UA,uk;q=0.9"}
    for person, lang in ((olena, "uk"), (karim, "fr")):
        code = admin_client.post(f"/admin/participants/{person.id}/code").get_data(as_text=True)
        code = re.search(r'class="big-code"[^>]*>([A-Z0-9]{8})<', code).group(1)
        phone = app.test_client()
        assert phone.post("/code", data={"code": code}, headers=ukrainian).status_code == 302
        home = phone.get("/", headers=ukrainian).get_data(as_text=True)
        assert f'<html lang="{lang}"' in home


def test_form_fields_carry_no_none_attribute(admin_client, client):
    """The field macro prints only the attributes a template gives (WTForms would print
    autocomplete="None")."""
    for page in (admin_client.get("/admin/participants"), client.get("/login")):
        html = page.get_data(as_text=True)
        assert '="None"' not in html
    assert 'autocomplete="' in client.get("/login").get_data(as_text=True)
