"""A generated badge image speaks the credential's language: an English credential embeds and
bakes the picture drawn with the English name (and English alt text), served at
``/achievements/<uuid>/image.png?lang=en``; an uploaded picture is the same in every language;
an unknown language gets the main image. Checked over HTTP, by comparing the images themselves
(pixels, SVG text) with what the image URLs answer, and by verifying the baked files."""

from __future__ import annotations

import io
import json
import re
from typing import Any
from xml.etree import ElementTree

import pytest
from PIL import Image
from sqlalchemy import select

from badger import awards
from badger.awards import images
from badger.awards.models import Credential
from badger.ob3.baking import unbake_svg
from badger.ob3.verify import verify_credential
from tests.awards import _factory
from tests.conftest import login_staff

SVG = "{http://www.w3.org/2000/svg}"
EN_NAME = "Always on time"
EN_ALT = "Round badge: a clock above the words Always on time"


def _translate(db: Any, org: Any, ach: Any, name: str = EN_NAME, alt: str = EN_ALT,
               upload: bytes | None = None) -> None:
    awards.update_achievement(db, ach, org, awards.AchievementInput(
        competence_id=ach.competence_id, name=ach.name, description=ach.description,
        criteria=ach.criteria_narrative, min_level=ach.min_level, language=ach.language,
        image_alt=ach.image_alt, upload_png=upload,
        translations=[awards.TranslationInput(language="en", name=name,
                                               description="Arrives on time.",
                                               image_alt=alt)]))
    db.commit()


def _pixels(png: bytes) -> bytes:
    with Image.open(io.BytesIO(png)) as im:
        return im.convert("RGBA").tobytes()


def _svg_texts(svg: str) -> tuple[str, str, str]:
    """The label drawn in a badge SVG, its <title> and its aria-label."""
    root = ElementTree.fromstring(svg)
    label = " ".join((t.text or "") for t in root.iter(f"{SVG}text"))
    title = root.find(f"{SVG}title")
    return label, title.text if title is not None else "", root.get("aria-label", "")


@pytest.fixture
def people(db: Any, make: Any, org: Any, coach: Any, version: Any) -> dict[str, Any]:
    return _factory.english_and_french_readers(db, make, org, coach, version)


def test_english_credential_bakes_the_english_image(app: Any, client: Any, db: Any, make: Any,
                                                    org: Any, achievement: Any,
                                                    people: dict[str, Any],
                                                    resolver: Any) -> None:
    _translate(db, org, achievement)
    en = _factory.accept_and_download(app, make, people, "ana", achievement)
    fr = _factory.accept_and_download(app, make, people, "bruno", achievement)
    assert (en["language"], fr["language"]) == ("en", "fr")
    url = f"/achievements/{achievement.uuid}"
    main_png = client.get(f"{url}/image.png").get_data()
    en_png = client.get(f"{url}/image.png?lang=en").get_data()

    # the baked PNGs carry different pictures: each the one its language's image URL answers
    assert _pixels(en["files"]["png"]) != _pixels(fr["files"]["png"])
    assert _pixels(en["files"]["png"]) == _pixels(en_png)
    assert _pixels(fr["files"]["png"]) == _pixels(main_png)

    # the baked SVGs draw each language's name, with that language's alt text
    en_svg, fr_svg = (f["files"]["svg"].decode() for f in (en, fr))
    assert _svg_texts(en_svg) == (EN_NAME, EN_ALT, EN_ALT)
    assert _svg_texts(fr_svg) == (achievement.name, achievement.image_alt,
                                  achievement.image_alt)

    # the documents point at the image they embed, with the matching alt text
    doc = json.loads(en["files"]["json"])
    embedded = doc["credentialSubject"]["achievement"]["image"]
    assert embedded["id"].endswith(f"{url}/image.png?lang=en")
    assert embedded["caption"] == EN_ALT
    assert doc["image"] == embedded
    assert json.loads(unbake_svg(en_svg))["image"] == embedded
    fr_doc = json.loads(fr["files"]["json"])
    assert fr_doc["image"]["id"].endswith(f"{url}/image.png")
    assert fr_doc["image"]["caption"] == achievement.image_alt

    # every file still verifies, and points to the participant
    for fmt, blob in (*en["files"].items(), *fr["files"].items()):
        person = "ana" if blob in en["files"].values() else "bruno"
        report = verify_credential(blob, resolver=resolver,
                                   recipient=(f"{person}@example.org", "emailAddress"))
        assert report.verified, (fmt, report.to_dict()["checks"])


def test_image_url_per_language_with_cache_headers(client: Any, db: Any, org: Any,
                                                   achievement: Any) -> None:
    _translate(db, org, achievement)
    url = f"/achievements/{achievement.uuid}"
    main = client.get(f"{url}/image.png")
    en = client.get(f"{url}/image.png?lang=en")
    assert en.status_code == 200 and en.mimetype == "image/png"
    assert _pixels(en.get_data()) != _pixels(main.get_data())
    assert en.headers["Content-Language"] == "en" and "Content-Language" not in main.headers
    assert en.headers["Cache-Control"] == main.headers["Cache-Control"]
    assert "public" in en.headers["Cache-Control"] and "max-age=" in en.headers["Cache-Control"]
    assert en.headers["ETag"] and en.headers["ETag"] != main.headers["ETag"]
    again = client.get(f"{url}/image.png?lang=en", headers={"If-None-Match": en.headers["ETag"]})
    assert again.status_code == 304
    # a regional variant finds the translation; the SVG draws the same language
    assert client.get(f"{url}/image.png?lang=en-GB").get_data() == en.get_data()
    svg = client.get(f"{url}/image.svg?lang=en")
    assert svg.mimetype == "image/svg+xml"
    assert _svg_texts(svg.get_data(as_text=True)) == (EN_NAME, EN_ALT, EN_ALT)
    assert _svg_texts(client.get(f"{url}/image.svg").get_data(as_text=True))[0] == \
        achievement.name

    # unknown or malformed languages: the main image, without a language
    for asked in ("de", "zz", "../../etc", "", "fr"):
        other = client.get(f"{url}/image.png", query_string={"lang": asked})
        assert other.status_code == 200, asked
        assert other.get_data() == main.get_data(), asked
        assert "Content-Language" not in other.headers, asked
    assert client.get(f"/achievements/{'0' * 8}-0000-0000-0000-{'0' * 12}/image.png?lang=en"
                      ).status_code == 404


def test_achievement_json_and_page_follow_the_language(client: Any, db: Any, org: Any,
                                                       achievement: Any) -> None:
    _translate(db, org, achievement)
    url = f"/achievements/{achievement.uuid}"
    en = client.get(f"{url}?lang=en").get_json(force=True)
    assert en["image"]["id"].endswith(f"{url}/image.png?lang=en")
    assert en["image"]["caption"] == EN_ALT
    main = client.get(url).get_json(force=True)
    assert main["image"]["id"].endswith(f"{url}/image.png")
    assert client.get(f"{url}?lang=de").get_json(force=True)["image"] == main["image"]

    html = {"Accept": "text/html"}
    page = client.get(url, headers={**html, "Accept-Language": "en"}).get_data(as_text=True)
    img = re.search(r'<img src="([^"]+/image\.png[^"]*)" alt="([^"]*)"', page)
    assert img is not None
    assert img.group(1) == f"{url}/image.png?lang=en" and img.group(2) == EN_ALT
    og = re.search(r'<meta property="og:image" content="([^"]+)"', page)
    assert og is not None and og.group(1) == en["image"]["id"]
    page = client.get(url, headers={**html, "Accept-Language": "fr"}).get_data(as_text=True)
    img = re.search(r'<img src="([^"]+/image\.png[^"]*)" alt="([^"]*)"', page)
    assert img is not None
    assert img.group(1) == f"{url}/image.png" and img.group(2) == achievement.image_alt


def test_renamed_translation_redraws_its_image(client: Any, db: Any, org: Any,
                                               achievement: Any) -> None:
    _translate(db, org, achievement)
    url = f"/achievements/{achievement.uuid}/image.svg?lang=en"
    assert _svg_texts(client.get(url).get_data(as_text=True))[0] == EN_NAME
    _translate(db, org, achievement, name="On time")
    assert _svg_texts(client.get(url).get_data(as_text=True))[0] == "On time"


def test_generated_once_per_language(app: Any, client: Any, db: Any, make: Any, org: Any,
                                     coach: Any, achievement: Any,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch of English credentials and repeated image requests draw the English image
    once, not once per credential or request."""
    _translate(db, org, achievement)
    drawn: list[str] = []
    real = images.generate_png

    def counting(label: str, colour: str, pictogram: str | None) -> bytes:
        drawn.append(label)
        return real(label, colour, pictogram)

    monkeypatch.setattr(images, "generate_png", counting)
    people = []
    for i in range(3):
        p = make.participant(org, f"Eve{i}", email=f"eve{i}@example.org")
        p.locale = "en"
        people.append(p)
    db.commit()
    login_staff(client, coach)
    gs = _factory.group_session(db, org, coach, _version_of(db, achievement),
                                people)
    r = client.post(f"/admin/sessions/{gs.id}/award", data={
        "achievement_id": str(achievement.id), "level": "4",
        "participant": [str(p.id) for p in people]})
    assert r.status_code == 200 and r.get_data(as_text=True).count("outcome-issued") == 3
    for _ in range(3):
        assert client.get(f"/achievements/{achievement.uuid}/image.png?lang=en").status_code == 200
    assert drawn == [EN_NAME]
    db.expire_all()
    baked = {_pixels(c.baked_png or b"") for c in db.scalars(
        select(Credential).where(Credential.achievement_id == achievement.id))}
    assert len(baked) == 1


def _version_of(db: Any, ach: Any) -> Any:
    from badger.referentiels.models import ReferentielVersion

    return db.get(ReferentielVersion, ach.referentiel_version_id)


def test_uploaded_image_is_the_same_in_every_language(app: Any, client: Any, db: Any,
                                                      make: Any, org: Any, achievement: Any,
                                                      people: dict[str, Any],
                                                      resolver: Any) -> None:
    upload = Image.new("RGBA", (64, 64), (200, 30, 30, 255))
    out = io.BytesIO()
    upload.save(out, format="PNG")
    _translate(db, org, achievement, upload=out.getvalue())
    db.refresh(achievement)
    assert achievement.image_source == "uploaded"
    en = _factory.accept_and_download(app, make, people, "ana", achievement)
    url = f"/achievements/{achievement.uuid}"
    main = client.get(f"{url}/image.png").get_data()
    assert client.get(f"{url}/image.png?lang=en").get_data() == main
    assert _pixels(en["files"]["png"]) == _pixels(main)
    doc = json.loads(en["files"]["json"])
    assert doc["image"]["id"].endswith(f"{url}/image.png")  # no ?lang: one picture
    assert doc["image"]["caption"] == EN_ALT  # the alt text still speaks English
    report = verify_credential(en["files"]["png"], resolver=resolver,
                               recipient=("ana@example.org", "emailAddress"))
    assert report.verified, report.to_dict()["checks"]
