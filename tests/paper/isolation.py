"""Cross-organisation cases for tests/test_isolation.py: an org-A admin gets 404 on the paper
kit of organisation B (its session sheet, its participants' booklets)."""

from __future__ import annotations

from typing import Any

from tests.grids.isolation import _session

CASES: dict[str, Any] = {
    "paper.session_sheet": lambda make, b: ("GET", f"/sessions/{_session(make, b).id}/sheet.pdf"),
    "paper.staff_booklet": lambda make, b: (
        "GET",
        f"/participants/{make.participant(b, 'Other').id}/booklet.pdf",
    ),
}

EXEMPT: dict[str, str] = {
    "paper.public_annex": "public by design: the unguessable share token is the consent "
    "(expired/revoked links answer 410, tests/paper/test_paper_pdf.py)",
}
