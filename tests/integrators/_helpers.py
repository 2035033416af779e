"""Integrator test helpers: a client made through the service, tokens over HTTP, credentials."""

from __future__ import annotations

import base64
import copy
from typing import Any

from badger import integrators, urls

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: Stands for the organisation's issuer id in a credential (``with_issuer`` puts the real one).
ORG = "urn:test:the-organisation"
TOKEN_URL = "/integrators/oauth/token"
ISSUE_URL = "/credentials/issue"


def new_client(db: Any, org: Any, name: str = "Logiciel RH") -> tuple[str, str]:
    client, secret = integrators.create_client(db, org, name)
    db.commit()
    return client.client_id, secret


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def get_token(http: Any, client_id: str, secret: str, **form: str) -> str:
    response = http.post(TOKEN_URL, data={"grant_type": "client_credentials", **form},
                         headers=basic(client_id, secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_json()["access_token"])


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def vc2(issuer: Any = ORG, **changes: Any) -> dict[str, Any]:
    cred: dict[str, Any] = {
        "@context": [V2, EXAMPLES],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
                              "alumniOf": {"name": "Example University"}},
    }
    if issuer is not None:
        cred["issuer"] = issuer
    cred.update(copy.deepcopy(changes))
    return cred


def vc1(issuer: Any = ORG, **changes: Any) -> dict[str, Any]:
    cred: dict[str, Any] = {
        "@context": [V1],
        "type": ["VerifiableCredential"],
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"},
    }
    if issuer is not None:
        cred["issuer"] = issuer
    cred.update(copy.deepcopy(changes))
    return cred


def open_badge(org: Any, ach: Any, **changes: Any) -> dict[str, Any]:
    """An OpenBadgeCredential for the organisation's badge ``ach`` (no issuer: filled in)."""
    achievement_id = urls.achievement_url(ach)
    cred: dict[str, Any] = {
        "@context": [V2, OB],
        "id": "urn:uuid:6f5e0a2e-3c1b-4a8e-9d1f-2b7c4e5a6d10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": ach.name,
        "issuer": {"id": ORG, "type": ["Profile"], "name": org.name},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": "sha256$" + "0" * 64,
                            "identityType": "emailAddress", "hashed": True,
                            "salt": "sel"}],
            "achievement": {"id": achievement_id, "type": ["Achievement"], "name": ach.name,
                            "description": ach.description,
                            "criteria": {"narrative": "Reconnu en séance."}},
        },
    }
    cred.update(copy.deepcopy(changes))
    return cred


def with_issuer(credential: Any, issuer: str) -> Any:
    """``credential`` with :data:`ORG` (as ``issuer`` or its ``id``) replaced by ``issuer``."""
    if not isinstance(credential, dict):
        return credential
    out = copy.deepcopy(credential)
    if out.get("issuer") == ORG:
        out["issuer"] = issuer
    elif isinstance(out.get("issuer"), dict) and out["issuer"].get("id") == ORG:
        out["issuer"]["id"] = issuer
    return out
