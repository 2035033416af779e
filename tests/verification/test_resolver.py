"""The web resolver refuses private addresses, pins the checked IP, limits size and redirects.

No real network: DNS is a dict and HTTP an ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from badger.ob3.resolver import ResolutionError
from badger.resolver import (
    FetchRefusedError,
    LocalFirstResolver,
    WebResolver,
    is_public_address,
)

PUBLIC = "93.184.216.34"


def dns(table: dict[str, list[str]]) -> Any:
    def lookup(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("no such host")
        return table[host]

    return lookup


class Recorder:
    def __init__(self, routes: dict[str, httpx.Response]) -> None:
        self.routes = routes
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        host = request.headers["host"]
        key = f"{request.url.scheme}://{host}{request.url.raw_path.decode()}"
        if key not in self.routes:
            return httpx.Response(404)
        return self.routes[key]


def resolver(
    routes: dict[str, httpx.Response], table: dict[str, list[str]], **kw: Any
) -> tuple[WebResolver, Recorder]:
    rec = Recorder(routes)
    return WebResolver(dns=dns(table), transport=httpx.MockTransport(rec), **kw), rec


def json_response(doc: Any, **kw: Any) -> httpx.Response:
    return httpx.Response(200, json=doc, **kw)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
        "64:ff9b::a00:1",
        "::",
        "fe80::1%eth0",
        "not-an-ip",
        # special-purpose ranges ``ipaddress.is_global`` does not refuse on every Python
        "fec0::1",  # deprecated site-local
        "feff:ffff::1",  # end of site-local
        "3fff::1",  # documentation (RFC 9637)
        "5f00::1",  # SRv6 SIDs
        "100::1",  # discard-only
        "::8.8.8.8",  # IPv4-compatible (deprecated)
        "::ffff:0:8.8.8.8",  # IPv4-translated
        "64:ff9b::808:808",  # NAT64 of a public address
        "64:ff9b:1::1",  # local-use NAT64
        "2002:808:808::1",  # 6to4 of a public address: still a tunnel, refused
        "2001::1",  # Teredo
        "2001:20::1",  # ORCHIDv2
        "2001:4:112::1",  # AS112-v6
        "2001:db8::1",  # documentation
        "2620:4f:8000::1",  # direct delegation AS112
        "4000::1",  # outside 2000::/3: not allocated for global unicast
        "192.0.2.1",
        "198.51.100.7",
        "203.0.113.9",
        "192.88.99.1",  # deprecated 6to4 relay anycast
        "192.31.196.1",  # AS112-v4
        "192.52.193.1",  # AMT
        "192.175.48.1",  # direct delegation AS112
        "198.18.0.1",  # benchmarking
        "255.255.255.255",
        "0.1.2.3",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    [
        PUBLIC,
        "2606:2800:220:1:248:1893:25c8:1946",
        "8.8.8.8",
        "2001:4860:4860::8888",  # 2001:4860::/32 is outside the 2001::/23 assignments
        "::ffff:8.8.8.8",  # IPv4-mapped: judged by its IPv4 address
        "1.1.1.1",
    ],
)
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/keys",
        "https://10.0.0.5/keys",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/keys",
        "https://[::ffff:127.0.0.1]/keys",
        "https://localhost/keys",
        "https://internal.example/keys",  # resolves to a private address
        "https://mixed.example/keys",  # one public, one private address
        "https://[fec0::1]/keys",
        "https://sitelocal.example/keys",  # resolves to a site-local address
        "https://docs.example/keys",  # resolves to a documentation address
    ],
)
def test_refuses_private_targets(url: str) -> None:
    web, rec = resolver(
        {},
        {
            "internal.example": ["10.0.0.7"],
            "mixed.example": [PUBLIC, "192.168.0.2"],
            "localhost": ["127.0.0.1"],
            "sitelocal.example": ["fec0::1:2"],
            "docs.example": ["3fff::1"],
        },
    )
    with pytest.raises(FetchRefusedError):
        web.fetch_json(url)
    assert rec.seen == []  # refused before any connection


def test_refuses_http_and_other_schemes() -> None:
    web, rec = resolver({}, {"keys.example": [PUBLIC]})
    for url in [
        "http://keys.example/k",
        "file:///etc/passwd",
        "ftp://keys.example/k",
        "https://u:p@keys.example/",
    ]:
        with pytest.raises(FetchRefusedError):
            web.fetch_json(url)
    assert rec.seen == []


def test_fetches_public_and_pins_the_checked_address() -> None:
    web, rec = resolver(
        {"https://keys.example/issuer": json_response({"id": "x"})}, {"keys.example": [PUBLIC]}
    )
    assert web.fetch_json("https://keys.example/issuer") == {"id": "x"}
    (req,) = rec.seen
    assert req.url.host == PUBLIC  # connected to the IP that was checked, not re-resolved
    assert req.headers["host"] == "keys.example"
    assert req.extensions["sni_hostname"] == "keys.example"


def test_redirect_to_private_is_refused() -> None:
    web, rec = resolver(
        {
            "https://keys.example/a": httpx.Response(
                302, headers={"location": "https://evil.example/meta"}
            ),
            "https://keys.example/b": httpx.Response(
                302, headers={"location": "https://169.254.169.254/"}
            ),
        },
        {"keys.example": [PUBLIC], "evil.example": ["127.0.0.1"]},
    )
    for url in ["https://keys.example/a", "https://keys.example/b"]:
        with pytest.raises(FetchRefusedError):
            web.fetch_json(url)
    assert all(r.headers["host"] == "keys.example" for r in rec.seen)


def test_redirects_are_limited_and_rechecked() -> None:
    routes = {
        f"https://keys.example/{i}": httpx.Response(302, headers={"location": f"/{i + 1}"})
        for i in range(4)
    }
    routes["https://keys.example/4"] = json_response({"ok": True})
    web, rec = resolver(routes, {"keys.example": [PUBLIC]})
    assert web.fetch_json("https://keys.example/1") == {"ok": True}  # 3 redirects: allowed
    assert len(rec.seen) == 4
    web2, rec2 = resolver(routes, {"keys.example": [PUBLIC]})
    with pytest.raises(FetchRefusedError):
        web2.fetch_json("https://keys.example/0")  # 4 redirects: refused
    assert len(rec2.seen) == 4  # the 5th request is never made


def test_size_limit_streamed() -> None:
    big = b'{"a": "' + b"x" * 5000 + b'"}'
    web, _ = resolver(
        {
            "https://keys.example/big": httpx.Response(200, content=big),
            "https://keys.example/liar": httpx.Response(
                200, content=big, headers={"content-length": "10"}
            ),
        },
        {"keys.example": [PUBLIC]},
        max_bytes=1000,
    )
    with pytest.raises(FetchRefusedError):
        web.fetch_json("https://keys.example/big")


def test_errors_become_resolution_errors() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out")

    web = WebResolver(dns=dns({"slow.example": [PUBLIC]}), transport=httpx.MockTransport(boom))
    with pytest.raises(ResolutionError):
        web.fetch_json("https://slow.example/k")
    web2, _ = resolver(
        {
            "https://keys.example/html": httpx.Response(200, content=b"<html>"),
            "https://keys.example/list": json_response([1, 2]),
        },
        {"keys.example": [PUBLIC]},
    )
    for url in [
        "https://keys.example/html",
        "https://keys.example/list",
        "https://keys.example/404",
        "https://nowhere.example/",
    ]:
        with pytest.raises(ResolutionError):
            web2.fetch_json(url)


def test_cache_serves_within_ttl_and_returns_copies() -> None:
    web, rec = resolver(
        {"https://keys.example/k": json_response({"n": 1})}, {"keys.example": [PUBLIC]}
    )
    first = web.fetch_json("https://keys.example/k")
    first["n"] = 2
    assert web.fetch_json("https://keys.example/k") == {"n": 1}
    assert len(rec.seen) == 1
    web0, rec0 = resolver(
        {"https://keys.example/k": json_response({"n": 1})}, {"keys.example": [PUBLIC]}, cache_ttl=0
    )
    web0.fetch_json("https://keys.example/k")
    web0.fetch_json("https://keys.example/k")
    assert len(rec0.seen) == 2


def test_private_allowed_when_configured() -> None:
    web, rec = resolver(
        {"http://127.0.0.1:8000/k": json_response({"ok": 1})}, {}, allow_private=True
    )
    assert web.fetch_json("http://127.0.0.1:8000/k") == {"ok": 1}
    assert rec.seen[0].headers["host"] == "127.0.0.1:8000"


def test_local_first_answers_own_urls_in_process(app: Any) -> None:
    class Remote:
        def __init__(self) -> None:
            self.urls: list[str] = []

        def fetch_json(self, url: str) -> dict[str, Any]:
            self.urls.append(url)
            return {"remote": url}

    @app.route("/test-doc")
    def _doc() -> Any:
        return json.dumps({"local": True}), 200, {"Content-Type": "application/json"}

    remote = Remote()
    local = LocalFirstResolver(app, remote, base_urls=["https://badges.example.fr"])
    assert local.fetch_json("https://badges.example.fr/test-doc") == {"local": True}
    assert local.fetch_json("https://other.example/x") == {"remote": "https://other.example/x"}
    with pytest.raises(ResolutionError):
        local.fetch_json("https://badges.example.fr/missing")
    assert remote.urls == ["https://other.example/x"]
    # a look-alike host is not local
    local.fetch_json("https://badges.example.fr.evil.example/test-doc")
    assert remote.urls[-1] == "https://badges.example.fr.evil.example/test-doc"
