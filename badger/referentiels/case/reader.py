"""Read a CASE package from bytes, text or a binary stream, with a byte cap and bounded memory.

A 50 MB package must import from the CLI or a URL without holding its bytes, its text and its
parsed objects at once. :func:`read_package` decodes UTF-8 incrementally and walks the package's
outer structure itself — the root object, its arrays (``CFItems``, ``CFAssociations``…),
``CFDefinitions`` and each rubric's ``CFRubricCriteria`` — handing every element to the C JSON
decoder (``raw_decode``) from a buffer that only ever holds the current element and one read.
The byte cap is checked while reading, so an over-long stream stops there.

The guarantees of :func:`badger.ob3.safejson.loads` are kept: no NUL character, no lone
surrogate, nothing nested deeper than :data:`~badger.ob3.safejson.MAX_DEPTH`; they are checked
per element with cheap substring tests first (the regexes only run when a test hits), which is
what makes a 15 MB package read in a fraction of a second instead of two.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from typing import IO, Any

from flask_babel import lazy_gettext as _l

from badger.ob3 import safejson
from badger.referentiels.case.errors import (
    NOT_UTF8,
    CaseImportError,
    Location,
    at,
    line_at,
    too_big,
)
from badger.referentiels.case.model import MAX_BYTES

#: CLI and URL imports (the web upload keeps :data:`~.model.MAX_BYTES`).
MAX_PACKAGE_BYTES = 50 * 1024 * 1024
#: Bytes read at a time from a stream.
CHUNK = 1 << 20

_WS = " \t\n\r"
_SCAN = json.JSONDecoder().raw_decode
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


class _Invalid(Exception):
    """Malformed JSON at absolute character position ``pos`` (converted to line/column)."""

    def __init__(self, msg: str, pos: int) -> None:
        super().__init__(msg)
        self.msg, self.pos = msg, pos


def read_package(source: IO[bytes] | bytes | bytearray | str, *,
                 max_bytes: int = MAX_BYTES) -> Any:
    """The decoded JSON of a CASE package; :class:`CaseImportError` when it is over
    ``max_bytes``, not UTF-8, not JSON, or refused by the safety rules above."""
    if isinstance(source, str):
        size = len(source.encode("utf-8"))
        if size > max_bytes:
            raise CaseImportError([(at("/"), too_big(size, max_bytes))])
        source = source.encode("utf-8")
    if isinstance(source, bytes | bytearray):
        if len(source) > max_bytes:
            raise CaseImportError([(at("/"), too_big(len(source), max_bytes))])
        return _Reader(_chunks_of_bytes(bytes(source)), max_bytes).read()
    return _Reader(iter(lambda: source.read(CHUNK), b""), max_bytes).read()


class _Prefixed:
    """A stream whose first bytes were already read (to tell JSON from CSV)."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size < 0:
                out, self.head = self.head + self.rest.read(), b""
                return out
            out, self.head = self.head[:size], self.head[size:]
            return out
        return self.rest.read(size)


def peek(stream: IO[bytes], size: int = 64) -> tuple[bytes, IO[bytes]]:
    """The first ``size`` bytes of ``stream``, and a stream that still starts with them."""
    head = stream.read(size)
    return head, _Prefixed(head, stream)  # type: ignore[return-value]


def _chunks_of_bytes(data: bytes) -> Any:
    view = memoryview(data)
    for start in range(0, len(data), CHUNK):
        yield bytes(view[start:start + CHUNK])


def _descend(path: tuple[Any, ...]) -> bool:
    """Whether the container at ``path`` is walked here (its elements decoded one by one)
    rather than decoded whole: the package's big containers, down to the rubric criteria."""
    depth = len(path)
    if depth <= 1:
        return True
    if depth == 2:
        return path[0] in ("CFDefinitions", "CFRubrics")
    return depth == 3 and path[0] == "CFRubrics" and path[2] == "CFRubricCriteria"


class _Reader:
    """One read: a text buffer, its absolute position, and what the caps and checks need."""

    def __init__(self, chunks: Any, max_bytes: int) -> None:
        self.chunks = chunks
        self.max_bytes = max_bytes
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.nbytes = 0
        self.eof = False
        self.buf = ""
        self.pos = 0  # in buf
        self.base = 0  # absolute character offset of buf[0]
        self.lines = 0  # newlines before buf[0]
        self.line_start = 0  # absolute offset where the line holding buf[0] starts
        self.first = True

    # ----------------------------------------------------------------- input

    def _more(self, want: int = CHUNK) -> bool:
        """Append at least ``want`` characters (fewer at the end); False at the end."""
        added = 0
        while added < want and not self.eof:
            chunk = next(self.chunks, b"")
            if not chunk:
                self.eof = True
                text = self._decode(b"", final=True)
            else:
                self.nbytes += len(chunk)
                if self.nbytes > self.max_bytes:
                    raise CaseImportError([(at("/"), _l(
                        "fichier trop volumineux (plus de %(max)s octets)", max=self.max_bytes))])
                if self.first:
                    self.first = False
                    if chunk.startswith(codecs.BOM_UTF8):
                        chunk = chunk[3:]
                text = self._decode(chunk, final=False)
            self._compact()
            self.buf += text
            if "\x00" in text:
                at_pos = self.base + len(self.buf) - len(text) + text.index("\x00")
                raise self._error("NUL characters are not accepted", at_pos)
            added += len(text)
        return added > 0

    def _decode(self, chunk: bytes, *, final: bool) -> str:
        try:
            return self.decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            pending = len(self.decoder.getstate()[0]) if not final else 0
            start = self.nbytes - len(chunk) - pending + exc.start
            raise CaseImportError([(Location(byte=max(start, 0)), NOT_UTF8)]) from exc

    def _compact(self) -> None:
        """Drop what was read, keeping line numbering."""
        if self.pos < CHUNK:
            return
        done = self.buf[:self.pos]
        newlines = done.count("\n")
        if newlines:
            self.lines += newlines
            self.line_start = self.base + done.rindex("\n") + 1
        self.base += self.pos
        self.buf = self.buf[self.pos:]
        self.pos = 0

    def _error(self, msg: str, abs_pos: int) -> CaseImportError:
        rel = abs_pos - self.base
        if 0 <= rel <= len(self.buf):
            head = self.buf[:rel]
            newlines = head.count("\n")
            line = self.lines + newlines + 1
            start = self.base + head.rindex("\n") + 1 if newlines else self.line_start
        else:
            line, start = self.lines + 1, self.line_start
        return CaseImportError([(line_at(line, abs_pos - start + 1),
                                 _l("JSON invalide : %(detail)s", detail=msg))])

    # ----------------------------------------------------------------- tokens

    def _peek(self) -> str:
        """The next non-blank character ('' at the end), positioned on it."""
        while True:
            buf, pos, n = self.buf, self.pos, len(self.buf)
            while pos < n and buf[pos] in _WS:
                pos += 1
            self.pos = pos
            if pos < n:
                return buf[pos]
            if not self._more():
                return ""

    def _expect(self, chars: str, what: str) -> str:
        c = self._peek()
        if not c or c not in chars:
            raise self._error(f"Expecting {what}", self.base + self.pos)
        self.pos += 1
        return c

    def _value(self, path: tuple[Any, ...], depth: int) -> Any:
        """Decode whole the value at the current position (read more until it is complete)."""
        self._peek()
        want = CHUNK
        while True:
            try:
                value, end = _SCAN(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise self._error(exc.msg, self.base + exc.pos) from exc
                self._more(want)
                want *= 2  # a value longer than a read: grow the read, not the retries
                continue
            except RecursionError as exc:  # the decoder's recursion: far deeper than allowed
                raise self._error(f"nested more than {safejson.MAX_DEPTH} levels deep",
                                  self.base + self.pos) from exc
            except ValueError as exc:  # e.g. an integer of 5,000 digits
                raise self._error(str(exc)[:200], self.base + self.pos) from exc
            if end == len(self.buf) and not self.eof and isinstance(value, int | float):
                self._more()  # a number cut by the end of a read
                continue
            self._check(self.buf, self.pos, end, value, depth)
            self.pos = end
            return value

    def _check(self, buf: str, start: int, end: int, value: Any, depth: int) -> None:
        """safejson's rules, for one decoded value: cheap substring tests first."""
        text = buf[start:end] if (end - start) < len(buf) else buf
        if "\\u" in text:
            if "\\u0000" in text and safejson._NUL_ESCAPE.search(text):
                raise self._error("NUL characters are not accepted", self.base + start)
            if safejson._SURROGATE_ESCAPE.search(text):
                try:
                    json.dumps(value, ensure_ascii=False).encode("utf-8")
                except UnicodeEncodeError:
                    raise self._error("lone surrogate (not Unicode text)",
                                      self.base + start) from None
        room = safejson.MAX_DEPTH - depth
        if text.count("{") + text.count("[") > room and safejson.nesting_depth(text) > room:
            raise self._error(f"nested more than {safejson.MAX_DEPTH} levels deep",
                              self.base + start)

    def _key(self) -> str:
        self._expect('"', "property name enclosed in double quotes")
        while True:
            try:
                key, end = _scanstring(self.buf, self.pos)
                break
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise self._error(exc.msg, self.base + exc.pos) from exc
                self._more()
        self._check(self.buf, self.pos, end, key, 0)
        self.pos = end
        self._expect(":", "':' delimiter")
        return key

    # ----------------------------------------------------------------- structure

    def _node(self, path: tuple[Any, ...], depth: int) -> Any:
        c = self._peek()
        if c == "{" and _descend(path):
            return self._object(path, depth)
        if c == "[" and _descend(path):
            return self._array(path, depth)
        return self._value(path, depth)

    def _object(self, path: tuple[Any, ...], depth: int) -> dict[str, Any]:
        self.pos += 1
        out: dict[str, Any] = {}
        if self._peek() == "}":
            self.pos += 1
            return out
        while True:
            key = self._key()
            out[key] = self._node((*path, key), depth + 1)
            if self._expect(",}", "',' delimiter") == "}":
                return out

    def _array(self, path: tuple[Any, ...], depth: int) -> list[Any]:
        self.pos += 1
        out: list[Any] = []
        if self._peek() == "]":
            self.pos += 1
            return out
        while True:
            out.append(self._node((*path, len(out)), depth + 1))
            if self._expect(",]", "',' delimiter") == "]":
                return out

    def read(self) -> Any:
        if not self._peek():
            raise self._error("Expecting value", self.base + self.pos)
        value = self._node((), 0)
        if self._peek():
            raise self._error("Extra data", self.base + self.pos)
        return value
