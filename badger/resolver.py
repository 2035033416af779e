"""Fetching keys, DID documents and status lists for the verifier, safely.

Why: :mod:`badger.ob3` never touches the network; it asks a :class:`~badger.ob3.Resolver`. A
verifier that fetches whatever URL a credential names is a server-side request forgery tool, so
:class:`WebResolver` enforces a policy on every hop:

* https only (http only when private fetching is allowed, i.e. tests and local demos);
* the host name is resolved once, every address it resolves to must be public (no loopback,
  private, link-local, multicast, reserved, shared or unspecified IPv4/IPv6 addresses, no
  IPv4-mapped tricks), and the connection is then made to that checked address (the URL is
  rewritten to the IP, ``Host`` and TLS SNI keep the name) so DNS rebinding cannot swap it;
* at most :data:`MAX_REDIRECTS` redirects, each target checked again;
* connect/read timeouts and a body size cap enforced while streaming;
* a small in-process TTL cache (documents rarely change; status lists are re-read after the TTL).

:class:`LocalFirstResolver` answers this server's own public URLs (``BADGER_BASE_URL``) in
process through the Flask app, so verifying our own badges costs no HTTP round trip and a
revocation shows at once (no cache for local answers).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
from flask import Flask, current_app

from badger import cache
from badger.ob3 import safejson
from badger.ob3.resolver import DocumentNotFoundError, ResolutionError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_REDIRECTS",
    "CappedStream",
    "FetchRefusedError",
    "HttpNotFoundError",
    "HttpStatusError",
    "LocalFirstResolver",
    "WebResolver",
    "app_resolver",
    "is_public_address",
]

MAX_REDIRECTS = 3
DEFAULT_MAX_BYTES = 512 * 1024
DEFAULT_TIMEOUT = 5.0
DEFAULT_CACHE_TTL = 300.0
DEFAULT_CACHE_SIZE = 256
ACCEPT = "application/ld+json, application/did+json, application/json;q=0.9, */*;q=0.1"
USER_AGENT = "badger-verifier/0.1 (+https://github.com/badger)"

HostResolver = Callable[[str, int], list[str]]


class FetchRefusedError(ResolutionError):
    """The URL was refused by policy (scheme, address, size, redirects), not merely unreachable."""


class HttpStatusError(ResolutionError):
    """The server answered, with a status other than 200 (``410`` means withdrawn on purpose)."""

    def __init__(self, url: str, status: int) -> None:
        super().__init__(f"{url} answered HTTP {status}")
        self.url = url
        self.status = status

    @classmethod
    def of(cls, url: str, status: int) -> HttpStatusError:
        """404 and 410 are answers (nothing is there), not failures to reach the server."""
        return HttpNotFoundError(url, status) if status in (404, 410) else cls(url, status)


class HttpNotFoundError(HttpStatusError, DocumentNotFoundError):
    """The server answered that there is no document at the URL (404 / 410)."""


def _default_dns(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


#: IPv6 global unicast: everything IANA hands out for the Internet is inside 2000::/3, so any
#: other IPv6 address (site-local fec0::/10, unique-local, NAT64 64:ff9b::/96, discard 100::/64,
#: SRv6 5f00::/16, IPv4-compatible ::a.b.c.d…) is refused whatever ``ipaddress`` thinks of it.
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")

#: Special-purpose ranges (IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890 and
#: later) that no key or status-list server lives in. Listed here, not left to
#: ``ipaddress.is_global``, whose table depends on the Python version (3.11 calls fec0::/10 and
#: 3fff::/20 global).
_SPECIAL_PURPOSE = [
    ipaddress.ip_network("0.0.0.0/8"),  # "this network"
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT (shared address space)
    ipaddress.ip_network("192.0.0.0/24"),  # IETF protocol assignments
    ipaddress.ip_network("192.0.2.0/24"),  # documentation (TEST-NET-1)
    ipaddress.ip_network("192.31.196.0/24"),  # AS112-v4
    ipaddress.ip_network("192.52.193.0/24"),  # AMT
    ipaddress.ip_network("192.88.99.0/24"),  # deprecated 6to4 relay anycast
    ipaddress.ip_network("192.175.48.0/24"),  # direct delegation AS112
    ipaddress.ip_network("198.18.0.0/15"),  # benchmarking
    ipaddress.ip_network("198.51.100.0/24"),  # documentation (TEST-NET-2)
    ipaddress.ip_network("203.0.113.0/24"),  # documentation (TEST-NET-3)
    ipaddress.ip_network("240.0.0.0/4"),  # reserved, and the limited broadcast
    ipaddress.ip_network("2001::/23"),  # IETF protocol assignments (Teredo, ORCHID, AMT, AS112)
    ipaddress.ip_network("2001:db8::/32"),  # documentation
    ipaddress.ip_network("2002::/16"),  # 6to4 (embeds an IPv4 address)
    ipaddress.ip_network("2620:4f:8000::/48"),  # direct delegation AS112
    ipaddress.ip_network("3fff::/20"),  # documentation (RFC 9637)
]


def is_public_address(address: str) -> bool:
    """True only for a globally routable unicast address: IPv4 outside every special-purpose
    range, IPv6 inside 2000::/3 and outside every special-purpose range; scope ids refused. An
    IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged by its IPv4 address."""
    if "%" in address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_address(str(ip.ipv4_mapped))
        if ip not in _GLOBAL_UNICAST_V6:
            return False
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    ):
        return False
    return not any(ip in net for net in _SPECIAL_PURPOSE if net.version == ip.version)


class _TTLCache:
    """Fetched documents by URL for ``ttl`` seconds: a :class:`badger.cache.Cache` (shared by
    the instance's processes when it has Redis); ``ttl`` <= 0 keeps nothing. Callers get
    their own copy (they may mutate it)."""

    def __init__(self, ttl: float, size: int, scope: str = "") -> None:
        self.ttl = ttl
        self.size = size
        self.scope = scope
        self._cache: cache.Cache[dict[str, Any]] = cache.Cache(
            "resolver.documents", size=size, ttl=ttl, register=False)

    def get(self, key: str) -> dict[str, Any] | None:
        if self.ttl <= 0:
            return None
        found = self._cache.get(self.scope + key)
        return None if found is None else json.loads(json.dumps(found))

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self.ttl <= 0:
            return
        self._cache.set(self.scope + key, json.loads(json.dumps(value)))

    def clear(self) -> None:
        self._cache.clear()


class CappedStream:
    """A fetched body read as it arrives, refused past ``limit`` bytes."""

    def __init__(self, url: str, chunks: Iterator[bytes], limit: int) -> None:
        self.url, self.chunks, self.limit = url, chunks, limit
        self.total = 0
        self.pending = b""

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left for -1); b"" at the end."""
        while size < 0 or len(self.pending) < size:
            try:
                chunk = next(self.chunks, b"")
            except httpx.HTTPError as exc:
                raise ResolutionError(f"{self.url} could not be read: {exc}") from exc
            if not chunk:
                break
            self.total += len(chunk)
            if self.total > self.limit:
                raise FetchRefusedError(f"the document is larger than {self.limit} bytes")
            self.pending += chunk
        if size < 0:
            size = len(self.pending)
        out, self.pending = self.pending[:size], self.pending[size:]
        return out


class WebResolver:
    """A :class:`badger.ob3.Resolver` over HTTPS with SSRF protection (see module docstring)."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        cache_ttl: float = DEFAULT_CACHE_TTL,
        cache_size: int = DEFAULT_CACHE_SIZE,
        dns: HostResolver | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.dns = dns or _default_dns
        # documents fetched under the private-address policy are kept apart
        self.cache = _TTLCache(cache_ttl, cache_size, "private:" if allow_private else "")
        self._transport = transport
        self.requests: list[str] = []  # URLs actually fetched (diagnostics, tests)

    # -- policy -------------------------------------------------------------------------

    def _target(self, url: str) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
        """Check ``url`` and return the pinned URL, headers and request extensions."""
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchRefusedError(f"invalid URL {url!r}") from exc
        scheme = parts.scheme.lower()
        if scheme not in {"https", "http"}:
            raise FetchRefusedError(f"only https URLs are fetched, not {scheme or 'none'!r}")
        if scheme == "http" and not self.allow_private:
            raise FetchRefusedError("plain http is refused; keys and lists must use https")
        if parts.username or parts.password:
            raise FetchRefusedError("URLs with credentials are refused")
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            raise FetchRefusedError("the URL has no host")
        port = port or (443 if scheme == "https" else 80)
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [str(literal)]
        else:
            local_name = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
            if local_name and not self.allow_private:
                raise FetchRefusedError(f"{host} is a local name")
            try:
                addresses = self.dns(host, port)
            except (OSError, UnicodeError) as exc:
                raise ResolutionError(f"{host} could not be resolved") from exc
        if not addresses:
            raise ResolutionError(f"{host} has no address")
        if not self.allow_private:
            bad = [a for a in addresses if not is_public_address(a)]
            if bad:
                raise FetchRefusedError(f"{host} resolves to a non-public address")
        address = addresses[0]
        ip_host = f"[{address}]" if ":" in address else address
        netloc_host = f"[{host}]" if literal is not None and ":" in host else host
        default_port = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
        host_header = netloc_host if default_port else f"{netloc_host}:{port}"
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        pinned = httpx.URL(f"{scheme}://{ip_host}:{port}{path}")
        extensions: dict[str, Any] = {}
        if scheme == "https" and literal is None:
            extensions["sni_hostname"] = host
        headers = {"Host": host_header, "Accept": ACCEPT, "User-Agent": USER_AGENT}
        return pinned, headers, extensions

    # -- fetching -----------------------------------------------------------------------

    def _client(self) -> httpx.Client:
        return httpx.Client(
            transport=self._transport,
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 3.0)),
            follow_redirects=False,
            trust_env=False,  # never route through an environment proxy that bypasses checks
        )

    def _read(self, response: httpx.Response, limit: int) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchRefusedError(f"the document is larger than {limit} bytes")
        chunks: list[bytes] = []
        total = 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > limit:
                raise FetchRefusedError(f"the document is larger than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    @contextlib.contextmanager
    def _response(self, url: str) -> Iterator[httpx.Response]:
        """The 200 answer for ``url`` under the policy (every redirect re-checked), streaming."""
        current = url
        with self._client() as client:
            for _hop in range(self.max_redirects + 1):
                pinned, headers, extensions = self._target(current)
                self.requests.append(current)
                try:
                    request = client.build_request(
                        "GET", pinned, headers=headers, extensions=extensions
                    )
                    response = client.send(request, stream=True)
                except httpx.HTTPError as exc:
                    raise ResolutionError(f"{current} could not be fetched: {exc}") from exc
                try:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        if not location:
                            raise ResolutionError(f"{current} redirects nowhere")
                        current = urllib.parse.urljoin(current, location)
                        continue
                    if response.status_code != 200:
                        raise HttpStatusError.of(current, response.status_code)
                    yield response
                    return
                finally:
                    response.close()
        raise FetchRefusedError(f"more than {self.max_redirects} redirects from {url}")

    def fetch_bytes(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """Fetch ``url`` under the policy (every redirect re-checked); returns the body."""
        limit = max_bytes or self.max_bytes
        with self._response(url) as response:
            try:
                return self._read(response, limit)
            except httpx.HTTPError as exc:
                raise ResolutionError(f"{url} could not be read: {exc}") from exc

    @contextlib.contextmanager
    def open_stream(self, url: str, *, max_bytes: int | None = None) -> Iterator[CappedStream]:
        """``url``'s body as a binary stream (``read(n)``) that refuses to go past
        ``max_bytes``: large documents (CASE packages) are parsed as they arrive."""
        limit = max_bytes or self.max_bytes
        with self._response(url) as response:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchRefusedError(f"the document is larger than {limit} bytes")
            yield CappedStream(url, response.iter_bytes(), limit)

    def fetch_json(self, url: str) -> dict[str, Any]:
        """Return the JSON object at ``url`` (cached for ``cache_ttl`` seconds)."""
        cached = self.cache.get(url)
        if cached is not None:
            return cached
        body = self.fetch_bytes(url)
        try:
            value = safejson.loads(body)
        except (UnicodeDecodeError, ValueError) as exc:
            raise ResolutionError(f"{url} is not JSON") from exc
        if not isinstance(value, dict):
            raise ResolutionError(f"{url} is not a JSON object")
        self.cache.put(url, value)
        return value


class LocalFirstResolver:
    """Answer URLs under this server's base URL in process; everything else goes to ``remote``.

    Local answers are not cached, so a revocation is visible on the next verification.
    """

    def __init__(
        self,
        app: Flask,
        remote: Any,
        *,
        base_urls: Iterable[str] | None = None,
    ) -> None:
        self.app = app
        self.remote = remote
        bases = list(base_urls or [str(app.config["BADGER_BASE_URL"])])
        self.bases = [b.rstrip("/") for b in bases if b]
        self.local_requests: list[str] = []

    def _local_path(self, url: str) -> str | None:
        for base in self.bases:
            if url == base or url.startswith(base + "/"):
                path = url[len(base) :] or "/"
                return path.partition("#")[0]
        return None

    def _local_get(self, url: str, path: str, accept: str) -> bytes:
        self.local_requests.append(url)
        base = urllib.parse.urlsplit(self.bases[0])
        # A fresh application context: the inner request gets its own ``g`` (database
        # session, logged-in user, scope) instead of borrowing the outer request's.
        with self.app.app_context():
            client = self.app.test_client()
            response = client.get(
                path, headers={"Accept": accept}, base_url=f"{base.scheme}://{base.netloc}"
            )
            status = response.status_code
            body = bytes(response.get_data())
            response.close()
        if status != 200:
            raise HttpStatusError.of(url, status)
        return body

    def fetch_bytes(self, url: str, *, max_bytes: int | None = None) -> bytes:
        path = self._local_path(url)
        if path is None:
            return bytes(self.remote.fetch_bytes(url, max_bytes=max_bytes))
        body = self._local_get(url, path, "*/*")
        if max_bytes is not None and len(body) > max_bytes:
            raise FetchRefusedError(f"the document is larger than {max_bytes} bytes")
        return body

    def fetch_json(self, url: str) -> dict[str, Any]:
        path = self._local_path(url)
        if path is None:
            return dict(self.remote.fetch_json(url))
        body = self._local_get(url, path, "application/ld+json, application/json")
        try:
            value = safejson.loads(body)
        except ValueError as exc:
            raise ResolutionError(f"{url} is not JSON") from exc
        if not isinstance(value, dict):
            raise ResolutionError(f"{url} is not a JSON object")
        return value


_LOCK = threading.Lock()


def app_resolver(app: Flask | None = None) -> LocalFirstResolver:
    """The resolver of this app: local URLs in process, others through one shared WebResolver."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _LOCK:
        web = app.extensions.get("badger.web_resolver")
        if web is None:
            web = WebResolver(allow_private=bool(app.config.get("BADGER_ALLOW_PRIVATE_FETCH")))
            app.extensions["badger.web_resolver"] = web
    return LocalFirstResolver(app, web)
