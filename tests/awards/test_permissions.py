"""Who may do what."""

from __future__ import annotations

from typing import Any

from badger import awards
from tests.conftest import login_participant, login_staff


def _cred(db: Any, make: Any, org: Any, achievement: Any) -> Any:
    person = make.participant(org, "Iris", email="iris@example.org")
    row = awards.award_many(db, org, achievement,
                             [awards.AwardRequest(participant_id=person.id)])[0]
    db.commit()
    return row.credential


def test_anonymous_is_sent_to_login(client: Any, achievement: Any) -> None:
    for url in ("/admin/badges", "/admin/awards", "/admin/credentials", "/me/badges"):
        r = client.get(url)
        assert r.status_code in (302, 401), url


def test_coach_cannot_define_or_revoke(app: Any, db: Any, client: Any, make: Any, org: Any,
                                       coach: Any, achievement: Any) -> None:
    cred = _cred(db, make, org, achievement)
    login_staff(client, coach)
    assert client.get("/admin/badges").status_code == 200
    assert client.get("/admin/badges/new").status_code == 403
    assert client.get(f"/admin/badges/{achievement.id}/edit").status_code == 403
    for action in ("revoke", "suspend", "unsuspend", "reissue"):
        r = client.post(f"/admin/credentials/{cred.id}/{action}", data={"reason": "x"})
        assert r.status_code == 403, action
    assert client.get(f"/admin/credentials/{cred.id}").status_code == 200


def test_participant_sees_only_own_space(app: Any, db: Any, client: Any, make: Any, org: Any,
                                         achievement: Any) -> None:
    cred = _cred(db, make, org, achievement)
    other = make.participant(org, "Jules")
    login_participant(client, make, other)
    assert client.get("/admin/badges").status_code == 403
    assert client.get(f"/admin/credentials/{cred.id}").status_code == 403
    assert client.get(f"/me/badges/{cred.id}/file.json").status_code == 404
    assert client.get("/me/badges").status_code == 200


def test_csrf_required(app: Any, db: Any, client: Any, make: Any, org: Any, admin: Any,
                       achievement: Any) -> None:
    cred = _cred(db, make, org, achievement)
    login_staff(client, admin)
    r = client.post(f"/admin/credentials/{cred.id}/revoke", data={"reason": "x"}, csrf=False)
    assert r.status_code == 400
