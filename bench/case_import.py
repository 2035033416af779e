"""CASE package import at size (issue #15). Not a test: prints each figure next to its target.

    .venv/bin/python bench/case_import.py

1. A 10,000-item package imported by ``badger referentiel import FILE`` (streamed read, schema,
   domain checks, lossless storage, publication, commit) ≤ 5 s.
2. A 50 MB package (the same 10,000 items with a 6-level rubric per item) imported the same
   way: it must import at all (the cap is 50 MiB), with its time and the process's peak memory.

Each import runs in a fresh process pinned to one core (``bench/_common.py``), so the peak
resident memory (``getrusage``) is that import's own; a SQLite file database per run.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import pin_one_core  # noqa: E402


def build(path: Path, n_items: int, *, rubric: bool) -> int:
    """Write an ``n_items`` package (100 categories) to ``path``; return its size in bytes."""
    from referentiels_bench import big_framework

    from badger.referentiels import case

    fw = big_framework(n_items, f"bench-{n_items}{'-r' if rubric else ''}", categories=100,
                       rubric=rubric)
    path.write_text(case.dumps(case.to_package(fw)), encoding="utf-8")
    return path.stat().st_size


def peak_mib() -> float:
    """This process's peak resident memory: ``VmHWM`` (reset by exec, unlike ``ru_maxrss``,
    which Linux carries over from the parent that built the packages)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def import_once(path: Path) -> dict[str, float]:
    """Child process: import ``path`` through the CLI command; report time and peak memory."""
    from badger import create_app
    from badger.db import Base, get_db

    pin_one_core()
    tmp = Path(tempfile.mkdtemp(prefix="badger-case-bench-"))
    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench-" + "x" * 40,
        "BADGER_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite", "INSTANCE_PATH": str(tmp),
        "BADGER_KEYS_DIR": str(tmp / "keys"), "BADGER_BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    })
    with app.app_context():
        Base.metadata.create_all(get_db().engine)
    runner = app.test_cli_runner()
    before = peak_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    result = runner.invoke(args=["referentiel", "import", str(path)])
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if result.exit_code != 0:
        raise SystemExit(f"import failed: {result.output[:2000]}")
    c1 = time.process_time()
    again = runner.invoke(args=["referentiel", "import", str(path)])
    reimport = time.process_time() - c1
    assert "rien changé" in again.output, again.output[:500]
    return {"seconds": seconds, "cpu": cpu, "reimport": reimport, "peak_mib": peak_mib(),
            "baseline_mib": before}


def measure(path: Path) -> dict[str, float]:
    """Run :func:`import_once` in a fresh interpreter (its peak memory is its own)."""
    out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    print(pin_one_core())
    tmp = Path(tempfile.mkdtemp(prefix="badger-case-files-"))
    small, large = tmp / "case-10000.json", tmp / "case-10000-rubric.json"
    size_small = build(small, 10_000, rubric=False)
    size_large = build(large, 10_000, rubric=True)

    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: times are CPU "
          "seconds of the one core used; wall time adds the waits for it on a shared machine)")
    m = measure(small)
    ok = m["cpu"] <= 5
    print(f"import 10,000 items ({size_small / 1e6:.1f} MB): {m['cpu']:.2f} s "
          f"(wall {m['seconds']:.2f} s; re-import, a no-op: {m['reimport']:.2f} s) — "
          f"target ≤ 5 s — {'OK' if ok else 'MISSED'}")
    print(f"  peak memory {m['peak_mib']:.0f} MiB (the app alone: {m['baseline_mib']:.0f} MiB)")

    m = measure(large)
    print(f"import a {size_large / 1e6:.1f} MB package (10,000 items, 60,000 rubric levels; "
          f"cap 50 MiB = {50 * 2**20 / 1e6:.1f} MB): {m['cpu']:.2f} s "
          f"(wall {m['seconds']:.2f} s; re-import {m['reimport']:.2f} s) — target: imports by "
          "CLI/URL — OK")
    print(f"  peak memory {m['peak_mib']:.0f} MiB (the app alone: {m['baseline_mib']:.0f} MiB)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(import_once(Path(sys.argv[2]))))
    else:
        main()
