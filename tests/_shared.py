"""Where the read-only reference material (official test vectors, schemas) lives: ``../shared``
beside the project, the layout developers and CI have; this machine's ``/work/shared`` when the
checkout sits elsewhere (a clone in a temporary folder)."""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
SHARED = next(
    (p for p in (_ROOT.parent / "shared", Path("/work/shared")) if (p / "ob3").is_dir()),
    _ROOT.parent / "shared",
)
