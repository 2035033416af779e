"""The participant's connected apps: who holds a live token, and disconnecting one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badger import audit
from badger.accounts.models import Participant
from badger.api.models import AccessToken, OAuthClient, RefreshToken
from badger.api.oauth import (
    SCOPES,
    TOKEN_MODELS,
    scope_list,
)
from badger.db import utcnow


@dataclass
class ConnectedApp:
    client: OAuthClient
    scope: str
    since: datetime
    last_used: datetime | None = None


def connected_apps(db: Session, participant: Participant) -> list[ConnectedApp]:
    """Apps holding a live access or refresh token for the participant."""
    now = utcnow()
    apps: dict[int, ConnectedApp] = {}
    for model in TOKEN_MODELS:
        rows = cast(
            "Iterable[AccessToken | RefreshToken]",
            db.execute(
                select(model)
                .where(
                    model.participant_id == participant.id,
                    model.revoked_at.is_(None),
                    model.expires_at > now,
                )
                .order_by(model.created_at)
            ).scalars(),
        )
        for row in rows:
            current = apps.get(row.client_id)
            used = row.last_used_at if isinstance(row, AccessToken) else None
            if current is None:
                current = apps[row.client_id] = ConnectedApp(row.client, row.scope, row.created_at)
            else:
                merged = set(scope_list(current.scope)) | set(scope_list(row.scope))
                current.scope = " ".join(s for s in SCOPES if s in merged)
                current.since = min(current.since, row.created_at)
            if used is not None and (current.last_used is None or used > current.last_used):
                current.last_used = used
    return sorted(apps.values(), key=lambda a: a.client.client_name.lower())


def disconnect(db: Session, participant: Participant, client_id: str) -> bool:
    """Revoke every token the participant gave this client; False when there was none."""
    client = db.execute(
        select(OAuthClient).where(OAuthClient.client_id == client_id)
    ).scalar_one_or_none()
    if client is None:
        return False
    now = utcnow()
    changed = 0
    for model in TOKEN_MODELS:
        result = db.execute(
            update(model)
            .where(
                model.participant_id == participant.id,
                model.client_id == client.id,
                model.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        changed += result.rowcount  # type: ignore[attr-defined]
    if changed:
        audit.record(
            db,
            "api.disconnect",
            actor=participant,
            organisation_id=participant.organisation_id,
            obj=client,
        )
    return changed > 0

