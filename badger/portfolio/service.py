"""Portfolio rules: shares as consent, the employer view, imports, export and erasure.

Functions take a session and plain values, ``flush()`` and never ``commit()``. Everything a
share shows goes through :func:`share_page`, which reads only the share's chosen items.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import secrets
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, joinedload, load_only, selectinload

from badger import audit, urls
from badger import verification as vservice
from badger.accounts.models import LoginCode, Participant
from badger.awards.models import ISSUED, Achievement, Credential, StatusList
from badger.db import unscoped, utcnow
from badger.errors import UserError
from badger.grids.models import Journey, Round
from badger.maintenance import Purge
from badger.ob3 import VerificationReport, verify_credential
from badger.portfolio.models import (
    ITEM_CHART,
    ITEM_CREDENTIAL,
    ITEM_IMPORTED,
    ImportedCredential,
    Share,
    ShareItem,
    ShareView,
)
from badger.resolver import app_resolver
from badger.security import constant_time_equals, new_url_token, url_token_hash, url_token_hashes
from badger.verification import messages

MAX_SHARE_DAYS = 366
MAX_LABEL = 120
MAX_IMPORTS = 200
#: Shared verification results (see :class:`badger.verification.service.ReportCache`).
REPORTS = vservice.ReportCache(ttl=120.0)


def imported_reports(app: Flask | None = None) -> vservice.ReportCache:
    """The app's cache of imported badges' reports: kept ``BADGER_IMPORTED_VERIFY_TTL`` seconds,
    during which a share page fetches nothing for them (their issuers are elsewhere)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cache = app.extensions.get("badger.imported_reports")
    if cache is None:
        ttl = float(app.config.get("BADGER_IMPORTED_VERIFY_TTL", 300))
        cache = app.extensions.setdefault(
            "badger.imported_reports", vservice.ReportCache(ttl=ttl)
        )
    return cache


# --------------------------------------------------------------------------- reading own data


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


def own_credential(db: Session, participant: Participant, credential_id: int) -> Credential:
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


def set_public(db: Session, cred: Credential, public: bool, *, actor: Any = None) -> None:
    """The participant decides whether the credential answers at its web address."""
    if public and (cred.revoked_at is not None or cred.suspended_at is not None):
        raise UserError(_l("Un badge retiré ou suspendu ne peut pas être rendu public."), 409)
    cred.public = public
    audit.record(
        db,
        "portfolio.credential_public" if public else "portfolio.credential_private",
        actor=actor,
        organisation_id=cred.organisation_id,
        obj=cred,
    )
    db.flush()


def credential_file(cred: Credential, fmt: str) -> tuple[bytes, str, str]:
    """(body, mimetype, filename) of one download format."""
    stem = _slug(cred.achievement.name) or "badge"
    if fmt == "json" and cred.signed_json:
        return cred.signed_json.encode(), "application/ld+json", f"{stem}.json"
    if fmt == "jwt" and cred.signed_jwt:
        return cred.signed_jwt.encode(), "application/jwt", f"{stem}.jwt"
    if fmt == "png" and cred.baked_png:
        return bytes(cred.baked_png), "image/png", f"{stem}.png"
    if fmt == "svg" and cred.baked_svg:
        return bytes(cred.baked_svg), "image/svg+xml", f"{stem}.svg"
    raise UserError(_l("Ce format n'est pas disponible pour ce badge."), 404)


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


def credentials_zip(creds: Sequence[Credential]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        used: set[str] = set()
        for cred in creds:
            for fmt in ("json", "jwt", "png", "svg"):
                try:
                    body, _mime, name = credential_file(cred, fmt)
                except UserError:
                    continue
                stem, _, ext = name.rpartition(".")
                candidate = f"{stem}-{cred.id}.{ext}"
                if candidate in used:
                    continue
                used.add(candidate)
                zf.writestr(candidate, body)
    return out.getvalue()


def linkedin_url(db: Session, cred: Credential) -> str:
    """LinkedIn's documented "add a certification" link (a plain link: no LinkedIn assets),
    naming the badge as its credential is written."""
    from badger.awards import service as awards

    issued = cred.issued_at or cred.awarded_at
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": awards.credential_texts(db, cred).name,
        "organizationName": cred.achievement.organisation.name,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": urls.credential_url(cred.uuid),
        "certId": cred.uuid,
    }
    if cred.valid_until is not None:
        params["expirationYear"] = str(cred.valid_until.year)
        params["expirationMonth"] = str(cred.valid_until.month)
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


# --------------------------------------------------------------------------- shares


@dataclass
class NewShare:
    share: Share
    token: str


def _check_items(
    db: Session,
    participant: Participant,
    credential_ids: Iterable[int],
    round_ids: Iterable[int],
    imported_ids: Iterable[int],
) -> list[ShareItem]:
    items: list[ShareItem] = []
    creds = {c.id for c in my_credentials(db, participant)}
    rounds = {r.id for r in my_rounds(db, participant, shareable_only=True)}
    # an imported badge only when it was shown to be the participant's (badger.holders)
    imports = {i.id for i in my_imports(db, participant) if i.bound}
    position = 0
    for kind, wanted, allowed, attr in (
        (ITEM_CREDENTIAL, credential_ids, creds, "credential_id"),
        (ITEM_CHART, round_ids, rounds, "round_id"),
        (ITEM_IMPORTED, imported_ids, imports, "imported_id"),
    ):
        for ident in dict.fromkeys(wanted):
            if ident not in allowed:
                raise UserError(_l("Cet élément ne fait pas partie de votre portfolio."), 404)
            items.append(ShareItem(kind=kind, position=position, **{attr: ident}))
            position += 1
    if not items:
        raise UserError(_l("Choisissez au moins un badge ou un graphique à partager."), 422)
    return items


def create_share(
    db: Session,
    participant: Participant,
    *,
    label: str,
    days: int,
    credential_ids: Iterable[int] = (),
    round_ids: Iterable[int] = (),
    imported_ids: Iterable[int] = (),
    show_name: bool = False,
) -> NewShare:
    """A new share link; the token is returned once and only its keyed hash is kept."""
    label = " ".join(label.split())[:MAX_LABEL]
    if not label:
        raise UserError(_l("Donnez un nom au partage, par exemple « entretien boulangerie »."), 422)
    if not 1 <= days <= MAX_SHARE_DAYS:
        raise UserError(_l("La durée doit être entre 1 et %(n)d jours.", n=MAX_SHARE_DAYS), 422)
    items = _check_items(db, participant, credential_ids, round_ids, imported_ids)
    token = new_url_token()
    share = Share(
        organisation_id=participant.organisation_id,
        participant_id=participant.id,
        token_hash=url_token_hash(token),
        label=label,
        expires_at=utcnow() + timedelta(days=days),
        show_name=show_name,
        items=items,
    )
    db.add(share)
    db.flush()
    audit.record(
        db,
        "portfolio.share_create",
        actor=participant,
        organisation_id=participant.organisation_id,
        obj=share,
        items=len(items),
        days=days,
    )
    return NewShare(share, token)


def own_share(db: Session, participant: Participant, share_id: int) -> Share:
    share = db.execute(
        select(Share).where(Share.id == share_id, Share.participant_id == participant.id)
    ).scalar_one_or_none()
    if share is None:
        raise UserError(_l("Partage introuvable."), 404)
    return share


def my_shares(db: Session, participant: Participant) -> list[Share]:
    return list(
        db.scalars(
            select(Share)
            .where(Share.participant_id == participant.id)
            .options(selectinload(Share.items))
            .order_by(Share.id.desc())
        )
    )


def revoke_share(db: Session, share: Share) -> None:
    """Stop the link at once (its page answers 410 from the next request)."""
    if share.revoked_at is None:
        share.revoked_at = utcnow()
        audit.record(
            db,
            "portfolio.share_revoke",
            actor=share.participant,
            organisation_id=share.organisation_id,
            obj=share,
        )
    db.flush()


def new_token(db: Session, share: Share) -> str:
    """A fresh link for the same share (the old one stops working)."""
    if share.revoked_at is not None:
        raise UserError(_l("Ce partage est arrêté."), 409)
    token = new_url_token()
    share.token_hash = url_token_hash(token)
    audit.record(
        db,
        "portfolio.share_new_link",
        actor=share.participant,
        organisation_id=share.organisation_id,
        obj=share,
    )
    db.flush()
    return token


def purges(now: datetime, after: timedelta) -> list[Purge]:
    """Share links revoked or expired more than ``after`` ago (``BADGER_RETENTION_SHARES_DAYS``),
    with their items and view dates (deleted with them by the database); a live link stays
    whatever its age. The badges and charts a link showed are not touched."""
    cutoff = now - after
    return [
        Purge(
            "portfolio.shares",
            Share,
            or_(Share.expires_at < cutoff, Share.revoked_at < cutoff),
        )
    ]


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
            from datetime import UTC

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


class ShareGone(UserError):
    """The link was revoked or has expired (410, neutral page)."""


def find_share(db: Session, token: str) -> Share:
    """The live share for ``token``; unknown → 404, revoked or expired → 410.

    The token must be the exact one issued: looked up by its keyed hash over the exact
    characters (no trimming, no case folding; unique index), then compared in constant time.
    Only a link made before exact matching, stored under the upper-cased hash, is still found
    by that hash until it expires.
    """
    if not 16 <= len(token) <= 64:
        raise UserError(_l("Ce lien n'existe pas."), 404)
    exact, legacy = url_token_hashes(token)
    with unscoped(db):
        shares = (
            db.execute(
                select(Share)
                .where(Share.token_hash.in_((exact, legacy)))
                .options(joinedload(Share.items))  # every caller shows them: one query
                .execution_options(unscoped=True)
            )
            .unique()
            .scalars()
            .all()
        )
    share = next((s for s in shares if constant_time_equals(s.token_hash, exact)), None) or next(
        (s for s in shares if constant_time_equals(s.token_hash, legacy)), None
    )
    if share is None:
        raise UserError(_l("Ce lien n'existe pas."), 404)
    if share.revoked_at is not None or share.expires_at <= utcnow():
        raise ShareGone(
            _l("Ce lien a expiré ou a été retiré par la personne qui l'a partagé."), 410
        )
    return share


class ViewDeduplicator:
    """Tell a visitor's first view of a share today from their repeated ones, remembering no one.

    A visitor is a keyed hash of (share, client address, User-Agent) under a random salt that
    lives in this process's memory only and is replaced, with every hash, when the UTC day
    changes: nothing is written, the address is never kept, and yesterday's hashes cannot be
    recomputed. At most ``size`` visitors per day are remembered (oldest forgotten first: they
    would count again). Several server processes each keep their own memory, so a repeated view
    that reaches another process counts again; a restart forgets the day.
    """

    def __init__(self, size: int = 100_000, today: Callable[[], date] | None = None) -> None:
        self.size = size
        self.today = today or (lambda: datetime.now(UTC).date())
        self._day: date | None = None
        self._salt = b""
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_today(self, share_id: int, address: str, agent: str) -> bool:
        """True the first time this visitor opens this share today (then remembered)."""
        with self._lock:
            day = self.today()
            if day != self._day:
                self._day, self._salt = day, secrets.token_bytes(32)
                self._seen.clear()
            visitor = f"{share_id}\0{address}\0{agent}".encode("utf-8", "replace")
            digest = hmac.new(self._salt, visitor, hashlib.sha256).digest()[:16]
            if digest in self._seen:
                return False
            self._seen[digest] = None
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)
            return True


def view_deduplicator(app: Flask | None = None) -> ViewDeduplicator:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("badger.share_views")
    if found is None:
        found = app.extensions.setdefault("badger.share_views", ViewDeduplicator())
    return found


def record_view(
    db: Session, share: Share, visitor: tuple[str, str] | None = None, app: Flask | None = None
) -> bool:
    """Count one view (its date only). ``visitor``: (client address, User-Agent), used only to
    skip a repeated view by the same visitor the same day (see :class:`ViewDeduplicator`).
    Returns whether the view was counted."""
    if visitor is not None and not view_deduplicator(app).first_today(share.id, *visitor):
        return False
    db.add(ShareView(share_id=share.id, viewed_at=utcnow()))
    db.flush()
    return True


# --------------------------------------------------------------------------- employer view


@dataclass
class RecruiterWord:
    kind: str
    label: str
    uri: str | None


@dataclass
class BadgeView:
    """One badge as the employer sees it: live verification first, then what it says."""

    kind: str
    title: str
    summary: messages.PlainSummary
    checks: list[messages.PlainCheck]
    about: vservice.Description
    status: str  # valid, revoked, suspended, expired, unknown, failed
    level: int | None = None
    issuer_name: str | None = None
    networks: list[str] = field(default_factory=list)
    referentiel_title: str | None = None
    referentiel_version: str | None = None
    referentiel_url: str | None = None
    competence: str | None = None
    competence_description: str | None = None
    level_text: str | None = None
    recruiter_words: list[RecruiterWord] = field(default_factory=list)
    issued_at: datetime | None = None
    valid_until: datetime | None = None
    imported: bool = False
    credential_id: int | None = None
    #: The language ``title`` is written in (the credential's; an imported badge's when its
    #: document says it); None = unknown: pages isolate the title, never guess its language.
    language: str | None = None
    #: The languages the référentiel title, the competence label and the level text are
    #: written in (the version's; a competence's translation into the page's language, else its
    #: own): pages mark them when they are not the page's.
    referentiel_language: str | None = None
    competence_language: str | None = None
    level_text_language: str | None = None
    #: Set when the view may be reused (same key → same page fragment).
    cache_key: str | None = None


@dataclass
class ChartView:
    round_id: int
    title: str
    svg: str
    referentiel_title: str | None


@dataclass
class SharePage:
    share: Share
    badges: list[BadgeView]
    charts: list[ChartView]
    participant_name: str | None


def _status_from(report: VerificationReport, cred: Credential | None) -> str:
    if cred is not None and cred.suspended_at is not None:
        return "suspended"
    if cred is not None and cred.revoked_at is not None:
        return "revoked"
    status = report.check("status")
    validity = report.check("validity")
    if status is not None and status.code in {"revoked", "suspended"}:
        return status.code
    if validity is not None and validity.code in {"expired", "not_yet_valid"}:
        return "expired" if validity.code == "expired" else "not_yet_valid"
    return {"verified": "valid", "failed": "failed"}.get(report.state, "unknown")


def _suspended_summary() -> messages.PlainSummary:
    return messages.PlainSummary(
        "failed",
        str(_l("Badge suspendu")),
        str(_l("L'organisme a suspendu ce badge pour le moment. Il ne compte pas aujourd'hui.")),
        "cross",
        "status-bad",
        [],
        proven=True,
    )


def _recruiter_words(links: Any) -> list[RecruiterWord]:
    words = []
    for link in links or []:
        if not isinstance(link, dict) or link.get("kind") not in {"rome", "esco"}:
            continue
        label = str(link.get("label") or link.get("code") or "").strip()
        if label:
            uri = link.get("uri")
            words.append(
                RecruiterWord(
                    str(link["kind"]),
                    label,
                    uri if isinstance(uri, str) and uri.startswith("http") else None,
                )
            )
    return words


def _competence_text(competence: Any, lang: str) -> tuple[str, str, str | None]:
    """The competence's label and definition in ``lang`` when translated, else its own, and
    the language of the label."""
    tr = (competence.translations or {}).get(lang) or {}
    return (
        str(tr.get("label") or competence.label),
        str(tr.get("description") or competence.description or ""),
        lang if tr.get("label") else competence.language or None,
    )


def _level_text(competence: Any, level: int, lang: str) -> tuple[str | None, str | None]:
    """The text of ``level`` in ``lang`` when translated, else in the competence's own
    language, and that language."""
    tr = (competence.translations or {}).get(lang) or {}
    levels = tr.get("levels") if isinstance(tr.get("levels"), list) else None
    for lv in levels or competence.grid_levels():
        if isinstance(lv, dict) and lv.get("score") == level:
            text = lv.get("description") or lv.get("quality")
            if not text:
                return None, None
            return str(text), lang if levels else competence.language or None
    return None, None


#: Built badge views by (language, credential, report key, state): a share page shows the same
#: badges again and again; anything that changes the result changes the key.
_VIEWS: OrderedDict[str, tuple[float, BadgeView]] = OrderedDict()
_VIEWS_LOCK = threading.Lock()
VIEW_TTL = 120.0


def _cached_view(key: str) -> BadgeView | None:
    with _VIEWS_LOCK:
        item = _VIEWS.get(key)
        if item is None or item[0] < time.monotonic():
            _VIEWS.pop(key, None)
            return None
        _VIEWS.move_to_end(key)
        return item[1]


def _keep_view(key: str, view: BadgeView) -> None:
    with _VIEWS_LOCK:
        _VIEWS[key] = (time.monotonic() + VIEW_TTL, view)
        while len(_VIEWS) > 4096:
            _VIEWS.popitem(last=False)


def _credential_key(
    cred: Credential, resolver: vservice.MemoResolver, lang: str
) -> tuple[VerificationReport, str]:
    """The credential's (cached) live report and the key of its built view."""
    report, report_key = vservice.verify_cached(cred.signed_json or "", resolver, REPORTS)
    key = (
        f"{lang}:{cred.id}:{report_key}:{cred.level}:{cred.revoked_at}:{cred.suspended_at}:"
        f"{cred.achievement.updated_at}:{vservice.trust_key()}"
    )
    return report, key


@dataclass
class _Related:
    """Référentiel versions and competences of several credentials, read in two queries."""

    versions: dict[int, Any]
    competences: dict[int, Any]


def _related(db: Session, creds: Sequence[Credential]) -> _Related:
    from badger.referentiels.models import Competence, ReferentielVersion

    version_ids = {c.achievement.referentiel_version_id for c in creds}
    competence_ids = {c.achievement.competence_id for c in creds}
    versions = db.scalars(
        select(ReferentielVersion)
        .where(ReferentielVersion.id.in_(version_ids))
        .options(joinedload(ReferentielVersion.referentiel))
        .execution_options(unscoped=True)
    )
    competences = db.scalars(
        select(Competence).where(Competence.id.in_(competence_ids)).execution_options(unscoped=True)
    )
    return _Related({v.id: v for v in versions}, {c.id: c for c in competences})


def credential_view(
    db: Session,
    cred: Credential,
    resolver: vservice.MemoResolver,
    lang: str,
    *,
    keyed: tuple[VerificationReport, str] | None = None,
    related: _Related | None = None,
) -> BadgeView:
    """One credential's badge view (reused while its key holds). ``keyed``: its
    :func:`_credential_key` when already computed; ``related``: prefetched rows."""
    from badger.awards import service as awards
    from badger.referentiels.models import Competence, ReferentielVersion

    report, key = keyed if keyed is not None else _credential_key(cred, resolver, lang)
    cached = _cached_view(key)
    if cached is not None:
        return cached
    status = _status_from(report, cred)
    checks = messages.plain_checks(report)
    summary = _suspended_summary() if status == "suspended" else messages.summary(report, checks)
    ach = cred.achievement
    org = ach.organisation
    texts = awards.credential_texts(db, cred, report.credential)
    view = BadgeView(
        kind=ITEM_CREDENTIAL,
        title=texts.name,
        language=texts.language,
        summary=summary,
        checks=checks,
        about=vservice.describe(report),
        status=status,
        level=cred.level,
        issuer_name=org.name,
        # only networks this server recognises (created by a server administrator, listed in
        # its registry); an unlisted network's endorsement is told as a claim (``about``)
        networks=sorted(m.network.name for m in org.memberships
                        if m.endorsed_at is not None and m.network.listed),
        issued_at=cred.issued_at,
        valid_until=cred.valid_until,
        credential_id=cred.id,
        cache_key=key,
    )
    version = (related.versions if related else {}).get(ach.referentiel_version_id) or db.get(
        ReferentielVersion, ach.referentiel_version_id
    )
    if version is not None:
        view.referentiel_title = version.title
        view.referentiel_language = version.language or None
        view.referentiel_version = version.version_label or str(version.number)
        if "referentiels.version" in current_app.view_functions:
            view.referentiel_url = url_for(
                "referentiels.version", key=version.referentiel.key, number=version.number
            )
    competence = (related.competences if related else {}).get(ach.competence_id) or db.get(
        Competence, ach.competence_id
    )
    if competence is not None:
        view.competence, view.competence_description, view.competence_language = (
            _competence_text(competence, lang)
        )
        view.level_text, view.level_text_language = _level_text(competence, cred.level, lang)
        view.recruiter_words = _recruiter_words(competence.links)
    _keep_view(key, view)
    return view


def imported_view(
    imp: ImportedCredential,
    resolver: vservice.MemoResolver,
    cache: vservice.ReportCache | None = None,
) -> BadgeView:
    """A badge received elsewhere, verified live at most once per ``cache.ttl`` (the share
    page and its annex share the outcome; a revocation shows once the entry expires). Its
    title's language: what its document says (:func:`awards.document_language`), else unknown."""
    from badger.awards import service as awards

    report, _key = vservice.verify_cached(
        bytes(imp.raw), resolver, cache or imported_reports(), fresh_status=False
    )
    about = vservice.describe(report)
    return BadgeView(
        kind=ITEM_IMPORTED,
        title=imp.achievement_name or about.name or str(_l("Badge importé")),
        summary=messages.summary(report),
        checks=messages.plain_checks(report),
        about=about,
        status=_status_from(report, None),
        level=about.level_value,
        issuer_name=imp.issuer_name or about.issuer_name,
        networks=list(about.recognised_endorsers),
        issued_at=about.valid_from,
        valid_until=about.valid_until,
        imported=True,
        language=awards.document_language(report.credential),
    )


SERIES_KINDS = ("self", "coach", "peer", "agreed", "previous")


def _series_names() -> dict[str, str]:
    return {
        "self": str(_l("Auto-évaluation")),
        "coach": str(_l("Coach")),
        "peer": str(_l("Pairs")),
        "agreed": str(_l("Niveau convenu")),
        "previous": str(_l("Passage précédent")),
    }


def chart_view(db: Session, rnd: Round, lang: str, prefix: str) -> ChartView:
    from badger.grids import charts
    from badger.grids import service as grids

    view = grids.round_view(db, rnd, lang)
    axes, series = view.chart(lang, _series_names())
    version = rnd.referentiel_version
    title = str(_l("Graphique radar — %(label)s", label=rnd.display_label))
    if any(s.kind == "coach" for s in series):
        desc = str(
            _l(
                "Chaque branche est une compétence, notée de 0 (au centre) à 5 (au bord), "
                "par la personne et par son coach."
            )
        )
    else:
        desc = str(
            _l(
                "Chaque branche est une compétence, notée de 0 (au centre) à 5 (au bord), "
                "par la personne elle-même."
            )
        )
    svg = charts.radar_svg(axes, series, title=title, description=desc, lang=lang, id_prefix=prefix)
    return ChartView(rnd.id, title, svg, version.title if version is not None else None)


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
    from badger.networks.models import NetworkMembership, NetworkStatusList

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


def share_page(db: Session, share: Share, lang: str, app: Flask | None = None) -> SharePage:
    """Everything the public page shows: only the share's items, each verified live."""
    resolver = vservice.MemoResolver(app_resolver(app))
    badges: list[BadgeView] = []
    charts: list[ChartView] = []
    with unscoped(db):
        cred_ids = [i.credential_id for i in share.items if i.credential_id is not None]
        creds = (
            {
                c.id: c
                for c in db.scalars(
                    select(Credential)
                    .where(
                        Credential.id.in_(cred_ids),
                        Credential.participant_id == share.participant_id,
                    )
                    .options(
                        # what credential_view reads, nothing else (the signed documents,
                        # baked images and the evidence are large)
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
                    .execution_options(unscoped=True)
                )
            }
            if cred_ids
            else {}
        )
        _seed_status_lists(db, resolver, creds.values())
        keyed = {cid: _credential_key(cred, resolver, lang) for cid, cred in creds.items()}
        # views to build (first view, or something changed): their référentiel rows at once
        # (db.get per badge would query each time: the identity map holds them weakly)
        to_build = [creds[cid] for cid, (_, key) in keyed.items() if _cached_view(key) is None]
        related = _related(db, to_build) if to_build else None
        imported_ids = [
            i.imported_id
            for i in share.items
            if i.kind == ITEM_IMPORTED and i.imported_id is not None
        ]
        imports = (
            {
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
            if imported_ids
            else {}
        )
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
                    badges.append(imported_view(imp, resolver, imported_reports(app)))
            elif item.kind == ITEM_CHART and item.round_id is not None:
                rnd = db.execute(
                    select(Round)
                    .join(Journey, Round.journey_id == Journey.id)
                    .where(
                        Round.id == item.round_id, Journey.participant_id == share.participant_id
                    )
                    .execution_options(unscoped=True)
                ).scalar_one_or_none()
                if rnd is not None and rnd.chart_in_portfolio:
                    charts.append(chart_view(db, rnd, lang, f"share{item.id}"))
    name = share.participant.display_name if share.show_name else None
    return SharePage(share, badges, charts, name)


# --------------------------------------------------------------------------- imports


def import_credential(
    db: Session,
    participant: Participant,
    data: bytes,
    *,
    resolver: Any = None,
    identities: Iterable[str] = (),
) -> ImportedCredential:
    """Verify and keep an OB 3.0 credential received elsewhere (exactly as received).

    Only a badge issued to the participant is taken: its subject must be an identity they
    proved (:func:`badger.holders.service.holder_proof`; ``identities``: e-mail addresses or
    phone numbers typed for this import, used in memory to recompute a hashed identifier).
    Anyone else's badge is refused (422), so it can never reach a share."""

    kind = vservice.check_input(data)
    count = db.scalar(
        select(func.count())
        .select_from(ImportedCredential)
        .where(ImportedCredential.participant_id == participant.id)
    )
    if (count or 0) >= MAX_IMPORTS:
        raise UserError(_l("Vous avez déjà importé beaucoup de badges."), 422)
    report = verify_credential(data, resolver=resolver or app_resolver())
    if report.credential is None or (report.state == "failed" and report.check("proof") is None):
        reasons = messages.summary(report).reasons
        raise UserError(_l("Ce fichier ne contient pas de badge lisible."), 422, details=reasons)
    if report.check("proof") is not None and report.check("proof").state == "failed":  # type: ignore[union-attr]
        raise UserError(
            _l("Ce badge n'est pas authentique : il n'a pas été importé."),
            422,
            details=messages.summary(report).reasons,
        )
    proof = _holder_proof(db, participant, report.credential, identities)
    imp = ImportedCredential(
        organisation_id=participant.organisation_id,
        participant_id=participant.id,
        format=kind,
        raw=data,
        issuer_id=(report.issuer_id or "")[:500] or None,
        issuer_name=(report.issuer_name or "")[:300] or None,
        achievement_name=(report.achievement_name or "")[:300] or None,
        verified_at=utcnow(),
        last_state=report.state,
        last_report={"state": report.state, "checks": [c.to_dict() for c in report.checks]},
        holder_proof=proof,
    )
    db.add(imp)
    db.flush()
    audit.record(
        db,
        "portfolio.import",
        actor=participant,
        organisation_id=participant.organisation_id,
        obj=imp,
        state=report.state,
        holder_proof=proof,
    )
    return imp


def _holder_proof(
    db: Session, participant: Participant, credential: Any, identities: Iterable[str]
) -> str:
    """How the badge is the participant's (a proven phone, e-mail or DID it was issued to);
    refused otherwise, on import and on binding an older import alike."""
    from badger.holders import service as holders

    proof = holders.holder_proof(db, participant, credential, identities)
    if proof is None:
        raise UserError(
            _l(
                "Ce badge n'a pas été remis à une identité que vous avez prouvée (téléphone, "
                "e-mail ou DID) : il n'a pas été importé."
            ),
            422,
        )
    return proof


def bind_import(
    db: Session,
    participant: Participant,
    imp: ImportedCredential,
    identities: Iterable[str] = (),
    *,
    resolver: Any = None,
) -> ImportedCredential:
    """Show that an import kept from before the holder rule is the participant's: verified
    again (a failed proof binds nothing), then its subject matched as on import."""

    if imp.bound:
        return imp
    report = verify_credential(bytes(imp.raw), resolver=resolver or app_resolver())
    proof_check = report.check("proof")
    if report.credential is None or proof_check is None or proof_check.state == "failed":
        raise UserError(_l("Ce badge n'est pas authentique."), 422)
    proof = _holder_proof(db, participant, report.credential, identities)
    imp.holder_proof = proof
    db.flush()
    audit.record(
        db,
        "portfolio.import_bound",
        actor=participant,
        organisation_id=participant.organisation_id,
        obj=imp,
        holder_proof=proof,
    )
    return imp


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


def delete_import(db: Session, imp: ImportedCredential) -> None:
    db.delete(imp)
    db.flush()


def import_file(imp: ImportedCredential) -> tuple[bytes, str, str]:
    mime = {
        "json": "application/ld+json",
        "jwt": "application/jwt",
        "png": "image/png",
        "svg": "image/svg+xml",
    }.get(imp.format, "application/octet-stream")
    return bytes(imp.raw), mime, f"imported-{imp.id}.{imp.format}"


# --------------------------------------------------------------------------- export / erase


def export_zip(db: Session, participant: Participant) -> bytes:
    """Everything kept about the participant, as JSON plus their credentials' files."""
    from badger.awards import evidence as chart_evidence
    from badger.awards import service as awards
    from badger.grids import service as grids
    from badger.holders import service as holders

    creds = my_credentials(db, participant)
    versions = awards.credential_versions(db, creds)  # the files below are the current ones
    texts = {c.id: awards.credential_texts(db, c) for c in creds}  # as each one is written
    shares = my_shares(db, participant)
    stats = view_stats(db, [s.id for s in shares], dates=10_000)
    imports = my_imports(db, participant)
    rounds = my_rounds(db, participant)
    profile = {
        "display_name": participant.display_name,
        "email": participant.email,
        "phone": participant.phone,
        "locale": participant.locale,
        "created_at": participant.created_at.isoformat() if participant.created_at else None,
        "organisation": participant.organisation.name,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("profile.json", json.dumps(profile, ensure_ascii=False, indent=2))
        zf.writestr(
            "badges.json",
            json.dumps(
                [
                    {
                        "id": c.id,
                        "name": texts[c.id].name,
                        "language": texts[c.id].language,
                        "level": c.level,
                        "issued_at": c.issued_at.isoformat() if c.issued_at else None,
                        "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                        "revoked": c.revoked_at is not None,
                        "suspended": c.suspended_at is not None,
                        "public": c.public,
                        "version": versions[c.id].to_json() if c.id in versions else None,
                    }
                    for c in creds
                ],
                ensure_ascii=False,
                indent=2,
            ),
        )
        for cred in creds:
            for fmt in ("json", "jwt", "png", "svg"):
                try:
                    body, _mime, name = credential_file(cred, fmt)
                except UserError:
                    continue
                zf.writestr(f"credentials/{cred.id}-{name}", body)
        # charts the participant attached to their badges (public images, see awards.evidence)
        for cred_id, png in chart_evidence.participant_images(db, participant.id):
            zf.writestr(f"credentials/{cred_id}-chart.png", png)
        zf.writestr(
            "shares.json",
            json.dumps(
                [
                    {
                        "label": s.label,
                        "created_at": s.created_at.isoformat() if s.created_at else None,
                        "expires_at": s.expires_at.isoformat(),
                        "revoked_at": s.revoked_at.isoformat() if s.revoked_at else None,
                        "items": [
                            {"kind": i.kind, "id": i.credential_id or i.round_id or i.imported_id}
                            for i in s.items
                        ],
                        "views": [d.isoformat() for d in stats[s.id].dates],
                    }
                    for s in shares
                ],
                ensure_ascii=False,
                indent=2,
            ),
        )
        for imp in imports:
            body, _mime, name = import_file(imp)
            zf.writestr(f"imported/{name}", body)
        # proven e-mails, phones and DIDs: masked labels and keyed hashes, never the values
        zf.writestr(
            "identities.json",
            json.dumps(holders.export_rows(db, participant), ensure_ascii=False, indent=2),
        )
        zf.writestr(
            "grids.json",
            json.dumps([grids.export_round(db, r) for r in rounds], ensure_ascii=False, indent=2),
        )
    return out.getvalue()


def erase(db: Session, participant: Participant) -> None:
    """Delete the participant and everything of theirs; issued credentials are revoked first
    (their status bit stays set, so copies already handed out verify as revoked) and recorded
    as withdrawn at the holder's request (``awards.service.withdraw_for_holder``): badger's pages
    then say so, not that the issuer withdrew the badge."""
    from badger.awards import evidence as chart_evidence
    from badger.awards import service as awards
    from badger.holders import service as holders

    org_id = participant.organisation_id
    revoked = 0
    for cred in my_credentials(db, participant):
        if cred.revoked_at is None:
            awards.withdraw_for_holder(db, cred)
            revoked += 1
    db.flush()
    # the charts they attached answer 404 from now on (rows gone, not only the credential's 410)
    chart_evidence.erase_participant(db, participant.id)
    db.execute(delete(Share).where(Share.participant_id == participant.id))
    db.execute(
        delete(ImportedCredential).where(ImportedCredential.participant_id == participant.id)
    )
    db.execute(delete(LoginCode).where(LoginCode.participant_id == participant.id))
    holders.erase_participant(db, participant.id)
    participant_id = participant.id
    db.delete(participant)
    db.flush()
    # No personal data: the row id of a person who no longer exists, and counts.
    audit.record(
        db,
        "participant.erase",
        organisation_id=org_id,
        object_type="Participant",
        object_id=participant_id,
        revoked_credentials=revoked,
    )
    db.flush()
