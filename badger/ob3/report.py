"""The verification report: one :class:`Check` per step and the :class:`VerificationReport`
that gathers them (what :func:`badger.ob3.verify.verify_credential` returns).

Why a module of its own: the steps of a verification (:mod:`.checks`, :mod:`.verify_status`,
:mod:`.verify`) all record into a report, and callers (registries, the web layer) read one
without needing the verifier.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .dataintegrity import issuer_id

CheckState = Literal["passed", "failed", "warning", "unknown"]

#: The kinds a report can be about (``VerificationReport.kind``).
OPEN_BADGE = "OpenBadgeCredential"
ENDORSEMENT = "EndorsementCredential"
#: Any W3C Verifiable Credential (VC-API ``/credentials/verify``): the data-model checks of
#: VCDM 2.0 / 1.1 instead of the Open Badges ones. List it last: a badge is a VC too.
VERIFIABLE_CREDENTIAL = "VerifiableCredential"
KIND_TYPES: dict[str, frozenset[str]] = {
    OPEN_BADGE: frozenset({"OpenBadgeCredential", "AchievementCredential"}),
    ENDORSEMENT: frozenset({"EndorsementCredential"}),
    VERIFIABLE_CREDENTIAL: frozenset({"VerifiableCredential"}),
}



@dataclass(frozen=True, slots=True)
class Check:
    """One verification step: ``name`` is the step, ``code`` the precise outcome."""

    name: str
    state: CheckState
    message: str
    code: str

    def to_dict(self) -> dict[str, str]:
        """JSON-serialisable form."""
        return {"name": self.name, "state": self.state, "code": self.code, "message": self.message}


@dataclass(slots=True)
class VerificationReport:
    """Everything a caller needs to display and explain the result."""

    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    format: str | None = None  # 'ldp_vc' or 'jwt'
    vc_version: str | None = None  # '2.0' or '1.1'
    kind: str = "OpenBadgeCredential"
    proof_types: list[str] = field(default_factory=list)
    endorsements: list[VerificationReport] = field(default_factory=list)

    def add(self, name: str, state: CheckState, message: str, code: str) -> None:
        """Record a check."""
        self.checks.append(Check(name, state, message, code))

    def check(self, name: str) -> Check | None:
        """The check called ``name``, if it ran."""
        return next((c for c in self.checks if c.name == name), None)

    @property
    def state(self) -> str:
        """'failed' if any check failed, 'unknown' if proof (or another proof of its set), key
        provenance or status is undetermined, else 'verified'."""
        if any(c.state == "failed" for c in self.checks):
            return "failed"
        proof = self.check("proof")
        if proof is None or proof.state != "passed":
            return "unknown"
        undetermined = {"status", "proof", "issuer_binding", "proof_set"}
        if any(c.state == "unknown" and c.name in undetermined for c in self.checks):
            return "unknown"
        return "verified"

    @property
    def verified(self) -> bool:
        """True only if no check failed, a proof passed, its key is the issuer's and the status
        is known."""
        return self.state == "verified"

    @property
    def issuer_id(self) -> str | None:
        """Issuer id of the extracted credential."""
        return issuer_id(self.credential) if self.credential else None

    @property
    def issuer_name(self) -> str | None:
        """Issuer display name, if the issuer is a Profile object."""
        issuer = (self.credential or {}).get("issuer")
        if isinstance(issuer, Mapping) and isinstance(issuer.get("name"), str):
            return str(issuer["name"])
        return None

    @property
    def achievement_name(self) -> str | None:
        """Name of the achievement (or the credential name for endorsements)."""
        subject = (self.credential or {}).get("credentialSubject")
        if isinstance(subject, list) and subject:
            subject = subject[0]
        if isinstance(subject, Mapping):
            ach = subject.get("achievement")
            if isinstance(ach, Mapping) and isinstance(ach.get("name"), str):
                return str(ach["name"])
        name = (self.credential or {}).get("name")
        return name if isinstance(name, str) else None

    @property
    def endorsed_id(self) -> str | None:
        """What an EndorsementCredential vouches for (its subject's id); None otherwise."""
        if self.kind != ENDORSEMENT:
            return None
        subject = first_subject(self.credential)
        value = subject.get("id") if subject is not None else None
        return value if isinstance(value, str) else None

    @property
    def endorsement_comment(self) -> str | None:
        """The endorser's words (``endorsementComment``) of an EndorsementCredential."""
        if self.kind != ENDORSEMENT:
            return None
        subject = first_subject(self.credential)
        value = subject.get("endorsementComment") if subject is not None else None
        return value if isinstance(value, str) else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable report (includes the extracted credential)."""
        out = self._to_dict()
        if self.kind == ENDORSEMENT:
            out["endorsedId"] = self.endorsed_id
            out["endorsementComment"] = self.endorsement_comment
        return out

    def _to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "state": self.state,
            "kind": self.kind,
            "format": self.format,
            "vcVersion": self.vc_version,
            "issuerId": self.issuer_id,
            "issuerName": self.issuer_name,
            "achievementName": self.achievement_name,
            "proofTypes": list(self.proof_types),
            "checks": [c.to_dict() for c in self.checks],
            "endorsements": [e.to_dict() for e in self.endorsements],
            "credential": self.credential,
        }


def first_subject(credential: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    subject = (credential or {}).get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    return subject if isinstance(subject, Mapping) else None



def endorsement_withdrawn(report: VerificationReport) -> bool:
    """A genuine endorsement (proof and key provenance passed) whose only failed check is its
    status (revoked or suspended by its endorser)."""
    failed = [c for c in report.checks if c.state == "failed"]
    return (
        bool(failed)
        and all(c.name == "status" and c.code in {"revoked", "suspended"} for c in failed)
        and all(
            (c := report.check(name)) is not None and c.state == "passed"
            for name in ("proof", "issuer_binding")
        )
    )

