"""Share links (consent to show chosen items), their view log, and imported credentials.

Privacy rules held here:

* a share's token is never stored, only its keyed hash (``badger.security.url_token_hash``);
* a share shows only its ``ShareItem`` rows, chosen by the participant;
* a ``ShareView`` records that the page was opened and when — no address, no browser, nothing
  that identifies the viewer;
* an imported credential is kept exactly as received (``raw``), with what we learnt verifying it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.accounts.models import Participant
from badger.db import Base, OrgScopedMixin, TimestampMixin, UTCDateTime

ITEM_CREDENTIAL = "credential"
ITEM_CHART = "chart"
ITEM_IMPORTED = "imported"
ITEM_KINDS = (ITEM_CREDENTIAL, ITEM_CHART, ITEM_IMPORTED)


class Share(OrgScopedMixin, TimestampMixin, Base):
    """A link a participant gives to someone (a recruiter): label, expiry, chosen items."""

    __tablename__ = "portfolio_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    #: HMAC-SHA256 of the token (hex); the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: Show the participant's display name on the page (their choice; off by default).
    show_name: Mapped[bool] = mapped_column(default=False)

    participant: Mapped[Participant] = relationship()
    items: Mapped[list[ShareItem]] = relationship(
        back_populates="share", cascade="all, delete-orphan", order_by="ShareItem.position"
    )


class ShareItem(Base):
    """One chosen item of a share: an issued credential, a grid chart or an imported badge."""

    __tablename__ = "portfolio_share_items"
    __table_args__ = (
        CheckConstraint("kind IN ('credential', 'chart', 'imported')", name="kind"),
        CheckConstraint(
            "(CASE WHEN credential_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN round_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN imported_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_shares.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("award_credentials.id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("grid_rounds.id", ondelete="CASCADE"), index=True
    )
    imported_id: Mapped[int | None] = mapped_column(
        ForeignKey("portfolio_imports.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    share: Mapped[Share] = relationship(back_populates="items")


class ShareView(Base):
    """The share page was opened (when only; nothing about who)."""

    __tablename__ = "portfolio_share_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_shares.id", ondelete="CASCADE"), index=True
    )
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ImportedCredential(OrgScopedMixin, TimestampMixin, Base):
    """An Open Badges 3.0 credential the participant received elsewhere, kept as received."""

    __tablename__ = "portfolio_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    #: 'json', 'jwt', 'png' or 'svg': the form it arrived in.
    format: Mapped[str] = mapped_column(String(8))
    #: The bytes exactly as received (JSON/JWT text as UTF-8, images as they came).
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    issuer_id: Mapped[str | None] = mapped_column(String(500))
    issuer_name: Mapped[str | None] = mapped_column(String(300))
    achievement_name: Mapped[str | None] = mapped_column(String(300))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: 'verified', 'failed' or 'unknown' at the last verification.
    last_state: Mapped[str] = mapped_column(String(12))
    last_report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: How the badge was shown to be the participant's: 'email', 'phone' or 'did' (its subject
    #: is an identity they proved, see badger.holders); NULL: not shown to be theirs (imported
    #: before the rule), kept private and never offered in a share.
    holder_proof: Mapped[str | None] = mapped_column(String(8))

    participant: Mapped[Participant] = relationship()

    @property
    def bound(self) -> bool:
        """Issued to this participant (proven), so it may be shown in a share."""
        return self.holder_proof is not None
