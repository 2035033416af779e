"""What the awards domain lets ``badger purge`` delete (finished background jobs), and what a
participant's erasure does to their credentials (hooks found by :mod:`badger.maintenance`
through ``badger.DOMAINS``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from badger.accounts.models import Participant
from badger.awards import evidence
from badger.awards.models import ISSUED, AwardJob, Credential
from badger.awards.service import withdraw_for_holder
from badger.maintenance import Purge, Retention


def purges(now: datetime, retention: Retention) -> list[Purge]:
    """Jobs finished (or failed) more than ``after`` ago (``BADGER_RETENTION_JOBS_DAYS``), and
    jobs still "running" that started that long ago (interrupted: a batch lasts minutes). Their
    rows hold names and per-row outcomes for the progress page only; the credentials are rows
    of their own."""
    after = retention.jobs
    cutoff = now - after
    return [
        Purge(
            "awards.jobs",
            AwardJob,
            or_(
                AwardJob.finished_at < cutoff,
                and_(AwardJob.finished_at.is_(None), AwardJob.created_at < cutoff),
            ),
        )
    ]


def erase_participant(session: Session, participant: Participant) -> Mapping[str, int]:
    """Withdraw the participant's issued credentials that are not revoked yet — revoked (their
    status bit stays set, so copies already handed out verify as revoked) and recorded as
    withdrawn at the holder's request (:func:`withdraw_for_holder`), so badger's pages do not
    say the issuer withdrew them — then delete the charts attached to their badges (they
    answer 404 from now on, not only the credential's 410). ``revoked_credentials``: how many
    were withdrawn now."""
    revoked = 0
    creds = session.scalars(
        select(Credential)
        .where(Credential.participant_id == participant.id, Credential.state == ISSUED)
        .order_by(Credential.issued_at.desc(), Credential.id.desc())
    ).all()
    for cred in creds:
        if cred.revoked_at is None:
            withdraw_for_holder(session, cred)
            revoked += 1
    session.flush()
    evidence.erase_participant(session, participant.id)
    return {"revoked_credentials": revoked}
