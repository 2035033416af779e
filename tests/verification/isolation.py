"""Cross-organisation cases for tests/test_isolation.py: verification routes carry no ids."""

from __future__ import annotations

from typing import Any

CASES: dict[str, Any] = {}
EXEMPT: dict[str, str] = {}
