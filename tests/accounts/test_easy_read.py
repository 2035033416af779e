"""Easy-to-read mode (FALC, issue #17): the switch, where it is remembered, and what it changes.

Every test goes through HTTP and the database: the texts come from
``badger/translations/falc/<lang>.po`` laid over the ordinary catalogues (badger.i18n)."""

from __future__ import annotations

import io
import json
import zipfile

from flask import session
from flask_babel import force_locale, gettext
from sqlalchemy import select

from badger.accounts.models import Participant
from tests.conftest import login_participant, login_staff

CODE_HINT_FR = "Tapez le code que votre coach vous a donné, ou scannez le code QR."
#: A template prints an easy-to-read text's lines as line breaks.
BR = "<br>"
CODE_HINT_FALC_FR = f"Votre coach vous a donné un code.{BR}Écrivez ce code dans la case."
CODE_HINT_FALC_AR = f"أعطاك المرافق رمزًا.{BR}اكتب هذا الرمز في الخانة."


def _switch(client, on: bool, next_url: str = "/"):
    return client.post("/easy-read", data={"on": "1" if on else "0", "next": next_url})


def _easy_read_in_db(db, participant) -> bool:
    db.expire_all()
    return db.scalar(select(Participant.easy_read).where(Participant.id == participant.id))


def test_code_login_offers_easy_read_and_shows_it_before_login(client):
    page = client.get("/code").get_data(as_text=True)
    assert CODE_HINT_FR in page
    assert 'action="/easy-read"' in page and 'aria-pressed="false"' in page
    assert 'class="easy-read"' not in page
    response = _switch(client, True, "/code?next=/portfolio")
    assert response.status_code == 302 and response.headers["Location"] == "/code?next=/portfolio"
    page = client.get("/code?next=/portfolio").get_data(as_text=True)
    assert CODE_HINT_FALC_FR in page and CODE_HINT_FR not in page
    assert '<html lang="fr" dir="ltr" class="easy-read">' in page
    assert 'aria-pressed="true"' in page
    assert "Entrer avec un code" in page  # the heading and the <title>
    assert "Votre code" in page  # the form's label (a lazy text, _l)


def test_choice_made_at_code_login_goes_to_the_profile(client, make, participant, db):
    assert _easy_read_in_db(db, participant) is False
    _switch(client, True, "/code")
    login_participant(client, make, participant)
    assert _easy_read_in_db(db, participant) is True
    home = client.get("/").get_data(as_text=True)
    assert 'class="easy-read"' in home and 'id="listen-button"' in home
    # Kept in the profile: a new browser (a fresh session) logs in with easy-to-read texts.
    client.post("/logout")
    with client.session_transaction() as sess:
        assert "easy_read" not in sess  # not left on a shared phone after logout
    login_participant(client, make, participant)
    assert 'class="easy-read"' in client.get("/").get_data(as_text=True)


def test_participant_turns_it_on_and_off_from_home(participant_client, participant, db):
    home = participant_client.get("/").get_data(as_text=True)
    assert 'action="/easy-read"' in home and 'class="easy-read"' not in home
    grids = participant_client.get("/me/grids").get_data(as_text=True)
    assert "Pas encore de grille. Votre coach vous en proposera une." in grids
    _switch(participant_client, True)
    assert _easy_read_in_db(db, participant) is True
    grids = participant_client.get("/me/grids").get_data(as_text=True)
    assert f"Vous n'avez pas encore de grille.{BR}Votre coach va vous en donner une." in grids
    offers = participant_client.get("/me/badges").get_data(as_text=True)
    assert f"Pas de nouveau badge pour vous.{BR}Revenez plus tard." in offers
    _switch(participant_client, False)
    assert _easy_read_in_db(db, participant) is False
    grids = participant_client.get("/me/grids").get_data(as_text=True)
    assert "Pas encore de grille. Votre coach vous en proposera une." in grids


def test_arabic_easy_read_texts(client, make, participant, db):
    client.post("/language", data={"lang": "ar", "next": "/code"})
    page = client.get("/code").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and CODE_HINT_FALC_AR not in page
    _switch(client, True, "/code")
    page = client.get("/code").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl" class="easy-read">' in page
    assert CODE_HINT_FALC_AR in page
    login_participant(client, make, participant)
    offers = client.get("/me/badges").get_data(as_text=True)
    assert f"لا شارة جديدة لك.{BR}عد لاحقًا." in offers
    # A text the FALC catalogue leaves plain keeps its ordinary Arabic translation.
    assert "شاراتي" in offers


def test_listen_is_offered_on_participant_pages_only(client, admin):
    """Écouter: on the code login and badge claim pages before login, not on staff pages."""
    def offered(path: str) -> bool:
        response = client.get(path)
        assert response.status_code == 200
        return 'id="listen-button"' in response.get_data(as_text=True)

    assert offered("/code") and offered("/claim")
    assert not offered("/login")
    login_staff(client, admin)
    assert not offered("/")


def test_switch_refuses_bad_values_and_missing_csrf(client):
    assert _switch(client, True, "https://evil.example/").headers["Location"] == "/"
    response = client.post("/easy-read", data={"on": "yes", "next": "/"})
    assert response.status_code == 400
    assert "Choix non valable." in response.get_data(as_text=True)
    assert client.post("/easy-read", data={"on": "1", "next": "/"}, csrf=False).status_code == 400
    with client.session_transaction() as sess:
        assert sess.get("easy_read") is True  # only the first, valid, request changed it


def test_texts_written_in_a_forced_language_stay_ordinary(app):
    """A credential's or chart's words (``force_locale``) never take the easy-to-read text."""
    with app.test_request_context("/"):
        session["easy_read"] = True
        with force_locale("fr"):
            assert gettext("Mes données") == "Mes données"
        assert gettext("Mes données") == "Ce que nous gardons sur vous"



def test_the_choice_is_in_the_participants_data_export(participant_client):
    """Whether someone reads in easy-to-read mode is about them: their export says it."""
    _switch(participant_client, True)
    archive = zipfile.ZipFile(io.BytesIO(participant_client.get("/portfolio/export").get_data()))
    assert json.loads(archive.read("profile.json"))["easy_read"] is True
