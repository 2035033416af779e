"""Large CASE packages: over the web form's 10 MiB they import from a file or a URL, read as a
stream (never whole in memory), and a stream past the cap stops there. The 10,000-item and
50 MB figures are in bench/case_import.py; these tests keep to 2,000 items."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from badger import referentiels as service
from badger.referentiels import case, cli
from badger.referentiels.case import reader
from tests.referentiels.test_cli import PUBLIC, fake_dns, fake_http, run

N = 2000


def big_package(n: int = N, *, pad: int = 5200) -> bytes:
    """``n`` competences whose definitions make the package just over the web upload cap."""
    fw = case.Framework(identifier=case.stable_id("grand", "1", "document"), title="Grand cadre",
                        creator="tests", key="grand", last_change="2026-01-01T00:00:00+00:00")
    text = "Être capable d'agir en situation réelle, seul ou en équipe. " * (pad // 60)
    for i in range(n):
        fw.items.append(case.Item(identifier=fw.item_id_for(f"C{i}"), code=f"C{i}",
                                  label=f"Compétence {i}", description=f"{i} — {text}",
                                  position=i + 1))
    return case.dumps(case.to_package(fw)).encode()


@pytest.fixture(scope="module")
def package_bytes() -> bytes:
    data = big_package()
    assert case.MAX_BYTES < len(data) < reader.MAX_PACKAGE_BYTES
    return data


def test_web_cap_refuses_what_the_cli_cap_accepts(package_bytes: bytes) -> None:
    with pytest.raises(case.CaseImportError) as refused:
        case.parse_package(package_bytes)
    assert "trop volumineux" in str(refused.value)
    assert len(case.parse_package(package_bytes, max_bytes=reader.MAX_PACKAGE_BYTES).items) == N


def test_cli_imports_a_large_file_as_a_stream(
    app: Any, db: Any, tmp_path: Path, package_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "grand.json"
    path.write_bytes(package_bytes)
    reads: list[int] = []
    real = reader._Reader._more

    def counted(self: Any, want: int = reader.CHUNK) -> bool:
        more = bool(real(self, want))
        reads.append(len(self.buf))
        return more

    monkeypatch.setattr(reader._Reader, "_more", counted)
    result = run(app, str(path))
    assert result.exit_code == 0, result.output
    assert f"{N} compétences" in result.output
    # Read in steps of a few MiB: the text held at any time stayed a few reads long, never
    # the 13 MB file (one step reads until it has 1 Mi characters: two reads of French text).
    assert len(reads) > len(package_bytes) // (3 * reader.CHUNK)
    assert max(reads) < 4 * reader.CHUNK < len(package_bytes) / 3
    version = service.find_version(db, case.stable_id("grand", "1", "document"))
    assert version is not None and len(version.competences) == N
    assert run(app, str(path)).output.count("rien changé") == 1  # the same file: a no-op


def _chunks(data: bytes, size: int = 65536) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_url_import_streams_the_body(
    app: Any, db: Any, package_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["BADGER_ALLOW_PRIVATE_FETCH"] = False
    fake_dns(monkeypatch, {"case.example.org": [PUBLIC]})
    fake_http(monkeypatch, lambda request: httpx.Response(
        200, content=_chunks(package_bytes), headers={"content-type": "application/json"}))
    result = run(app, "https://case.example.org/paquets/grand.json")
    assert result.exit_code == 0, result.output
    assert f"{N} compétences" in result.output


def test_endless_url_body_stops_at_the_cap(
    app: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Content-Length, a body that never ends: the fetch stops just past the cap."""
    app.config["BADGER_ALLOW_PRIVATE_FETCH"] = False
    monkeypatch.setattr(cli, "MAX_DOWNLOAD", 2 * 1024 * 1024)
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        yield b'{"CFDocument": {"title": "'
        for _ in itertools.count():
            sent.append(65536)
            yield b"x" * 65536

    fake_dns(monkeypatch, {"case.example.org": [PUBLIC]})
    fake_http(monkeypatch, lambda request: httpx.Response(200, content=endless()))
    result = run(app, "https://case.example.org/paquets/sans-fin.json")
    assert result.exit_code != 0
    assert "2097152" in result.output
    assert sum(sent) < 3 * 1024 * 1024
    assert json.loads(json.dumps(result.output))  # a message, not a traceback
    assert "Traceback" not in result.output


def test_upload_form_states_its_limit_and_refuses_beyond_it(
    client: Any, admin: Any, db: Any, org: Any, package_bytes: bytes
) -> None:
    from tests.conftest import login_staff
    from tests.referentiels.test_views import counts

    login_staff(client, admin)
    page = unescape(client.get("/referentiels/import").get_data(as_text=True))
    assert ("Taille maximale : 10 Mo par ce formulaire. Un paquet CASE plus gros, jusqu'à "
            "50 Mo, s'importe en ligne de commande") in page
    response = client.post("/referentiels/import", data={
        "file": (io.BytesIO(package_bytes), "grand.json"), "title": "", "key": "",
        "owner": f"org:{org.id}",
    }, content_type="multipart/form-data")
    assert response.status_code == 413
    html = unescape(response.get_data(as_text=True))
    assert "Fichier trop volumineux : ce formulaire accepte 10 Mo au plus." in html
    assert "badger referentiel import FICHIER ou URL" in html
    assert counts(db) == (0, 0, 0)
    client.post("/language", data={"lang": "en", "next": "/"})  # the same refusal in English
    english = client.post("/referentiels/import", data={
        "file": (io.BytesIO(package_bytes), "grand.json"), "title": "", "key": "",
        "owner": f"org:{org.id}",
    }, content_type="multipart/form-data").get_data(as_text=True)
    assert "10 MB" in english and "50 MB" in english
