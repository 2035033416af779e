"""Credentials show who vouches for their issuer: the organisation's active network
endorsements are embedded, signed, in the issuer Profile of every credential signed since.

Over HTTP: a network administrator endorses org-a, a participant accepts a badge, and the
credential (JSON, baked PNG and SVG) passes the strict 1EdTech schema, badger's verifier (the
embedded endorsement verified too, its network's key and status list fetched from the app) and
the Digital Bazaar verifier. Once the network withdraws, the same file still verifies as a
genuine badge, with a warning that the network no longer vouches for its issuer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from badger.ob3 import baking, schema
from badger.ob3.verify import verify_credential
from tests.awards import _interop
from tests.awards.test_e2e import _accept, _files, flow  # noqa: F401  (fixture)
from tests.conftest import login_staff
from tests.networks import conftest as networks_fixtures

network = networks_fixtures.network
net_admin = networks_fixtures.net_admin

NET_URL = "http://localhost/networks/reseau-a"
ORG_URL = "http://localhost/issuers/org-a"
COMMENT = "Association reconnue pour la qualité de son accompagnement vers l'emploi."


@pytest.fixture
def net_staff(app: Any, net_admin: Any) -> Any:
    client = app.test_client()
    login_staff(client, net_admin)
    return client


def _endorse(net_staff: Any) -> None:
    response = net_staff.post("/admin/networks/reseau-a/members/org-a/endorse",
                              data={"comment": COMMENT})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]


def _withdraw(net_staff: Any) -> None:
    assert net_staff.post("/admin/networks/reseau-a/members/org-a/withdraw").status_code == 302


def _issued(app: Any, make: Any, flow: Any, achievement: Any,  # noqa: F811
            net_staff: Any) -> tuple[Any, dict[str, bytes]]:
    _endorse(net_staff)
    cred = _accept(app, make, flow, achievement)
    return cred, _files(flow["client"], cred.id)


def test_credential_embeds_the_networks_endorsement_and_verifies(
    app: Any, make: Any, flow: Any, achievement: Any, net_staff: Any,  # noqa: F811
    resolver: Any,
) -> None:
    _cred, files = _issued(app, make, flow, achievement, net_staff)
    doc = json.loads(files["json"])
    published = resolver.fetch_json(ORG_URL)
    (embedded,) = doc["issuer"]["endorsement"]
    assert published["endorsement"] == [embedded]  # the very signed document
    assert embedded["issuer"]["id"] == NET_URL
    assert embedded["credentialSubject"]["id"] == ORG_URL
    assert embedded["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert schema.validate_credential(doc, strict=True) == []
    for fmt in ("json", "png", "svg", "jwt"):
        report = verify_credential(files[fmt], resolver=resolver)
        assert report.verified, (fmt, report.to_dict()["checks"])
        assert report.check("schema").code == "schema_valid"
        assert (report.check("endorsements").state, report.check("endorsements").code) == (
            "passed", "verified")
        (endorsement,) = report.endorsements
        assert endorsement.verified and endorsement.check("status").code == "not_revoked"
    assert any(u.startswith(f"{NET_URL}/status/revocation/") for u in resolver.requests)


@pytest.mark.parametrize("marker", [pytest.param(0, marks=_interop.needs_node)])
def test_javascript_verifier_accepts_the_embedded_endorsement(
    app: Any, make: Any, flow: Any, achievement: Any, net_staff: Any,  # noqa: F811
    resolver: Any, marker: int,
) -> None:
    _cred, files = _issued(app, make, flow, achievement, net_staff)
    for text in (files["json"].decode(), baking.unbake_png(files["png"]),
                 baking.unbake_svg(files["svg"])):
        doc = json.loads(text)
        assert doc["issuer"]["endorsement"]
        out = _interop.js_verify_di(doc, _interop.public_documents(resolver, doc))
        assert out["verified"], out
        # the embedded endorsement on its own, too
        (embedded,) = doc["issuer"]["endorsement"]
        out = _interop.js_verify_di(embedded, _interop.public_documents(resolver, embedded))
        assert out["verified"], out
    # an altered embedded endorsement breaks the badge's own signature, for both verifiers
    tampered = json.loads(files["json"])
    tampered["issuer"]["endorsement"][0]["credentialSubject"]["endorsementComment"] = "Top."
    assert _interop.js_verify_di(tampered, _interop.public_documents(resolver, tampered))[
        "verified"] is False
    assert verify_credential(tampered, resolver=resolver).check("proof").state == "failed"


def test_withdrawn_endorsement_warns_but_the_badge_stays_genuine(
    app: Any, make: Any, flow: Any, achievement: Any, net_staff: Any,  # noqa: F811
    resolver: Any, admin: Any,
) -> None:
    cred, files = _issued(app, make, flow, achievement, net_staff)
    _withdraw(net_staff)
    for fmt in ("json", "png"):
        report = verify_credential(files[fmt], resolver=resolver)
        assert report.verified, (fmt, report.to_dict()["checks"])
        assert (report.check("endorsements").state, report.check("endorsements").code) == (
            "warning", "withdrawn")
        (endorsement,) = report.endorsements
        assert (endorsement.check("status").state, endorsement.check("status").code) == (
            "failed", "revoked")
        assert endorsement.check("proof").state == "passed"

    # re-issued now, the credential no longer embeds it
    ac = app.test_client()
    login_staff(ac, admin)
    assert ac.post(f"/admin/credentials/{cred.id}/reissue", data={}).status_code in (302, 303)
    fresh = json.loads(_files(flow["client"], cred.id)["json"])
    assert "endorsement" not in fresh["issuer"]
    report = verify_credential(fresh, resolver=resolver)
    assert report.verified and report.check("endorsements") is None


def test_a_forged_embedded_endorsement_still_fails_the_badge(
    app: Any, make: Any, flow: Any, achievement: Any, net_staff: Any,  # noqa: F811
    resolver: Any,
) -> None:
    """Re-signed by the issuer around an altered endorsement: the badge's own proof passes,
    the endorsement's does not — a forgery, not a withdrawal."""
    from badger.awards.keys import issuer_keys
    from badger.ob3 import sign

    _cred, files = _issued(app, make, flow, achievement, net_staff)
    doc = json.loads(files["json"])
    doc.pop("proof")
    doc["issuer"]["endorsement"][0]["credentialSubject"]["endorsementComment"] = "Top."
    with app.app_context():
        keys = issuer_keys("org-a", app)
    assert keys is not None
    forged = sign(doc, keys.ed25519, f"{ORG_URL}#{keys.ed25519.public_key_multibase()}")
    report = verify_credential(forged, resolver=resolver)
    assert report.check("proof").state == "passed"
    assert report.check("endorsements").state == "failed" and not report.verified


def test_employer_pages_say_which_network_vouches_and_when_it_no_longer_does(
    app: Any, make: Any, flow: Any, achievement: Any, net_staff: Any,  # noqa: F811
) -> None:
    import html as htmllib

    from tests.portfolio.test_shares import create_share, path_of

    cred, files = _issued(app, make, flow, achievement, net_staff)
    employer = app.test_client()

    def verify_page() -> str:
        response = employer.post("/verify", data={"text": files["json"].decode()},
                                 content_type="multipart/form-data")
        assert response.status_code == 200
        return htmllib.unescape(response.get_data(as_text=True))

    page = verify_page()
    assert "Badge authentique" in page
    assert '<span dir="auto">Réseau régional A</span> recommande cet organisme.' in page
    assert "Le réseau Réseau" not in page
    link = create_share(flow["client"], [cred])
    share = htmllib.unescape(employer.get(path_of(link)).get_data(as_text=True))
    assert "Reconnu par le réseau" in share and "Réseau régional A" in share
    assert "ne recommande plus" not in share

    _withdraw(net_staff)
    page = verify_page()
    assert "Badge authentique" in page  # the badge itself is genuine
    assert '<span dir="auto">Réseau régional A</span> ne recommande plus cet organisme.' in page
    assert "Le réseau qui recommandait l'organisme ne le recommande plus." in page
    assert "recommande cet organisme." not in page.replace("ne recommande plus cet", "")
    share = htmllib.unescape(employer.get(path_of(link)).get_data(as_text=True))
    assert "Badge authentique" in share
    assert '<span dir="auto">Réseau régional A</span> ne recommande plus cet organisme.' in share
    assert "Reconnu par le réseau" not in share


def test_claim_redemption_embeds_the_endorsements_active_then(
    app: Any, db: Any, make: Any, org: Any, coach: Any, achievement: Any, net_staff: Any,
    resolver: Any,
) -> None:
    """Held for someone without e-mail before the network endorsed: signed at redemption, the
    credential embeds the endorsement active then."""
    from badger.awards.models import Credential
    from tests.awards import _factory

    credential, claim_code = _factory.hold_for_claim(db, make, org, coach, achievement)
    _endorse(net_staff)
    response = app.test_client().post("/claim", data={
        "code": claim_code, "kind": "email", "value": "elise@example.org"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    db.expire_all()
    doc = json.loads(db.get(Credential, credential.id).signed_json)
    assert [e["issuer"]["id"] for e in doc["issuer"]["endorsement"]] == [NET_URL]
    report = verify_credential(doc, resolver=resolver)
    assert report.verified and report.check("endorsements").code == "verified"
