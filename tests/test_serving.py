"""``badger run --workers N``: N gunicorn processes on one port, each with its own app (and its
award-job worker); one process is waitress, as before."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

import badger
from badger import serving
from badger.cli import run_command
from tests.conftest import TEST_SECRET, _free_port


def test_gunicorn_settings() -> None:
    options = serving.gunicorn_options("127.0.0.1", 8000, workers=3, threads=4)
    assert options["bind"] == "127.0.0.1:8000" and options["workers"] == 3
    assert options["worker_class"] == "gthread" and options["threads"] == 4
    assert options["preload_app"] is False  # each worker builds its own app after the fork
    assert options["secure_scheme_headers"] == {}  # forwarded headers: BADGER_TRUSTED_PROXIES
    assert serving.gunicorn_options("::1", 80, 2, 1)["bind"] == "[::1]:80"


def test_run_offers_workers(app: Any) -> None:
    result = CliRunner().invoke(run_command, ["--help"])
    assert result.exit_code == 0 and "--workers" in result.output


def test_run_with_two_workers_serves_from_two_processes(
    app: Any, app_config: dict[str, Any], database_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    root = str(Path(badger.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
        "BADGER_DATABASE_URL": database_url,
        "BADGER_SECRET_KEY": TEST_SECRET,
        "BADGER_KEY_PASSPHRASE": app_config["BADGER_KEY_PASSPHRASE"],
        "BADGER_KEYS_DIR": app_config["BADGER_KEYS_DIR"],
        "BADGER_REDIS_URL": "",
    }
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", "from badger.cli import main; main()", "run", "--port", str(port),
         "--workers", "2", "--threads", "2"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        status = None
        for _ in range(600):
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/login", timeout=30).status_code
                break
            except httpx.TransportError:
                assert process.poll() is None, (tmp_path / "run.log").read_text()
                time.sleep(0.1)
        assert status == 200
        for _ in range(100):
            if (tmp_path / "run.log").read_text().count("Booting worker") == 2:
                break
            time.sleep(0.1)
        text = (tmp_path / "run.log").read_text()
        assert "2 processes" in text and text.count("Booting worker") == 2, text
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
