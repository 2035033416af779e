"""The streamed CASE reader and the fast schema pass: same answers as the whole-text parser and
jsonschema, in bounded memory."""

from __future__ import annotations

import copy
import io
import json
import random
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from badger.ob3 import safejson
from badger.referentiels import case
from badger.referentiels.case import reader, schema

ROOT = Path(__file__).resolve().parents[2]

CASES = [
    '{"a": 1}', "{}", "[]", '"text"', "12",
    '{"CFItems": [{"x": [1, 2, {"y": "z"}]}, {"n": 12345678}], '
    '"CFDefinitions": {"CFConcepts": [], "k": "v"}}',
    '{"CFRubrics": [{"identifier": "r", "CFRubricCriteria": [{"a": 1}, {"b": [1.5e3]}]}]}',
    '\ufeff{"a": "é\\u00e9 \\ud83d\\ude00"}',
    '{"a": 1, "a": 2}', '{"a": "\\\\u0000"}', '{"a": 123456789012345678901234567890}',
]
REFUSED = [
    ('{"a": 1,}', (1, 9)), ('{"a" 1}', (1, 6)), ('{"a": [1, 2}', (1, 12)),
    ('{"a": 1} x', (1, 10)), ("", (1, 1)), ('{\n"a":\n [1,\n 2,\n tru]}', (5, 2)),
    ('{"CFItems": [1, 2, 3', (1, 21)),
    ('{"a": "x\\u0000"}', None), ('{"a": "\\ud800"}', None), ('{"a": "\x00"}', None),
    ('{"a": ' + "[" * 70 + "]" * 70 + "}", None),
    ('{"CFItems": [' + "[" * 70 + "]" * 70 + "]}", None),
]


@pytest.fixture(params=[7, 4096])
def small_reads(request: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    """Reads of 7 bytes put every token across a read boundary."""
    monkeypatch.setattr(reader, "CHUNK", request.param)
    return int(request.param)


@pytest.mark.parametrize("text", CASES)
def test_stream_reads_what_safejson_reads(text: str, small_reads: int) -> None:
    expected = safejson.loads(text.encode())
    assert reader.read_package(io.BytesIO(text.encode()), max_bytes=10**6) == expected
    assert reader.read_package(text.encode(), max_bytes=10**6) == expected


@pytest.mark.parametrize(("text", "where"), REFUSED)
def test_stream_refuses_what_safejson_refuses_with_its_line(
    text: str, where: tuple[int, int] | None, small_reads: int
) -> None:
    with pytest.raises(ValueError) as expected:
        safejson.loads(text.encode())
    with pytest.raises(case.CaseImportError) as refused:
        reader.read_package(io.BytesIO(text.encode()), max_bytes=10**6)
    loc, message = refused.value.errors[0]
    assert "JSON invalide" in str(message)
    if where is not None:  # same line and column as the json module
        exc = expected.value
        assert (loc.line, loc.column) == where == (exc.lineno, exc.colno)  # type: ignore[attr-defined]


def test_stream_cap_and_bad_utf8_are_located(small_reads: int) -> None:
    with pytest.raises(case.CaseImportError) as big:
        reader.read_package(io.BytesIO(b'{"a": "' + b"x" * 100 + b'"}'), max_bytes=50)
    assert "trop volumineux (plus de 50 octets)" in str(big.value)
    with pytest.raises(case.CaseImportError) as bad:
        reader.read_package(io.BytesIO('{"a": "é'.encode() + b'\xff"}'), max_bytes=50)
    assert bad.value.errors[0].location.byte == 9  # after 7 ASCII bytes and the 2 of "é"


def _package(n: int) -> dict[str, Any]:
    fw = case.Framework(identifier=case.stable_id("reader", "doc"), title="Lecture",
                        creator="tests", key="lecture", last_change="2026-01-01T00:00:00+00:00")
    for i in range(n):
        fw.items.append(case.Item(identifier=fw.item_id_for(f"C{i}"), code=f"C{i}",
                                  label=f"Compétence {i}", position=i + 1))
    case.add_badger_scale(fw)
    return case.to_package(fw)


def test_stream_memory_is_bounded_by_the_objects_not_the_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reader never holds the package's text beside its objects: only one read (64 KiB
    here, for a 2 MB package; 1 MiB reads for real packages of up to 50 MB)."""
    monkeypatch.setattr(reader, "CHUNK", 64 * 1024)
    data = json.dumps(_package(400)).encode()
    tracemalloc.start()
    try:
        parsed = reader.read_package(io.BytesIO(data), max_bytes=len(data))
        _size, stream_peak = tracemalloc.get_traced_memory()
        del parsed
        tracemalloc.reset_peak()
        whole = safejson.loads(data)  # the old way: the whole text, then the objects
        _size, whole_peak = tracemalloc.get_traced_memory()
        del whole
    finally:
        tracemalloc.stop()
    assert stream_peak < whole_peak


def _mutate(rng: random.Random, obj: Any) -> None:
    paths: list[list[Any]] = []

    def walk(x: Any, p: list[Any]) -> None:
        paths.append(p)
        items = x.items() if isinstance(x, dict) else enumerate(x[:4]) if isinstance(
            x, list) else []
        for k, v in items:
            walk(v, [*p, k])

    walk(obj, [])
    path = rng.choice(paths[1:])
    parent = obj
    for k in path[:-1]:
        parent = parent[k]
    roll = rng.random()
    if roll < 0.4:
        parent[path[-1]] = rng.choice([1, 1.5, True, None, "x", [], {}, "pas-un-uuid",
                                       "2026-13-45", "00000000-0000-0000-0000-000000000000"])
    elif roll < 0.7 and isinstance(parent, dict):
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent["inconnu"] = 1
    else:
        parent.append(rng.choice([1, "x", {}]))


@pytest.mark.parametrize("which", ["1.0 IMS", "1.0 OpenSALT", "1.1", "1.1 loose ids"])
def test_quick_pass_never_accepts_what_jsonschema_refuses(which: str) -> None:
    """Random damage to real packages: the fast pass says "valid" only when jsonschema does,
    and it says so for every valid shipped package (so it is the path actually taken)."""
    rng = random.Random(15)
    quick, full = {
        "1.0 IMS": (schema._quick(True), schema._validator(True)),
        "1.0 OpenSALT": (schema._quick(False), schema._validator(False)),
        "1.1": (schema._quick11(False), schema._validator_v11(False)),
        "1.1 loose ids": (schema._quick11(True), schema._validator_v11(True)),
    }[which]
    packages = [json.loads((ROOT / "referentiels" / name).read_text("utf-8"))
                for name in ("clea.json", "normandie-badge-competences.json", "rectec.json")]
    packages.append(_package(3))
    agreed = refused = 0
    for pkg in packages:
        assert quick(pkg) == (not list(full.iter_errors(pkg)))
        for _ in range(50):
            damaged = copy.deepcopy(pkg)
            _mutate(rng, damaged)
            valid = not list(full.iter_errors(damaged))
            assert not (quick(damaged) and not valid)
            agreed += quick(damaged) == valid
            refused += not valid
    assert refused > 40 and agreed > 120
