"""A user of organisation A gets 404 on every object of organisation B.

The same routes are tried by staff who act in no organisation (a network-only admin) and by
the administrator of another network (org A's, without org B): both must be refused
(403 or 404) on every one.

Every route whose URL carries an identifier must appear in some ``tests/<domain>/isolation.py``
(``CASES``: endpoint -> builder of an org-B URL, or ``EXEMPT``: endpoint -> reason). A new
route that is in neither makes ``test_every_id_route_is_covered`` fail, so the check cannot be
forgotten when a domain grows.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import tests
from tests.conftest import login_staff


def _collect() -> tuple[dict[str, Any], dict[str, str]]:
    cases: dict[str, Any] = {}
    exempt: dict[str, str] = {}
    for info in pkgutil.iter_modules([str(Path(tests.__file__).parent)]):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{info.name}.isolation")
        except ModuleNotFoundError:
            continue
        cases.update(getattr(module, "CASES", {}))
        exempt.update(getattr(module, "EXEMPT", {}))
    return cases, exempt


CASES, EXEMPT = _collect()


def test_every_id_route_is_covered(app: Any) -> None:
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint == "static":
            continue
        if rule.endpoint not in CASES and rule.endpoint not in EXEMPT:
            missing.append(f"{rule.endpoint} {rule.rule}")
    assert not missing, "routes with ids lack an isolation case:\n" + "\n".join(sorted(missing))


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_other_organisation_is_invisible(endpoint: str, client: Any, make: Any, admin: Any) -> None:
    org_b = make.organisation("org-b", "Organisation B")
    method, url = CASES[endpoint](make, org_b)
    login_staff(client, admin)
    response = client.open(url, method=method, data={})
    assert response.status_code == 404, (endpoint, url, response.status_code)


def _network_only_admin(make: Any, org_a: Any) -> Any:
    """A staff member with no organisation, administrator of a network org A belongs to."""
    from badger.accounts.models import NetworkAdmin, User
    from badger.networks.models import NetworkMembership
    from badger.security import hash_password

    net = make.network("reseau-a")
    make.db.add(NetworkMembership(network_id=net.id, organisation_id=org_a.id))
    user = User(email="reseau@a.example.org", name="Réseau A",
                password_hash=hash_password("pw-" + "n" * 12))
    make.db.add(user)
    make.db.flush()
    make.db.add(NetworkAdmin(user_id=user.id, network_id=net.id))
    make.db.commit()
    user.test_password = "pw-" + "n" * 12
    return user


def _other_network_admin(make: Any, org_a: Any) -> Any:
    """Org A's admin, also administrator of org A's network (which org B is not in)."""
    from badger.accounts.models import NetworkAdmin, User
    from badger.networks.models import NetworkMembership

    admin = make.db.execute(
        select(User).where(User.email == "admin@a.example.org")
    ).scalar_one()
    net = make.network("reseau-a")
    make.db.add(NetworkMembership(network_id=net.id, organisation_id=org_a.id))
    make.db.add(NetworkAdmin(user_id=admin.id, network_id=net.id))
    make.db.commit()
    admin.test_password = "pw-" + "s" * 12
    return admin


PERSONAS = {"network-only-admin": _network_only_admin,
            "other-network-admin": _other_network_admin}


@pytest.mark.parametrize("persona", sorted(PERSONAS))
@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_other_organisation_is_refused_to_staff_outside_it(
    endpoint: str, persona: str, client: Any, make: Any, admin: Any, org: Any
) -> None:
    org_b = make.organisation("org-b", "Organisation B")
    user = PERSONAS[persona](make, org)
    method, url = CASES[endpoint](make, org_b)
    login_staff(client, user)
    response = client.open(url, method=method, data={})
    assert response.status_code in (403, 404), (persona, endpoint, url, response.status_code)


def test_staff_in_no_organisation_see_no_organisations_rows(
    app: Any, client: Any, make: Any, admin: Any, org: Any
) -> None:
    """The root of the network-only admin's reach: their session is scoped to no
    organisation (not left unscoped), so any org-scoped query — even in a view that forgot
    its guard — finds nothing of any organisation."""
    from badger.accounts.models import Participant
    from badger.db import get_session

    def probe() -> str:
        rows = get_session().scalars(select(Participant)).all()
        return ",".join(sorted(p.display_name for p in rows))

    app.add_url_rule("/_probe_scope", "probe_scope", probe)
    make.participant(org, "Alice")
    make.participant(make.organisation("org-b", "Organisation B"), "Bruno")
    assert client.get("/_probe_scope").get_data(as_text=True) == "Alice,Bruno"  # anonymous
    login_staff(client, admin)
    assert client.get("/_probe_scope").get_data(as_text=True) == "Alice"
    client.post("/logout")
    login_staff(client, _network_only_admin(make, org))
    assert client.get("/_probe_scope").get_data(as_text=True) == ""
