"""``badger purge``: old login codes, staff links and dead OAuth rows go; live ones, share links
and everything a person needs stay; ``--dry-run`` deletes nothing; the output is in French."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from badger import maintenance
from badger.accounts import service as accounts
from badger.accounts.models import ActionToken, LoginCode, TokenPurpose
from badger.api.models import AccessToken, OAuthClient
from badger.db import utcnow
from badger.portfolio.models import Share

DAY = timedelta(days=1)


def _count(db: Any, model: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _rows(db: Any, make: Any, org: Any, coach: Any, participant: Any) -> dict[str, Any]:
    """Old and recent rows of each kind; returns the ids that must stay."""
    now = utcnow()
    long_ago, lately = now - 40 * DAY, now - 10 * DAY
    make.login_code(participant)
    make.login_code(participant)  # issuing a code marks the earlier one used
    codes = list(db.scalars(select(LoginCode).order_by(LoginCode.id)))
    codes[0].expires_at = long_ago  # used and expired long ago: goes
    codes[1].expires_at = lately  # expired recently: stays
    live = accounts.issue_login_code(db, participant, minutes=30).login_code  # live: stays
    accounts.issue_action_token(db, coach, TokenPurpose.INVITE)
    accounts.issue_action_token(db, coach, TokenPurpose.PASSWORD_RESET)
    links = list(db.scalars(select(ActionToken).order_by(ActionToken.id)))
    links[0].expires_at = long_ago  # goes
    db.add(
        Share(
            organisation_id=org.id,
            participant_id=participant.id,
            token_hash=uuid.uuid4().hex,
            label="Ancien recruteur",
            expires_at=long_ago - 365 * DAY,
        )
    )
    client = OAuthClient(
        client_id=uuid.uuid4().hex,
        secret_hash="x",
        client_name="Portefeuille",
        client_uri="",
        logo_uri="",
        tos_uri="",
        policy_uri="",
        software_id="",
        software_version="",
        scope="",
        issued_at=now,
    )
    db.add(client)
    db.flush()
    for expires in (long_ago, now + DAY):
        db.add(
            AccessToken(
                token_hash=uuid.uuid4().hex,
                client_id=client.id,
                participant_id=participant.id,
                organisation_id=org.id,
                scope="",
                expires_at=expires,
            )
        )
    db.commit()
    return {
        "login_codes": {codes[1].id, live.id},
        "action_tokens": {links[1].id},
    }


def test_purge_keeps_live_rows_and_what_people_need(
    db: Any, make: Any, org: Any, coach: Any, participant: Any
) -> None:
    kept = _rows(db, make, org, coach, participant)
    counts = maintenance.purge(db, dry_run=True)
    assert counts["accounts.login_codes"] == 1
    assert counts["accounts.action_tokens"] == 1
    assert counts["api.access_tokens"] == 1
    assert _count(db, LoginCode) == 3 and _count(db, ActionToken) == 2

    assert maintenance.purge(db) == counts
    db.commit()
    assert set(db.scalars(select(LoginCode.id))) == kept["login_codes"]
    assert set(db.scalars(select(ActionToken.id))) == kept["action_tokens"]
    assert _count(db, AccessToken) == 1
    assert _count(db, Share) == 1  # share links are the participant's record: never purged
    assert not any(maintenance.purge(db).values())


def test_cli_dry_run_then_purge(
    app: Any, db: Any, make: Any, org: Any, coach: Any, participant: Any
) -> None:
    _rows(db, make, org, coach, participant)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "codes de connexion des participants : 1" in result.output
    assert "jetons d'accès OAuth : 1" in result.output
    assert "Simulation : 3 ligne(s) à supprimer, rien n'a été supprimé." in result.output
    db.expire_all()
    assert _count(db, LoginCode) == 3 and _count(db, AccessToken) == 2

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "liens d'invitation et de réinitialisation (équipe) : 1" in result.output
    assert result.output.rstrip().endswith("3 ligne(s) supprimée(s).")
    db.expire_all()
    assert _count(db, LoginCode) == 2 and _count(db, AccessToken) == 1

    result = runner.invoke(args=["purge"])
    assert result.output.rstrip().endswith("0 ligne(s) supprimée(s).")
