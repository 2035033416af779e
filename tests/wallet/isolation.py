"""Cross-organisation cases for tests/test_isolation.py (see its docstring).

The offer page belongs to one participant: staff get 403 before any lookup, and another
participant gets 404 (tests/wallet/test_oid4vci.py::test_offer_page_and_who_may_ask). The
claim page's offer takes no id: its claim code names the one badge, and only in the browser that
redeemed it (tests/wallet/test_claim_wallet.py).
"""

from __future__ import annotations

from typing import Any

CASES: dict[str, Any] = {}

EXEMPT: dict[str, str] = {
    "wallet.offer": "participant-only (staff get 403); others' badges answer 404, see tests/wallet",
    "wallet.claim_offer": "the claim code is the credential, honoured only in the browser that "
                          "redeemed it and for an hour; see tests/wallet/test_claim_wallet.py",
}
