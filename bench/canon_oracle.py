"""Oracle of the canonicalisation fast path: byte-identical N-Quads with pyld, or a fallback.

Run: .venv/bin/python bench/canon_oracle.py [N=10000] [SEED=19]

Draws N varied credentials (tests/ob3/_canon_corpus.py) and, for each and for its copy without
``proof``, compares :func:`badger.ob3.fastcanon.canonicalize_fast` with pyld alone
(:func:`badger.ob3.jsonld.canonicalize_pyld`): every answer of the fast path must be pyld's,
byte for byte; a document it does not take must be one pyld answers (or refuses) itself, and
:func:`badger.ob3.jsonld.canonicalize` must then give pyld's answer or pyld's very error.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from badger.ob3.fastcanon import Fallback, canonicalize_fast
from badger.ob3.jsonld import canonicalize, canonicalize_pyld
from badger.ob3.loader import default_loader
from tests.ob3._canon_corpus import corpus


def _outcome(fn: Any, doc: Any) -> tuple[str, str]:
    try:
        return "ok", fn(doc)
    except Exception as exc:  # the error itself is compared
        return type(exc).__name__, str(exc)


def check(docs: list[dict[str, Any]]) -> tuple[Counter[str], list[str]]:
    """Compare every document; return counts and the mismatches (empty when all agree)."""
    loader = default_loader()
    counts: Counter[str] = Counter()
    wrong: list[str] = []
    for i, full in enumerate(docs):
        for label, doc in (("full", full), ("unsecured", {k: v for k, v in full.items()
                                                          if k != "proof"})):
            expected = _outcome(canonicalize_pyld, doc)
            try:
                fast = canonicalize_fast(doc, loader)
            except Fallback as exc:
                counts["fallback"] += 1
                counts["fallback: " + str(exc).split("\n")[0][:60]] += 1
                if _outcome(canonicalize, doc) != expected:
                    wrong.append(f"#{i} {label}: canonicalize() differs from pyld after fallback")
                continue
            counts["fast"] += 1
            if expected != ("ok", fast):
                wrong.append(f"#{i} {label}: fast {fast[:200]!r} != pyld {expected[1][:200]!r}")
    return counts, wrong


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 19
    t0 = time.perf_counter()
    counts, wrong = check(corpus(seed, n))
    print(f"canonicalisation oracle: {n} credentials (seed {seed}), "
          f"{counts['fast'] + counts['fallback']} documents in {time.perf_counter() - t0:.0f} s")
    print(f"  fast path: {counts['fast']}, fallback to pyld: {counts['fallback']}")
    for reason, k in counts.most_common():
        if reason.startswith("fallback: "):
            print(f"    {k:6}  {reason[10:]}")
    print(f"  mismatches: {len(wrong)}  target 0  {'OK' if not wrong else 'MISSED'}")
    for line in wrong[:20]:
        print("   ", line)
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
