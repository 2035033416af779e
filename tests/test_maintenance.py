"""``badger purge`` and the retention settings: each kind of data goes after its own period and
stays before it (at a fixed ``now``), a dry run deletes nothing, a credential, a claim or
anything of a portfolio never goes, the periods come from ``BADGER_RETENTION_*_DAYS`` (bad
values stop the start), and the command prints what it did in French."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from badger import awards, create_app, maintenance, portfolio
from badger.accounts import service as accounts
from badger.accounts.models import (
    ActionToken,
    LoginCode,
    LoginSession,
    Participant,
    TokenPurpose,
)
from badger.accounts.sessions import DatabaseStore
from badger.api.models import AccessToken, OAuthClient
from badger.audit import AuditEvent
from badger.awards.models import AwardJob, Claim, Credential, EvidenceImage
from badger.config import ConfigError
from badger.db import utcnow
from badger.grids.models import Rating, Round
from badger.portfolio.models import ImportedCredential, Share, ShareItem, ShareView
from tests.portfolio import _factory

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
#: Distinct periods, none of them the default, so a test fails if a setting is ignored.
RETENTION = maintenance.Retention(audit=10 * DAY, codes=3 * DAY, jobs=5 * DAY, shares=7 * DAY)


def _count(db: Any, model: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _ids(db: Any, model: Any) -> set[int]:
    return set(db.scalars(select(model.id)))


def _share(db: Any, participant: Any, creds: list[Any], **dates: Any) -> tuple[Share, str]:
    """A share of ``creds`` (through the service), viewed twice, then given ``dates``."""
    new = portfolio.create_share(
        db, participant, label="Entretien boulangerie", days=30,
        credential_ids=[c.id for c in creds],
    )
    portfolio.record_view(db, new.share)
    portfolio.record_view(db, new.share)
    for name, value in dates.items():
        setattr(new.share, name, value)
    db.commit()
    return new.share, new.token


def _job(db: Any, org: Any, ach: Any, *, created: datetime, finished: datetime | None) -> int:
    job = AwardJob(
        organisation_id=org.id, achievement_id=ach.id, total=1, done=1 if finished else 0,
        status="finished" if finished else "running", created_at=created, finished_at=finished,
        results=[{"participant_id": 1, "name": "Amina", "outcome": "issued"}],
    )
    db.add(job)
    db.flush()
    return job.id


def _event(db: Any, at: datetime) -> int:
    event = AuditEvent(at=at, actor_type="system", action="test.event", details={})
    db.add(event)
    db.flush()
    return event.id


@pytest.fixture
def creds(db: Any, org: Any, admin: Any, participant: Any) -> list[Any]:
    return _factory.badges(db, org, admin, participant, n=2)


def test_each_kind_goes_after_its_period_and_stays_before_it(
    app: Any, db: Any, make: Any, org: Any, coach: Any, participant: Any, creds: list[Any]
) -> None:
    now = utcnow()  # fixed for the whole test: every date below is relative to it

    def before(period: timedelta) -> datetime:  # just past the period: goes
        return now - period - MINUTE

    def within(period: timedelta) -> datetime:  # just inside it: stays
        return now - period + MINUTE

    # login codes and staff links: BADGER_RETENTION_CODES_DAYS after they expired
    make.login_code(participant)
    make.login_code(participant)
    old_code, recent_code = db.scalars(select(LoginCode).order_by(LoginCode.id)).all()
    old_code.expires_at, recent_code.expires_at = before(RETENTION.codes), within(RETENTION.codes)
    accounts.issue_action_token(db, coach, TokenPurpose.INVITE)
    accounts.issue_action_token(db, coach, TokenPurpose.PASSWORD_RESET)
    old_link, recent_link = db.scalars(select(ActionToken).order_by(ActionToken.id)).all()
    old_link.expires_at, recent_link.expires_at = before(RETENTION.codes), within(RETENTION.codes)
    # codes proving a phone / e-mail / DID: the same period after they expired
    from badger.holders.models import IdentityChallenge

    challenges = [
        IdentityChallenge(organisation_id=org.id, participant_id=participant.id, kind="phone",
                          value_hash="a" * 64, secret_hash=f"{n}" * 64, expires_at=at)
        for n, at in ((1, before(RETENTION.codes)), (2, within(RETENTION.codes)))
    ]
    db.add_all(challenges)
    # login sessions: BADGER_RETENTION_CODES_DAYS after they ended or were last used
    store = DatabaseStore()
    for _ in range(4):
        store.start(db, coach.get_id(), "Firefox, Android")
    ended_old, ended_recent, idle_old, live_session = db.scalars(
        select(LoginSession).order_by(LoginSession.id)
    ).all()
    ended_old.ended_at = before(RETENTION.codes)
    ended_recent.ended_at = within(RETENTION.codes)
    idle_old.last_seen_at = before(RETENTION.codes)
    # share links: BADGER_RETENTION_SHARES_DAYS after they expired or were stopped
    _, expired_token = _share(db, participant, creds, expires_at=before(RETENTION.shares))
    _share(db, participant, creds[:1], revoked_at=before(RETENTION.shares))
    lately, lately_token = _share(db, participant, creds, expires_at=within(RETENTION.shares))
    lately_stopped, _ = _share(db, participant, creds, revoked_at=within(RETENTION.shares))
    live, live_token = _share(db, participant, creds)
    live.created_at = now - 3650 * DAY  # old but live: a live link never goes
    # finished jobs: BADGER_RETENTION_JOBS_DAYS after they ended; interrupted ones after start
    ach = creds[0].achievement
    jobs_gone = {
        _job(db, org, ach, created=before(RETENTION.jobs), finished=before(RETENTION.jobs)),
        _job(db, org, ach, created=before(RETENTION.jobs), finished=None),
    }
    jobs_kept = {
        _job(db, org, ach, created=before(RETENTION.jobs), finished=within(RETENTION.jobs)),
        _job(db, org, ach, created=within(RETENTION.jobs), finished=None),
    }
    # audit events: BADGER_RETENTION_AUDIT_DAYS after they were recorded
    old_event = _event(db, before(RETENTION.audit))
    recent_event = _event(db, within(RETENTION.audit))
    db.commit()
    events_gone = {
        e for e in _ids(db, AuditEvent) if db.get(AuditEvent, e).at < now - RETENTION.audit
    }
    assert events_gone == {old_event}  # every other event was recorded by the set-up, now
    anon = app.test_client()
    assert anon.get(f"/s/{expired_token}").status_code == 410

    expected = {
        "api.access_tokens": 0, "api.refresh_tokens": 0, "api.codes": 0,
        "accounts.login_codes": 1, "accounts.action_tokens": 1, "holders.challenges": 1,
        "accounts.sessions": 2,
        "portfolio.shares": 2, "awards.jobs": 2, "wallet.offers": 0, "wallet.nonces": 0,
        "integrators.tokens": 0, "notifications.messages": 0, "audit.events": 1,
    }
    before_counts = {m: _count(db, m) for m in (LoginCode, Share, ShareView, AwardJob, AuditEvent)}
    assert maintenance.purge(db, RETENTION, now=now, dry_run=True) == expected
    db.rollback()
    assert {m: _count(db, m) for m in before_counts} == before_counts  # a dry run deletes nothing

    assert maintenance.purge(db, RETENTION, now=now) == expected
    db.commit()
    assert _ids(db, LoginCode) == {recent_code.id}
    assert _ids(db, ActionToken) == {recent_link.id}
    assert _ids(db, IdentityChallenge) == {challenges[1].id}
    assert _ids(db, LoginSession) == {ended_recent.id, live_session.id}
    assert _ids(db, Share) == {lately.id, lately_stopped.id, live.id}
    kept_shares = {lately.id, lately_stopped.id, live.id}
    assert set(db.scalars(select(ShareItem.share_id))) == kept_shares  # items went with theirs
    assert set(db.scalars(select(ShareView.share_id))) == kept_shares  # and so did the views
    assert _ids(db, AwardJob) == jobs_kept and not jobs_gone & _ids(db, AwardJob)
    assert old_event not in _ids(db, AuditEvent) and recent_event in _ids(db, AuditEvent)
    assert {c.id for c in creds} <= _ids(db, Credential)  # what the shares showed stays
    # the purge itself is on record, with counts only
    record = db.scalars(select(AuditEvent).where(AuditEvent.action == "maintenance.purge")).one()
    assert record.details == {"deleted": {k: n for k, n in expected.items() if n}}

    assert anon.get(f"/s/{expired_token}").status_code == 404  # gone: now unknown
    assert anon.get(f"/s/{lately_token}").status_code == 410  # still "expired or withdrawn"
    assert anon.get(f"/s/{live_token}").status_code == 200
    # and nothing more goes at the same instant
    assert not any(maintenance.purge(db, RETENTION, now=now).values())


def test_nothing_of_a_credential_or_a_portfolio_ever_goes(
    app: Any, db: Any, make: Any, org: Any, admin: Any, coach: Any, participant: Any,
    creds: list[Any],
) -> None:
    """Decades later, with one-day periods: dead shares, jobs, codes and events go; issued and
    revoked credentials, an expired unredeemed claim (a badge awaiting its person), charts,
    imported badges, grids and a live share stay."""
    ach = creds[0].achievement
    version = _factory.adopted_version(db, org, admin)  # a grid needs 3 competences or more
    person = make.participant(org, "Élise")
    held = awards.award_many(db, org, ach, [awards.AwardRequest(person.id, level=4)], actor=coach)
    db.commit()
    claim = db.scalars(select(Claim)).one()
    claim.expires_at = utcnow() - 400 * DAY  # expired long ago, never redeemed
    awards.revoke(db, creds[1], "Erreur de saisie.", actor=admin)
    db.add(EvidenceImage(organisation_id=org.id, token=uuid.uuid4().hex, credential_id=creds[0].id,
                         png=b"\x89PNG", created_at=utcnow() - 4000 * DAY))
    db.add(ImportedCredential(
        organisation_id=org.id, participant_id=participant.id, format="json", raw=b"{}",
        verified_at=utcnow() - 4000 * DAY, last_state="unknown", last_report={},
        created_at=utcnow() - 4000 * DAY,
    ))
    rnd = _factory.chart_round(db, org, participant, coach, version)
    _share(db, participant, creds, expires_at=utcnow() - 4000 * DAY)
    far = utcnow() + 40 * 365 * DAY
    live, _ = _share(db, participant, creds, expires_at=far + DAY)
    db.commit()
    kept = {m: _ids(db, m) for m in (Credential, Claim, EvidenceImage, ImportedCredential,
                                     Round, Rating, Participant)}
    assert held[0].outcome == "claim" and len(kept[Credential]) == 3

    one_day = maintenance.Retention(audit=DAY, codes=DAY, jobs=DAY, shares=DAY)
    counts = maintenance.purge(db, one_day, now=far)
    db.commit()
    assert counts["portfolio.shares"] == 1 and counts["audit.events"] > 0
    assert {m: _ids(db, m) for m in kept} == kept
    assert _ids(db, Share) == {live.id} and rnd.id in kept[Round]
    assert db.get(Credential, held[0].credential.id).state == "claim_pending"


def test_erasure_still_deletes_everything_of_the_person_after_a_purge(
    app: Any, db: Any, make: Any, org: Any, participant: Any, creds: list[Any]
) -> None:
    _share(db, participant, creds, expires_at=utcnow() - 400 * DAY)
    live, _ = _share(db, participant, creds)
    counts = maintenance.purge(db, maintenance.Retention.from_config(app.config))
    db.commit()
    assert counts["portfolio.shares"] == 1 and _ids(db, Share) == {live.id}

    portfolio.erase(db, db.get(Participant, participant.id))
    db.commit()
    assert _count(db, Share) == 0 and _count(db, ShareView) == 0
    assert db.get(Participant, participant.id) is None
    # the erasure is on record, and stays: far younger than the audit period
    assert maintenance.purge(db, maintenance.Retention.from_config(app.config))["audit.events"] == 0
    db.commit()
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {"participant.erase", "maintenance.purge"} <= actions


@pytest.mark.parametrize("value", ["-1", "0", "abc", "1.5", "", "36501", "1e3"])
def test_a_bad_retention_setting_stops_the_start(
    app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BADGER_RETENTION_SHARES_DAYS", value)
    with pytest.raises(ConfigError, match="BADGER_RETENTION_SHARES_DAYS must be a whole number"):
        create_app(app_config)


def test_retention_settings_are_read_as_days(
    app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BADGER_RETENTION_AUDIT_DAYS", " 730 ")
    for key in ("BADGER_RETENTION_CODES_DAYS", "BADGER_RETENTION_JOBS_DAYS",
                "BADGER_RETENTION_SHARES_DAYS"):
        monkeypatch.delenv(key, raising=False)
    app = create_app(app_config)
    assert maintenance.Retention.from_config(app.config) == maintenance.Retention(
        audit=730 * DAY, codes=30 * DAY, jobs=30 * DAY, shares=365 * DAY
    )
    with pytest.raises(ConfigError, match="BADGER_RETENTION_JOBS_DAYS"):
        create_app({**app_config, "BADGER_RETENTION_JOBS_DAYS": -5})
    app.extensions["badger.db"].engine.dispose()


def test_cli_prints_each_kind_and_a_dry_run_deletes_nothing(
    app: Any, db: Any, make: Any, org: Any, coach: Any, participant: Any,
    creds: list[Any],
) -> None:
    _share(db, participant, creds, expires_at=utcnow() - 3 * DAY)  # goes with a 2-day period
    _share(db, participant, creds, expires_at=utcnow() - DAY)  # stays
    make.login_code(participant)
    code = db.scalars(select(LoginCode)).one()
    code.expires_at = utcnow() - 40 * DAY
    client = OAuthClient(
        client_id=uuid.uuid4().hex, secret_hash="x", client_name="Portefeuille", client_uri="",
        logo_uri="", tos_uri="", policy_uri="", software_id="", software_version="", scope="",
        issued_at=utcnow(),
    )
    db.add(client)
    db.flush()
    for expires in (utcnow() - 40 * DAY, utcnow() + DAY):
        db.add(AccessToken(token_hash=uuid.uuid4().hex, client_id=client.id,
                           participant_id=participant.id, organisation_id=org.id, scope="",
                           expires_at=expires))
    db.commit()
    app.config["BADGER_RETENTION_SHARES_DAYS"] = 2
    runner = app.test_cli_runner()

    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "liens de partage arrêtés ou expirés (avec leurs consultations) : 1" in lines
    assert "codes de connexion des participants : 1" in lines
    assert "jetons d'accès OAuth : 1" in lines
    assert "suivis d'attributions en arrière-plan terminés : 0" in lines
    assert "événements du journal d'audit : 0" in lines
    assert lines[-1] == "Simulation : 3 ligne(s) à supprimer, rien n'a été supprimé."
    db.expire_all()
    assert _count(db, Share) == 2 and _count(db, LoginCode) == 1 and _count(db, AccessToken) == 2

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "liens d'invitation et de réinitialisation (équipe) : 0" in result.output
    assert result.output.splitlines()[-1] == "3 ligne(s) supprimée(s)."
    db.expire_all()
    assert _count(db, Share) == 1 and _count(db, LoginCode) == 0 and _count(db, AccessToken) == 1

    result = runner.invoke(args=["purge"])
    assert result.output.splitlines()[-1] == "0 ligne(s) supprimée(s)."


def test_the_command_line_refuses_to_start_with_a_bad_period(
    app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``badger purge`` run by cron with a typo in a period: no purge, the setting named."""
    from click.testing import CliRunner

    from badger.cli import cli

    for key, value in app_config.items():
        if key.startswith("BADGER_") and isinstance(value, str):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("BADGER_RETENTION_AUDIT_DAYS", "quatre cents")
    outcome = CliRunner().invoke(cli, ["purge", "--dry-run"])
    assert outcome.exit_code != 0
    assert isinstance(outcome.exception, ConfigError)
    assert "BADGER_RETENTION_AUDIT_DAYS" in str(outcome.exception)
    assert "'quatre cents'" in str(outcome.exception)


def test_each_domain_registers_its_purges_and_erasure_in_a_fixed_order() -> None:
    """The purge and the erasure find the domains' hooks (``<domain>/retention.py``) through
    ``badger.DOMAINS``; ``badger purge`` runs them, and prints them, in ``PURGE_ORDER``, the
    audit trail last; every erasure hook is in ``ERASE_ORDER``."""
    from badger import DOMAINS, domain_module

    hooks = {d: domain_module(d, "retention") for d in DOMAINS}
    hooks = {d: m for d, m in hooks.items() if m is not None}
    assert set(hooks) == set(maintenance.PURGE_ORDER)
    erasing = {d for d, m in hooks.items() if hasattr(m, "erase_participant")}
    assert erasing == set(maintenance.ERASE_ORDER)
    keys = [p.key for p in maintenance.all_purges(utcnow(), RETENTION)]
    assert keys == [
        "api.access_tokens", "api.refresh_tokens", "api.codes",
        "accounts.login_codes", "accounts.action_tokens", "accounts.sessions",
        "holders.challenges", "portfolio.shares", "awards.jobs", "wallet.offers", "wallet.nonces",
        "integrators.tokens", "notifications.messages", "audit.events",
    ]


def test_maintenance_imports_no_domain() -> None:
    """Core: it calls the hooks the domains registered, it never imports one."""
    import ast
    from pathlib import Path

    from badger import DOMAINS

    tree = ast.parse(Path(maintenance.__file__).read_text())
    imported = {
        f"{n.module}.{a.name}" if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }
    assert not {m for m in imported if m.split(".")[0] == "badger" and m.split(".")[1] in DOMAINS}
