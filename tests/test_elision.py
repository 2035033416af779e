"""French elision before names (issue #17: "Les badges de Amina" → "Les badges d'Amina"):
the rule (:func:`badger.templating.elides`), the helpers, and the pages that put "de" before a
participant's or an organisation's name, through HTTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask_babel import force_locale
from markupsafe import Markup

from badger.templating import de, elide, elides
from tests.conftest import login_staff


@pytest.mark.parametrize(("name", "expected"), [
    ("Amina", True), ("amina", True), ("Éric", True), ("Élise", True), ("Ève", True),
    ("Îlona", True), ("Omar", True), ("Œdipe", True), ("Ulysse", True), ("Atelier Vélo", True),
    ("Yves", True), ("Ysée", True),
    ("Yasmine", False), ("Yann", False),  # y sounds as a consonant before a vowel
    ("Hélène", False), ("Hugo", False),  # h: never (documented: spelling cannot tell)
    ("Bastien", False), ("Chloé", False), ("Zoé", False), ("", False), ("  ", False),
    ("أمينة", False), ("Олена", False), ("4 Vents", False), ("« Amina »", False),
])
def test_which_names_elide(name: str, expected: bool) -> None:
    assert elides(name) is expected


def test_de_in_french_only(app: Any) -> None:
    with app.test_request_context(), force_locale("fr"):
        assert (de("Amina"), de("Éric"), de("Bastien"), de("Hélène")) == (
            "d'Amina", "d'Éric", "de Bastien", "de Hélène")
    with app.test_request_context(), force_locale("en"):
        assert de("Amina") == "Amina"
    assert de("Amina", language="ar") == "Amina" and de("Omar", language="fr-BE") == "d'Omar"


def test_elide_changes_only_the_words_before_the_names(app: Any) -> None:
    with app.test_request_context(), force_locale("fr"):
        assert elide("Les badges de Amina", "Amina") == "Les badges d'Amina"
        assert elide("accord de Lucie et de Omar", "Lucie", "Omar") == \
            "accord de Lucie et d'Omar"
        assert elide("De Amina", "Amina") == "D'Amina"
        assert elide("Je sais que Éric viendra, le Atelier aussi", "Éric", "Atelier") == \
            "Je sais qu'Éric viendra, l'Atelier aussi"
        # words that only end like "de" or "le", and other words before the name: untouched
        assert elide("la garde Amina", "Amina") == "la garde Amina"
        assert elide("Livret de suivi de Bastien", "Bastien") == "Livret de suivi de Bastien"
        assert elide("Badge « Écoute » de Bastien", "Bastien") == "Badge « Écoute » de Bastien"
        # markup from in_lang between "de" and the name is kept; names match escaped
        marked = Markup('Livret de <span dir="auto">Amina</span>')
        out = elide(marked, "Amina")
        assert isinstance(out, Markup) and out == Markup('Livret d\'<span dir="auto">Amina</span>')
        tricky = Markup("Les badges de {}").format("Emma <b>&")
        assert elide(tricky, "Emma <b>&") == Markup("Les badges d'Emma &lt;b&gt;&amp;")
        assert elide(None, "Amina") is None
    with app.test_request_context(), force_locale("en"):
        assert elide("Les badges de Amina", "Amina") == "Les badges de Amina"  # not French
    assert elide("Los badges de Amina", "Amina", language="es") == "Los badges de Amina"


def _shared_page(app: Any, make: Any, org: Any, admin: Any, name: str, language: str) -> str:
    from tests.conftest import login_participant
    from tests.portfolio import _factory

    person = make.participant(org, name)
    creds = _factory.badges(make.db, org, admin, person, n=1)
    client = app.test_client()
    login_participant(client, make, person)
    r = client.post("/portfolio/shares", data={"label": "entretien", "days": "30",
                                               "credential": [str(creds[0].id)],
                                               "show_name": "1"})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    detail = client.get(r.headers["Location"]).get_data(as_text=True)
    link = re.search(r'<code id="share-link">([^<]+)</code>', detail)
    assert link, detail[:2000]
    path = "/" + link.group(1).split("/", 3)[3]
    page = app.test_client().get(path, headers={"Accept-Language": language})
    assert page.status_code == 200
    return page.get_data(as_text=True)


@pytest.mark.parametrize(("name", "heading"), [
    ("Amina", "Les badges d&#39;Amina"), ("Élodie", "Les badges d&#39;Élodie"),
    ("Bastien", "Les badges de Bastien"), ("Hélène", "Les badges de Hélène"),
])
def test_share_page_heading(app: Any, make: Any, org: Any, admin: Any, name: str,
                            heading: str) -> None:
    page = _shared_page(app, make, org, admin, name, "fr")
    h1 = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert h1, page[:2000]
    assert f'<span dir="auto">{name}</span>' in h1.group(1)  # isolated (see test_bidi_isolation)
    text = re.sub(r"</?span[^>]*>", "", h1.group(1))
    assert text.replace("'", "&#39;") == heading, text


def test_share_page_in_english_is_untouched(app: Any, make: Any, org: Any, admin: Any) -> None:
    page = _shared_page(app, make, org, admin, "Amina", "en")
    h1 = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert h1 and "Amina" in h1.group(1) and "d'" not in h1.group(1)


def test_login_code_sheet(client: Any, make: Any, org: Any, admin: Any) -> None:
    login_staff(client, admin)
    for name, title in (("Omar", "Code de connexion d'Omar"),
                        ("Zoé", "Code de connexion de Zoé")):
        person = make.participant(org, name)
        page = client.post(f"/admin/participants/{person.id}/code").get_data(as_text=True)
        assert title in page.replace("&#39;", "'")


def test_default_alt_text_elides_the_organisation(app: Any) -> None:
    from types import SimpleNamespace

    from badger.awards.translations import _default_alt

    with app.test_request_context():
        org = SimpleNamespace(name="Atelier Solidaire")
        assert _default_alt("Écoute", org, "fr") == \
            "Badge « Écoute » d'Atelier Solidaire"  # type: ignore[arg-type]
        assert _default_alt("Listening", org, "en") == \
            "Atelier Solidaire badge “Listening”"  # type: ignore[arg-type]
