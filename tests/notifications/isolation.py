"""Cross-organisation cases for tests/test_isolation.py (see its docstring).

"My messages" belongs to the logged-in participant (no id in its URL). The stop link carries
an unguessable token, not an id: it needs no login by design (tests/notifications).
"""

from __future__ import annotations

from typing import Any

CASES: dict[str, Any] = {}

EXEMPT: dict[str, str] = {
    "notifications.stop_link": "a random token sent in one message, no login by design; an "
    "unknown token answers 404, see tests/notifications/test_notifications.py",
}
