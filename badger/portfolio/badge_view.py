"""One badge as an employer sees it on a share page: verified live (reports cached briefly),
then what it says in plain words — issuer, networks, référentiel, competence, level — in the
page's language where translated. Built views are reused while nothing that changes them does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from badger import cache
from badger import verification as vservice
from badger.awards import credential_texts, document_language
from badger.awards.models import Credential
from badger.ob3 import VerificationReport
from badger.portfolio.models import (
    ITEM_CREDENTIAL,
    ITEM_IMPORTED,
    ImportedCredential,
)
from badger.referentiels import crosswalks
from badger.referentiels.models import Competence, ReferentielVersion
from badger.verification import messages

#: Shared verification results (see :class:`badger.verification.ReportCache`).
REPORTS = vservice.ReportCache(ttl=120.0, name="portfolio.reports", register=True)


def imported_reports(app: Flask) -> vservice.ReportCache:
    """The app's cache of imported badges' reports: kept ``BADGER_IMPORTED_VERIFY_TTL`` seconds,
    during which a share page fetches nothing for them (their issuers are elsewhere)."""
    cache = app.extensions.get("badger.imported_reports")
    if cache is None:
        ttl = float(app.config.get("BADGER_IMPORTED_VERIFY_TTL", 300))
        cache = app.extensions.setdefault(
            "badger.imported_reports",
            vservice.ReportCache(ttl=ttl, name="portfolio.imported_reports"),
        )
    return cache


@dataclass
class RecruiterWord:
    kind: str
    label: str
    uri: str | None
    #: The label's language when it is not the page's (ESCO labels are often in English).
    language: str | None = None
    #: For a crosswalk: exactMatchOf or isRelatedTo, and its provenance (sourced | proposal,
    #: the source cited, why the link was made).
    relation: str = ""
    provenance: str = ""
    source: str = ""
    note: str = ""


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


def competence_words(db: Session, competence: Competence, lang: str) -> list[RecruiterWord]:
    """What recruiters call the competence: its own links (ROME, ESCO), then its crosswalks
    (France Travail, ESCO…) with the label in ``lang`` when it exists, and their provenance."""
    words = _recruiter_words(competence.links)
    seen = {w.uri for w in words}
    return words + [
        RecruiterWord(lk.framework or "", lk.label, lk.uri, lk.language, lk.relation,
                      lk.provenance_kind, lk.provenance_source, lk.provenance_note)
        for lk in crosswalks.recruiter_links(db, competence, lang)
        if lk.uri not in seen
    ]


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
VIEW_TTL = 120.0
_VIEWS: cache.Cache[BadgeView] = cache.Cache("portfolio.badge_views", size=4096, ttl=VIEW_TTL,
                                             codec=cache.typed(BadgeView))


def cached_view(key: str) -> BadgeView | None:
    return _VIEWS.get(key)


def _keep_view(key: str, view: BadgeView) -> None:
    _VIEWS.set(key, view)


def credential_key(
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
class Related:
    """Référentiel versions and competences of several credentials, read in two queries."""

    versions: dict[int, Any]
    competences: dict[int, Any]


def related_rows(db: Session, creds: Sequence[Credential]) -> Related:
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
    return Related({v.id: v for v in versions}, {c.id: c for c in competences})


def credential_view(
    db: Session,
    cred: Credential,
    resolver: vservice.MemoResolver,
    lang: str,
    *,
    keyed: tuple[VerificationReport, str] | None = None,
    related: Related | None = None,
) -> BadgeView:
    """One credential's badge view (reused while its key holds). ``keyed``: its
    :func:`credential_key` when already computed; ``related``: prefetched rows."""
    report, key = keyed if keyed is not None else credential_key(cred, resolver, lang)
    cached = cached_view(key)
    if cached is not None:
        return cached
    status = _status_from(report, cred)
    checks = messages.plain_checks(report)
    summary = _suspended_summary() if status == "suspended" else messages.summary(report, checks)
    ach = cred.achievement
    org = ach.organisation
    texts = credential_texts(db, cred, report.credential)
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
        view.recruiter_words = competence_words(db, competence, lang)
    _keep_view(key, view)
    return view


def imported_view(
    imp: ImportedCredential,
    resolver: vservice.MemoResolver,
    cache: vservice.ReportCache,
) -> BadgeView:
    """A badge received elsewhere, verified live at most once per ``cache.ttl`` (the share
    page and its annex share the outcome; a revocation shows once the entry expires). Its
    title's language: what its document says (:func:`awards.document_language`), else unknown."""
    report, _key = vservice.verify_cached(
        bytes(imp.raw), resolver, cache, fresh_status=False
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
        language=document_language(report.credential),
    )
