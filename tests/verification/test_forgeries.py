"""Forgeries served by a loopback attacker web server (issue #11, key provenance).

An attacker re-signs a badger organisation's badge with a key of their own and publishes, on a
host they control, documents that *say* the key is the victim's: a controller document whose
methods name the victim as ``controller``, a document whose ``id`` claims to be the victim
issuer, a standalone key document naming the victim as its controller, a JWK Set on another
origin whose keys carry ``iss: <victim>``, and a status list "issued" by the victim. What a
document says about itself is a claim, not a proof: every forgery must fail (never "verified")
through the library, the CLI, ``/verify``, ``POST /api/verify``, ``POST /credentials/verify``
and the portfolio import, while the genuine badge still verifies through each of them.
"""

from __future__ import annotations

import copy
import io
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import func, select

from badger.ob3 import sign, sign_jwt, statuslist, verify_credential
from badger.ob3.baking import bake_png
from badger.ob3.dataintegrity import proofs_of
from badger.portfolio.models import ImportedCredential
from badger.resolver import app_resolver
from tests.ob3._factory import key
from tests.portfolio import _factory


class Attacker:
    """A web server on 127.0.0.1 serving whatever JSON documents the attacker publishes."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        docs = self.docs

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = docs.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, path: str, doc: dict[str, Any]) -> str:
        self.docs[path] = doc
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def attacker() -> Iterator[Attacker]:
    server = Attacker()
    yield server
    server.close()


MALLORY = key("Ed25519", 7)
MALLORY_RSA = key("RS256", 7)


def _multikey(vm_id: str, controller: str) -> dict[str, Any]:
    return {
        "id": vm_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": MALLORY.public_key_multibase(),
    }


def _unsigned(genuine: dict[str, Any]) -> dict[str, Any]:
    """The victim's badge with its proof removed and its claim inflated."""
    doc = copy.deepcopy(genuine)
    doc.pop("proof", None)
    doc["name"] = "Directeur général — compétence maximale"
    return doc


def forgeries(genuine: dict[str, Any], attacker: Attacker) -> dict[str, Any]:
    """Every forgery of the issue's list, each re-signed by Mallory, keyed by a label."""
    victim = genuine["issuer"]["id"]
    out: dict[str, Any] = {}

    # 1. a controller document on the attacker's host naming the victim as controller
    vm = attacker.origin + "/controller#key-1"
    attacker.publish(
        "/controller",
        {
            "id": attacker.origin + "/controller",
            "verificationMethod": [_multikey(vm, victim)],
            "assertionMethod": [vm],
        },
    )
    out["spoofed controller"] = sign(_unsigned(genuine), MALLORY, vm)

    # 2. a document whose own id claims to be the victim issuer
    vm = attacker.origin + "/i-am-the-issuer#key-1"
    attacker.publish(
        "/i-am-the-issuer",
        {
            "id": victim,
            "verificationMethod": [_multikey(victim + "#key-1", victim)],
            "assertionMethod": [victim + "#key-1"],
        },
    )
    out["document id claims the issuer"] = sign(_unsigned(genuine), MALLORY, vm)
    vm = attacker.origin + "/i-am-the-issuer-too#key-1"
    attacker.publish(
        "/i-am-the-issuer-too",
        {
            "id": victim,
            "verificationMethod": [_multikey(vm, victim)],
            "assertionMethod": [vm],
        },
    )
    out["document id claims the issuer (method under the fetch URL)"] = sign(
        _unsigned(genuine), MALLORY, vm
    )

    # 3. a standalone key document naming the victim as its controller
    vm = attacker.origin + "/keys/1"
    attacker.publish("/keys/1", _multikey(vm, victim))
    out["standalone key document"] = sign(_unsigned(genuine), MALLORY, vm)

    # 4. the victim's own id with the attacker's key in the fragment
    out["issuer#attacker-multibase"] = sign(
        _unsigned(genuine), MALLORY, f"{victim}#{MALLORY.public_key_multibase()}"
    )

    # 5. VC-JWTs: a JWK Set on another origin (keys say iss = victim), a key document there,
    #    and an embedded jwk claiming the victim
    jwk = {**MALLORY_RSA.public_jwk(), "kid": "k1", "iss": victim}
    attacker.publish("/jwks.json", {"keys": [jwk]})
    out["JWT kid in a JWKS on another origin"] = sign_jwt(
        _unsigned(genuine), MALLORY_RSA, kid=attacker.origin + "/jwks.json#k1"
    )
    attacker.publish("/jwk", {**MALLORY_RSA.public_jwk(), "iss": victim})
    out["JWT kid as a JWK on another origin"] = sign_jwt(
        _unsigned(genuine), MALLORY_RSA, kid=attacker.origin + "/jwk"
    )
    out["JWT kid at a spoofed controller document"] = sign_jwt(
        _unsigned(genuine), MALLORY, kid=attacker.origin + "/controller#key-1"
    )
    out["JWT embedded jwk"] = sign_jwt(_unsigned(genuine), MALLORY_RSA, embed_jwk=True)

    # 6. the same forgeries baked into a PNG a recruiter would drop
    out["baked spoofed controller"] = bake_png(_png(), json.dumps(out["spoofed controller"]))
    return out


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, "PNG")
    return buf.getvalue()


def _as_bytes(forgery: Any) -> bytes:
    if isinstance(forgery, bytes):
        return forgery
    if isinstance(forgery, str):
        return forgery.encode()
    return json.dumps(forgery).encode()


def _upload(client: Any, url: str, data: bytes) -> Any:
    """``data`` sent as the page's file field, named as a person would name it."""
    name = "badge.png" if data[:4] == b"\x89PNG" else "badge.json"
    return client.post(
        url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


@pytest.fixture
def genuine(db: Any, org: Any, admin: Any, participant: Any) -> Any:
    return _factory.badges(db, org, admin, participant, n=1)[0]


def _library(app: Any) -> Callable[[bytes], bool]:
    def check(data: bytes) -> bool:
        with app.app_context():
            return verify_credential(data, resolver=app_resolver(app)).verified

    return check


def test_every_forgery_fails_in_the_library(app: Any, genuine: Any, attacker: Attacker) -> None:
    verified = _library(app)
    assert verified(genuine.signed_json.encode()), "the genuine badge must verify"
    assert verified(genuine.signed_jwt.encode())
    items = forgeries(json.loads(genuine.signed_json), attacker)
    accepted = [label for label, forgery in items.items() if verified(_as_bytes(forgery))]
    assert accepted == []


def test_spoofed_documents_are_fetched_and_refused_for_what_they_are(
    app: Any, genuine: Any, attacker: Attacker
) -> None:
    """Not an accident of the network: the attacker's documents were read, then not believed."""
    items = forgeries(json.loads(genuine.signed_json), attacker)
    with app.app_context():
        report = verify_credential(items["spoofed controller"], resolver=app_resolver(app))
    binding = report.check("issuer_binding")
    assert binding is not None and (binding.state, binding.code) == (
        "failed",
        "controller_mismatch",
    )
    assert not report.verified and report.state == "failed"
    with app.app_context():
        report = verify_credential(
            items["document id claims the issuer"], resolver=app_resolver(app)
        )
    proof = report.check("proof")
    assert proof is not None and proof.state == "failed" and proof.code == "key_rejected"
    assert "says it is" in proof.message


def test_every_forgery_fails_through_the_cli(
    app: Any, genuine: Any, attacker: Attacker, tmp_path: Any
) -> None:
    runner = app.test_cli_runner()
    path = tmp_path / "genuine.json"
    path.write_text(genuine.signed_json)
    result = runner.invoke(args=["verify", str(path)])
    assert result.exit_code == 0 and "VERIFIED" in result.output
    for i, (label, forgery) in enumerate(
        forgeries(json.loads(genuine.signed_json), attacker).items()
    ):
        path = tmp_path / f"forgery-{i}"
        path.write_bytes(_as_bytes(forgery))
        result = runner.invoke(args=["verify", str(path)])
        assert result.exit_code == 1, (label, result.output)
        assert "NOT VERIFIED" in result.output, label


def test_every_forgery_fails_on_the_verify_page_and_both_apis(
    app: Any, client: Any, genuine: Any, attacker: Attacker
) -> None:
    ok = client.post(
        "/credentials/verify",
        json={"verifiableCredential": json.loads(genuine.signed_json)},
        csrf=False,
    )
    assert ok.status_code == 200
    for label, forgery in forgeries(json.loads(genuine.signed_json), attacker).items():
        data = _as_bytes(forgery)
        page = _upload(client, "/verify", data)
        assert page.status_code == 200, label
        html = page.get_data(as_text=True)
        assert "status-ok" not in html and "Badge authentique" not in html, label
        api = client.post(
            "/api/verify", data=data, content_type="application/octet-stream", csrf=False
        )
        assert api.status_code in {200, 422}, (label, api.status_code)
        assert api.get_json()["verified"] is False, label
        if isinstance(forgery, dict):
            vc_api = client.post(
                "/credentials/verify", json={"verifiableCredential": forgery}, csrf=False
            )
            assert vc_api.status_code == 422, (label, vc_api.get_json())


def test_forgeries_are_not_imported_into_a_portfolio(
    db: Any, participant_client: Any, genuine: Any, attacker: Attacker
) -> None:
    before = db.scalar(select(func.count()).select_from(ImportedCredential))
    for label, forgery in forgeries(json.loads(genuine.signed_json), attacker).items():
        data = _as_bytes(forgery)
        response = _upload(participant_client, "/portfolio/import", data)
        assert response.status_code in {400, 409, 422}, (label, response.status_code)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(ImportedCredential)) == before


def test_a_status_list_signed_by_another_key_leaves_the_status_unknown(
    app: Any, genuine: Any, attacker: Attacker
) -> None:
    """A list "issued" by the victim but signed by Mallory (key document naming the victim as
    controller) must not vouch for a credential: never "not revoked"."""
    from badger.awards.keys import issuer_keys  # the victim's real signing key, for the test

    victim = json.loads(genuine.signed_json)["issuer"]["id"]
    list_url = attacker.origin + "/status/1"
    vm = attacker.origin + "/keys/list"
    attacker.publish("/keys/list", _multikey(vm, victim))
    listing = statuslist.build_status_list_credential(
        list_url=list_url,
        issuer=victim,
        purpose="revocation",
        bits=statuslist.new_bitstring(),
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    attacker.publish("/status/1", sign(listing, MALLORY, vm))
    # a credential the victim really signed, pointing at the attacker's list
    doc = _unsigned(json.loads(genuine.signed_json))
    doc["credentialStatus"] = statuslist.status_entry(
        list_url=list_url, index=3, purpose="revocation"
    )
    with app.app_context():
        ed25519 = issuer_keys(genuine.achievement.organisation.slug, app).ed25519
        signed = sign(doc, ed25519, f"{victim}#{ed25519.public_key_multibase()}")
        report = verify_credential(signed, resolver=app_resolver(app))
    assert proofs_of(signed) and report.check("issuer_binding").state == "passed"
    status = report.check("status")
    assert status is not None and status.state == "unknown" and status.code == "list_unverified"
    assert not report.verified
