"""Database plumbing: the declarative base, one session and one transaction per request,
organisation scoping, files that follow their row's transaction (:func:`write_file_on_commit`).

One transaction per request, ended in one place (:func:`end_request_transaction`, called by
the app's ``dispatch_request``, as Indico's request handlers do): a view that returns an answer
below 400 has its writes committed; a view that raises, or answers 400 or more, has them rolled
back. Views never call ``commit()`` or ``rollback()``: a view whose error answer must still keep
what it wrote (a wrong code counted, a challenge spent) says so with :func:`keep_on_error`, and a
view that wrote only to show a preview says so with :func:`discard`. Work that must wait for the
commit (a background job reading the new rows) is queued with :func:`after_commit`.

Organisation scoping is enforced here, once: every ORM query made while a request has an
organisation in scope is filtered by ``with_loader_criteria`` for all models that carry
``OrgScopedMixin``. Views cannot forget it; code that must look across organisations (public
pages, CLI) says so explicitly with :func:`unscoped`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
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
    inspect,
    select,
)
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    declared_attr,
    mapped_column,
    object_session,
    sessionmaker,
    with_loader_criteria,
)
from sqlalchemy.pool import StaticPool

from badger.ob3 import statuslist

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SCOPE_KEY = "badger.organisation_id"
#: The scope of a logged-in person who acts in no organisation (staff who only administer a
#: network): no organisation has this id, so every org-scoped SELECT finds nothing — having
#: no organisation must never mean seeing every organisation's rows.
NO_ORGANISATION = 0


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


#: ``session.info`` key: the status lists whose bits changed in the session's transaction.
_CHANGED_LISTS = "badger.changed_status_lists"
#: Status-list class -> its domain's signer: the signed list credential (JSON text) for the
#: list's current bits. Registered by ``badger.awards`` and ``badger.networks`` (this module
#: must not import domains), looked up by :meth:`StatusListColumns.signed_document` and
#: :func:`_sign_changed_status_lists`.
_STATUS_LIST_SIGNERS: dict[type, Callable[[Any], str]] = {}


def register_status_list_signer(cls: type, signer: Callable[[Any], str]) -> None:
    """Say how lists of ``cls`` are signed (each domain, once, at import)."""
    _STATUS_LIST_SIGNERS[cls] = signer


class StatusListColumns:
    """The columns of a stored Bitstring Status List, an issuer's (``badger.awards``) or a
    network's (``badger.networks``): its bits and its signed credential.

    One rule for both kinds: a list is signed in the transaction that creates or changes it,
    once, just before that transaction commits (:func:`_sign_changed_status_lists`), so
    reading a list never writes (a read that wrote would wait on SQLite's write lock while
    other pages run) and revoking N credentials at once signs their list once, not N times."""

    purpose: Mapped[str] = mapped_column(String(12))
    number: Mapped[int] = mapped_column(Integer, default=1)
    size: Mapped[int] = mapped_column(Integer)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    #: The signed list credential of the current bits (None: changed in the open transaction,
    #: or left unsigned by an older version until ``badger init`` signs it).
    signed_json: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @classmethod
    def set_status_locked(cls, session: Session, list_id: int, index: int, value: bool) -> None:
        """Set entry ``index`` of list ``list_id``, row-locked (PostgreSQL) and re-read, so
        concurrent flips never lose one another. Not flushed: the commit writes the bits and
        their signature in one UPDATE — call it after the transaction's other queries, whose
        autoflush would write the 16 KB of bits once more."""
        lst = session.execute(
            select(cls)
            .where(cls.id == list_id)  # type: ignore[attr-defined]
            .with_for_update()
            .execution_options(unscoped=True, populate_existing=True)
        ).scalar_one()
        lst.set_status(index, value)

    def set_status(self, index: int, value: bool) -> None:
        """Set one entry's bit; the list is re-signed before the transaction commits (a bit
        already at ``value`` changes nothing, so neither the list nor its ETag changes)."""
        if statuslist.get_bit(self.bits, index) == value:
            return
        self.bits = statuslist.set_bit(self.bits, index, value)
        self.updated_at = utcnow()
        self.signed_json = None  # stale until signed: a read meanwhile signs in memory
        self.etag = None
        self.mark_changed()

    def mark_changed(self) -> None:
        """Have the list signed before its session's transaction commits."""
        session = object_session(self)
        if session is None:
            raise RuntimeError("a status list changes inside a session")
        session.info.setdefault(_CHANGED_LISTS, {})[id(self)] = self

    def content_etag(self) -> str:
        """The list's ETag: a digest of what it says (bits and date), so it changes when and
        only when the list changes."""
        digest = hashlib.sha256(self.bits)
        digest.update(self.updated_at.isoformat().encode())
        return f'"{digest.hexdigest()[:20]}"'

    def signed_document(self) -> tuple[str, str]:
        """The signed list credential and its ETag, as stored. Reading never writes: a list
        still unsigned (changed in this very transaction, or missed by ``badger init``) is
        signed in memory for this answer only."""
        if self.signed_json is not None and self.etag is not None:
            return self.signed_json, self.etag
        return _STATUS_LIST_SIGNERS[type(self)](self), self.content_etag()


def sign_unsigned_status_lists(session: Session, cls: type[StatusListColumns]) -> int:
    """Mark every list of ``cls`` left unsigned (an older version signed on read) to be signed
    when ``session`` commits: ``badger init`` does it once per upgrade. Returns how many."""
    lists = session.scalars(
        select(cls)
        .where(cls.signed_json.is_(None) | cls.etag.is_(None))
        .execution_options(unscoped=True)
    ).all()
    for lst in lists:
        lst.mark_changed()
    return len(lists)


@event.listens_for(Session, "before_flush")
def _note_new_status_lists(session: Session, _context: Any, _instances: Any) -> None:
    """A new list is signed when created, like a changed one."""
    for obj in session.new:
        if isinstance(obj, StatusListColumns):
            obj.mark_changed()


@event.listens_for(Session, "before_commit")
def _sign_changed_status_lists(session: Session) -> None:
    """Sign each list created or changed in this transaction, once, before it commits (the
    commit then writes the signature with the bits: never one without the other)."""
    if any(isinstance(obj, StatusListColumns) for obj in session.new):
        session.flush()  # a new list gets its row (and is noted) before it is signed
    changed = session.info.pop(_CHANGED_LISTS, None) or {}
    with session.no_autoflush:  # a changed list's bits and signature go out in one UPDATE
        for lst in changed.values():
            state = inspect(lst)
            if state.deleted or state.detached or state.was_deleted:
                continue
            signer = _STATUS_LIST_SIGNERS.get(type(lst))
            if signer is None:
                raise RuntimeError(f"no status-list signer registered for {type(lst).__name__}")
            lst.signed_json = signer(lst)
            lst.etag = lst.content_etag()


@event.listens_for(Session, "after_transaction_end")
def _forget_changed_status_lists(session: Session, transaction: SessionTransaction) -> None:
    """A rolled-back transaction signs nothing: its changes are gone with it."""
    if transaction.parent is None:
        session.info.pop(_CHANGED_LISTS, None)


#: ``session.info`` key: files staged by :func:`write_file_on_commit` in the open transaction,
#: as (temporary path, final path).
_STAGED_FILES = "badger.staged_files"


def write_file_on_commit(session: Session, path: Path, data: bytes) -> None:
    """Write ``data`` at ``path`` when — and only if — ``session``'s transaction commits.

    Every file that belongs to a row goes through here, so a file never outlives a row that
    was not saved (a request answered 4xx, a failed flush) nor goes missing under a saved one.
    The bytes are written now to a hidden temporary file beside ``path`` (so a full disk fails
    the request before anything commits), renamed into place after the commit, and deleted
    when the transaction ends any other way (rollback, or a session closed without commit)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not session.in_transaction():
        session.begin()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    session.info.setdefault(_STAGED_FILES, []).append((Path(tmp), path))


def staged_on_commit(session: Session | None, path: Path) -> bool:
    """Whether ``path`` will be written when ``session`` commits (a row of the same
    transaction may already refer to it)."""
    staged = session.info.get(_STAGED_FILES, []) if session is not None else []
    return any(final == path for _tmp, final in staged)


@event.listens_for(Session, "after_commit")
def _promote_staged_files(session: Session) -> None:
    """The rows are saved: their files take their names (an atomic rename each)."""
    for tmp, final in session.info.pop(_STAGED_FILES, []):
        tmp.replace(final)


@event.listens_for(Session, "after_transaction_end")
def _discard_staged_files(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without commit leaves no file behind."""
    if transaction.parent is None:
        for tmp, _final in session.info.pop(_STAGED_FILES, []):
            tmp.unlink(missing_ok=True)


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


#: ``session.info`` keys of the request transaction's fate (see the module docstring).
_KEEP_ON_ERROR = "badger.keep_on_error"
_DISCARD = "badger.discard"
_AFTER_COMMIT = "badger.after_commit"


def keep_on_error(session: Session) -> None:
    """Commit this request's writes even though its answer is an error (>= 400): the view
    wrote only what must survive the refusal (a wrong code counted, a challenge spent)."""
    session.info[_KEEP_ON_ERROR] = True


def discard(session: Session) -> None:
    """Roll this request's writes back even though its answer is a success: the view wrote
    only to show something (an import preview), never to save it."""
    session.info[_DISCARD] = True


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction has committed (never if it is rolled
    back): a background job must not look for rows that are not saved yet."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, []):
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_commit(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        session.info.pop(_AFTER_COMMIT, None)


def end_request_transaction(status: int) -> None:
    """Commit or roll back the request's transaction: the one place a request's writes are
    saved. Committed when the answer is below 400 (unless :func:`discard`), or when the view
    asked :func:`keep_on_error`; rolled back otherwise. A failing commit (a unique or stale
    row) raises here, inside the request, so the error handlers answer it (409)."""
    session: Session | None = g.get("db_session")
    if session is None:
        return
    keep = session.info.pop(_KEEP_ON_ERROR, False)
    drop = session.info.pop(_DISCARD, False)
    if (status < 400 and not drop) or keep:
        session.commit()
    else:
        session.rollback()


def abandon_request_transaction() -> None:
    """The view raised: nothing it wrote is kept (the error page can still read)."""
    session: Session | None = g.get("db_session")
    if session is not None:
        session.info.pop(_KEEP_ON_ERROR, None)
        session.info.pop(_DISCARD, None)
        session.rollback()


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
    """Put the session in one organisation's scope (or none: unscoped, for anonymous
    requests and the CLI; :data:`NO_ORGANISATION` for someone in no organisation)."""
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
