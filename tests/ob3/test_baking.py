"""PNG / SVG baking: spec layout, round trips and hostile input."""

from __future__ import annotations

import contextlib
import io
import json
import struct
import tracemalloc
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from badger.ob3 import baking
from badger.ob3.baking import BakingError

CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:0b1e7c1e-0000-4000-8000-000000000001",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://badges.example.fr/issuers/1", "type": ["Profile"], "name": "Asso"},
    "validFrom": "2025-01-01T00:00:00Z",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "achievement": {"id": "urn:x:1", "type": ["Achievement"], "name": "Savoir-être « oral »"},
    },
}
JSON_PAYLOAD = json.dumps(CREDENTIAL, ensure_ascii=False)
JWS_PAYLOAD = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUifQ.c2lnbmF0dXJl"
OB_NS = "https://purl.imsglobal.org/ob/v3p0"


def make_png(width: int = 4, height: int = 3, mode: str = "RGBA") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (width, height), (200, 30, 60, 255)[: len(mode)]).save(buf, "PNG")
    return buf.getvalue()


def chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def parse_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Independent (test-side) chunk parser that also checks every CRC."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, out = 8, []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        ctype = png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(ctype + data), ctype
        out.append((ctype, data))
        pos += 12 + length
    assert pos == len(png)
    return out


def insert_before_iend(png: bytes, extra: bytes) -> bytes:
    assert png[-12:-8] == b"\x00\x00\x00\x00" and png[-8:-4] == b"IEND"
    return png[:-12] + extra + png[-12:]


def itxt(keyword: bytes, text: bytes, flag: int = 0) -> bytes:
    return chunk(b"iTXt", keyword + b"\0" + bytes([flag, 0]) + b"\0\0" + text)


SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">\n'
    b'  <title>Badge</title>\n  <circle cx="32" cy="32" r="30" fill="#0a5"/>\n</svg>\n'
)


# --------------------------------------------------------------------------- PNG


@pytest.mark.parametrize("payload", [JSON_PAYLOAD, JWS_PAYLOAD])
def test_png_round_trip(payload: str) -> None:
    png = make_png()
    baked = baking.bake_png(png, payload)
    assert baking.unbake_png(baked) == payload
    assert baking.unbake(baked) == payload


def test_png_chunk_is_spec_itxt_before_iend() -> None:
    png = make_png()
    baked = baking.bake_png(png, JSON_PAYLOAD)
    chunks = parse_chunks(baked)
    types = [c for c, _ in chunks]
    assert types[0] == b"IHDR"
    assert types[-1] == b"IEND"
    assert types[-2] == b"iTXt"
    assert types.index(b"iTXt") > types.index(b"IDAT")
    data = chunks[-2][1]
    keyword, rest = data.split(b"\0", 1)
    assert keyword == b"openbadgecredential"
    assert rest[0] == 0  # compression flag: uncompressed
    assert rest[1] == 0  # compression method
    assert rest[2:4] == b"\0\0"  # empty language tag, empty translated keyword
    assert rest[4:].decode("utf-8") == JSON_PAYLOAD
    # every original chunk is preserved byte for byte (pixels untouched)
    assert list(parse_chunks(png)) == [c for c in chunks if c[0] != b"iTXt"]


def test_png_still_an_image_and_pillow_reads_the_chunk() -> None:
    png = make_png(7, 5, "RGB")
    baked = baking.bake_png(png, JSON_PAYLOAD)
    with Image.open(io.BytesIO(baked)) as im, Image.open(io.BytesIO(png)) as orig:
        im.load()
        assert im.size == (7, 5)
        assert im.tobytes() == orig.tobytes()
        assert im.text["openbadgecredential"] == JSON_PAYLOAD  # type: ignore[attr-defined]


def test_png_rebake_replaces_exactly_one_chunk() -> None:
    baked = baking.bake_png(make_png(), JSON_PAYLOAD)
    rebaked = baking.bake_png(baked, JWS_PAYLOAD)
    cred_chunks = [d for c, d in parse_chunks(rebaked) if d.startswith(b"openbadgecredential\0")]
    assert len(cred_chunks) == 1
    assert baking.unbake_png(rebaked) == JWS_PAYLOAD
    assert baking.bake_png(rebaked, JWS_PAYLOAD) == rebaked  # idempotent


def test_png_rebake_removes_text_and_ztxt_variants_but_keeps_ob2() -> None:
    png = make_png()
    ob2 = itxt(b"openbadges", b'{"old": "OB 2.0 assertion"}')
    stale = chunk(b"tEXt", b"openbadgecredential\0{}") + chunk(
        b"zTXt", b"openbadgecredential\0\0" + zlib.compress(b"{}")
    )
    dirty = insert_before_iend(png, ob2 + stale + itxt(b"openbadgecredential", b"{}"))
    baked = baking.bake_png(dirty, JSON_PAYLOAD)
    texts = [(c, d.split(b"\0", 1)[0]) for c, d in parse_chunks(baked) if c.endswith(b"Xt")]
    assert texts == [(b"iTXt", b"openbadges"), (b"iTXt", b"openbadgecredential")]


def test_png_no_credential_returns_none() -> None:
    assert baking.unbake_png(make_png()) is None
    assert baking.unbake(make_png()) is None


def test_png_two_credential_chunks_refused_on_read() -> None:
    png = insert_before_iend(
        make_png(),
        itxt(b"openbadgecredential", b"a.b.c") + itxt(b"openbadgecredential", b"x.y.z"),
    )
    with pytest.raises(BakingError, match="2 openbadgecredential") as exc:
        baking.unbake_png(png)
    assert exc.value.code == "duplicate_credential"
    # baking replaces both with exactly one
    assert baking.unbake_png(baking.bake_png(png, JWS_PAYLOAD)) == JWS_PAYLOAD


def test_png_compressed_itxt_refused_on_read_replaced_on_bake() -> None:
    png = insert_before_iend(
        make_png(), itxt(b"openbadgecredential", zlib.compress(JSON_PAYLOAD.encode()), flag=1)
    )
    with pytest.raises(BakingError, match="uncompressed") as exc:
        baking.unbake_png(png)
    assert exc.value.code == "compressed_credential"
    rebaked = baking.bake_png(png, JSON_PAYLOAD)
    flags = [d[20] for c, d in parse_chunks(rebaked) if c == b"iTXt"]
    assert flags == [0]
    assert baking.unbake_png(rebaked) == JSON_PAYLOAD


def test_png_compressed_itxt_bomb_refused_without_inflating() -> None:
    bomb = zlib.compress(b"{" + b" " * (64 * 1024 * 1024) + b"}", 9)
    png = insert_before_iend(make_png(), itxt(b"openbadgecredential", bomb, flag=1))
    assert len(png) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(BakingError) as exc:
            baking.unbake_png(png)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert exc.value.code == "compressed_credential"
    assert peak < 5 * 1024 * 1024  # the 64 MB were never inflated


def test_png_compressed_itxt_garbage() -> None:
    png = insert_before_iend(make_png(), itxt(b"openbadgecredential", b"not zlib", flag=1))
    with pytest.raises(BakingError) as exc:
        baking.unbake_png(png)
    assert exc.value.code == "compressed_credential"


def test_png_oversized_chunk_rejected() -> None:
    big = b'{"x": "' + b"a" * (1024 * 1024 + 10) + b'"}'
    png = insert_before_iend(make_png(), itxt(b"openbadgecredential", big))
    with pytest.raises(BakingError, match="cap"):
        baking.unbake_png(png)
    small = baking.bake_png(make_png(), JSON_PAYLOAD)
    with pytest.raises(BakingError, match="cap"):
        baking.unbake_png(small, max_payload_bytes=100)
    with pytest.raises(BakingError, match="cap"):
        baking.bake_png(make_png(), big.decode())


def test_png_decompression_bomb_dimensions() -> None:
    png = make_png(1, 1)
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 6, 0, 0, 0)
    bomb = png[:8] + chunk(b"IHDR", ihdr) + png[8 + 25 :]
    with pytest.raises(BakingError, match="decompression bomb"):
        baking.bake_png(bomb, JSON_PAYLOAD)
    with pytest.raises(BakingError, match="decompression bomb"):
        baking.unbake_png(bomb)
    with pytest.raises(BakingError, match="pixel"):
        baking.bake_png(make_png(20, 20), JSON_PAYLOAD, max_pixels=399)


def test_png_zero_dimension_and_bad_ihdr() -> None:
    png = make_png(1, 1)
    zero = png[:8] + chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 1, 8, 6, 0, 0, 0)) + png[33:]
    with pytest.raises(BakingError):
        baking.bake_png(zero, JSON_PAYLOAD)
    short = png[:8] + chunk(b"IHDR", b"\0" * 12) + png[33:]
    with pytest.raises(BakingError):
        baking.unbake_png(short)
    bad_depth = png[:8] + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 7, 6, 0, 0, 0)) + png[33:]
    with pytest.raises(BakingError):  # Pillow catches the incoherent header
        baking.bake_png(bad_depth, JSON_PAYLOAD)


def test_png_ihdr_must_be_first() -> None:
    png = make_png()
    swapped = png[:8] + chunk(b"tEXt", b"a\0b") + png[8:]
    with pytest.raises(BakingError, match="IHDR"):
        baking.unbake_png(swapped)


@pytest.mark.parametrize("cut", [1, 5, 12, 13, 40])
def test_png_truncated(cut: int) -> None:
    baked = baking.bake_png(make_png(), JSON_PAYLOAD)
    with pytest.raises(BakingError):
        baking.unbake_png(baked[:-cut])
    with pytest.raises(BakingError):
        baking.bake_png(baked[:-cut], JWS_PAYLOAD)


def test_png_bad_crc() -> None:
    baked = bytearray(baking.bake_png(make_png(), JSON_PAYLOAD))
    pos = baked.index(b"openbadgecredential") + 40  # inside the credential text
    baked[pos] ^= 0x01
    with pytest.raises(BakingError, match="CRC"):
        baking.unbake_png(bytes(baked))
    idat = bytearray(make_png())
    idat[idat.index(b"IDAT") + 6] ^= 0xFF
    with pytest.raises(BakingError, match="CRC"):
        baking.bake_png(bytes(idat), JSON_PAYLOAD)


def test_png_trailing_garbage_not_copied() -> None:
    png = make_png() + b"<script>alert(1)</script>"
    baked = baking.bake_png(png, JWS_PAYLOAD)
    assert b"script" not in baked
    assert baking.unbake_png(png) is None


def test_png_bad_chunk_type_and_huge_length() -> None:
    png = make_png()
    weird = insert_before_iend(png, chunk(b"i T\x00", b""))
    with pytest.raises(BakingError, match="chunk type"):
        baking.unbake_png(weird)
    huge = insert_before_iend(png, struct.pack(">I", 0xFFFFFFF0) + b"iTXt")
    with pytest.raises(BakingError):
        baking.unbake_png(huge)


def test_png_image_size_cap() -> None:
    with pytest.raises(BakingError, match="cap"):
        baking.unbake_png(make_png(), max_image_bytes=10)


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "   ",
        "not a credential",
        "[1, 2]",
        '{"unterminated": ',
        "a.b",
        "a.b.c.d",
        "a.b.c\n<script>",
        "\ud800",
    ],
)
def test_bad_payloads_refused(payload: str) -> None:
    with pytest.raises(BakingError):
        baking.bake_png(make_png(), payload)
    with pytest.raises(BakingError):
        baking.bake_svg(SVG, payload)


def test_payload_must_be_str() -> None:
    with pytest.raises(BakingError):
        baking.bake_png(make_png(), CREDENTIAL)  # type: ignore[arg-type]


def test_itxt_bad_utf8_and_empty() -> None:
    with pytest.raises(BakingError, match="UTF-8"):
        baking.unbake_png(insert_before_iend(make_png(), itxt(b"openbadgecredential", b"\xff")))
    with pytest.raises(BakingError, match="empty"):
        baking.unbake_png(insert_before_iend(make_png(), itxt(b"openbadgecredential", b"")))
    with pytest.raises(BakingError):
        baking.unbake_png(insert_before_iend(make_png(), chunk(b"iTXt", b"openbadgecredential")))


# --------------------------------------------------------------------------- SVG


def _ob_elements(svg: bytes) -> list[object]:
    import defusedxml.ElementTree as ET

    root = ET.fromstring(svg)
    return list(root.iter(f"{{{OB_NS}}}credential"))


def test_svg_json_round_trip_and_placement() -> None:
    baked = baking.bake_svg(SVG, JSON_PAYLOAD)
    text = baked.decode("utf-8")
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in text
    svg_start = text.index("<svg")
    after_start_tag = text.index(">", svg_start) + 1
    assert text[after_start_tag:].startswith("<openbadges:credential><![CDATA[{")
    assert "verify=" not in text
    assert baking.unbake_svg(baked) == JSON_PAYLOAD
    assert baking.unbake(baked) == JSON_PAYLOAD
    assert len(_ob_elements(baked)) == 1
    assert "<circle" in text and "<title>Badge</title>" in text


def test_svg_jws_in_verify_attribute() -> None:
    baked = baking.bake_svg(SVG, JWS_PAYLOAD)
    text = baked.decode()
    after = text[text.index(">", text.index("<svg")) + 1 :]
    assert after.startswith(f'<openbadges:credential verify="{JWS_PAYLOAD}"/>')
    assert baking.unbake_svg(baked) == JWS_PAYLOAD


def test_svg_rebake_replaces_even_with_other_prefix() -> None:
    other = SVG.replace(
        b'viewBox="0 0 64 64">',
        b'viewBox="0 0 64 64" xmlns:ob="https://purl.imsglobal.org/ob/v3p0">'
        b'<g><ob:credential verify="old.old.old"/></g>',
    )
    baked = baking.bake_svg(other, JSON_PAYLOAD)
    rebaked = baking.bake_svg(baked, JWS_PAYLOAD)
    assert len(_ob_elements(rebaked)) == 1
    assert baking.unbake_svg(rebaked) == JWS_PAYLOAD
    assert b"old.old.old" not in rebaked


def test_svg_cdata_end_inside_json_is_split() -> None:
    payload = json.dumps({"name": "a]]>b", "n": "]]>]]>", "t": "x]]"})
    baked = baking.bake_svg(SVG, payload)
    assert baked.count(b"<![CDATA[") == 4
    assert baking.unbake_svg(baked) == payload


def test_svg_xml_forbidden_codepoints_escaped_losslessly() -> None:
    payload = json.dumps({"name": "a\uffffb"}, ensure_ascii=False)
    out = baking.unbake_svg(baking.bake_svg(SVG, payload))
    assert out is not None
    assert json.loads(out) == {"name": "a\uffffb"}


def test_svg_conflicting_prefix_refused() -> None:
    bad = SVG.replace(b'width="64"', b'xmlns:openbadges="urn:other" width="64"')
    with pytest.raises(BakingError, match="prefix"):
        baking.bake_svg(bad, JWS_PAYLOAD)


def test_svg_without_credential_and_ob2_namespace() -> None:
    assert baking.unbake_svg(SVG) is None
    ob2 = SVG.replace(
        b"<title>",
        b'<openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="a.b.c"/><title>',
    )
    assert baking.unbake_svg(ob2) is None


def test_svg_not_svg_root() -> None:
    with pytest.raises(BakingError, match="SVG"):
        baking.unbake_svg(b"<html><body/></html>")
    with pytest.raises(BakingError, match="SVG"):
        baking.bake_svg(b'<svg width="1"/>', JWS_PAYLOAD)  # no SVG namespace


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&lol9;</openbadges:credential></svg>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&xxe;</openbadges:credential></svg>"""

SVG11_DOCTYPE_WITH_SUBSET = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [
 <!ENTITY cred "a.b.c">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&cred;</openbadges:credential></svg>"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, XXE, SVG11_DOCTYPE_WITH_SUBSET])
def test_svg_dtd_entities_refused(hostile: bytes) -> None:
    with pytest.raises(BakingError) as exc:
        baking.unbake_svg(hostile)
    assert exc.value.code == "dtd"
    with pytest.raises(BakingError):
        baking.unbake(hostile)
    with pytest.raises(BakingError):
        baking.bake_svg(hostile, JWS_PAYLOAD)


SCRIPT_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" '
    b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
    b'<openbadges:credential verify="a.b.c"/>'
    b"<script>alert(document.cookie)</script><circle r='1'/></svg>"
)


def test_svg_script_never_returned_or_kept() -> None:
    assert baking.unbake_svg(SCRIPT_SVG) == "a.b.c"
    with pytest.raises(BakingError, match="active content"):
        baking.bake_svg(SCRIPT_SVG, JWS_PAYLOAD)
    smuggled = (
        b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b"<openbadges:credential>{}<script>alert(1)</script></openbadges:credential></svg>"
    )
    with pytest.raises(BakingError, match="child"):
        baking.unbake_svg(smuggled)


@pytest.mark.parametrize(
    "active",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href=" JavaScript:alert(1)"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><g><s:script xmlns:s="http://www.w3.org/2000/svg"/></g></svg>',
    ],
)
def test_svg_active_content_refused_when_baking(active: bytes) -> None:
    with pytest.raises(BakingError):
        baking.bake_svg(active, JWS_PAYLOAD)


def test_svg_size_caps() -> None:
    with pytest.raises(BakingError, match="cap"):
        baking.unbake_svg(SVG, max_image_bytes=10)
    big = baking.bake_svg(SVG, json.dumps({"x": "a" * 5000}))
    with pytest.raises(BakingError, match="cap"):
        baking.unbake_svg(big, max_payload_bytes=1000)


def test_svg_malformed_and_empty_element() -> None:
    with pytest.raises(BakingError):
        baking.unbake_svg(b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>")
    empty = (
        b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential/></svg>'
    )
    with pytest.raises(BakingError, match="empty"):
        baking.unbake_svg(empty)


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world",
        b"GIF89a\x01\x00\x01\x00",
        b"\xff\xd8\xff\xe0JFIF",
        b"%PDF-1.7",
        bytes(64),
    ],
)
def test_non_images_refused(data: bytes) -> None:
    with pytest.raises(BakingError):
        baking.unbake(data)
    with pytest.raises(BakingError):
        baking.bake(data, JWS_PAYLOAD)


def test_fake_png_signature_only() -> None:
    with pytest.raises(BakingError):
        baking.unbake(b"\x89PNG\r\n\x1a\n" + b"garbage")


def test_bake_dispatch() -> None:
    assert baking.unbake(baking.bake(make_png(), JWS_PAYLOAD)) == JWS_PAYLOAD
    assert baking.unbake(baking.bake(b"\xef\xbb\xbf" + SVG, JWS_PAYLOAD)) == JWS_PAYLOAD


# --------------------------------------------------------------------------- properties

_PNG = make_png(2, 2)
_json_text = st.text(min_size=0, max_size=200)
_jws_part = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_json_text, extra=st.dictionaries(st.text(max_size=10), _json_text, max_size=3))
def test_property_json_round_trip(name: str, extra: dict[str, str]) -> None:
    payload = json.dumps({"name": name, "extra": extra}, ensure_ascii=False)
    assert baking.unbake_png(baking.bake_png(_PNG, payload)) == payload
    from_svg = baking.unbake_svg(baking.bake_svg(SVG, payload))
    assert from_svg is not None
    assert json.loads(from_svg) == json.loads(payload)
    if "\ufffe" not in payload and "\uffff" not in payload:
        assert from_svg == payload


@settings(max_examples=50, deadline=None)
@given(h=_jws_part, p=_jws_part, s=_jws_part)
def test_property_jws_round_trip(h: str, p: str, s: str) -> None:
    jws = f"{h}.{p}.{s}"
    assert baking.unbake(baking.bake_png(_PNG, jws)) == jws
    assert baking.unbake(baking.bake_svg(SVG, jws)) == jws


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_property_random_bytes_never_crash(data: bytes) -> None:
    for candidate in (data, b"\x89PNG\r\n\x1a\n" + data, b"<svg " + data):
        with contextlib.suppress(BakingError):
            baking.unbake(candidate)


def test_svg_deep_nesting_refused_when_baking() -> None:
    deep = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 5000 + b"</g>" * 5000 + b"</svg>"
    with pytest.raises(BakingError, match="nesting"):
        baking.bake_svg(deep, JWS_PAYLOAD)
    assert baking.unbake_svg(deep) is None  # reading is iterative: no depth problem


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_property_random_bytes_never_crash_when_baking(data: bytes) -> None:
    for candidate in (data, b"\x89PNG\r\n\x1a\n" + data, b"<svg " + data):
        with contextlib.suppress(BakingError):
            baking.bake(candidate, JWS_PAYLOAD)


_BAKED = baking.bake_png(make_png(3, 3), JSON_PAYLOAD)
_BAKED_SVG = baking.bake_svg(SVG, JSON_PAYLOAD)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_property_corrupted_baked_files_fail_cleanly(data: st.DataObject) -> None:
    for original in (_BAKED, _BAKED_SVG):
        buf = bytearray(original)
        for _ in range(data.draw(st.integers(1, 4))):
            pos = data.draw(st.integers(0, len(buf) - 1))
            buf[pos] = data.draw(st.integers(0, 255))
        cut = data.draw(st.integers(8, len(buf)))
        try:
            out = baking.unbake(bytes(buf[:cut]))
        except BakingError:
            continue
        assert out is None or isinstance(out, str)


def test_svg_with_an_unknown_xml_encoding_is_refused_cleanly():
    """Found by hypothesis: a corrupted XML declaration raised LookupError, not BakingError."""
    svg = b'<?xml version="1.0" encoding="u-f-8"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    with pytest.raises(BakingError):
        baking.unbake_svg(svg)
    with pytest.raises(BakingError):
        baking.bake_svg(svg, '{"a": 1}')
