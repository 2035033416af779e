"""What ``badger purge`` deletes of wallet delivery: offers and nonces long dead.

An offer holds only hashes, the badge and participant ids, and — once delivered — the wallet's
DID it was bound to; nobody reads it after it expired (the wallet holds its credential, the
audit trail records the delivery). It goes ``BADGER_RETENTION_CODES_DAYS`` after the later of
its expiry and its token's, like the other codes; a nonce the same period after its expiry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_

from badger.maintenance import Purge, Retention
from badger.wallet.models import WalletNonce, WalletOffer


def purges(now: datetime, retention: Retention) -> list[Purge]:
    cutoff = now - retention.codes
    return [
        Purge("wallet.offers", WalletOffer,
              (WalletOffer.expires_at < cutoff)
              & or_(WalletOffer.token_expires_at.is_(None),
                    WalletOffer.token_expires_at < cutoff)),
        Purge("wallet.nonces", WalletNonce, WalletNonce.expires_at < cutoff),
    ]
