"""On a small phone, in Chromium: a network admin creates a référentiel in the editor, adds a
category, a sub-category and two competences with their level texts (and an English
translation), previews, publishes; anyone then reads it without logging in. axe-core (WCAG 2.2
AA) checks the editor pages and the public version page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.a11y import assert_accessible, no_overflow
from tests.conftest import browser_login_staff
from tests.referentiels.test_views import network_admin

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

LEVELS_A = ["Ne regarde pas l'heure", "Arrive parfois à l'heure", "Arrive à l'heure avec un rappel",
            "Arrive à l'heure la plupart du temps", "Arrive toujours à l'heure",
            "Aide les autres à être à l'heure"]
LEVELS_EN = ["Does not check the time", "Sometimes on time", "On time when reminded",
             "Usually on time", "Always on time", "Helps others be on time"]
LEVELS_B = ["N'a jamais barré", "Tient la barre par vent faible", "Tient un cap avec aide",
            "Tient un cap seul", "Barre dans la brise", "Apprend à barrer aux autres"]


def test_network_admin_publishes_a_referentiel_on_a_phone(
    live_server: str, browser: Any, phone_page: Any, make: Any, db: Any,
    org: Any
) -> None:
    net = make.network("voile-solidaire")
    user = network_admin(make, db, org, net, "reseau@voile.example.org")
    csp_errors: list[str] = []
    page = phone_page
    page.on("console", lambda msg: csp_errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    browser_login_staff(page, live_server, user)

    page.goto(f"{live_server}/referentiels/")
    with page.expect_navigation():
        page.get_by_role("link", name="Créer un référentiel").click()
    assert_accessible(page, "new référentiel form")
    page.get_by_label("Titre").fill("Voile solidaire : savoir-être")
    page.get_by_label("Clé", exact=False).fill("voile-solidaire")
    page.get_by_label("Propriétaire").select_option(f"net:{net.id}")
    page.get_by_role("button", name="Créer le brouillon").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Voile solidaire : savoir-être"
    no_overflow(page)
    assert_accessible(page, "editor (empty draft)")

    # a category, then a sub-category inside it
    page.get_by_label("Catégorie", exact=True).fill("Savoir-être")
    page.get_by_role("button", name="Ajouter la catégorie").click()
    page.get_by_label("Catégorie", exact=True).fill("Assiduité")
    page.get_by_label("Placer dans", exact=True).select_option(label="Savoir-être")
    page.get_by_role("button", name="Ajouter la catégorie").click()
    expect(page.get_by_role("heading", name="Sous-catégorie : Assiduité")).to_be_visible()
    no_overflow(page)
    assert_accessible(page, "editor with a sub-category")

    for code, label, levels in (("VS-1", "Ponctualité", LEVELS_A), ("VS-2", "Barrer", LEVELS_B)):
        page.get_by_role("link", name="Ajouter une compétence").click()
        page.get_by_label("Code", exact=True).fill(code)
        page.get_by_label("Libellé", exact=True).fill(label)
        for score, text in enumerate(levels):
            page.get_by_label(f"Niveau {score}", exact=True).fill(text)
        if code == "VS-1":
            page.get_by_label("Catégorie", exact=True).select_option(label="— Assiduité")
            page.get_by_label("Libellé (anglais)").fill("Punctuality")
            for score, text in enumerate(LEVELS_EN):
                page.get_by_label(f"Niveau {score} (anglais)").fill(text)
            no_overflow(page)
            assert_accessible(page, "competence form")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_text("Compétence enregistrée.")).to_be_visible()
    assert_accessible(page, "editor with two competences")
    no_overflow(page)

    page.get_by_role("link", name="Aperçu").click()
    expect(page.get_by_text("brouillon, non public")).to_be_visible()
    expect(page.get_by_text(LEVELS_A[3])).to_be_visible()
    assert_accessible(page, "draft preview")
    page.go_back()
    page.get_by_role("button", name="Publier la version 1").click()
    expect(page.get_by_text("Version publiée. Son adresse est permanente.")).to_be_visible()

    anonymous = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    try:
        public = anonymous.new_page()
        public.on("console", lambda msg: csp_errors.append(msg.text)
                  if "Content Security Policy" in msg.text else None)
        public.goto(f"{live_server}/referentiels/")
        public.get_by_role("link", name="Voile solidaire : savoir-être").click()
        assert public.get_by_role("heading", level=1).inner_text() == (
            "Voile solidaire : savoir-être")
        for text in (*LEVELS_A, *LEVELS_B):
            assert public.get_by_text(text, exact=False).count() >= 1, text
        expect(public.get_by_role("heading", name="Assiduité", exact=False)).to_be_visible()
        english = public.locator('li[lang="en"]')
        expect(english).to_contain_text("Punctuality")
        expect(english).to_contain_text(LEVELS_EN[5])
        assert public.get_by_text("brouillon, non public").count() == 0
        assert public.get_by_role("button", name="Publier la version 1").count() == 0
        no_overflow(public)
        assert_accessible(public, "public version page")
    finally:
        anonymous.close()
    assert not [e for e in csp_errors if "axe" not in e], csp_errors


def test_member_upgrades_its_adoption_on_a_phone(
    live_server: str, phone_page: Any, make: Any, db: Any, org: Any,
    admin: Any
) -> None:
    from badger import referentiels as service

    net = make.network("reseau-phone")
    v1 = service.create_referentiel(db, title="Savoir-être du réseau", key="se-reseau",
                                    creator=net.name, network_id=net.id)
    for code, label in (("A", "Ponctualité"), ("B", "Respect des règles")):
        service.add_competence(db, v1, service.CompetenceInput(code=code, label=label))
    service.publish_version(db, v1)
    service.adopt(db, org.id, v1, admin.id)
    v2 = service.new_version(db, v1.referentiel)
    service.add_competence(db, v2, service.CompetenceInput(code="C", label="Goût de l'effort"))
    service.publish_version(db, v2)
    db.commit()

    page = phone_page
    browser_login_staff(page, live_server, admin)
    page.goto(f"{live_server}/referentiels/se-reseau/v2")
    page.get_by_role("link", name="Mettre à niveau").click()
    expect(page.get_by_role("heading", name="1. Ce qui change de la version 1 à la version 2")
           ).to_be_visible()
    expect(page.locator(".diff-added")).to_contain_text("Goût de l'effort")
    expect(page.locator(".impact")).to_contain_text("restent sur la version 1")
    no_overflow(page)
    assert_accessible(page, "upgrade page")
    page.get_by_role("button", name="Passer à la version 2").click()
    expect(page.get_by_text("Cochez la case pour confirmer.")).to_be_visible()
    assert_accessible(page, "upgrade page with an error")
    page.get_by_label("J'ai lu les changements", exact=False).check()
    page.get_by_role("button", name="Passer à la version 2").click()
    expect(page.get_by_text("Adoption mise à niveau : version 2.", exact=False)).to_be_visible()
    expect(page.get_by_text("Version adoptée par votre organisation")).to_be_visible()
