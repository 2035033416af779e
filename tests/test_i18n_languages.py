"""Which languages the interface offers (shipped vs configured), Arabic over HTTP (right to
left), and the choice persisting for the browser and for the person."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask_babel import format_date

from badger import create_app
from badger.accounts.models import Participant
from badger.config import ConfigError
from badger.i18n import resolve_languages, shipped_languages, text_direction
from tests.conftest import login_participant, login_staff

HTML_TAG = re.compile(r"<html [^>]*>")


def _html_tag(response) -> str:
    match = HTML_TAG.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:300]
    return match.group(0)


def _catalogue(root, code: str) -> None:
    folder = root / code / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.mo").write_bytes(b"")


# --------------------------------------------------------------------------- shipped, configured


def test_shipped_languages_are_french_and_every_compiled_catalogue(tmp_path):
    assert shipped_languages((tmp_path,)) == ("fr",)
    _catalogue(tmp_path, "ar")
    _catalogue(tmp_path, "en")
    assert shipped_languages((tmp_path,)) == ("fr", "en", "ar")  # the switch's order
    assert {"fr", "en", "ar"} <= set(shipped_languages())  # this checkout's catalogues


def test_configured_languages_must_have_a_catalogue(tmp_path):
    _catalogue(tmp_path, "en")
    assert resolve_languages(None, (tmp_path,)) == ("fr", "en")
    assert resolve_languages(("en",), (tmp_path,)) == ("fr", "en")  # French always offered
    with pytest.raises(ConfigError, match=r"BADGER_LANGUAGES lists ar, uk but no compiled"):
        resolve_languages(("fr", "ar", "uk"), (tmp_path,))


def test_app_refuses_to_start_with_a_language_it_cannot_speak(app_config):
    with pytest.raises(ConfigError, match="BADGER_LANGUAGES lists xx"):
        create_app({**app_config, "BADGER_LANGUAGES": ("fr", "xx")})


def test_environment_narrows_the_languages(app_config, monkeypatch):
    monkeypatch.setenv("BADGER_LANGUAGES", "fr, ar")
    app = create_app(app_config)
    assert app.config["BADGER_LANGUAGES"] == ("fr", "ar")
    page = app.test_client().get("/login").get_data(as_text=True)
    assert 'value="ar"' in page and 'value="en"' not in page


def test_default_is_every_shipped_language(app):
    assert app.config["BADGER_LANGUAGES"] == shipped_languages()
    assert app.config["BADGER_LANGUAGES"][:3] == ("fr", "en", "ar")


def test_direction_comes_from_the_language():
    assert [text_direction(c) for c in ("fr", "en", "ar", "uk", "ar-MA", "zz")] == [
        "ltr",
        "ltr",
        "rtl",
        "ltr",
        "rtl",
        "ltr",
    ]


# --------------------------------------------------------------------------- Arabic over HTTP


def test_browser_asking_for_arabic_gets_a_right_to_left_page(client):
    response = client.get("/login", headers={"Accept-Language": "ar,fr;q=0.5"})
    assert _html_tag(response) == '<html lang="ar" dir="rtl">'
    page = response.get_data(as_text=True)
    assert "دخول الفريق" in page  # "Connexion de l'équipe"
    assert "Connexion de l'équipe" not in page
    # the switch names every language in itself, each marked with its own language
    for code, name in (("fr", "Français"), ("en", "English"), ("ar", "العربية")):
        assert re.search(rf'value="{code}" lang="{code}" dir="auto"\s*[^>]*>{name}<', page)


def test_french_and_english_pages_stay_left_to_right(client):
    assert _html_tag(client.get("/login")) == '<html lang="fr" dir="ltr">'
    english = client.get("/login", headers={"Accept-Language": "en"})
    assert _html_tag(english) == '<html lang="en" dir="ltr">'


def test_error_page_in_arabic(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "ar"})
    assert response.status_code == 404
    assert _html_tag(response) == '<html lang="ar" dir="rtl">'
    assert "الصفحة غير موجودة" in response.get_data(as_text=True)


def test_dates_follow_the_language(app):
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        assert "نوفمبر" in format_date(date(2026, 11, 26), "long")
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert format_date(date(2026, 11, 26), "long") == "26 novembre 2026"


# --------------------------------------------------------------------------- the choice persists


def test_choice_persists_for_the_browser(client):
    response = client.post("/language", data={"lang": "ar", "next": "/verify"})
    assert response.status_code == 302 and response.headers["Location"] == "/verify"
    # the browser asks for French, the chosen language wins, page after page
    for path in ("/verify", "/login", "/referentiels/"):
        page = client.get(path, headers={"Accept-Language": "fr"})
        assert _html_tag(page) == '<html lang="ar" dir="rtl">', path
    current = re.search(r'<button[^>]*aria-current="true"[^>]*>', page.get_data(as_text=True))
    assert current and 'value="ar"' in current.group(0)


def test_choice_is_saved_in_the_participant_profile(app, client, make, participant, db):
    login_participant(client, make, participant)
    assert client.post("/language", data={"lang": "ar"}).status_code == 302
    db.refresh(participant)
    assert participant.locale == "ar"
    # a new browser (no session): the profile's language still wins over the browser's
    fresh = app.test_client()
    login_participant(fresh, make, participant)
    home = fresh.get("/", headers={"Accept-Language": "en"})
    assert _html_tag(home) == '<html lang="ar" dir="rtl">'
    assert "مرحبا Amina" in home.get_data(as_text=True)


def test_unknown_language_is_refused_in_the_page_language(client):
    response = client.post("/language", data={"lang": "xx"}, headers={"Accept-Language": "ar"})
    assert response.status_code == 400
    assert "رمز اللغة غير صالح." in response.get_data(as_text=True)
    french = client.post("/language", data={"lang": "de"})
    assert french.status_code == 400
    assert "Code de langue non valable." in french.get_data(as_text=True)


def test_admin_creates_an_arabic_speaking_participant(client, admin, db):
    login_staff(client, admin)
    form = client.get("/admin/participants").get_data(as_text=True)
    assert '<option dir="auto" lang="ar" value="ar">العربية</option>' in form
    response = client.post("/admin/participants", data={"display_name": "Yasmina", "locale": "ar"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    row = db.query(Participant).filter_by(display_name="Yasmina").one()
    assert row.locale == "ar"
    refused = client.post("/admin/participants", data={"display_name": "Zed", "locale": "xx"})
    assert refused.status_code == 400
