"""A badge is named on the participant's pages and on the share page as its credential is written
(English for an English credential, not the badge's main French name), and marked with that
language when the page speaks another (WCAG 2.2 SC 3.1.2); an offered badge is named in the
reader's language when the badge has it; an imported badge says the language its document gives;
the journey progress chart marks its French axis labels on an Arabic page."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from badger import awards
from badger.awards.models import Credential
from badger.portfolio.models import ImportedCredential
from tests.awards import _factory as awards_factory
from tests.conftest import login_participant
from tests.portfolio import _factory
from tests.portfolio.test_shares import create_share, path_of

AR = {"Accept-Language": "ar"}
EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}

ENGLISH = ("Punctuality", "Arrives on time, session after session.")
ARABIC = ("الالتزام بالمواعيد", "يصل في الوقت المحدد في كل جلسة.")


def marked(lang: str, text: str) -> str:
    return f'<span lang="{lang}" dir="auto">{text}</span>'


def translate(db: Any, org: Any, ach: Any, **texts: tuple[str, str]) -> None:
    """Give ``ach`` translations (language → (name, description)) through the service."""
    awards.update_achievement(db, ach, org, awards.AchievementInput(
        competence_id=ach.competence_id, name=ach.name, description=ach.description,
        criteria=ach.criteria_narrative, min_level=ach.min_level, language=ach.language,
        translations=[awards.TranslationInput(language=lang, name=name, description=desc,
                                              criteria="")
                      for lang, (name, desc) in texts.items()]))
    db.commit()


def issued_in(db: Any, org: Any, admin: Any, participant: Any, locale: str,
              **texts: tuple[str, str]) -> Any:
    """A badge "Ponctualité" (French, with ``texts`` translations) issued to ``participant``
    while they read the interface in ``locale``."""
    version = _factory.adopted_version(db, org, admin)
    ach = _factory.achievement(db, org, admin, version)
    if texts:
        translate(db, org, ach, **texts)
    participant.locale = locale
    db.commit()
    return _factory.issue(db, org, ach, participant)


def test_english_credential_is_named_in_english_everywhere(
    app: Any, participant_client: Any, db: Any, org: Any, admin: Any, participant: Any
) -> None:
    cred = issued_in(db, org, admin, participant, "en", en=ENGLISH)
    assert (cred.language, cred.achievement.name) == ("en", "Ponctualité")

    # the participant's own pages, in English: the English name, unmarked
    mine = participant_client.get("/me/badges").get_data(as_text=True)
    assert re.search(r"<li>Punctuality — ", mine), mine
    assert "Ponctualité" not in mine
    portfolio = participant_client.get("/portfolio").get_data(as_text=True)
    assert "<h3>Punctuality</h3>" in portfolio
    assert "Ponctualité" not in portfolio
    shares = participant_client.get("/portfolio/shares").get_data(as_text=True)
    assert "Punctuality (" in shares and "Ponctualité" not in shares

    # the participant switches to French: still the credential's English name, marked English
    participant.locale = "fr"
    db.commit()
    for url in ("/me/badges", "/portfolio"):
        page = participant_client.get(url).get_data(as_text=True)
        assert marked("en", "Punctuality") in page, url
        assert "Ponctualité" not in page, url

    # the recruiter's page and annex: marked English on a French page, plain on an English one
    link = path_of(create_share(participant_client, [cred]))
    anon = app.test_client()
    french = anon.get(link, headers=FR).get_data(as_text=True)
    assert f"<h3>{marked('en', 'Punctuality')}</h3>" in french
    assert "Ponctualité</h3>" not in french
    annex = anon.get(f"{link}/cv", headers=FR).get_data(as_text=True)
    assert f"<td>{marked('en', 'Punctuality')}" in annex
    english = anon.get(link, headers=EN).get_data(as_text=True)
    assert "<h3>Punctuality</h3>" in english

    # the export names it the same way, with its language
    import io
    import zipfile

    export = participant_client.get("/portfolio/export").get_data()
    [row] = json.loads(zipfile.ZipFile(io.BytesIO(export)).read("badges.json"))
    assert (row["name"], row["language"]) == ("Punctuality", "en")


def test_claimed_badge_is_named_as_its_credential_is_written(
    client: Any, db: Any, make: Any, org: Any, admin: Any, coach: Any
) -> None:
    version = _factory.adopted_version(db, org, admin)
    ach = _factory.achievement(db, org, admin, version)
    translate(db, org, ach, en=ENGLISH)
    person = make.participant(org, "Chris")  # no e-mail: the badge waits for a claim code
    person.locale = "en"
    db.commit()
    [row] = awards.award_many(db, org, ach, [awards.AwardRequest(participant_id=person.id)],
                              actor=coach)
    db.commit()
    assert row.outcome == "claim" and row.credential.language == "en"
    done = client.post("/claim", data={"code": row.claim_code, "kind": "email",
                                       "value": "chris@example.org"}, headers=FR)
    assert done.status_code == 200, done.get_data(as_text=True)[:800]
    page = done.get_data(as_text=True)
    assert f"Le badge « {marked('en', 'Punctuality')} » est émis à votre nom." in page


def test_french_credential_is_marked_french_on_arabic_pages(
    app: Any, participant_client: Any, db: Any, org: Any, admin: Any, participant: Any
) -> None:
    # the badge has English texts but no Arabic ones: the credential is written in French
    cred = issued_in(db, org, admin, participant, "ar", en=ENGLISH)
    assert cred.language == "fr"
    portfolio = participant_client.get("/portfolio").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in portfolio
    assert f"<h3>{marked('fr', 'Ponctualité')}</h3>" in portfolio
    assert "Punctuality" not in portfolio
    mine = participant_client.get("/me/badges").get_data(as_text=True)
    assert f"<li>{marked('fr', 'Ponctualité')} — " in mine

    link = path_of(create_share(participant_client, [cred]))
    arabic = app.test_client().get(link, headers=AR).get_data(as_text=True)
    assert f"<h3>{marked('fr', 'Ponctualité')}</h3>" in arabic
    french = app.test_client().get(link, headers=FR).get_data(as_text=True)
    assert "<h3>Ponctualité</h3>" in french  # the page's own language: left alone


def test_offered_badge_reads_in_arabic_then_its_credential_too(
    app: Any, client: Any, db: Any, make: Any, org: Any, admin: Any, coach: Any
) -> None:
    from badger import grids

    version = awards_factory.adopted_version(db, org, admin)
    ach = awards_factory.achievement(db, org, admin, version)  # "Ponctualité", min level 3
    translate(db, org, ach, ar=ARABIC, en=ENGLISH)
    person = make.participant(org, "Layla", email="layla@example.org")
    person.locale = "ar"
    db.commit()
    gs = awards_factory.group_session(db, org, coach, version, [person])
    rnd = grids.session_rounds(db, gs)[person.id]
    vc = awards_factory.validate(db, rnd, version.competences[0], coach, person, level=4)
    login_participant(client, make, person)

    offer = client.get("/me/badges").get_data(as_text=True)
    assert f"<h2>{ARABIC[0]}</h2>" in offer and f"<p>{ARABIC[1]}</p>" in offer
    # the other languages only as the choice of the credential's language, Arabic ticked
    # (tests/awards/test_offer_language.py)
    assert 'value="ar" checked' in offer
    assert offer.count("Ponctualité") == 1 and '<bdi lang="fr">Ponctualité</bdi>' in offer

    r = client.post("/me/badges", data={"validated_competence_id": vc.id,
                                         "achievement_id": ach.id, "decision": "accept"})
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    cred = db.execute(select(Credential).where(Credential.participant_id == person.id)
                      ).scalar_one()
    assert cred.language == "ar"
    held = client.get("/me/badges").get_data(as_text=True)
    assert f"<li>{ARABIC[0]} — " in held
    # read in French later: the Arabic name the credential holds, marked Arabic
    person.locale = "fr"
    db.commit()
    held = client.get("/me/badges").get_data(as_text=True)
    assert f"<li>{marked('ar', ARABIC[0])} — " in held

    # a badge without an Arabic translation is offered in its main language, marked French
    other = awards_factory.achievement(db, org, admin, version, index=1)
    vc2 = awards_factory.validate(db, rnd, version.competences[1], coach, person, level=4)
    assert vc2.competence_id == other.competence_id
    person.locale = "ar"
    db.commit()
    offer = client.get("/me/badges").get_data(as_text=True)
    assert f"<h2>{marked('fr', 'Respect des règles')}</h2>" in offer


def _signed_import(language: str | None) -> bytes:
    from badger.ob3 import sign
    from badger.ob3.dids import did_key_from_public_key
    from tests.ob3._factory import credential, key
    from tests.verification._creds import CREATED

    k = key("Ed25519", 3)
    did = did_key_from_public_key(k.public_key)
    doc = credential(issuer=did, achievement_name="Welcoming the public")
    if language is None:
        del doc["credentialSubject"]["achievement"]["inLanguage"]
    else:
        doc["credentialSubject"]["achievement"]["inLanguage"] = language
    signed = sign(doc, k, f"{did}#{did.removeprefix('did:key:')}", created=CREATED)
    return json.dumps(signed).encode()


def test_imported_badge_is_marked_with_the_language_its_document_says(
    app: Any, participant_client: Any, participant: Any, db: Any
) -> None:
    import io

    from tests.holders._helpers import own_test_badges
    from tests.verification import _creds

    app.extensions["badger.web_resolver"] = _creds.resolver()
    own_test_badges(db, participant)
    for raw in (_signed_import("en"), _signed_import(None)):
        r = participant_client.post("/portfolio/import",
                                    data={"file": (io.BytesIO(raw), "other.json")},
                                    content_type="multipart/form-data")
        assert r.status_code == 302, r.get_data(as_text=True)[:800]
    said, unsaid = db.scalars(select(ImportedCredential).order_by(ImportedCredential.id)).all()
    link = path_of(create_share(participant_client, [], imported=[str(said.id)]))
    page = app.test_client().get(link, headers=FR).get_data(as_text=True)
    assert "Badge authentique" in page
    assert f"<h3>{marked('en', 'Welcoming the public')}</h3>" in page
    annex = app.test_client().get(f"{link}/cv", headers=FR).get_data(as_text=True)
    assert f"<td>{marked('en', 'Welcoming the public')}" in annex
    # without a language: isolated only, never a guessed lang
    link = path_of(create_share(participant_client, [], imported=[str(unsaid.id)]))
    page = app.test_client().get(link, headers=FR).get_data(as_text=True)
    assert '<h3><span dir="auto">Welcoming the public</span></h3>' in page


def test_journey_chart_marks_french_axis_labels_on_an_arabic_page(
    client: Any, db: Any, make: Any, org: Any, coach: Any, participant: Any
) -> None:
    from tests.grids._factory import journey_round, published_version, rate

    version = published_version(
        db,
        ["Ponctualité", "Respect des règles", "Assiduité"],
        {0: {"ar": {"label": "الالتزام بالمواعيد"}}},
    )
    rnd = journey_round(db, org, participant, coach, version)
    rate(db, rnd, "self", participant, [3, 4, 2])
    login_participant(client, make, participant)
    participant.locale = "ar"
    db.commit()
    page = client.get(f"/journeys/{rnd.journey_id}/progress").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page and "<svg" in page
    labels = re.findall(r'<text class="axis-label" data-axis="(\d)"([^>]*)>', page)
    attrs = {int(i): a for i, a in labels}
    assert set(attrs) == {0, 1, 2}, page
    assert "lang=" not in attrs[0]  # translated into Arabic: the chart's own language
    assert 'lang="fr"' in attrs[1] and 'lang="fr"' in attrs[2]

    participant.locale = "fr"
    db.commit()
    page = client.get(f"/journeys/{rnd.journey_id}/progress").get_data(as_text=True)
    assert '<text class="axis-label"' in page
    assert not re.search(r'<text class="axis-label"[^>]* lang=', page)
