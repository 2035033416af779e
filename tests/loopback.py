"""A loopback web server for tests: serves fixed documents on 127.0.0.1 from a thread.

The app under test fetches from it like from any other host (``BADGER_ALLOW_PRIVATE_FETCH`` is
on in tests), so what an attacker's site or another registry publishes is read through the
real resolver (SSRF rules, size limits, JSON parsing), not a stub.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Site:
    """Documents by path; ``base`` is ``http://127.0.0.1:<port>``; ``hits`` counts requests."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.docs: dict[str, tuple[int, bytes, str]] = {}
        self.hits: dict[str, int] = {}

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, path: str, doc: Any, *, status: int = 200,
            mimetype: str = "application/json") -> str:
        body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        self.docs[path] = (status, body, mimetype)
        return self.url(path)


@contextmanager
def serve() -> Iterator[Site]:
    site: Site

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            site.hits[path] = site.hits.get(path, 0) + 1
            status, body, mimetype = site.docs.get(path, (404, b"{}", "application/json"))
            self.send_response(status)
            self.send_header("Content-Type", mimetype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site = Site(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
