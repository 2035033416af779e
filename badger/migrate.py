"""Alembic, driven from the app: one code path for `badger init`, `badger db upgrade` and tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from flask import Flask

from badger import resource_dir


def alembic_config(app: Flask) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resource_dir("migrations")))
    cfg.set_main_option("sqlalchemy.url", app.config["BADGER_DATABASE_URL"].replace("%", "%%"))
    cfg.attributes["engine"] = app.extensions["badger.db"].engine
    return cfg


def upgrade(app: Flask, revision: str = "head") -> None:
    command.upgrade(alembic_config(app), revision)


def check(app: Flask) -> None:
    """Raise if the models and the migrations disagree (``alembic check``)."""
    command.check(alembic_config(app))
