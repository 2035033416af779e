"""On a small phone, in Chromium: a network admin adds a member, endorses it, and anyone reads
the network's public page. axe-core (WCAG 2.2 AA) checks the admin and public pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.a11y import assert_accessible, no_overflow
from tests.conftest import browser_login_staff

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser



def test_network_admin_endorses_a_member_on_a_phone(
    live_server: str, browser: Any, phone_page: Any, make: Any,
    network: Any, net_admin: Any
) -> None:
    make.organisation("asso-voile", "Voile solidaire")
    csp_errors: list[str] = []
    page = phone_page
    page.on("console", lambda msg: csp_errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    browser_login_staff(page, live_server, net_admin)

    page.goto(f"{live_server}/admin/networks")
    expect(page.get_by_role("heading", level=1)).to_have_text("Réseau régional A")
    assert_accessible(page, "network admin page")
    no_overflow(page)

    page.get_by_label("Identifiant de l'organisation (slug)").fill("asso-voile")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_text("Voile solidaire est maintenant membre du réseau.")).to_be_visible()

    section = page.get_by_role("region", name="Voile solidaire")
    section.get_by_label("Pourquoi le réseau recommande cette organisation").fill(
        "Accompagnement sérieux, grilles remplies avec chaque participant.")
    section.get_by_role("button", name="Recommander").click()
    expect(page.get_by_text("La recommandation est signée et publiée.")).to_be_visible()
    expect(page.get_by_role("region", name="Voile solidaire")
           .get_by_role("button", name="Retirer la recommandation")).to_be_visible()
    assert_accessible(page, "network admin page with an endorsement")
    no_overflow(page)

    page.goto(f"{live_server}/networks/reseau-a")
    expect(page.get_by_role("link", name="Voile solidaire")).to_be_visible()
    assert_accessible(page, "public network page")
    no_overflow(page)
    assert not csp_errors, csp_errors


def test_server_admin_creates_a_network_on_a_phone(
    live_server: str, browser: Any, phone_page: Any, make: Any, org: Any
) -> None:
    from badger.networks.models import Network

    user = make.staff(org, "admin", email="root@server.example.org")
    user.server_admin = True
    make.db.commit()
    page = phone_page
    browser_login_staff(page, live_server, user)
    page.goto(f"{live_server}/admin/server")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration du serveur")
    assert_accessible(page, "server administration page")
    no_overflow(page)
    page.get_by_label("Identifiant du réseau (slug)").fill("reseau-bretagne")
    page.get_by_label("Nom du réseau").fill("Réseau Bretagne")
    page.get_by_label("Lieu").fill("Rennes")
    page.get_by_role("button", name="Créer le réseau").click()
    expect(page.get_by_text("Le réseau Réseau Bretagne est créé.")).to_be_visible()
    assert_accessible(page, "server administration page with a network")
    no_overflow(page)
    make.db.expire_all()
    assert make.db.query(Network).filter_by(slug="reseau-bretagne").one().listed
