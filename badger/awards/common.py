"""Small things every awards module shares: who acted, how big a batch may be, the settings
the services are given (read from the app's config by the views, once per request)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_BATCH = 500
CLAIM_DAYS = 180


@dataclass(frozen=True)
class AwardSettings:
    """What awards services need from the configuration, passed to them explicitly."""

    #: How long a printed claim code stays valid (``BADGER_CLAIM_DAYS``).
    claim_days: int = CLAIM_DAYS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AwardSettings:
        return cls(claim_days=int(config.get("BADGER_CLAIM_DAYS", CLAIM_DAYS)))


def staff_id(actor: Any) -> int | None:
    """The acting staff user's id (participants act for themselves: no ``users`` row)."""
    return getattr(actor, "id", None) if getattr(actor, "kind", None) == "staff" else None
