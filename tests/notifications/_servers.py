"""Loopback servers for the notification tests: SMTP (the holders' one, on a chosen port, so
a test can start it after a failed attempt) and a fake Twilio Messages API."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.holders._smtp import smtp_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_on(port: int) -> Any:
    """A loopback SMTP server on ``port`` (the holders' one); ``server.messages`` holds
    (recipients, message)."""
    return smtp_server(port)


class _Twilio(BaseHTTPRequestHandler):
    server: Any

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.requests.append({
            "path": self.path, "auth": self.headers.get("Authorization"),
            "type": self.headers.get("Content-Type"),
            "body": self.rfile.read(length).decode()})
        status = self.server.answers.pop(0) if self.server.answers else 201
        body = (json.dumps({"sid": "SM1", "status": "queued"}) if status < 300 else
                json.dumps({"code": 21211, "message": "The 'To' number is not valid."}))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def twilio_server() -> Iterator[Any]:
    """``server.requests``: what was posted; ``server.answers``: statuses to answer, in turn."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Twilio)
    server.requests, server.answers = [], []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
