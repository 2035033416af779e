"""The share page reads this server's status lists — the issuer's and those of the networks
endorsing it — in its own session, by ETag: no request in process, nothing written, and a
revocation or a withdrawal still shows on the very next view."""

from __future__ import annotations

import html as htmllib
from typing import Any

import pytest

from badger import awards
from badger.db import get_db
from badger.networks import service as networks
from badger.resolver import LocalFirstResolver
from tests.portfolio import _factory
from tests.portfolio.test_shares import create_share, path_of


@pytest.fixture
def endorsed_creds(db: Any, make: Any, org: Any, admin: Any, participant: Any) -> list[Any]:
    return _factory.endorsed_badges(db, make, org, admin, participant, n=2)


@pytest.fixture
def local_paths(monkeypatch: Any) -> list[str]:
    """Paths the share page asks of this server in process (its resolver's local requests)."""
    paths: list[str] = []
    real = LocalFirstResolver._local_get

    def recorded(self: Any, url: str, path: str, accept: str) -> bytes:
        paths.append(path)
        return bytes(real(self, url, path, accept))

    monkeypatch.setattr(LocalFirstResolver, "_local_get", recorded)
    return paths


def _status_writes(app: Any) -> tuple[list[str], Any]:
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and (
            "status_lists" in sql
        ):
            seen.append(sql)

    return seen, listen


def test_share_page_reads_status_lists_in_session_and_shows_a_withdrawal_next_view(
    app: Any, db: Any, participant_client: Any, endorsed_creds: list[Any],
    local_paths: list[str]
) -> None:
    from sqlalchemy import event

    link = create_share(participant_client, endorsed_creds)
    anon = app.test_client()
    engine = get_db(app).engine
    writes, listen = _status_writes(app)
    event.listen(engine, "before_cursor_execute", listen)
    try:
        first = htmllib.unescape(anon.get(path_of(link)).get_data(as_text=True))
        assert first.count("Badge authentique") == 2
        assert "Reconnu par le réseau" in first and "ne recommande plus" not in first
        local_paths.clear()
        again = htmllib.unescape(anon.get(path_of(link)).get_data(as_text=True))
        assert again.count("Badge authentique") == 2
        # both lists came from the page's own session: nothing asked of the server in process
        assert [p for p in local_paths if "/status/" in p] == []
        assert writes == []  # no view wrote a status list

        networks.withdraw(db, networks.network_by_slug(db, "reseau-a"), "org-a", actor=None)
        db.commit()
        assert any("network_status_lists" in sql for sql in writes)  # signed by the withdrawal
        writes.clear()
        after = htmllib.unescape(anon.get(path_of(link)).get_data(as_text=True))
        assert after.count("Badge authentique") == 2  # the badges themselves are genuine
        assert ('<span dir="auto">Réseau régional A</span> ne recommande plus cet organisme.'
                in after)

        assert writes == []
        awards.revoke(db, endorsed_creds[0], "erreur de saisie")
        db.commit()
        writes.clear()
        revoked = htmllib.unescape(anon.get(path_of(link)).get_data(as_text=True))
        assert revoked.count("Badge authentique") == 1 and "Badge plus valable" in revoked
        assert writes == []
    finally:
        event.remove(engine, "before_cursor_execute", listen)
