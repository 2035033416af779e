"""badger: an Open Badges 3.0 issuer and competence-portfolio server.

``create_app`` is the only way the web app, the CLI and the tests get an application.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from flask import Flask
from flask.typing import ResponseReturnValue
from werkzeug.middleware.proxy_fix import ProxyFix

__version__ = "0.1.0"

#: Domain packages, in their true dependency order: each imports only those before it
#: (tests/test_layers.py checks it, README "Architecture"). Each may provide ``views.bp`` (a
#: blueprint), ``views.init_app(app)``, ``cli.commands`` (click commands),
#: ``cli.on_init(session, app)`` and ``cli.on_demo(session, app, demo)`` hooks, all run in this
#: order (see README, "Conventions for contributors").
DOMAINS = (
    "networks",
    "accounts",
    "notifications",
    "referentiels",
    "grids",
    "awards",
    "verification",
    "holders",
    "wallet",
    "portfolio",
    "paper",
    "outcomes",
    "jobs",
    "api",
    "integrators",
)


def resource_dir(name: str) -> Path:
    """Find a top-level folder (templates, static, migrations, referentiels).

    In a checkout or an editable install they sit beside the package; a wheel installs
    them inside it (see ``[tool.setuptools.package-dir]`` in pyproject.toml).
    """
    packaged = Path(__file__).resolve().parent / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name


def domain_module(domain: str, module: str) -> Any:
    """Import ``badger.<domain>.<module>`` if that module exists, else None."""
    name = f"badger.{domain}.{module}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name in {name, f"badger.{domain}"}:
            return None
        raise


class BadgerFlask(Flask):
    """Flask with one transaction per request: a view's writes are committed or rolled back
    here, once, by what it answered (see :mod:`badger.db`)."""

    def dispatch_request(self) -> ResponseReturnValue:
        # Imported here, as in create_app: the package's own module level imports nothing of
        # badger (it runs before any badger.<x>; see PERMANENT_FUNCTION_IMPORTS in
        # tests/test_layers.py).
        from badger import db

        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            db.abandon_request_transaction()
            raise
        try:
            db.end_request_transaction(response.status_code)
        except BaseException:
            db.abandon_request_transaction()
            raise
        return response


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides settings read from the environment."""
    # The app's parts are imported here, not at module level: this module runs first on any
    # ``import badger.<x>`` (the ob3 library would load the database layer and every domain),
    # and badger.models and badger.cli import names from it (true cycles).
    # tests/test_layers.py lists these imports, and only these (PERMANENT_FUNCTION_IMPORTS).
    from badger import db, errors, guards, i18n, security, templating
    from badger.config import load_config

    app = BadgerFlask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
        instance_relative_config=True,
    )
    instance = Path((config or {}).get("INSTANCE_PATH") or app.instance_path).absolute()
    # every file under "the instance folder" (secret, pictograms…) follows the configured one
    app.instance_path = str(instance)
    app.config.from_mapping(load_config(instance, config))

    import badger.models  # noqa: F401 - registers every table on Base.metadata

    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    guards.init_app(app)
    templating.init_app(app)

    from badger import cli

    for command in cli.commands:
        app.cli.add_command(command)
    for domain in DOMAINS:
        views = domain_module(domain, "views")
        if views is not None and hasattr(views, "bp"):
            app.register_blueprint(views.bp)
        if views is not None and hasattr(views, "init_app"):
            views.init_app(app)
        commands = domain_module(domain, "cli")
        for command in getattr(commands, "commands", ()):
            app.cli.add_command(command)
    proxies = int(app.config.get("BADGER_TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Behind N reverse proxies the client address is the Nth X-Forwarded-For from the right:
        # rate limits and logs must see the visitor, not the proxy. Never trusted by default
        # (anyone can send the header). Host is not taken from headers: BADGER_BASE_URL is.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_port=0, x_prefix=0
        )
    return app
