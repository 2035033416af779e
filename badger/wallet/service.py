"""OpenID for Verifiable Credential Issuance 1.0, pre-authorised code flow, for one badge.

The participant asks for an offer on their badge page; the offer travels by value in a QR code
or a deep link (``openid-credential-offer://?credential_offer=…``) with a pre-authorised code
and, by default, a 4-digit transaction code shown beside it (someone who photographs the QR
code cannot redeem it). The wallet then:

1. reads ``/.well-known/openid-credential-issuer`` (and the OAuth server metadata);
2. exchanges the code (and transaction code) at ``/wallet/token`` for a short access token —
   the code is single-use and the offer expires after :data:`OFFER_LIFETIME`;
3. takes a ``c_nonce`` from ``/wallet/nonce`` and signs a key proof over it;
4. asks ``/wallet/credential`` for the badge as ``ldp_vc`` (Data Integrity eddsa-rdfc-2022)
   or ``jwt_vc_json`` (VC-JWT); badger checks the proof (``badger.ob3.oid4vci``), spends the
   nonce, and signs the same credential — same id, same status entry, same dates — with
   ``credentialSubject.id`` set to the wallet's DID, so the wallet can present it as its own
   and a revocation of the badge revokes this copy too.

Both the 1.0 request forms (``credential_configuration_id`` or ``credential_identifier`` with
``proofs``) and the Draft 13 form (``format`` + ``credential_definition`` with ``proof``) that
deployed wallets still send are understood; the answer follows the request's form.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import audit, urls
from badger.accounts.models import Participant
from badger.awards import (
    build_credential,
    claimed_credential,
    own_credential,
    sign_data_integrity,
    sign_vc_jwt,
    signing_keys,
)
from badger.awards.models import ISSUED, Credential
from badger.db import utcnow
from badger.errors import UserError
from badger.ob3.oid4vci import KeyProofError, verify_key_proof
from badger.security import token_hash, url_token_hash
from badger.wallet.models import WalletNonce, WalletOffer

OFFER_LIFETIME = timedelta(minutes=10)
TOKEN_LIFETIME = timedelta(minutes=10)
NONCE_LIFETIME = timedelta(minutes=5)
#: Wrong transaction codes before the offer dies (4 digits: 5 tries in 10,000).
MAX_TX_ATTEMPTS = 5
TX_CODE_LENGTH = 4
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
LDP_VC = "OpenBadgeCredential_ldp_vc"
JWT_VC = "OpenBadgeCredential_jwt_vc_json"

#: What a wallet shows for a badger badge, per shipped UI language (metadata for machines).
DISPLAY = {
    "fr": "Badge de compétence",
    "en": "Skills badge",
    "ar": "شارة كفاءة",
    "uk": "Бейдж компетентності",
}
ISSUER_DISPLAY = {
    "fr": "badger — badges de compétences",
    "en": "badger — skills badges",
    "ar": "badger — شارات الكفاءات",
    "uk": "badger — бейджі компетентностей",
}


def _display(names: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "locale": locale} for locale, name in names.items()]


#: The two credential configurations: one Open Badge, two formats.
CONFIGURATIONS: dict[str, dict[str, Any]] = {
    LDP_VC: {
        "format": "ldp_vc",
        "scope": "OpenBadgeCredential",
        "cryptographic_binding_methods_supported": ["did:key", "did:jwk", "jwk"],
        "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
        "proof_types_supported": {
            "jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}
        },
        "credential_definition": {"@context": [VC_CONTEXT, OB_CONTEXT], "type": CREDENTIAL_TYPE},
        "credential_metadata": {"display": _display(DISPLAY)},
        "display": _display(DISPLAY),
    },
    JWT_VC: {
        "format": "jwt_vc_json",
        "scope": "OpenBadgeCredential",
        "cryptographic_binding_methods_supported": ["did:key", "did:jwk", "jwk"],
        "credential_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
        "proof_types_supported": {
            "jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}
        },
        "credential_definition": {"type": CREDENTIAL_TYPE},
        "credential_metadata": {"display": _display(DISPLAY)},
        "display": _display(DISPLAY),
    },
}


class WalletError(Exception):
    """An OAuth / OID4VCI error answer: ``error`` code, description, HTTP status. ``keep``:
    what the request wrote must be saved although it fails (a wrong transaction code counted,
    a fresh nonce handed out with the error)."""

    def __init__(self, error: str, description: str, status: int = 400, *,
                 keep: bool = False, c_nonce: str | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.keep = keep
        self.c_nonce = c_nonce

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.error, "error_description": self.description}
        if self.c_nonce is not None:
            out["c_nonce"] = self.c_nonce
            out["c_nonce_expires_in"] = int(NONCE_LIFETIME.total_seconds())
        return out


# --------------------------------------------------------------------------- metadata


def issuer_identifier() -> str:
    """The Credential Issuer Identifier: this server's base URL (one issuer endpoint serves
    every organisation; each credential names its own organisation as issuer)."""
    return urls.base_url()


def issuer_metadata() -> dict[str, Any]:
    """``/.well-known/openid-credential-issuer``. It repeats the OAuth server's endpoints
    (``issuer``, ``token_endpoint``): badger is its own authorisation server, and some
    clients read them from here."""
    base = issuer_identifier()
    return {
        "credential_issuer": base,
        "issuer": base,
        "credential_endpoint": f"{base}/wallet/credential",
        "nonce_endpoint": f"{base}/wallet/nonce",
        "token_endpoint": f"{base}/wallet/token",
        "authorization_details_types_supported": ["openid_credential"],
        "pre-authorized_grant_anonymous_access_supported": True,
        "display": _display(ISSUER_DISPLAY),
        "credential_configurations_supported": CONFIGURATIONS,
    }


def authorization_server_metadata() -> dict[str, Any]:
    """``/.well-known/oauth-authorization-server`` (RFC 8414) for the pre-authorised flow."""
    base = issuer_identifier()
    return {
        "issuer": base,
        "token_endpoint": f"{base}/wallet/token",
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "authorization_details_types_supported": ["openid_credential"],
        "response_types_supported": [],
    }


# --------------------------------------------------------------------------- offers


@dataclass(frozen=True)
class OfferCreated:
    """What the participant's page shows: the deep link (also in the QR code), the
    transaction code to type in the wallet (None: not asked), and until when it works."""

    offer: dict[str, Any]
    deep_link: str
    tx_code: str | None
    expires_at: datetime


def offerable(cred: Credential, now: datetime) -> bool:
    """A badge can go into a wallet while it is issued, not withdrawn nor on hold, and valid."""
    return (cred.state == ISSUED and cred.revoked_at is None and cred.suspended_at is None
            and cred.signed_json is not None
            and (cred.valid_until is None or cred.valid_until > now))


def create_offer(session: Session, participant: Participant, credential_id: int, *,
                 with_tx_code: bool = True, now: datetime | None = None) -> OfferCreated:
    """A new single-use offer of one of the participant's badges to their wallet."""
    now = now or utcnow()
    cred = own_credential(session, participant, credential_id)
    return _new_offer(session, cred, with_tx_code=with_tx_code, now=now, via="portfolio")


def create_claim_offer(session: Session, code: str, claimed_here: Collection[int], *,
                       with_tx_code: bool = True, now: datetime | None = None) -> OfferCreated:
    """The same offer from the claim page, for the one badge that claim code issued, in the
    browser that redeemed it and for a while only (:func:`badger.awards.claimed_credential`).
    The claim code goes nowhere near the offer: the pre-authorised code is a fresh secret."""
    now = now or utcnow()
    cred = claimed_credential(session, code, claimed_here, now=now)
    return _new_offer(session, cred, with_tx_code=with_tx_code, now=now, via="claim")


def _new_offer(session: Session, cred: Credential, *, with_tx_code: bool, now: datetime,
               via: str) -> OfferCreated:
    if not offerable(cred, now):
        raise UserError(_l("Ce badge n'est plus valable : il ne peut pas aller dans un "
                           "portefeuille."), 409)
    code = secrets.token_urlsafe(32)
    tx_code = (f"{secrets.randbelow(10 ** TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}"
               if with_tx_code else None)
    row = WalletOffer(
        organisation_id=cred.organisation_id, credential_id=cred.id,
        participant_id=cred.participant_id, code_hash=url_token_hash(code),
        tx_code_hash=token_hash(tx_code) if tx_code else None,
        expires_at=now + OFFER_LIFETIME,
    )
    session.add(row)
    session.flush()
    audit.record(session, "wallet.offer", organisation_id=cred.organisation_id,
                 object_type="Credential", object_id=cred.id, tx_code=tx_code is not None,
                 via=via)
    grant: dict[str, Any] = {"pre-authorized_code": code}
    if tx_code:
        grant["tx_code"] = {"input_mode": "numeric", "length": TX_CODE_LENGTH,
                            "description": "Code à 4 chiffres affiché à côté du QR code"}
    offer = {
        "credential_issuer": issuer_identifier(),
        "credential_configuration_ids": [LDP_VC, JWT_VC],
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }
    text = json.dumps(offer, separators=(",", ":"), ensure_ascii=False)
    link = "openid-credential-offer://?credential_offer=" + quote(text, safe="")
    return OfferCreated(offer=offer, deep_link=link, tx_code=tx_code,
                        expires_at=row.expires_at)


# --------------------------------------------------------------------------- token


def _offer_by_code(session: Session, code: str) -> WalletOffer | None:
    return session.execute(
        select(WalletOffer).where(WalletOffer.code_hash == url_token_hash(code))
        .execution_options(unscoped=True).with_for_update()
    ).scalar_one_or_none()


def _check_tx_code(offer: WalletOffer, tx_code: str | None, now: datetime) -> None:
    if offer.tx_code_hash is None:
        if tx_code:
            raise WalletError("invalid_request", "this offer asks for no transaction code")
        return
    if not tx_code:
        raise WalletError("invalid_request", "this offer needs its transaction code (tx_code)")
    if token_hash(tx_code[:20]) != offer.tx_code_hash:
        offer.tx_attempts += 1
        if offer.tx_attempts >= MAX_TX_ATTEMPTS:
            offer.expires_at = now  # too many wrong codes: the participant asks for a new offer
        raise WalletError("invalid_grant", "the transaction code is wrong", keep=True)


def _authorization_details(raw: str | None) -> list[dict[str, Any]] | None:
    """The ``openid_credential`` authorization details asked with the token, answered with one
    credential identifier per configuration (the configuration id itself: one badge each)."""
    if not raw:
        return None
    try:
        asked = json.loads(raw)
    except ValueError:
        asked = None
    if not isinstance(asked, list) or not asked or len(asked) > 4:
        raise WalletError("invalid_request", "authorization_details is not a JSON array")
    out = []
    for item in asked:
        config = item.get("credential_configuration_id") if isinstance(item, dict) else None
        if (not isinstance(item, dict) or item.get("type") != "openid_credential"
                or config not in CONFIGURATIONS):
            raise WalletError("invalid_authorization_details",
                              "unknown credential configuration in authorization_details")
        out.append({"type": "openid_credential", "credential_configuration_id": config,
                    "credential_identifiers": [config]})
    return out


def exchange_code(session: Session, form: Mapping[str, str], *,
                  now: datetime | None = None) -> dict[str, Any]:
    """The token endpoint: a live, unused pre-authorised code (and its transaction code) for
    an access token valid :data:`TOKEN_LIFETIME` on this one offer."""
    now = now or utcnow()
    if form.get("grant_type") != PRE_AUTHORIZED_GRANT:
        raise WalletError("unsupported_grant_type", "only the pre-authorized_code grant")
    code = form.get("pre-authorized_code") or ""
    offer = _offer_by_code(session, code[:200]) if code else None
    if offer is None or offer.expires_at <= now or offer.redeemed_at is not None:
        raise WalletError("invalid_grant", "the code is unknown, used or expired")
    _check_tx_code(offer, form.get("tx_code") or form.get("user_pin"), now)
    details = _authorization_details(form.get("authorization_details"))
    token = secrets.token_urlsafe(32)
    offer.redeemed_at = now
    offer.token_hash = url_token_hash(token)
    offer.token_expires_at = now + TOKEN_LIFETIME
    session.flush()
    body: dict[str, Any] = {"access_token": token, "token_type": "bearer",
                            "expires_in": int(TOKEN_LIFETIME.total_seconds())}
    if details:
        body["authorization_details"] = details
    return body


# --------------------------------------------------------------------------- nonces


def new_nonce(session: Session, *, now: datetime | None = None) -> str:
    """A fresh ``c_nonce`` (only its hash is kept), valid :data:`NONCE_LIFETIME`, single-use."""
    now = now or utcnow()
    nonce = secrets.token_urlsafe(24)
    session.add(WalletNonce(nonce_hash=url_token_hash(nonce), expires_at=now + NONCE_LIFETIME))
    session.flush()
    return nonce


def _spend_nonce(session: Session, nonce: str, now: datetime) -> bool:
    row = session.execute(
        select(WalletNonce).where(WalletNonce.nonce_hash == url_token_hash(nonce[:200]))
        .with_for_update()
    ).scalar_one_or_none()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return False
    row.used_at = now
    return True


# --------------------------------------------------------------------------- credential


@dataclass(frozen=True)
class CredentialRequest:
    """A credential request read in either form: which configuration, which key proof, and
    whether to answer in the Draft 13 shape."""

    configuration: str
    proof_jwt: str | None
    draft13: bool


def _configuration_of(body: Mapping[str, Any]) -> tuple[str, bool]:
    for key in ("credential_configuration_id", "credential_identifier"):
        value = body.get(key)
        if value is not None:
            if value not in CONFIGURATIONS:
                raise WalletError("unknown_credential_configuration"
                                  if key == "credential_configuration_id"
                                  else "unknown_credential_identifier",
                                  f"{key} is not one this issuer offers")
            return str(value), False
    fmt, definition = body.get("format"), body.get("credential_definition")
    if isinstance(fmt, str) and isinstance(definition, Mapping):
        types = definition.get("type")
        for config_id, config in CONFIGURATIONS.items():
            if config["format"] == fmt and isinstance(types, list) and set(types) == set(
                    CREDENTIAL_TYPE):
                return config_id, True
        raise WalletError("unsupported_credential_format", "format or type not offered")
    raise WalletError("invalid_credential_request",
                      "name a credential_configuration_id or a credential_identifier")


def _proof_of(body: Mapping[str, Any]) -> str | None:
    proofs, proof = body.get("proofs"), body.get("proof")
    if proofs is not None and proof is not None:
        raise WalletError("invalid_credential_request", "send proofs or proof, not both")
    if isinstance(proofs, Mapping):
        jwts = proofs.get("jwt")
        if not isinstance(jwts, list) or len(jwts) != 1 or not isinstance(jwts[0], str):
            raise WalletError("invalid_proof", "proofs.jwt must hold one key proof")
        return jwts[0]
    if isinstance(proof, Mapping):
        if proof.get("proof_type") != "jwt" or not isinstance(proof.get("jwt"), str):
            raise WalletError("invalid_proof", "only jwt key proofs are accepted")
        return str(proof["jwt"])
    if proofs is not None or proof is not None:
        raise WalletError("invalid_proof", "the key proof is not readable")
    return None


def read_request(body: Mapping[str, Any]) -> CredentialRequest:
    configuration, draft13 = _configuration_of(body)
    return CredentialRequest(configuration, _proof_of(body), draft13)


def _offer_by_token(session: Session, token: str, now: datetime) -> WalletOffer:
    offer = session.execute(
        select(WalletOffer).where(WalletOffer.token_hash == url_token_hash(token[:200]))
        .execution_options(unscoped=True).with_for_update()
    ).scalar_one_or_none()
    if offer is None or offer.token_expires_at is None or offer.token_expires_at <= now:
        raise WalletError("invalid_token", "the access token is unknown or expired", 401)
    return offer


def bound_credential(session: Session, cred: Credential, holder: str, fmt: str,
                     now: datetime) -> dict[str, Any] | str:
    """The badge signed again for the wallet: the same credential (id, dates, status entry,
    issuer identifier) with ``credentialSubject.id`` = the wallet's DID."""
    org = cred.achievement.organisation
    unsigned = build_credential(session, cred)
    unsigned["credentialSubject"] = {**unsigned["credentialSubject"], "id": holder}
    keys = signing_keys(org)
    if fmt == "ldp_vc":
        return sign_data_integrity(org, keys, unsigned, created=now.replace(microsecond=0))
    return sign_vc_jwt(org, keys, unsigned)


def _prove_holder(session: Session, proof_jwt: str | None, now: datetime) -> str:
    if proof_jwt is None:
        raise WalletError("invalid_proof", "a key proof over a c_nonce is required",
                          keep=True, c_nonce=new_nonce(session, now=now))
    try:
        proof = verify_key_proof(proof_jwt, audience=issuer_identifier(), now=now)
    except KeyProofError as exc:
        if exc.code == "invalid_nonce":
            raise WalletError("invalid_nonce", str(exc), keep=True,
                              c_nonce=new_nonce(session, now=now)) from exc
        raise WalletError("invalid_proof", str(exc)) from exc
    if not _spend_nonce(session, proof.nonce, now):
        raise WalletError("invalid_nonce", "the c_nonce is unknown, used or expired",
                          keep=True, c_nonce=new_nonce(session, now=now))
    return proof.holder


def credential_response(session: Session, token: str, body: Mapping[str, Any], *,
                        now: datetime | None = None) -> dict[str, Any]:
    """The credential endpoint: the offered badge, bound to the key the wallet proved."""
    now = now or utcnow()
    offer = _offer_by_token(session, token, now)
    request = read_request(body)
    holder = _prove_holder(session, request.proof_jwt, now)
    if offer.holder_id is not None and offer.holder_id != holder:
        raise WalletError("invalid_proof", "this offer was delivered to another key", keep=True)
    cred = offer.credential
    if not offerable(cred, now):
        raise WalletError("credential_request_denied", "this badge is no longer valid",
                          keep=True)
    fmt = CONFIGURATIONS[request.configuration]["format"]
    credential = bound_credential(session, cred, holder, fmt, now)
    first = offer.delivered_at is None
    offer.holder_id = holder
    offer.delivered_at = offer.delivered_at or now
    audit.record(session, "wallet.deliver", organisation_id=offer.organisation_id,
                 object_type="Credential", object_id=cred.id, format=fmt, first=first)
    session.flush()
    if request.draft13:
        return {"format": fmt, "credential": credential}
    return {"credentials": [{"credential": credential}]}
