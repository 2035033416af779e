"""Cross-organisation cases for tests/test_isolation.py (see its docstring).

The identity routes belong to one participant: staff get 403 before any lookup, and another
participant gets 404 (tests/holders/test_holders.py::test_identity_routes_are_participants_own).
"""

from __future__ import annotations

from typing import Any

CASES: dict[str, Any] = {}

EXEMPT: dict[str, str] = {
    "holders.remove": "participant-only (staff get 403); others' ids answer 404, see tests/holders",
}
