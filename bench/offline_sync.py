"""Speed of the offline sync (issue #16): a coach's phone comes back online with a whole
12 participants × 17 competences sheet queued, and sends it in one request.
Run: .venv/bin/python bench/offline_sync.py
Target: ≤ 1 s measured at the client over HTTP (a live server on 127.0.0.1, CSRF on, login by
the real form, SQLite in a temporary file), for the first sync of a sheet (204 new scores), for a
second one changing every score on the versions the first answered, and for the levels agreed
on every participant's comparison while offline (204 agreements, the device saw none).
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pin_one_core

SESSIONS = 5
PEOPLE, AXES = 12, 17
TARGET_MS = 1000.0


def _app() -> tuple[Any, list[dict[str, Any]]]:
    """An app with SESSIONS group sessions of 12 × 17, and what to sync for each."""
    from sqlalchemy import create_engine

    import badger.models  # noqa: F401
    from badger import create_app, grids
    from badger.accounts import service as accounts
    from badger.accounts.models import Role
    from badger.db import Base, get_db
    from badger.networks.models import Organisation
    from badger.referentiels.models import Competence, Referentiel, ReferentielVersion

    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/bench.sqlite"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app(
        {
            "SECRET_KEY": "bench-" + "x" * 40,
            "BADGER_DATABASE_URL": url,
            "INSTANCE_PATH": tmp,
            "BADGER_KEYS_DIR": f"{tmp}/keys",
            "BADGER_KEY_PASSPHRASE": "bench-passphrase-0123456789",
            "BADGER_BASE_URL": "http://127.0.0.1",
        }
    )
    sheets = []
    with app.app_context():
        db = get_db(app).session()
        org = Organisation(slug="bench", name="Bench")
        db.add(org)
        db.flush()
        coach = accounts.create_staff(
            db,
            organisation=org,
            email="c@bench.test",
            name="Coach",
            role=Role.ASSESSOR,
            password="bench-password-123",
        )
        ref = Referentiel(uuid=str(uuid.uuid4()), key="bench", title="APELS")
        version = ReferentielVersion(
            referentiel=ref,
            number=1,
            identifier=str(uuid.uuid4()),
            status="published",
            title="APELS",
            creator="bench",
        )
        version.competences = [
            Competence(identifier=str(uuid.uuid4()), label=f"Compétence {i}", position=i)
            for i in range(AXES)
        ]
        db.add_all([ref, version])
        db.flush()
        for s in range(SESSIONS):
            people = [
                accounts.create_participant(
                    db, organisation_id=org.id, display_name=f"S{s} P{i:02d}"
                )
                for i in range(PEOPLE)
            ]
            db.flush()
            gs = grids.create_session(
                db,
                organisation_id=org.id,
                coach=coach,
                held_on=date(2025, 3, 4),
                title=f"Gymnase {s}",
                referentiel_version_id=version.id,
                competence_ids=[c.id for c in version.competences],
                round_label="entry",
                participants=people,
            )
            sheets.append(
                {
                    "id": gs.id,
                    "ratings": [
                        {
                            "participant_id": p.id,
                            "competence_id": c,
                            "score": (i + j) % 6,
                            "version": 0,
                        }
                        for i, p in enumerate(people)
                        for j, c in enumerate(gs.competence_ids)
                    ],
                }
            )
        db.commit()
        db.close()
    return app, sheets


class Client:
    """A browser-like HTTP client: cookies, the CSRF token read from the page."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.token = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path) as r:
            html = str(r.read().decode())
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        if found:
            self.token = found.group(1)
        return html

    def login(self) -> None:
        self.get("/login")
        data = urllib.parse.urlencode(
            {"email": "c@bench.test", "password": "bench-password-123", "csrf_token": self.token}
        ).encode()
        with self.opener.open(self.base + "/login", data=data) as r:
            assert not r.url.endswith("/login"), "login refused"

    def sync(
        self, session_id: int, ratings: list[dict[str, Any]], key: str = "ratings"
    ) -> list[dict[str, Any]]:
        request = urllib.request.Request(
            f"{self.base}/sessions/{session_id}/sync",
            data=json.dumps({key: ratings}).encode(),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": self.token,
            },
        )
        try:
            with self.opener.open(request) as r:
                results: list[dict[str, Any]] = json.loads(r.read())["results"]
        except urllib.error.HTTPError as err:
            raise SystemExit(f"sync refused: {err.code} {err.read()[:500]!r}") from err
        return results


def main() -> int:
    print(pin_one_core())
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app, sheets = _app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = Client(f"http://127.0.0.1:{server.server_port}")
    client.login()
    first: list[float] = []
    second: list[float] = []
    agreed: list[float] = []
    for sheet in sheets:
        client.get(f"/sessions/{sheet['id']}")  # the page the coach opened before going offline
        t0 = time.perf_counter()
        results = client.sync(sheet["id"], sheet["ratings"])
        first.append((time.perf_counter() - t0) * 1000)
        assert [r["status"] for r in results] == ["saved"] * PEOPLE * AXES, results[:3]
        changed = [
            dict(item, score=(item["score"] + 1) % 6, version=res["version"])
            for item, res in zip(sheet["ratings"], results, strict=True)
        ]
        t0 = time.perf_counter()
        results = client.sync(sheet["id"], changed)
        second.append((time.perf_counter() - t0) * 1000)
        assert all(r["status"] == "saved" and r["version"] == 2 for r in results)
        levels = [
            {k: item[k] for k in ("participant_id", "competence_id")}
            | {"level": item["score"], "version": 0}
            for item in changed
        ]
        t0 = time.perf_counter()
        results = client.sync(sheet["id"], levels, key="agreements")
        agreed.append((time.perf_counter() - t0) * 1000)
        assert all(r["status"] == "saved" and r["kind"] == "agreement" for r in results)
    server.shutdown()
    ok = True
    for name, times in (
        ("first sync (204 new scores)", first),
        ("second sync (204 changed)", second),
        ("agreed levels (204 new)", agreed),
    ):
        worst = max(times)
        ok &= worst <= TARGET_MS
        print(
            f"offline sync, {PEOPLE} × {AXES}, {name}: median {statistics.median(times):.0f} ms, "
            f"worst {worst:.0f} ms of {len(times)}   target ≤ {TARGET_MS:g} ms   "
            f"{'ok' if worst <= TARGET_MS else 'SLOW'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
