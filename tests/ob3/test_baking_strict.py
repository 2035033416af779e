"""Baked files read strictly (issue #11, point 2), with files made by other tools.

One credential per file, in the one place the spec allows: a PNG with a second
``openbadgecredential`` chunk, a compressed one or a ``tEXt``/``zTXt`` copy, or an SVG with two
credential elements or a ``verify=`` contradicted by the element's content, is refused — a
verifier reading the first chunk and one reading the last would otherwise disagree. Pillow
writes some of the files here (an independent PNG writer), the others are built chunk by chunk
with ``struct``/``zlib``. Decompression bombs (zTXt, iCCP, 20k x 20k headers) are refused with an
error, through the library and through ``verify_credential``.
"""

from __future__ import annotations

import io
import json
import struct
import time
import tracemalloc
import zlib
from typing import Any

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from badger.ob3 import baking, sign_jwt, verify_credential
from badger.ob3.baking import BakingError

from ._factory import NOW, credential, key, resolver, signed, vm

OB_NS = "https://purl.imsglobal.org/ob/v3p0"
KEYWORD = "openbadgecredential"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
    b'<circle cx="4" cy="4" r="3"/></svg>'
)
SVG11_DOCTYPE = (
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
)


def chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def itxt(text: bytes, keyword: bytes = KEYWORD.encode(), flag: int = 0) -> bytes:
    return chunk(b"iTXt", keyword + b"\0" + bytes([flag, 0]) + b"\0\0" + text)


def hand_png(*extra: bytes, width: int = 2, height: int = 2, after_ihdr: bytes = b"") -> bytes:
    """A PNG built chunk by chunk (no Pillow): RGB, filter byte 0 on each row. The pixel rows
    are real for small sizes; a huge claimed size gets one row (the header is what is judged)."""
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    rows = height if width * height <= 64 else 1
    raw = b"".join(b"\0" + b"\x10\x80\xf0" * min(width, 64) for _ in range(rows))
    idat = chunk(b"IDAT", zlib.compress(raw))
    return b"\x89PNG\r\n\x1a\n" + ihdr + after_ihdr + idat + b"".join(extra) + chunk(b"IEND", b"")


def pillow_png(info: PngInfo, **save: Any) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (3, 3), (10, 120, 200)).save(buf, "PNG", pnginfo=info, **save)
    return buf.getvalue()


def code_of(fn: Any, *args: Any) -> str:
    with pytest.raises(BakingError) as exc:
        fn(*args)
    return str(exc.value.code)


@pytest.fixture(scope="module")
def credential_json() -> str:
    return json.dumps(signed(), ensure_ascii=False)


@pytest.fixture(scope="module")
def credential_jwt() -> str:
    return sign_jwt(credential(), key(), kid=vm())


def extraction(data: bytes) -> tuple[str, str, str, bool]:
    report = verify_credential(data, resolver=resolver(), now=NOW)
    check = report.check("extraction")
    assert check is not None
    return check.state, check.code, check.message, report.verified


# --------------------------------------------------------------------------- PNG


def test_genuine_png_verifies_through_the_report(credential_json: str) -> None:
    baked = baking.bake_png(hand_png(), credential_json)
    state, code, _, verified = extraction(baked)
    assert (state, code, verified) == ("passed", "json", True)


def test_pillow_itxt_is_read(credential_json: str) -> None:
    """A chunk written by Pillow (uncompressed iTXt) is the spec layout: accepted."""
    info = PngInfo()
    info.add_itxt(KEYWORD, credential_json, zip=False)
    png = pillow_png(info)
    assert baking.unbake_png(png) == credential_json
    assert extraction(png)[3] is True


@pytest.mark.parametrize(
    ("writer", "code"),
    [
        (lambda i, v: i.add_itxt(KEYWORD, v, zip=True), "compressed_credential"),
        (lambda i, v: i.add_text(KEYWORD, v), "text_chunk_credential"),
        (lambda i, v: i.add_text(KEYWORD, v, zip=True), "text_chunk_credential"),
        (
            lambda i, v: (i.add_itxt(KEYWORD, v), i.add_itxt(KEYWORD, v)),
            "duplicate_credential",
        ),
        (lambda i, v: (i.add_itxt(KEYWORD, v), i.add_text(KEYWORD, v)), "text_chunk_credential"),
        (
            lambda i, v: (i.add_itxt(KEYWORD, v), i.add_text(KEYWORD, v, zip=True)),
            "text_chunk_credential",
        ),
    ],
    ids=["itxt-zip", "text", "ztxt", "two-itxt", "itxt+text", "itxt+ztxt"],
)
def test_pillow_made_variants_refused(writer: Any, code: str, credential_json: str) -> None:
    info = PngInfo()
    writer(info, credential_json)
    png = pillow_png(info)
    # Pillow itself reads a credential out of each of these files
    with Image.open(io.BytesIO(png)) as im:
        im.load()
        assert KEYWORD in im.text  # type: ignore[attr-defined]
    assert code_of(baking.unbake_png, png) == code
    assert code_of(baking.unbake, png) == code
    state, check_code, message, verified = extraction(png)
    assert (state, check_code, verified) == ("failed", "bad_image", False)
    assert f"({code})" in message
    # re-baking leaves exactly one uncompressed iTXt, readable again
    rebaked = baking.bake_png(png, credential_json)
    assert baking.unbake_png(rebaked) == credential_json
    assert extraction(rebaked)[3] is True


def test_hand_built_duplicates_even_identical_and_far_apart(credential_json: str) -> None:
    one = itxt(credential_json.encode())
    # identical copies: still two chunks, still refused (readers must not have to compare)
    before_idat = hand_png(one, after_ihdr=one)
    assert code_of(baking.unbake_png, before_idat) == "duplicate_credential"
    tampered = json.loads(credential_json)
    tampered["name"] = "Badge Direction"
    second = itxt(json.dumps(tampered).encode())
    assert code_of(baking.unbake_png, hand_png(one, second)) == "duplicate_credential"
    assert code_of(baking.unbake_png, hand_png(second, one)) == "duplicate_credential"
    assert extraction(hand_png(one, second))[:2] == ("failed", "bad_image")


def test_other_keywords_do_not_count(credential_json: str) -> None:
    """OB 2.0's ``openbadges``, a differently cased keyword and ordinary comments are left alone."""
    png = hand_png(
        itxt(b'{"ob2": true}', keyword=b"openbadges"),
        chunk(b"tEXt", b"Comment\0made by hand"),
        chunk(b"zTXt", b"Software\0\0" + zlib.compress(b"badger tests")),
        itxt(b"a.b.c", keyword=b"OpenBadgeCredential"),
        itxt(credential_json.encode()),
    )
    assert baking.unbake_png(png) == credential_json


def test_text_chunk_with_keyword_but_no_itxt_is_refused_not_ignored() -> None:
    png = hand_png(chunk(b"tEXt", b"openbadgecredential\0a.b.c"))
    assert code_of(baking.unbake_png, png) == "text_chunk_credential"


def test_ztxt_credential_bomb_is_refused_without_inflating() -> None:
    bomb = zlib.compress(b"\0" * (32 * 1024 * 1024), 9)
    png = hand_png(chunk(b"zTXt", b"openbadgecredential\0\0" + bomb))
    tracemalloc.start()
    try:
        assert code_of(baking.unbake_png, png) == "text_chunk_credential"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


_BOMB = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)  # ~64 KB inflating to 64 MB


@pytest.mark.parametrize(
    "png",
    [
        hand_png(chunk(b"zTXt", b"Comment\0\0" + _BOMB)),
        hand_png(after_ihdr=chunk(b"zTXt", b"Comment\0\0" + _BOMB)),
        hand_png(after_ihdr=chunk(b"iCCP", b"icc\0\0" + _BOMB)),
        hand_png(chunk(b"iTXt", b"Comment\0\1\0\0\0" + _BOMB)),
        # many modest chunks: each under the per-chunk cap, together over the total
        hand_png(*[chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"\0" * 1_000_000))] * 20),
    ],
    ids=["ztxt-after-idat", "ztxt-before-idat", "iccp", "itxt-other", "many-chunks"],
)
def test_decompression_bombs_in_other_chunks_refused(png: bytes, credential_json: str) -> None:
    assert len(png) < 400_000
    started = time.monotonic()
    tracemalloc.start()
    try:
        assert code_of(baking.unbake_png, png) == "decompression_bomb"
        assert code_of(baking.bake_png, png, credential_json) == "decompression_bomb"
        assert code_of(baking.bake, png, credential_json) == "decompression_bomb"
        state, code, message, verified = extraction(png)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (state, code, verified) == ("failed", "bad_image", False)
    assert "(decompression_bomb)" in message
    assert peak < 16 * 1024 * 1024
    assert time.monotonic() - started < 10


def test_ordinary_compressed_chunks_accepted(credential_json: str) -> None:
    """A real ICC profile and zTXt comment written by Pillow stay, and the badge reads."""
    info = PngInfo()
    info.add_text("Comment", "x" * 5000, zip=True)
    png = pillow_png(info, icc_profile=b"\0" * 3000)
    baked = baking.bake_png(png, credential_json)
    assert baking.unbake_png(baked) == credential_json
    assert b"iCCP" in baked and b"zTXt" in baked


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (1, 2**31 - 1), (100_000, 300)])
def test_huge_dimensions_refused_cleanly(width: int, height: int, credential_json: str) -> None:
    """The header claims the size; nothing is decoded, nothing allocated."""
    png = hand_png(itxt(credential_json.encode()), width=width, height=height)
    assert code_of(baking.unbake_png, png) == "too_many_pixels"
    assert code_of(baking.bake_png, png, credential_json) == "too_many_pixels"
    state, code, message, _ = extraction(png)
    assert (state, code) == ("failed", "bad_image")
    assert "(too_many_pixels)" in message


def test_huge_pillow_image_refused() -> None:
    """An image Pillow really wrote at 6000 x 5000 (a flat colour compresses to almost nothing)."""
    buf = io.BytesIO()
    Image.new("1", (6000, 5000)).save(buf, "PNG")
    assert code_of(baking.bake_png, buf.getvalue(), "a.b.c") == "too_many_pixels"


# --------------------------------------------------------------------------- SVG


def _svg_with(inner: bytes, prolog: bytes = b"") -> bytes:
    return (
        prolog + b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">' + inner + b"</svg>"
    )


def test_genuine_svg_verifies(credential_json: str, credential_jwt: str) -> None:
    for payload in (credential_json, credential_jwt):
        baked = baking.bake_svg(SVG, payload)
        assert baking.unbake_svg(baked) == payload
        state, _, _, verified = extraction(baked)
        assert state == "passed" and verified, payload[:40]


def test_svg_two_elements_refused(credential_json: str) -> None:
    baked = baking.bake_svg(SVG, credential_json)
    tampered = json.loads(credential_json)
    tampered["credentialSubject"]["achievement"]["name"] = "Diriger une équipe"
    extra = (
        b'<g><ob:credential xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><![CDATA['
        + json.dumps(tampered).encode()
        + b"]]></ob:credential></g></svg>"
    )
    two = baked.replace(b"</svg>", extra)
    assert code_of(baking.unbake_svg, two) == "duplicate_credential"
    state, code, message, verified = extraction(two)
    assert (state, code, verified) == ("failed", "bad_image", False)
    assert "(duplicate_credential)" in message
    same_twice = _svg_with(b'<openbadges:credential verify="a.b.c"/>' * 2)
    assert code_of(baking.unbake_svg, same_twice) == "duplicate_credential"
    # baking replaces both
    assert baking.unbake_svg(baking.bake_svg(two, credential_json)) == credential_json


def test_svg_verify_attribute_and_content(credential_jwt: str, credential_json: str) -> None:
    jws = credential_jwt.encode()
    empty = _svg_with(b'<openbadges:credential verify="' + jws + b'"></openbadges:credential>')
    spaces = _svg_with(b'<openbadges:credential verify="' + jws + b'">\n  </openbadges:credential>')
    same = _svg_with(
        b'<openbadges:credential verify="'
        + jws
        + b'"><![CDATA['
        + jws
        + b"]]></openbadges:credential>"
    )
    for svg in (empty, spaces, same):
        assert baking.unbake_svg(svg) == credential_jwt
        assert extraction(svg)[3] is True
    other_jwt = _svg_with(
        b'<openbadges:credential verify="' + jws + b'">a.b.c</openbadges:credential>'
    )
    other_json = _svg_with(
        b'<openbadges:credential verify="'
        + jws
        + b'"><![CDATA['
        + credential_json.encode()
        + b"]]></openbadges:credential>"
    )
    for svg in (other_jwt, other_json):
        assert code_of(baking.unbake_svg, svg) == "verify_mismatch"
        state, code, message, verified = extraction(svg)
        assert (state, code, verified) == ("failed", "bad_image", False)
        assert "(verify_mismatch)" in message


@pytest.mark.parametrize(
    "prolog",
    [
        SVG11_DOCTYPE + b"\n",
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + SVG11_DOCTYPE + b"\n",
        b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- made by Inkscape -->\n"
        b"<!DOCTYPE  svg  PUBLIC '-//W3C//DTD SVG 1.1//EN'\n"
        b"  'http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd' >\n",
    ],
    ids=["bare", "xml-decl", "quotes-comment-bom"],
)
def test_svg11_doctype_line_accepted(prolog: bytes, credential_json: str) -> None:
    plain = _svg_with(b'<circle r="1"/>', prolog)
    assert baking.unbake_svg(plain) is None
    baked = baking.bake_svg(plain, credential_json)
    assert baking.unbake_svg(baked) == credential_json
    assert b"DOCTYPE" not in baked
    with_credential = _svg_with(
        b"<openbadges:credential><![CDATA[" + credential_json.encode() + b"]]>"
        b"</openbadges:credential>",
        prolog,
    )
    assert baking.unbake(with_credential) == credential_json
    assert extraction(with_credential)[3] is True


@pytest.mark.parametrize(
    "doctype",
    [
        # internal subset after the standard identifiers
        SVG11_DOCTYPE[:-1] + b' [<!ENTITY c "a.b.c">]>',
        # same identifiers, another root name
        SVG11_DOCTYPE.replace(b"DOCTYPE svg", b"DOCTYPE html"),
        # SVG 1.0 / another system literal (could be fetched by other parsers)
        SVG11_DOCTYPE.replace(b"1.1/DTD/svg11.dtd", b"1.1/DTD/svg11-flat.dtd"),
        SVG11_DOCTYPE.replace(b"http://www.w3.org", b"http://attacker.example"),
        b'<!DOCTYPE svg SYSTEM "file:///etc/passwd">',
        b"<!DOCTYPE svg>",
    ],
)
def test_other_doctypes_still_refused(doctype: bytes) -> None:
    svg = _svg_with(b'<openbadges:credential verify="a.b.c"/>', doctype + b"\n")
    assert code_of(baking.unbake_svg, svg) == "dtd"
    assert code_of(baking.bake_svg, svg, "a.b.c") == "dtd"


def test_second_doctype_or_entity_after_the_plain_line_refused() -> None:
    # the plain line is dropped only when it is the DOCTYPE; an entity use is then undefined
    svg = _svg_with(b"<openbadges:credential>&cred;</openbadges:credential>", SVG11_DOCTYPE)
    with pytest.raises(BakingError):
        baking.unbake_svg(svg)
    twice = _svg_with(b"<g/>", SVG11_DOCTYPE + b'\n<!DOCTYPE svg [<!ENTITY c "x">]>')
    with pytest.raises(BakingError):
        baking.unbake_svg(twice)
    # a DOCTYPE-looking text after the root start is just text, never dropped
    inside = _svg_with(b"<desc>" + SVG11_DOCTYPE.replace(b"<", b"&lt;") + b"</desc>")
    assert baking.unbake_svg(inside) is None


def test_copy_after_iend_refused(credential_json: str) -> None:
    """Bytes after IEND are not chunks, but a reader scanning for the keyword finds them."""
    baked = baking.bake_png(hand_png(), credential_json)
    assert code_of(baking.unbake_png, baked + itxt(b"a.b.c")) == "duplicate_credential"
    assert code_of(baking.unbake_png, hand_png() + itxt(b"a.b.c")) == "duplicate_credential"
    # other trailing bytes are ignored, and never copied when baking
    assert baking.unbake_png(baked + b"trailing bytes") == credential_json
    assert baking.bake_png(baked + itxt(b"a.b.c"), credential_json) == baked


def test_every_error_code_raised_is_documented() -> None:
    """Each ``BakingError(..., "<code>")`` in the module uses a code of BAKING_ERROR_CODES."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(baking))
    used = {
        node.args[1].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "BakingError"
        and len(node.args) == 2
        and isinstance(node.args[1], ast.Constant)
    }
    assert len(used) >= 10
    assert used <= baking.BAKING_ERROR_CODES, used - baking.BAKING_ERROR_CODES
    assert BakingError("x").code == "corrupt"
