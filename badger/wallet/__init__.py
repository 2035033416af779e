"""Wallet delivery: a participant puts a badge into their own digital wallet with OpenID for
Verifiable Credential Issuance 1.0 (pre-authorised code flow), bound to the wallet's key."""

from badger.wallet.service import (
    CONFIGURATIONS,
    OfferCreated,
    WalletError,
    create_claim_offer,
    create_offer,
    credential_response,
    exchange_code,
    issuer_metadata,
    new_nonce,
)

__all__ = [
    "CONFIGURATIONS",
    "OfferCreated",
    "WalletError",
    "create_claim_offer",
    "create_offer",
    "credential_response",
    "exchange_code",
    "issuer_metadata",
    "new_nonce",
]
