"""Référentiels, their versions, categories, competences and adoptions.

A référentiel belongs to a network, an organisation, or to nobody (the ones badger ships). Its
versions are drafts until published; a published version is immutable forever, because badges
and grids cite it. That rule is enforced twice: in ``service.py`` and by a ``before_flush``
guard here, so no code path (route, CLI, shell) can change a published version's rows. One
narrow exception, inside :func:`adding_translations` only: a shipped version may gain
translations and pictograms (they change no normative text, identifier or credential; see
``service.import_framework``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from badger.db import Base, OrgScopedMixin, TimestampMixin, UTCDateTime
from badger.networks.models import Network, Organisation

DRAFT = "draft"
PUBLISHED = "published"


class PublishedVersionError(RuntimeError):
    """Raised at flush time when something tries to change a published version."""


class Referentiel(TimestampMixin, Base):
    """A competence framework, citable by its stable ``uuid`` and ``key``."""

    __tablename__ = "referentiels"
    __table_args__ = (
        CheckConstraint(
            "network_id IS NULL OR organisation_id IS NULL", name="one_owner"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    #: Shipped with badger (loaded by ``badger init``); nobody edits it, anyone can derive.
    shipped: Mapped[bool] = mapped_column(Boolean, default=False)

    network: Mapped[Network | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    versions: Mapped[list[ReferentielVersion]] = relationship(
        back_populates="referentiel",
        order_by="ReferentielVersion.number",
        foreign_keys="ReferentielVersion.referentiel_id",
    )

    @property
    def owner_name(self) -> str:
        if self.network is not None:
            return self.network.name
        if self.organisation is not None:
            return self.organisation.name
        return "badger"

    @property
    def latest_published(self) -> ReferentielVersion | None:
        published = [v for v in self.versions if v.status == PUBLISHED]
        return published[-1] if published else None

    @property
    def draft(self) -> ReferentielVersion | None:
        return next((v for v in self.versions if v.status == DRAFT), None)


class ReferentielVersion(TimestampMixin, Base):
    """One version: the CASE CFDocument. Draft until published; then frozen."""

    __tablename__ = "referentiel_versions"
    __table_args__ = (
        UniqueConstraint("referentiel_id", "number"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referentiel_id: Mapped[int] = mapped_column(
        ForeignKey("referentiels.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    #: CFDocument identifier (UUIDv5, or the imported package's own).
    identifier: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The version this one was derived or copied from (another référentiel, or the previous).
    source_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("referentiel_versions.id", ondelete="SET NULL"), index=True
    )
    # CFDocument fields
    title: Mapped[str] = mapped_column(String(500))
    creator: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(12), default="fr")
    version_label: Mapped[str] = mapped_column(String(40), default="1")
    adoption_status: Mapped[str] = mapped_column(String(60), default="")
    official_source_url: Mapped[str] = mapped_column(String(1000), default="")
    subject: Mapped[list[Any]] = mapped_column(default=list)
    #: {"title", "uri", "text", "identifier"} or None.
    license: Mapped[dict[str, Any] | None] = mapped_column()
    #: Rubrics (scales): [{"identifier", "title", "description", "last_change"}], in order.
    rubrics: Mapped[list[Any]] = mapped_column(default=list)
    #: Association identifiers kept from an imported package: [[origin, type, dest, id], ...].
    association_ids: Mapped[list[Any]] = mapped_column(default=list)
    last_change: Mapped[str] = mapped_column(String(40), default="")
    #: sha256 of the canonical CASE package; set at publication (ETag, idempotent import).
    content_hash: Mapped[str | None] = mapped_column(String(64))

    referentiel: Mapped[Referentiel] = relationship(
        back_populates="versions", foreign_keys=[referentiel_id]
    )
    source_version: Mapped[ReferentielVersion | None] = relationship(remote_side=[id])
    categories: Mapped[list[Category]] = relationship(
        back_populates="version", order_by="Category.position", cascade="all, delete-orphan"
    )
    competences: Mapped[list[Competence]] = relationship(
        back_populates="version", order_by="Competence.position", cascade="all, delete-orphan"
    )
    case_source: Mapped[CaseSource | None] = relationship(
        back_populates="version", cascade="all, delete-orphan", uselist=False
    )

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED


class Category(Base):
    """A grouping item (domain, pôle, axis); may nest under another category."""

    __tablename__ = "referentiel_categories"
    __table_args__ = (UniqueConstraint("version_id", "identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_versions.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("referentiel_categories.id", ondelete="CASCADE")
    )
    identifier: Mapped[str] = mapped_column(String(36), index=True)
    code: Mapped[str] = mapped_column(String(120), default="")
    label: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    pictogram: Mapped[str | None] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(12), default="fr")
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    links: Mapped[list[Any]] = mapped_column(default=list)
    last_change: Mapped[str] = mapped_column(String(40), default="")

    version: Mapped[ReferentielVersion] = relationship(back_populates="categories")
    parent: Mapped[Category | None] = relationship(remote_side=[id])


class Competence(Base):
    """A competence (CASE CFItem), ordered, with its level texts for every scale."""

    __tablename__ = "referentiel_competences"
    __table_args__ = (UniqueConstraint("version_id", "identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_versions.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("referentiel_categories.id", ondelete="SET NULL"), index=True
    )
    identifier: Mapped[str] = mapped_column(String(36), index=True)
    code: Mapped[str] = mapped_column(String(120), default="")
    label: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    pictogram: Mapped[str | None] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(12), default="fr")
    #: Per rubric: [{"rubric", "criterion", "description", "weight",
    #:               "levels": [{"score", "quality", "description", "identifier"}]}]
    levels: Mapped[list[Any]] = mapped_column(default=list)
    #: {lang: {"label", "description", "identifier", "levels": [...]}}
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: [{"kind", "uri", "code", "label", "exact"}] — the "recruiter words"
    links: Mapped[list[Any]] = mapped_column(default=list)
    #: The competence this one was derived from (in another référentiel).
    source_competence_id: Mapped[int | None] = mapped_column(
        ForeignKey("referentiel_competences.id", ondelete="SET NULL")
    )
    last_change: Mapped[str] = mapped_column(String(40), default="")

    version: Mapped[ReferentielVersion] = relationship(back_populates="competences")
    category: Mapped[Category | None] = relationship()
    source_competence: Mapped[Competence | None] = relationship(remote_side=[id])

    def grid_entry(self) -> dict[str, Any] | None:
        """The levels entry of the first 0–5 scale (the grid), if any."""
        for entry in self.levels or []:
            scores = [lv["score"] for lv in entry["levels"]]
            if scores and min(scores) == 0 and max(scores) == 5:
                return dict(entry)
        return None

    def grid_levels(self) -> list[dict[str, Any]]:
        """Levels of the grid scale (0–5), else of the first scale."""
        entry = self.grid_entry()
        if entry is not None:
            return list(entry["levels"])
        return list(self.levels[0]["levels"]) if self.levels else []


class CaseSource(Base):
    """The CASE package a version was imported from, kept whole (normalised, see
    ``case/source.py``): what badger serves back is this package plus the edits made in badger
    since (``framework.served_package``), so nothing CASE carries is lost. ``baseline`` is
    badger's own writing of the version right after the import (host ``CANONICAL_BASE``): the
    difference between it and badger's writing now is what was edited."""

    __tablename__ = "referentiel_case_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_versions.id", ondelete="CASCADE"), unique=True
    )
    package: Mapped[dict[str, Any]] = mapped_column()
    baseline: Mapped[dict[str, Any]] = mapped_column()
    #: What badger keeps but cannot show: [{"location", "message"}] (French, as imported).
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    #: The normalisations applied: [{"pointer", "reason", "detail"}].
    normalisations: Mapped[list[Any]] = mapped_column(default=list)

    version: Mapped[ReferentielVersion] = relationship(back_populates="case_source")


class CaseObject(Base):
    """Where a published CASE identifier lives (associations, rubrics, criteria, levels)."""

    __tablename__ = "referentiel_case_objects"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    version_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_versions.id", ondelete="CASCADE"), index=True
    )


class Adoption(OrgScopedMixin, TimestampMixin, Base):
    """An organisation uses one pinned published version of a référentiel."""

    __tablename__ = "referentiel_adoptions"
    __table_args__ = (UniqueConstraint("organisation_id", "referentiel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referentiel_id: Mapped[int] = mapped_column(
        ForeignKey("referentiels.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("referentiel_versions.id", ondelete="RESTRICT"), index=True
    )
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    referentiel: Mapped[Referentiel] = relationship()
    version: Mapped[ReferentielVersion] = relationship()


# --------------------------------------------------------------------------- immutability


def _was_published(version: ReferentielVersion) -> bool:
    """True when the database already holds this version as published."""
    state = inspect(version)
    if state.pending or state.transient:
        return False
    history = state.attrs.status.history
    if history.deleted:
        return history.deleted[0] == PUBLISHED
    return version.status == PUBLISHED


def _owning_version(
    session: Session, obj: Category | Competence | CaseSource
) -> ReferentielVersion | None:
    if obj.version is not None:
        return obj.version
    if obj.version_id is None:
        return None
    with session.no_autoflush:
        return session.get(ReferentielVersion, obj.version_id)


_TRANSLATIONS_ONLY = "badger.referentiels.translations_only"


@contextmanager
def adding_translations(session: Session) -> Iterator[None]:
    """Within this block (flush before leaving it), the guard lets a published version's
    categories and competences change their ``translations`` (and gain a ``pictogram`` where
    they had none: :func:`badger.referentiels.translations.add_translations` checks that) and
    the version its ``content_hash`` — nothing else: no label, level, identifier, new or
    deleted row."""
    session.info[_TRANSLATIONS_ONLY] = True
    try:
        yield
    finally:
        session.info.pop(_TRANSLATIONS_ONLY, None)


def _changed(obj: Any) -> set[str]:
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}


def _gains_only(session: Session, obj: Any) -> bool:
    """Whether ``obj`` changed only its translations, or gained a pictogram it had none of
    (a pictogram replaced or removed is a change to what was published). The stored value is
    read from the database: an expired object set without loading keeps no old value."""
    changed = _changed(obj)
    if not changed <= {"translations", "pictogram"}:
        return False
    if "pictogram" in changed:
        cls = type(obj)
        with session.no_autoflush:
            stored = session.execute(select(cls.pictogram).where(cls.id == obj.id)).scalar()
        return stored is None
    return True


@event.listens_for(Session, "before_flush")
def _guard_published(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuse any change to a published version or to its categories and competences."""
    translations_only = bool(session.info.get(_TRANSLATIONS_ONLY))
    for obj in list(session.dirty) + list(session.deleted):
        if (
            isinstance(obj, ReferentielVersion)
            and _was_published(obj)
            and (obj in session.deleted or session.is_modified(obj, include_collections=False))
        ):
            if (translations_only and obj not in session.deleted
                    and _changed(obj) <= {"content_hash"}):
                continue
            raise PublishedVersionError(f"version {obj.identifier} is published")
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Category | Competence | CaseSource):
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            version = _owning_version(session, obj)
            if version is not None and _was_published(version):
                if (translations_only and obj in session.dirty and obj not in session.deleted
                        and _gains_only(session, obj)):
                    continue
                raise PublishedVersionError(f"version {version.identifier} is published")



# --------------------------------------------------------------------------- crosswalks

EXACT = "exactMatchOf"
RELATED = "isRelatedTo"
RELATIONS = (EXACT, RELATED)
SOURCED = "sourced"
PROPOSAL = "proposal"
PROVENANCE_KINDS = (SOURCED, PROPOSAL)


class Crosswalk(TimestampMixin, Base):
    """A "recruiter word" with its provenance: a competence of this référentiel (by code) is
    the same as, or related to, a competence of another référentiel or an ESCO skill. Kept
    apart from the versions: a published version never changes, but these links may be
    corrected at any time (:mod:`.crosswalks`)."""

    __tablename__ = "referentiel_crosswalks"
    __table_args__ = (
        UniqueConstraint("referentiel_id", "source_code", "target_key", "target_code",
                         "target_uri", name="uq_referentiel_crosswalks_one_mapping"),
        CheckConstraint("relation IN ('exactMatchOf', 'isRelatedTo')", name="relation"),
        CheckConstraint("provenance_kind IN ('sourced', 'proposal')", name="provenance_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The CFAssociation identifier (UUIDv5 of origin and target: stable across rebuilds).
    identifier: Mapped[str] = mapped_column(String(36), unique=True)
    referentiel_id: Mapped[int] = mapped_column(
        ForeignKey("referentiels.id", ondelete="CASCADE"), index=True
    )
    #: The origin competence's code (humanCodingScheme), the same in every version.
    source_code: Mapped[str] = mapped_column(String(120))
    #: Target in another référentiel: its key and the competence's code ("" otherwise).
    target_key: Mapped[str] = mapped_column(String(120), default="")
    target_code: Mapped[str] = mapped_column(String(120), default="")
    #: Target outside badger (an ESCO concept URI); "" for a référentiel target.
    target_uri: Mapped[str] = mapped_column(String(1000), default="")
    #: The outside target's label by language ({"en": "cope with pressure"}).
    target_labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    relation: Mapped[str] = mapped_column(String(20), default=RELATED)
    provenance_kind: Mapped[str] = mapped_column(String(12), default=PROPOSAL)
    #: The document, page or URL a sourced mapping comes from.
    provenance_source: Mapped[str] = mapped_column(String(1000), default="")
    provenance_note: Mapped[str] = mapped_column(Text, default="")
    #: Loaded from ``referentiels/crosswalks/`` (replaced at each ``badger init``).
    shipped: Mapped[bool] = mapped_column(Boolean, default=False)

    referentiel: Mapped[Referentiel] = relationship()

    @property
    def is_external(self) -> bool:
        return not self.target_key
