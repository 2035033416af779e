"""Everything the public share page (and its printable annex) shows: only the share's chosen
items, each read across organisations for that share's participant only, each verified live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, load_only

from badger import urls
from badger import verification as vservice
from badger.awards.models import Achievement, Credential, StatusList
from badger.db import unscoped
from badger.grids.models import Journey, Round
from badger.networks.models import NetworkMembership, NetworkStatusList
from badger.portfolio.badge_view import (
    BadgeView,
    cached_view,
    credential_key,
    credential_view,
    imported_view,
    related_rows,
)
from badger.portfolio.charts import ChartView, chart_view
from badger.portfolio.models import (
    ITEM_CHART,
    ITEM_CREDENTIAL,
    ITEM_IMPORTED,
    ImportedCredential,
    Share,
)
from badger.resolver import app_resolver


@dataclass
class SharePage:
    share: Share
    badges: list[BadgeView]
    charts: list[ChartView]
    participant_name: str | None


def _seed_status_lists(
    db: Session, resolver: vservice.MemoResolver, creds: Iterable[Credential]
) -> None:
    """Give the resolver this server's status lists that ``creds`` depend on — their issuers'
    lists and the lists of the networks endorsing those issuers (embedded in each badge) — as
    their endpoints serve them, read in this session: two queries per page instead of a
    request in process (own connection, own queries) per list. Lists are signed when they
    change, so reading them writes nothing; their ETag (which changes exactly with the list)
    keys the cached reports, so a revocation or a withdrawal shows on the next view. A status
    URL that is not one of these (another base URL, a network the issuer has left) is still
    fetched."""
    creds = list(creds)
    list_ids = {c.revocation_list_id for c in creds if c.revocation_list_id is not None}
    if list_ids:
        lists = db.scalars(
            select(StatusList)
            .where(StatusList.id.in_(list_ids))
            .options(
                load_only(StatusList.purpose, StatusList.number, StatusList.signed_json,
                          StatusList.etag, StatusList.updated_at),
                joinedload(StatusList.organisation),
            )
            .execution_options(unscoped=True)
        )
        for lst in lists:
            text, etag = lst.signed_document()
            resolver.seed(urls.status_url(lst.organisation, lst.purpose, lst.number), text,
                          etag)
    org_ids = {c.achievement.organisation_id for c in creds}
    if org_ids:
        network_lists = db.scalars(
            select(NetworkStatusList)
            .join(NetworkMembership,
                  NetworkMembership.network_id == NetworkStatusList.network_id)
            .where(NetworkMembership.organisation_id.in_(org_ids))
            .options(
                load_only(NetworkStatusList.purpose, NetworkStatusList.number,
                          NetworkStatusList.signed_json, NetworkStatusList.etag,
                          NetworkStatusList.updated_at),
                joinedload(NetworkStatusList.network),
            )
            .execution_options(unscoped=True)
        ).unique()
        for nlst in network_lists:
            text, etag = nlst.signed_document()
            resolver.seed(urls.network_status_url(nlst.network, nlst.purpose, nlst.number), text,
                          etag)


#: What :func:`credential_view` reads of a credential and its achievement, nothing else (the
#: signed documents, baked images and the evidence are large).
_CREDENTIAL_COLUMNS = (
    load_only(
        Credential.uuid,
        Credential.achievement_id,
        Credential.participant_id,
        Credential.level,
        Credential.issued_at,
        Credential.valid_until,
        Credential.revocation_list_id,
        Credential.signed_json,
        Credential.language,
        Credential.revoked_at,
        Credential.suspended_at,
    ),
    joinedload(Credential.achievement).load_only(
        Achievement.name,
        Achievement.language,
        Achievement.organisation_id,
        Achievement.referentiel_version_id,
        Achievement.competence_id,
        Achievement.updated_at,
    ),
)


def _shared_credentials(db: Session, share: Share) -> dict[int, Credential]:
    """The share's credentials that are still its participant's, by id (one query)."""
    cred_ids = [i.credential_id for i in share.items if i.credential_id is not None]
    if not cred_ids:
        return {}
    return {
        c.id: c
        for c in db.scalars(
            select(Credential)
            .where(Credential.id.in_(cred_ids), Credential.participant_id == share.participant_id)
            .options(*_CREDENTIAL_COLUMNS)
            .execution_options(unscoped=True)
        )
    }


def _shared_imports(db: Session, share: Share) -> dict[int, ImportedCredential]:
    """The share's imported badges that are still its participant's, by id (one query)."""
    imported_ids = [
        i.imported_id for i in share.items if i.kind == ITEM_IMPORTED and i.imported_id is not None
    ]
    if not imported_ids:
        return {}
    return {
        imp.id: imp
        for imp in db.scalars(
            select(ImportedCredential)
            .where(
                ImportedCredential.id.in_(imported_ids),
                ImportedCredential.participant_id == share.participant_id,
            )
            .execution_options(unscoped=True)
        )
    }


def _shared_round(db: Session, share: Share, round_id: int) -> Round | None:
    """The round when it is the share's participant's and still shown in their portfolio."""
    rnd = db.execute(
        select(Round)
        .join(Journey, Round.journey_id == Journey.id)
        .where(Round.id == round_id, Journey.participant_id == share.participant_id)
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    return rnd if rnd is not None and rnd.chart_in_portfolio else None


def share_page(
    db: Session,
    share: Share,
    lang: str,
    imported_cache: vservice.ReportCache,
    app: Flask | None = None,
) -> SharePage:
    """Everything the public page shows: only the share's items, each verified live.
    ``imported_cache``: the app's reports of imported badges (:func:`imported_reports`)."""
    resolver = vservice.MemoResolver(app_resolver(app))
    badges: list[BadgeView] = []
    charts: list[ChartView] = []
    with unscoped(db):
        creds = _shared_credentials(db, share)
        _seed_status_lists(db, resolver, creds.values())
        keyed = {cid: credential_key(cred, resolver, lang) for cid, cred in creds.items()}
        # views to build (first view, or something changed): their référentiel rows at once
        # (db.get per badge would query each time: the identity map holds them weakly)
        to_build = [creds[cid] for cid, (_, key) in keyed.items() if cached_view(key) is None]
        related = related_rows(db, to_build) if to_build else None
        imports = _shared_imports(db, share)
        for item in share.items:
            if item.kind == ITEM_CREDENTIAL and item.credential_id in creds:
                cid = item.credential_id
                badges.append(
                    credential_view(
                        db, creds[cid], resolver, lang, keyed=keyed[cid], related=related
                    )
                )
            elif item.kind == ITEM_IMPORTED and item.imported_id is not None:
                imp = imports.get(item.imported_id)
                # never a badge not shown to be the holder's, whatever the share row says
                if imp is not None and imp.bound:
                    badges.append(imported_view(imp, resolver, imported_cache))
            elif item.kind == ITEM_CHART and item.round_id is not None:
                rnd = _shared_round(db, share, item.round_id)
                if rnd is not None:
                    charts.append(chart_view(db, rnd, lang, f"share{item.id}"))
    name = share.participant.display_name if share.show_name else None
    return SharePage(share, badges, charts, name)
