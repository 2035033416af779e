"""Cross-organisation cases for tests/test_isolation.py (see its docstring)."""

from __future__ import annotations

from typing import Any


def _participant(make: Any, org_b: Any) -> Any:
    return make.participant(org_b, "Other")


def _other_session(make: Any, org_b: Any) -> int:
    """A live login session of a staff member of organisation B."""
    from sqlalchemy import select

    from badger.accounts.models import LoginSession
    from badger.accounts.sessions import DatabaseStore

    user = make.staff(org_b, "assessor")
    DatabaseStore().start(make.db, user.get_id(), "Firefox, Android")
    make.db.commit()
    return int(
        make.db.scalars(select(LoginSession.id).where(LoginSession.user_id == user.id)).one()
    )


CASES = {
    "accounts.end_session": lambda make, org_b: (
        "POST",
        f"/account/sessions/{_other_session(make, org_b)}/end",
    ),
    "accounts.participant_detail": lambda make, org_b: (
        "GET",
        f"/admin/participants/{_participant(make, org_b).id}",
    ),
    "accounts.participant_code": lambda make, org_b: (
        "POST",
        f"/admin/participants/{_participant(make, org_b).id}/code",
    ),
    "accounts.staff_reset": lambda make, org_b: (
        "POST",
        f"/admin/staff/{make.staff(org_b, 'assessor').id}/reset",
    ),
}

#: Routes that take an id but are public or self-scoped by design: endpoint -> reason.
EXEMPT: dict[str, str] = {
    "accounts.code_login": "the code is the credential",
    "accounts.accept_token": "the token is the credential",
}
