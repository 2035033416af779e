"""A loopback SMTP server for the tests (standard library only): it keeps every message."""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 loopback ESMTP")
        rcpt: list[str] = []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            verb = line.decode("utf-8", "replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self._say("250-loopback")
                self._say("250 8BITMIME")
            elif verb in {"HELO", "MAIL", "RSET", "NOOP"}:
                self._say("250 OK")
            elif verb == "RCPT":
                rcpt.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 go on")
                data = b""
                while True:
                    chunk = self.rfile.readline(65536)
                    if chunk in {b".\r\n", b".\n", b""}:
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                msg = email.message_from_bytes(data, policy=email.policy.default)
                self.server.messages.append((list(rcpt), msg))  # type: ignore[arg-type]
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 not here")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    messages: list[tuple[list[str], EmailMessage]]


@contextmanager
def smtp_server(port: int = 0) -> Iterator[_Server]:
    """``smtp://127.0.0.1:<port>`` (a free one unless given: a test may start it on the port
    a failed attempt used); ``server.messages`` holds (recipients, message)."""
    server = _Server(("127.0.0.1", port), _Handler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
