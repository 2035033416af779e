"""Base58btc (Bitcoin alphabet), as the ``base58`` package does it, in chunks of ten digits.

Why: the package converts one digit at a time on a growing integer (about 0.05 ms per Ed25519
signature each way), a sizeable share of a Data Integrity proof once canonicalisation is fast
(issue #19). Same results, byte for byte (``tests/ob3/test_fastcanon.py`` compares them).
"""

from __future__ import annotations

__all__ = ["b58decode", "b58encode"]

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_PAIRS = [a + b for a in ALPHABET for b in ALPHABET]  # 58**2 two-digit strings
_PAIR_VALUE = {pair: i for i, pair in enumerate(_PAIRS)}
_DIGIT_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_CHUNK = 58**10


def b58encode(data: bytes) -> str:
    """Encode ``data``; each leading zero byte is a leading ``1``."""
    body = data.lstrip(b"\0")
    n = int.from_bytes(body, "big")
    pairs: list[str] = []
    while n:
        n, chunk = divmod(n, _CHUNK)
        for _ in range(5):
            chunk, r = divmod(chunk, 3364)
            pairs.append(_PAIRS[r])
    pairs.reverse()
    return "1" * (len(data) - len(body)) + "".join(pairs).lstrip("1")


def b58decode(text: str) -> bytes:
    """Decode ``text`` (trailing white space ignored, as the ``base58`` package does);
    ``ValueError`` for a character outside the alphabet."""
    text = text.rstrip()
    body = text.lstrip("1")
    n = 0
    try:
        if len(body) % 2:
            n = _DIGIT_VALUE[body[0]]
            body = body[1:]
        for i in range(0, len(body), 2):
            n = n * 3364 + _PAIR_VALUE[body[i : i + 2]]
    except KeyError:
        raise ValueError("invalid base58 character") from None
    decoded = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + decoded
