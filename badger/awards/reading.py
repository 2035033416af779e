"""What pages read about credentials: the public one at its id, its versions, the state
of a copy this server signed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badger import audit, urls
from badger.accounts.models import Participant
from badger.awards.models import (
    ISSUED,
    Achievement,
    AchievementTranslation,
    Claim,
    Credential,
    HolderWithdrawal,
    StatusList,
)
from badger.db import get_or_404
from badger.errors import UserError
from badger.grids.models import GroupSession
from badger.networks.models import Organisation

#: A copy of one of this server's badges withdrawn because its holder erased their data (the
#: credential's id answers 410 with it; the verify page says it too).
HOLDER_ERASED: Any = _l(
    "La personne qui a reçu ce badge a effacé ses données : cette copie a été retirée à sa "
    "demande. Ce n'est pas une décision de l'organisme."
)


def credential_for_staff(session: Session, credential_id: int) -> Credential:
    """One of the organisation's credentials, for staff pages (404 when not theirs)."""
    return get_or_404(session, Credential, credential_id)


def holder_withdrawn(session: Session, uuid: str) -> bool:
    """Was the credential ``uuid`` withdrawn because its holder erased their data?"""
    return session.execute(
        select(HolderWithdrawal.id).where(HolderWithdrawal.credential_uuid == uuid)
        .execution_options(unscoped=True)
    ).first() is not None


def own_credential(db: Session, participant: Participant, credential_id: int) -> Credential:
    """One of the participant's issued badges by id; 404 for anyone else's (or none)."""
    cred = db.execute(
        select(Credential).where(
            Credential.id == credential_id,
            Credential.participant_id == participant.id,
            Credential.state == ISSUED,
        )
    ).scalar_one_or_none()
    if cred is None:
        raise UserError(_l("Badge introuvable."), 404)
    return cred


def public_credential(session: Session, uuid: str) -> Credential | None:
    """The credential at its id URL: only when issued, public, not revoked, not suspended."""
    cred = session.execute(
        select(Credential).where(Credential.uuid == uuid).execution_options(unscoped=True)
    ).scalar_one_or_none()
    if (cred is None or not cred.public or cred.state != ISSUED or cred.revoked_at is not None
            or cred.suspended_at is not None):
        return None
    return cred


#: A credential is first signed in its award's own transaction (or its claim's redemption),
#: seconds at most after that moment; signed later than this, it was re-issued.
REISSUE_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True)
class CredentialVersion:
    """Which signed version of an issued credential the participant's files are now.

    Known from the row itself — ``issued_at`` (the current files' ``validFrom``) against the
    first signature (``awarded_at``, or the claim's redemption) — so no download needs to be
    recorded: the notice says "files downloaded before <date>", whoever downloaded what."""

    #: When the current files were signed (their ``validFrom``).
    since: datetime
    #: When the credential was first signed (the award, or the claim's redemption).
    first_signed: datetime
    #: The last re-issue put the credential on a new status bit (a lifted suspension): files
    #: signed before ``since`` no longer verify. False: they still verify until their own end
    #: date, but are not the current version (the "réémettre" action keeps the bit).
    earlier_invalid: bool = False

    @property
    def reissued(self) -> bool:
        return self.since - self.first_signed > REISSUE_MARGIN

    def to_json(self) -> dict[str, Any]:
        """For the participant's data export: which version its files are."""
        return {
            "current_version_signed_at": self.since.isoformat(),
            "first_signed_at": self.first_signed.isoformat(),
            "reissued": self.reissued,
            "earlier_files": (None if not self.reissued
                              else "invalid" if self.earlier_invalid else "outdated"),
        }


def credential_versions(session: Session, creds: Sequence[Credential]
                        ) -> dict[int, CredentialVersion]:
    """The current version of each issued credential in ``creds`` (by id); two queries at most,
    whatever their number. Whether the last re-issue changed the status bit is read from the
    audit trail (``award.unsuspend`` records the old and new index)."""
    issued = [c for c in creds if c.state == ISSUED and c.issued_at is not None]
    if not issued:
        return {}
    redeemed: dict[int, datetime | None] = dict(session.execute(
        select(Claim.credential_id, Claim.redeemed_at)
        .where(Claim.credential_id.in_([c.id for c in issued]), Claim.redeemed_at.is_not(None))
        .execution_options(unscoped=True)
    ).all())
    out: dict[int, CredentialVersion] = {}
    for c in issued:
        assert c.issued_at is not None
        first = redeemed.get(c.id) or c.awarded_at
        out[c.id] = CredentialVersion(since=c.issued_at, first_signed=min(first, c.issued_at))
    again = [c for c in issued if out[c.id].reissued]
    if again:
        events = session.execute(
            select(audit.AuditEvent.object_id, audit.AuditEvent.action, audit.AuditEvent.details)
            .where(audit.AuditEvent.organisation_id.in_({c.organisation_id for c in again}),
                   audit.AuditEvent.object_type == "Credential",
                   audit.AuditEvent.object_id.in_([str(c.id) for c in again]),
                   audit.AuditEvent.action.in_(("award.unsuspend", "award.reissue")))
            .order_by(audit.AuditEvent.at, audit.AuditEvent.id)
        ).all()
        last: dict[str, bool] = {}
        for object_id, action, details in events:
            details = details or {}
            if action == "award.reissue":
                last[object_id] = False
            elif details.get("status_index") not in (None, details.get("old_status_index")):
                last[object_id] = True  # signed again on a new bit
        for c in again:
            out[c.id] = CredentialVersion(since=out[c.id].since,
                                          first_signed=out[c.id].first_signed,
                                          earlier_invalid=last.get(str(c.id), False))
    return out


def copy_state(session: Session, document: Mapping[str, Any]) -> str | None:
    """What badger knows of a copy of its own credential that its status list marks as revoked.

    ``"suspended"``: the award is on hold (the bit is set until the suspension is lifted);
    ``"superseded"``: the credential was re-issued on a new status bit after this copy was
    signed (a lifted suspension), so this copy stays invalid but the badge is not withdrawn;
    ``"holder_erased"``: its holder erased their data, which withdrew it (a
    :class:`HolderWithdrawal` row), not a decision of the issuer.
    None: really withdrawn, or not one of ours. Lets a verify page say the right thing.
    """
    cid = document.get("id")
    prefix = f"{urls.base_url()}/credentials/"
    if not isinstance(cid, str) or not cid.startswith(prefix):
        return None
    cred = session.execute(
        select(Credential).where(Credential.uuid == cid.removeprefix(prefix))
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    if cred is None:
        return "holder_erased" if holder_withdrawn(session, cid.removeprefix(prefix)) else None
    if cred.revoked_at is not None or cred.state != ISSUED:
        return None
    if cred.suspended_at is not None:
        return "suspended"
    current = json.loads(cred.signed_json or "{}").get("credentialStatus")
    if current is not None and current != document.get("credentialStatus"):
        return "superseded"
    return None


# What the awards pages list (the views run no queries of their own).


@dataclass
class BadgeList:
    """The staff's badge page: badges, how many were awarded, recent sessions, languages."""

    achievements: list[Achievement]
    counts: dict[int, int]
    sessions: list[GroupSession]
    languages: dict[int, list[str]]


def badge_list(session: Session) -> BadgeList:
    rows = list(session.scalars(select(Achievement).order_by(Achievement.name)))
    counts: dict[int, int] = {row[0]: row[1] for row in session.execute(
        select(Credential.achievement_id, func.count()).group_by(Credential.achievement_id))}
    sessions = list(session.scalars(
        select(GroupSession).order_by(GroupSession.held_on.desc(), GroupSession.id.desc())
        .limit(10)))
    languages: dict[int, list[str]] = {a.id: [a.language] for a in rows}
    for t in session.scalars(select(AchievementTranslation)
                             .order_by(AchievementTranslation.language)):
        languages.setdefault(t.achievement_id, []).append(t.language)
    return BadgeList(rows, counts, sessions, languages)


def active_achievements(session: Session, preferred_competences: Iterable[int] = ()
                        ) -> list[Achievement]:
    """The organisation's active badges; those on ``preferred_competences`` when there are."""
    rows = list(session.scalars(
        select(Achievement).where(Achievement.active.is_(True)).order_by(Achievement.name)))
    ids = set(preferred_competences)
    return [a for a in rows if a.competence_id in ids] or rows


def awarded_pairs(session: Session, participant_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(participant, badge) pairs already awarded among these participants."""
    return {(c.participant_id, c.achievement_id) for c in session.scalars(
        select(Credential).where(Credential.participant_id.in_(list(participant_ids))))}


def recent_credentials(session: Session, limit: int = 500) -> list[Credential]:
    return list(session.scalars(
        select(Credential).order_by(Credential.awarded_at.desc()).limit(limit)))


def claim_of(session: Session, cred: Credential) -> Claim | None:
    return session.execute(
        select(Claim).where(Claim.credential_id == cred.id)).scalar_one_or_none()


def held_by(session: Session, participant_id: int) -> list[Credential]:
    """A participant's credentials, newest first."""
    return list(session.scalars(select(Credential)
                                .where(Credential.participant_id == participant_id)
                                .order_by(Credential.awarded_at.desc())))


def organisation_by_slug(session: Session, slug: str) -> Organisation | None:
    return session.execute(
        select(Organisation).where(Organisation.slug == slug)).scalar_one_or_none()


def all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.id)))


def public_achievements(session: Session, org: Organisation) -> list[Achievement]:
    """An issuer's active badges, for its public page (read across organisations)."""
    return list(session.scalars(
        select(Achievement).where(Achievement.organisation_id == org.id,
                                  Achievement.active.is_(True))
        .order_by(Achievement.name).execution_options(unscoped=True)))


def achievement_by_uuid(session: Session, uuid: str) -> Achievement | None:
    return session.execute(select(Achievement).where(Achievement.uuid == uuid)
                           .execution_options(unscoped=True)).scalar_one_or_none()


def status_list(session: Session, org: Organisation, purpose: str,
                number: int) -> StatusList | None:
    return session.execute(select(StatusList).where(
        StatusList.organisation_id == org.id, StatusList.purpose == purpose,
        StatusList.number == number).execution_options(unscoped=True)).scalar_one_or_none()


def participant_name(session: Session, participant_id: int) -> str:
    p = session.execute(select(Participant).where(Participant.id == participant_id)
                        .execution_options(unscoped=True)).scalar_one_or_none()
    return p.display_name if p else "?"
