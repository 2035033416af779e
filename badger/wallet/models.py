"""What wallet delivery keeps: offers (hashes of their codes and tokens only) and nonces."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.accounts.models import Participant
from badger.awards.models import Credential
from badger.db import Base, OrgScopedMixin, TimestampMixin, UTCDateTime


class WalletOffer(OrgScopedMixin, TimestampMixin, Base):
    """One credential offered to the participant's wallet. Only keyed hashes of the
    pre-authorised code, of the transaction code and of the access token are stored: the offer
    itself travels by value in the QR code, so a database leak hands out no badge."""

    __tablename__ = "wallet_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(
        ForeignKey("award_credentials.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_hash: Mapped[str | None] = mapped_column(String(64))
    #: Wrong transaction codes so far: the offer dies at :data:`MAX_TX_ATTEMPTS`.
    tx_attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the code was exchanged for a token (single use).
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The wallet's DID the credential was bound to, and when it was first delivered.
    holder_id: Mapped[str | None] = mapped_column(String(2000))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    credential: Mapped[Credential] = relationship()
    participant: Mapped[Participant] = relationship()


class WalletNonce(TimestampMixin, Base):
    """A ``c_nonce`` handed out by the nonce endpoint: spent by the first key proof naming it."""

    __tablename__ = "wallet_nonces"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
