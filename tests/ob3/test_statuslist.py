"""Bitstring Status List: bit order, encoding, allocation and hostile input."""

from __future__ import annotations

import base64
import gzip
import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badger.ob3 import statuslist as sl
from badger.ob3.statuslist import StatusListError

LIST_URL = "https://badges.example.fr/status/1"
ISSUER = {"id": "https://badges.example.fr/issuers/1", "type": ["Profile"], "name": "Asso"}


def _list_credential(bits: bytes, purpose: str = "revocation") -> dict[str, object]:
    return sl.build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER,
        purpose=purpose,
        bits=bits,
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )


def test_new_bitstring_minimum_size() -> None:
    bits = sl.new_bitstring()
    assert len(bits) == 16384  # 131,072 bits = 16 KB
    assert not any(bits)
    assert len(sl.new_bitstring(131072 * 2)) == 32768


@pytest.mark.parametrize("size", [0, 8, 131071, 131064, 131073, -8])
def test_new_bitstring_refuses_small_or_unaligned(size: int) -> None:
    with pytest.raises(StatusListError):
        sl.new_bitstring(size)


def test_bit_convention_msb_first() -> None:
    bits = sl.new_bitstring()
    first = sl.set_bit(bits, 0, True)
    assert first[0] == 0x80
    assert sum(first) == 0x80
    b23 = sl.set_bit(bits, 23, True)
    assert b23[2] == 0x01
    assert b23[:2] == b"\x00\x00"
    assert sl.get_bit(b23, 23)
    assert not sl.get_bit(b23, 22)
    last = sl.set_bit(bits, 131071, True)
    assert last[-1] == 0x01


def test_set_bit_is_pure_and_clears() -> None:
    bits = sl.new_bitstring()
    on = sl.set_bit(bits, 9, True)
    assert bits == sl.new_bitstring()  # input untouched
    assert on[1] == 0x40
    off = sl.set_bit(on, 9, False)
    assert off == bits
    both = sl.set_bit(sl.set_bit(bits, 8, True), 9, True)
    assert sl.set_bit(both, 8, False)[1] == 0x40


@pytest.mark.parametrize("index", [-1, 131072, 10**9])
def test_index_out_of_range(index: int) -> None:
    bits = sl.new_bitstring()
    with pytest.raises(StatusListError):
        sl.get_bit(bits, index)
    with pytest.raises(StatusListError):
        sl.set_bit(bits, index, True)


def test_encode_format_and_round_trip() -> None:
    bits = sl.set_bit(sl.new_bitstring(), 23, True)
    encoded = sl.encode_list(bits)
    assert encoded.startswith("u")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert raw[:2] == b"\x1f\x8b"  # GZIP, not raw zlib
    assert gzip.decompress(raw) == bits
    assert sl.decode_list(encoded) == bits
    assert sl.encode_list(bits) == encoded  # deterministic (mtime=0)


def test_decode_accepts_without_prefix_and_with_padding() -> None:
    bits = sl.set_bit(sl.new_bitstring(), 5, True)
    body = base64.urlsafe_b64encode(gzip.compress(bits)).decode()
    assert sl.decode_list(body) == bits
    assert sl.decode_list("u" + body) == bits
    assert sl.decode_list(body.rstrip("=")) == bits


def test_decode_validator_fixture_shape() -> None:
    # Same shape as the 1EdTech validator fixture: 16384 bytes, only bit 23 set.
    bits = sl.set_bit(sl.new_bitstring(), 23, True)
    decoded = sl.decode_list(sl.encode_list(bits))
    assert len(decoded) == 16384
    assert [i for i in range(len(decoded) * 8) if sl.get_bit(decoded, i)] == [23]


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "u",
        "u!!!!",
        "uAAAA",
        "not base64 at all",
        "u" + base64.urlsafe_b64encode(b"plain bytes, not gzip").decode().rstrip("="),
        "u"
        + base64.urlsafe_b64encode(gzip.compress(b"x" * 100, mtime=0)[:-12]).decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(b"", mtime=0)).decode().rstrip("="),
    ],
)
def test_decode_garbage_refused(garbage: str) -> None:
    with pytest.raises(StatusListError):
        sl.decode_list(garbage)


def test_decode_gzip_bomb_capped() -> None:
    bomb = sl.encode_list(bytes(64 * 1024 * 1024))  # compresses to ~64 KB
    assert len(bomb) < 200_000
    with pytest.raises(StatusListError, match="exceeds"):
        sl.decode_list(bomb)
    with pytest.raises(StatusListError, match="exceeds"):
        sl.decode_list(sl.encode_list(bytes(2048)), max_bytes=1024)


def test_decode_non_str_refused() -> None:
    with pytest.raises(StatusListError):
        sl.decode_list(b"uAAAA")  # type: ignore[arg-type]


def test_allocation_never_repeats_and_fails_when_full() -> None:
    rng = random.Random(42)
    size = 4096
    taken: set[int] = set()
    for _ in range(size):
        idx = sl.allocate_index(taken, size, rng)
        assert 0 <= idx < size
        assert idx not in taken
        taken.add(idx)
    assert taken == set(range(size))
    with pytest.raises(StatusListError, match="full"):
        sl.allocate_index(taken, size, rng)


def test_allocation_is_not_sequential() -> None:
    rng = random.Random(7)
    taken: set[int] = set()
    picks = []
    for _ in range(50):
        idx = sl.allocate_index(taken, sl.MIN_LIST_SIZE, rng)
        taken.add(idx)
        picks.append(idx)
    assert picks != sorted(picks)
    assert max(picks) > 1000


def test_allocation_with_system_random_and_nearly_full() -> None:
    import secrets

    size = 1024
    taken = set(range(size)) - {777}
    assert sl.allocate_index(taken, size, secrets.SystemRandom()) == 777


def test_status_entry_shape() -> None:
    entry = sl.status_entry(list_url=LIST_URL, index=94567, purpose="revocation")
    assert entry == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    assert entry["id"] != entry["statusListCredential"]
    with pytest.raises(StatusListError):
        sl.status_entry(list_url=LIST_URL, index=1, purpose="refresh")
    with pytest.raises(StatusListError):
        sl.status_entry(list_url=LIST_URL, index=-1, purpose="revocation")


def test_build_status_list_credential_shape() -> None:
    bits = sl.new_bitstring()
    cred = sl.build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER["id"],
        purpose="suspension",
        bits=bits,
        valid_from=datetime(2025, 1, 1, 12, 0, 0, 123, tzinfo=UTC),
        valid_until=datetime(2025, 2, 1, tzinfo=UTC),
    )
    assert cred == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER["id"],
        "validFrom": "2025-01-01T12:00:00Z",
        "validUntil": "2025-02-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "suspension",
            "encodedList": sl.encode_list(bits),
        },
    }


def test_build_refuses_small_list_and_naive_dates() -> None:
    with pytest.raises(StatusListError):
        sl.build_status_list_credential(
            list_url=LIST_URL,
            issuer=ISSUER,
            purpose="revocation",
            bits=bytes(100),
            valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        )
    with pytest.raises(StatusListError):
        sl.build_status_list_credential(
            list_url=LIST_URL,
            issuer=ISSUER,
            purpose="revocation",
            bits=sl.new_bitstring(),
            valid_from=datetime(2025, 1, 1),  # deliberately naive
        )


def test_read_status_round_trip() -> None:
    bits = sl.set_bit(sl.new_bitstring(), 1234, True)
    lc = _list_credential(bits)
    revoked = sl.status_entry(list_url=LIST_URL, index=1234, purpose="revocation")
    fine = sl.status_entry(list_url=LIST_URL, index=1235, purpose="revocation")
    assert sl.read_status(lc, revoked) is True
    assert sl.read_status(lc, fine) is False
    # numeric index as in the 1EdTech validator fixture
    assert sl.read_status(lc, {**revoked, "statusListIndex": 1234}) is True


def test_read_status_purpose_mismatch() -> None:
    lc = _list_credential(sl.new_bitstring(), purpose="suspension")
    entry = sl.status_entry(list_url=LIST_URL, index=1, purpose="revocation")
    with pytest.raises(StatusListError, match="mismatch"):
        sl.read_status(lc, entry)


@pytest.mark.parametrize(
    "patch",
    [
        {"statusListIndex": "131072"},
        {"statusListIndex": "-1"},
        {"statusListIndex": "12a"},
        {"statusListIndex": True},
        {"statusListIndex": None},
        {"statusListCredential": "https://evil.example/list"},
        {"type": "StatusList2021Entry"},
        {"statusSize": 2},
    ],
)
def test_read_status_bad_entries(patch: dict[str, object]) -> None:
    lc = _list_credential(sl.new_bitstring())
    entry = {**sl.status_entry(list_url=LIST_URL, index=1, purpose="revocation"), **patch}
    with pytest.raises(StatusListError):
        sl.read_status(lc, entry)


def test_read_status_bad_list_credentials() -> None:
    entry = sl.status_entry(list_url=LIST_URL, index=1, purpose="revocation")
    good = _list_credential(sl.new_bitstring())
    wrong_type = {**good, "type": ["VerifiableCredential"]}
    small = {
        **good,
        "credentialSubject": {
            **good["credentialSubject"],  # type: ignore[dict-item]
            "encodedList": sl.encode_list(bytes(1024)),
        },
    }
    garbage = {
        **good,
        "credentialSubject": {
            **good["credentialSubject"],  # type: ignore[dict-item]
            "encodedList": "u!!!",
        },
    }
    for bad in (wrong_type, small, garbage, {**good, "credentialSubject": "x"}):
        with pytest.raises(StatusListError):
            sl.read_status(bad, entry)


@settings(max_examples=50, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=sl.MIN_LIST_SIZE - 1), max_size=40))
def test_round_trip_property(indexes: set[int]) -> None:
    bits = sl.new_bitstring()
    for i in indexes:
        bits = sl.set_bit(bits, i, True)
    decoded = sl.decode_list(sl.encode_list(bits))
    assert decoded == bits
    for i in indexes:
        assert sl.get_bit(decoded, i)
    assert sum(bin(b).count("1") for b in decoded) == len(indexes)


def test_set_indexes_and_crowding() -> None:
    bits = sl.new_bitstring()
    for index in (0, 7, 8, 131_071):
        bits = sl.set_bit(bits, index, True)
    assert sl.set_indexes(bits) == {0, 7, 8, 131_071}
    assert sl.set_indexes(sl.new_bitstring()) == set()
    size = sl.MIN_LIST_SIZE
    assert not sl.is_crowded(size * 3 // 4 - 1, size)
    assert sl.is_crowded(size * 3 // 4, size)
