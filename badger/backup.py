"""``badger backup`` and ``badger restore``: one encrypted archive of an instance.

**What is in it.** A consistent copy of the database (SQLite: the online backup API, one step,
so a read snapshot while the server keeps writing; PostgreSQL: ``pg_dump`` of badger's schema,
one transaction), then the keys folder and the uploaded pictograms, then ``manifest.json``
(badger version, Alembic revision, database kind, creation time, base URL, SHA-256 and size of
every member). The keys are copied *after* the database snapshot: key files are only ever
added or marked retired, never deleted, so every key the snapshot refers to is there.

**What is not in it.** The secret key and the key passphrase. The key files are encrypted with
the key passphrase; an archive holding both would hand the issuers' signing keys to anyone who
gets the archive and its passphrase. Keep them apart (a password manager, the server's
configuration), and keep the base URL: credentials carry it, it cannot change.

**Format.** A gzip'd tar, encrypted in chunks so neither side holds the database in memory
(:mod:`badger.backup_format`: the encryption, its header and its checks).

**Restore** only fills an empty instance (no row in the database, no file in the keys and
pictogram folders): it decrypts into a private temporary folder, checks the manifest, every
checksum and that the configured key passphrase opens every key, and only then writes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from badger import __version__
from badger.backup_format import (
    CHUNK,
    FORMAT_VERSION,
    BackupError,
    DecryptingReader,
    EncryptingWriter,
    WrongPassphrase,
)
from badger.db import get_db
from badger.migrate import alembic_config
from badger.ob3.keys import KeyMaterialError, load_key
from badger.referentiels.pictograms import pictogram_dir

__all__ = [
    "BackupError",
    "WrongPassphrase",
    "create_backup",
    "read_passphrase",
    "restore_backup",
]

MIN_PASSPHRASE = 12

MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PG_MEMBER = "database.pgdump"
#: Keys are in the keys folder's sub-folders (``<org>/``, ``networks/<network>/``); a file at
#: its top (a checkout's README.md) is not a key, neither archived nor in the way of a restore.
KEY_DEPTH = 2
_PART = r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}"
#: Key files: ``keys/<org>/<file>`` or ``keys/networks/<network>/<file>`` (no dot files).
_KEY_MEMBER = re.compile(rf"keys/(?:{_PART}/){{1,3}}{_PART}")
#: Uploaded pictograms and the networks' photolangage pictures (saved beside them).
_PICTO_MEMBER = re.compile(
    r"pictograms/(?:upload-[0-9a-f]{16}\.png|photo-[0-9a-f]{16}\.(?:png|jpg))"
)


# --------------------------------------------------------------------------- database


@dataclass(frozen=True)
class _Pg:
    """How to reach a PostgreSQL database with libpq tools (password in the environment)."""

    uri: str
    env: dict[str, str]
    schema: str


def _kind(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        return "postgresql"
    raise BackupError(f"backups support SQLite and PostgreSQL, not {url.get_backend_name()}")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _pg(url: URL, schema: str) -> _Pg:
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return _Pg(plain.render_as_string(hide_password=False), env, schema)


def _pg_schema(engine: Any) -> str:
    """The schema badger's tables live in: the first of the search path (created or not)."""
    with engine.connect() as conn:
        path = str(conn.execute(text("SHOW search_path")).scalar_one())
    for part in path.split(","):
        name = part.strip().strip('"')
        if name and name != "$user":
            return name
    raise BackupError("cannot tell badger's schema from the search_path")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _major(version: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version)
    if match is None:
        raise BackupError(f"cannot read a PostgreSQL version from {version!r}")
    return int(match.group(1))


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def _tool_version(path: str) -> str:
    return _run([path, "--version"], dict(os.environ)).strip().split()[-1]


def _alembic_revision(engine: Any) -> str | None:
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _snapshot_sqlite(source: Path, target: Path) -> None:
    """One-step online backup: a consistent read snapshot while other connections write."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # pages=-1: everything in one step, under one read transaction
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("the SQLite snapshot fails its integrity check")
    finally:
        dst.close()
        src.close()


def _snapshot_postgres(engine: Any, url: URL, target: Path) -> dict[str, str]:
    """``pg_dump`` of badger's schema (one transaction) into ``target``; what the manifest
    says of it (schema, server and pg_dump versions)."""
    pg = _pg(url, _pg_schema(engine))
    pg_dump = _tool("pg_dump")
    with engine.connect() as conn:
        server = str(conn.execute(text("SHOW server_version")).scalar_one())
    client = _tool_version(pg_dump)
    if _major(client) < _major(server):
        raise BackupError(
            f"pg_dump {client} is older than the server ({server}); install a "
            f"postgresql-client of version {_major(server)} or newer"
        )
    _run(
        [pg_dump, "--format=custom", "--no-owner", "--no-privileges",
         f"--schema={pg.schema}", f"--file={target}", f"--dbname={pg.uri}"],
        pg.env,
    )
    return {"schema": pg.schema, "server_version": server, "pg_dump_version": client}


# --------------------------------------------------------------------------- archive


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _walk_files(root: Path, min_depth: int = 1) -> Iterator[Path]:
    """Regular files under ``root`` at least ``min_depth`` deep, sorted; temporary (dot) files
    and symlinks left out."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or path.is_symlink():
            continue
        if len(rel.parts) < min_depth:
            continue
        if path.is_file():
            yield path


def _pictogram_dir(app: Flask) -> Path:
    with app.app_context():
        return Path(pictogram_dir())


class _TarOut:
    """Members added to a tar stream, each hashed for the manifest as it is written."""

    def __init__(self, tar: tarfile.TarFile, when: float) -> None:
        self.tar, self.when = tar, when
        self.members: dict[str, dict[str, Any]] = {}

    def add_bytes(self, name: str, data: bytes, *, record: bool = True) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), 0o600, int(self.when)
        self.tar.addfile(info, io.BytesIO(data))
        if record:
            self.members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def add_file(self, name: str, path: Path) -> None:
        size = path.stat().st_size
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, int(self.when)
        with path.open("rb") as fh:
            self.tar.addfile(info, fh)
        self.members[name] = {"sha256": _sha256_file(path), "size": size}


def read_passphrase(passphrase_file: str | None) -> bytes:
    """The archive passphrase: from a file (first line) or ``BADGER_BACKUP_PASSPHRASE``."""
    if passphrase_file:
        try:
            value = Path(passphrase_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise BackupError(f"cannot read the passphrase file: {exc.strerror}") from None
        phrase = value[0] if value else ""
    else:
        phrase = os.environ.get("BADGER_BACKUP_PASSPHRASE", "")
    if not phrase:
        raise BackupError("give a passphrase: --passphrase-file FILE or BADGER_BACKUP_PASSPHRASE")
    return phrase.encode("utf-8")


def create_backup(app: Flask, out: Path, passphrase: bytes) -> dict[str, Any]:
    """Write the encrypted archive of ``app``'s instance to ``out`` (refused if it exists);
    return its manifest. The file appears complete or not at all (written aside, then renamed).
    """
    if len(passphrase.decode("utf-8", "replace")) < MIN_PASSPHRASE:
        raise BackupError(f"the backup passphrase must have at least {MIN_PASSPHRASE} characters")
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    engine = get_db(app).engine
    url = make_url(app.config["BADGER_DATABASE_URL"])
    kind = _kind(url)
    now = datetime.now(UTC)
    database: dict[str, Any] = {"kind": kind, "alembic_revision": _alembic_revision(engine)}
    # A private (0700) folder next to the archive holds the database copy and the archive being
    # written; it goes in every case but a kill -9, after which it is left to remove by hand.
    stage = Path(tempfile.mkdtemp(prefix=".badger-backup-", dir=out.parent))
    partial = stage / "archive.partial"
    try:
        if kind == "sqlite":
            snapshot, member = stage / SQLITE_MEMBER, SQLITE_MEMBER
            _snapshot_sqlite(_sqlite_path(url), snapshot)
        else:
            snapshot, member = stage / PG_MEMBER, PG_MEMBER
            database.update(_snapshot_postgres(engine, url, snapshot))
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as sink:
            writer = EncryptingWriter(sink, passphrase)
            with gzip.GzipFile(fileobj=writer, mode="wb", mtime=0) as zipped, tarfile.open(
                fileobj=zipped, mode="w|", format=tarfile.PAX_FORMAT
            ) as tar:
                members = _TarOut(tar, now.timestamp())
                members.add_file(member, snapshot)
                _add_folders(app, members)
                manifest = {
                    "format": "badger-backup",
                    "format_version": FORMAT_VERSION,
                    "badger_version": __version__,
                    "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "base_url": app.config["BADGER_BASE_URL"],
                    "database": database,
                    "not_included": ["BADGER_SECRET_KEY", "BADGER_KEY_PASSPHRASE"],
                    "members": members.members,
                }
                members.add_bytes(
                    MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode(),
                    record=False,
                )
            writer.finish()
            sink.flush()
            os.fsync(sink.fileno())
        try:
            os.link(partial, out)  # complete or absent, and never over an existing file
        except FileExistsError:
            raise BackupError(f"{out} already exists; choose a new file name") from None
        return manifest
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _add_folders(app: Flask, members: _TarOut) -> None:
    """The keys folder and the uploaded pictograms, after the database snapshot. A key file is
    read once (hash and content from the same bytes): a rotation rewrites files in place."""
    keys = Path(app.config["BADGER_KEYS_DIR"])
    for path in _walk_files(keys, KEY_DEPTH):
        name = "keys/" + path.relative_to(keys).as_posix()
        if not _KEY_MEMBER.fullmatch(name):
            raise BackupError(f"unexpected file name in the keys folder: {path}")
        members.add_bytes(name, path.read_bytes())
    pictos = _pictogram_dir(app)
    for path in _walk_files(pictos):
        name = "pictograms/" + path.relative_to(pictos).as_posix()
        if _PICTO_MEMBER.fullmatch(name):  # anything else there is not badger's
            members.add_file(name, path)


# --------------------------------------------------------------------------- restore


def _extract(archive: Path, passphrase: bytes, stage: Path) -> dict[str, Any]:
    """Decrypt ``archive`` into ``stage`` (every name checked, regular files only) and return
    its manifest once every member matches it."""
    seen: dict[str, dict[str, Any]] = {}
    manifest_bytes: bytes | None = None
    try:
        with archive.open("rb") as source:
            reader = io.BufferedReader(DecryptingReader(source, passphrase), CHUNK)
            with gzip.GzipFile(fileobj=reader, mode="rb") as unzipped, tarfile.open(
                fileobj=unzipped, mode="r|"
            ) as tar:
                for info in tar:
                    name = info.name
                    allowed = name in {SQLITE_MEMBER, PG_MEMBER, MANIFEST} or bool(
                        _KEY_MEMBER.fullmatch(name) or _PICTO_MEMBER.fullmatch(name)
                    )
                    if not info.isfile() or not allowed or ".." in name.split("/"):
                        raise BackupError(f"unexpected member in the archive: {name!r}")
                    if name in seen or (name == MANIFEST and manifest_bytes is not None):
                        raise BackupError(f"member twice in the archive: {name!r}")
                    stream = tar.extractfile(info)
                    assert stream is not None
                    if name == MANIFEST:
                        manifest_bytes = stream.read(1024 * 1024 * 16)
                        continue
                    seen[name] = _write_member(stage / name, stream)
            if not reader.raw._done:
                while reader.read(CHUNK):
                    pass
    except OSError as exc:  # gzip or tar errors on authenticated data: not a badger archive
        raise BackupError(f"archive unreadable: {exc}") from None
    except tarfile.TarError as exc:
        raise BackupError(f"archive unreadable: {exc}") from None
    if manifest_bytes is None:
        raise BackupError("the archive has no manifest")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise BackupError("the archive's manifest is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != "badger-backup":
        raise BackupError("the archive's manifest is not a badger manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"manifest format {manifest.get('format_version')} is not supported")
    listed = manifest.get("members")
    if not isinstance(listed, dict) or set(listed) != set(seen):
        raise BackupError("the archive's members do not match its manifest")
    for name, found in seen.items():
        if listed[name] != found:
            raise BackupError(f"checksum mismatch for {name}: the archive is damaged")
    return manifest


def _write_member(path: Path, stream: IO[bytes]) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest, size = hashlib.sha256(), 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
            size += len(block)
            fh.write(block)
    return {"sha256": digest.hexdigest(), "size": size}


def _check_revision(app: Flask, revision: str | None) -> None:
    """Refuse an archive made by a newer badger (a schema this code does not know)."""
    if revision is None:
        return
    with app.app_context():
        script = ScriptDirectory.from_config(alembic_config(app))
    try:
        known = script.get_revision(revision)
    except Exception:  # alembic raises several kinds for an unknown id
        known = None
    if known is None:
        raise BackupError(
            f"the archive's database is at revision {revision}, unknown to this badger: "
            "restore with the badger version that made it (or newer)"
        )


def _check_keys(app: Flask, keys_stage: Path) -> None:
    """Every key must open with this instance's key passphrase, or the restored issuers could
    not sign (and the keys' real passphrase was lost)."""
    passphrase = str(app.config["BADGER_KEY_PASSPHRASE"] or "").encode()
    for pem in sorted(keys_stage.rglob("*.pem")):
        try:
            load_key(pem, passphrase)
        except KeyMaterialError:
            raise BackupError(
                "BADGER_KEY_PASSPHRASE does not open the archived keys: set the key passphrase "
                "of the instance that made the archive, then restore again"
            ) from None


def _check_empty(app: Flask, kind: str, manifest: dict[str, Any]) -> None:
    if manifest["database"].get("kind") != kind:
        raise BackupError(
            f"the archive holds a {manifest['database'].get('kind')} database; this instance "
            f"uses {kind}"
        )
    engine = get_db(app).engine
    inspector = inspect(engine)
    if kind == "postgresql":
        schema = _pg_schema(engine)
        if inspector.get_table_names(schema=schema):
            raise BackupError(
                f"the target database is not empty (schema {schema} has tables): restore into "
                "a new, empty database"
            )
    else:
        with engine.connect() as conn:
            for table in inspector.get_table_names():
                if conn.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first():  # noqa: S608
                    raise BackupError(
                        f"the target database is not empty (table {table} has rows): restore "
                        "into a new, empty instance"
                    )
    for label, folder, depth in (
        ("keys folder", Path(app.config["BADGER_KEYS_DIR"]), KEY_DEPTH),
        ("pictogram folder", _pictogram_dir(app), 1),
    ):
        if any(_walk_files(folder, depth)):
            raise BackupError(f"the {label} {folder} is not empty: restore into a new instance")


def _restore_sqlite(app: Flask, snapshot: Path) -> None:
    get_db(app).engine.dispose()
    target = _sqlite_path(make_url(app.config["BADGER_DATABASE_URL"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():  # people's data: readable by the service user only
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    src = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()


def _restore_postgres(app: Flask, dump: Path, manifest: dict[str, Any], stage: Path) -> None:
    """``pg_restore`` turns the dump into SQL, ``psql`` runs it in one transaction, renaming
    the archived schema to this instance's when they differ."""
    engine = get_db(app).engine
    url = make_url(app.config["BADGER_DATABASE_URL"])
    target = _pg_schema(engine)
    source = str(manifest["database"].get("schema") or "public")
    pg = _pg(url, target)
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    archived = str(manifest["database"].get("pg_dump_version") or "0")
    if _major(_tool_version(pg_restore)) < _major(archived):
        raise BackupError(f"pg_restore is older than the pg_dump {archived} that made the archive")
    with engine.connect() as conn:
        existing = set(conn.execute(text("SELECT nspname FROM pg_namespace")).scalars())
    if source != target and source in existing:
        raise BackupError(
            f"this database already has a schema {source} (the archive's): restore into a new "
            "database"
        )
    listing = _run([pg_restore, "--list", str(dump)], pg.env)
    keep_schema_entry = source not in existing or source != target
    toc = stage / "restore.list"
    toc.write_text(
        "".join(
            line + "\n"
            for line in listing.splitlines()
            if keep_schema_entry or not re.match(r"^\d+; \d+ \d+ SCHEMA - ", line)
        ),
        encoding="utf-8",
    )
    script = stage / "restore.sql"
    _run(
        [pg_restore, "--no-owner", "--no-privileges", "--no-comments", f"--use-list={toc}",
         f"--file={script}", str(dump)],
        pg.env,
    )
    engine.dispose()
    args = [psql, "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
            f"--dbname={pg.uri}"]
    if source != target and target in existing:
        args += ["-c", f'DROP SCHEMA "{target}" RESTRICT']  # empty (checked): nothing lost
    args += ["-f", str(script)]
    if source != target:
        args += ["-c", f'ALTER SCHEMA "{source}" RENAME TO "{target}"']
    _run(args, pg.env)


def _restore_folder(source: Path, target: Path) -> None:
    """Copy ``source`` into ``target``: folders 0700, files 0600."""
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)
    for path in _walk_files(source):
        dest = target / path.relative_to(source)
        for parent in reversed(dest.relative_to(target).parents[:-1]):
            (target / parent).mkdir(exist_ok=True)
            (target / parent).chmod(0o700)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh, path.open("rb") as src:
            shutil.copyfileobj(src, fh, CHUNK)


def restore_backup(app: Flask, archive: Path, passphrase: bytes) -> dict[str, Any]:
    """Bring ``archive`` back into ``app``'s empty instance; return its manifest."""
    url = make_url(app.config["BADGER_DATABASE_URL"])
    kind = _kind(url)
    if not archive.is_file():
        raise BackupError(f"no archive at {archive}")
    work_parent = (
        _sqlite_path(url).parent if kind == "sqlite" else Path(app.config["BADGER_KEYS_DIR"]).parent
    )
    work_parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".badger-restore-", dir=work_parent))  # 0700
    try:
        manifest = _extract(archive, passphrase, stage)
        _check_empty(app, kind, manifest)
        _check_revision(app, manifest["database"].get("alembic_revision"))
        _check_keys(app, stage / "keys")
        if kind == "sqlite":
            if not (stage / SQLITE_MEMBER).is_file():
                raise BackupError("the archive has no SQLite database")
            _restore_sqlite(app, stage / SQLITE_MEMBER)
        else:
            if not (stage / PG_MEMBER).is_file():
                raise BackupError("the archive has no PostgreSQL dump")
            _restore_postgres(app, stage / PG_MEMBER, manifest, stage)
        _restore_folder(stage / "keys", Path(app.config["BADGER_KEYS_DIR"]))
        if (stage / "pictograms").is_dir():
            _restore_folder(stage / "pictograms", _pictogram_dir(app))
        return manifest
    finally:
        shutil.rmtree(stage, ignore_errors=True)
