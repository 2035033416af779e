"""OAuth client helpers for the API tests: register, authorize with PKCE, exchange, call."""

from __future__ import annotations

import base64
import copy
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from badger.ob3 import StaticResolver, sign, sign_jwt
from badger.ob3.dids import controller_document, jwks
from tests.ob3._factory import ISSUER_ID, credential, key, vm

SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
READ = SCOPE + "credential.readonly"
UPSERT = SCOPE + "credential.upsert"
PROFILE_READ = SCOPE + "profile.readonly"
PROFILE_UPDATE = SCOPE + "profile.update"
ALL = f"{READ} {UPSERT} {PROFILE_READ} {PROFILE_UPDATE}"
REDIRECT = "https://wallet.example.org/callback"
API = "/ims/ob/v3p0"
JWKS_URL = "https://badges.example.fr/.well-known/jwks.json"


def registration(**overrides: Any) -> dict[str, Any]:
    body = {
        "client_name": "Portefeuille Exemple",
        "client_uri": "https://wallet.example.org/",
        "logo_uri": "https://wallet.example.org/logo.png",
        "tos_uri": "https://wallet.example.org/tos",
        "policy_uri": "https://wallet.example.org/privacy",
        "software_id": "wallet-example",
        "software_version": "1.0",
        "redirect_uris": [REDIRECT],
        "scope": ALL,
    }
    body.update(overrides)
    return body


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Client:
    """A registered OAuth client talking to the app through an anonymous test client."""

    http: Any
    client_id: str
    secret: str

    @classmethod
    def register(cls, app: Any, **overrides: Any) -> Client:
        http = app.test_client()
        r = http.post(f"{API}/oauth/register", json=registration(**overrides))
        assert r.status_code == 201, r.get_data(as_text=True)
        body = r.get_json()
        return cls(http, body["client_id"], body["client_secret"])

    def authorize_params(self, challenge: str, scope: str = ALL, **kw: str) -> dict[str, str]:
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": "st-" + secrets.token_hex(4),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        params.update(kw)
        return params

    def get_code(self, browser: Any, scope: str = ALL) -> tuple[str, str]:
        """Run the consent step as the logged-in ``browser``; return (code, verifier)."""
        verifier, challenge = pkce()
        params = self.authorize_params(challenge, scope)
        page = browser.get(f"{API}/oauth/authorize", query_string=params)
        assert page.status_code == 200, page.get_data(as_text=True)[:500]
        r = browser.post(f"{API}/oauth/authorize", data={**params, "decision": "allow"})
        assert r.status_code == 302
        query = parse_qs(urlsplit(r.headers["Location"]).query)
        assert query["state"] == [params["state"]]
        return query["code"][0], verifier

    def token(self, **form: str) -> Any:
        return self.http.post(
            f"{API}/oauth/token", data=form, headers=basic(self.client_id, self.secret)
        )

    def exchange(self, code: str, verifier: str) -> Any:
        return self.token(
            grant_type="authorization_code",
            code=code,
            redirect_uri=REDIRECT,
            code_verifier=verifier,
        )

    def tokens(self, browser: Any, scope: str = ALL) -> dict[str, Any]:
        code, verifier = self.get_code(browser, scope)
        r = self.exchange(code, verifier)
        assert r.status_code == 200, r.get_data(as_text=True)
        return dict(r.get_json())


def signed_credential(n: int = 0, valid_from: str = "2025-01-01T00:00:00Z") -> dict[str, Any]:
    doc = credential(valid_from=valid_from)
    doc["id"] = str(uuid.UUID(int=n + 1).urn)
    return sign(doc, key(), vm())


def jwt_credential(n: int = 100) -> str:
    doc = credential()
    doc["id"] = str(uuid.UUID(int=n + 1).urn)
    k = key()
    return sign_jwt(doc, k, kid=f"{JWKS_URL}#{k.key_id}")


def resolver() -> StaticResolver:
    r = StaticResolver({ISSUER_ID: controller_document(ISSUER_ID, [key()])})
    r.add(JWKS_URL, jwks([key()]))
    return r


def use_resolver(app: Any) -> None:
    """Let the app verify the test issuer's credentials without any network."""
    app.extensions["badger.web_resolver"] = resolver()


def clone(doc: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(doc)
