"""Database plumbing: the declarative base, one session per request, organisation scoping.

Organisation scoping is enforced here, once: every ORM query made while a request has an
organisation in scope is filtered by ``with_loader_criteria`` for all models that carry
``OrgScopedMixin``. Views cannot forget it; code that must look across organisations (public
pages, CLI) says so explicitly with :func:`unscoped`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from flask import Flask, abort, current_app, g
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    sessionmaker,
    with_loader_criteria,
)
from sqlalchemy.pool import StaticPool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SCOPE_KEY = "badger.organisation_id"


def utcnow() -> datetime:
    """Now, timezone-aware UTC, truncated to microseconds like the databases keep it."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store naive UTC, hand back aware UTC: SQLite and PostgreSQL then behave the same."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; use badger.db.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base shared by every domain; deterministic constraint names for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class StatusListColumns:
    """The columns of a stored Bitstring Status List, an issuer's (``badger.awards``) or a
    network's (``badger.networks``): its bits and, until the next flip, its signed credential."""

    purpose: Mapped[str] = mapped_column(String(12))
    number: Mapped[int] = mapped_column(Integer, default=1)
    size: Mapped[int] = mapped_column(Integer)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    #: The signed list credential, cached until the next bit flip (None = sign it again).
    signed_json: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def set_status(self, index: int, value: bool) -> None:
        """Set one entry's bit; the signed credential is stale until signed again."""
        from badger.ob3 import statuslist

        self.bits = statuslist.set_bit(self.bits, index, value)
        self.signed_json = None
        self.etag = None
        self.updated_at = utcnow()


class OrgScopedMixin:
    """Rows that belong to one organisation; filtered automatically while a scope is set."""

    @declared_attr
    def organisation_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)


class Database:
    """The engine and session factory of one app (kept in ``app.extensions``)."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
            if url in {"sqlite://", "sqlite:///:memory:"}:
                kwargs["poolclass"] = StaticPool
        else:
            kwargs["pool_pre_ping"] = True
        self.url = url
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessionmaker()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


@event.listens_for(Session, "do_orm_execute")
def _apply_org_scope(state: ORMExecuteState) -> None:
    """Filter every ORM SELECT by the organisation in scope (see module docstring)."""
    org_id = state.session.info.get(SCOPE_KEY)
    if org_id is None or not state.is_select or state.execution_options.get("unscoped"):
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            OrgScopedMixin,
            lambda cls: cls.organisation_id == org_id,
            include_aliases=True,
        )
    )


def init_app(app: Flask) -> None:
    app.extensions["badger.db"] = Database(app.config["BADGER_DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["badger.db"]


def get_session() -> Session:
    """The request's (or CLI command's) session; closed at teardown, rolled back if uncommitted."""
    if "db_session" not in g:
        g.db_session = get_db().session()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def set_scope(session: Session, organisation_id: int | None) -> None:
    """Put the session in one organisation's scope (or none)."""
    if organisation_id is None:
        session.info.pop(SCOPE_KEY, None)
    else:
        session.info[SCOPE_KEY] = organisation_id


@contextlib.contextmanager
def unscoped(session: Session) -> Iterator[Session]:
    """Temporarily lift the organisation scope, for reads that are public by design."""
    previous = session.info.pop(SCOPE_KEY, None)
    try:
        yield session
    finally:
        if previous is not None:
            session.info[SCOPE_KEY] = previous


M = TypeVar("M", bound=Base)


def get_or_404(session: Session, model: type[M], ident: Any) -> M:
    """Load one row by primary key through the scoped query path, or answer 404.

    ``session.get`` can return an object from the identity map without running a query, which
    would bypass the scope filter, so this always runs a SELECT.
    """
    pk = model.__mapper__.primary_key[0]
    obj = session.execute(select(model).where(pk == ident)).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


def short_string(length: int = 200) -> String:
    return String(length)
