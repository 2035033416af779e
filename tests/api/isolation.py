"""Cross-organisation cases for tests/test_isolation.py.

No api route carries an id in its URL: the OAuth and resource endpoints take secrets (client
credentials, codes, bearer tokens) that each resolve to exactly one participant, and
"disconnect" takes the client id in the form and only ever touches the logged-in participant's
own tokens (tests/api/test_oauth.py::test_disconnect_only_touches_own_tokens).
"""

from __future__ import annotations

from typing import Any

CASES: dict[str, Any] = {}
EXEMPT: dict[str, str] = {}
