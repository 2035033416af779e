"""On a small phone, in Chromium: an admin creates an integration, sees its secret once, and
the page (with an Open Badge issued through the API, ready to withdraw) is accessible."""

from __future__ import annotations

from typing import Any

import pytest

from badger import integrators
from badger.awards import signing_keys
from badger.awards.documents import issuer_id
from tests.a11y import assert_accessible, no_overflow
from tests.awards import _factory
from tests.conftest import browser_login_staff
from tests.integrators._helpers import open_badge, with_issuer

pytestmark = pytest.mark.browser


def test_admin_creates_an_integration_on_a_phone(live_server: str, phone_page: Any, db: Any,
                                                 org: Any, admin: Any) -> None:
    page = phone_page
    browser_login_staff(page, live_server, admin)
    page.goto(f"{live_server}/admin/integrators")
    assert_accessible(page, "integrations, empty")
    page.get_by_label("Nom de l'intégration").fill("Logiciel RH")
    page.get_by_role("button", name="Créer").click()
    page.wait_for_selector("text=Copiez le secret maintenant")
    assert page.locator("dd code").count() == 2
    no_overflow(page)
    assert_accessible(page, "integration created, secret shown once")
    client = integrators.list_clients(db, org)[0]
    ach = _factory.achievement(db, org, admin, _factory.adopted_version(db, org, admin))
    badge = with_issuer(open_badge(org, ach), issuer_id(org, signing_keys(org)))
    integrators.issue(db, client, badge)
    db.commit()
    page.goto(f"{live_server}/admin/integrators")
    assert page.locator("text=Copiez le secret maintenant").count() == 0
    no_overflow(page)
    assert_accessible(page, "integrations and an API-issued badge listed")
    page.get_by_label("Raison du retrait").fill("erreur de saisie")
    page.get_by_role("button", name="Retirer").click()
    page.wait_for_selector("text=Badge retiré.")
    assert_accessible(page, "badge withdrawn")
