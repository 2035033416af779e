"""Run the independent JavaScript verifiers (tests/interop) on what the app serves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HARNESS = Path(__file__).resolve().parents[1] / "interop"
NODE = shutil.which("node")

needs_node = [
    pytest.mark.interop,
    pytest.mark.skipif(NODE is None, reason="node is not installed (needed for interop tests)"),
    pytest.mark.skipif(not (HARNESS / "node_modules").is_dir(),
                       reason="tests/interop/node_modules missing: run `npm ci` in tests/interop"),
]


def run_node(script: str, payload: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
    assert NODE is not None
    proc = subprocess.run(
        [NODE, str(HARNESS / script)], input=json.dumps(payload).encode("utf-8"),
        capture_output=True, timeout=timeout, cwd=HARNESS,
        env={**os.environ, "NODE_NO_WARNINGS": "1"}, check=False,
    )
    lines = proc.stdout.decode("utf-8").strip().splitlines()
    assert lines, f"{script} printed nothing; stderr: {proc.stderr.decode()[-2000:]}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def js_verify_di(credential: dict[str, Any], documents: dict[str, Any],
                 now: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"credential": credential, "documents": documents}
    if now:
        payload["now"] = now
    return run_node("verify-di.mjs", payload)


def js_verify_jwt(token: str, jwks: dict[str, Any], now: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"jwt": token, "jwks": jwks}
    if now:
        payload["now"] = now
    return run_node("verify-jwt.mjs", payload)


def public_documents(resolver: Any, credential: dict[str, Any]) -> dict[str, Any]:
    """The issuer controller document and the status list, fetched from the app itself; for
    a badge whose issuer Profile embeds network endorsements, also each endorsing network's
    document and status list (what a verifier of the embedded endorsements needs). Works for
    a bare EndorsementCredential too (its issuer is the network)."""
    docs: dict[str, Any] = {}
    signed: list[dict[str, Any]] = []
    for doc in [credential, *credential["issuer"].get("endorsement", [])]:
        signed.append(doc)
        issuer = doc["issuer"]["id"]
        docs[issuer] = resolver.fetch_json(issuer)
        status = doc.get("credentialStatus")
        if status:
            url = status["statusListCredential"]
            docs[url] = resolver.fetch_json(url)
            signed.append(docs[url])
    # a key the proof names at its own URL (a Multikey document, since 0014)
    for doc in signed:
        proofs = doc.get("proof") or []
        for proof in proofs if isinstance(proofs, list) else [proofs]:
            url = str(proof.get("verificationMethod", "")).partition("#")[0]
            if url.startswith("http") and url not in docs:
                docs[url] = resolver.fetch_json(url)
    return docs
