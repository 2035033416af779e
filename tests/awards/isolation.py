"""Cross-organisation cases for tests/test_isolation.py (see its docstring)."""

from __future__ import annotations

from typing import Any

from badger import awards
from tests.awards import _factory


def _achievement(make: Any, org_b: Any) -> Any:
    admin_b = make.staff(org_b, "admin")
    version = _factory.adopted_version(make.db, org_b, admin_b)
    return _factory.achievement(make.db, org_b, admin_b, version)


def _credential(make: Any, org_b: Any) -> Any:
    ach = _achievement(make, org_b)
    person = make.participant(org_b, "Other", email="other@example.org")
    result = awards.award_many(make.db, org_b, ach,
                                [awards.AwardRequest(participant_id=person.id, level=4)])[0]
    make.db.commit()
    return result.credential


def _session(make: Any, org_b: Any) -> Any:
    coach_b = make.staff(org_b, "assessor")
    version = _factory.adopted_version(make.db, org_b, coach_b)
    return _factory.group_session(make.db, org_b, coach_b, version,
                                  [make.participant(org_b, "Other")])


def _job(make: Any, org_b: Any) -> Any:
    from badger.awards.models import AwardJob

    ach = _achievement(make, org_b)
    job = AwardJob(organisation_id=org_b.id, achievement_id=ach.id, total=0, done=0,
                   status="finished", results=[])
    make.db.add(job)
    make.db.commit()
    return job


CASES = {
    "awards.job": lambda make, org_b: ("GET", f"/admin/awards/jobs/{_job(make, org_b).id}"),
    "awards.job_resume": lambda make, org_b: (
        "POST", f"/admin/awards/jobs/{_job(make, org_b).id}/resume"),
    "awards.achievement_edit": lambda make, org_b: (
        "GET", f"/admin/badges/{_achievement(make, org_b).id}/edit"),
    "awards.achievement_preview": lambda make, org_b: (
        "GET", f"/admin/badges/{_achievement(make, org_b).id}/preview.png"),
    "awards.csv_award": lambda make, org_b: (
        "GET", f"/admin/badges/{_achievement(make, org_b).id}/csv"),
    "awards.bulk_award": lambda make, org_b: (
        "GET", f"/admin/sessions/{_session(make, org_b).id}/award"),
    "awards.credential_detail": lambda make, org_b: (
        "GET", f"/admin/credentials/{_credential(make, org_b).id}"),
    "awards.credential_file": lambda make, org_b: (
        "GET", f"/admin/credentials/{_credential(make, org_b).id}/file.json"),
    "awards.revoke": lambda make, org_b: (
        "POST", f"/admin/credentials/{_credential(make, org_b).id}/revoke"),
    "awards.suspend": lambda make, org_b: (
        "POST", f"/admin/credentials/{_credential(make, org_b).id}/suspend"),
    "awards.unsuspend": lambda make, org_b: (
        "POST", f"/admin/credentials/{_credential(make, org_b).id}/unsuspend"),
    "awards.reissue": lambda make, org_b: (
        "POST", f"/admin/credentials/{_credential(make, org_b).id}/reissue"),
    "awards.claim_code": lambda make, org_b: (
        "POST", f"/admin/credentials/{_credential(make, org_b).id}/claim"),
}

#: Routes that take an id but are public or self-scoped by design: endpoint -> reason.
EXEMPT: dict[str, str] = {
    "awards.my_file": "participant-only and checked against the logged-in participant",
    "awards.redeem": "the claim code is the credential",
    "issuer.issuer": "public issuer profile (no login, by design)",
    "issuer.did_document": "public DID document",
    "issuer.issuer_jwks": "public keys",
    "issuer.issuer_key": "public key",
    "issuer.issuer_multikey": "public key (Multikey document)",
    "issuer.achievement": "public achievement (OB 3.0 Achievement id)",
    "issuer.achievement_image": "public badge image",
    "issuer.status_list": "public status list (verifiers fetch it)",
    "issuer.credential": "public only when the participant made it public; 404 otherwise",
    "issuer.evidence_image": "public by the participant's choice; its unguessable token is the "
                             "only key (no id in the URL)",
}
