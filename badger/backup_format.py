"""The encrypted archive format of ``badger backup`` (:mod:`badger.backup`): a stream
encrypted in chunks, so neither side holds the database in memory.

The plain text (a gzip'd tar, written and read by :mod:`badger.backup`) is stored as::

    header  = b"BADGERBK" | version 1 | log2(N) | r | p | salt (16) | nonce prefix (8)
    check   = HMAC-SHA256(check key, header)                       (32 bytes, after the header)
    chunk   = final flag (1) | length (4, big-endian) | AES-256-GCM(≤ 1 MiB)

``scrypt(passphrase, salt, N, r, p)`` gives 64 bytes: the AES key and the check key. Each
chunk's nonce is the prefix and the chunk's number; its associated data is the header, the
number and the final flag, so a changed header, a reordered, dropped, added or truncated chunk
is refused. The check value tells a wrong passphrase from a damaged archive.

This module knows nothing of badger: bytes in, bytes out.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import struct
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"BADGERBK"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024
#: scrypt cost: N = 2**17, r = 8 (128 MiB, about half a second), as OWASP advises.
SCRYPT_LOG2_N = 17
SCRYPT_R = 8
SCRYPT_P = 1
#: What a header may ask for when read back (bounds the memory a forged header can demand).
MAX_LOG2_N = 20
MAX_SCRYPT_MEMORY = 1024**3
_HEADER = struct.Struct(">8sBBBB16s8s")
_RECORD = struct.Struct(">BI")
_AAD = struct.Struct(">QB")


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why, for the operator."""


class WrongPassphrase(BackupError):
    """The passphrase does not open this archive."""


def _derive(passphrase: bytes, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    material = Scrypt(salt=salt, length=64, n=2**log2_n, r=r, p=p).derive(passphrase)
    return material[:32], material[32:]


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts what it is given into ``sink``, chunk by chunk."""

    def __init__(self, sink: BinaryIO, passphrase: bytes) -> None:
        super().__init__()
        salt, self._prefix = secrets.token_bytes(16), secrets.token_bytes(8)
        self._header = _HEADER.pack(
            MAGIC, FORMAT_VERSION, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt, self._prefix
        )
        key, check_key = _derive(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
        self._aead = AESGCM(key)
        self._sink = sink
        self._buffer = bytearray()
        self._counter = 0
        sink.write(self._header)
        sink.write(hmac.new(check_key, self._header, hashlib.sha256).digest())

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._buffer += view
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(view)

    def _seal(self, plain: bytes, *, final: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._counter)
        aad = self._header + _AAD.pack(self._counter, final)
        sealed = self._aead.encrypt(nonce, plain, aad)
        self._sink.write(_RECORD.pack(final, len(sealed)))
        self._sink.write(sealed)
        self._counter += 1
        if self._counter >= 2**32:
            raise BackupError("archive too large")

    def finish(self) -> None:
        """Seal the last chunk (marked final, possibly empty). Does not close ``sink``; an
        archive left unfinished (an error on the way) is refused as truncated."""
        self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()
        self.close()


class DecryptingReader(io.RawIOBase):
    """A read-only stream of the plain text of an archive; every chunk is authenticated before
    a byte of it is returned, and the end must be the final chunk."""

    def __init__(self, source: BinaryIO, passphrase: bytes) -> None:
        super().__init__()
        head = source.read(_HEADER.size + 32)
        if len(head) < _HEADER.size + 32 or not head.startswith(MAGIC):
            raise BackupError("not a badger backup archive")
        _magic, version, log2_n, r, p, salt, prefix = _HEADER.unpack(head[: _HEADER.size])
        if version != FORMAT_VERSION:
            raise BackupError(f"archive format {version} is not supported (expected 1)")
        if not (10 <= log2_n <= MAX_LOG2_N and 1 <= r <= 16 and 1 <= p <= 4) or (
            128 * r * 2**log2_n > MAX_SCRYPT_MEMORY
        ):
            raise BackupError("archive header asks for unsupported scrypt parameters")
        self._header = head[: _HEADER.size]
        key, check_key = _derive(passphrase, salt, log2_n, r, p)
        expected = hmac.new(check_key, self._header, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, head[_HEADER.size :]):
            raise WrongPassphrase("wrong passphrase for this archive (or its header is damaged)")
        self._aead = AESGCM(key)
        self._prefix = prefix
        self._source = source
        self._counter = 0
        self._plain = b""
        self._offset = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        record = self._source.read(_RECORD.size)
        if len(record) < _RECORD.size:
            raise BackupError("archive truncated: its last part is missing")
        final, length = _RECORD.unpack(record)
        if final not in (0, 1) or length < 16 or length > CHUNK + 16:
            raise BackupError("archive damaged or tampered with (bad chunk)")
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise BackupError("archive truncated: its last part is missing")
        nonce = self._prefix + struct.pack(">I", self._counter)
        try:
            aad = self._header + _AAD.pack(self._counter, final)
            plain = self._aead.decrypt(nonce, sealed, aad)
        except InvalidTag:
            raise BackupError("archive damaged or tampered with (authentication failed)") from None
        self._counter += 1
        if final:
            if self._source.read(1):
                raise BackupError("archive damaged or tampered with (data after its end)")
            self._done = True
        self._plain, self._offset = plain, 0

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while self._offset >= len(self._plain):
            if self._done:
                return 0
            self._next_chunk()
        n = min(len(view), len(self._plain) - self._offset)
        view[:n] = self._plain[self._offset : self._offset + n]
        self._offset += n
        return n
