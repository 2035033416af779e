"""scripts/w3c_suites.py's own parts: the localConfig.cjs node reads, the HTTP log and the
attribution of exchanges to failed tests (the suites themselves are not run here)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "w3c_suites.py"
spec = importlib.util.spec_from_file_location("w3c_suites", SCRIPT)
assert spec is not None and spec.loader is not None
w3c: Any = importlib.util.module_from_spec(spec)
spec.loader.exec_module(w3c)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_local_config_is_read_by_node_and_names_only_the_secret_variable(tmp_path: Path) -> None:
    oauth = {"client_id": "cid", "client_secret": "s3cr3t-value",
             "token_endpoint": "https://127.0.0.1:9/oauth/token"}
    path = tmp_path / "localConfig.cjs"
    path.write_text(w3c.local_config("https://127.0.0.1:9", "did:key:z6Mkx", oauth))
    assert "s3cr3t-value" not in path.read_text()
    out = subprocess.run(["node", "-e", f"console.log(JSON.stringify(require({str(path)!r})))"],
                         capture_output=True, text=True, check=True).stdout
    config = json.loads(out)
    assert config["settings"] == {"enableInteropTests": False, "testAllImplementations": False}
    [impl] = config["implementations"]
    [issuer], [verifier], [vp] = impl["issuers"], impl["verifiers"], impl["vpVerifiers"]
    assert issuer["id"] == "did:key:z6Mkx"
    assert issuer["endpoint"] == "https://127.0.0.1:9/credentials/issue"
    assert {"vc-api", "vc2.0", "eddsa-rdfc-2022"} <= set(issuer["tags"])
    assert verifier["endpoint"] == "https://127.0.0.1:9/credentials/verify"
    assert vp["endpoint"] == "https://127.0.0.1:9/presentations/verify"
    assert impl["oauth2"] == {"clientId": "cid", "clientSecret": w3c.SECRET_ENV,
                              "tokenAudience": "https://127.0.0.1:9",
                              "tokenEndpoint": "https://127.0.0.1:9/oauth/token"}


def test_http_log_keeps_the_body_for_the_app_and_attributes_exchanges(tmp_path: Path) -> None:
    app = Flask(__name__)

    @app.post("/credentials/verify")
    def verify() -> tuple[dict[str, Any], int]:
        n = request.get_json()["n"]
        return {"errors": [{"code": "holder", "message": f"refused {n}"}], "seen": n}, 422

    log = tmp_path / "http.jsonl"
    app.wsgi_app = w3c.HttpLog(app.wsgi_app, log)  # type: ignore[method-assign]
    client = app.test_client()
    timeline = tmp_path / "timeline.jsonl"
    rows: list[dict[str, Any]] = []
    for n, title in enumerate(["first", "second"]):
        with timeline.open("a") as f:
            f.write(json.dumps({"t": time.time(), "title": title}) + "\n")
        assert client.post("/credentials/verify", json={"n": n}).get_json()["seen"] == n
        rows.append({"title": title, "state": "failed" if n else "passed"})
    w3c.attach_exchanges(rows, timeline, log, since=0)
    assert "exchanges" not in rows[0]
    [exchange] = rows[1]["exchanges"]
    assert exchange == ("POST /credentials/verify -> 422 UNPROCESSABLE ENTITY: "
                        "errors holder: refused 1")
