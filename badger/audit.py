"""The audit trail: who did what, when, to which object.

How long events are kept is :mod:`badger.maintenance`'s business (``audit_purges``): this
module, imported by nearly everything, imports nothing but the database plumbing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from badger.db import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """One recorded action. Never holds e-mails or codes: ids and short facts only."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_type: Mapped[str] = mapped_column(String(20))  # staff | participant | system
    actor_id: Mapped[int | None] = mapped_column()
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str | None] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(
    session: Session,
    action: str,
    *,
    actor: Any = None,
    organisation_id: int | None = None,
    obj: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the change it records)."""
    actor_type = getattr(actor, "kind", None) or "system"
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    event = AuditEvent(
        actor_type=actor_type,
        actor_id=getattr(actor, "id", None),
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=details,
    )
    session.add(event)
    return event

