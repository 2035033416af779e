"""Référentiel CSV import speed target (issue #12). Not a test: prints the figure and target.

    .venv/bin/python bench/csv_import_bench.py [--rows N]

Parse a spreadsheet of 100,000 competences in 50 categories, with 0–5 level texts, an ESCO
URI and an English label on every row (28 MB of CSV; the upload limit is lifted), the
way ``/referentiels/import`` and ``badger referentiel import`` read it: ≤ 5 s. Also prints the
time for a tenth of the rows, so a quadratic step (once, a per-row sibling count: 8,000 rows
took 6.3 s) shows as a ratio far above 10.

Pinned to one CPU core (Linux) so figures are comparable between machines and runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from badger.referentiels import case

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pin_one_core

TARGET_S = 5.0


def spreadsheet(rows: int, categories: int = 50) -> bytes:
    header = ["category", "code", "label", "description",
              *(f"level_{n}" for n in range(6)), "esco_uri", "label_en"]
    lines = [";".join(header)]
    for i in range(rows):
        lines.append(";".join([
            f"Domaine {i % categories}", f"C{i}", f"Compétence numéro {i}",
            f"Être capable de faire la chose numéro {i} en situation réelle.",
            *(f"niveau {n} de {i}" for n in range(6)),
            f"http://data.europa.eu/esco/skill/{i:08x}", f"Skill number {i}",
        ]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def parse_seconds(data: bytes) -> tuple[float, int]:
    t0 = time.perf_counter()
    fw = case.parse_csv(data, title="Bench CSV", creator="bench", max_bytes=len(data) + 1)
    return time.perf_counter() - t0, len(fw.competences)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    print(pin_one_core())
    small, big = spreadsheet(rows // 10), spreadsheet(rows)
    t_small, _n = parse_seconds(small)
    t_big, n = parse_seconds(big)
    assert n == rows, (n, rows)
    ok = "OK" if t_big <= TARGET_S else "MISSED"
    print(f"CSV import, {rows:,} rows ({len(big) / 1e6:.1f} MB): {t_big:.2f} s "
          f"— target ≤ {TARGET_S:.0f} s — {ok}")
    print(f"  {rows // 10:,} rows: {t_small:.2f} s — ratio {t_big / t_small:.1f} "
          f"for 10× the rows (linear ≈ 10)")


if __name__ == "__main__":
    main()
