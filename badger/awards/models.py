"""Badge definitions (OB 3.0 Achievements), issued credentials, claims and status lists.

Integrity rules held by the database itself, so no code path can break them:

* one credential per participant and badge (``uq_award_credentials_participant_id``): a double
  submit, a retry or two coaches awarding at once can never yield two credentials;
* one credential per status-list bit (``(revocation_list_id, revocation_index)``): the index
  is allocated in the credential's own row, in the same transaction, so a crash can never
  leave a consumed index without its credential;
* claim codes are stored as keyed hashes only, and each credential has at most one claim.

Key material never lives here (see :mod:`badger.awards.keys`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.accounts.models import Participant, User
from badger.db import Base, OrgScopedMixin, StatusListColumns, TimestampMixin, UTCDateTime
from badger.networks.models import Organisation

#: Credential lifecycle (``revoked`` is final; ``suspended`` can be lifted).
CLAIM_PENDING = "claim_pending"
ISSUED = "issued"
CREDENTIAL_STATES = (CLAIM_PENDING, ISSUED)


class Achievement(OrgScopedMixin, TimestampMixin, Base):
    """A badge definition of one organisation, aligned to one référentiel competence."""

    __tablename__ = "award_achievements"
    __table_args__ = (
        CheckConstraint("min_level >= 0 AND min_level <= 5", name="min_level"),
        CheckConstraint("validity_days IS NULL OR validity_days > 0", name="validity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public, permanent: ``{base}/achievements/<uuid>``.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    criteria_narrative: Mapped[str] = mapped_column(Text)
    achievement_type: Mapped[str] = mapped_column(String(60), default="Competency")
    #: BCP 47 code of the texts (``inLanguage``).
    language: Mapped[str] = mapped_column(String(12), default="fr")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    referentiel_version_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_versions.id", ondelete="RESTRICT"), index=True
    )
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_competences.id", ondelete="RESTRICT"), index=True
    )
    #: Lowest agreed level (0–5) that earns the badge.
    min_level: Mapped[int] = mapped_column(Integer, default=3)
    #: Credentials expire this many days after issuance (``validUntil``); None = no expiry.
    validity_days: Mapped[int | None] = mapped_column(Integer)
    pictogram: Mapped[str | None] = mapped_column(String(80))
    image_png: Mapped[bytes] = mapped_column(LargeBinary)
    image_svg: Mapped[str | None] = mapped_column(Text)
    image_alt: Mapped[str] = mapped_column(String(500))
    #: "generated" (Pillow, from colours + pictogram + label) or "uploaded" (re-encoded PNG).
    image_source: Mapped[str] = mapped_column(String(12), default="generated")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()


class AchievementTranslation(OrgScopedMixin, TimestampMixin, Base):
    """A badge definition's texts in one more language (the main one is ``Achievement.language``).

    Read with explicit, unscoped queries (``service.translations_of``): public pages serve them
    whatever organisation the visitor is logged in to.
    """

    __tablename__ = "award_achievement_translations"
    __table_args__ = (UniqueConstraint("achievement_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("award_achievements.id", ondelete="CASCADE"), index=True
    )
    #: BCP 47 code (the OB 3.0 ``inLanguage`` pattern), never the achievement's main language.
    language: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    #: "" = no narrative of its own (the document keeps the criteria page URL).
    criteria_narrative: Mapped[str] = mapped_column(Text, default="")
    image_alt: Mapped[str] = mapped_column(String(500), default="")


class StatusList(StatusListColumns, OrgScopedMixin, Base):
    """One Bitstring Status List of an organisation (purpose revocation or suspension)."""

    __tablename__ = "award_status_lists"
    __table_args__ = (
        UniqueConstraint("organisation_id", "purpose", "number"),
        CheckConstraint("purpose IN ('revocation', 'suspension')", name="purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The issuer id the list is signed as, fixed when the list is made (NULL: the https id,
    #: lists made before 0014): a credential's list must keep naming the credential's issuer,
    #: so a new identifier choice starts a new list instead of re-signing this one as another.
    issuer_id: Mapped[str | None] = mapped_column(String(500))

    organisation: Mapped[Organisation] = relationship()


class Credential(OrgScopedMixin, TimestampMixin, Base):
    """One awarded badge: the signed documents (DI JSON, VC-JWT, baked PNG/SVG) and its state."""

    __tablename__ = "award_credentials"
    __table_args__ = (
        UniqueConstraint("participant_id", "achievement_id"),
        UniqueConstraint("revocation_list_id", "revocation_index"),
        CheckConstraint("state IN ('claim_pending', 'issued')", name="state"),
        CheckConstraint("level >= 0 AND level <= 5", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public, permanent: the credential id is ``{base}/credentials/<uuid>``.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("award_achievements.id", ondelete="RESTRICT"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    validated_competence_id: Mapped[int | None] = mapped_column(
        ForeignKey("grid_validated_competences.id", ondelete="SET NULL"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("grid_sessions.id", ondelete="SET NULL"), index=True
    )
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("grid_rounds.id", ondelete="SET NULL"), index=True
    )
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default=ISSUED)
    level: Mapped[int] = mapped_column(Integer)
    narrative: Mapped[str] = mapped_column(Text, default="")
    #: BCP 47 code the credential is written in (achievement texts and evidence), chosen at
    #: award time and kept on re-issue (0010 filled older rows with the badge's main language).
    language: Mapped[str | None] = mapped_column(String(12))
    #: Evidence entries as built into the credential (session, round, observation, chart URL).
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    #: The credentialSubject identifier (hashed IdentityObject) or ``{"id": did}``; never raw.
    recipient: Mapped[dict[str, Any]] = mapped_column(default=dict)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_list_id: Mapped[int | None] = mapped_column(
        ForeignKey("award_status_lists.id", ondelete="RESTRICT")
    )
    revocation_index: Mapped[int | None] = mapped_column(Integer)
    signed_json: Mapped[str | None] = mapped_column(Text)
    signed_jwt: Mapped[str | None] = mapped_column(Text)
    baked_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    baked_svg: Mapped[bytes | None] = mapped_column(LargeBinary)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    #: Set by the participant (portfolio domain): the credential answers at its id URL.
    public: Mapped[bool] = mapped_column(Boolean, default=False)

    achievement: Mapped[Achievement] = relationship()
    participant: Mapped[Participant] = relationship()
    awarded_by: Mapped[User | None] = relationship()
    revocation_list: Mapped[StatusList | None] = relationship()

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.suspended_at is not None:
            return "suspended"
        return self.state


class Claim(OrgScopedMixin, TimestampMixin, Base):
    """A held award for a participant known only by name: redeemed once with a code."""

    __tablename__ = "award_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(
        ForeignKey("award_credentials.id", ondelete="CASCADE"), unique=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "emailAddress", "phone" or "did": what was bound (never the value itself).
    bound_with: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    credential: Mapped[Credential] = relationship()


class AwardConsent(OrgScopedMixin, TimestampMixin, Base):
    """A participant's yes/no to receiving the badge a validated competence proposes."""

    __tablename__ = "award_consents"
    __table_args__ = (UniqueConstraint("validated_competence_id", "achievement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    validated_competence_id: Mapped[int] = mapped_column(
        ForeignKey("grid_validated_competences.id", ondelete="CASCADE"), index=True
    )
    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("award_achievements.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    accepted: Mapped[bool] = mapped_column(Boolean)


class AwardJob(OrgScopedMixin, TimestampMixin, Base):
    """A long batch processed in the background, one transaction per row, with its progress.

    The requests' addresses (e-mail, phone, DID) stay in memory; the plan keeps the rest of each
    row so an interrupted job can be resumed, and per-row outcomes are stored, so a clear
    address never reaches the database.
    """

    __tablename__ = "award_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'finished', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("award_achievements.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("grid_sessions.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="running")
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    #: [{"row", "participant_id", "name", "outcome", "message", "credential_id"}]: one per
    #: processed row ("row": its index in ``plan``), written in the transaction that issued it.
    results: Mapped[list[Any]] = mapped_column(default=list)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: Last sign of life of the thread running the job (None while queued; set when a process
    #: claims it, then after each row): a "running" job whose heartbeat (or, queued, whose
    #: creation) is older than ``jobs.STALE_AFTER`` was interrupted.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The rows to award, in order, for a resume — without addresses: [{"participant_id",
    #: "level", "narrative", "validated_competence_id", "observation", "address"}], where
    #: "address" only says the row carried an e-mail, phone or DID (those stay in memory).
    plan: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")

    achievement: Mapped[Achievement] = relationship()


class EvidenceImage(OrgScopedMixin, Base):
    """A chart the participant chose to attach to their badge when accepting it: frozen PNG,
    public at ``{base}/evidence/<token>.png`` (cited as Evidence), gone with the credential."""

    __tablename__ = "award_evidence_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``secrets.token_urlsafe``: the URL is the only way to the picture (never an id).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    credential_id: Mapped[int] = mapped_column(
        ForeignKey("award_credentials.id", ondelete="CASCADE"), unique=True
    )
    png: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    credential: Mapped[Credential] = relationship()


class HolderWithdrawal(OrgScopedMixin, Base):
    """A credential withdrawn because its holder erased their data (``portfolio.service.erase``).

    The credential row is deleted with everything else of theirs; its status bit stays set, so
    every copy handed out verifies as revoked. This row says why, so that badger's own pages
    tell "a copy was withdrawn at the holder's request" rather than "the issuer withdrew it".
    No personal data: the credential's public, random uuid (known only to whoever holds a copy)
    and the moment. Kept as long as the status bit (never purged).
    """

    __tablename__ = "award_holder_withdrawals"

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime())
