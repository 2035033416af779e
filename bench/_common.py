"""Shared by the bench scripts: every figure is measured on one core."""

from __future__ import annotations

import os
from typing import Any


def pin_one_core() -> str:
    """Pin this process to the lowest CPU it may use; say what was done."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def endorse_by_network(db: Any, app: Any, org: Any) -> None:
    """A network vouches for ``org``, as in the demo: every badge it issues then embeds the
    signed endorsement, whose proof and status list verifiers check too."""
    from badger.networks import service as networks
    from badger.networks.models import Network, NetworkMembership

    net = Network(slug="bench-reseau", name="Réseau Bench")
    db.add(net)
    db.flush()
    db.add(NetworkMembership(network_id=net.id, organisation_id=org.id))
    db.flush()
    networks.endorse(db, net, org.slug, "Membre reconnu du réseau.", actor=None, app=app)
