"""Baking: embed an Open Badges 3.0 credential in a PNG or SVG image (OB 3.0 §"Baking").

Why here and why by hand: baked images travel between wallets, mail and social networks and
come back to us as untrusted uploads. The chunk / element surgery is done explicitly (not via
Pillow's save(), which would re-encode the pixels and drop chunks) so that the output carries
exactly ONE uncompressed ``iTXt`` chunk ``openbadgecredential`` (PNG) or ONE
``<openbadges:credential>`` element right after ``<svg>`` (SVG), as the spec requires, and so
that reading never decodes pixels, never expands XML entities and never inflates unbounded data.

Hostile-input defences: size caps on the image and on the credential, CRC and framing checks
on every PNG chunk, an IHDR pixel limit (decompression bombs), defusedxml with DTDs forbidden
(billion laughs, external entities), and refusal to bake SVGs with active content.
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

_KEYWORD_BYTES: Final = PNG_KEYWORD.encode("latin-1")
_TEXT_CHUNKS: Final = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_COMPACT_JWS: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")
_CDATA_END: Final = "]]>"
# Code points JSON may carry raw inside strings but XML 1.0 forbids even in CDATA.
_XML_FORBIDDEN: Final = re.compile("[\ufffe\uffff]")


class BakingError(ValueError):
    """The image or the payload cannot be baked or read safely (corrupt, hostile, too big)."""


# --------------------------------------------------------------------------- payload


def _check_payload(payload: str, max_payload_bytes: int) -> str:
    """Accept only what a verifier can read back: one JSON object or one compact JWS."""
    if not isinstance(payload, str):
        raise BakingError("payload must be a str (credential JSON or compact JWS)")
    try:
        size = len(payload.encode("utf-8"))
    except UnicodeEncodeError:
        raise BakingError("payload is not encodable as UTF-8") from None
    if size > max_payload_bytes:
        raise BakingError(f"payload is {size} bytes, over the {max_payload_bytes}-byte cap")
    stripped = payload.strip()
    if stripped.startswith("{"):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            raise BakingError("payload starts with '{' but is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise BakingError("JSON payload must be a single credential object")
    elif not _COMPACT_JWS.fullmatch(stripped):
        raise BakingError("payload is neither a JSON credential nor a compact JWS")
    return payload


def _is_jws(payload: str) -> bool:
    return not payload.strip().startswith("{")


# --------------------------------------------------------------------------- PNG


def _parse_png(png: bytes, *, max_image_bytes: int, max_pixels: int) -> list[tuple[bytes, bytes]]:
    """Split a PNG into (type, data) chunks, checking framing, CRCs and IHDR sanity.

    Bytes after IEND are ignored (never copied into baked output).
    """
    if not isinstance(png, bytes | bytearray | memoryview):
        raise BakingError("PNG must be bytes")
    png = bytes(png)
    if len(png) > max_image_bytes:
        raise BakingError(f"image is {len(png)} bytes, over the {max_image_bytes}-byte cap")
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG (bad signature)")
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
            "(possible decompression bomb)"
        )
    return chunks


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
        raise BakingError(f"PNG refused as decompression bomb: {exc}") from None
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
    text = fields[2]
    if flag == 1:
        # Writers must not compress, but tolerate it on read with a hard inflate cap.
        if method != 0:
            raise BakingError("unknown iTXt compression method")
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, max_payload_bytes + 1)
        except zlib.error as exc:
            raise BakingError(f"corrupt compressed iTXt: {exc}") from None
        if len(text) > max_payload_bytes or inflater.unconsumed_tail:
            raise BakingError(f"credential exceeds the {max_payload_bytes}-byte cap")
        if not inflater.eof:
            raise BakingError("corrupt compressed iTXt (truncated stream)")
    elif flag != 0:
        raise BakingError("invalid iTXt compression flag")
    if len(text) > max_payload_bytes:
        raise BakingError(f"credential exceeds the {max_payload_bytes}-byte cap")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError("iTXt credential is not valid UTF-8") from None
    if not decoded.strip():
        raise BakingError("empty openbadgecredential chunk")
    return decoded


def unbake_png(
    png: bytes,
    *,
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> str | None:
    """Return the text of the first ``openbadgecredential`` iTXt chunk, or None if absent.

    The whole file is checked (CRCs, framing, IHDR limits) before answering: a corrupt or
    truncated file raises :class:`BakingError` rather than yielding a half-trusted payload.
    """
    chunks = _parse_png(png, max_image_bytes=max_image_bytes, max_pixels=max_pixels)
    for ctype, data in chunks:
        if ctype == b"iTXt" and _keyword(data) == _KEYWORD_BYTES:
            if len(data) > max_payload_bytes + len(_KEYWORD_BYTES) + 1024:
                raise BakingError(f"credential chunk exceeds the {max_payload_bytes}-byte cap")
            return _decode_itxt(data, max_payload_bytes)
    return None


# --------------------------------------------------------------------------- SVG

_ACTIVE_ELEMENTS: Final = frozenset({"script", "foreignObject", "handler", "listener"})
_MAX_SVG_DEPTH: Final = 200


def _check_svg_size(svg: bytes | str, max_image_bytes: int) -> bytes:
    if isinstance(svg, str):
        svg = svg.encode("utf-8")
    if not isinstance(svg, bytes | bytearray | memoryview):
        raise BakingError("SVG must be bytes")
    svg = bytes(svg)
    if len(svg) > max_image_bytes:
        raise BakingError(f"SVG is {len(svg)} bytes, over the {max_image_bytes}-byte cap")
    return svg


def _refuse_active_content(node: Element) -> None:
    """Refuse (rather than half-sanitise) SVG that could run code where it is displayed.

    Also bounds nesting depth, because minidom serialises recursively.
    """
    stack: list[tuple[Element, int]] = [(node, 0)]
    while stack:
        el, depth = stack.pop()
        if depth > _MAX_SVG_DEPTH:
            raise BakingError(f"SVG nesting deeper than {_MAX_SVG_DEPTH} levels")
        local = el.localName or el.tagName
        if local in _ACTIVE_ELEMENTS:
            raise BakingError(f"SVG contains active content <{local}>; refusing to bake it")
        for attr in el.attributes.values():
            name = (attr.localName or attr.name).lower()
            value = attr.value.strip().lower()
            if name.startswith("on") or value.startswith(("javascript:", "data:text/html")):
                raise BakingError(f"SVG contains active attribute {attr.name!r}; refusing")
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
    data = _check_svg_size(svg, max_image_bytes)
    try:
        doc = defused_minidom.parse(
            io.BytesIO(data), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (DefusedXmlException, ExpatError, ValueError, LookupError) as exc:
        raise BakingError(f"SVG refused: {exc}") from None
    root = doc.documentElement
    if root is None or root.namespaceURI != SVG_NAMESPACE or root.localName != "svg":
        raise BakingError("root element is not an SVG <svg> element")
    _refuse_active_content(root)
    bound = root.getAttributeNS(XMLNS_NAMESPACE, "openbadges")
    if bound and bound != OB_SVG_NAMESPACE:
        raise BakingError("prefix 'openbadges' is already bound to another namespace")
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
    """Return the first ``<openbadges:credential>`` payload (``verify`` or CDATA), or None.

    Parsed with defusedxml, DTDs forbidden, so entity bombs and external entities raise instead
    of expanding. Only the credential's own text is returned: a credential element with child
    elements (e.g. a smuggled ``<script>``) is refused.
    """
    data = _check_svg_size(svg, max_image_bytes)
    try:
        root = DefusedET.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (DefusedXmlException, ParseError, ValueError, LookupError) as exc:
        raise BakingError(f"SVG refused: {exc}") from None
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise BakingError("root element is not an SVG <svg> element")
    element = next(root.iter(f"{{{OB_SVG_NAMESPACE}}}credential"), None)
    if element is None:
        return None
    if len(element):
        raise BakingError("<openbadges:credential> must not contain child elements")
    verify = element.get("verify")
    payload = verify if verify is not None else (element.text or "")
    payload = payload.strip()
    if not payload:
        raise BakingError("empty <openbadges:credential> element")
    if len(payload.encode("utf-8")) > max_payload_bytes:
        raise BakingError(f"credential exceeds the {max_payload_bytes}-byte cap")
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
    raise BakingError("image is neither PNG nor SVG")


def unbake(data: bytes) -> str | None:
    """Extract the credential from a baked PNG or SVG, sniffing the format from the bytes."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise BakingError("image must be bytes")
    raw = bytes(data)
    if raw[:8] == PNG_SIGNATURE:
        return unbake_png(raw)
    if _looks_like_xml(raw):
        return unbake_svg(raw)
    raise BakingError("image is neither PNG nor SVG")
