"""Photolangage tables: the pictures a network adds to the shipped bank, and the picture a
participant chose during a round's conversation (a structured line of the round's notes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badger.accounts.models import User
from badger.db import Base, OrgScopedMixin, UTCDateTime, utcnow
from badger.networks.models import Network
from badger.referentiels.models import Competence

CHOOSERS = ("participant", "coach")


class NetworkPicture(Base):
    """A picture a network's administrator added to the photolangage bank (re-encoded PNG or
    JPEG, saved as ``photo-<hash>.<ext>`` beside the uploaded pictograms); the members of the
    network's organisations see it."""

    __tablename__ = "photolangage_pictures"
    __table_args__ = (CheckConstraint("ext in ('png', 'jpg')", name="photo_ext"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    #: ``photo-`` + 16 hex digits of the re-encoded file's SHA-256.
    name: Mapped[str] = mapped_column(String(40))
    ext: Mapped[str] = mapped_column(String(4))
    label: Mapped[str] = mapped_column(String(120))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    network: Mapped[Network] = relationship()

    @property
    def key(self) -> str:
        return f"net-{self.id}"

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.ext}"


class PictureChoice(OrgScopedMixin, Base):
    """One picture chosen during a round's conversation: which, about which competence (or
    none), who chose it, who wrote it down and when. The label is kept as it read then, so the
    line stays readable if a network later removes its picture."""

    __tablename__ = "grid_picture_choices"
    __table_args__ = (CheckConstraint("chosen_by in ('participant', 'coach')",
                                      name="picture_chooser"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("grid_rounds.id", ondelete="CASCADE"), index=True
    )
    #: a shipped picture's name, or ``net-<id>`` for a network's picture
    picture: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    competence_id: Mapped[int | None] = mapped_column(
        ForeignKey("referentiel_competences.id", ondelete="SET NULL")
    )
    chosen_by: Mapped[str] = mapped_column(String(16), default="participant")
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    competence: Mapped[Competence | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
