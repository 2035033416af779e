"""Speed of the co-assessment grid charts (issue #5).

Run: .venv/bin/python bench/grids_bench.py
Targets (one core): SVG chart 17 axes × 3 series ≤ 2 ms; PNG ≤ 20 ms.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

from badger.grids.charts import Axis, Series, radar_png, radar_svg

APELS = [
    "Assiduité", "Ponctualité", "Fiabilité", "Respect des autres", "Respect des règles",
    "Respect de l'environnement", "Hygiène de vie", "Posture / Dynamisme", "Capacités Physiques",
    "Connaissance de soi", "Estime de soi", "Goût de l'effort", "Prise de risque",
    "Détermination / Persévérance", "Gestion du stress", "Maîtrise de soi / Prise de recul",
    "Expression de soi (verbale et non verbale)",
]  # fmt: skip


def measure(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of one call, in milliseconds, after a warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def report(name: str, ms: float, target: float) -> bool:
    ok = ms <= target
    print(f"{name:<48} {ms:8.2f} ms   target ≤ {target:g} ms   {'ok' if ok else 'SLOW'}")
    return ok


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    axes = [Axis(label) for label in APELS]
    series = [
        Series("Moi", [(i * 7) % 6 for i in range(17)], "self"),
        Series("Coach", [(i * 5) % 6 for i in range(17)], "coach"),
        Series("Entrée", [(i * 3) % 6 if i % 6 else None for i in range(17)], "previous"),
    ]
    kw = {"title": "Grille", "description": "Auto-évaluation, coach, entrée"}
    ok = report(
        "SVG chart, 17 axes × 3 series", measure(lambda: radar_svg(axes, series, **kw), 500), 2
    )
    ok &= report(
        "PNG chart, 17 axes × 3 series", measure(lambda: radar_png(axes, series, **kw), 50), 20
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
