"""Accessibility checks shared by the browser tests: axe-core, WCAG 2.2 AA, CSP left on.

axe-core comes from the pinned npm install in tests/interop (``make test`` runs ``npm ci``).
The pages' Content-Security-Policy (``script-src 'self'``) refuses an injected ``<script>``
tag, so the file is evaluated through the DevTools protocol instead, which the CSP allows.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parent / "interop" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on ``page``; the violations, summarised (id, impact, help, first nodes)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci in tests/interop)")
    # A click that navigates returns before the new page's stylesheet has loaded; measured
    # unstyled, buttons are smaller than 24 px and axe's target-size rule fails at random.
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    assert len(result["passes"]) > 5, "axe did not run"
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
    ]


def assert_accessible(page: Any, what: str) -> None:
    """axe-core finds no WCAG 2.2 AA violation on ``page``."""
    violations = axe_violations(page)
    assert not violations, f"{what}: {json.dumps(violations, indent=1, ensure_ascii=False)}"


def no_overflow(page: Any) -> None:
    """Nothing is wider than the viewport (360 px phones)."""
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
