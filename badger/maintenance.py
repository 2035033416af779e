"""Data retention: what ``badger purge`` deletes, after how long, and what it never touches.

badger keeps data about vulnerable people, so the rule is to collect the minimum and drop what
is no longer needed. The periods an operator may change are settings (``badger/config.py``,
whole days from 1 to 36,500, checked at startup); ``badger purge`` applies them, best once a day.

Each domain says what it may delete (:class:`Purge`: a table and a WHERE clause) in the
``purges(now, retention)`` of its ``retention`` module, found through ``badger.DOMAINS`` (see
"domains' hooks" below: this module imports no domain); this module counts or deletes them in
the order given (:data:`PURGE_ORDER`), in the caller's transaction (flush only, the caller
commits: one transaction for the whole purge), and a real purge that deleted something is
itself recorded in the audit trail (counts only).

**Deleted**

* **OAuth codes and tokens** (``badger.api.retention.purges``), 7 days after they stopped
  working, fixed in code (``PURGE_AFTER``): access tokens expired or revoked that long ago;
  refresh tokens expired that long ago, or revoked that long ago once nothing of their family is
  alive (a rotated refresh token of a living family stays until it expires, so replaying it
  still revokes the family); authorization codes expired that long ago once no token issued from
  them is kept (the family hangs on the code). A technical grace for replay detection, not a
  record anyone reads: nothing for an operator to tune. The token endpoint also runs this part
  by itself, at most every ``PURGE_EVERY`` (15 min).
* **Integrators' bearer tokens** (``badger.integrators.retention.purges``), 7 days after they
  expired (15 minutes after issue) or were revoked: dead secrets, nothing to keep. Their
  clients and the credentials they issued stay (the organisation's record of what it signed).
* **Participants' login codes and staff invitation / password-reset links**
  (``badger.accounts.retention.purges``): ``BADGER_RETENTION_CODES_DAYS`` (30) after they expired,
  used or not. Nothing reads them afterwards (a login is audited and kept as ``last_login_at``;
  an invited person can be sent a new link); until then an old code still says "expired" rather
  than "unknown". The same period applies to the codes and DID challenges that prove a
  participant's phone, e-mail or DID (``badger.holders.retention.purges``; only their HMACs).
  Login sessions (``login_sessions``) go the same period after they ended or
  were last used: only the person's "where you are logged in" page read them.
* **Share links stopped or expired** (``badger.portfolio.retention.purges``):
  ``BADGER_RETENTION_SHARES_DAYS`` (365) after they were revoked or expired, with their chosen
  items (the links to badges and charts, never the badges and charts themselves) and their view
  dates. A dead link's label ("entretien boulangerie") tells whom the person showed what — their
  job search — and serves nothing once it is over; for a year it stays in their list and data
  export and its page answers "expired or withdrawn" (410), afterwards "unknown" (404). A live
  link is never deleted, whatever its age, nor its view counter.
* **Finished background award jobs** (``badger.awards.retention.purges``):
  ``BADGER_RETENTION_JOBS_DAYS`` (30) after they finished or failed; a job still "running" that
  started that long ago was interrupted (a batch lasts minutes) and goes too. Their rows hold
  participants' names and per-row outcomes for the coach's progress page, nothing else needs
  them: the credentials they issued are rows of their own.
* **Notifications** (``badger.notifications.retention.purges``):
  ``BADGER_RETENTION_NOTIFICATIONS_DAYS`` (30) after they were queued, once sent, failed or
  stopped: a message's kind, parameters and outcome serve only to deliver it and to answer
  "was it sent?" for a while; its stop link then answers "too old, stop from your page".
  Messages still waiting are never purged (they end sent or failed within hours).
* **Audit events** (``audit_purges``): ``BADGER_RETENTION_AUDIT_DAYS`` (400) after they
  were recorded — more than a year of security history (who logged in, revoked, erased, shared
  what). An event holds ids, short facts and sometimes a free-text reason typed by staff, so the
  whole row goes: blanking its personal parts would leave a row that says nothing.

**Never deleted by the purge**

* **Credentials** (issued, revoked, suspended or held for a claim), their status-list bits and
  evidence charts: a credential is the participant's, and handed-out copies must keep verifying
  as genuine or revoked. A revoked credential's chart is already dropped at revocation.
* **Claim codes**, even expired and unredeemed: the claim holds a credential awaiting its
  participant, at most one per credential (they do not pile up); an expired one lets the person
  hear "expired, ask your coach" and the coach renew it; a redeemed one records how the badge was
  bound. Deleting it would strand the badge silently.
* **Portfolios**: validated competences, grid rounds and ratings, consents, imported badges (the
  participant's own copy, with the outcome of its last check overwritten in place — the
  short-lived verification caches live in memory only), live share links.
* **People, organisations, networks, référentiels, endorsements** (withdrawn ones stay served,
  their status bits set): accounts are closed by the participant's or staff's erasure
  (``badger.portfolio.erasure.erase``), never by age — how long a programme keeps a person is
  the programme's decision, not a timer's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from badger import DOMAINS, audit, domain_module
from badger.audit import AuditEvent
from badger.db import utcnow


@dataclass(frozen=True)
class Purge:
    """Rows of ``model`` matching ``where`` may go. ``key`` names them (``api.codes``…)."""

    key: str
    model: type[Any]
    where: ColumnElement[bool]


#: What ``badger purge`` (``badger/api/cli.py``) prints for each key (French).
LABELS = {
    "api.access_tokens": "jetons d'accès OAuth",
    "api.refresh_tokens": "jetons de renouvellement OAuth",
    "api.codes": "codes d'autorisation OAuth",
    "accounts.login_codes": "codes de connexion des participants",
    "accounts.action_tokens": "liens d'invitation et de réinitialisation (équipe)",
    "accounts.sessions": "sessions de connexion terminées ou inactives",
    "portfolio.shares": "liens de partage arrêtés ou expirés (avec leurs consultations)",
    "awards.jobs": "suivis d'attributions en arrière-plan terminés",
    "wallet.offers": "offres de badges vers un portefeuille expirées",
    "wallet.nonces": "défis de portefeuille (nonces) expirés",
    "integrators.tokens": "jetons d'accès des intégrations (VC-API) expirés ou retirés",
    "notifications.messages": "messages (e-mail, SMS) envoyés, échoués ou arrêtés",
    "audit.events": "événements du journal d'audit",
}


@dataclass(frozen=True)
class Retention:
    """How long each kind of data is kept once it is no longer needed (module docstring)."""

    audit: timedelta
    codes: timedelta
    jobs: timedelta
    shares: timedelta
    #: ``BADGER_RETENTION_NOTIFICATIONS_DAYS``: messages sent, failed or stopped
    notifications: timedelta = timedelta(days=30)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Retention:
        """From the ``BADGER_RETENTION_<KIND>_DAYS`` settings (checked by ``badger.config``)."""
        return cls(
            audit=timedelta(days=config["BADGER_RETENTION_AUDIT_DAYS"]),
            codes=timedelta(days=config["BADGER_RETENTION_CODES_DAYS"]),
            jobs=timedelta(days=config["BADGER_RETENTION_JOBS_DAYS"]),
            shares=timedelta(days=config["BADGER_RETENTION_SHARES_DAYS"]),
            notifications=timedelta(days=config["BADGER_RETENTION_NOTIFICATIONS_DAYS"]),
        )


def run(db: Session, purges: Iterable[Purge], *, dry_run: bool = False) -> dict[str, int]:
    """Delete (or, with ``dry_run``, only count) each purge's rows, in order; key → rows.

    Each WHERE must give the same answer whether or not the earlier purges ran (say "no kept
    token", not "no token", as the OAuth codes do), so a dry run counts exactly what a real run
    deletes."""
    counts: dict[str, int] = {}
    for p in purges:
        if dry_run:
            n = db.scalar(
                select(func.count())
                .select_from(p.model)
                .where(p.where)
                .execution_options(unscoped=True)
            )
        else:
            result = db.execute(
                delete(p.model).where(p.where).execution_options(synchronize_session=False)
            )
            n = result.rowcount  # type: ignore[attr-defined]
        counts[p.key] = counts.get(p.key, 0) + int(n or 0)
    if not dry_run:
        db.flush()
    return counts



# --------------------------------------------------------------------------- domains' hooks
#
# A domain that deletes old rows has a ``badger/<domain>/retention.py`` module (found through
# ``badger.DOMAINS`` and ``badger.domain_module``, as ``cli.on_init`` is) with
#
# * ``purges(now: datetime, retention: Retention) -> list[Purge]``: what may go at ``now``;
# * optionally ``erase_participant(session, participant) -> Mapping[str, int] | None``: delete
#   (or withdraw) the rows of that domain belonging to a participant who erases their data;
#   the counts it returns go into the ``participant.erase`` audit record (ids and counts only);
# * optionally ``export_participant(session, participant) -> Mapping[str, Any]``: file name →
#   JSON-able rows, added to the participant's data export by a domain the export (portfolio)
#   cannot import (one above it).
#
# This module imports no domain: it only calls what they registered.

#: The order in which ``badger purge`` runs (and prints) each domain's purges — the order it
#: has always printed: OAuth rows, login codes, identity codes, shares, jobs; the audit trail
#: (core, :func:`audit_purges`) last.
#: A domain with a retention module not named here runs after these, in ``DOMAINS`` order.
PURGE_ORDER = ("api", "accounts", "holders", "portfolio", "awards", "wallet", "integrators",
               "notifications", "outcomes")

#: The order of the erasure hooks: credentials are withdrawn first (while the person's rows
#: still exist to say whose they were), then the portfolio's shares (they point at credentials
#: and imported badges) and imported badges, login codes, proven identities, messages and the
#: address given for them, then the journeys' recorded exits and follow-ups; the participant row
#: itself is deleted by the caller (``badger.portfolio.erasure.erase``) after all of them.
ERASE_ORDER = ("awards", "portfolio", "accounts", "holders", "notifications", "outcomes")


def _ordered(first: tuple[str, ...]) -> list[str]:
    return [d for d in first if d in DOMAINS] + [d for d in DOMAINS if d not in first]


def _retention_modules(order: tuple[str, ...]) -> Iterator[Any]:
    for domain in _ordered(order):
        module = domain_module(domain, "retention")
        if module is not None:
            yield module


def audit_purges(now: datetime, retention: Retention) -> list[Purge]:
    """Events recorded more than ``retention.audit`` ago (``BADGER_RETENTION_AUDIT_DAYS``,
    default 400: over a year of security history), whole rows: the module docstring says why."""
    return [Purge("audit.events", AuditEvent, AuditEvent.at < now - retention.audit)]


def all_purges(now: datetime, retention: Retention) -> list[Purge]:
    """Every domain's purges in :data:`PURGE_ORDER`, then the audit trail's."""
    found: list[Purge] = []
    for module in _retention_modules(PURGE_ORDER):
        found.extend(module.purges(now, retention))
    return [*found, *audit_purges(now, retention)]


def purge(
    db: Session, retention: Retention, *, now: datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Every domain's purge (see the module docstring for what goes and what stays); key → rows.
    A real purge that deleted something records its counts in the audit trail."""
    counts = run(db, all_purges(now or utcnow(), retention), dry_run=dry_run)
    if not dry_run and any(counts.values()):
        audit.record(db, "maintenance.purge", deleted={k: n for k, n in counts.items() if n})
        db.flush()
    return counts


def erase_participant(db: Session, participant: Any) -> dict[str, int]:
    """Run every domain's ``erase_participant`` hook for ``participant``, in
    :data:`ERASE_ORDER`; the counts they returned, merged (for the erasure's audit record)."""
    counts: dict[str, int] = {}
    for module in _retention_modules(ERASE_ORDER):
        hook = getattr(module, "erase_participant", None)
        if hook is not None:
            counts.update(hook(db, participant) or {})
    db.flush()
    return counts


def export_participant(db: Session, participant: Any) -> dict[str, Any]:
    """Every domain's ``export_participant`` hook: file name → rows, for the data export."""
    files: dict[str, Any] = {}
    for module in _retention_modules(ERASE_ORDER):
        hook = getattr(module, "export_participant", None)
        if hook is not None:
            files.update(hook(db, participant) or {})
    return files
