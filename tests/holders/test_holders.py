"""Badges bound to their holder: proving a phone, an e-mail or a DID, and what that allows.

Over HTTP and the database: codes really leave (SMS outbox file, a loopback SMTP server) and are
read back from there; presentations are really signed; another participant's badge is refused
by the portfolio import and the OB API; a badge not shown to be the holder's never reaches a
share, even through rows written behind the service's back.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from sqlalchemy import func, select, text

from badger.holders.models import IdentityChallenge, ProvenIdentity
from badger.ob3 import KeyAlgorithm, generate_key, model, sign
from badger.ob3.dids import did_key_from_public_key
from badger.ob3.presentation import sign_presentation
from badger.portfolio.models import ImportedCredential, Share, ShareItem
from tests.conftest import login_participant
from tests.holders._helpers import prove
from tests.holders._smtp import smtp_server
from tests.ob3._factory import credential, key
from tests.portfolio import _factory
from tests.verification import _creds

PHONE = "06 12 34 56 78"
PHONE_E164 = "+33612345678"
MAIL = "Nadia.K@Exemple.fr"


def _outbox(app: Any) -> list[dict[str, str]]:
    path = Path(app.config["INSTANCE_PATH"]) / "sms-outbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _code(text_: str) -> str:
    found = re.search(r"\b(\d{6})\b", text_)
    assert found, text_
    return found.group(1)


def _challenge_id(html: str) -> str:
    found = re.search(r'name="challenge" value="(\d+)"', html)
    assert found, html[:2000]
    return found.group(1)


def _badge_to(identifier: dict[str, Any] | None = None, subject_id: str | None = None) -> bytes:
    """A foreign issuer's signed badge (resolvable by ``_creds.resolver()``) to a recipient."""
    doc = credential(subject_id=subject_id)
    doc["credentialSubject"]["identifier"] = [identifier] if identifier else []
    if not identifier:
        del doc["credentialSubject"]["identifier"]
    return json.dumps(sign(doc, key(), _creds.vm(), created=_creds.CREATED)).encode()


def _import(client: Any, data: bytes, identity: str = "") -> Any:
    return client.post(
        "/portfolio/import",
        data={"file": (io.BytesIO(data), "badge.json"), "identity": identity},
        content_type="multipart/form-data",
    )


def _no_clear_value(db: Any, *values: str) -> None:
    """Nothing in the holder tables (or the audit) holds the value in clear."""
    for table in ("holder_identities", "holder_challenges", "audit_events"):
        for row in db.execute(text(f"SELECT * FROM {table}")):
            dump = " ".join(str(v) for v in row).lower()
            for value in values:
                assert value.lower() not in dump, (table, row)


@pytest.fixture
def foreign(app: Any) -> None:
    app.extensions["badger.web_resolver"] = _creds.resolver()


# --------------------------------------------------------------------------- phone (SMS outbox)


def test_phone_proven_by_sms_code_then_its_badge_imports_and_shares(
    app: Any, participant_client: Any, participant: Any, db: Any, foreign: None
) -> None:
    badge = _badge_to(model.identity_object(PHONE, identity_type="phone"))
    # before any proof: refused, nothing kept
    r = _import(participant_client, badge, PHONE)
    assert r.status_code == 422 and "prouvée" in r.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(ImportedCredential)) == 0

    page = participant_client.get("/me/identities").get_data(as_text=True)
    assert page.index("Ajouter un téléphone") < page.index("Ajouter un e-mail")  # phone first
    r = participant_client.post("/me/identities/send", data={"kind": "phone", "value": PHONE})
    assert r.status_code == 200
    sent = _outbox(app)
    assert len(sent) == 1 and sent[0]["to"] == PHONE_E164
    code = _code(sent[0]["text"])
    html = r.get_data(as_text=True)
    assert "+33 •••• 78" in html and PHONE_E164 not in html
    r = participant_client.post(
        "/me/identities/confirm", data={"challenge": _challenge_id(html), "code": code}
    )
    assert r.status_code == 302
    ident = db.execute(select(ProvenIdentity)).scalar_one()
    assert ident.kind == "phone" and ident.participant_id == participant.id
    assert ident.label == "+33 •••• 78" and len(ident.value_hash) == 64
    _no_clear_value(db, PHONE_E164, "612345678", code)
    # the same code again: single use
    r = participant_client.post(
        "/me/identities/confirm", data={"challenge": _challenge_id(html), "code": code}
    )
    assert r.status_code == 410

    # the phone typed on the import form recomputes the salted hash: accepted, bound
    r = _import(participant_client, badge, "+33 6 12 34 56 78")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    imp = db.execute(select(ImportedCredential)).scalar_one()
    assert imp.holder_proof == "phone"
    assert "remis à vous" in participant_client.get("/portfolio").get_data(as_text=True)
    r = participant_client.post(
        "/portfolio/shares", data={"label": "x", "days": "7", "imported": [str(imp.id)]}
    )
    assert r.status_code == 302
    html = participant_client.get(r.headers["Location"]).get_data(as_text=True)
    link = re.search(r'<code id="share-link">([^<]+)</code>', html).group(1)  # type: ignore[union-attr]
    page = app.test_client().get("/" + link.split("/", 3)[3]).get_data(as_text=True)
    assert "Badge authentique" in page


def test_wrong_codes_are_counted_and_the_fifth_kills_the_code(
    app: Any, participant_client: Any, db: Any
) -> None:
    r = participant_client.post("/me/identities/send", data={"kind": "phone", "value": PHONE})
    cid = _challenge_id(r.get_data(as_text=True))
    code = _code(_outbox(app)[-1]["text"])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        r = participant_client.post(
            "/me/identities/confirm", data={"challenge": cid, "code": wrong}
        )
        assert r.status_code == 422
    assert db.execute(select(IdentityChallenge)).scalar_one().attempts == 5
    r = participant_client.post("/me/identities/confirm", data={"challenge": cid, "code": code})
    assert r.status_code == 429
    assert db.scalar(select(func.count()).select_from(ProvenIdentity)) == 0


def test_an_expired_code_and_another_participants_code_do_not_prove(
    app: Any, participant_client: Any, db: Any, make: Any, org: Any
) -> None:
    r = participant_client.post("/me/identities/send", data={"kind": "phone", "value": PHONE})
    cid = _challenge_id(r.get_data(as_text=True))
    code = _code(_outbox(app)[-1]["text"])
    # someone else, logged in, tries the code
    other = app.test_client()
    login_participant(other, make, make.participant(org, "Autre"))
    r = other.post("/me/identities/confirm", data={"challenge": cid, "code": code})
    assert r.status_code == 410
    row = db.execute(select(IdentityChallenge)).scalar_one()
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.commit()
    r = participant_client.post("/me/identities/confirm", data={"challenge": cid, "code": code})
    assert r.status_code == 410
    assert db.scalar(select(func.count()).select_from(ProvenIdentity)) == 0


def test_codes_are_rate_limited_and_bad_numbers_refused(
    app: Any, participant_client: Any, db: Any
) -> None:
    r = participant_client.post("/me/identities/send", data={"kind": "phone", "value": "12"})
    assert r.status_code == 422 and "pas valable" in r.get_data(as_text=True)
    r = participant_client.post("/me/identities/send", data={"kind": "email", "value": "x@y"})
    assert r.status_code in {422, 503}
    for _ in range(5):
        assert participant_client.post(
            "/me/identities/send", data={"kind": "phone", "value": PHONE}
        ).status_code == 200
    r = participant_client.post("/me/identities/send", data={"kind": "phone", "value": PHONE})
    assert r.status_code == 429
    assert len(_outbox(app)) == 5
    assert db.scalar(select(func.count()).select_from(IdentityChallenge)) == 5


# --------------------------------------------------------------------------- e-mail (SMTP)


def test_email_proven_through_a_loopback_smtp_server(
    app: Any, participant_client: Any, participant: Any, db: Any, foreign: None
) -> None:
    badge = _badge_to(model.identity_object(MAIL, identity_type="emailAddress"))
    with smtp_server() as server:
        app.config["BADGER_SMTP_URL"] = f"smtp://127.0.0.1:{server.server_address[1]}"
        r = participant_client.post("/me/identities/send", data={"kind": "email", "value": MAIL})
        assert r.status_code == 200, r.get_data(as_text=True)[:2000]
        assert len(server.messages) == 1
        rcpt, msg = server.messages[0]
        assert rcpt == ["nadia.k@exemple.fr"] and msg["To"] == "nadia.k@exemple.fr"
        code = _code(msg.get_content())
    html = r.get_data(as_text=True)
    assert "n•••@e•••.fr" in html
    r = participant_client.post(
        "/me/identities/confirm", data={"challenge": _challenge_id(html), "code": code}
    )
    assert r.status_code == 302
    _no_clear_value(db, "nadia.k@exemple.fr", "nadia", code)
    # typed in another case: the same normalised e-mail
    assert _import(participant_client, badge, " NADIA.K@exemple.FR ").status_code == 302
    assert db.execute(select(ImportedCredential)).scalar_one().holder_proof == "email"


def test_without_smtp_email_is_not_offered_and_a_dead_server_writes_nothing(
    app: Any, participant_client: Any, db: Any
) -> None:
    assert "L&#39;envoi d&#39;e-mails n&#39;est pas disponible" in participant_client.get(
        "/me/identities"
    ).get_data(as_text=True) or "envoi d'e-mails n'est pas disponible" in participant_client.get(
        "/me/identities"
    ).get_data(as_text=True)
    r = participant_client.post("/me/identities/send", data={"kind": "email", "value": MAIL})
    assert r.status_code == 503
    with smtp_server() as server:
        port = server.server_address[1]
    app.config["BADGER_SMTP_URL"] = f"smtp://127.0.0.1:{port}"  # nobody listens any more
    r = participant_client.post("/me/identities/send", data={"kind": "email", "value": MAIL})
    assert r.status_code == 503 and "pas pu être envoyé" in r.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(IdentityChallenge)) == 0


# --------------------------------------------------------------------------- DID


def _did() -> tuple[Any, str, str]:
    k = generate_key(KeyAlgorithm.ED25519)
    did = did_key_from_public_key(k.public_key)
    return k, did, f"{did}#{did.removeprefix('did:key:')}"


def _did_challenge(client: Any) -> tuple[str, str]:
    html = client.post("/me/identities/did/challenge").get_data(as_text=True)
    nonce = re.search(r'<code id="did-challenge" dir="ltr">([^<]+)</code>', html)
    domain = re.search(r'<code id="did-domain" dir="ltr">([^<]+)</code>', html)
    assert nonce and domain, html[:2000]
    return nonce.group(1), domain.group(1)


def test_did_proven_by_a_signed_presentation_then_its_badge_imports(
    app: Any, participant_client: Any, db: Any, foreign: None
) -> None:
    k, did, vm = _did()
    badge = _badge_to(subject_id=did)
    assert _import(participant_client, badge).status_code == 422
    nonce, domain = _did_challenge(participant_client)
    assert domain == "localhost"
    # wrong domain, then a replay of a good answer: refused, each challenge spent once
    bad = sign_presentation(did, k, vm, challenge=nonce, domain="evil.example")
    r = participant_client.post("/me/identities/did", data={"presentation": json.dumps(bad)})
    assert r.status_code == 422
    good = sign_presentation(did, k, vm, challenge=nonce, domain=domain)
    r = participant_client.post("/me/identities/did", data={"presentation": json.dumps(good)})
    assert r.status_code == 410  # the challenge was spent by the bad try
    nonce, domain = _did_challenge(participant_client)
    # somebody else's key signing for this DID
    other_key, _other_did, _ = _did()
    forged = sign_presentation(did, other_key, vm, challenge=nonce, domain=domain)
    r = participant_client.post("/me/identities/did", data={"presentation": json.dumps(forged)})
    assert r.status_code == 422
    assert db.scalar(select(func.count()).select_from(ProvenIdentity)) == 0
    nonce, domain = _did_challenge(participant_client)
    good = sign_presentation(did, k, vm, challenge=nonce, domain=domain)
    r = participant_client.post("/me/identities/did", data={"presentation": json.dumps(good)})
    assert r.status_code == 302
    assert db.execute(select(ProvenIdentity)).scalar_one().kind == "did"
    _no_clear_value(db, did, nonce)
    r = participant_client.post("/me/identities/did", data={"presentation": json.dumps(good)})
    assert r.status_code == 410  # replay
    assert _import(participant_client, badge).status_code == 302
    assert db.execute(select(ImportedCredential)).scalar_one().holder_proof == "did"


def test_did_proven_by_a_vp_jwt(app: Any, participant_client: Any, db: Any) -> None:
    k, did, vm = _did()
    nonce, domain = _did_challenge(participant_client)
    claims = {"iss": did, "aud": domain, "nonce": nonce, "vp": {"holder": did,
              "type": ["VerifiablePresentation"]}}
    wrong = pyjwt.encode({**claims, "nonce": nonce + "x"}, k.private_key, algorithm="EdDSA",
                         headers={"kid": vm})
    r = participant_client.post("/me/identities/did", data={"presentation": wrong})
    assert r.status_code == 410  # answers no challenge of ours
    for change in ({"aud": "evil.example"}, {"iss": _did()[1]}, {"exp": 1_000_000}):
        bad = {**claims, **change}
        token = pyjwt.encode(bad, k.private_key, algorithm="EdDSA", headers={"kid": vm})
        r = participant_client.post("/me/identities/did", data={"presentation": token})
        assert r.status_code == 422, bad
        nonce, domain = _did_challenge(participant_client)  # each try spends its challenge
        claims["nonce"] = nonce
    assert db.scalar(select(func.count()).select_from(ProvenIdentity)) == 0
    token = pyjwt.encode(claims, k.private_key, algorithm="EdDSA", headers={"kid": vm})
    r = participant_client.post("/me/identities/did", data={"presentation": token})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert db.execute(select(ProvenIdentity)).scalar_one().kind == "did"


# --------------------------------------------------------------------------- other people's badges


def test_another_participants_badge_is_refused_by_the_ui_and_the_api(
    app: Any, db: Any, make: Any, org: Any, admin: Any, participant: Any,
    participant_client: Any,
) -> None:
    """Amina (``participant``) tries to import Bruno's badge, issued by this very server."""
    bruno = make.participant(org, "Bruno")
    cred = _factory.badges(db, org, admin, bruno, n=1)[0]
    bruno_mail = f"p{bruno.id}@example.org"
    prove(db, participant, "p-amina@example.org")  # Amina has proven her own e-mail only
    for data in (cred.signed_json.encode(), bytes(cred.baked_png), cred.signed_jwt.encode()):
        r = _import(participant_client, data)
        assert r.status_code == 422 and "prouvée" in r.get_data(as_text=True)
        # typing Bruno's address does not help: Amina never proved it
        assert _import(participant_client, data, bruno_mail).status_code == 422
    assert db.scalar(select(func.count()).select_from(ImportedCredential)) == 0
    # Bruno, once he proved his address, can
    prove(db, bruno, bruno_mail)
    bruno_client = app.test_client()
    login_participant(bruno_client, make, bruno)
    assert _import(bruno_client, cred.signed_json.encode(), bruno_mail).status_code == 302

    # the OB API: an app Amina connected pushes Bruno's badge
    from tests.api._helpers import Client, bearer

    wallet = Client.register(app)
    token = wallet.tokens(participant_client)["access_token"]
    r = wallet.http.post(
        "/ims/ob/v3p0/credentials", data=cred.signed_json,
        content_type="application/json", headers=bearer(token),
    )
    assert r.status_code == 400
    body = r.get_json()
    assert "identité" in json.dumps(body, ensure_ascii=False)
    assert db.scalar(
        select(func.count()).select_from(ImportedCredential)
        .where(ImportedCredential.participant_id == participant.id)
    ) == 0


def test_api_accepts_a_badge_to_a_proven_did(
    app: Any, db: Any, participant: Any, participant_client: Any, foreign: None
) -> None:
    from tests.api._helpers import Client, bearer

    _k, did, _vm = _did()
    wallet = Client.register(app)
    token = wallet.tokens(participant_client)["access_token"]
    body = _badge_to(subject_id=did)
    push = lambda: wallet.http.post(  # noqa: E731
        "/ims/ob/v3p0/credentials", data=body, content_type="application/json",
        headers=bearer(token),
    )
    assert push().status_code == 400
    prove(db, participant, did)
    assert push().status_code == 201
    assert db.execute(select(ImportedCredential)).scalar_one().holder_proof == "did"


# --------------------------------------------------------------------------- shares


def test_a_share_never_includes_an_unbound_badge(
    app: Any, db: Any, org: Any, admin: Any, participant: Any, participant_client: Any,
    foreign: None,
) -> None:
    """An import kept from before the rule (holder_proof NULL): not offered, refused by the
    service, and a share row pointing at it (written behind the service) shows nothing."""
    raw = _badge_to(model.identity_object("someone@else.example"))
    legacy = ImportedCredential(
        organisation_id=participant.organisation_id, participant_id=participant.id,
        format="json", raw=raw, issuer_name="Association Passerelles",
        achievement_name="Badge de quelqu'un d'autre", verified_at=datetime.now(UTC),
        last_state="verified", last_report={},
    )
    db.add(legacy)
    db.commit()
    html = participant_client.get("/portfolio/shares").get_data(as_text=True)
    assert f'name="imported" value="{legacy.id}"' not in html
    assert "pas montré comme à vous" in html
    r = participant_client.post(
        "/portfolio/shares", data={"label": "x", "days": "7", "imported": [str(legacy.id)]}
    )
    assert r.status_code == 404
    assert db.scalar(select(func.count()).select_from(Share)) == 0
    # defence in depth: a share row written directly
    from badger import portfolio

    made = portfolio.create_share(
        db, participant, label="direct", days=7, imported_ids=[], round_ids=[],
        credential_ids=[c.id for c in _factory.badges(db, org, admin, participant, n=1)],
    )
    db.add(ShareItem(share_id=made.share.id, kind="imported", imported_id=legacy.id, position=9))
    db.commit()
    page = app.test_client().get(f"/s/{made.token}").get_data(as_text=True)
    assert "quelqu&#39;un d&#39;autre" not in page and "quelqu'un d'autre" not in page
    assert "Passerelles" not in page


# --------------------------------------------------------------------------- export / erase


def test_export_lists_identities_as_hashes_and_erasure_removes_them(
    app: Any, db: Any, participant: Any, participant_client: Any
) -> None:
    prove(db, participant, PHONE)
    _k, did, _vm = _did()
    prove(db, participant, did)
    participant_client.post("/me/identities/did/challenge")
    r = participant_client.get("/portfolio/export")
    rows = json.loads(zipfile.ZipFile(io.BytesIO(r.data)).read("identities.json"))
    assert sorted(row["kind"] for row in rows) == ["did", "phone"]
    assert all(len(row["hmac_sha256"]) == 64 for row in rows)
    dump = json.dumps(rows)
    assert "612345678" not in dump and did not in dump
    # removing one on the page
    phone = db.execute(select(ProvenIdentity).where(ProvenIdentity.kind == "phone")).scalar_one()
    assert participant_client.post(f"/me/identities/{phone.id}/remove").status_code == 302
    assert db.scalar(select(func.count()).select_from(ProvenIdentity)) == 1
    from badger.portfolio.views import ERASE_WORD

    r = participant_client.post("/portfolio/erase", data={"confirm": ERASE_WORD})
    assert r.status_code in {302, 303}
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(ProvenIdentity)) == 0
    assert db.scalar(select(func.count()).select_from(IdentityChallenge)) == 0


def test_identity_routes_are_participants_own(
    app: Any, db: Any, make: Any, org: Any, participant: Any, admin_client: Any
) -> None:
    ident = prove(db, participant, PHONE)
    other = app.test_client()
    login_participant(other, make, make.participant(org, "Autre"))
    assert other.post(f"/me/identities/{ident.id}/remove").status_code == 404
    assert admin_client.post(f"/me/identities/{ident.id}/remove").status_code == 403
    assert db.scalar(select(func.count()).select_from(ProvenIdentity)) == 1
    assert app.test_client().post(
        f"/me/identities/{ident.id}/remove", csrf=False
    ).status_code in {302, 400, 401, 403}


def test_api_replacement_by_a_copy_issued_to_someone_else_is_refused(
    app: Any, db: Any, participant: Any, participant_client: Any, foreign: None
) -> None:
    """Same issuer and credential id (OB 3.0 equality), newer, but re-issued to another DID:
    the stored, bound version stays."""
    from tests.api._helpers import Client, bearer

    _k, did, _vm = _did()
    _k2, stranger, _vm2 = _did()
    prove(db, participant, did)
    wallet = Client.register(app)
    token = wallet.tokens(participant_client)["access_token"]

    def push(subject: str, valid_from: str) -> Any:
        doc = credential(subject_id=subject, valid_from=valid_from)
        doc["id"] = "urn:uuid:6f1c0d2e-0000-4000-8000-000000000001"
        body = json.dumps(sign(doc, key(), _creds.vm(), created=_creds.CREATED))
        return wallet.http.post("/ims/ob/v3p0/credentials", data=body,
                                content_type="application/json", headers=bearer(token))

    assert push(did, "2025-01-01T00:00:00Z").status_code == 201
    assert push(stranger, "2025-06-01T00:00:00Z").status_code == 400
    db.expire_all()
    kept = db.execute(select(ImportedCredential)).scalar_one()
    assert json.loads(bytes(kept.raw))["credentialSubject"]["id"] == did
    assert kept.holder_proof == "did"


def _legacy(db: Any, participant: Any, raw: bytes) -> ImportedCredential:
    """An import kept from before the holder rule (holder_proof NULL)."""
    row = ImportedCredential(
        organisation_id=participant.organisation_id, participant_id=participant.id,
        format="json", raw=raw, issuer_name="Association Passerelles",
        achievement_name="Ancien import", verified_at=datetime.now(UTC),
        last_state="verified", last_report={},
    )
    db.add(row)
    db.commit()
    return row


def test_an_earlier_import_is_bound_once_its_identity_is_proven(
    app: Any, db: Any, make: Any, org: Any, participant: Any, participant_client: Any,
    foreign: None,
) -> None:
    mine = _legacy(db, participant, _badge_to(model.identity_object(MAIL)))
    doc = json.loads(_badge_to(model.identity_object(MAIL)))
    doc["credentialSubject"]["achievement"]["name"] = "Directrice"  # altered after signing
    altered = _legacy(db, participant, json.dumps(doc).encode())
    bind = lambda imp, typed="": participant_client.post(  # noqa: E731
        f"/portfolio/imports/{imp.id}/bind", data={"identity": typed}
    )
    assert bind(mine, MAIL).status_code == 422  # not proven yet
    prove(db, participant, MAIL)
    assert bind(altered, MAIL).status_code == 422  # proven, but the badge is not authentic
    # someone else cannot bind it, even knowing the address
    other = app.test_client()
    login_participant(other, make, make.participant(org, "Autre"))
    assert other.post(f"/portfolio/imports/{mine.id}/bind", data={"identity": MAIL}
                      ).status_code == 404
    assert bind(mine, MAIL).status_code == 302
    db.expire_all()
    assert db.get(ImportedCredential, mine.id).holder_proof == "email"
    assert db.get(ImportedCredential, altered.id).holder_proof is None
    r = participant_client.post(
        "/portfolio/shares", data={"label": "x", "days": "7", "imported": [str(mine.id)]}
    )
    assert r.status_code == 302
