"""Withdrawn endorsements get a standard status: each network's Bitstring Status List.

Endorsements signed since 0012 carry a ``BitstringStatusListEntry`` in their network's list
(served at ``/networks/<slug>/status/revocation/<n>``, signed with the network's key);
withdrawing sets the bit. Endorsements signed before keep verifying, and keep their 410 path.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from badger import urls
from badger.audit import AuditEvent
from badger.networks.models import NetworkEndorsement, NetworkStatusList
from badger.ob3 import model, sign, statuslist
from badger.ob3.verify import ENDORSEMENT, OPEN_BADGE, verify_credential
from tests.awards import _interop
from tests.awards.conftest import TestClientResolver

BASE = "http://localhost"
NET_URL = f"{BASE}/networks/reseau-a"
ORG_URL = f"{BASE}/issuers/org-a"
COMMENT = "Association reconnue pour la qualité de son accompagnement vers l'emploi."
KINDS = (OPEN_BADGE, ENDORSEMENT)


def _endorse(client: Any) -> None:
    response = client.post("/admin/networks/reseau-a/members/org-a/endorse",
                           data={"comment": COMMENT})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]


def _withdraw(client: Any) -> None:
    assert client.post("/admin/networks/reseau-a/members/org-a/withdraw").status_code == 302


def _row(db: Any) -> NetworkEndorsement:
    db.expire_all()
    (row,) = db.scalars(select(NetworkEndorsement))
    return row


def _served(app: Any, row: NetworkEndorsement) -> dict[str, Any]:
    response = app.test_client().get(f"/networks/reseau-a/endorsements/{row.uuid}")
    assert response.status_code == 200
    doc: dict[str, Any] = json.loads(response.get_data(as_text=True))
    return doc


def _verify(app: Any, doc: dict[str, Any]) -> Any:
    with app.app_context():
        return verify_credential(doc, resolver=TestClientResolver(app), kinds=KINDS)


def test_new_endorsement_carries_a_status_entry_of_the_networks_list(
    app: Any, net_client: Any, db: Any, network: Any
) -> None:
    from badger.ob3 import schema

    _endorse(net_client)
    row = _row(db)
    cred = json.loads(row.credential_json)
    entry = cred["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"] == f"{NET_URL}/status/revocation/1"
    assert int(entry["statusListIndex"]) == row.status_index
    assert schema.validate_endorsement(cred, strict=True) == []
    lst = db.get(NetworkStatusList, row.status_list_id)
    assert lst.network_id == network.id and lst.size >= 131_072
    assert not statuslist.get_bit(lst.bits, row.status_index)


def test_status_list_is_public_signed_cached_and_cors_open(
    app: Any, net_client: Any, db: Any, network: Any
) -> None:
    _endorse(net_client)
    anon = app.test_client()
    response = anon.get("/networks/reseau-a/status/revocation/1")
    assert response.status_code == 200
    assert response.mimetype == "application/vc+ld+json"
    assert response.headers["Cache-Control"].startswith("public, max-age=60")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    etag = response.headers["ETag"]
    doc = json.loads(response.get_data(as_text=True))
    assert "BitstringStatusListCredential" in doc["type"]
    assert (doc["issuer"]["id"] if isinstance(doc["issuer"], dict) else doc["issuer"]) == NET_URL
    assert doc["credentialSubject"]["statusPurpose"] == "revocation"
    assert doc["proof"][0]["verificationMethod"].startswith(NET_URL + "#z")
    # signed once, then served from the row until a bit changes
    again = anon.get("/networks/reseau-a/status/revocation/1", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert anon.get("/networks/reseau-a/status/revocation/2").status_code == 404
    assert anon.get("/networks/nope/status/revocation/1").status_code == 404
    assert anon.get("/networks/reseau-a/status/suspension/1").status_code == 404

    _withdraw(net_client)
    changed = anon.get("/networks/reseau-a/status/revocation/1", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_endorse_verifies_then_withdrawal_reads_revoked(
    app: Any, net_client: Any, db: Any, network: Any
) -> None:
    _endorse(net_client)
    row = _row(db)
    doc = _served(app, row)
    report = _verify(app, doc)
    assert report.kind == ENDORSEMENT and report.verified, report.to_dict()["checks"]
    assert (report.check("status").state, report.check("status").code) == (
        "passed", "not_revoked")

    _withdraw(net_client)
    row = _row(db)
    assert row.withdrawn_at is not None
    lst = db.get(NetworkStatusList, row.status_list_id)
    db.refresh(lst)
    assert statuslist.get_bit(lst.bits, row.status_index)
    event = db.scalars(select(AuditEvent).where(
        AuditEvent.action == "network.endorsement_withdrawn")).one()
    assert event.details["status_index"] == row.status_index

    # the same signed document, still at its id: now revoked
    assert _served(app, row) == doc
    report = _verify(app, doc)
    assert not report.verified
    assert (report.check("status").state, report.check("status").code) == ("failed", "revoked")
    assert report.check("proof").state == "passed"


@pytest.mark.parametrize("marker", [pytest.param(0, marks=_interop.needs_node)])
def test_javascript_verifier_agrees_on_status(
    app: Any, net_client: Any, db: Any, network: Any, marker: int
) -> None:
    _endorse(net_client)
    row = _row(db)
    doc = _served(app, row)
    resolver = TestClientResolver(app)
    out = _interop.js_verify_di(doc, _interop.public_documents(resolver, doc))
    assert out["verified"], out
    _withdraw(net_client)
    out = _interop.js_verify_di(doc, _interop.public_documents(resolver, doc))
    assert out["verified"] is False
    assert "revocation" in json.dumps(out["status"]) or "is set" in (out["error"] or ""), out


def _legacy_endorsement(app: Any, db: Any, network: Any, org: Any) -> NetworkEndorsement:
    """An endorsement as signed before 0012: no credentialStatus, no status bit."""
    import uuid as uuidlib

    from badger.db import utcnow
    from badger.networks import keys as network_keys
    from badger.networks import service
    from badger.networks.models import NetworkMembership

    membership = db.scalars(select(NetworkMembership).where(
        NetworkMembership.network_id == network.id)).one()
    uuid = str(uuidlib.uuid4())
    now = utcnow().replace(microsecond=0)
    with app.test_request_context():
        unsigned = model.endorsement_credential(
            id=urls.endorsement_url(network, uuid), issuer=service.network_profile(network),
            name="Recommandation", endorsed_id=ORG_URL, comment=COMMENT, valid_from=now)
        key = network_keys.signing_key(network.slug, app)
        signed = sign(unsigned, key, f"{NET_URL}#{key.public_key_multibase()}", created=now)
    row = NetworkEndorsement(uuid=uuid, membership_id=membership.id, comment=COMMENT,
                             credential_json=json.dumps(signed), issued_at=now)
    membership.endorsed_at = now
    db.add(row)
    db.commit()
    return row


def test_endorsement_signed_before_status_lists_keeps_verifying_and_its_410(
    app: Any, net_client: Any, client: Any, db: Any, network: Any, org: Any
) -> None:
    from badger.resolver import app_resolver
    from badger.verification import verify_document

    row = _legacy_endorsement(app, db, network, org)
    doc = _served(app, row)
    assert "credentialStatus" not in doc
    report = _verify(app, doc)
    assert report.verified, report.to_dict()["checks"]
    assert report.check("status").code == "no_status"
    with app.app_context():
        report = verify_document(doc, app_resolver(app))
    assert report.check("status").code == "published"  # looked up at its id

    _withdraw(net_client)
    assert app.test_client().get(f"/networks/reseau-a/endorsements/{row.uuid}").status_code \
        == 410
    with app.app_context():
        report = verify_document(doc, app_resolver(app))
    assert (report.check("status").state, report.check("status").code) == (
        "failed", "withdrawn")
    # no status list was made for it, and withdrawing it set no bit
    assert db.scalars(select(NetworkStatusList)).all() == []


def test_the_list_is_signed_by_its_writes_so_reading_it_never_writes(
    app: Any, net_client: Any, db: Any, network: Any
) -> None:
    """Share pages read it in process while verifying badges: a read that wrote (re-signing)
    could wait on another page's read transaction (SQLite) until the busy timeout."""
    _endorse(net_client)
    row = _row(db)
    lst = db.get(NetworkStatusList, row.status_list_id)
    assert lst.signed_json is not None and lst.etag is not None  # signed with the endorsement
    _withdraw(net_client)
    db.refresh(lst)
    assert lst.signed_json is not None  # re-signed by the withdrawal itself
    served = json.loads(lst.signed_json)
    bits = statuslist.decode_list(served["credentialSubject"]["encodedList"])
    assert statuslist.get_bit(bits, row.status_index)
