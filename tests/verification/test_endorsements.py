"""A bare EndorsementCredential on /verify, the VC-API, /api/verify and ``badger verify``.

The endorsements are real: a network administrator signs them over HTTP (networks domain), and
they are read back from the network's public endpoint before being verified through the app's
public verification endpoints.
"""

from __future__ import annotations

import html as htmllib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from badger.ob3 import sign_jwt
from tests.networks import conftest as networks_fixtures
from tests.verification import _creds as c

# the networks domain's fixtures: a network whose member is org-a, its administrator, logged in
network = networks_fixtures.network
net_admin = networks_fixtures.net_admin
net_client = networks_fixtures.net_client

BASE = "http://localhost"
NET_URL = f"{BASE}/networks/reseau-a"
ORG_URL = f"{BASE}/issuers/org-a"
COMMENT = "Association reconnue pour la qualité de son accompagnement vers l'emploi."


@pytest.fixture
def endorsement(net_client: Any, network: Any, make: Any) -> dict[str, Any]:
    """The network "Passerelles Emploi" endorses org-a over HTTP; the signed credential as its
    public URL serves it."""
    network.name = "Passerelles Emploi"
    make.db.commit()
    response = net_client.post(
        "/admin/networks/reseau-a/members/org-a/endorse", data={"comment": COMMENT}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    page = net_client.get("/networks/reseau-a", headers={"Accept": "text/html"})
    uuid = page.get_data(as_text=True).split("/endorsements/", 1)[1][:36]
    anon = net_client.application.test_client()
    served = anon.get(f"/networks/reseau-a/endorsements/{uuid}")
    assert served.status_code == 200 and served.mimetype == "application/vc+ld+json"
    doc: dict[str, Any] = json.loads(served.get_data(as_text=True))
    assert doc["type"] == ["VerifiableCredential", "EndorsementCredential"]
    return doc


def _page(client: Any, **data: Any) -> tuple[int, str]:
    response = client.post("/verify", data=data, content_type="multipart/form-data")
    return response.status_code, htmllib.unescape(response.get_data(as_text=True))


def _vc_api(client: Any, credential: dict[str, Any]) -> Any:
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


def _jwt_of(app: Any, doc: dict[str, Any]) -> str:
    from badger.networks import keys as network_keys

    with app.app_context():
        key = network_keys.signing_key("reseau-a", app)
    return sign_jwt(doc, key, kid=f"{NET_URL}#{key.public_key_multibase()}")


def _withdraw(net_client: Any) -> None:
    response = net_client.post("/admin/networks/reseau-a/members/org-a/withdraw")
    assert response.status_code == 302


# --------------------------------------------------------------------------- the verify page


def test_pasted_endorsement_is_described_for_an_employer(
    client: Any, endorsement: dict[str, Any]
) -> None:
    status, html = _page(client, text=json.dumps(endorsement))
    assert status == 200
    assert "Recommandation authentique" in html
    assert "Le réseau Passerelles Emploi recommande l'organisme Organisation A." in html
    assert "Cette recommandation est vraie" in html
    # what is endorsed, by whom, since when
    assert "Recommandé par" in html and NET_URL in html
    assert "Organisme recommandé" in html and ORG_URL in html
    assert COMMENT in html and "Depuis le" in html
    # every check, in words about a recommendation
    assert "Structure de la recommandation" in html
    assert "La recommandation est bien construite." in html
    assert "La signature est bonne. La recommandation n'a pas été modifiée." in html
    assert "La signature vient bien de l'auteur de la recommandation." in html
    assert "La recommandation est valable aujourd'hui." in html
    assert "L'auteur n'a pas retiré cette recommandation." in html  # its network's list
    result = html.split('id="result-title"', 1)[1].split("Donnez le badge", 1)[0]
    assert "badge" not in result.replace("Open Badges", "").lower()  # nothing says "badge"


def test_uploaded_file_and_url(client: Any, endorsement: dict[str, Any]) -> None:
    raw = json.dumps(endorsement).encode()
    status, html = _page(client, file=(io.BytesIO(raw), "recommandation.json"))
    assert status == 200 and "Recommandation authentique" in html
    status, html = _page(client, url=endorsement["id"])
    assert status == 200 and "Recommandation authentique" in html, html[:3000]
    assert "recommande l'organisme Organisation A" in html


def test_endorsement_as_vc_jwt(app: Any, client: Any, endorsement: dict[str, Any]) -> None:
    token = _jwt_of(app, endorsement)
    status, html = _page(client, text=token)
    assert status == 200 and "Recommandation authentique" in html, html[:4000]
    assert "La recommandation signée a bien été lue." in html
    assert "Le réseau Passerelles Emploi recommande l'organisme Organisation A." in html
    response = client.post("/api/verify", data=token, content_type="text/plain")
    assert response.status_code == 200, response.get_json()["errors"]
    assert response.get_json()["report"]["format"] == "jwt"


def test_tampered_endorsement_fails_clearly(client: Any, endorsement: dict[str, Any]) -> None:
    forged = json.loads(json.dumps(endorsement))
    forged["credentialSubject"]["endorsementComment"] = "Recommandation sans réserve."
    status, html = _page(client, text=json.dumps(forged))
    assert status == 200
    assert "Recommandation non authentique" in html
    assert "Ne vous fiez pas à cette recommandation." in html
    assert "La recommandation a été modifiée ou signée par quelqu'un d'autre." in html
    assert "recommande l'organisme" not in html  # a forgery is not read out as a fact

    response = _vc_api(client, forged)
    assert response.status_code == 422
    body = response.get_json()
    assert body["verified"] is False and body["state"] == "failed"
    assert {"name": "proof", "code": "signature_invalid"}.items() <= body["errors"][0].items()
    assert body["plain"]["headline"] == "Recommandation non authentique"
    assert body["plain"]["statement"] is None


def test_endorsement_of_a_forged_issuer_fails(app: Any, client: Any,
                                              endorsement: dict[str, Any]) -> None:
    """Signed by the network's key but claiming another issuer: the binding fails."""
    other = json.loads(json.dumps(endorsement))
    other["issuer"]["id"] = f"{BASE}/networks/autre"
    del other["proof"]
    token = _jwt_of(app, other)
    _status, html = _page(client, text=token)
    assert "Recommandation non authentique" in html
    assert "recommande l'organisme" not in html
    body = client.post("/api/verify", data=token, content_type="text/plain").get_json()
    checks = {ch["name"]: (ch["state"], ch["code"]) for ch in body["report"]["checks"]}
    # the network's key did sign it, but "autre" (404 here) vouches for no key: a valid
    # signature by someone else's key proves nothing
    assert checks["proof"] == ("failed", "controller_mismatch")
    assert checks["issuer_binding"] == ("failed", "controller_mismatch")


def test_withdrawn_endorsement_is_no_longer_valid(
    client: Any, net_client: Any, endorsement: dict[str, Any]
) -> None:
    _withdraw(net_client)
    status, html = _page(client, text=json.dumps(endorsement))
    assert status == 200
    assert "Recommandation plus valable" in html
    assert ("Le réseau Passerelles Emploi a retiré sa recommandation d'Organisation A."
            in html)  # French elision before a vowel (issue #17)
    assert "L'auteur a retiré cette recommandation. Elle ne compte plus." in html
    assert "Cette recommandation est vraie" not in html

    # still published at its id (it carries a status entry): the network's list says revoked
    status, html = _page(client, url=endorsement["id"])
    assert status == 200
    assert "Recommandation plus valable" in html
    assert "L'auteur a retiré cette recommandation. Elle ne compte plus." in html

    response = _vc_api(client, endorsement)
    assert response.status_code == 422
    body = response.get_json()
    checks = {ch["name"]: (ch["state"], ch["code"]) for ch in body["report"]["checks"]}
    assert checks["status"] == ("failed", "revoked") and checks["proof"][0] == "passed"


# --------------------------------------------------------------------------- machines


def test_vc_api_and_upload_api(client: Any, endorsement: dict[str, Any]) -> None:
    response = _vc_api(client, endorsement)
    assert response.status_code == 200, response.get_json()["errors"]
    body = response.get_json()
    assert body["verified"] is True
    report = body["report"]
    assert report["kind"] == "EndorsementCredential"
    assert report["issuerId"] == NET_URL and report["endorsedId"] == ORG_URL
    assert report["endorsementComment"] == COMMENT
    assert {"schema", "proof", "issuer_binding", "validity", "status"} <= set(body["checks"])
    assert body["plain"]["statement"] == (
        "Le réseau Passerelles Emploi recommande l'organisme Organisation A."
    )
    upload = client.post(
        "/api/verify",
        data={"file": (io.BytesIO(json.dumps(endorsement).encode()), "e.json")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 200 and upload.get_json()["report"]["endorsedId"] == ORG_URL


def test_open_badge_reports_are_unchanged(client: Any, app: Any) -> None:
    app.extensions["badger.web_resolver"] = c.resolver()
    body = _vc_api(client, c.good()).get_json()
    assert body["verified"] is True and body["report"]["kind"] == "OpenBadgeCredential"
    assert "statement" not in body["plain"] and "endorsedId" not in body["report"]
    _status, html = _page(client, text=json.dumps(c.good()))
    assert "Badge authentique" in html and "Recommandation" not in html


def test_cli_verifies_an_endorsement(
    app: Any, net_client: Any, endorsement: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "endorsement.json"
    path.write_text(json.dumps(endorsement), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["verify", str(path)])
    assert result.exit_code == 0, result.output
    assert f"VERIFIED: Passerelles Emploi endorses {ORG_URL}" in result.output
    result = app.test_cli_runner().invoke(args=["verify", str(path), "--json"])
    assert json.loads(result.output)["kind"] == "EndorsementCredential"
    _withdraw(net_client)
    result = app.test_cli_runner().invoke(args=["verify", str(path)])
    assert result.exit_code == 1 and "revoked" in result.output.lower()



def test_an_endorsement_is_not_a_badge_to_import(
    app: Any, make: Any, participant: Any, endorsement: dict[str, Any]
) -> None:
    from tests.conftest import login_participant

    holder = app.test_client()
    login_participant(holder, make, participant)
    response = holder.post(
        "/portfolio/import",
        data={"file": (io.BytesIO(json.dumps(endorsement).encode()), "e.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422


def test_english(client: Any, endorsement: dict[str, Any]) -> None:
    client.post("/language", data={"lang": "en", "next": "/verify"})
    _status, html = _page(client, text=json.dumps(endorsement))
    assert "Genuine recommendation" in html
    assert "The network Passerelles Emploi recommends the organisation Organisation A." in html
    assert "Recommended organisation" in html and "The signed" not in html
