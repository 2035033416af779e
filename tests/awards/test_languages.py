"""Badge definitions in several languages: the form's extra-language block, the public page and
JSON in each language, and credentials written in the participant's language (achievement
texts and evidence), signed and verified through the app's own endpoints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from badger.awards import service
from badger.awards.models import AchievementTranslation, Credential
from badger.errors import UserError
from badger.ob3 import find_undefined_terms
from badger.ob3.schema import validate_credential
from badger.ob3.verify import verify_credential
from tests.awards import _factory
from tests.conftest import browser_login_staff, login_staff

EN = {
    "tr-0-language": "en",
    "tr-0-name": "Always on time",
    "tr-0-description": "Arrives on time for every session.",
    "tr-0-criteria": "Agreed with the coach at level 3 or more.",
    "tr-0-image_alt": "",
}


def _translate(db: Any, org: Any, ach: Any, **texts: str) -> None:
    """Give ``ach`` an English translation through the service (as the form does)."""
    values = {"name": "Punctuality", "description": "Arrives on time, session after session.",
              "criteria": "Level 3 or more, agreed with the coach.", **texts}
    service.update_achievement(db, ach, org, service.AchievementInput(
        competence_id=ach.competence_id, name=ach.name, description=ach.description,
        criteria=ach.criteria_narrative, min_level=ach.min_level, language=ach.language,
        translations=[service.TranslationInput(language="en", **values)]))
    db.commit()


def _rows(db: Any) -> list[AchievementTranslation]:
    db.expire_all()
    return list(db.scalars(select(AchievementTranslation)))


# --------------------------------------------------------------------------- the form


def test_form_creates_edits_and_removes_a_translation(client: Any, db: Any, admin: Any,
                                                      version: Any) -> None:
    login_staff(client, admin)
    comp = version.competences[0]
    page = client.get(f"/admin/badges/new?competence_id={comp.id}").get_data(as_text=True)
    assert 'name="tr-0-language"' in page and 'value="en"' in page  # the block, English offered
    r = client.post("/admin/badges/new", data={
        "competence_id": str(comp.id), "name": "Toujours à l'heure",
        "description": "Arrive à l'heure aux séances.", "min_level": "3", "language": "fr",
        **EN})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    [row] = _rows(db)
    ach = row.achievement_id
    assert (row.language, row.name, row.criteria_narrative) == (
        "en", "Always on time", "Agreed with the coach at level 3 or more.")
    assert row.image_alt == "Organisation A badge “Always on time”"  # default, in English

    edit = client.get(f"/admin/badges/{ach}/edit").get_data(as_text=True)
    assert "Traduction : anglais (en)" in edit and "Always on time" in edit
    assert 'name="tr-1-language"' in edit  # and one empty block for another language
    base = {"name": "Toujours à l'heure", "description": "Arrive à l'heure aux séances.",
            "min_level": "3", "language": "fr"}
    r = client.post(f"/admin/badges/{ach}/edit", data={
        **base, **EN, "tr-0-name": "On time, every time", "tr-0-image_alt": "A clock",
        "tr-1-language": "es", "tr-1-name": "Puntualidad",
        "tr-1-description": "Llega a la hora.", "tr-1-criteria": ""})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    rows = {t.language: t for t in _rows(db)}
    assert rows["en"].name == "On time, every time" and rows["en"].image_alt == "A clock"
    assert rows["es"].name == "Puntualidad" and rows["es"].criteria_narrative == ""
    listing = client.get("/admin/badges").get_data(as_text=True)
    assert "français, anglais, espagnol" in listing

    # an emptied block removes its translation; so does the "remove" box
    r = client.post(f"/admin/badges/{ach}/edit", data={
        **base, **EN, "tr-0-remove": "1",
        "tr-1-language": "es", "tr-1-name": "", "tr-1-description": "", "tr-1-criteria": "",
        "tr-1-image_alt": "Un reloj"})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    assert _rows(db) == []


@pytest.mark.parametrize(("fields", "message"), [
    ({"tr-0-name": ""}, "Traduction en « en » : donnez un nom au badge."),
    ({"tr-0-description": " "}, "Traduction en « en » : décrivez le badge"),
    ({"tr-0-language": "english"}, "« english » n&#39;est pas un code de langue"),
    ({"tr-0-language": ""}, "Traduction : indiquez sa langue"),
    ({"tr-0-language": "fr"}, "« fr » est déjà la langue principale du badge"),
    ({"tr-1-language": "en", "tr-1-name": "Again", "tr-1-description": "Twice."},
     "une seule traduction par langue"),
    ({"language": "fr-fr"}, "Code de langue non valable"),
])
def test_bad_translation_is_refused_with_a_clear_message(client: Any, db: Any, admin: Any,
                                                         version: Any, fields: dict[str, str],
                                                         message: str) -> None:
    login_staff(client, admin)
    data = {"competence_id": str(version.competences[0].id), "name": "Ponctualité",
            "description": "Arrive à l'heure.", "min_level": "3", "language": "fr", **EN,
            **fields}
    r = client.post("/admin/badges/new", data=data)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert message in page
    assert "Always on time" in page or fields.get("tr-0-name") == ""  # what was typed is kept
    assert _rows(db) == [] and db.scalars(select(Credential)).all() == []


def test_refusal_reads_in_the_interface_language(client: Any, db: Any, admin: Any,
                                                 achievement: Any) -> None:
    admin.locale = "en"
    db.commit()
    login_staff(client, admin)
    r = client.post(f"/admin/badges/{achievement.id}/edit", data={
        "name": achievement.name, "description": achievement.description, "min_level": "3",
        "language": "fr", **EN, "tr-0-name": ""})
    assert r.status_code == 422
    assert "Translation into “en”: give the badge a name." in r.get_data(as_text=True)


def test_main_language_cannot_take_a_translated_language(db: Any, org: Any,
                                                         achievement: Any) -> None:
    _translate(db, org, achievement)
    data = service.AchievementInput(competence_id=achievement.competence_id,
                                    name=achievement.name, description=achievement.description,
                                    language="en")
    with pytest.raises(UserError) as err:
        service.update_achievement(db, achievement, org, data)
    assert "retirez-la" in str(err.value.message)
    db.rollback()


# --------------------------------------------------------------------------- public page and JSON


def test_achievement_json_in_each_language(client: Any, db: Any, org: Any,
                                           achievement: Any) -> None:
    url = f"/achievements/{achievement.uuid}"
    _translate(db, org, achievement)
    main = client.get(url)
    doc = main.get_json(force=True)
    assert doc["inLanguage"] == "fr" and doc["name"] == "Ponctualité"
    assert main.headers["Content-Language"] == "fr"
    assert doc["resultDescription"][0]["name"].startswith("Niveau atteint (0 à 5)")
    en = client.get(f"{url}?lang=en")
    doc_en = en.get_json(force=True)
    assert en.headers["Content-Language"] == "en"
    assert doc_en["inLanguage"] == "en" and doc_en["name"] == "Punctuality"
    assert doc_en["description"] == "Arrives on time, session after session."
    assert doc_en["criteria"] == {"id": f"http://localhost{url}",
                                  "narrative": "Level 3 or more, agreed with the coach."}
    assert doc_en["image"]["caption"] == "Organisation A badge “Punctuality”"
    assert doc_en["resultDescription"][0]["name"].startswith("Level reached (0 to 5)")
    assert doc_en["id"] == doc["id"] and doc_en["alignment"] == doc["alignment"]
    assert find_undefined_terms(doc_en) == [] and find_undefined_terms(doc) == []
    # a language the badge does not speak, or nonsense: the main language, said so
    for asked in ("de", "en-GB-x-nonsense-that-is-long", "<b>"):
        other = client.get(url, query_string={"lang": asked}).get_json(force=True)
        assert other["inLanguage"] in {"fr", "en"}
    assert client.get(url, query_string={"lang": "de"}).get_json(force=True)["name"] == \
        "Ponctualité"
    assert client.get(url, query_string={"lang": "en-GB"}).get_json(force=True)["name"] == \
        "Punctuality"


def test_public_page_follows_the_visitor_language(client: Any, db: Any, make: Any, org: Any,
                                                  achievement: Any) -> None:
    url = f"/achievements/{achievement.uuid}"
    html = {"Accept": "text/html"}
    french = client.get(url, headers={**html, "Accept-Language": "fr"}).get_data(as_text=True)
    assert '<h1 lang="fr" dir="auto">Ponctualité</h1>' in french
    english = client.get(url, headers={**html, "Accept-Language": "en"}).get_data(as_text=True)
    # no translation yet: the French texts, marked as French, and said so in English
    assert '<h1 lang="fr" dir="auto">Ponctualité</h1>' in english
    assert "This badge is not translated into your language" in english
    _translate(db, org, achievement)
    english = client.get(url, headers={**html, "Accept-Language": "en"})
    page = english.get_data(as_text=True)
    assert '<h1 lang="en" dir="auto">Punctuality</h1>' in page
    assert "Level 3 or more, agreed with the coach." in page
    assert 'alt="Organisation A badge “Punctuality”"' in page
    assert "Accept-Language" in english.headers["Vary"]
    assert f'href="/achievements/{achievement.uuid}?lang=fr" hreflang="fr" lang="fr">français' \
        in page
    french = client.get(url, headers={**html, "Accept-Language": "fr"}).get_data(as_text=True)
    assert "<h1 lang=\"fr\" dir=\"auto\">Ponctualité</h1>" in french and "Punctuality" not in french
    asked = client.get(f"{url}?lang=en", headers={**html, "Accept-Language": "fr"})
    assert "Punctuality" in asked.get_data(as_text=True)
    # a visitor logged in to another organisation still sees the translation (unscoped read)
    stranger = client.application.test_client()
    login_staff(stranger, make.staff(make.organisation("org-q"), "admin"))
    assert "Punctuality" in stranger.get(f"{url}?lang=en", headers=html).get_data(as_text=True)
    assert stranger.get(f"{url}?lang=en").get_json(force=True)["name"] == "Punctuality"


# --------------------------------------------------------------------------- credentials


@pytest.fixture
def flow(db: Any, make: Any, org: Any, coach: Any, version: Any, achievement: Any
         ) -> dict[str, Any]:
    return _factory.english_and_french_readers(db, make, org, coach, version)


def test_english_participant_gets_an_english_credential(app: Any, db: Any, make: Any, org: Any,
                                                        admin: Any, achievement: Any,
                                                        flow: dict[str, Any],
                                                        resolver: Any) -> None:
    _translate(db, org, achievement)
    got = _factory.accept_and_download(app, make, flow, "ana", achievement)
    assert got["language"] == "en"
    doc = json.loads(got["files"]["json"])
    assert validate_credential(doc) == [] and find_undefined_terms(doc) == []
    ach = doc["credentialSubject"]["achievement"]
    assert (ach["name"], ach["inLanguage"]) == ("Punctuality", "en")
    assert ach["criteria"]["narrative"] == "Level 3 or more, agreed with the coach."
    assert ach["image"]["caption"] == "Organisation A badge “Punctuality”"
    assert (doc["name"], doc["description"]) == ("Punctuality",
                                                 "Arrives on time, session after session.")
    assert doc["image"]["caption"] == ach["image"]["caption"]
    names = [e.get("name") for e in doc["evidence"]]
    assert 'Session “Football du mardi” on 2026-11-24' in names
    assert 'Competence grid — round “Start”' in names
    grid = next(e for e in doc["evidence"] if e.get("genre") == "Co-assessment")
    assert grid["description"].startswith("Agreed level: 4/5")
    text = json.dumps(doc, ensure_ascii=False)
    for french in ("Grille de compétences", "Niveau convenu", "Séance «", "Co-évaluation"):
        assert french not in text
    for fmt, blob in got["files"].items():
        report = verify_credential(blob, resolver=resolver,
                                   recipient=("ana@example.org", "emailAddress"))
        assert report.verified, (fmt, report.to_dict()["checks"])

    # re-issue keeps the credential's language, even once the participant switched to French
    flow["ana"].locale = "fr"
    db.commit()
    ac = app.test_client()
    login_staff(ac, admin)
    assert ac.post(f"/admin/credentials/{got['id']}/reissue", data={}).status_code == 303
    db.expire_all()
    fresh = db.get(Credential, got["id"])
    again = json.loads(fresh.signed_json)
    assert again["credentialSubject"]["achievement"]["name"] == "Punctuality"
    assert again["evidence"] == doc["evidence"] and again["validFrom"] >= doc["validFrom"]
    assert verify_credential(fresh.signed_json, resolver=resolver).verified
    assert verify_credential(fresh.signed_jwt, resolver=resolver).verified


def test_french_participant_is_unchanged(app: Any, db: Any, make: Any, org: Any,
                                         achievement: Any, flow: dict[str, Any],
                                         resolver: Any) -> None:
    _translate(db, org, achievement)
    got = _factory.accept_and_download(app, make, flow, "bruno", achievement)
    assert got["language"] == "fr"
    doc = json.loads(got["files"]["json"])
    ach = doc["credentialSubject"]["achievement"]
    assert (ach["name"], ach["inLanguage"], doc["name"]) == ("Ponctualité", "fr", "Ponctualité")
    assert ach["resultDescription"][0]["name"] == "Niveau atteint (0 à 5) — Ponctualité"
    names = [e.get("name") for e in doc["evidence"]]
    assert "Séance « Football du mardi » du 2026-11-24" in names
    assert "Grille de compétences — passage « Entrée »" in names
    grid = next(e for e in doc["evidence"] if e.get("genre") == "Co-évaluation")
    assert grid["description"].startswith("Niveau convenu : 4/5")
    assert validate_credential(doc) == []
    assert verify_credential(got["files"]["json"], resolver=resolver).verified


def test_language_without_translation_falls_back_to_the_main_one(
        app: Any, db: Any, make: Any, org: Any, coach: Any, achievement: Any,
        resolver: Any) -> None:
    """No English texts for the badge: an English-speaking participant's credential is all in
    the badge's main language (achievement and evidence alike), and says so."""
    person = make.participant(org, "Chen", email="chen@example.org")
    person.locale = "en"
    db.commit()
    row = service.award_many(db, org, achievement,
                             [service.AwardRequest(participant_id=person.id,
                                                   observation="Toujours là.")],
                             actor=coach)[0]
    db.commit()
    cred = row.credential
    assert cred.language == "fr"
    doc = json.loads(cred.signed_json)
    assert doc["credentialSubject"]["achievement"]["inLanguage"] == "fr"
    assert doc["evidence"][0]["name"] == "Observation du coach"
    assert verify_credential(cred.signed_json, resolver=resolver).verified


@pytest.mark.browser
def test_translation_added_on_a_phone(live_server: str, phone_page: Any, db: Any, org: Any,
                                      admin: Any, achievement: Any) -> None:
    from tests.a11y import assert_accessible, no_overflow

    page = phone_page
    browser_login_staff(page, live_server, admin)
    page.goto(f"{live_server}/admin/badges/{achievement.id}/edit")
    page.get_by_text("Ajouter une traduction").click()
    assert page.get_by_label("Langue de la traduction").input_value() == "en"
    no_overflow(page)
    assert_accessible(page, "badge form with its language block")
    block = page.locator("details.translation")
    block.get_by_label("Nom du badge").fill("Punctuality")
    block.get_by_label("Description").fill("Arrives on time.")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=Badge enregistré.")
    assert page.get_by_role("group", name="Traduction : anglais (en)").is_visible()
    assert_accessible(page, "badge form with a translation")
    page.goto(f"{live_server}/achievements/{achievement.uuid}?lang=en")
    assert page.get_by_role("heading", level=1).inner_text() == "Punctuality"
    assert_accessible(page, "public achievement page in English")


def test_rubric_uses_the_referentiel_translation(client: Any, db: Any, org: Any,
                                                 admin: Any) -> None:
    """When the référentiel translates the competence, the translated document's 0–5 rubric
    uses its words; the alignments keep the référentiel's own (they name its CASE items)."""
    import uuid

    from badger import referentiels
    from badger.referentiels.models import Competence, Referentiel, ReferentielVersion

    ref = Referentiel(uuid=str(uuid.uuid4()), key="t-tr", title="Grille traduite")
    ver = ReferentielVersion(referentiel=ref, number=1, identifier=str(uuid.uuid4()),
                             status="published", title="Grille traduite", creator="test")
    ver.competences = [Competence(
        identifier=str(uuid.uuid4()), label="Ponctualité", code="P1", position=0,
        levels=[{"rubric": "r", "criterion": "c", "levels": [
            {"score": s, "quality": f"niveau {s}", "description": f"Ponctualité : niveau {s}",
             "identifier": str(uuid.uuid4())} for s in range(6)]}],
        translations={"en": {"label": "Punctuality", "description": "", "identifier": "",
                             "levels": [{"score": 4, "quality": "level four",
                                         "description": "On time, nearly always"}]}},
    )]
    db.add_all([ref, ver])
    db.commit()
    referentiels.adopt(db, org.id, ver, admin.id)
    db.commit()
    ach = _factory.achievement(db, org, admin, ver)
    _translate(db, org, ach)
    doc = client.get(f"/achievements/{ach.uuid}?lang=en").get_json(force=True)
    rubric = doc["resultDescription"][0]
    assert rubric["name"] == "Level reached (0 to 5) — Punctuality"
    levels = {lv["level"]: lv for lv in rubric["rubricCriterionLevel"]}
    assert (levels["4"]["name"], levels["4"]["description"]) == ("level four",
                                                                 "On time, nearly always")
    assert levels["2"]["name"] == "niveau 2"  # not translated by the référentiel: as it is
    assert doc["alignment"][0]["targetName"] == "Ponctualité"
    french = client.get(f"/achievements/{ach.uuid}").get_json(force=True)
    assert french["resultDescription"][0]["name"] == "Niveau atteint (0 à 5) — Ponctualité"
    assert {lv["level"]: lv["name"] for lv in french["resultDescription"][0][
        "rubricCriterionLevel"]}["4"] == "niveau 4"
