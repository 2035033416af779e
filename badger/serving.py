"""Serving the app: one process with waitress, or several with gunicorn (``badger run``).

One process (``--workers 1``, the default) is waitress's threads, as always: portable, no fork.
Several processes (``--workers N``) are gunicorn's pre-forked workers, each with threads
(``gthread``): gunicorn is the long-kept, widely deployed WSGI server that runs and supervises N
processes on one socket (a worker that dies is replaced); waitress has no multi-process mode.
Each worker builds its own app after the fork (``app_factory``: no database connection or
thread crosses a fork), then ``on_start(app)`` runs in it — ``badger run`` starts the award-job
worker there (see :mod:`badger.awards.jobs`). State shared between the processes lives in the
database and, when ``BADGER_REDIS_URL`` is set, in Redis (:mod:`badger.cache`).

Forwarded headers are the app's business (``BADGER_TRUSTED_PROXIES``, ``ProxyFix``): gunicorn is
told to trust none of them itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

#: A worker taking longer than this on one request is restarted (seconds).
WORKER_TIMEOUT = 120


def serve(app_factory: Callable[[], Flask], *, host: str, port: int, workers: int = 1,
          threads: int = 8, on_start: Callable[[Flask], Any] | None = None,
          app: Flask | None = None) -> None:
    """Serve until stopped. ``app``: the already built app, used when ``workers`` is 1."""
    if workers <= 1:
        from waitress import serve as waitress_serve

        one = app or app_factory()
        if on_start is not None:
            on_start(one)
        waitress_serve(one, host=host, port=port, threads=threads, ident="badger")
        return
    _run_gunicorn(app_factory, on_start, gunicorn_options(host, port, workers, threads))


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn's settings for ``workers`` processes of ``threads`` threads."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": WORKER_TIMEOUT,
        "proc_name": "badger",
        "preload_app": False,
        "secure_scheme_headers": {},
        "forwarded_allow_ips": "127.0.0.1",
        "accesslog": None,
        # gunicorn 24+: no control socket (two instances on one machine would share its path)
        "control_socket_disable": True,
    }


def _run_gunicorn(factory: Callable[[], Flask], on_start: Callable[[Flask], Any] | None,
                  options: dict[str, Any]) -> None:
    """gunicorn embedded: ``options`` as its settings, an app built in each worker."""
    from gunicorn.app.base import BaseApplication  # Unix only: imported when asked for

    class Badger(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:  # settings of newer gunicorns are skipped
                    self.cfg.set(key, value)

        def load(self) -> Flask:
            app = factory()
            if on_start is not None:
                on_start(app)
            return app

    Badger().run()
