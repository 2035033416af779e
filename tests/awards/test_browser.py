"""On a small phone, in Chromium: a coach awards the group's badges in one tap after the
session; a participant without e-mail redeems a claim code."""

from __future__ import annotations

from typing import Any

import pytest

from badger import awards
from tests.a11y import assert_accessible, no_overflow
from tests.conftest import browser_login_staff

pytestmark = pytest.mark.browser

def test_coach_awards_after_session_on_a_phone(live_server: str, phone_page: Any, db: Any,
                                               org: Any, coach: Any, group: Any,
                                               achievement: Any) -> None:
    page = phone_page
    browser_login_staff(page, live_server, coach)
    page.goto(f"{live_server}/admin/badges")
    assert_accessible(page, "badges list")
    page.get_by_role("link", name="Football du mardi").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Attribuer des badges après la séance")
    no_overflow(page)
    assert_accessible(page, "bulk award")
    page.get_by_role("button", name="Confirmer l'attribution").click()
    page.wait_for_selector("text=Résultat de l'attribution")
    assert page.locator("tr.outcome-issued").count() == 3
    assert_accessible(page, "bulk result")
    with page.expect_navigation():
        page.get_by_role("link", name="Voir").first.click()
    assert_accessible(page, "credential detail")
    page.goto(f"{live_server}/achievements/{achievement.uuid}")
    assert_accessible(page, "public achievement page")
    page.goto(f"{live_server}/issuers/{org.slug}")
    assert_accessible(page, "issuer page")


def test_claim_code_redeemed_on_a_phone(live_server: str, phone_page: Any, db: Any, make: Any,
                                        org: Any, coach: Any, achievement: Any) -> None:
    person = make.participant(org, "Élise")
    row = awards.award_many(db, org, achievement,
                             [awards.AwardRequest(participant_id=person.id)], actor=coach)[0]
    db.commit()
    page = phone_page
    page.goto(f"{live_server}/claim/{row.claim_code}")
    assert_accessible(page, "claim page")
    page.get_by_label("Adresse, numéro ou DID").fill("elise@example.org")
    page.get_by_role("button", name="Recevoir mon badge").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Badge reçu"
    no_overflow(page)


def test_admin_chooses_the_issuer_identifier_on_a_phone(live_server: str, phone_page: Any,
                                                        db: Any, org: Any, admin: Any) -> None:
    page = phone_page
    browser_login_staff(page, live_server, admin)
    page.goto(f"{live_server}/admin/badges")
    page.get_by_role("link", name="Identifiant d'émetteur").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Identifiant d'émetteur"
    no_overflow(page)
    assert_accessible(page, "issuer identifier")
    page.get_by_role("radio", name="did:key").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=Choix enregistré")
    db.expire_all()
    assert org.issuer_identifier == "did:key"
    assert page.get_by_role("radio", name="did:key").is_checked()
    assert_accessible(page, "issuer identifier saved")
    page.goto(f"{live_server}/issuers/{org.slug}")
    assert "did:key:z" in page.content()
    assert_accessible(page, "issuer page")
