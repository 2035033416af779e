"""The paper kit's speed (issue #16): each PDF — session sheet, follow-up booklet, CV annex, in
French and in Arabic — made for the demo install, timed at the client over HTTP against a live
waitress server.

Run: .venv/bin/python bench/paper_pdf.py [--repeat 5]
Target: ≤ 1 s each (the median of ``--repeat`` downloads after one warm-up, which pays the
process's one-time loading of WeasyPrint and Pango, printed apart). The server's CPU time per
request is printed too: unlike wall time, it is not inflated when other processes share the
core. The demo participant whose booklet is printed has an entry round scored, agreed and
annotated, a mid-way round, and badges; the share holds their badges and chart.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from _common import pin_one_core
from sqlalchemy import select

TARGET_S = 1.0


class CpuTiming:
    """WSGI middleware: the serving thread's CPU time of each PDF request (ms)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cpu: dict[str, list[float]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        c0 = time.thread_time()
        body = b"".join(self.app(environ, start_response))
        path = environ.get("PATH_INFO", "")
        if path.endswith(".pdf"):
            self.cpu.setdefault(path, []).append(time.thread_time() - c0)
        return [body]


def _prepare(app: Any) -> dict[str, str]:
    """Demo data with something in every part of the booklet; the paths to time."""
    from badger import grids, portfolio
    from badger.accounts.models import Participant
    from badger.awards.models import Credential
    from badger.db import get_db
    from badger.grids.models import GroupSession

    runner = app.test_cli_runner()
    for args in (["init"], ["demo"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    with app.app_context():
        db = get_db(app).session()
        gs = db.scalars(select(GroupSession)).one()
        cred = db.scalars(select(Credential).where(Credential.state == "issued")).first()
        person = db.get(Participant, cred.participant_id)
        entry = grids.session_rounds(db, gs)[person.id]
        ids = [it.competence_id for it in entry.items]
        grids.save_ratings(db, entry, role="self", actor=person,
                           entries=[grids.RatingInput(c, 3) for c in ids])
        grids.submit_self_assessment(db, entry, person)
        grids.save_ratings(db, entry, role="coach", actor=gs.coach,
                           entries=[grids.RatingInput(c, 4) for c in ids])
        for actor in (gs.coach, person):
            grids.record_agreement(db, entry, competence_id=ids[0], level=4, actor=actor)
        grids.save_coach_notes(db, entry, author=gs.coach, summary="Bonne séance.", entries=[
            grids.NoteInput(c, "Venir cinq minutes avant le début.", "Présent") for c in ids])
        grids.open_round(db, journey=entry.journey, competence_ids=ids, label="mid-way",
                         referentiel_version_id=entry.referentiel_version_id)
        grids.set_chart_in_portfolio(db, entry, person, True)
        creds = db.scalars(select(Credential).where(Credential.participant_id == person.id))
        share = portfolio.create_share(db, person, label="Entretien", days=30, show_name=True,
                                       credential_ids=[c.id for c in creds], round_ids=[entry.id])
        db.commit()
        paths = {
            "session sheet": f"/sessions/{gs.id}/sheet.pdf",
            "booklet": f"/participants/{person.id}/booklet.pdf",
            "CV annex": f"/s/{share.token}/cv.pdf",
        }
        db.close()
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    import waitress

    from badger import create_app
    from badger.demo import DEMO_COACH

    pinned = pin_one_core()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "SECRET_KEY": "bench-" + "x" * 40,
            "BADGER_KEY_PASSPHRASE": "bench-passphrase-0123456789",
            "BADGER_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite",
            "BADGER_KEYS_DIR": f"{tmp}/keys",
            "INSTANCE_PATH": f"{tmp}/instance",
            "BADGER_REDIS_URL": None,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        })
        timing = CpuTiming(app.wsgi_app)
        server = waitress.create_server(timing, host="127.0.0.1", port=0, threads=2)
        base = f"http://127.0.0.1:{server.effective_port}"
        app.config["BADGER_BASE_URL"] = base
        paths = _prepare(app)
        threading.Thread(target=server.run, daemon=True).start()
        coach = httpx.Client(base_url=base, timeout=60)
        login = coach.post("/login", data={"email": DEMO_COACH[0], "password": DEMO_COACH[2]})
        assert login.status_code == 302, login.text[:300]
        visitor = httpx.Client(base_url=base, timeout=60)
        print(f"paper kit PDFs over HTTP, demo install on SQLite ({pinned}); "
              f"median of {args.repeat} after one warm-up; target ≤ {TARGET_S:.1f} s each")
        failed = False
        for name, path in paths.items():
            client = visitor if name == "CV annex" else coach
            for lang in ("fr", "ar"):
                headers = {"Accept-Language": lang}
                t0 = time.perf_counter()
                first = client.get(path, headers=headers)
                warm_up = time.perf_counter() - t0
                assert first.status_code == 200, (path, first.status_code, first.text[:300])
                times = []
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    response = client.get(path, headers=headers)
                    times.append(time.perf_counter() - t0)
                    assert response.status_code == 200
                median = statistics.median(times)
                cpu = statistics.median(timing.cpu[path][-args.repeat:])
                ok = median <= TARGET_S
                failed |= not ok
                print(f"  {name:14} {lang}  {median:5.2f} s (max {max(times):.2f}, "
                      f"server CPU {cpu:.2f} s, first {warm_up:.2f} s, "
                      f"{len(response.content) // 1024} KiB)  "
                      f"{'OK' if ok else 'OVER'} target {TARGET_S:.1f} s")
        server.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
