"""The demo gives the coach a ready session on the APELS grid (when it is loaded)."""

from __future__ import annotations

from sqlalchemy import select

from badger.demo import ensure_demo
from badger.grids import cli
from badger.grids.models import GroupSession, Round
from tests.grids._factory import published_version


def test_demo_session_is_created_once(app, db):
    version = published_version(db)
    version.referentiel.key = cli.DEMO_REFERENTIEL_KEY
    db.commit()
    demo = ensure_demo(db)
    db.commit()
    cli.on_demo(db, app, demo)
    db.commit()
    cli.on_demo(db, app, demo)
    db.commit()
    sessions = db.execute(select(GroupSession)).scalars().all()
    assert len(sessions) == 1 and len(sessions[0].participants) == 5
    rounds = db.execute(select(Round)).scalars().all()
    assert len(rounds) == 5 and all(len(r.items) == 17 for r in rounds)


def test_demo_without_the_referentiel_is_skipped(app, db):
    demo = ensure_demo(db)
    db.commit()
    cli.on_demo(db, app, demo)
    assert db.execute(select(GroupSession)).first() is None
