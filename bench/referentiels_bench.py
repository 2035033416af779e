"""Référentiel speed targets (issue #4). Not a test: prints each figure next to its target.

    .venv/bin/python bench/referentiels_bench.py

1. Import a CASE package of 10,000 items (parse + schema + domain checks + database) ≤ 10 s.
2. Render the public page of a 100-competence référentiel ≤ 50 ms.

Pinned to one CPU core (Linux) so figures are comparable between machines and runs.
SQLite file database in a temporary folder.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from badger import create_app
from badger import referentiels as service
from badger.db import Base, get_db, get_session
from badger.referentiels import case

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pin_one_core


def big_framework(n_items: int, key: str, *, categories: int, rubric: bool) -> case.Framework:
    fw = case.Framework(
        identifier=case.stable_id(key, "1", "document"), title=f"Bench {key}", creator="bench",
        key=key, last_change="2026-01-01T00:00:00+00:00",
    )
    per_cat = n_items // categories if categories else n_items
    cats = []
    for c in range(categories):
        item = case.Item(identifier=fw.item_id_for(f"D{c}"), code=f"D{c}", label=f"Domaine {c}",
                         kind="category", position=c + 1)
        fw.items.append(item)
        cats.append(item)
    remaining = n_items - categories
    for i in range(remaining):
        parent = cats[i // max(1, per_cat)].identifier if cats and i // max(1, per_cat) < len(
            cats) else (cats[-1].identifier if cats else None)
        fw.items.append(case.Item(
            identifier=fw.item_id_for(f"C{i}"), code=f"C{i}", label=f"Compétence numéro {i}",
            description=f"Être capable de faire la chose numéro {i} en situation réelle.",
            parent=parent, position=i + 1,
        ))
    case.renumber(fw.items)
    if rubric:
        case.add_badger_scale(fw)
    return fw


def main() -> None:
    print(pin_one_core())
    tmp = Path(tempfile.mkdtemp(prefix="badger-bench-"))
    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench-" + "x" * 40,
        "BADGER_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite", "INSTANCE_PATH": str(tmp),
        "BADGER_KEYS_DIR": str(tmp / "keys"), "BADGER_BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    })
    with app.app_context():
        Base.metadata.create_all(get_db().engine)

        # 1. 10,000-item import
        fw = big_framework(10_000, "bench-10k", categories=100, rubric=False)
        data = case.dumps(case.to_package(fw)).encode("utf-8")
        compact = len(json.dumps(case.to_package(fw), separators=(",", ":")).encode())
        session = get_session()
        t0 = time.perf_counter()
        parsed = case.parse_package(data, max_bytes=len(data) + 1)
        t1 = time.perf_counter()
        service.import_framework(session, parsed, key="bench-10k")
        session.commit()
        t2 = time.perf_counter()
        total = t2 - t0
        print(
            f"import 10,000 items: {total:.2f} s (parse+validate {t1 - t0:.2f} s, database "
            f"{t2 - t1:.2f} s) — target ≤ 10 s — {'OK' if total <= 10 else 'MISSED'}"
        )
        print(f"  package size {len(data) / 1e6:.1f} MB indented, {compact / 1e6:.1f} MB compact "
              f"(the upload limit is {case.MAX_BYTES / 1e6:.1f} MB; the bench lifts it)")
        t3 = time.perf_counter()
        _, changed = service.import_framework(session, case.parse_package(
            data, max_bytes=len(data) + 1))
        print(f"  re-import of the same package: {time.perf_counter() - t3:.2f} s, "
              f"changed={changed}")

        # 2. 100-competence page
        fw100 = big_framework(110, "bench-100", categories=10, rubric=True)
        service.import_framework(session, fw100, key="bench-100")
        session.commit()
    client = app.test_client()
    url = "/referentiels/bench-100/v1"
    assert client.get(url).status_code == 200
    times = []
    for _ in range(30):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    median = statistics.median(times)
    print(f"render 100-competence page: median {median:.1f} ms, p90 "
          f"{sorted(times)[int(len(times) * 0.9)]:.1f} ms over {len(times)} requests "
          f"({len(response.data) // 1024} KiB) — target ≤ 50 ms — "
          f"{'OK' if median <= 50 else 'MISSED'}")
    pkg_times = []
    with app.app_context():
        ident = service.get_version(get_session(), "bench-100", 1).identifier  # type: ignore[union-attr]
    for _ in range(30):
        t = time.perf_counter()
        client.get(f"/ims/case/v1p0/CFPackages/{ident}")
        pkg_times.append((time.perf_counter() - t) * 1000)
    print(f"  CASE package of the same (cached): median {statistics.median(pkg_times):.1f} ms")


if __name__ == "__main__":
    main()
