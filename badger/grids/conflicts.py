"""Optimistic locking: writers say which ``version_id`` they saw; if the row changed meanwhile
to another value, :class:`GridConflict` (409) carries both values and nothing is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from badger.accounts.models import Participant, User
from badger.errors import UserError


@dataclass(frozen=True)
class Conflict:
    """One value someone else changed while you were editing it."""

    competence_id: int
    label: str
    field: str  # "score", "advice", "observations", "agreement"
    yours: Any
    theirs: Any
    by: str


class GridConflict(UserError):
    """Raised when a write would overwrite a change made meanwhile; nothing was written."""

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        super().__init__(
            _l("Quelqu'un a modifié cette grille pendant que vous la remplissiez."),
            409,
            details=[c.__dict__ for c in conflicts],
        )
        self.conflicts = list(conflicts)


def person_name(user: User | None, participant: Participant | None) -> str:
    if user is not None:
        return user.name
    if participant is not None:
        return participant.display_name
    return "?"
