"""Language of parts (WCAG 2.2 SC 3.1.2): content typed in its own language — référentiel titles,
competence labels and levels, badge names, chart axes — is marked with that language when the
page speaks another (``<span lang="fr" dir="auto">``), left alone when it speaks the same, and only
isolated (``dir="auto"``, never a guessed ``lang``) when its language is unknown."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.awards import _factory as awards
from tests.grids._factory import APELS, journey_round, published_version

AR = {"Accept-Language": "ar", "Accept": "text/html"}
FR = {"Accept-Language": "fr", "Accept": "text/html"}
EN = {"Accept-Language": "en", "Accept": "text/html"}


def fr(text: str) -> str:
    return f'<span lang="fr" dir="auto">{text}</span>'


PUNCTUALITY = {
    "en": {
        "label": "Punctuality",
        "levels": [
            {"score": s, "quality": f"level {s}", "description": f"Punctuality: level {s}"}
            for s in range(6)
        ],
    }
}


def test_referentiel_page_marks_french_content_in_an_arabic_page(client: Any, db: Any) -> None:
    version = published_version(db)
    url = f"/referentiels/{version.referentiel.key}/v{version.number}"
    arabic = client.get(url, headers=AR).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in arabic
    assert f"<h1>{fr('Grille sport (test)')}</h1>" in arabic
    assert f'<span class="label">{fr("Ponctualité")}</span>' in arabic
    assert fr("Ponctualité : niveau 3") in arabic
    # the owner's name: language unknown, isolated only
    assert re.search(r'<p class="meta"><span dir="auto">[^<]*</span></p>', arabic)

    french = client.get(url, headers=FR).get_data(as_text=True)
    assert "<h1>Grille sport (test)</h1>" in french
    assert '<span class="label">Ponctualité</span>' in french
    assert 'lang="fr" dir="auto">Ponctualité' not in french
    assert 'lang="fr" dir="auto">Grille' not in french

    listing = client.get("/referentiels/", headers=AR).get_data(as_text=True)
    assert fr("Grille sport (test)") in listing


def test_grid_step_marks_the_label_and_levels_in_the_language_shown(
    client: Any, db: Any, make: Any, org: Any, coach: Any, participant: Any
) -> None:
    from tests.conftest import login_participant

    version = published_version(db, APELS[:3], {1: PUNCTUALITY})
    rnd = journey_round(db, org, participant, coach, version)
    login_participant(client, make, participant)
    participant.locale = "ar"
    db.commit()
    page = client.get(f"/me/rounds/{rnd.id}/step/2", headers=AR).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    assert f'<h1 id="competence-title">{fr("Ponctualité")}</h1>' in page
    assert f"<dd>{fr('Ponctualité : niveau 4')}</dd>" in page
    assert "Punctuality" not in page  # no Arabic texts: the French ones, not the English

    # English page: the competence has English texts, shown unmarked
    participant.locale = "en"
    db.commit()
    page = client.get(f"/me/rounds/{rnd.id}/step/2", headers=EN).get_data(as_text=True)
    assert '<h1 id="competence-title">Punctuality</h1>' in page
    assert "<dd>Punctuality: level 4</dd>" in page
    # an untranslated competence on the English page stays marked French
    page = client.get(f"/me/rounds/{rnd.id}/step/1", headers=EN).get_data(as_text=True)
    assert f'<h1 id="competence-title">{fr("Assiduité")}</h1>' in page

    participant.locale = "fr"
    db.commit()
    page = client.get(f"/me/rounds/{rnd.id}/step/2", headers=FR).get_data(as_text=True)
    assert '<h1 id="competence-title">Ponctualité</h1>' in page
    assert "<dd>Ponctualité : niveau 4</dd>" in page


def test_chart_axis_labels_say_their_language_in_an_arabic_chart(
    client: Any, db: Any, org: Any, coach: Any, participant: Any
) -> None:
    from tests.conftest import login_staff

    version = published_version(
        db,
        ["Ponctualité", "Respect des règles", "Assiduité"],
        {0: {"ar": {"label": "الالتزام بالمواعيد"}}},
    )
    rnd = journey_round(db, org, participant, coach, version)
    login_staff(client, coach)
    coach.locale = "ar"
    db.commit()
    svg = client.get(f"/rounds/{rnd.id}/chart.svg", headers=AR).get_data(as_text=True)
    assert re.search(r'<svg [^>]*lang="ar" direction="rtl"', svg)
    labels = re.findall(r'<text class="axis-label" data-axis="(\d)"([^>]*)>', svg)
    attrs = {int(i): a for i, a in labels}
    assert 'lang="fr"' in attrs[1] and 'direction="ltr"' in attrs[1]  # French, isolated
    assert 'lang="fr"' in attrs[2]
    assert "lang=" not in attrs[0]  # translated into Arabic: the chart's own language

    coach.locale = "fr"
    db.commit()
    svg = client.get(f"/rounds/{rnd.id}/chart.svg", headers=FR).get_data(as_text=True)
    assert '<text class="axis-label"' in svg
    assert not re.search(r'<text class="axis-label"[^>]* lang=', svg)


def test_badge_names_are_marked_french_in_arabic_and_not_when_translated(
    client: Any, db: Any, org: Any, admin: Any
) -> None:
    from badger.awards import AchievementInput, TranslationInput, update_achievement

    version = awards.adopted_version(db, org, admin)
    ach = awards.achievement(db, org, admin, version)  # "Ponctualité", in French
    arabic = client.get(f"/issuers/{org.slug}", headers=AR).get_data(as_text=True)
    assert f"> {fr('Ponctualité')}</a>" in arabic
    assert '<h1><span dir="auto">Organisation A</span></h1>' in arabic  # language unknown
    french = client.get(f"/issuers/{org.slug}", headers=FR).get_data(as_text=True)
    assert "> Ponctualité</a>" in french and fr("Ponctualité") not in french

    update_achievement(
        db,
        ach,
        org,
        AchievementInput(
            competence_id=ach.competence_id,
            name=ach.name,
            description=ach.description,
            criteria=ach.criteria_narrative,
            min_level=ach.min_level,
            language=ach.language,
            translations=[
                TranslationInput(
                    language="en",
                    name="Punctuality",
                    description="Arrives on time.",
                    criteria="Level 3 or more.",
                )
            ],
        ),
    )
    db.commit()
    english = client.get(f"/achievements/{ach.uuid}", headers=EN).get_data(as_text=True)
    assert "Punctuality</h1>" in english
    heading = re.search(r"<h1[^>]*>[^<]*Punctuality", english)
    assert heading is not None and 'lang="fr"' not in heading.group(0)
    arabic = client.get(f"/achievements/{ach.uuid}", headers=AR).get_data(as_text=True)
    assert re.search(r'<h1 lang="fr" dir="auto">Ponctualité</h1>', arabic)


def test_network_page_isolates_names_of_unknown_language(client: Any, db: Any, make: Any) -> None:
    net = make.network("reseau-ouest")
    page = client.get(f"/networks/{net.slug}", headers=AR).get_data(as_text=True)
    assert '<h1><span dir="auto">Reseau-Ouest</span></h1>' in page
    assert not re.search(r'lang="\w+" dir="auto">Reseau-Ouest', page)


@pytest.mark.browser
def test_arabic_grid_step_with_french_content_is_accessible_on_a_phone(
    live_server: str, browser: Any, db: Any, make: Any, org: Any, coach: Any, participant: Any
) -> None:
    from tests.a11y import assert_accessible, no_overflow

    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ar")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/code/{make.login_code(participant)}")
        with page.expect_navigation():
            page.get_by_role("button", name="دخول").click()
        page.wait_for_load_state("load")
        page.goto(f"{live_server}/me/rounds/{rnd.id}/step/2")
        page.wait_for_load_state("load")
        title = page.locator("#competence-title span[lang=fr]")
        assert title.inner_text() == "Ponctualité"
        # the French label runs left to right inside the right-to-left page
        assert title.evaluate("e => getComputedStyle(e).direction") == "ltr"
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        page.locator("details.levels summary").click()
        no_overflow(page)
        assert_accessible(page, "grid step with French content (ar)")

        page.goto(f"{live_server}/referentiels/{version.referentiel.key}/v{version.number}")
        page.wait_for_load_state("load")
        assert page.locator("h1 span[lang=fr]").inner_text() == "Grille sport (test)"
        no_overflow(page)
        assert_accessible(page, "référentiel page with French content (ar)")
    finally:
        context.close()
