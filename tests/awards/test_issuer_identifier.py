"""Issuer identifier per organisation (https, did:web, did:key) and VC-JWT algorithms (issue #14
points 2 and 5): what new signatures name, that old credentials keep verifying, the fragment-less
Multikey documents, the admin page and CLI — checked with badger's verifier, jose, and the
Digital Credentials Consortium's verifier-core over a loopback TLS server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from flask import Flask
from sqlalchemy import select

from badger import awards, urls
from badger.audit import AuditEvent
from badger.awards.keys import issuer_keys
from badger.awards.models import Credential, StatusList
from badger.ob3 import generate_key, sign
from badger.ob3.keys import KeyAlgorithm
from badger.ob3.verify import verify_credential
from tests import _tls
from tests.awards import _interop
from tests.awards.conftest import TestClientResolver
from tests.awards.test_endorsed_issuer import (  # noqa: F401  (fixtures)
    _endorse,
    net_admin,
    net_staff,
    network,
)
from tests.conftest import login_staff


@pytest.fixture
def port() -> int:
    return _tls.free_port()


@pytest.fixture
def app_config(app_config: dict[str, Any], port: int) -> dict[str, Any]:
    """A public https base URL (did:web needs one): ``https://localhost:<port>``."""
    app_config["BADGER_BASE_URL"] = f"https://localhost:{port}"
    return app_config


def _issue(db: Any, org: Any, coach: Any, ach: Any, make: Any, name: str) -> Credential:
    person = make.participant(org, name, email=f"{name.lower()}@example.org")
    row = awards.award_many(db, org, ach, [awards.AwardRequest(participant_id=person.id)],
                             actor=coach)[0]
    db.commit()
    assert row.credential is not None, row.message
    return row.credential


def _use(db: Any, org: Any, kind: str) -> None:
    awards.set_issuer_identifier(db, org, kind)
    db.commit()


def _verify(app: Flask, data: Any) -> Any:
    return verify_credential(data, resolver=TestClientResolver(app))


def _method(doc: dict[str, Any]) -> str:
    proofs = doc["proof"] if isinstance(doc["proof"], list) else [doc["proof"]]
    assert len(proofs) == 1
    return str(proofs[0]["verificationMethod"])


def _states(report: Any) -> dict[str, str]:
    return {c.name: c.state for c in report.checks}


@pytest.mark.parametrize("kind", ["https", "did:web", "did:key"])
def test_each_identifier_signs_end_to_end(app: Flask, db: Any, org: Any, coach: Any,
                                          achievement: Any, make: Any, port: int,
                                          kind: str) -> None:
    _use(db, org, kind)
    cred = _issue(db, org, coach, achievement, make, "Ana")
    doc = json.loads(cred.signed_json or "")
    keys = issuer_keys(org.slug)
    assert keys is not None
    mb = keys.ed25519.public_key_multibase()
    expected = {"https": f"https://localhost:{port}/issuers/org-a",
                "did:web": f"did:web:localhost%3A{port}:issuers:org-a",
                "did:key": f"did:key:{mb}"}[kind]
    vm = {"https": f"https://localhost:{port}/issuers/org-a/multikeys/{keys.ed25519.key_id}",
          "did:web": f"{expected}#{mb}", "did:key": f"{expected}#{mb}"}[kind]
    assert doc["issuer"]["id"] == expected and _method(doc) == vm
    header = pyjwt.get_unverified_header(cred.signed_jwt or "")
    assert pyjwt.decode(cred.signed_jwt or "", options={"verify_signature": False}
                        )["iss"] == expected
    assert header["kid"] == {"https": urls.key_url(org, keys.rs256.key_id),
                             "did:web": f"{expected}#{keys.rs256.key_id}",
                             "did:key": vm}[kind]
    assert header["alg"] == ("EdDSA" if kind == "did:key" else "RS256")
    lst = db.get(StatusList, cred.revocation_list_id)
    status_doc = json.loads(lst.signed_document()[0])
    assert status_doc["issuer"] == expected and _method(status_doc) == vm
    for data in (doc, cred.signed_jwt):
        report = _verify(app, data)
        assert report.verified, report.to_dict()["checks"]
        assert _states(report)["status"] == "passed"
    # revoked: every form fails on its status, whatever the identifier
    awards.revoke(db, cred, "erreur de saisie")
    db.commit()
    for data in (doc, cred.signed_jwt):
        report = _verify(app, data)
        assert not report.verified and _states(report)["status"] == "failed"


def test_changing_identifier_keeps_old_credentials_verifying(
        app: Flask, db: Any, org: Any, coach: Any, achievement: Any, make: Any) -> None:
    old = _issue(db, org, coach, achievement, make, "Ana")
    _use(db, org, "did:web")
    new = _issue(db, org, coach, achievement, make, "Bob")
    _use(db, org, "did:key")
    newest = _issue(db, org, coach, achievement, make, "Chloe")
    lists = {c.revocation_list_id for c in (old, new, newest)}
    assert len(lists) == 3  # one list per issuer id: none re-signed as another issuer
    issuers = [json.loads(db.get(StatusList, i).signed_document()[0])["issuer"]
               for i in sorted(lists)]
    assert issuers[0].startswith("https://") and issuers[1].startswith("did:web:")
    assert issuers[2].startswith("did:key:")
    _use(db, org, "https")
    for c in (old, new, newest):
        assert _verify(app, json.loads(c.signed_json or "")).verified
    # the old https credential is revoked: its own (https) list is re-signed and says so
    awards.revoke(db, old, "erreur")
    db.commit()
    assert not _verify(app, json.loads(old.signed_json or "")).verified
    assert _verify(app, json.loads(new.signed_json or "")).verified
    # a credential signed before 0014 (issuer#multibase) still verifies: that method is listed
    keys = issuer_keys(org.slug)
    assert keys is not None
    legacy = json.loads(newest.signed_json or "")
    legacy.pop("proof")
    legacy["issuer"]["id"] = urls.issuer_url(org)
    legacy.pop("credentialStatus")
    signed = sign(legacy, keys.ed25519,
                  f"{urls.issuer_url(org)}#{keys.ed25519.public_key_multibase()}")
    assert _verify(app, signed).verified


def test_multikey_documents(app: Flask, client: Any, db: Any, org: Any, coach: Any,
                            achievement: Any, make: Any) -> None:
    _issue(db, org, coach, achievement, make, "Ana")
    keys = issuer_keys(org.slug)
    assert keys is not None
    url = urls.multikey_url(org, keys.ed25519)
    path = url.split(str(app.config["BADGER_BASE_URL"]))[1]
    r = client.get(path)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    doc = r.get_json(force=True)
    assert doc == {"@context": "https://w3id.org/security/multikey/v1", "id": url,
                   "type": "Multikey", "controller": urls.issuer_url(org),
                   "publicKeyMultibase": keys.ed25519.public_key_multibase()}
    issuer = client.get("/issuers/org-a").get_json(force=True)
    assert url in issuer["assertionMethod"]
    assert any(m["id"] == url and m["publicKeyMultibase"] == doc["publicKeyMultibase"]
               for m in issuer["verificationMethod"])
    # the RSA key has no Multikey; its JWK URL (the VC-JWT kid since ever) is unchanged
    assert client.get(f"/issuers/org-a/multikeys/{keys.rs256.key_id}").status_code == 404
    assert client.get(f"/issuers/org-a/keys/{keys.rs256.key_id}").get_json(force=True)["kty"] \
        == "RSA"
    assert client.get(f"/issuers/org-a/keys/{keys.ed25519.key_id}").get_json(force=True)[
        "kty"] == "OKP"
    assert client.get("/issuers/org-a/multikeys/nope").status_code == 404
    assert client.get(f"/issuers/org-b/multikeys/{keys.ed25519.key_id}").status_code == 404


def test_a_forged_proof_naming_the_multikey_url_fails(
        app: Flask, db: Any, org: Any, coach: Any, achievement: Any, make: Any) -> None:
    cred = _issue(db, org, coach, achievement, make, "Ana")
    doc = json.loads(cred.signed_json or "")
    doc.pop("proof")
    forged = sign(doc, generate_key(KeyAlgorithm.ED25519),
                  urls.multikey_url(org, issuer_keys(org.slug).ed25519))  # type: ignore[union-attr]
    report = _verify(app, forged)
    assert not report.verified and _states(report)["proof"] == "failed"


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
@pytest.mark.parametrize("kind", ["https", "did:web"])
def test_jwt_algorithms(app: Flask, client: Any, db: Any, org: Any, coach: Any,
                        achievement: Any, make: Any, algorithm: str, kind: str) -> None:
    _use(db, org, kind)
    result = app.test_cli_runner().invoke(
        args=["keys", "rotate", "--org", "org-a", "--algorithm", algorithm])
    assert result.exit_code == 0, result.output
    assert f"signed {algorithm}" in result.output
    db.expire_all()
    cred = _issue(db, org, coach, achievement, make, "Ana")
    token = cred.signed_jwt or ""
    header = pyjwt.get_unverified_header(token)
    assert header["alg"] == algorithm
    report = _verify(app, token)
    assert report.verified, report.to_dict()["checks"]
    if kind == "https":
        assert header["kid"].startswith(urls.issuer_url(org) + "/keys/")
        if _interop.NODE is not None and (_interop.HARNESS / "node_modules").is_dir():
            jwks = client.get("/issuers/org-a/jwks.json").get_json(force=True)
            js = _interop.js_verify_jwt(token, jwks)
            assert js["verified"] and js["protectedHeader"]["alg"] == algorithm, js
    else:
        did = client.get("/issuers/org-a/did.json").get_json(force=True)
        assert header["kid"] in did["assertionMethod"]
    # a token whose signature was changed fails
    head, body, sig = token.split(".")
    bad = f"{head}.{body}.{sig[:-4]}{'AAAA' if sig[-4:] != 'AAAA' else 'BBBB'}"
    assert not _verify(app, bad).verified


def test_did_key_cannot_rotate(app: Flask, db: Any, org: Any, coach: Any, achievement: Any,
                               make: Any) -> None:
    _use(db, org, "did:key")
    _issue(db, org, coach, achievement, make, "Ana")
    runner = app.test_cli_runner()
    for alg in ("Ed25519", "all", "EdDSA"):
        result = runner.invoke(args=["keys", "rotate", "--org", "org-a", "--algorithm", alg])
        assert result.exit_code != 0 and "cannot rotate" in result.output
    result = runner.invoke(args=["keys", "rotate", "--org", "org-a", "--algorithm", "RS256"])
    assert result.exit_code != 0 and "EdDSA" in result.output
    # after choosing https again, the did:key list still needs the key: still refused
    _use(db, org, "https")
    result = runner.invoke(args=["keys", "rotate", "--org", "org-a", "--algorithm", "Ed25519"])
    assert result.exit_code != 0 and "cannot rotate" in result.output
    result = runner.invoke(args=["keys", "identifier", "--org", "org-a", "--use", "did:web"])
    assert result.exit_code == 0 and "did:web:localhost" in result.output


def test_admin_page(app: Flask, db: Any, org: Any, admin: Any, achievement: Any) -> None:
    client = app.test_client()
    login_staff(client, admin)
    page = client.get("/admin/issuer")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "did:web:localhost" in text and "did:key:z" in text
    assert client.post("/admin/issuer", data={"kind": "did:web"}).status_code == 302
    db.expire_all()
    assert org.issuer_identifier == "did:web"
    events = db.scalars(select(AuditEvent).where(
        AuditEvent.action == "award.issuer_identifier")).all()
    assert len(events) == 1
    public = client.get("/issuers/org-a", headers={"Accept": "text/html"})
    assert "did:web:localhost" in public.get_data(as_text=True)
    for bad in ({"kind": "did:example"}, {}):
        r = client.post("/admin/issuer", data=bad)
        assert r.status_code == 400 and "Choisissez un identifiant" in r.get_data(as_text=True)
    assert client.post("/admin/issuer", data={"kind": "https"}, csrf=False).status_code == 400
    db.expire_all()
    assert org.issuer_identifier == "did:web"


def test_coach_cannot_choose(app: Flask, db: Any, org: Any, coach_client: Any) -> None:
    assert coach_client.get("/admin/issuer").status_code == 403
    assert coach_client.post("/admin/issuer", data={"kind": "did:key"}).status_code == 403
    db.expire_all()
    assert org.issuer_identifier == "https"


def test_did_web_needs_an_https_base(app: Flask, db: Any, org: Any, admin: Any) -> None:
    app.config["BADGER_BASE_URL"] = "http://localhost"
    client = app.test_client()
    login_staff(client, admin)
    r = client.post("/admin/issuer", data={"kind": "did:web"})
    assert r.status_code == 422 and "https" in r.get_data(as_text=True)
    db.expire_all()
    assert org.issuer_identifier == "https"
    assert db.scalars(select(AuditEvent).where(
        AuditEvent.action == "award.issuer_identifier")).first() is None
    result = app.test_cli_runner().invoke(
        args=["keys", "identifier", "--org", "org-a", "--use", "did:web"])
    assert result.exit_code != 0 and "https" in result.output


# --------------------------------------------------------------------------- verifier-core


@pytest.fixture
def tls_server(app: Flask, port: int, tmp_path: Path) -> Iterator[Path]:
    """The app over TLS on 127.0.0.1:<port> (its base URL is https://localhost:<port>)."""
    with _tls.serve_tls(app, port, tmp_path) as cert:
        yield cert


def _dcc(credential: dict[str, Any], cert: Path) -> dict[str, Any]:
    with _tls.trusting(cert):
        return _interop.run_node("verify-dcc.mjs", {"credential": credential}, timeout=120)


@pytest.mark.parametrize("kind", ["https", "did:web", "did:key"])
@pytest.mark.interop
def test_verifier_core_accepts_each_identifier_and_sees_revocation(
        app: Flask, db: Any, org: Any, coach: Any, achievement: Any, make: Any,
        tls_server: Path, kind: str) -> None:
    if _interop.NODE is None or not (
            _interop.HARNESS / "node_modules" / "@digitalcredentials" / "verifier-core").is_dir():
        pytest.skip("verifier-core not installed: npm ci in tests/interop")
    _use(db, org, kind)
    good = _issue(db, org, coach, achievement, make, "Ana")
    revoked = _issue(db, org, coach, achievement, make, "Bob")
    awards.revoke(db, revoked, "erreur de saisie")
    db.commit()
    result = _dcc(json.loads(good.signed_json or ""), tls_server)
    assert result["ok"] and result["signature"] and result["revocation"], result
    assert not result["refused"], result
    # the 1EdTech schema check verifier-core runs on an Open Badge passes too
    assert [r["result"]["valid"] for r in result["schema"]["results"]] == [True], result["schema"]
    assert all(u.startswith(str(app.config["BADGER_BASE_URL"])) for u in result["fetched"])
    result = _dcc(json.loads(revoked.signed_json or ""), tls_server)
    assert result["signature"] and result["revocation"] is False and not result["ok"], result
    if kind == "https":
        # what issue #14 found: the same badge signed as before 0014 (<issuer>#<multibase>)
        # fails there, so the fragment-less key URL is what makes the difference
        keys = issuer_keys(org.slug)
        assert keys is not None
        legacy = json.loads(good.signed_json or "")
        legacy.pop("proof")
        legacy = sign(legacy, keys.ed25519,
                      f"{urls.issuer_url(org)}#{keys.ed25519.public_key_multibase()}")
        assert _verify(app, legacy).verified
        result = _dcc(legacy, tls_server)
        assert not result["ok"] and not result["signature"], result
    # and a tampered copy fails its signature
    tampered = json.loads(good.signed_json or "")
    tampered["name"] = "Autre badge"
    result = _dcc(tampered, tls_server)
    assert not result["ok"] and not result["signature"], result


# --------------------------------------------------------------------------- endorsements

@pytest.mark.parametrize("kind", ["did:web", "did:key"])
def test_endorsement_embedded_in_a_did_credential_still_verifies(
        app: Flask, db: Any, org: Any, coach: Any, achievement: Any, make: Any,
        net_staff: Any, kind: str) -> None:  # noqa: F811
    _endorse(net_staff)
    _use(db, org, kind)
    cred = _issue(db, org, coach, achievement, make, "Ana")
    doc = json.loads(cred.signed_json or "")
    (embedded,) = doc["issuer"]["endorsement"]
    assert doc["issuer"]["id"].startswith(kind + ":")
    # signed by the network about the organisation's https id, before the choice
    assert embedded["credentialSubject"]["id"] == urls.issuer_url(org)
    report = _verify(app, doc)
    assert report.verified, report.to_dict()["checks"]
    assert (report.check("endorsements").state, report.check("endorsements").code) == (
        "passed", "verified")


def test_reissue_keeps_the_identity_of_its_status_list(
        app: Flask, db: Any, org: Any, coach: Any, achievement: Any, make: Any) -> None:
    """A re-issue keeps the credential's status bit, so it keeps the issuer id that bit's list
    names; a new badge, or a lifted suspension (a fresh bit), takes the new choice."""
    cred = _issue(db, org, coach, achievement, make, "Ana")
    _use(db, org, "did:web")
    awards.reissue(db, cred, actor=None)
    db.commit()
    doc = json.loads(cred.signed_json or "")
    assert doc["issuer"]["id"] == urls.issuer_url(org)
    assert pyjwt.decode(cred.signed_jwt or "", options={"verify_signature": False}
                        )["iss"] == urls.issuer_url(org)
    report = _verify(app, doc)
    assert report.verified and _states(report)["status"] == "passed", report.to_dict()["checks"]
    awards.suspend(db, cred, "vérification en cours")
    db.commit()
    assert not _verify(app, doc).verified
    awards.unsuspend(db, cred)
    db.commit()
    doc = json.loads(cred.signed_json or "")
    assert doc["issuer"]["id"] == urls.did_web(org)
    for data in (doc, cred.signed_jwt):
        report = _verify(app, data)
        assert report.verified and _states(report)["status"] == "passed", \
            report.to_dict()["checks"]
