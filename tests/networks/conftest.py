"""Networks test fixtures: a network whose member is the ``org`` fixture, and its admin."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import login_staff


def make_network_admin(make: Any, network: Any, email: str | None = None) -> Any:
    """A staff user of a federation organisation who administers ``network``."""
    from badger.accounts.models import NetworkAdmin

    home = make.organisation()
    user = make.staff(home, "admin", email=email)
    make.db.add(NetworkAdmin(user_id=user.id, network_id=network.id))
    make.db.commit()
    return user


def add_member(make: Any, network: Any, org: Any) -> Any:
    from badger.networks.models import NetworkMembership

    membership = NetworkMembership(network_id=network.id, organisation_id=org.id)
    make.db.add(membership)
    make.db.commit()
    return membership


@pytest.fixture
def network(make: Any, org: Any) -> Any:
    net = make.network("reseau-a")
    net.name = "Réseau régional A"
    make.db.commit()
    add_member(make, net, org)
    return net


@pytest.fixture
def net_admin(make: Any, network: Any) -> Any:
    return make_network_admin(make, network, email="reseau@a.example.org")


@pytest.fixture
def net_client(client: Any, net_admin: Any) -> Any:
    login_staff(client, net_admin)
    return client
