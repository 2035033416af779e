"""Who may edit a référentiel."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.referentiels.models import Referentiel


def can_edit(user: Any, referentiel: Referentiel) -> bool:
    """Network admins edit their network's référentiels, organisation admins their own."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != "staff":
        return False
    if referentiel.shipped:
        return False
    if referentiel.network_id is not None:
        return referentiel.network_id in user.admin_network_ids()
    if referentiel.organisation_id is not None:
        role = user.role_in(referentiel.organisation_id)
        return role is not None and str(role) == "admin"
    return False


def editable_referentiels(session: Session, user: Any) -> list[Referentiel]:
    """The référentiels ``user`` may edit (published or not), by title."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != "staff":
        return []
    rows = session.execute(select(Referentiel).order_by(Referentiel.title)).scalars()
    return [r for r in rows if can_edit(user, r)]
