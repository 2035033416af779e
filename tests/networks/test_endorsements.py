"""Networks over HTTP: members, signed endorsements, public documents, permissions."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from badger.networks.models import NetworkEndorsement, NetworkMembership
from badger.ob3 import model, sign
from badger.ob3.verify import verify_credential
from tests.awards import _interop
from tests.conftest import login_staff
from tests.networks.conftest import add_member, make_network_admin

BASE = "http://localhost"
NET_URL = f"{BASE}/networks/reseau-a"
ORG_URL = f"{BASE}/issuers/org-a"
COMMENT = "Association reconnue pour la qualité de son accompagnement vers l'emploi."


def _endorse(client: Any, org_slug: str = "org-a", comment: str = COMMENT,
             network: str = "reseau-a") -> Any:
    return client.post(f"/admin/networks/{network}/members/{org_slug}/endorse",
                       data={"comment": comment})


def _rows(db: Any) -> list[NetworkEndorsement]:
    db.expire_all()
    return list(db.scalars(select(NetworkEndorsement).order_by(NetworkEndorsement.id)))


def _endorsed(net_client: Any, db: Any) -> NetworkEndorsement:
    response = _endorse(net_client)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    rows = _rows(db)
    assert len(rows) == 1
    return rows[0]


def _json(client: Any, url: str, accept: str | None = None) -> Any:
    headers = {"Accept": accept} if accept else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _credential_with_issuer_profile(app: Any, client: Any) -> dict[str, Any]:
    """An OpenBadgeCredential of org-a whose issuer is its published Profile (endorsements
    included), signed with org-a's key: how a verifier meets the network's endorsement."""
    from badger.awards.keys import issuer_keys

    published = json.loads(_json(client, "/issuers/org-a").get_data(as_text=True))
    issuer = {k: v for k, v in published.items()
              if k not in {"@context", "verificationMethod", "assertionMethod"}}
    ach = model.achievement(f"{BASE}/achievements/test", name="Ponctualité",
                            description="Arrive à l'heure.", criteria_narrative="10 séances.")
    subject = model.achievement_subject(
        achievement=ach, identifiers=[model.identity_object("ana@example.fr")])
    vc = model.open_badge_credential(id=model.new_urn_uuid(), issuer=issuer,
                                     credential_subject=subject,
                                     valid_from="2026-01-01T00:00:00Z")
    with app.app_context():
        keys = issuer_keys("org-a", app)
    assert keys is not None
    return sign(vc, keys.ed25519, f"{ORG_URL}#{keys.ed25519.public_key_multibase()}")


def _verify(app: Any, credential: Any) -> Any:
    from badger.resolver import app_resolver

    with app.app_context():
        resolver = app_resolver(app)
        report = verify_credential(credential, resolver=resolver)
    return report, resolver


# --------------------------------------------------------------------------- permissions


def test_anonymous_is_sent_to_login(client: Any, network: Any) -> None:
    assert client.get("/admin/networks/reseau-a").status_code in {302, 401}
    assert _endorse(client).status_code in {302, 401}


def test_staff_who_administers_no_network_gets_403(admin_client: Any, network: Any,
                                                     db: Any) -> None:
    assert admin_client.get("/admin/networks").status_code == 403
    assert admin_client.get("/admin/networks/reseau-a").status_code == 403
    assert _endorse(admin_client).status_code == 403
    assert admin_client.post("/admin/networks/reseau-a/members",
                             data={"organisation": "org-a"}).status_code == 403
    assert _rows(db) == []


def test_participant_gets_403(participant_client: Any, network: Any) -> None:
    assert participant_client.get("/admin/networks/reseau-a").status_code == 403


def test_admin_of_network_a_cannot_touch_network_b(net_client: Any, make: Any, db: Any,
                                                    network: Any) -> None:
    other = make.network("reseau-b")
    org_b = make.organisation("org-b", "Organisation B")
    add_member(make, other, org_b)
    make_network_admin(make, other)
    assert net_client.get("/admin/networks/reseau-b").status_code == 404
    for action in ("endorse", "withdraw", "remove"):
        url = f"/admin/networks/reseau-b/members/org-b/{action}"
        assert net_client.post(url, data={"comment": "x"}).status_code == 404, action
    assert net_client.post("/admin/networks/reseau-b/members",
                           data={"organisation": "org-a"}).status_code == 404
    # an unknown network answers the same 404 (no existence oracle)
    assert net_client.get("/admin/networks/nope").status_code == 404
    assert _rows(db) == []
    assert db.scalar(select(func.count()).select_from(NetworkMembership)
                     .where(NetworkMembership.network_id == other.id)) == 1


def test_index_lists_only_administered_networks(net_client: Any, make: Any,
                                                net_admin: Any, network: Any) -> None:
    from badger.accounts.models import NetworkAdmin

    response = net_client.get("/admin/networks")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/admin/networks/reseau-a")
    second = make.network("reseau-c")
    make.network("reseau-d")
    make.db.add(NetworkAdmin(user_id=net_admin.id, network_id=second.id))
    make.db.commit()
    html = net_client.get("/admin/networks").get_data(as_text=True)
    assert "/admin/networks/reseau-c" in html and "/admin/networks/reseau-a" in html
    assert "reseau-d" not in html


# --------------------------------------------------------------------------- members


def test_add_and_remove_members(net_client: Any, make: Any, db: Any, network: Any) -> None:
    make.organisation("asso-b", "Association B")
    page = net_client.get("/admin/networks/reseau-a").get_data(as_text=True)
    assert "Organisation A" in page and 'name="csrf_token"' in page

    response = net_client.post("/admin/networks/reseau-a/members",
                               data={"organisation": " Asso-B "})
    assert response.status_code == 302
    assert "Association B" in net_client.get("/admin/networks/reseau-a").get_data(as_text=True)
    assert net_client.post("/admin/networks/reseau-a/members",
                           data={"organisation": "asso-b"}).status_code == 409
    assert net_client.post("/admin/networks/reseau-a/members",
                           data={"organisation": "inconnue"}).status_code == 404
    assert net_client.post("/admin/networks/reseau-a/members",
                           data={"organisation": ""}).status_code == 400
    assert net_client.post("/admin/networks/reseau-a/members", data={"organisation": "asso-b"},
                           csrf=False).status_code == 400

    assert net_client.post("/admin/networks/reseau-a/members/asso-b/remove").status_code == 302
    assert net_client.post("/admin/networks/reseau-a/members/asso-b/remove").status_code == 404
    db.expire_all()
    count = db.scalar(select(func.count()).select_from(NetworkMembership)
                      .where(NetworkMembership.network_id == network.id))
    assert count == 1


def test_member_with_active_endorsement_cannot_be_removed(net_client: Any, db: Any,
                                                          network: Any) -> None:
    _endorsed(net_client, db)
    assert net_client.post("/admin/networks/reseau-a/members/org-a/remove").status_code == 409
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(NetworkMembership)) == 1
    assert net_client.post("/admin/networks/reseau-a/members/org-a/withdraw").status_code == 302
    assert net_client.post("/admin/networks/reseau-a/members/org-a/remove").status_code == 302
    assert _rows(db) == []  # the history goes with the membership


# --------------------------------------------------------------------------- endorsing


def test_endorse_signs_and_stores(app: Any, net_client: Any, db: Any, network: Any,
                                  org: Any) -> None:
    row = _endorsed(net_client, db)
    assert row.comment == COMMENT and row.withdrawn_at is None and row.issued_by_id
    membership = db.get(NetworkMembership, row.membership_id)
    assert membership.endorsed_at is not None and membership.endorsement_comment == COMMENT

    cred = json.loads(row.credential_json)
    assert cred["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert cred["id"] == f"{NET_URL}/endorsements/{row.uuid}"
    assert cred["issuer"]["id"] == NET_URL and cred["issuer"]["name"] == "Réseau régional A"
    assert cred["credentialSubject"] == {"id": ORG_URL, "type": ["EndorsementSubject"],
                                         "endorsementComment": COMMENT}
    from badger.ob3 import schema

    assert schema.validate_endorsement(cred, strict=True) == []
    proof = cred["proof"][0]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"].startswith(NET_URL + "#z")

    # the network's own key, encrypted at rest, 0600 in a 0700 folder
    folder = Path(app.config["BADGER_KEYS_DIR"]) / "networks" / "reseau-a"
    pems = list(folder.glob("*.pem"))
    assert len(pems) == 1
    assert stat.S_IMODE(pems[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert b"ENCRYPTED" in pems[0].read_bytes()
    assert not (Path(app.config["BADGER_KEYS_DIR"]) / "org-a").exists() or not any(
        p.read_bytes() == pems[0].read_bytes()
        for p in (Path(app.config["BADGER_KEYS_DIR"]) / "org-a").glob("*.pem"))

    page = net_client.get("/admin/networks/reseau-a").get_data(as_text=True)
    assert COMMENT.replace("'", "&#39;") in page and row.uuid in page


def test_endorse_errors_write_nothing(net_client: Any, make: Any, db: Any,
                                      network: Any) -> None:
    make.organisation("hors-reseau")
    assert _endorse(net_client, comment="   ").status_code == 400
    assert _endorse(net_client, comment="x" * 2001).status_code == 400
    assert _endorse(net_client, org_slug="hors-reseau").status_code == 404
    assert _endorse(net_client, org_slug="inconnue").status_code == 404
    assert net_client.post("/admin/networks/reseau-a/members/org-a/endorse",
                           data={"comment": COMMENT}, csrf=False).status_code == 400
    assert _rows(db) == []
    db.expire_all()
    assert db.scalars(select(NetworkMembership)).one().endorsed_at is None
    _endorsed(net_client, db)
    assert _endorse(net_client).status_code == 409  # already endorsed
    assert len(_rows(db)) == 1
    assert net_client.post("/admin/networks/reseau-a/members/org-a/withdraw").status_code == 302
    assert net_client.post("/admin/networks/reseau-a/members/org-a/withdraw").status_code == 409


# --------------------------------------------------------------------------- public documents


def test_network_profile_is_public_json_ld_and_html(net_client: Any, client: Any, db: Any,
                                                   network: Any) -> None:
    row = _endorsed(net_client, db)
    anon = client.application.test_client()
    for accept in (None, "application/json", "application/ld+json"):
        response = _json(anon, "/networks/reseau-a", accept)
        assert response.mimetype == "application/ld+json"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "public" in response.headers["Cache-Control"] and response.headers["ETag"]
        doc = json.loads(response.get_data(as_text=True))
        assert doc["id"] == NET_URL and doc["type"] == ["Profile"]
        assert doc["@context"][:2] == [model.VC2_CONTEXT, model.OB_CONTEXT]
        (method,) = doc["verificationMethod"]
        assert method["type"] == "Multikey" and method["controller"] == NET_URL
        assert doc["assertionMethod"] == [method["id"]]
    etag = response.headers["ETag"]
    assert anon.get("/networks/reseau-a", headers={"If-None-Match": etag}).status_code == 304

    html = anon.get("/networks/reseau-a", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert "public" not in html.headers.get("Cache-Control", "")
    text = html.get_data(as_text=True)
    assert "Organisation A" in text and row.uuid in text and "/issuers/org-a" in text
    assert anon.get("/networks/inconnu").status_code == 404

    endorsement = _json(anon, f"/networks/reseau-a/endorsements/{row.uuid}")
    assert endorsement.mimetype == "application/vc+ld+json"
    assert endorsement.headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(endorsement.get_data(as_text=True)) == json.loads(row.credential_json)
    assert anon.get("/networks/reseau-a/endorsements/nope").status_code == 404


def test_issuer_profile_carries_active_endorsements(net_client: Any, client: Any, db: Any,
                                                    network: Any, org: Any) -> None:
    from badger.networks.service import active_endorsements

    anon = client.application.test_client()
    before = json.loads(_json(anon, "/issuers/org-a").get_data(as_text=True))
    assert "endorsement" not in before
    row = _endorsed(net_client, db)
    profile = json.loads(_json(anon, "/issuers/org-a").get_data(as_text=True))
    assert profile["endorsement"] == [json.loads(row.credential_json)]
    assert active_endorsements(db, org.id) == profile["endorsement"]

    assert net_client.post("/admin/networks/reseau-a/members/org-a/withdraw").status_code == 302
    after = json.loads(_json(anon, "/issuers/org-a").get_data(as_text=True))
    assert "endorsement" not in after
    assert active_endorsements(db, org.id) == []
    assert _rows(db)[0].withdrawn_at is not None  # kept, marked withdrawn
    # still served at its id: its status list now says revoked (tests/networks/test_status.py)
    assert anon.get(f"/networks/reseau-a/endorsements/{row.uuid}").status_code == 200
    page = anon.get("/networks/reseau-a", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert row.uuid not in page

    # endorsing again signs a new credential; only it is published
    again = _endorse(net_client)
    assert again.status_code == 302
    rows = _rows(db)
    assert len(rows) == 2 and rows[1].uuid != row.uuid
    profile = json.loads(_json(anon, "/issuers/org-a").get_data(as_text=True))
    assert [e["id"] for e in profile["endorsement"]] == [
        f"{NET_URL}/endorsements/{rows[1].uuid}"]


# --------------------------------------------------------------------------- verification


def test_endorsement_verifies_through_public_endpoints(app: Any, net_client: Any, client: Any,
                                                       db: Any, network: Any) -> None:
    _endorsed(net_client, db)
    credential = _credential_with_issuer_profile(app, client.application.test_client())
    report, resolver = _verify(app, credential)
    assert report.verified, report.to_dict()["checks"]
    (endorsement,) = report.endorsements
    assert endorsement.kind == "EndorsementCredential" and endorsement.verified
    checks = {c.name: (c.state, c.code) for c in endorsement.checks}
    assert checks["proof"][0] == "passed"
    assert checks["issuer_binding"] == ("passed", "controller_matches")
    assert checks["schema"][0] == "passed"
    assert any(u.startswith(NET_URL) for u in resolver.local_requests)


def test_tampered_endorsement_fails(app: Any, net_client: Any, client: Any, db: Any,
                                    network: Any) -> None:
    row = _endorsed(net_client, db)
    cred = json.loads(row.credential_json)
    cred["credentialSubject"]["endorsementComment"] = "Recommandation sans réserve."
    row.credential_json = json.dumps(cred, ensure_ascii=False)
    db.commit()
    credential = _credential_with_issuer_profile(app, client.application.test_client())
    report, _ = _verify(app, credential)
    assert not report.verified
    (endorsement,) = report.endorsements
    assert not endorsement.verified
    assert {c.name: c.code for c in endorsement.checks}["proof"] == "signature_invalid"


def test_endorsement_signed_with_a_key_the_network_does_not_publish_fails(
    app: Any, net_client: Any, client: Any, db: Any, network: Any
) -> None:
    from badger.networks import keys as network_keys

    _endorsed(net_client, db)
    with app.app_context():
        network_keys.rotate("reseau-a", app)
    # a retired key still verifies (rotation keeps earlier endorsements valid)
    credential = _credential_with_issuer_profile(app, client.application.test_client())
    report, _ = _verify(app, credential)
    assert report.verified, report.to_dict()["checks"]
    for pem in (Path(app.config["BADGER_KEYS_DIR"]) / "networks" / "reseau-a").glob("*"):
        pem.unlink()  # the network no longer publishes the signing key
    report, _ = _verify(app, credential)
    assert not report.verified and not report.endorsements[0].verified


@pytest.mark.parametrize("marker", [pytest.param(0, marks=_interop.needs_node)])
def test_javascript_verifier_agrees(app: Any, net_client: Any, client: Any, db: Any,
                                    network: Any, marker: int) -> None:
    row = _endorsed(net_client, db)
    anon = client.application.test_client()
    endorsement = json.loads(_json(anon, f"/networks/reseau-a/endorsements/{row.uuid}")
                             .get_data(as_text=True))
    status_url = endorsement["credentialStatus"]["statusListCredential"]
    docs = {NET_URL: json.loads(_json(anon, "/networks/reseau-a").get_data(as_text=True)),
            status_url: json.loads(_json(anon, status_url).get_data(as_text=True))}
    out = _interop.js_verify_di(endorsement, docs)
    assert out["verified"], out

    tampered = json.loads(json.dumps(endorsement))
    tampered["credentialSubject"]["endorsementComment"] = "Recommandation sans réserve."
    assert _interop.js_verify_di(tampered, docs)["verified"] is False

    # the organisation's own credentials still verify now that its Profile embeds endorsements
    credential = _credential_with_issuer_profile(app, anon)
    org_docs = {ORG_URL: json.loads(_json(anon, "/issuers/org-a").get_data(as_text=True))}
    assert "endorsement" in org_docs[ORG_URL]
    out = _interop.js_verify_di(credential, org_docs)
    assert out["verified"], out


# --------------------------------------------------------------------------- share page


def test_share_page_names_the_endorsing_network(app: Any, make: Any, db: Any, org: Any,
                                                 admin: Any, participant: Any,
                                                 network: Any, net_admin: Any) -> None:
    from tests.conftest import login_participant
    from tests.portfolio import _factory as portfolio_factory
    from tests.portfolio.test_shares import create_share, path_of

    creds = portfolio_factory.badges(db, org, admin, participant, n=1)
    staff = app.test_client()
    login_staff(staff, net_admin)
    assert _endorse(staff).status_code == 302
    holder = app.test_client()
    login_participant(holder, make, participant)
    link = create_share(holder, creds)
    html = app.test_client().get(path_of(link)).get_data(as_text=True)
    assert "Reconnu par le réseau" in html and "Réseau régional A" in html


# --------------------------------------------------------------------------- demo


def test_demo_endorses_the_demo_organisation_once(app: Any, db: Any) -> None:
    from badger.demo import ensure_demo
    from badger.networks.cli import on_demo

    demo = ensure_demo(db)
    db.commit()
    with app.app_context():
        on_demo(db, app, demo)
        db.commit()
        on_demo(db, app, demo)
        db.commit()
    rows = _rows(db)
    assert len(rows) == 1 and rows[0].withdrawn_at is None
    cred = json.loads(rows[0].credential_json)
    assert cred["issuer"]["id"] == f"{BASE}/networks/reseau-demo"
    assert cred["credentialSubject"]["id"] == f"{BASE}/issuers/sport-insertion-demo"


def test_demo_command_endorses_and_keys_commands(app: Any, db: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "network reseau-demo endorses sport-insertion-demo" in result.output
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert len(_rows(db)) == 1

    listed = runner.invoke(args=["network-keys", "list", "--network", "reseau-demo"])
    assert listed.exit_code == 0 and "Ed25519" in listed.output and "active" in listed.output
    assert "PRIVATE" not in listed.output
    rotated = runner.invoke(args=["network-keys", "rotate", "--network", "reseau-demo"])
    assert rotated.exit_code == 0, rotated.output
    listed = runner.invoke(args=["network-keys", "list", "--network", "reseau-demo"])
    assert "retired" in listed.output and listed.output.count("Ed25519") == 2
    missing = runner.invoke(args=["network-keys", "list", "--network", "nope"])
    assert missing.exit_code != 0 and "No network" in missing.output


def test_concurrent_double_endorsement_is_a_409(net_client: Any, db: Any, network: Any,
                                                monkeypatch: Any) -> None:
    """Two requests that both saw "not endorsed yet": the database keeps one (partial unique
    index on the active endorsement), the second answers 409 and writes nothing."""
    from badger.networks import service

    first = _endorsed(net_client, db)
    monkeypatch.setattr(service, "_active", lambda session, membership_id: None)
    assert _endorse(net_client, comment="Deuxième signature.").status_code == 409
    rows = _rows(db)
    assert [r.uuid for r in rows] == [first.uuid]
    assert db.get(NetworkMembership, first.membership_id).endorsement_comment == COMMENT
