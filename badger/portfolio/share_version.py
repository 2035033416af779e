"""The content version of a public share page: what it shows changes exactly when this does.

A share page of issued badges shows, for its participant only, each chosen credential verified
live. What can change it is read here in two indexed queries (no signed document is
loaded, nothing is verified): the share's own row (label, name shown, revocation, link), each
credential's row (level, revocation, suspension, whether it has expired by now) and its
achievement's, the status lists the credentials and their issuers' network endorsements depend
on (their ETags change with every flipped bit), the participant's shown name, the page's
language and the trusted registries. The view keys its ETag and its rendered-page cache on the
digest of all of it, so a revocation or a status flip shows on the very next request.

Not covered (the version is None and the page is rendered every time, as before): shares that
hold grid charts or imported badges, whose content depends on rows or remote documents this
digest does not read.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, select, type_coerce
from sqlalchemy.orm import Session

from badger.accounts.models import Participant
from badger.awards.models import Achievement, Credential, StatusList
from badger.networks.models import NetworkMembership, NetworkStatusList
from badger.portfolio.models import ITEM_CREDENTIAL, Share, ShareItem


def _raw(column: Any) -> Any:
    """A timestamp as the driver gives it: only compared, so not converted (the conversion of
    50 rows' timestamps was most of this module's time)."""
    return type_coerce(column, String).label(f"{column.table.name}_{column.key}")


def share_version(db: Session, share: Share, lang: str, now: datetime, trust: str) -> str | None:
    """A digest of everything the page of ``share`` shows in ``lang`` at ``now``; None when the
    share holds items whose content it does not cover (charts, imported badges)."""
    # the items and what each shows, in one query (a credential no longer the participant's
    # reads as NULLs, as the page leaves it out)
    rows = db.execute(
        select(ShareItem.kind, ShareItem.credential_id, Credential.id, Credential.level,
               _raw(Credential.revoked_at), _raw(Credential.suspended_at),
               (Credential.valid_until <= now).label("expired"), _raw(Credential.updated_at),
               Credential.revocation_list_id, _raw(Achievement.updated_at),
               Achievement.organisation_id, StatusList.etag, _raw(StatusList.updated_at))
        .outerjoin(Credential, and_(Credential.id == ShareItem.credential_id,
                                    Credential.participant_id == share.participant_id))
        .outerjoin(Achievement, Achievement.id == Credential.achievement_id)
        .outerjoin(StatusList, StatusList.id == Credential.revocation_list_id)
        .where(ShareItem.share_id == share.id)
        .order_by(ShareItem.position, ShareItem.id)
        .execution_options(unscoped=True)
    ).all()
    if any(row[0] != ITEM_CREDENTIAL or row[1] is None for row in rows):
        return None
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        digest.update(("\x1f".join(map(str, parts)) + "\x1e").encode())

    add("v2", lang, trust, share.id, share.token_hash, share.updated_at, share.revoked_at,
        share.expires_at <= now, share.show_name, share.label)
    if share.show_name:
        name = db.execute(
            select(Participant.display_name, Participant.updated_at)
            .where(Participant.id == share.participant_id)
            .execution_options(unscoped=True)
        ).one_or_none()
        add("name", name)
    orgs: set[int] = set()
    for row in rows:
        add(*row)
        if row[10] is not None:
            orgs.add(row[10])
    if orgs:
        lists = db.execute(
            select(NetworkMembership.organisation_id, NetworkStatusList.id, NetworkStatusList.etag,
                   _raw(NetworkStatusList.updated_at))
            .join(NetworkStatusList,
                  NetworkStatusList.network_id == NetworkMembership.network_id)
            .where(NetworkMembership.organisation_id.in_(orgs))
            .order_by(NetworkMembership.organisation_id, NetworkStatusList.id)
            .execution_options(unscoped=True)
        ).all()
        for nrow in lists:
            add("n", *nrow)
    return digest.hexdigest()[:32]
