"""The participant's own portfolio as views show it: their badges, charts, imports, shares and
how often each share was opened. Queries only (views never ``select``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from badger.accounts.models import Participant
from badger.awards.models import ISSUED, Credential
from badger.errors import UserError
from badger.grids.models import Journey, Round
from badger.portfolio.models import (
    ImportedCredential,
    Share,
    ShareView,
)


def my_credentials(db: Session, participant: Participant) -> list[Credential]:
    """The participant's issued credentials (revoked ones too: they must see them)."""
    return list(
        db.scalars(
            select(Credential)
            .where(Credential.participant_id == participant.id, Credential.state == ISSUED)
            .options(selectinload(Credential.achievement))
            .order_by(Credential.issued_at.desc(), Credential.id.desc())
        )
    )


def each_credential(db: Session, participant: Participant) -> Iterator[Credential]:
    """:func:`my_credentials` one at a time, each let go once the next is read (a zip of
    hundreds of badges never holds all their documents and images)."""
    ids = list(db.scalars(
        select(Credential.id)
        .where(Credential.participant_id == participant.id, Credential.state == ISSUED)
        .order_by(Credential.issued_at.desc(), Credential.id.desc())
    ))
    for cred_id in ids:
        cred = db.get(Credential, cred_id)
        if cred is not None and cred.participant_id == participant.id:
            yield cred
            db.expunge(cred)


def my_rounds(
    db: Session, participant: Participant, *, shareable_only: bool = False
) -> list[Round]:
    stmt = (
        select(Round)
        .join(Journey, Round.journey_id == Journey.id)
        .where(Journey.participant_id == participant.id)
        .order_by(Round.position)
    )
    if shareable_only:
        stmt = stmt.where(Round.chart_in_portfolio.is_(True))
    return list(db.scalars(stmt))


def my_imports(db: Session, participant: Participant) -> list[ImportedCredential]:
    return list(
        db.scalars(
            select(ImportedCredential)
            .where(ImportedCredential.participant_id == participant.id)
            .order_by(ImportedCredential.id.desc())
        )
    )


def my_shares(db: Session, participant: Participant) -> list[Share]:
    return list(
        db.scalars(
            select(Share)
            .where(Share.participant_id == participant.id)
            .options(selectinload(Share.items))
            .order_by(Share.id.desc())
        )
    )


def own_share(db: Session, participant: Participant, share_id: int) -> Share:
    share = db.execute(
        select(Share).where(Share.id == share_id, Share.participant_id == participant.id)
    ).scalar_one_or_none()
    if share is None:
        raise UserError(_l("Partage introuvable."), 404)
    return share


def own_import(db: Session, participant: Participant, import_id: int) -> ImportedCredential:
    imp = db.execute(
        select(ImportedCredential).where(
            ImportedCredential.id == import_id,
            ImportedCredential.participant_id == participant.id,
        )
    ).scalar_one_or_none()
    if imp is None:
        raise UserError(_l("Badge importé introuvable."), 404)
    return imp


@dataclass
class ViewStats:
    count: int = 0
    last: datetime | None = None
    dates: list[datetime] = field(default_factory=list)


def view_stats(db: Session, share_ids: Sequence[int], *, dates: int = 0) -> dict[int, ViewStats]:
    out = {sid: ViewStats() for sid in share_ids}
    if not share_ids:
        return out
    rows = db.execute(
        select(ShareView.share_id, func.count(), func.max(ShareView.viewed_at))
        .where(ShareView.share_id.in_(share_ids))
        .group_by(ShareView.share_id)
    )
    for sid, count, last in rows:
        last_dt = last
        if isinstance(last_dt, datetime) and last_dt.tzinfo is None:
            last_dt = last_dt.replace(tzinfo=UTC)
        out[sid] = ViewStats(int(count), last_dt)
    if dates:
        for sid in share_ids:
            out[sid].dates = list(
                db.scalars(
                    select(ShareView.viewed_at)
                    .where(ShareView.share_id == sid)
                    .order_by(ShareView.viewed_at.desc())
                    .limit(dates)
                )
            )
    return out
