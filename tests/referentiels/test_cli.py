"""``badger referentiel import URL`` fetches through the verifier's WebResolver: https only,
public addresses only (DNS checked, then pinned), size cap; ``BADGER_ALLOW_PRIVATE_FETCH`` lifts
the address rule. DNS and HTTP are monkeypatched, except in the end-to-end test, which fetches
a package from the live test server over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from badger import resolver as web
from badger.referentiels import cli
from tests.referentiels.test_views import counts

ROOT = Path(__file__).resolve().parents[2]
CLEA = (ROOT / "referentiels" / "clea.json").read_bytes()
PUBLIC = "93.184.216.34"
URL = "https://case.example.org/paquets/clea.json"


@pytest.fixture(autouse=True)
def production_policy(app: Any) -> None:
    """The test app allows private fetches (tests/conftest.py); a real server does not."""
    app.config["BADGER_ALLOW_PRIVATE_FETCH"] = False


def fake_dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]) -> None:
    def lookup(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("no such host")
        return table[host]

    monkeypatch.setattr(web, "_default_dns", lookup)


def fake_http(monkeypatch: pytest.MonkeyPatch, handler: Any) -> list[httpx.Request]:
    """Route every httpx.Client the resolver opens to ``handler``; return the requests seen."""
    seen: list[httpx.Request] = []
    real = httpx.Client

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)  # type: ignore[no-any-return]

    def client(**kw: Any) -> httpx.Client:
        kw["transport"] = httpx.MockTransport(record)
        return real(**kw)

    monkeypatch.setattr(web.httpx, "Client", client)
    return seen


def run(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["referentiel", "import", *args])


def test_private_address_is_refused_before_any_connection(
    app: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"case.example.org": ["10.0.0.7"]})
    seen = fake_http(monkeypatch, lambda request: httpx.Response(200, content=CLEA))
    result = run(app, URL)
    assert result.exit_code != 0
    assert "adresse refusée" in result.output and "non-public" in result.output
    assert seen == []
    assert counts(db) == (0, 0, 0)


@pytest.mark.parametrize("url", [
    "http://case.example.org/clea.json",  # plain http
    "https://127.0.0.1/clea.json",  # loopback literal
    "https://[::ffff:10.0.0.1]/clea.json",  # IPv4-mapped private
    "https://localhost/clea.json",  # local name
    "file:///etc/passwd",  # another scheme
])
def test_other_unsafe_urls_are_refused(url: str, app: Any, db: Any,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"case.example.org": [PUBLIC], "localhost": ["127.0.0.1"]})
    seen = fake_http(monkeypatch, lambda request: httpx.Response(200, content=CLEA))
    result = run(app, url)
    assert result.exit_code != 0 and "adresse refusée" in result.output
    assert seen == []
    assert counts(db) == (0, 0, 0)


def test_public_https_url_is_imported_through_the_pinned_address(
    app: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"case.example.org": [PUBLIC]})
    seen = fake_http(monkeypatch, lambda request: httpx.Response(200, content=CLEA))
    result = run(app, URL)
    assert result.exit_code == 0, result.output
    assert "importé" in result.output and "7 compétences" in result.output
    (request,) = seen
    assert request.url.host == PUBLIC  # connected to the address that was checked
    assert request.headers["host"] == "case.example.org"
    assert counts(db)[2] == 7


def test_redirect_to_a_private_address_is_refused(
    app: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"case.example.org": [PUBLIC], "intranet.example.org": ["192.168.1.2"]})

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "https://intranet.example.org/x.json"})

    seen = fake_http(monkeypatch, handler)
    result = run(app, URL)
    assert result.exit_code != 0 and "adresse refusée" in result.output
    assert len(seen) == 1  # the redirect target was never contacted
    assert counts(db) == (0, 0, 0)


def test_size_limit(app: Any, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "MAX_DOWNLOAD", 1000)
    fake_dns(monkeypatch, {"case.example.org": [PUBLIC]})
    fake_http(monkeypatch, lambda request: httpx.Response(200, content=CLEA))
    result = run(app, URL)
    assert result.exit_code != 0 and "1000 bytes" in result.output
    assert counts(db) == (0, 0, 0)


def test_unreachable_host_is_reported(app: Any, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {})
    result = run(app, URL)
    assert result.exit_code != 0 and "téléchargement impossible" in result.output
    assert run(app, "/nowhere/clea.json").exit_code != 0


def test_allow_private_fetch_is_honoured(app: Any, db: Any,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    app.config["BADGER_ALLOW_PRIVATE_FETCH"] = True
    fake_dns(monkeypatch, {"case.example.org": ["10.0.0.7"]})
    fake_http(monkeypatch, lambda request: httpx.Response(200, content=CLEA))
    result = run(app, URL)
    assert result.exit_code == 0, result.output
    assert counts(db)[2] == 7


def test_fetch_from_a_live_server_over_http(app: Any, db: Any, live_server: str) -> None:
    """End to end: the package another badger serves, fetched over real HTTP (loopback, so
    only with BADGER_ALLOW_PRIVATE_FETCH), is imported; refused without the setting."""
    from badger.referentiels.cli import on_init

    on_init(db, app)
    db.commit()
    ident = json.loads(CLEA)["CFDocument"]["identifier"]
    url = f"{live_server}/ims/case/v1p0/CFPackages/{ident}"
    refused = run(app, url)
    assert refused.exit_code != 0 and "adresse refusée" in refused.output
    app.config["BADGER_ALLOW_PRIVATE_FETCH"] = True
    result = run(app, url)
    assert result.exit_code == 0, result.output
    assert "rien changé" in result.output
