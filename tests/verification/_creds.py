"""Credentials signed in the tests with badger.ob3 (good, tampered, expired, revoked, foreign)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from badger.ob3 import StaticResolver, sign, sign_jwt, statuslist
from badger.ob3.dids import controller_document, did_key_from_public_key, did_web_document, jwks
from tests.ob3._factory import ISSUER_ID, credential, key

LIST_URL = "https://badges.example.fr/status/1"
CREATED = datetime(2025, 1, 1, tzinfo=UTC)


class StubResolver(StaticResolver):
    """StaticResolver that can also hand out raw bytes (URL verification)."""

    def __init__(self) -> None:
        super().__init__()
        self.raw: dict[str, bytes] = {}

    def fetch_bytes(self, url: str, *, max_bytes: int | None = None) -> bytes:
        if url in self.raw:
            return self.raw[url]
        return json.dumps(self.fetch_json(url)).encode()


def vm(issuer: str = ISSUER_ID, n: int = 0) -> str:
    return f"{issuer}#{key('Ed25519', n).public_key_multibase()}"


def good(**kw: Any) -> dict[str, Any]:
    return sign(credential(**kw), key(), vm(), created=CREATED)


def tampered() -> dict[str, Any]:
    doc = good()
    doc["credentialSubject"]["achievement"]["name"] = "Directeur général"
    return doc


def expired() -> dict[str, Any]:
    until = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return good(valid_until=until)


def status_list(revoked: set[int], purpose: str = "revocation") -> dict[str, Any]:
    bits = statuslist.new_bitstring()
    for i in revoked:
        bits = statuslist.set_bit(bits, i, True)
    doc = statuslist.build_status_list_credential(
        list_url=LIST_URL, issuer=ISSUER_ID, purpose=purpose, bits=bits, valid_from=CREATED
    )
    return sign(doc, key(), vm(), created=CREATED)


def with_status(index: int) -> dict[str, Any]:
    entry = statuslist.status_entry(list_url=LIST_URL, index=index, purpose="revocation")
    return good(status=entry)


def did_key_credential() -> dict[str, Any]:
    k = key("Ed25519", 3)
    did = did_key_from_public_key(k.public_key)
    doc = credential(issuer=did)
    return sign(doc, k, f"{did}#{did.removeprefix('did:key:')}", created=CREATED)


DID_WEB = "did:web:other.example.org"


def did_web_credential() -> dict[str, Any]:
    k = key("Ed25519", 4)
    doc = credential(issuer=DID_WEB)
    return sign(doc, k, f"{DID_WEB}#{k.public_key_multibase()}", created=CREATED)


def vc11_credential() -> dict[str, Any]:
    doc = credential()
    doc["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/data-integrity/v2",
    ]
    doc["issuanceDate"] = doc.pop("validFrom")
    doc.pop("awardedDate", None)
    return sign(doc, key(), vm(), created=CREATED)


JWKS_URL = "https://badges.example.fr/.well-known/jwks.json"


def jwt_credential() -> str:
    k = key("Ed25519", 0)
    return sign_jwt(credential(), k, kid=f"{JWKS_URL}#{k.key_id}")


def resolver() -> StubResolver:
    r = StubResolver()
    r.add(ISSUER_ID, controller_document(ISSUER_ID, [key()]))
    r.add(LIST_URL, status_list({7}))
    r.add(
        "https://other.example.org/.well-known/did.json",
        did_web_document(DID_WEB, [key("Ed25519", 4)]),
    )
    r.add(JWKS_URL, jwks([key()]))
    return r


def clone(doc: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(doc)
