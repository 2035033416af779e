"""One JSON parser for everything badger reads from outside: depth-limited, NUL-free, UTF-8-safe.

``json.loads`` recurses once per nesting level: a body of 100,000 ``[`` raises
``RecursionError`` (not ``ValueError``), and a document that parses just under the interpreter's
limit still overflows later in JSON-LD expansion, canonicalisation or schema validation. Stored
strings meet two more traps: PostgreSQL refuses ``\\u0000`` in text, and a lone surrogate
(``"\\ud800"``) cannot be encoded as UTF-8 by any database driver or response.

:func:`loads` refuses all three with :class:`json.JSONDecodeError` (a ``ValueError``), so every
caller's existing "not valid JSON" branch answers them; nothing deeper than :data:`MAX_DEPTH`
reaches a recursive parser. The depth is measured in linear time before parsing.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, Final

#: Deepest nesting accepted. An Open Badges credential with embedded endorsements, a CASE package
#: or an OAuth body is under 20 levels deep; 64 leaves room and keeps every later recursive step
#: (pyld, URDNA2015, jsonschema) far from Python's recursion limit.
MAX_DEPTH: Final = 64

_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]+")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}
#: A ``\u0000`` escape that is not itself an escaped backslash followed by ``u0000``.
_NUL_ESCAPE: Final = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in ``text`` (strings skipped), in linear time."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def loads(data: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` for untrusted input; raises :class:`json.JSONDecodeError` when refused.

    Bytes are decoded as UTF-8 (a leading BOM is skipped); invalid UTF-8 raises
    :class:`UnicodeDecodeError` (also a ``ValueError``).
    """
    text = bytes(data).decode("utf-8-sig") if isinstance(data, bytes | bytearray) else data
    if "\x00" in text or _NUL_ESCAPE.search(text):
        raise json.JSONDecodeError("NUL characters are not accepted", text, 0)
    if nesting_depth(text) > max_depth:
        raise json.JSONDecodeError(f"nested more than {max_depth} levels deep", text, 0)
    value = json.loads(text)
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise json.JSONDecodeError("lone surrogate (not Unicode text)", text, 0) from None
    return value
