# ruff: noqa: S603, S607 - runs git, npm and node with arguments this script builds
"""Run the W3C / W3C-CCG conformance suites against a local badger (issue #14; not run in CI).

The four suites (VC-API issuer, VC-API verifier, Data Integrity EdDSA, VC Data Model 2.0) are
mocha projects that learn which servers to test from ``vc-test-suite-implementations``; a
``localConfig.cjs`` in a suite's folder makes it test only the implementations listed there.
This script fetches the suites at pinned commits (or takes copies with ``--sources``), installs
their npm dependencies (the two GitHub dependencies become local tarballs), starts badger on a
throw-away instance folder over loopback TLS (the suites' client accepts a self-signed
certificate; the Data Model suite sends no OAuth token over plain http), with the demo
organisation signing as did:key, writes each suite's ``localConfig.cjs``, runs mocha and prints
``suite: passed N / failed M / pending P``.

    python scripts/w3c_suites.py                       # clone from GitHub into ~/.cache/badger-w3c
    python scripts/w3c_suites.py --sources DIR --json results.json
    python scripts/w3c_suites.py --badger /path/to/other/checkout --only vc-api-verifier-test-suite

Every HTTP exchange badger served is written to ``<cache>/work/instance-*/http.jsonl`` (method,
path, status, the start of both bodies, the errors it names) to tell why a test failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: The repositories and the commits this script was last run with (README "W3C test suites").
#: The two VC-API suites moved from w3c-ccg to w3c; GitHub redirects the old names.
REPOS: dict[str, tuple[str, str]] = {
    "vc-api-issuer-test-suite": (
        "https://github.com/w3c-ccg/vc-api-issuer-test-suite",
        "4aa46e285c24cf1f5afa5bb808bb086a39524f22"),
    "vc-api-verifier-test-suite": (
        "https://github.com/w3c-ccg/vc-api-verifier-test-suite",
        "41541eeb9c31215d32403f4fe32bb441fbbf141e"),
    "vc-di-eddsa-test-suite": (
        "https://github.com/w3c/vc-di-eddsa-test-suite",
        "a62061b23892deb44dbad67a0315d403fdf09440"),
    "vc-data-model-2.0-test-suite": (
        "https://github.com/w3c/vc-data-model-2.0-test-suite",
        "6e075243825f50c79017de4a27089d329c093d0f"),
    # dependencies the suites name as github:…
    "vc-test-suite-implementations": (
        "https://github.com/w3c/vc-test-suite-implementations",
        "a15c6cf73e588f93a5b532a02c051ad7b59777ab"),
    "data-integrity-test-suite-assertion": (
        "https://github.com/w3c-ccg/data-integrity-test-suite-assertion",
        "8d84d182f022f02049135f7d1ad3d5d0181e5560"),
}
SUITES = ("vc-api-issuer-test-suite", "vc-api-verifier-test-suite",
          "vc-di-eddsa-test-suite", "vc-data-model-2.0-test-suite")
DEPENDENCIES = ("vc-test-suite-implementations", "data-integrity-test-suite-assertion")

#: What badger claims, as vc-test-suite-implementations tags: the VC-API suites select "vc-api",
#: the Data Model suite "vc2.0", the EdDSA suite "eddsa-rdfc-2022" (badger signs no JCS proof).
ISSUER_TAGS = ["vc-api", "vc2.0", "eddsa-rdfc-2022"]
VERIFIER_TAGS = ["vc-api", "vc2.0", "eddsa-rdfc-2022"]
VP_VERIFIER_TAGS = ["vc2.0"]
#: The organisation ``badger demo`` creates: it signs as did:key for the suites.
ORG = "sport-insertion-demo"
#: Name of the environment variable holding the integrator secret (the library reads it).
SECRET_ENV = "BADGER_W3C_CLIENT_SECRET"  # noqa: S105 - a variable name, not a secret


def local_config(base: str, issuer_id: str, oauth: dict[str, str] | None = None,
                 extra: dict[str, list[str]] | None = None) -> str:
    """The ``localConfig.cjs`` naming only this badger (vc-test-suite-implementations README,
    "Testing locally"); ``oauth`` = client id and token endpoint of an integrator client;
    ``extra`` = more tags per endpoint kind (issuers, verifiers, vpVerifiers) to try."""
    extra = extra or {}
    implementation: dict[str, Any] = {
        "name": "badger",
        "implementation": "badger (local)",
        "issuers": [{"id": issuer_id, "endpoint": f"{base}/credentials/issue",
                     "supports": {"vc": ["1.1", "2.0"]},
                     "tags": ISSUER_TAGS + extra.get("issuers", [])}],
        "verifiers": [{"id": f"{base}/credentials/verify",
                       "endpoint": f"{base}/credentials/verify",
                       "supports": {"vc": ["1.1", "2.0"]},
                       "tags": VERIFIER_TAGS + extra.get("verifiers", [])}],
        "vpVerifiers": [{"id": f"{base}/presentations/verify",
                         "endpoint": f"{base}/presentations/verify",
                         "tags": VP_VERIFIER_TAGS + extra.get("vpVerifiers", [])}],
    }
    if oauth:
        implementation["oauth2"] = {"clientId": oauth["client_id"], "clientSecret": SECRET_ENV,
                                    "tokenAudience": base,
                                    "tokenEndpoint": oauth["token_endpoint"]}
    config = {"settings": {"enableInteropTests": False, "testAllImplementations": False},
              "implementations": [implementation]}
    return ("// written by badger scripts/w3c_suites.py: test only the local badger\n"
            f"module.exports = {json.dumps(config, indent=2)};\n")


def summarise(results: dict[str, Any]) -> dict[str, int]:
    """Counts from a mocha JSON report (failed hooks count as failures, as mocha says)."""
    stats = results.get("stats", {})
    return {"passed": int(stats.get("passes", 0)), "failed": int(stats.get("failures", 0)),
            "pending": int(stats.get("pending", 0))}


def per_test(suite: str, results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per test: suite, full title, state and the assertion message of a failure."""
    rows = []
    for state, key in (("passed", "passes"), ("failed", "failures"), ("pending", "pending")):
        for test in results.get(key, []):
            err = test.get("err") or {}
            rows.append({"suite": suite, "title": test.get("fullTitle", test.get("title")),
                         "state": state, "error": err.get("message")})
    return rows


# ---- sources and npm ------------------------------------------------------------------------

def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
        log: Path | None = None) -> None:
    """Run a command; its output goes to ``log`` (shown when it fails)."""
    out = log.open("w") if log else None
    try:
        done = subprocess.run(cmd, cwd=cwd, env=env, stdout=out or None,
                              stderr=subprocess.STDOUT if out else None, check=False)
    finally:
        if out:
            out.close()
    if done.returncode:
        tail = log.read_text()[-3000:] if log else ""
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{tail}")


def fetch_sources(cache: Path) -> Path:
    """Clone each repository at its pinned commit into ``cache/src`` (once)."""
    src = cache / "src"
    src.mkdir(parents=True, exist_ok=True)
    for name, (url, commit) in REPOS.items():
        target = src / name
        if not (target / "package.json").exists():
            run(["git", "clone", "--quiet", url, str(target)])
        run(["git", "-C", str(target), "checkout", "--quiet", commit])
    return src


def prepare(src: Path, work: Path) -> None:
    """Copy each suite into ``work``, point its GitHub dependencies at local tarballs of
    ``src``'s copies, and ``npm install`` (once per copy: remove ``work`` to start afresh)."""
    tgz = work / "tgz"
    tgz.mkdir(parents=True, exist_ok=True)
    tarballs = {}
    for dep in DEPENDENCIES:
        version = json.loads((src / dep / "package.json").read_text())["version"]
        tarball = tgz / f"{dep}-{version}.tgz"
        if not tarball.exists():
            run(["npm", "pack", "--silent", str((src / dep).resolve())], cwd=tgz,
                log=work / f"pack-{dep}.log")
        tarballs[dep] = tarball
    for suite in SUITES:
        target = work / suite
        if (target / "node_modules" / ".badger-installed").exists():
            continue
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(src / suite, target, ignore=shutil.ignore_patterns(".git", "node_modules"))
        manifest = json.loads((target / "package.json").read_text())
        for dep, spec in manifest.get("dependencies", {}).items():
            if str(spec).startswith("github:"):
                manifest["dependencies"][dep] = f"file:{tarballs[dep]}"
        manifest.pop("devDependencies", None)  # linters only
        (target / "package.json").write_text(json.dumps(manifest, indent=2))
        print(f"npm install {suite} …", flush=True)
        run(["npm", "install", "--no-audit", "--no-fund", "--omit=dev"], cwd=target,
            log=work / f"npm-{suite}.log")
        (target / "node_modules" / ".badger-installed").touch()


# ---- badger ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_badger(instance: Path, port: int, info: Path) -> None:
    """(Child process, run with badger on sys.path.) Initialise an instance with the demo
    data, make the demo organisation sign as did:key, create an integrator client when this
    badger has them, write what the suites need to ``info``, then serve over loopback TLS."""
    import ssl

    from werkzeug.serving import make_server

    from badger import create_app

    base = f"https://127.0.0.1:{port}"
    os.environ.update({"BADGER_BASE_URL": base, "BADGER_KEYS_DIR": str(instance / "keys"),
                       "BADGER_DATABASE_URL": f"sqlite:///{instance / 'badger.sqlite'}",
                       "BADGER_VERIFY_RATE_LIMIT": "100000 per minute",
                       "BADGER_LOGIN_RATE_LIMIT": "100000 per minute"})
    app = create_app({"INSTANCE_PATH": str(instance)})
    cli = app.test_cli_runner()

    def invoke(*args: str) -> str:
        result = cli.invoke(args=list(args))
        if result.exit_code:
            raise SystemExit(f"badger {' '.join(args)} failed:\n{result.output}\n"
                             f"{result.exception!r}")
        return str(result.output)

    invoke("init")
    invoke("demo")
    shown = invoke("keys", "identifier", "--org", ORG, "--use", "did:key")
    issuer_id = re.search(r"did:key:\w+", shown)
    if issuer_id is None:
        raise SystemExit(f"no did:key in: {shown}")
    details = {"base": base, "issuer_id": issuer_id.group(0),
               "oauth": integrator_client(app, invoke, base)}
    cert, key = tls_files(instance)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    app.wsgi_app = HttpLog(app.wsgi_app, instance / "http.jsonl")  # type: ignore[method-assign]
    server = make_server("127.0.0.1", port, app, threaded=True, ssl_context=context)
    info.write_text(json.dumps(details))
    server.serve_forever()


def integrator_client(app: Any, invoke: Any, base: str) -> dict[str, str] | None:
    """An OAuth client-credentials integrator for ``POST /credentials/issue``, when this badger
    has the ``integrators`` commands (README "VC-API: issuing"); None before that."""
    if "integrators" not in app.cli.commands:
        return None
    shown = invoke("integrators", "create", "--org", ORG, "--name", "W3C test suites")
    client_id = re.search(r"client[_ ]id\W+(\S+)", shown, re.IGNORECASE)
    secret = re.search(r"client[_ ]secret\W+(\S+)", shown, re.IGNORECASE)
    endpoint = re.search(r"token endpoint\W+(https?://\S+)", shown, re.IGNORECASE)
    if not (client_id and secret):
        raise SystemExit(f"could not read the client id and secret in: {shown}")
    return {"client_id": client_id.group(1), "client_secret": secret.group(1),
            "token_endpoint": endpoint.group(1) if endpoint
            else f"{base}/integrators/oauth/token"}


def tls_files(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (one day) and its key."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "tls.crt", folder / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class HttpLog:
    """WSGI middleware writing one JSON line per exchange: what the suite sent, what badger
    answered (bodies cut at 600 characters)."""

    def __init__(self, app: Any, path: Path) -> None:
        self.app, self.path = app, path

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        import io

        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size) if size else b""
        environ["wsgi.input"] = io.BytesIO(body)
        seen: dict[str, Any] = {}

        def start(status: str, headers: Any, exc_info: Any = None) -> Any:
            seen["status"] = status
            return start_response(status, headers, exc_info)

        chunks = list(self.app(environ, start))
        answer = b"".join(chunks)
        with self.path.open("a") as log:
            log.write(json.dumps({
                "t": time.time(), "method": environ["REQUEST_METHOD"],
                "path": environ.get("PATH_INFO"), "status": seen.get("status"),
                "request": body[:600].decode("utf-8", "replace"),
                "response": answer[:600].decode("utf-8", "replace"),
                "errors": top_errors(answer)}) + "\n")
        return chunks


def top_errors(answer: bytes) -> list[str] | None:
    """The ``errors`` (or ``error``) a JSON answer has at its top level, as "code: message":
    the one-line why."""
    try:
        data = json.loads(answer)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    errors = data.get("errors")
    if isinstance(data.get("error"), dict):  # badger's other error shape
        errors = [data["error"]]
    if not isinstance(errors, list):
        return None
    return [f"{e.get('code')}: {e.get('message')}" if isinstance(e, dict) else str(e)
            for e in errors]


@contextlib.contextmanager
def badger_server(badger_dir: Path, work: Path, python: str) -> Iterator[dict[str, Any]]:
    """Start badger (from ``badger_dir``) in a child process; yield what it wrote to info."""
    for old in work.glob("instance-*"):  # the previous run's, kept until now for its log
        shutil.rmtree(old, ignore_errors=True)
    instance = Path(tempfile.mkdtemp(prefix="instance-", dir=work))
    info, port = instance / "info.json", free_port()
    env = {**os.environ, "PYTHONPATH": str(badger_dir), "BADGER_ENV": "development"}
    for name in ("BADGER_DATABASE_URL", "BADGER_REDIS_URL", "BADGER_SECRET_KEY"):
        env.pop(name, None)
    log = (instance / "server.log").open("w")
    child = subprocess.Popen(
        [python, str(Path(__file__).resolve()), "--serve", str(instance), str(port), str(info)],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while not info.exists():
            if child.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"badger did not start:\n{(instance / 'server.log').read_text()[-3000:]}")
            time.sleep(0.5)
        details = json.loads(info.read_text())
        details["instance"] = str(instance)
        yield details
    finally:
        child.terminate()
        child.wait(timeout=30)
        log.close()


# ---- suites ---------------------------------------------------------------------------------

#: A mocha root hook noting when each test starts, to tell which test sent which request.
TIMELINE_HOOK = """// written by badger scripts/w3c_suites.py
const fs = require('fs');
exports.mochaHooks = {beforeEach() {
  fs.appendFileSync(process.env.BADGER_TIMELINE, JSON.stringify(
    {t: Date.now() / 1000, title: this.currentTest.fullTitle()}) + '\\n');
}};
"""


def attach_exchanges(rows: list[dict[str, Any]], timeline: Path, http_log: Path,
                     since: float) -> None:
    """Give each failed row the exchanges badger served between its start and the next test's
    (a describe block's "before all" requests land on the test before it)."""
    starts = [json.loads(line) for line in timeline.read_text().splitlines()] \
        if timeline.exists() else []
    exchanges = [json.loads(line) for line in http_log.read_text().splitlines()] \
        if http_log.exists() else []
    by_title: dict[str, list[str]] = {}
    for exchange in exchanges:
        if exchange["t"] < since:
            continue
        owner = "(before the first test)"
        for start in starts:
            if start["t"] <= exchange["t"]:
                owner = start["title"]
        why = ("errors " + " | ".join(exchange["errors"])) if exchange.get("errors") \
            else exchange["response"][:300]
        by_title.setdefault(owner, []).append(
            f"{exchange['method']} {exchange['path']} -> {exchange['status']}: {why}")
    for row in rows:
        if row["state"] == "failed":
            row["exchanges"] = by_title.get(row["title"], [])[:6]

def run_suite(suite_dir: Path, details: dict[str, Any]) -> dict[str, Any]:
    """Write the suite's localConfig.cjs, run mocha with a JSON reporter, return its report."""
    (suite_dir / "localConfig.cjs").write_text(
        local_config(details["base"], details["issuer_id"], details.get("oauth"),
                     details.get("extra_tags")))
    report, timeline = suite_dir / "mocha.json", suite_dir / "timeline.jsonl"
    report.unlink(missing_ok=True)
    timeline.unlink(missing_ok=True)
    (suite_dir / "badger-hooks.cjs").write_text(TIMELINE_HOOK)
    env = {**os.environ, "APP_ROOT_PATH": str(suite_dir), "NODE_TLS_REJECT_UNAUTHORIZED": "0",
           "BADGER_TIMELINE": str(timeline)}
    if details.get("oauth"):
        env[SECRET_ENV] = details["oauth"]["client_secret"]
    with (suite_dir / "mocha.log").open("w") as log:
        subprocess.run(
            ["node", "node_modules/mocha/bin/mocha.js", "tests/", "--timeout", "15000",
             "--preserve-symlinks", "--require", "./badger-hooks.cjs", "--reporter", "json",
             "--reporter-option", f"output={report}"],
            cwd=suite_dir, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    if not report.exists():
        return {"stats": {"failures": 1},
                "failures": [{"fullTitle": "mocha did not run",
                              "err": {"message": (suite_dir / "mocha.log").read_text()[-2000:]}}]}
    return dict(json.loads(report.read_text()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path,
                        help="folder with the six repositories already fetched (by name)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "badger-w3c",
                        help="where clones and installed suites are kept (default %(default)s)")
    parser.add_argument("--badger", type=Path, default=ROOT,
                        help="the badger checkout to serve (default: this one)")
    parser.add_argument("--python", default=sys.executable, help="python with badger's deps")
    parser.add_argument("--only", action="append", choices=SUITES, help="run only these")
    parser.add_argument("--json", type=Path, help="write per-test results here")
    parser.add_argument("--tag", action="append", default=[], metavar="KIND=TAG",
                        help="claim one more tag, e.g. verifiers=EnvelopingProof "
                             "(KIND: issuers, verifiers, vpVerifiers)")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_badger(Path(args.serve[0]), int(args.serve[1]), Path(args.serve[2]))
        return 0
    src = args.sources.resolve() if args.sources else fetch_sources(args.cache)
    work = args.cache.resolve() / "work"
    prepare(src, work)
    totals = {"passed": 0, "failed": 0, "pending": 0}
    rows: list[dict[str, Any]] = []
    extra: dict[str, list[str]] = {}
    for claim in args.tag:
        kind, _, tag = claim.partition("=")
        if kind not in ("issuers", "verifiers", "vpVerifiers") or not tag:
            parser.error(f"--tag {claim}: expected issuers|verifiers|vpVerifiers=TAG")
        extra.setdefault(kind, []).append(tag)
    with badger_server(args.badger.resolve(), work, args.python) as details:
        details["extra_tags"] = extra
        print(f"badger at {details['base']}, issuer {details['issuer_id']}, "
              f"integrator client: {'yes' if details.get('oauth') else 'none yet'}", flush=True)
        http_log = Path(details["instance"]) / "http.jsonl"
        for suite in args.only or SUITES:
            since = time.time()
            results = run_suite(work / suite, details)
            counts = summarise(results)
            for key in totals:
                totals[key] += counts[key]
            suite_rows = per_test(suite, results)
            attach_exchanges(suite_rows, work / suite / "timeline.jsonl", http_log, since)
            rows += suite_rows
            print(f"{suite}: passed {counts['passed']} / failed {counts['failed']} / "
                  f"pending {counts['pending']}", flush=True)
    print(f"total: passed {totals['passed']} / failed {totals['failed']} / "
          f"pending {totals['pending']}")
    print(f"HTTP exchanges: {http_log}")
    if args.json:
        args.json.write_text(json.dumps({"totals": totals, "tests": rows}, indent=1))
    return 1 if totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
