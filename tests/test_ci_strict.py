"""Under CI=true a missing Chromium, PostgreSQL, node or Playwright fails the run instead of
skipping it (tests/conftest.py hooks, Makefile targets)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ci_failure, on_ci

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "reason",
    [
        "Debian's chromium is not installed (make test installs it)",
        "node is not installed (needed for interop tests)",
        "could not import 'playwright.sync_api': No module named 'playwright'",
        "axe-core is not installed (npm ci in tests/interop)",
        "run npm ci in tests/interop (node_modules missing)",
    ],
)
def test_a_missing_tool_fails_on_ci_and_skips_elsewhere(reason: str) -> None:
    assert ci_failure(reason, {"CI": "true"})
    assert ci_failure(reason, {"CI": "TRUE"})
    assert ci_failure(reason, {}) is None
    assert ci_failure(reason, {"CI": "false"}) is None


def test_other_skips_stay_skips_on_ci() -> None:
    assert ci_failure("reference material not present", {"CI": "true"}) is None
    assert ci_failure("Pillow without libraqm cannot shape", {"CI": "true"}) is None
    assert on_ci({"CI": "true"}) and not on_ci({"CI": ""})


def test_a_skipped_browser_test_fails_a_ci_run(tmp_path: Path) -> None:
    """End to end through the hooks: a test that skips for a missing Chromium fails under CI."""
    probe = ROOT / "tests" / f"test_zz_ci_probe_{os.getpid()}.py"
    probe.write_text(
        "import pytest\n\n"
        "def test_probe():\n"
        "    pytest.skip(\"Debian's chromium is not installed\")\n",
        encoding="utf-8",
    )
    try:
        def run(ci: str) -> int:
            env = {**os.environ, "CI": ci, "PYTHONPATH": str(ROOT)}
            return subprocess.run(
                [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(probe)],
                cwd=ROOT, env=env, capture_output=True, timeout=300, check=False,
            ).returncode

        assert run("true") == 1  # failed
        assert run("") == 0  # skipped
    finally:
        probe.unlink()


def test_the_makefile_fails_without_postgres_or_chromium_on_ci() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    postgres = makefile.split("test-postgres:", 1)[1].split("\n\n", 1)[0]
    chromium = makefile.split("\nchromium:", 1)[1].split("\n\n", 1)[0]
    for target in (postgres, chromium):
        assert '[ "$$CI" = true ]' in target and "exit 1" in target.split('"$$CI" = true', 1)[1]
