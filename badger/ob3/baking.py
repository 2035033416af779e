"""Baking: embed an Open Badges 3.0 credential in a PNG or SVG image (OB 3.0 §"Baking").

Why here and why by hand: baked images travel between wallets, mail and social networks and
come back to us as untrusted uploads. The chunk / element surgery is done explicitly (not via
Pillow's save(), which would re-encode the pixels and drop chunks) so that the output carries
exactly ONE uncompressed ``iTXt`` chunk ``openbadgecredential`` (PNG) or ONE
``<openbadges:credential>`` element right after ``<svg>`` (SVG), as the spec requires, and so
that reading never decodes pixels, never expands XML entities and never inflates unbounded data.

Reading is strict, because a file with two competing credentials (or one hidden where only some
tools look) would show one thing to one verifier and another to the next: a PNG must hold exactly
one ``openbadgecredential`` text chunk, an uncompressed ``iTXt`` (a second one, a compressed one,
or a ``tEXt``/``zTXt`` copy fails); an SVG exactly one ``<openbadges:credential>`` element, whose
content, when it has ``verify=``, is empty or that same credential. Every refusal is a
:class:`BakingError` with a stable ``code``.

Hostile-input defences: size caps on the image and on the credential, CRC and framing checks
on every PNG chunk, an IHDR pixel limit (decompression bombs), a bounded inflate of every
``zTXt``/``iCCP``/compressed ``iTXt`` chunk (bombs refused, never expanded; the credential
chunk itself is never inflated), defusedxml with DTDs forbidden (billion laughs, external
entities) except the plain SVG 1.1 ``<!DOCTYPE svg PUBLIC …>`` line without an internal subset,
which declares nothing and is dropped before parsing, and refusal to bake SVGs with active
content.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from typing import Final
from xml.dom.minidom import Element
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import defusedxml.ElementTree as DefusedET
import defusedxml.minidom as defused_minidom
from defusedxml import DefusedXmlException
from PIL import Image, UnidentifiedImageError

__all__ = [
    "BAKING_ERROR_CODES",
    "DEFAULT_MAX_IMAGE_BYTES",
    "DEFAULT_MAX_PAYLOAD_BYTES",
    "DEFAULT_MAX_PIXELS",
    "OB_SVG_NAMESPACE",
    "PNG_KEYWORD",
    "BakingError",
    "bake",
    "bake_png",
    "bake_svg",
    "unbake",
    "unbake_png",
    "unbake_svg",
]

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
#: iTXt keyword for OB 3.0 (OB 2.0 used ``openbadges``; deliberately not touched).
PNG_KEYWORD: Final = "openbadgecredential"
#: SVG namespace of the ``<openbadges:credential>`` element (note: no ``/spec/``).
OB_SVG_NAMESPACE: Final = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"
XMLNS_NAMESPACE: Final = "http://www.w3.org/2000/xmlns/"

#: A credential larger than this is refused both when baking and when reading.
DEFAULT_MAX_PAYLOAD_BYTES: Final = 1024 * 1024
#: Whole-image cap; badge images are small and the whole file is held in memory.
DEFAULT_MAX_IMAGE_BYTES: Final = 16 * 1024 * 1024
#: Pixel cap from IHDR (5000x5000); below Pillow's own bomb threshold so Pillow never warns.
DEFAULT_MAX_PIXELS: Final = 25_000_000
#: Inflate caps for zTXt / iCCP / compressed iTXt chunks (Pillow's MAX_TEXT_CHUNK; a quarter of
#: its MAX_TEXT_MEMORY): above them the image is refused as a decompression bomb.
_MAX_INFLATED_CHUNK: Final = 1024 * 1024
_MAX_INFLATED_TOTAL: Final = 16 * 1024 * 1024

_KEYWORD_BYTES: Final = PNG_KEYWORD.encode("latin-1")
_TEXT_CHUNKS: Final = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_COMPACT_JWS: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")
_CDATA_END: Final = "]]>"
# Code points JSON may carry raw inside strings but XML 1.0 forbids even in CDATA.
_XML_FORBIDDEN: Final = re.compile("[\ufffe\uffff]")


#: Stable reasons carried by :attr:`BakingError.code`.
BAKING_ERROR_CODES: Final = frozenset(
    {
        "bad_payload",  # what is to be baked is not one JSON credential or one compact JWS
        "too_large",  # image or credential over its cap
        "too_many_pixels",  # IHDR claims more pixels than the cap (decompression bomb)
        "decompression_bomb",  # a zTXt / iCCP / compressed iTXt chunk inflates past its cap
        "not_image",  # neither PNG nor SVG
        "corrupt",  # framing, CRC, IHDR, truncation, malformed XML, bad UTF-8
        "duplicate_credential",  # two openbadgecredential iTXt chunks / SVG elements
        "compressed_credential",  # the iTXt chunk has its compression flag set
        "text_chunk_credential",  # a tEXt or zTXt chunk with the openbadgecredential keyword
        "verify_mismatch",  # SVG element with verify= and different text content
        "empty_credential",  # the chunk or element holds nothing
        "dtd",  # DTD, entity, external reference (other than the plain SVG 1.1 DOCTYPE)
        "active_content",  # script / handler in an SVG to be baked
        "not_svg",  # XML whose root is not an SVG <svg>
    }
)


class BakingError(ValueError):
    """The image or the payload cannot be baked or read safely (corrupt, hostile, too big,
    ambiguous). ``code`` is one of :data:`BAKING_ERROR_CODES`; the message says why in English."""

    def __init__(self, message: str, code: str = "corrupt") -> None:
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------------- payload


def _check_payload(payload: str, max_payload_bytes: int) -> str:
    """Accept only what a verifier can read back: one JSON object or one compact JWS."""
    if not isinstance(payload, str):
        raise BakingError("payload must be a str (credential JSON or compact JWS)", "bad_payload")
    try:
        size = len(payload.encode("utf-8"))
    except UnicodeEncodeError:
        raise BakingError("payload is not encodable as UTF-8", "bad_payload") from None
    if size > max_payload_bytes:
        raise BakingError(
            f"payload is {size} bytes, over the {max_payload_bytes}-byte cap", "too_large"
        )
    stripped = payload.strip()
    if stripped.startswith("{"):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            raise BakingError(
                "payload starts with '{' but is not valid JSON", "bad_payload"
            ) from None
        if not isinstance(parsed, dict):
            raise BakingError("JSON payload must be a single credential object", "bad_payload")
    elif not _COMPACT_JWS.fullmatch(stripped):
        raise BakingError("payload is neither a JSON credential nor a compact JWS", "bad_payload")
    return payload


def _is_jws(payload: str) -> bool:
    return not payload.strip().startswith("{")


# --------------------------------------------------------------------------- PNG


def _parse_png(png: bytes, *, max_image_bytes: int, max_pixels: int) -> list[tuple[bytes, bytes]]:
    """Split a PNG into (type, data) chunks, checking framing, CRCs and IHDR sanity.

    Bytes after IEND are ignored (never copied into baked output).
    """
    if not isinstance(png, bytes | bytearray | memoryview):
        raise BakingError("PNG must be bytes", "not_image")
    png = bytes(png)
    if len(png) > max_image_bytes:
        raise BakingError(
            f"image is {len(png)} bytes, over the {max_image_bytes}-byte cap", "too_large"
        )
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG (bad signature)", "not_image")
    chunks: list[tuple[bytes, bytes]] = []
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 8 > len(png):
            raise BakingError("truncated PNG (missing IEND)")
        length, ctype = struct.unpack(">I4s", png[pos : pos + 8])
        if length > 0x7FFFFFFF:
            raise BakingError("PNG chunk length out of range")
        if not all(65 <= c <= 90 or 97 <= c <= 122 for c in ctype):
            raise BakingError(f"invalid PNG chunk type {ctype!r}")
        end = pos + 12 + length
        if end > len(png):
            raise BakingError(f"truncated PNG ({ctype.decode('ascii')} chunk cut short)")
        data = png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : end])
        if zlib.crc32(ctype + data) != crc:
            raise BakingError(f"corrupt PNG (bad CRC in {ctype.decode('ascii')} chunk)")
        if not chunks and ctype != b"IHDR":
            raise BakingError("corrupt PNG (first chunk is not IHDR)")
        chunks.append((ctype, data))
        pos = end
        if ctype == b"IEND":
            break
    ihdr = chunks[0][1]
    if len(ihdr) != 13:
        raise BakingError("corrupt PNG (IHDR length)")
    width, height = struct.unpack(">II", ihdr[:8])
    if not (0 < width <= 0x7FFFFFFF and 0 < height <= 0x7FFFFFFF):
        raise BakingError("corrupt PNG (invalid dimensions)")
    if width * height > max_pixels:
        raise BakingError(
            f"PNG is {width}x{height} pixels, over the {max_pixels}-pixel cap "
            "(possible decompression bomb)",
            "too_many_pixels",
        )
    _check_compressed_chunks(chunks)
    return chunks


def _compressed_part(ctype: bytes, data: bytes) -> bytes | None:
    """The zlib stream of a zTXt, iCCP or compressed iTXt chunk (None: nothing compressed)."""
    keyword_end = data.find(b"\0")
    if keyword_end < 0:
        return None
    if ctype in (b"zTXt", b"iCCP"):
        return data[keyword_end + 2 :]  # keyword \0 | method | stream
    if ctype == b"iTXt" and data[keyword_end + 1 : keyword_end + 2] == b"\1":
        fields = data[keyword_end + 3 :].split(b"\0", 2)  # language \0 translated \0 stream
        return fields[2] if len(fields) == 3 else None
    return None


def _check_compressed_chunks(chunks: list[tuple[bytes, bytes]]) -> None:
    """Refuse decompression bombs hidden in ancillary chunks (zTXt, iCCP, compressed iTXt).

    We never use what they hold, but a baked image is shown and re-read by other software
    (browsers inflate iCCP profiles, libraries inflate text): a few kilobytes inflating to
    gigabytes are refused here, with a bounded inflate (Pillow's own per-chunk limit), instead
    of being carried along. ``openbadgecredential`` chunks are skipped: never inflated, a
    compressed or zTXt one is refused by :func:`unbake_png` and replaced by :func:`bake_png`.
    """
    budget = _MAX_INFLATED_TOTAL
    for ctype, data in chunks:
        if ctype in _TEXT_CHUNKS and _keyword(data) == _KEYWORD_BYTES:
            continue  # never inflated: refused by unbake_png, dropped by bake_png
        stream = _compressed_part(ctype, data)
        if stream is None:
            continue
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(stream, _MAX_INFLATED_CHUNK + 1)
        except zlib.error as exc:
            raise BakingError(f"corrupt compressed {ctype.decode('ascii')} chunk: {exc}") from None
        if len(out) > _MAX_INFLATED_CHUNK or inflater.unconsumed_tail:
            raise BakingError(
                f"a {ctype.decode('ascii')} chunk inflates to more than "
                f"{_MAX_INFLATED_CHUNK} bytes (decompression bomb)",
                "decompression_bomb",
            )
        budget -= len(out)
        if budget < 0:
            raise BakingError(
                f"compressed chunks inflate to more than {_MAX_INFLATED_TOTAL} bytes in all "
                "(decompression bomb)",
                "decompression_bomb",
            )


def _serialize_png(chunks: list[tuple[bytes, bytes]]) -> bytes:
    out = bytearray(PNG_SIGNATURE)
    for ctype, data in chunks:
        out += struct.pack(">I", len(data)) + ctype + data
        out += struct.pack(">I", zlib.crc32(ctype + data))
    return bytes(out)


def _check_with_pillow(png: bytes) -> None:
    """Let Pillow confirm the image header is coherent (without decoding pixels)."""
    try:
        with Image.open(io.BytesIO(png), formats=["PNG"]) as im:
            im.verify()
    except Image.DecompressionBombError as exc:
        raise BakingError(f"PNG refused as decompression bomb: {exc}", "too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as exc:
        raise BakingError(f"not a valid PNG image: {exc}") from None


def _keyword(data: bytes) -> bytes:
    return data.split(b"\0", 1)[0]


def _itxt(payload: str) -> bytes:
    # keyword \0 | compression flag 0 | method 0 | language "" \0 | translated keyword "" \0 | text
    return _KEYWORD_BYTES + b"\0" + b"\0\0" + b"\0" + b"\0" + payload.encode("utf-8")


def bake_png(
    png: bytes,
    payload: str,
    *,
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> bytes:
    """Return ``png`` with exactly one uncompressed iTXt ``openbadgecredential`` before IEND.

    Any earlier ``openbadgecredential`` text chunk (iTXt, zTXt or tEXt) is removed, so re-baking
    replaces the credential instead of leaving two competing ones. Pixels are copied untouched.
    """
    _check_payload(payload, max_payload_bytes)
    chunks = _parse_png(png, max_image_bytes=max_image_bytes, max_pixels=max_pixels)
    _check_with_pillow(_serialize_png(chunks))
    kept = [
        (ctype, data)
        for ctype, data in chunks
        if not (ctype in _TEXT_CHUNKS and _keyword(data) == _KEYWORD_BYTES)
    ]
    iend = kept.pop()  # _parse_png guarantees IEND is last
    return _serialize_png([*kept, (b"iTXt", _itxt(payload)), iend])


def _decode_itxt(data: bytes, max_payload_bytes: int) -> str:
    parts = data.split(b"\0", 1)
    if len(parts) != 2 or len(parts[1]) < 2:
        raise BakingError("corrupt iTXt chunk")
    rest = parts[1]
    flag, method, rest = rest[0], rest[1], rest[2:]
    fields = rest.split(b"\0", 2)
    if len(fields) != 3:
        raise BakingError("corrupt iTXt chunk (language / translated keyword)")
    if flag == 1:
        # OB 3.0: the chunk "MUST NOT be compressed". Never inflated (no bomb to defuse), and
        # not tolerated either: a reader that inflates and one that does not would disagree.
        raise BakingError(
            "the openbadgecredential iTXt chunk is compressed; OB 3.0 requires it uncompressed",
            "compressed_credential",
        )
    if flag != 0 or method != 0:
        raise BakingError("invalid iTXt compression flag or method")
    text = fields[2]
    if len(text) > max_payload_bytes:
        raise BakingError(f"credential exceeds the {max_payload_bytes}-byte cap", "too_large")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError("iTXt credential is not valid UTF-8") from None
    if not decoded.strip():
        raise BakingError("empty openbadgecredential chunk", "empty_credential")
    return decoded


def unbake_png(
    png: bytes,
    *,
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> str | None:
    """Return the text of the one ``openbadgecredential`` iTXt chunk, or None if there is none.

    The whole file is checked (CRCs, framing, IHDR limits) before answering: a corrupt or
    truncated file raises :class:`BakingError` rather than yielding a half-trusted payload.
    Strict (OB 3.0 baking): a second ``openbadgecredential`` iTXt chunk
    (``duplicate_credential``), a compressed one (``compressed_credential``) or a ``tEXt`` /
    ``zTXt`` chunk with that keyword (``text_chunk_credential``, never inflated) fails, since
    tools that read the first, the last or any text chunk would each see another credential.
    """
    chunks = _parse_png(png, max_image_bytes=max_image_bytes, max_pixels=max_pixels)
    end = len(PNG_SIGNATURE) + sum(12 + len(data) for _, data in chunks)
    if _KEYWORD_BYTES in bytes(png[end:]):
        # not a chunk (after IEND), but a reader that scans for the keyword would find it
        raise BakingError(
            "an openbadgecredential copy follows the end of the PNG", "duplicate_credential"
        )
    found: list[bytes] = []
    for ctype, data in chunks:
        if ctype not in _TEXT_CHUNKS or _keyword(data) != _KEYWORD_BYTES:
            continue
        if ctype != b"iTXt":
            raise BakingError(
                f"a {ctype.decode('ascii')} chunk carries the openbadgecredential keyword; "
                "OB 3.0 allows only one uncompressed iTXt chunk",
                "text_chunk_credential",
            )
        found.append(data)
    if not found:
        return None
    if len(found) > 1:
        raise BakingError(
            f"the PNG holds {len(found)} openbadgecredential iTXt chunks; exactly one is allowed",
            "duplicate_credential",
        )
    data = found[0]
    if len(data) > max_payload_bytes + len(_KEYWORD_BYTES) + 1024:
        raise BakingError(f"credential chunk exceeds the {max_payload_bytes}-byte cap", "too_large")
    return _decode_itxt(data, max_payload_bytes)


# --------------------------------------------------------------------------- SVG

_ACTIVE_ELEMENTS: Final = frozenset({"script", "foreignObject", "handler", "listener"})
_MAX_SVG_DEPTH: Final = 200


def _check_svg_size(svg: bytes | str, max_image_bytes: int) -> bytes:
    if isinstance(svg, str):
        svg = svg.encode("utf-8")
    if not isinstance(svg, bytes | bytearray | memoryview):
        raise BakingError("SVG must be bytes", "not_image")
    svg = bytes(svg)
    if len(svg) > max_image_bytes:
        raise BakingError(
            f"SVG is {len(svg)} bytes, over the {max_image_bytes}-byte cap", "too_large"
        )
    return svg


# The one DOCTYPE accepted: SVG 1.1's public identifier and system literal, nothing else (no
# internal subset, so no entity can be declared), after at most an XML declaration, comments
# and white space. It declares nothing a non-validating parser uses, so it is dropped before the
# DTD-forbidding parser runs; any other DOCTYPE still reaches that parser and is refused.
_PLAIN_SVG11_DOCTYPE: Final = re.compile(
    rb"\A(?P<prolog>(?:\xef\xbb\xbf)?(?:<\?xml\s[^<>]*\?>)?(?:\s|<!--(?:[^-]|-(?!-))*-->)*)"
    rb"<!DOCTYPE\s+svg\s+PUBLIC\s+"
    rb"(?P<q1>[\"'])-//W3C//DTD SVG 1\.1//EN(?P=q1)\s+"
    rb"(?P<q2>[\"'])http://www\.w3\.org/Graphics/SVG/1\.1/DTD/svg11\.dtd(?P=q2)\s*>"
)


def _drop_plain_doctype(svg: bytes) -> bytes:
    match = _PLAIN_SVG11_DOCTYPE.match(svg)
    if match is None:
        return svg
    return match.group("prolog") + svg[match.end() :]


def _svg_refused(exc: Exception) -> BakingError:
    code = "dtd" if isinstance(exc, DefusedXmlException) else "corrupt"
    return BakingError(f"SVG refused: {exc}", code)


def _refuse_active_content(node: Element) -> None:
    """Refuse (rather than half-sanitise) SVG that could run code where it is displayed.

    Also bounds nesting depth, because minidom serialises recursively.
    """
    stack: list[tuple[Element, int]] = [(node, 0)]
    while stack:
        el, depth = stack.pop()
        if depth > _MAX_SVG_DEPTH:
            raise BakingError(f"SVG nesting deeper than {_MAX_SVG_DEPTH} levels", "corrupt")
        local = el.localName or el.tagName
        if local in _ACTIVE_ELEMENTS:
            raise BakingError(
                f"SVG contains active content <{local}>; refusing to bake it", "active_content"
            )
        for attr in el.attributes.values():
            name = (attr.localName or attr.name).lower()
            value = attr.value.strip().lower()
            if name.startswith("on") or value.startswith(("javascript:", "data:text/html")):
                raise BakingError(
                    f"SVG contains active attribute {attr.name!r}; refusing", "active_content"
                )
        stack.extend((c, depth + 1) for c in el.childNodes if isinstance(c, Element))


def bake_svg(
    svg: bytes | str,
    payload: str,
    *,
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> bytes:
    """Return UTF-8 ``svg`` with one ``<openbadges:credential>`` as the root's first child.

    A JWS goes in the ``verify`` attribute of an empty element; JSON goes in CDATA, split into
    adjacent CDATA sections wherever the JSON contains ``]]>`` so the text reads back verbatim.
    Existing credential elements (whatever their prefix) are removed. DTDs are refused and so
    is active content (scripts, event handlers): our own renderer never produces them.
    """
    _check_payload(payload, max_payload_bytes)
    data = _drop_plain_doctype(_check_svg_size(svg, max_image_bytes))
    try:
        doc = defused_minidom.parse(
            io.BytesIO(data), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (DefusedXmlException, ExpatError, ValueError, LookupError) as exc:
        raise _svg_refused(exc) from None
    root = doc.documentElement
    if root is None or root.namespaceURI != SVG_NAMESPACE or root.localName != "svg":
        raise BakingError("root element is not an SVG <svg> element", "not_svg")
    _refuse_active_content(root)
    bound = root.getAttributeNS(XMLNS_NAMESPACE, "openbadges")
    if bound and bound != OB_SVG_NAMESPACE:
        raise BakingError("prefix 'openbadges' is already bound to another namespace", "not_svg")
    for old in list(doc.getElementsByTagNameNS(OB_SVG_NAMESPACE, "credential")):
        parent = old.parentNode
        if parent is not None:
            parent.removeChild(old)
    root.setAttributeNS(XMLNS_NAMESPACE, "xmlns:openbadges", OB_SVG_NAMESPACE)
    element = doc.createElementNS(OB_SVG_NAMESPACE, "openbadges:credential")
    if _is_jws(payload):
        element.setAttribute("verify", payload.strip())
    else:
        # Only possible inside JSON strings, where the \u escape is the same JSON value.
        text_payload = _XML_FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", payload)
        pieces = text_payload.split(_CDATA_END)
        for i, piece in enumerate(pieces):
            text = ("" if i == 0 else ">") + piece + ("]]" if i < len(pieces) - 1 else "")
            element.appendChild(doc.createCDATASection(text))
    root.insertBefore(element, root.firstChild)
    return doc.toxml(encoding="utf-8")


def unbake_svg(
    svg: bytes | str,
    *,
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> str | None:
    """Return the payload of the one ``<openbadges:credential>`` element, or None if none.

    Parsed with defusedxml, DTDs forbidden (the plain SVG 1.1 DOCTYPE line excepted), so entity
    bombs and external entities raise instead of expanding. Strict: a second credential element
    fails (``duplicate_credential``), and so does a ``verify`` attribute whose element also
    holds text other than that same credential (``verify_mismatch``). Only the credential's own
    text is returned: a credential element with child elements (e.g. a smuggled ``<script>``)
    is refused.
    """
    data = _drop_plain_doctype(_check_svg_size(svg, max_image_bytes))
    try:
        root = DefusedET.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (DefusedXmlException, ParseError, ValueError, LookupError) as exc:
        raise _svg_refused(exc) from None
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise BakingError("root element is not an SVG <svg> element", "not_svg")
    elements = list(root.iter(f"{{{OB_SVG_NAMESPACE}}}credential"))
    if not elements:
        return None
    if len(elements) > 1:
        raise BakingError(
            f"the SVG holds {len(elements)} <openbadges:credential> elements; "
            "exactly one is allowed",
            "duplicate_credential",
        )
    element = elements[0]
    if len(element):
        raise BakingError("<openbadges:credential> must not contain child elements", "corrupt")
    verify = element.get("verify")
    text = (element.text or "").strip()
    if verify is not None:
        payload = verify.strip()
        if text and text != payload:
            raise BakingError(
                "<openbadges:credential> has a verify attribute and a different credential "
                "as its content",
                "verify_mismatch",
            )
    else:
        payload = text
    if not payload:
        raise BakingError("empty <openbadges:credential> element", "empty_credential")
    if len(payload.encode("utf-8")) > max_payload_bytes:
        raise BakingError(f"credential exceeds the {max_payload_bytes}-byte cap", "too_large")
    return payload


# --------------------------------------------------------------------------- dispatch


def _looks_like_xml(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def bake(image: bytes, payload: str) -> bytes:
    """Bake into a PNG or SVG, chosen by sniffing the bytes (never by file name)."""
    if bytes(image[:8]) == PNG_SIGNATURE:
        return bake_png(image, payload)
    if _looks_like_xml(bytes(image)):
        return bake_svg(image, payload)
    raise BakingError("image is neither PNG nor SVG", "not_image")


def unbake(data: bytes) -> str | None:
    """Extract the credential from a baked PNG or SVG, sniffing the format from the bytes."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise BakingError("image must be bytes", "not_image")
    raw = bytes(data)
    if raw[:8] == PNG_SIGNATURE:
        return unbake_png(raw)
    if _looks_like_xml(raw):
        return unbake_svg(raw)
    raise BakingError("image is neither PNG nor SVG", "not_image")
