"""Status lists are signed by the transaction that changes them, once, and reading them never
writes (``badger.db.StatusListColumns``): the issuers' lists and the networks' alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select, update

from badger import awards
from badger import db as badger_db
from badger.awards import status_lists
from badger.awards.models import Credential, StatusList
from badger.db import get_db
from badger.networks import service as networks
from badger.networks.models import NetworkEndorsement, NetworkStatusList
from badger.ob3 import statuslist
from badger.ob3.dataintegrity import verify_proof
from badger.ob3.verify import verify_credential
from badger.public import STATUS_CACHE
from tests.awards.conftest import TestClientResolver
from tests.conftest import login_staff
from tests.networks.conftest import add_member

LIST_URL = "/status/org-a/revocation/1"
WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def statements(app: Any) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs meanwhile, on any connection."""
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql.lstrip().upper())

    engine = get_db(app).engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def writes(seen: list[str]) -> list[str]:
    return [sql for sql in seen if sql.startswith(WRITES)]


@pytest.fixture
def signer_calls(monkeypatch: Any) -> list[str]:
    """The lists the domains' signers are asked to sign (issuers' and networks')."""
    calls: list[str] = []
    for cls in (StatusList, NetworkStatusList):
        real = badger_db._STATUS_LIST_SIGNERS[cls]

        def counted(lst: Any, real: Any = real) -> str:
            calls.append(f"{type(lst).__name__}:{lst.id}")
            return str(real(lst))

        monkeypatch.setitem(badger_db._STATUS_LIST_SIGNERS, cls, counted)
    return calls


def _issue(db: Any, org: Any, coach: Any, achievement: Any, make: Any, n: int = 1) -> list[Any]:
    people = [make.participant(org, f"Personne {i}", email=f"p{i}@example.org") for i in range(n)]
    rows = awards.award_many(db, org, achievement,
                              [awards.AwardRequest(participant_id=p.id) for p in people],
                              actor=coach)
    db.commit()
    return [row.credential for row in rows]


def _stored(db: Any, cls: Any = StatusList) -> Any:
    db.expire_all()
    return db.scalars(select(cls)).one()


def test_revoked_list_is_served_signed_and_the_get_writes_nothing(
    app: Any, db: Any, client: Any, make: Any, org: Any, coach: Any, admin: Any,
    achievement: Any
) -> None:
    (cred,) = _issue(db, org, coach, achievement, make)
    login_staff(client, admin)
    assert client.post(f"/admin/credentials/{cred.id}/revoke",
                       data={"reason": "Erreur"}).status_code == 303
    stored = _stored(db)
    assert stored.signed_json is not None and stored.etag is not None  # signed by the revoke

    anon = app.test_client()
    with statements(app) as seen:
        response = anon.get(LIST_URL)
        again = anon.get(LIST_URL)
    assert response.status_code == 200 and seen and writes(seen) == []
    assert response.get_data(as_text=True) == stored.signed_json
    assert response.headers["ETag"] == again.headers["ETag"] == stored.etag
    assert response.headers["Cache-Control"] == STATUS_CACHE  # unchanged

    doc = json.loads(response.get_data(as_text=True))
    resolver = TestClientResolver(app)
    assert verify_proof(doc, resolver).verified
    entry = json.loads(db.get(Credential, cred.id).signed_json)["credentialStatus"]
    assert statuslist.read_status(doc, entry)
    with statements(app) as seen:
        report = verify_credential(db.get(Credential, cred.id).signed_json, resolver=resolver)
    assert (report.check("status").state, report.check("status").code) == ("failed", "revoked")
    assert writes(seen) == []


def test_revoking_several_in_one_transaction_signs_the_list_once(
    app: Any, db: Any, make: Any, org: Any, coach: Any, achievement: Any, signer_calls: list[str]
) -> None:
    creds = _issue(db, org, coach, achievement, make, n=3)
    assert len(signer_calls) == 1  # the new list, signed once with the batch
    before = _stored(db)
    etag = before.etag
    signer_calls.clear()
    for cred in creds:
        awards.revoke(db, cred, "Session annulée", actor=None)
    db.commit()
    assert signer_calls == [f"StatusList:{before.id}"]
    stored = _stored(db)
    assert stored.etag != etag
    bits = statuslist.decode_list(
        json.loads(stored.signed_json)["credentialSubject"]["encodedList"])
    assert all(statuslist.get_bit(bits, c.revocation_index) for c in creds)

    # setting a bit that is already set changes nothing: no signing, the same ETag
    signer_calls.clear()
    status_lists.flip_status(db, db.get(Credential, creds[0].id), True)
    db.commit()
    assert signer_calls == [] and _stored(db).etag == stored.etag


def test_rollback_leaves_the_list_and_its_signature_as_they_were(
    app: Any, db: Any, make: Any, org: Any, coach: Any, achievement: Any, signer_calls: list[str]
) -> None:
    (cred,) = _issue(db, org, coach, achievement, make)
    before = _stored(db)
    kept = (before.bits, before.signed_json, before.etag, before.updated_at)
    signer_calls.clear()
    awards.revoke(db, db.get(Credential, cred.id), "Erreur", actor=None)
    db.flush()
    db.rollback()
    db.commit()  # a later commit does not sign what was rolled back
    assert signer_calls == []
    after = _stored(db)
    assert (after.bits, after.signed_json, after.etag, after.updated_at) == kept
    assert not statuslist.get_bit(after.bits, cred.revocation_index)


def test_suspension_sets_the_bit_signed_at_once(
    app: Any, db: Any, client: Any, make: Any, org: Any, coach: Any, admin: Any,
    achievement: Any
) -> None:
    (cred,) = _issue(db, org, coach, achievement, make)
    login_staff(client, admin)
    assert client.post(f"/admin/credentials/{cred.id}/suspend",
                       data={"reason": "Vérification"}).status_code == 303
    with statements(app) as seen:
        doc = app.test_client().get(LIST_URL).get_json(force=True)
    assert writes(seen) == []
    entry = json.loads(db.get(Credential, cred.id).signed_json)["credentialStatus"]
    assert statuslist.read_status(doc, entry)


def test_network_withdrawal_signs_its_list_and_reading_it_writes_nothing(
    app: Any, db: Any, make: Any, org: Any, signer_calls: list[str]
) -> None:
    network = make.network("reseau-a")
    add_member(make, network, org)
    row = networks.endorse(db, network, "org-a", "Membre actif.", actor=None)
    db.commit()
    assert len(signer_calls) == 1  # the network's new list, with the endorsement
    url = "/networks/reseau-a/status/revocation/1"
    first = app.test_client().get(url)
    with statements(app) as seen:
        networks.withdraw(db, network, "org-a", actor=None)
        db.commit()
    assert len(signer_calls) == 2
    list_writes = [sql for sql in writes(seen) if "NETWORK_STATUS_LISTS" in sql]
    assert len(list_writes) == 1, list_writes  # bits and signature in one UPDATE
    with statements(app) as seen:
        response = app.test_client().get(url)
    assert writes(seen) == [] and response.headers["ETag"] != first.headers["ETag"]
    doc = json.loads(response.get_data(as_text=True))
    assert response.get_data(as_text=True) == _stored(db, NetworkStatusList).signed_json
    assert verify_proof(doc, TestClientResolver(app)).verified
    entry = json.loads(db.get(NetworkEndorsement, row.id).credential_json)["credentialStatus"]
    assert statuslist.read_status(doc, entry)


def test_list_left_unsigned_by_an_older_version_is_signed_at_init_not_on_read(
    app: Any, db: Any, make: Any, org: Any, coach: Any, achievement: Any
) -> None:
    from badger.cli import _domain_hooks

    (cred,) = _issue(db, org, coach, achievement, make)
    network = make.network("reseau-a")
    add_member(make, network, org)
    networks.endorse(db, network, "org-a", "Membre actif.", actor=None)
    db.commit()
    for cls in (StatusList, NetworkStatusList):  # as a database from before this change
        db.execute(update(cls).values(signed_json=None, etag=None))
    db.commit()

    anon = app.test_client()
    with statements(app) as seen:
        response = anon.get(LIST_URL)
        network_response = anon.get("/networks/reseau-a/status/revocation/1")
    assert response.status_code == network_response.status_code == 200
    assert writes(seen) == []  # answered, signed in memory, nothing written
    assert verify_proof(response.get_json(force=True), TestClientResolver(app)).verified
    assert _stored(db).signed_json is None

    with app.app_context():
        for hook in _domain_hooks("on_init"):  # what `badger init` runs after migrating
            if hook.__module__ in {"badger.awards.cli", "badger.networks.cli"}:
                hook(db, app)  # type: ignore[operator]
                db.commit()
    for cls in (StatusList, NetworkStatusList):
        stored = _stored(db, cls)
        assert stored.signed_json is not None and stored.etag == stored.content_etag()
    assert anon.get(LIST_URL).get_data(as_text=True) == _stored(db).signed_json
    assert verify_credential(db.get(Credential, cred.id).signed_json,
                             resolver=TestClientResolver(app)).verified


def test_a_revocation_writes_its_list_once(
    app: Any, db: Any, client: Any, make: Any, org: Any, coach: Any, admin: Any,
    achievement: Any
) -> None:
    """Bits and signature go out in one UPDATE (the list holds 16 KB of bits): the revocation's
    later queries must not flush the flipped list before the commit signs it."""
    (cred,) = _issue(db, org, coach, achievement, make)
    login_staff(client, admin)
    with statements(app) as seen:
        assert client.post(f"/admin/credentials/{cred.id}/revoke",
                           data={"reason": "Erreur"}).status_code == 303
    list_writes = [sql for sql in writes(seen) if "AWARD_STATUS_LISTS" in sql]
    assert len(list_writes) == 1, list_writes
    assert _stored(db).signed_json is not None
