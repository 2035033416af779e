"""``badger backup`` / ``badger restore`` on SQLite and PostgreSQL: an archive made while another
thread keeps awarding and revoking restores into a fresh instance (new SQLite file, or a new
PostgreSQL database under another schema name) where every credential verifies with badger.ob3
against the restored issuer documents, revoked ones read as revoked, and — once the writer is
stopped — every status list and issuer document is served byte for byte as before. A wrong
passphrase, a changed, truncated or reordered archive, an archive made with the passphrase but
not by badger (checksums, names, links, revision), a non-empty target and a key passphrase that
does not open the keys are refused with a clear message and write nothing."""

from __future__ import annotations

import io
import json
import os
import secrets
import stat
import tarfile
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from badger import awards, backup, backup_format, create_app, referentiels
from badger.accounts import service as accounts
from badger.awards.models import Achievement, Credential, StatusList
from badger.db import Base, get_db
from badger.networks.models import Network, NetworkEndorsement, NetworkStatusList
from badger.networks.models import Organisation as Org
from badger.ob3.verify import verify_credential
from tests.awards.conftest import TestClientResolver
from tests.conftest import BadgerClient
from tests.portfolio import _factory

PASSPHRASE = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """N = 2**14 in tests (the header carries N; restore reads it from there)."""
    monkeypatch.setattr(backup_format, "SCRYPT_LOG2_N", 14)


def _own_instance(app: Flask, config: dict[str, Any]) -> Flask:
    app.instance_path = config["INSTANCE_PATH"]  # pictograms under this instance's folder
    app.test_client_class = BadgerClient
    return app


@pytest.fixture
def source(app: Flask, app_config: dict[str, Any]) -> Flask:
    return _own_instance(app, app_config)


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "backup-passphrase"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


class Targets:
    """Fresh, empty instances to restore into: a new SQLite file, or a new PostgreSQL database
    whose search path names another schema than the source's (``public`` or ``restored``)."""

    def __init__(self, base: dict[str, Any], tmp_path: Path) -> None:
        self.base, self.tmp_path = base, tmp_path
        self.apps: list[Flask] = []
        self.databases: list[str] = []
        url = make_url(base["BADGER_DATABASE_URL"])
        self.postgres = url.get_backend_name() == "postgresql"
        self.server = url.set(query={}) if self.postgres else None

    def new(self, schema: str = "restored", **overrides: Any) -> Flask:
        n = len(self.apps)
        folder = self.tmp_path / f"target-{n}"
        if self.postgres:
            assert self.server is not None
            name = f"badger_restore_{os.getpid()}_{secrets.token_hex(4)}"
            admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            self.databases.append(name)
            url = self.server.set(database=name, query={"options": f"-csearch_path={schema}"})
            database = url.render_as_string(hide_password=False)
        else:
            database = f"sqlite:///{folder / 'badger.sqlite'}"
        config = {
            **self.base,
            "BADGER_DATABASE_URL": database,
            "BADGER_KEYS_DIR": str(folder / "keys"),
            "INSTANCE_PATH": str(folder / "instance"),
            **overrides,
        }
        app = _own_instance(create_app(config), config)
        self.apps.append(app)
        return app

    def close(self) -> None:
        for app in self.apps:
            get_db(app).engine.dispose()
        if self.databases:
            assert self.server is not None
            admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for name in self.databases:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def targets(app_config: dict[str, Any], tmp_path: Path) -> Iterator[Targets]:
    made = Targets(app_config, tmp_path)
    yield made
    made.close()


def _cli(app: Flask, *args: str, env: dict[str, str] | None = None) -> Any:
    # Its own app context: ``with_appcontext`` would otherwise reuse the one ``db`` pushed.
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), env=env)


def _backup(app: Flask, out: Path, passphrase_file: Path) -> Any:
    result = _cli(app, "backup", "--out", str(out), "--passphrase-file", str(passphrase_file))
    assert result.exit_code == 0, result.output
    return result


def _restore(app: Flask, archive: Path, passphrase_file: Path) -> Any:
    return _cli(app, "restore", str(archive), "--passphrase-file", str(passphrase_file))


def _rows(app: Flask, model: Any) -> int:
    with get_db(app).session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def revoked_count(app: Flask) -> int:
    with get_db(app).session() as session:
        return int(session.scalar(
            select(func.count()).select_from(Credential).where(Credential.revoked_at.isnot(None))
        ) or 0)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def _assert_untouched(target: Flask) -> None:
    """Nothing restored: no credential row (or no table at all), no key, no pictogram."""
    engine = get_db(target).engine
    from sqlalchemy import inspect

    if inspect(engine).has_table("credentials"):
        assert _rows(target, Credential) == 0
    assert _files(Path(target.config["BADGER_KEYS_DIR"])) == []
    assert _files(Path(target.instance_path) / "pictograms") == []


@pytest.fixture
def populated(source: Flask, db: Any, make: Any, org: Any, admin: Any, participant: Any) -> Any:
    """An organisation endorsed by a network (two key folders), three badges, one revoked, one
    suspended, an uploaded pictogram and a network's photolangage picture."""
    creds = _factory.endorsed_badges(db, make, org, admin, participant, n=3)
    awards.revoke(db, creds[1], "Erreur de saisie")
    db.commit()
    awards.suspend(db, creds[2], "Vérification en cours")
    db.commit()
    with source.app_context():
        from PIL import Image

        png = io.BytesIO()
        Image.new("RGBA", (8, 8), (200, 30, 30, 255)).save(png, format="PNG")
        from badger.db import get_db

        session = get_db(source).session()
        picto = referentiels.save_pictogram(session, png.getvalue())
        from badger.grids import photolangage

        photo = photolangage.add_network_picture(session, make.network(), png.getvalue(),
                                                 "Atelier", actor_id=None).filename
        session.commit()  # the files are written when their transaction commits
        session.close()
    assert (Path(source.instance_path) / "pictograms" / f"{picto}.png").is_file()
    assert (Path(source.instance_path) / "pictograms" / photo).is_file()
    return creds


class Writer(threading.Thread):
    """Awards a badge to a new participant, then revokes an earlier one, again and again, each
    in its own transaction, until told to stop."""

    def __init__(self, app: Flask, org_id: int, achievement_id: int) -> None:
        super().__init__(daemon=True)
        self.app, self.org_id, self.achievement_id = app, org_id, achievement_id
        self.stop = threading.Event()
        self.progress = threading.Condition()
        self.writes = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.app.test_request_context():
                session = get_db(self.app).session()
                issued: list[int] = []
                while not self.stop.is_set():
                    org = session.get(Org, self.org_id)
                    ach = session.get(Achievement, self.achievement_id)
                    person = accounts.create_participant(
                        session, organisation_id=self.org_id, display_name=f"P{self.writes}"
                    )
                    session.flush()
                    result = awards.award_one(
                        session, org, ach, awards.AwardRequest(participant_id=person.id, level=4,
                                            email=f"w{self.writes}@example.org")
                    )
                    session.commit()
                    issued.append(result.credential.id)
                    self._wrote()
                    if len(issued) % 2 == 0:
                        cred = session.get(Credential, issued[-2])
                        awards.revoke(session, cred, "Retrait pendant la sauvegarde")
                        session.commit()
                        self._wrote()
                session.close()
        except BaseException as exc:  # reported by the test
            self.error = exc
            with self.progress:
                self.progress.notify_all()

    def _wrote(self) -> None:
        with self.progress:
            self.writes += 1
            self.progress.notify_all()

    def wait_for(self, count: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.writes >= count or self.error, 120)
        assert self.error is None, self.error


def _verify_all(target: Flask) -> tuple[int, int]:
    """Verify every restored credential (JSON and JWT) against the restored public documents:
    revoked and suspended ones must read as revoked, the others verify."""
    resolver = TestClientResolver(target)
    verified = revoked = 0
    with get_db(target).session() as session, target.app_context():
        creds = session.scalars(select(Credential).order_by(Credential.id)).all()
        assert creds
        for cred in creds:
            if cred.signed_json is None:  # held unsigned (the demo's claim): nothing to verify
                continue
            for document in (json.loads(cred.signed_json), cred.signed_jwt):
                report = verify_credential(document, resolver=resolver)
                status = report.check("status")
                if cred.revoked_at is not None or cred.suspended_at is not None:
                    # a suspension sets the bit of the credential's one (revocation) entry
                    assert not report.verified and status is not None
                    assert (status.state, status.code) == ("failed", "revoked")
                else:
                    assert report.verified, report.to_dict()["checks"]
            if cred.revoked_at is not None:
                revoked += 1
            elif cred.suspended_at is None:
                verified += 1
    return verified, revoked


def _public_documents(app: Flask) -> dict[str, tuple[bytes, str | None]]:
    """Every status list (issuers' and networks') and every issuer and network document, as
    served: path → (body, ETag)."""
    paths = []
    with get_db(app).session() as session:
        for lst in session.scalars(select(StatusList)):
            slug = session.get(Org, lst.organisation_id).slug
            paths.append(f"/status/{slug}/{lst.purpose}/{lst.number}")
        for nlst in session.scalars(select(NetworkStatusList)):
            net = session.get(Network, nlst.network_id)
            paths.append(f"/networks/{net.slug}/status/{nlst.purpose}/{nlst.number}")
        for endorsement in session.scalars(select(NetworkEndorsement)):
            slug = endorsement.membership.network.slug
            paths.append(f"/networks/{slug}/endorsements/{endorsement.uuid}")
        for org in session.scalars(select(Org)):
            paths += [f"/issuers/{org.slug}", f"/issuers/{org.slug}/did.json",
                      f"/issuers/{org.slug}/jwks.json"]
    client = app.test_client()
    served = {}
    for path in paths:
        response = client.get(path, headers={"Accept": "application/ld+json"})
        assert response.status_code == 200, path
        served[path] = (response.get_data(), response.headers.get("ETag"))
    return served


def test_backup_under_writes_restores_into_a_fresh_instance_where_everything_verifies(
    source: Flask, populated: Any, targets: Targets, tmp_path: Path, passphrase_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer = Writer(source, populated[0].organisation_id, populated[0].achievement_id)
    writer.start()
    writer.wait_for(3)  # two awards and a revocation before the snapshot
    # The writer must keep writing after the database snapshot and before the archive ends.
    real_add_folders = backup._add_folders

    def add_folders_while_writing(app: Flask, members: Any) -> None:
        writer.wait_for(writer.writes + 2)
        real_add_folders(app, members)

    monkeypatch.setattr(backup, "_add_folders", add_folders_while_writing)
    archive = tmp_path / "out" / "badger.bk"
    try:
        output = _backup(source, archive, passphrase_file).output
        writer.wait_for(writer.writes + 1)
    finally:
        writer.stop.set()
        writer.join(60)
    assert writer.error is None and writer.writes >= 5
    assert "BADGER_KEY_PASSPHRASE" in output and str(archive) in output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert not [p for p in archive.parent.iterdir() if p != archive]  # no leftovers
    # The source went on: it has more credentials than the archive.
    target = targets.new()
    result = _restore(target, archive, passphrase_file)
    assert result.exit_code == 0, result.output
    assert _rows(target, Credential) < _rows(source, Credential)
    verified, revoked = _verify_all(target)
    assert verified >= 2 and revoked >= 2  # fixture's and writer's
    # keys and pictograms back, private
    keys = Path(target.config["BADGER_KEYS_DIR"])
    src_keys = Path(source.config["BADGER_KEYS_DIR"])
    assert [p.relative_to(keys) for p in _files(keys)] == [
        p.relative_to(src_keys) for p in _files(src_keys)
    ]
    for path in _files(keys):
        assert path.read_bytes() == (src_keys / path.relative_to(keys)).read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in [keys, *(p for p in keys.rglob("*") if p.is_dir())]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    pictos = _files(Path(target.instance_path) / "pictograms")
    assert [p.name for p in pictos] == [
        p.name for p in _files(Path(source.instance_path) / "pictograms")
    ]
    assert any(p.name.startswith("photo-") for p in pictos)  # a network's photolangage picture
    upload = next(p for p in pictos if p.name.startswith("upload-"))
    served = target.test_client().get(f"/referentiels/pictograms/{upload.name}")
    assert served.status_code == 200 and served.get_data() == upload.read_bytes()

    # Writer stopped: a second archive restores to the very same public documents, byte for byte.
    second = tmp_path / "second.bk"
    monkeypatch.setattr(backup, "_add_folders", real_add_folders)
    _backup(source, second, passphrase_file)
    again = targets.new(schema="public")
    result = _restore(again, second, passphrase_file)
    assert result.exit_code == 0, result.output
    before = _public_documents(source)
    assert len(before) >= 6 and any("/networks/" in p for p in before)
    assert _public_documents(again) == before
    assert _rows(again, Credential) == _rows(source, Credential)
    # …and once restored, the instance works: it signs and revokes with the restored keys.
    with again.test_request_context(), get_db(again).session() as session:
        cred = session.scalars(
            select(Credential).where(Credential.revoked_at.is_(None),
                                     Credential.suspended_at.is_(None))
        ).first()
        assert cred is not None
        awards.revoke(session, cred, "Après restauration")
        session.commit()
    after = _public_documents(again)
    assert after != before
    assert _verify_all(again)[1] == revoked_count(source) + 1


def _plain_members(archive: Path, passphrase: str) -> dict[str, bytes]:
    with archive.open("rb") as fh:
        reader = backup_format.DecryptingReader(fh, passphrase.encode())
        data = zlib.decompress(io.BufferedReader(reader).read(), wbits=31)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def test_the_archive_holds_a_manifest_with_checksums_and_no_secret(
    source: Flask, populated: Any, tmp_path: Path, passphrase_file: Path
) -> None:
    # a file at the top of the keys folder (a checkout's keys/README.md) is not a key
    (Path(source.config["BADGER_KEYS_DIR"]) / "README.md").write_text("# keys/\n")
    archive = tmp_path / "a.bk"
    _backup(source, archive, passphrase_file)
    raw = archive.read_bytes()
    assert raw.startswith(b"BADGERBK")
    members = _plain_members(archive, PASSPHRASE)
    manifest = json.loads(members.pop("manifest.json"))
    kind = make_url(source.config["BADGER_DATABASE_URL"]).get_backend_name()
    assert manifest["database"]["kind"] == kind
    assert manifest["badger_version"] and manifest["created_at"].endswith("Z")
    assert manifest["base_url"] == source.config["BADGER_BASE_URL"]
    import hashlib

    assert {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in members.items()} == manifest["members"]
    assert "keys/README.md" not in members
    assert any(n.startswith("keys/networks/") for n in members)
    assert any(n.startswith("keys/org-a/") for n in members)
    assert any(n.startswith("pictograms/upload-") for n in members)
    assert ("database.sqlite" if kind == "sqlite" else "database.pgdump") in members
    # Neither the secret key nor the key passphrase, anywhere in the archive (nor in clear).
    for secret in (source.config["SECRET_KEY"], source.config["BADGER_KEY_PASSPHRASE"]):
        assert all(secret.encode() not in data for data in members.values())
        assert secret.encode() not in raw
    assert b"Amina" not in raw and b"org-a" not in raw  # encrypted, names included


def test_wrong_passphrase_is_refused_clearly_and_writes_nothing(
    source: Flask, populated: Any, targets: Targets, tmp_path: Path, passphrase_file: Path
) -> None:
    archive = tmp_path / "a.bk"
    _backup(source, archive, passphrase_file)
    target = targets.new()
    wrong = tmp_path / "wrong"
    wrong.write_text("correct horse battery staple 43\n", encoding="utf-8")
    result = _restore(target, archive, wrong)
    assert result.exit_code == 1
    assert "wrong passphrase" in result.output
    _assert_untouched(target)
    # the environment variable works too, and is the right one here; a README at the top of
    # the keys folder (a fresh checkout's) is no key and does not make the instance non-empty
    readme = Path(target.config["BADGER_KEYS_DIR"]) / "README.md"
    readme.parent.mkdir(parents=True)
    readme.write_text("# keys/\n")
    result = _cli(target, "restore", str(archive), env={"BADGER_BACKUP_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 0, result.output
    assert _rows(target, Credential) == 3
    assert readme.read_text() == "# keys/\n"


def _chunks(raw: bytes) -> tuple[bytes, list[bytes]]:
    head = backup_format._HEADER.size + 32
    out, pos = [], head
    while pos < len(raw):
        _final, length = backup_format._RECORD.unpack(raw[pos : pos + backup_format._RECORD.size])
        end = pos + backup_format._RECORD.size + length
        out.append(raw[pos:end])
        pos = end
    return raw[:head], out


@pytest.mark.parametrize("damage", ["flip", "truncate", "drop-last", "append", "header"])
def test_a_tampered_archive_is_refused_and_writes_nothing(
    source: Flask, populated: Any, targets: Targets, tmp_path: Path, passphrase_file: Path,
    damage: str,
) -> None:
    archive = tmp_path / "a.bk"
    _backup(source, archive, passphrase_file)
    raw = bytearray(archive.read_bytes())
    head, chunks = _chunks(bytes(raw))
    if damage == "flip":
        raw[len(raw) // 2] ^= 0x01
    elif damage == "truncate":
        raw = raw[:-7]
    elif damage == "drop-last":  # a whole final chunk gone: the previous one is not final
        assert len(chunks) >= 1
        raw = bytearray(head + b"".join(chunks[:-1]))
    elif damage == "append":
        raw += raw[len(head) : len(head) + 64]
    else:  # the scrypt salt: another key, caught by the check value
        raw[20] ^= 0x01
    archive.write_bytes(bytes(raw))
    target = targets.new()
    result = _restore(target, archive, passphrase_file)
    assert result.exit_code == 1, result.output
    expected = "wrong passphrase" if damage == "header" else ("tampered", "truncated")
    assert any(word in result.output for word in ([expected] if isinstance(expected, str)
                                                    else expected)), result.output
    _assert_untouched(target)


def test_a_non_empty_target_is_refused(
    source: Flask, populated: Any, targets: Targets, tmp_path: Path, passphrase_file: Path
) -> None:
    archive = tmp_path / "a.bk"
    _backup(source, archive, passphrase_file)
    before = _rows(source, Credential)
    # into the very instance it came from
    result = _restore(source, archive, passphrase_file)
    assert result.exit_code == 1 and "not empty" in result.output, result.output
    assert _rows(source, Credential) == before
    # an empty database but a key already in the keys folder
    target = targets.new()
    stray = Path(target.config["BADGER_KEYS_DIR"]) / "org-z" / "ed25519-x.pem"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"not restored over")
    result = _restore(target, archive, passphrase_file)
    assert result.exit_code == 1 and "keys folder" in result.output, result.output
    assert stray.read_bytes() == b"not restored over"
    with get_db(target).engine.connect() as conn:
        from sqlalchemy import inspect

        assert not inspect(conn).has_table("credentials")


def test_a_database_with_rows_is_refused(
    source: Flask, populated: Any, targets: Targets, tmp_path: Path, passphrase_file: Path
) -> None:
    archive = tmp_path / "a.bk"
    _backup(source, archive, passphrase_file)
    target = targets.new()
    engine = get_db(target).engine
    if targets.postgres:
        with engine.begin() as conn:
            conn.execute(text('CREATE SCHEMA "restored"'))
    Base.metadata.create_all(engine)
    with get_db(target).session() as session:
        session.add(Org(slug="other", name="Other"))
        session.commit()
    result = _restore(target, archive, passphrase_file)
    assert result.exit_code == 1 and "not empty" in result.output, result.output
    assert _rows(target, Credential) == 0 and _rows(target, Org) == 1


def test_a_key_passphrase_that_does_not_open_the_keys_is_refused(
    source: Flask, populated: Any, targets: Targets, tmp_path: Path, passphrase_file: Path
) -> None:
    archive = tmp_path / "a.bk"
    _backup(source, archive, passphrase_file)
    target = targets.new(BADGER_KEY_PASSPHRASE="another-key-passphrase-0123")
    result = _restore(target, archive, passphrase_file)
    assert result.exit_code == 1 and "BADGER_KEY_PASSPHRASE" in result.output, result.output
    _assert_untouched(target)


def test_backup_refuses_a_short_passphrase_an_existing_file_and_no_passphrase(
    source: Flask, populated: Any, tmp_path: Path
) -> None:
    short = tmp_path / "short"
    short.write_text("too short\n", encoding="utf-8")
    out = tmp_path / "a.bk"
    result = _cli(source, "backup", "--out", str(out), "--passphrase-file", str(short))
    assert result.exit_code == 1 and "at least 12" in result.output
    assert not out.exists()
    result = _cli(source, "backup", "--out", str(out), env={"BADGER_BACKUP_PASSPHRASE": ""})
    assert result.exit_code == 1 and "BADGER_BACKUP_PASSPHRASE" in result.output
    out.write_bytes(b"keep me")
    result = _cli(source, "backup", "--out", str(out),
                  env={"BADGER_BACKUP_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 1 and "already exists" in result.output
    assert out.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_the_stream_cipher_round_trips_across_chunks_and_refuses_reordering() -> None:
    plain = secrets.token_bytes(backup_format.CHUNK * 2 + 12345)
    sink = io.BytesIO()
    writer = backup_format.EncryptingWriter(sink, b"a passphrase of some length")
    for i in range(0, len(plain), 300_000):
        writer.write(plain[i : i + 300_000])
    writer.finish()
    raw = sink.getvalue()
    assert len(raw) < len(plain) + 200 and plain[:64] not in raw
    reader = backup_format.DecryptingReader(io.BytesIO(raw), b"a passphrase of some length")
    assert io.BufferedReader(reader).read() == plain
    head, chunks = _chunks(raw)
    assert len(chunks) == 3
    swapped = head + chunks[1] + chunks[0] + chunks[2]
    with pytest.raises(backup.BackupError, match="tampered"):
        io.BufferedReader(backup_format.DecryptingReader(io.BytesIO(swapped),
                                                         b"a passphrase of some length")).read()
    with pytest.raises(backup.WrongPassphrase):
        backup_format.DecryptingReader(io.BytesIO(raw), b"another passphrase")
    with pytest.raises(backup.BackupError, match="not a badger backup"):
        backup_format.DecryptingReader(io.BytesIO(b"PK\x03\x04" + raw), b"x")


def test_an_instance_made_by_the_cli_comes_back_whole_under_the_same_schema(
    targets: Targets, tmp_path: Path, passphrase_file: Path
) -> None:
    """The operator's path: ``badger init`` + ``demo`` (real migrations), backup, restore into a
    new database with the same schema name (``public`` → ``public`` on PostgreSQL), ``badger
    init`` again: the manifest names the Alembic head, every document is served as before."""
    from alembic.script import ScriptDirectory

    from badger.migrate import alembic_config

    source = targets.new(schema="public")
    for command in (["init"], ["demo"]):
        result = _cli(source, *command)
        assert result.exit_code == 0, result.output
    archive = tmp_path / "demo.bk"
    _backup(source, archive, passphrase_file)
    manifest = json.loads(_plain_members(archive, PASSPHRASE)["manifest.json"])
    with source.app_context():
        head = ScriptDirectory.from_config(alembic_config(source)).get_current_head()
    assert manifest["database"]["alembic_revision"] == head
    target = targets.new(schema="public")
    result = _restore(target, archive, passphrase_file)
    assert result.exit_code == 0, result.output
    assert "badger init" in result.output
    result = _cli(target, "init")
    assert result.exit_code == 0, result.output
    before = _public_documents(source)
    assert any("/networks/" in p for p in before)
    assert _public_documents(target) == before
    assert _verify_all(target)[0] >= 1


def _repack(archive: Path, members: dict[str, bytes], extra: list[tarfile.TarInfo]) -> None:
    """Write ``members`` (and raw ``extra`` entries) as a validly encrypted archive: what
    someone holding the passphrase could make."""
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode="w:gz") as tar:
        for info in extra:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with archive.open("wb") as sink:
        writer = backup_format.EncryptingWriter(sink, PASSPHRASE.encode())
        writer.write(plain.getvalue())
        writer.finish()


def _link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def _file(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = 1
    return info


@pytest.mark.parametrize("change", [
    "key-bytes", "extra-member", "missing-member", "future-revision", "other-database",
    "traversal", "symlink", "absolute", "no-manifest",
])
def test_an_archive_made_with_the_passphrase_but_not_by_badger_is_refused(
    source: Flask, populated: Any, targets: Targets, tmp_path: Path, passphrase_file: Path,
    change: str,
) -> None:
    """The encryption keeps out whoever lacks the passphrase; the manifest, the member names
    and the revision check keep out a wrong or hostile archive made by someone who has it."""
    archive = tmp_path / "a.bk"
    _backup(source, archive, passphrase_file)
    members = _plain_members(archive, PASSPHRASE)
    manifest = json.loads(members["manifest.json"])
    key = next(n for n in members if n.startswith("keys/org-a/") and n.endswith(".pem"))
    extra: list[tarfile.TarInfo] = []
    expected = "unexpected member"
    if change == "key-bytes":
        members[key] = members[key].replace(b"-----END", b"-----END ")
        expected = "checksum mismatch"
    elif change == "extra-member":
        members["keys/org-a/extra.pem"] = b"planted"
        expected = "do not match its manifest"
    elif change == "missing-member":
        del members[key]
        expected = "do not match its manifest"
    elif change == "future-revision":
        manifest["database"]["alembic_revision"] = "9999_from_the_future"
        expected = "unknown to this badger"
    elif change == "other-database":
        kind = manifest["database"]["kind"]
        manifest["database"]["kind"] = "postgresql" if kind == "sqlite" else "sqlite"
        expected = "this instance uses"
    elif change == "traversal":
        extra.append(_file("keys/../../escaped"))
    elif change == "symlink":
        extra.append(_link("keys/org-a/link.pem", "/etc/passwd"))
    elif change == "absolute":
        extra.append(_file("/tmp/absolute-member"))
    else:
        del members["manifest.json"]
        expected = "no manifest"
    if "manifest.json" in members:
        members["manifest.json"] = json.dumps(manifest).encode()
    _repack(archive, members, extra)
    target = targets.new()
    result = _restore(target, archive, passphrase_file)
    assert result.exit_code == 1 and expected in result.output, result.output
    _assert_untouched(target)
    assert not (tmp_path / "escaped").exists() and not Path("/tmp/absolute-member").exists()


def test_the_cipher_streams_in_bounded_memory(tmp_path: Path) -> None:
    """24 MiB through the writer and back through the reader, in 256 KiB pieces: the peak of
    Python allocations stays a few chunks, not the size of the data."""
    import tracemalloc

    piece = secrets.token_bytes(256 * 1024)
    path = tmp_path / "big.bin"
    tracemalloc.start()
    try:
        with path.open("wb") as sink:
            writer = backup_format.EncryptingWriter(sink, b"a passphrase of some length")
            for _ in range(96):
                writer.write(piece)
            writer.finish()
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        total = 0
        with path.open("rb") as source:
            reader = io.BufferedReader(
                backup_format.DecryptingReader(source, b"a passphrase of some length"),
                backup_format.CHUNK,
            )
            while block := reader.read(256 * 1024):
                assert block == piece
                total += len(block)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 96 * len(piece)
    limit = 6 * backup_format.CHUNK
    assert write_peak < limit and read_peak < limit, (write_peak, read_peak)
