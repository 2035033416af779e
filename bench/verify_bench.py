"""Verify API throughput on one core (issue #7): Data Integrity JSON credentials per second.

Run: .venv/bin/python bench/verify_bench.py [--seconds 5] [--profile]
Target: ≥ 150 credentials/s on one core through ``POST /credentials/verify``.

Three figures, each on distinct credentials (no result cache can help):
* library: ``badger.ob3.verify_credential`` alone, no status entry;
* API: ``POST /credentials/verify`` through the WSGI test client, same credentials;
* API + status list: badger-style credentials whose status list is answered in process by the
  local-first resolver (the list credential's own proof is verified each time).
``--profile`` prints where the time goes (expected: pyld canonicalisation, PITFALLS §5).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from badger.ob3 import StaticResolver, generate_key, model, sign, statuslist, verify_credential
from badger.ob3.dids import controller_document
from badger.ob3.keys import KeyAlgorithm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pin_one_core

TARGET = 150.0
ISSUER = "https://badges.example.fr/issuers/bench"
LIST_URL = "http://localhost/bench/status/1"
CREATED = datetime(2025, 1, 1, tzinfo=UTC)




def _credential(i: int, key: Any, status: dict[str, Any] | None = None) -> dict[str, Any]:
    ach = model.achievement(
        f"https://badges.example.fr/achievements/{i % 50}",
        name=f"Compétence n°{i % 50}",
        description="Accueillir et orienter le public d'une structure d'insertion.",
        criteria_narrative="Observé en situation par un encadrant.",
        alignments=[
            model.alignment(
                target_name="Accueil",
                target_url="https://case.example.org/uri/1234",
                target_type="CFItem",
            )
        ],
    )
    subject = model.achievement_subject(
        achievement=ach, identifiers=[model.identity_object(f"p{i}@example.fr")]
    )
    vc = model.open_badge_credential(
        id=model.new_urn_uuid(),
        issuer=model.profile(ISSUER, name="Association Passerelles"),
        credential_subject=subject,
        valid_from="2025-01-01T00:00:00Z",
        name=f"Badge {i}",
        credential_status=status,
    )
    return sign(vc, key, f"{ISSUER}#{key.public_key_multibase()}", created=CREATED)


def _rate(fn: Any, items: list[Any], seconds: float) -> float:
    fn(items[0])  # warm-up (contexts, schema)
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn(items[done % len(items)])
        done += 1
    return done / (time.perf_counter() - start)


def _line(label: str, rate: float, ok: bool | None) -> None:
    verdict = "" if ok is None else ("OK" if ok else "MISSED")
    print(f"{label:<52} {rate:8.1f} /s   target ≥ {TARGET:g}/s {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    print(f"verify bench — {pin_one_core()}")
    key = generate_key(KeyAlgorithm.ED25519)
    resolver = StaticResolver({ISSUER: controller_document(ISSUER, [key])})
    plain = [_credential(i, key) for i in range(args.n)]

    def lib(c: dict[str, Any]) -> None:
        assert verify_credential(c, resolver=resolver).verified

    lib_rate = _rate(lib, plain, args.seconds)
    _line("library verify_credential (DI JSON)", lib_rate, None)

    from badger import create_app
    from badger.verification import views  # noqa: F401 - registers the routes

    tmp = tempfile.mkdtemp(prefix="verify-bench-")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-" + "x" * 40,
            "BADGER_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite",
            "INSTANCE_PATH": tmp,
            "BADGER_VERIFY_RATE_LIMIT": "1000000 per minute",
            "BADGER_BASE_URL": "http://localhost",
            "RATELIMIT_ENABLED": False,
        }
    )
    app.extensions["badger.web_resolver"] = resolver
    bits = statuslist.new_bitstring()
    list_doc = statuslist.build_status_list_credential(
        list_url=LIST_URL, issuer=ISSUER, purpose="revocation", bits=bits, valid_from=CREATED
    )
    signed_list = sign(list_doc, key, f"{ISSUER}#{key.public_key_multibase()}", created=CREATED)

    @app.route("/bench/status/1")
    def _status() -> Any:
        return signed_list

    client = app.test_client()

    def api(c: dict[str, Any]) -> None:
        r = client.post("/credentials/verify", json={"verifiableCredential": c})
        assert r.status_code == 200, r.get_json()

    api_rate = _rate(api, plain, args.seconds)
    _line("POST /credentials/verify (DI JSON)", api_rate, api_rate >= TARGET)
    with_status = [
        _credential(
            i, key, statuslist.status_entry(list_url=LIST_URL, index=i + 10, purpose="revocation")
        )
        for i in range(args.n)
    ]
    status_rate = _rate(api, with_status, args.seconds)
    _line("POST /credentials/verify (DI JSON + status list)", status_rate, None)

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for c in plain[:100]:
            api(c)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(25)
    if api_rate < TARGET:
        print(
            f"MISSED: {api_rate:.0f}/s < {TARGET:g}/s. Profile with --profile: the time is in "
            "pyld RDF canonicalisation (document + proof options, PITFALLS §5) and the JSON-LD "
            "undefined-term expansion; see the README for options."
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
