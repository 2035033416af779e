"""Cross-network cases for tests/test_isolation.py: the org-A admin is made administrator of
another network, and every admin route of network B (whose member is org B) answers 404."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select


def _network_b(make: Any, org_b: Any) -> Any:
    from badger.accounts.models import NetworkAdmin, User
    from badger.networks.models import NetworkMembership

    mine = make.network()
    # the admin logged in by the isolation test (tests/conftest.py `admin` fixture)
    admin = make.db.execute(select(User).where(User.email == "admin@a.example.org")).scalar_one()
    make.db.add(NetworkAdmin(user_id=admin.id, network_id=mine.id))
    other = make.network("reseau-b")
    make.db.add(NetworkMembership(network_id=other.id, organisation_id=org_b.id))
    make.db.commit()
    return other


CASES = {
    "networks.admin_network": lambda make, org_b: (
        "GET", f"/admin/networks/{_network_b(make, org_b).slug}"),
    "networks.add_member": lambda make, org_b: (
        "POST", f"/admin/networks/{_network_b(make, org_b).slug}/members"),
    "networks.remove_member": lambda make, org_b: (
        "POST", f"/admin/networks/{_network_b(make, org_b).slug}/members/{org_b.slug}/remove"),
    "networks.endorse": lambda make, org_b: (
        "POST", f"/admin/networks/{_network_b(make, org_b).slug}/members/{org_b.slug}/endorse"),
    "networks.withdraw": lambda make, org_b: (
        "POST", f"/admin/networks/{_network_b(make, org_b).slug}/members/{org_b.slug}/withdraw"),
}

#: Routes that take an id but are public by design: endpoint -> reason.
EXEMPT: dict[str, str] = {
    "networks.profile": "public network profile (the endorsements' issuer id)",
    "networks.endorsement": "public signed EndorsementCredential (its own id URL)",
    "networks.status_list": "public signed status list of the network's endorsements",
    "networks.member_registry": "public known-issuer registry of the network's endorsed members",
    "networks.signed_member_registry": "public signed form of the network's member registry",
    "networks.server_add_admin": "server administrators only, across all networks (403 to "
    "everyone else: tests/networks/test_registry.py)",
}
