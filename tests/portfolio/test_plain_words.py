"""Participant pages speak plain words first: "Télécharger mon badge (image)", "Ajouter à mon
application de portefeuille", "Pas encore récupéré" with what to do; file formats (JSON, JWT,
SVG) and wallet identifiers (DID) appear only inside the closed "Pour les spécialistes" block —
on /portfolio, /me/badges and /me/identities, in French, English, Arabic and Ukrainian."""

from __future__ import annotations

import re
from typing import Any

import pytest

from badger import grids
from tests.awards import _factory as award_factory
from tests.conftest import login_participant

TECHNICAL = re.compile(r"\b(JSON|JWT|SVG|DID)\b")
SPECIALISTS = re.compile(r'<details class="specialists"[^>]*>(.*?)</details>', re.S)

PLAIN = {
    "fr": ("Télécharger mon badge (image)", "Ajouter à mon application de portefeuille",
           "Pour les spécialistes"),
    "en": ("Download my badge (picture)", "Add to my wallet app", "For specialists"),
    "ar": ("تنزيل شارتي (صورة)", "أضفها إلى تطبيق المحفظة", "للمختصين"),
    "uk": ("Завантажити мій бейдж (зображення)", "Додати до застосунку-гаманця",
           "Для фахівців"),
}


def _text(html: str) -> str:
    """The visible words of <main> (tags and attributes dropped)."""
    main = html[html.index("<main"): html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def split(html: str) -> tuple[str, str]:
    """(the page's main text outside the specialists blocks, the text inside them)."""
    main = html[html.index("<main"): html.index("</main>")]
    inside = " ".join(_text(f"<main>{b}</main>") for b in SPECIALISTS.findall(main))
    outside = _text(SPECIALISTS.sub("", main) + "</main>")
    return outside, inside


@pytest.fixture
def bruno(db: Any, make: Any, org: Any, admin: Any, coach: Any) -> dict[str, Any]:
    """Bruno (no e-mail, no phone on his record) has a badge proposed on /me/badges."""
    version = award_factory.adopted_version(db, org, admin)
    achievement = award_factory.achievement(db, org, admin, version)
    person = make.participant(org, "Bruno")
    gs = award_factory.group_session(db, org, coach, version, [person])
    rnd = grids.session_rounds(db, gs)[person.id]
    vc = award_factory.validate(db, rnd, version.competences[0], coach, person)
    return {"person": person, "vc": vc, "achievement": achievement}


def test_badges_pages_plain_words_first_formats_for_specialists(
    app: Any, db: Any, make: Any, bruno: dict[str, Any]
) -> None:
    client = app.test_client()
    login_participant(client, make, bruno["person"])
    offer = client.get("/me/badges").get_data(as_text=True)
    outside, inside = split(offer)
    assert "indiquez une adresse e-mail ou un téléphone" in outside
    assert not TECHNICAL.search(outside), TECHNICAL.findall(outside)
    assert "DID" in inside and "portefeuille" in inside
    assert 'name="did"' in SPECIALISTS.search(offer).group(1)  # the field itself is inside

    r = client.post("/me/badges", data={
        "validated_competence_id": bruno["vc"].id, "achievement_id": bruno["achievement"].id,
        "decision": "accept", "email": "bruno@example.org"})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    for path in ("/me/badges", "/portfolio"):
        html = client.get(path).get_data(as_text=True)
        outside, inside = split(html)
        assert "Télécharger mon badge (image)" in outside, path
        assert not TECHNICAL.search(outside), (path, TECHNICAL.findall(outside))
        assert {"JSON", "JWT", "SVG"} <= set(TECHNICAL.findall(inside)), path
        # the plain button downloads the baked picture, a real badge file
        png = re.search(r'href="([^"]+\.png)" download>\s*<img[^>]*>\s*Télécharger mon badge',
                        html)
        assert png, path
        body = client.get(png.group(1))
        assert body.status_code == 200 and body.data[:8] == b"\x89PNG\r\n\x1a\n", path
    assert "Ajouter à mon application de portefeuille" in split(
        client.get("/portfolio").get_data(as_text=True))[0]


@pytest.mark.parametrize("lang", ["en", "ar", "uk"])
def test_plain_words_in_every_language(
    app: Any, db: Any, make: Any, bruno: dict[str, Any], lang: str
) -> None:
    client = app.test_client()
    login_participant(client, make, bruno["person"])
    assert client.post("/me/badges", data={
        "validated_competence_id": bruno["vc"].id, "achievement_id": bruno["achievement"].id,
        "decision": "accept", "email": "bruno@example.org"}).status_code == 303
    bruno["person"].locale = lang
    db.commit()
    html = client.get("/portfolio").get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    outside, inside = split(html)
    download, wallet, specialists = PLAIN[lang]
    assert download in outside and wallet in outside
    assert {"JSON", "JWT", "SVG"} <= set(TECHNICAL.findall(inside))
    assert f"<summary>{specialists}</summary>" in html
    assert not TECHNICAL.search(outside), TECHNICAL.findall(outside)


def test_a_badge_not_yet_collected_says_what_to_do(
    app: Any, db: Any, make: Any, org: Any, admin: Any, coach: Any
) -> None:
    version = award_factory.adopted_version(db, org, admin)
    achievement = award_factory.achievement(db, org, admin, version)
    cred, _code = award_factory.hold_for_claim(db, make, org, coach, achievement)
    client = app.test_client()
    login_participant(client, make, cred.participant)
    html = client.get("/me/badges").get_data(as_text=True)
    outside, _inside = split(html)
    assert "Pas encore récupéré" in outside
    assert "Votre coach vous a donné un code pour ce badge." in outside
    assert 'href="/claim">Récupérer mon badge</a>' in html
    assert "En attente de récupération" not in html
    cred.participant.locale = "en"
    db.commit()
    html = client.get("/me/badges").get_data(as_text=True)
    assert "Not collected yet" in html and "Waiting to be collected" not in html


def test_identities_page_keeps_the_did_for_specialists(
    participant_client: Any
) -> None:
    html = participant_client.get("/me/identities").get_data(as_text=True)
    outside, inside = split(html)
    assert "remis à votre téléphone ou à votre e-mail" in outside
    assert not TECHNICAL.search(outside), TECHNICAL.findall(outside)
    assert "Ajouter un identifiant (DID)" in inside
    # once a challenge is asked for, the block opens by itself
    r = participant_client.post("/me/identities/did/challenge")
    assert r.status_code == 200, r.status_code
    html = r.get_data(as_text=True)
    assert '<details class="specialists" open>' in html and 'id="did-challenge"' in html
