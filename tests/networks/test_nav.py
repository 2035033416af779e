"""The Réseaux menu entry appears only for network administrators."""

from __future__ import annotations

from badger.accounts.models import NetworkAdmin
from tests.conftest import login_staff


def test_network_admins_see_the_networks_entry(client, make, db, org, admin):
    login_staff(client, admin)
    assert "Réseaux" not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    net = make.network()
    db.add(NetworkAdmin(user_id=admin.id, network_id=net.id))
    db.commit()
    login_staff(client, admin)
    html = client.get("/").get_data(as_text=True)
    assert "Réseaux" in html and "/admin/networks" in html
