"""The Alembic history builds the schema from empty, and matches the models (alembic check)."""

from __future__ import annotations

import os
import secrets

from sqlalchemy import create_engine, inspect, text

from badger import create_app, migrate
from badger.db import Base
from tests.conftest import _normalise_pg, _postgres_url


def _fresh_url(tmp_path):
    base = os.environ.get("BADGER_TEST_DATABASE_URL")
    if base and base.startswith("postgres"):
        base = _normalise_pg(base)
        schema = f"badger_mig_{secrets.token_hex(4)}"
        engine = create_engine(base)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        return _postgres_url(base, schema), lambda: _drop(engine, schema)
    return f"sqlite:///{tmp_path}/migrated.sqlite", lambda: None


def _drop(engine, schema):
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_migrations_upgrade_from_empty_and_match_models(tmp_path):
    url, cleanup = _fresh_url(tmp_path)
    try:
        app = create_app(
            {"BADGER_DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path), "TESTING": True}
        )
        with app.app_context():
            migrate.upgrade(app)
            tables = set(inspect(app.extensions["badger.db"].engine).get_table_names())
            assert {t.name for t in Base.metadata.sorted_tables} <= tables
            migrate.check(app)  # raises if models and migrations disagree
        app.extensions["badger.db"].engine.dispose()
    finally:
        cleanup()
