"""The badge offer says which language the credential will be written in, and lets the
participant choose among the badge's languages (issue #17: an Arabic-speaking participant was
offered "الموثوقية" and received "Fiabilité"). Through HTTP: the offer page, the accept POST,
the signed credential, the verify page's level text."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from badger import awards, grids, referentiels
from badger.awards.models import Credential
from badger.ob3.verify import verify_credential
from badger.referentiels.models import Competence, Referentiel, ReferentielVersion
from tests.awards import _factory, _interop
from tests.conftest import login_participant

AR_NAME = "الموثوقية"
AR_LEVEL = "يُعتمد عليه دائماً"


@pytest.fixture
def offer(db: Any, make: Any, org: Any, admin: Any, coach: Any) -> dict[str, Any]:
    """A badge "Fiabilité" (French first) with an Arabic translation, whose référentiel says
    its level 4 in Arabic; Amina (no language in her profile: her phone speaks Arabic) has it
    validated at level 4."""
    ref = Referentiel(uuid=str(uuid.uuid4()), key="t-ar", title="Grille")
    ver = ReferentielVersion(referentiel=ref, number=1, identifier=str(uuid.uuid4()),
                             status="published", title="Grille", creator="test")
    ver.competences = [Competence(
        identifier=str(uuid.uuid4()), label="Fiabilité", code="F1", position=0,
        levels=[{"rubric": "r", "criterion": "c", "levels": [
            {"score": s, "quality": f"niveau {s}", "description": f"Fiabilité : niveau {s}",
             "identifier": str(uuid.uuid4())} for s in range(6)]}],
        translations={"ar": {"label": AR_NAME, "description": "", "identifier": "",
                             "levels": [{"score": 4, "quality": AR_LEVEL,
                                         "description": AR_LEVEL}]}},
    )] + [Competence(identifier=str(uuid.uuid4()), label=label, code=f"C{i}", position=i,
                     levels=[]) for i, label in enumerate(("Écoute", "Effort"), 1)]
    db.add_all([ref, ver])
    db.commit()
    referentiels.adopt(db, org.id, ver, admin.id)
    db.commit()
    ach = _factory.achievement(db, org, admin, ver)
    awards.update_achievement(db, ach, org, awards.AchievementInput(
        competence_id=ach.competence_id, name=ach.name, description=ach.description,
        criteria=ach.criteria_narrative, min_level=ach.min_level, language="fr",
        translations=[awards.TranslationInput(
            language="ar", name=AR_NAME, description="يصل في الوقت ويفي بوعوده.",
            criteria="")]))
    db.commit()
    amina = make.participant(org, "Amina", email="amina@example.org")
    assert amina.locale is None
    gs = _factory.group_session(db, org, coach, ver, [amina])
    vc = _factory.validate(db, grids.session_rounds(db, gs)[amina.id], ver.competences[0],
                           coach, amina, level=4)
    return {"ach": ach, "amina": amina, "vc": vc}


def _client(app: Any, make: Any, person: Any, language: str) -> Any:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    login_participant(client, make, person)
    return client


def _accept(client: Any, offer: dict[str, Any], **extra: str) -> Any:
    return client.post("/me/badges", data={"validated_competence_id": offer["vc"].id,
                                           "achievement_id": offer["ach"].id,
                                           "decision": "accept", **extra})


def _credential(db: Any, person: Any) -> Credential:
    db.expire_all()
    return db.execute(select(Credential).where(Credential.participant_id == person.id)
                      ).scalar_one()


def _checked(page: str) -> list[str]:
    return re.findall(r'name="language" value="([^"]+)" checked', page)


def test_arabic_reader_is_offered_and_receives_the_arabic_badge(
        app: Any, db: Any, make: Any, offer: dict[str, Any], resolver: Any) -> None:
    client = _client(app, make, offer["amina"], "ar")
    page = client.get("/me/badges").get_data(as_text=True)
    # the offer names the language (in the interface language) and offers both, Arabic ticked
    assert 'lang="ar" dir="rtl"' in page
    assert "ستُكتب هذه الشارة باللغة:" in page
    assert re.findall(r'name="language" value="([^"]+)"', page) == ["fr", "ar"]
    assert _checked(page) == ["ar"]
    assert f'<bdi lang="ar">{AR_NAME}</bdi>' in page and '<bdi lang="fr">Fiabilité</bdi>' in page

    r = _accept(client, offer, language="ar")  # what the browser sends: the ticked radio
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    cred = _credential(db, offer["amina"])
    assert cred.language == "ar"
    doc = json.loads(cred.signed_json)
    ach = doc["credentialSubject"]["achievement"]
    assert (ach["name"], ach["inLanguage"], doc["name"]) == (AR_NAME, "ar", AR_NAME)
    levels = {lv["level"]: lv["name"] for lv in ach["resultDescription"][0]["rubricCriterionLevel"]}
    assert levels["4"] == AR_LEVEL
    for blob in (cred.signed_json, cred.signed_jwt):
        assert verify_credential(blob, resolver=resolver).verified

    # /verify shows the Arabic name and the Arabic level text, whatever the page's language
    verified = app.test_client().post("/verify", data={"text": cred.signed_json},
                                      headers={"Accept-Language": "fr"})
    shown = verified.get_data(as_text=True)
    assert verified.status_code == 200
    assert f'<dt>Badge</dt><dd><span lang="ar" dir="auto">{AR_NAME}</span></dd>' in shown
    assert f'4 sur 5 — <span lang="ar" dir="auto">{AR_LEVEL}</span>' in shown

    # idempotent: the proposal is gone, a second accept (another language) issues nothing
    again = _accept(client, offer, language="fr")
    assert again.status_code == 404
    assert _credential(db, offer["amina"]).language == "ar"
    assert len(db.scalars(select(Credential)).all()) == 1


def test_choosing_french_gives_a_french_badge(app: Any, db: Any, make: Any,
                                              offer: dict[str, Any], resolver: Any) -> None:
    client = _client(app, make, offer["amina"], "ar")
    r = _accept(client, offer, language="fr")
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    cred = _credential(db, offer["amina"])
    doc = json.loads(cred.signed_json)
    ach = doc["credentialSubject"]["achievement"]
    assert (cred.language, ach["name"], ach["inLanguage"]) == ("fr", "Fiabilité", "fr")
    levels = {lv["level"]: lv["name"] for lv in ach["resultDescription"][0]["rubricCriterionLevel"]}
    assert levels["4"] == "niveau 4"
    assert verify_credential(cred.signed_json, resolver=resolver).verified


def test_french_reader_sees_french_ticked(app: Any, db: Any, make: Any,
                                         offer: dict[str, Any]) -> None:
    page = _client(app, make, offer["amina"], "fr").get("/me/badges").get_data(as_text=True)
    assert "Ce badge sera écrit en :" in page
    assert _checked(page) == ["fr"]
    assert "français — <bdi" in page and "arabe — <bdi" in page


def test_without_a_choice_the_interface_language_is_used(app: Any, db: Any, make: Any,
                                                         offer: dict[str, Any]) -> None:
    """A client that sends no choice (an old page): the language the offer was read in when
    the badge has it — not the profile's empty language, which gave French."""
    r = _accept(_client(app, make, offer["amina"], "ar"), offer)
    assert r.status_code == 303
    assert _credential(db, offer["amina"]).language == "ar"


def test_english_reader_of_a_badge_without_english_gets_the_main_language(
        app: Any, db: Any, make: Any, offer: dict[str, Any]) -> None:
    client = _client(app, make, offer["amina"], "en")
    assert _checked(client.get("/me/badges").get_data(as_text=True)) == ["fr"]
    assert _accept(client, offer).status_code == 303
    assert _credential(db, offer["amina"]).language == "fr"


@pytest.mark.parametrize("asked", ["en", "xx", "<b>"])
def test_a_language_the_badge_lacks_is_refused(app: Any, db: Any, make: Any,
                                               offer: dict[str, Any], asked: str) -> None:
    r = _accept(_client(app, make, offer["amina"], "fr"), offer, language=asked)
    assert r.status_code == 422
    assert "Ce badge n&#39;existe pas dans cette langue" in r.get_data(as_text=True)
    db.expire_all()
    assert db.scalars(select(Credential)).all() == []


def test_a_badge_in_one_language_says_it_plainly(app: Any, db: Any, make: Any, org: Any,
                                                 admin: Any, coach: Any) -> None:
    version = _factory.adopted_version(db, org, admin)
    ach = _factory.achievement(db, org, admin, version)
    flow = _factory.english_and_french_readers(db, make, org, coach, version)
    page = _client(app, make, flow["bruno"], "fr").get("/me/badges").get_data(as_text=True)
    assert "Ce badge sera écrit en : français." in page
    assert '<input type="hidden" name="language" value="fr">' in page
    got = _factory.accept_and_download(app, make, flow, "bruno", ach)
    assert got["language"] == "fr"


@pytest.mark.parametrize("marker", [pytest.param(0, marks=_interop.needs_node)])
def test_javascript_verifiers_accept_the_arabic_credential(
        app: Any, db: Any, make: Any, offer: dict[str, Any], resolver: Any,
        marker: int) -> None:
    """The independent verifiers (tests/interop) on the credential chosen in Arabic: its
    Arabic texts canonicalise and sign like French ones (Data Integrity and VC-JWT)."""
    assert _accept(_client(app, make, offer["amina"], "ar"), offer,
                   language="ar").status_code == 303
    cred = _credential(db, offer["amina"])
    doc = json.loads(cred.signed_json)
    assert doc["credentialSubject"]["achievement"]["name"] == AR_NAME
    out = _interop.js_verify_di(doc, _interop.public_documents(resolver, doc))
    assert out["verified"], out
    jwks = resolver.fetch_json("http://localhost/issuers/org-a/jwks.json")
    out = _interop.js_verify_jwt(cred.signed_jwt, jwks)
    assert out["verified"] and out["claimsMatch"], out


@pytest.mark.browser
def test_offer_on_an_arabic_phone(live_server: str, browser: Any, app: Any, db: Any, make: Any,
                                  offer: dict[str, Any]) -> None:
    """On a 360 px phone whose language is Arabic: the offer's language choice is a labelled
    group that passes axe-core, fits the screen, and choosing French gives a French badge."""
    from tests.a11y import assert_accessible, no_overflow

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ar")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/code")
        page.locator("input[name=code]").fill(make.login_code(offer["amina"]))
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        page.goto(f"{live_server}/me/badges")
        group = page.get_by_role("group", name="ستُكتب هذه الشارة باللغة:")
        assert group.get_by_role("radio", name=AR_NAME, exact=False).is_checked()
        no_overflow(page)
        assert_accessible(page, "badge offer with its language choice (ar)")
        group.get_by_role("radio", name="Fiabilité", exact=False).check()
        with page.expect_navigation():
            page.locator("button[name=decision][value=accept]").click()
    finally:
        context.close()
    assert _credential(db, offer["amina"]).language == "fr"
