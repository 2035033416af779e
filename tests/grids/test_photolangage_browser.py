"""The photolangage picker on a 360×740 phone in Chromium: a tap enlarges a picture full screen,
"Le participant a choisi cette image" writes it in the round's notes; axe-core finds nothing,
closed or open, and nothing overflows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from badger.grids.photo_models import PictureChoice
from tests.a11y import assert_accessible, no_overflow
from tests.grids._factory import journey_round, published_version

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


def test_coach_shows_pictures_and_notes_the_participants_choice_on_a_phone(
    live_server, phone_page, db, make, org, coach, participant
):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    db.commit()
    page = phone_page
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", coach.email)
    page.fill("input[name=password]", coach.test_password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server}/rounds/{rnd.id}")
    page.get_by_role("link", name="Photolangage").first.click()
    page.wait_for_url(f"**/rounds/{rnd.id}/photolangage")
    assert page.locator(".photo-tile").count() >= 24
    no_overflow(page)
    assert_accessible(page, "photolangage picker")

    page.locator(".photo-tile", has_text="La fatigue").click()
    dialog = page.locator("#photo-dialog")
    expect(dialog).to_be_visible()
    big = dialog.locator(".photo-dialog-img img")
    expect(big).to_have_attribute("alt", "La fatigue")
    box = big.bounding_box()
    assert box is not None and box["width"] >= 280  # enlarged: most of the phone's width
    assert page.url.endswith("/photolangage")  # the script opened it in place
    no_overflow(page)
    assert_accessible(page, "photolangage picture enlarged")
    dialog.get_by_text("Ajouter une compétence ou une phrase (facultatif)").click()
    dialog.get_by_label("Compétence concernée").select_option(
        str(rnd.items[0].competence_id))
    dialog.get_by_label("Ce que le participant en dit").fill("Je dors mal")
    with page.expect_navigation():
        dialog.get_by_role("button", name="Le participant a choisi cette image").click()
    assert page.url.endswith(f"/rounds/{rnd.id}#photo-choices")
    section = page.locator("#photo-choices")
    expect(section).to_contain_text("La fatigue")
    expect(section).to_contain_text("« Je dors mal »")
    expect(section).to_contain_text("Choisie par le participant")
    no_overflow(page)
    assert_accessible(page, "round with the chosen picture")
    db.expire_all()
    choice = db.scalars(select(PictureChoice).execution_options(unscoped=True)).one()
    assert (choice.picture, choice.competence_id, choice.chosen_by, choice.recorded_by_id) == (
        "tiredness", rnd.items[0].competence_id, "participant", coach.id)


def test_the_picker_without_javascript(live_server, browser, db, make, org, coach,
                                       participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    db.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", coach.email)
        page.fill("input[name=password]", coach.test_password)
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()
        page.goto(f"{live_server}/rounds/{rnd.id}/photolangage")
        with page.expect_navigation():
            page.locator(".photo-tile", has_text="Demander de l'aide").click()
        assert "show=asking-help" in page.url
        no_overflow(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Le participant a choisi cette image").click()
        expect(page.locator("#photo-choices")).to_contain_text("Demander de l'aide")
    finally:
        context.close()


def test_the_picker_in_arabic_on_a_phone(live_server, browser, db, make, org, coach,
                                         participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    db.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ar")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", coach.email)
        page.fill("input[name=password]", coach.test_password)
        with page.expect_navigation():
            page.locator("form button[type=submit]").last.click()
        page.goto(f"{live_server}/rounds/{rnd.id}/photolangage")
        assert page.locator("html").get_attribute("dir") == "rtl"
        expect(page.locator(".photo-grid")).to_contain_text("التأخر")
        no_overflow(page)
        assert_accessible(page, "photolangage picker (ar)")
        page.locator(".photo-tile").nth(2).click()
        expect(page.locator("#photo-dialog")).to_be_visible()
        no_overflow(page)
        assert_accessible(page, "photolangage picture enlarged (ar)")
    finally:
        context.close()
