"""Cross-organisation cases for tests/test_isolation.py: an org-A admin gets 404 on another
organisation's employers and on the meeting guide of its participants' applications.

Employer pages answer 403 to anyone without a live employer role, and an employer gets 404
for any offer or application not theirs (tests/jobs/test_applications.py); participant pages
answer 403 to staff and 404 to another participant's ids."""

from __future__ import annotations

from typing import Any

from badger import jobs
from tests.awards import _factory as awards_factory
from tests.jobs import _helpers as h


def _employer(make: Any, b: Any) -> Any:
    return h.employer(make.db, b, email=f"rh-{b.slug}@example.org")


def _application(make: Any, b: Any) -> Any:
    db = make.db
    admin = make.staff(b, "admin")
    person = make.participant(b, "Other")
    version = awards_factory.adopted_version(db, b, admin)
    cred = h.badge(db, b, admin, person, version, 0)
    offer = h.offer(db, _employer(make, b), version, [(0, 3)])
    jobs.set_preference(db, person, receive=True, digest=False)
    application = jobs.apply(db, person, offer.id, credential_ids=[cred.id])
    db.commit()
    return application


CASES: dict[str, Any] = {
    "jobs.employer_revoke": lambda make, b: (
        "POST", f"/jobs/employers/{_employer(make, b).id}/revoke"),
    "jobs.meeting_page": lambda make, b: (
        "GET", f"/jobs/applications/{_application(make, b).id}/meeting"),
    "jobs.meeting_pdf": lambda make, b: (
        "GET", f"/jobs/applications/{_application(make, b).id}/meeting.pdf"),
}

_EMPLOYER = "employer-only (403 to staff); another employer's ids answer 404, see tests/jobs"
_OWN = "participant-only (staff get 403); others' ids answer 404, see tests/jobs"

EXEMPT: dict[str, str] = {
    "jobs.employer_offer": _EMPLOYER,
    "jobs.employer_application": _EMPLOYER,
    "jobs.apply": _OWN,
    "jobs.withdraw": _OWN,
}
