"""Cross-organisation cases for tests/test_isolation.py (see its docstring).

Portfolio routes with ids belong to one participant: staff get 403 before any lookup, and a
participant gets 404 for anything not theirs (any organisation) — tested in
tests/portfolio/test_shares.py and test_portfolio.py. Public share pages are reached by token.
"""

from __future__ import annotations

from typing import Any

CASES: dict[str, Any] = {}

_OWN = "participant-only (staff get 403); others' ids answer 404, see tests/portfolio"

EXEMPT: dict[str, str] = {
    "portfolio.download": _OWN,
    "portfolio.set_public": _OWN,
    "portfolio.import_download": _OWN,
    "portfolio.import_delete": _OWN,
    "portfolio.import_bind": _OWN,
    "portfolio.share_detail": _OWN,
    "portfolio.share_revoke": _OWN,
    "portfolio.share_new_link": _OWN,
    "portfolio.public_share": "public by design: the unguessable token is the consent",
    "portfolio.public_annex": "public by design: the unguessable token is the consent",
}
