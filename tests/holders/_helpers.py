"""Give a test participant a proven identity (as confirming a code would)."""

from __future__ import annotations

from typing import Any

from badger.holders import service


def prove(db: Any, participant: Any, value: str, kind: str | None = None) -> Any:
    """Record ``value`` (an e-mail, a phone, or a DID) as proven by ``participant``."""
    if kind is None:
        kind = "did" if value.startswith("did:") else "email" if "@" in value else "phone"
    normalised = value if kind == "did" else service.normalise(kind, value)
    ident = service._add_identity(
        db, participant, kind, service.identity_hash(kind, normalised),
        service.mask(kind, normalised),
    )
    db.commit()
    return ident


def own_test_badges(db: Any, participant: Any) -> None:
    """Make the tests' foreign credentials (issued to ``tests.ob3._factory.EMAIL``, hashed)
    this participant's: the e-mail on their record, and proven."""
    from tests.ob3._factory import EMAIL

    row = db.get(type(participant), participant.id)
    row.email = EMAIL.lower()
    db.commit()
    prove(db, row, EMAIL)
