"""Speed of the cohort statistics (issue #18): one organisation's report over 10,000
participants — entries, situations, progression per competence, badges, share links — with the
difference rules, aggregated in SQL.
Run: .venv/bin/python bench/outcomes_stats.py [--postgres URL]
Target: ≤ 500 ms for the whole report (median of 5 after a warm-up), one core; SQLite in a
temporary file unless --postgres is given (a fresh schema there, dropped afterwards).

Data: 10,000 participants, one journey each started over 12 months in 5 programmes, 70 %
ended with an exit agreed to, 2 or 3 rounds each with the coach's and the participant's scores on
6 competences (≈ 150,000 ratings), 3,000 badges, 2,000 share links opened.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pin_one_core

PEOPLE, AXES, PROGRAMMES = 10_000, 6, 5
TARGET_MS = 500.0
START = date(2026, 1, 1)
KINDS = [("employment", "cdi", "permanent", None), ("employment", "cdd", "lt6", None),
         ("employment", "interim", "lt6", None), ("training", None, None, True),
         ("training", None, None, False), ("other_support", None, None, None),
         ("no_news", None, None, None)]


def _rows(org_id: int, version_id: int, comp_ids: list[int], ach_id: int) -> dict[str, Any]:
    """Every row to insert, as plain dicts (inserted in bulk through SQLAlchemy Core)."""
    now = time_now()
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "participants", "sessions", "journeys", "rounds", "ratings", "exits", "credentials",
        "shares", "views")}
    for s in range(PROGRAMMES):
        out["sessions"].append({"id": s + 1, "organisation_id": org_id, "held_on": START,
                                    "title": f"Séance {s}", "referentiel_version_id": version_id,
                                    "competence_ids": comp_ids, "round_label": "entry",
                                    "peer_review": False, "programme": f"Programme {s}",
                                    "created_at": now, "updated_at": now})
    rid = 0
    for p in range(1, PEOPLE + 1):
        started = START + timedelta(days=p % 360)
        ended = started + timedelta(days=120) if p % 10 < 7 else None
        out["participants"].append({"id": p, "organisation_id": org_id, "display_name": f"P{p}",
                                        "active": True, "created_at": now, "updated_at": now})
        out["journeys"].append({"id": p, "organisation_id": org_id, "participant_id": p,
                                "title": "", "started_on": started, "ended_on": ended,
                                "created_at": now, "updated_at": now})
        for pos in range(1, 2 + (p % 3 == 0) + 1):
            rid += 1
            out["rounds"].append({"id": rid, "organisation_id": org_id, "journey_id": p,
                                      "referentiel_version_id": version_id,
                                      "session_id": (p % PROGRAMMES) + 1 if pos == 1 else None,
                                      "label": f"r{pos}", "position": pos, "observations": "",
                                  "chart_in_portfolio": False, "version_id": 1,
                                  "created_at": now, "updated_at": now})
            for i, c in enumerate(comp_ids):
                score = min(5, (p + i) % 4 + pos - 1)
                for role in ("coach", "self"):
                    out["ratings"].append({"organisation_id": org_id, "round_id": rid,
                                               "competence_id": c, "rater_role": role,
                                               "rater_key": role, "score": score, "comment": "",
                                               "updated_at": now, "version_id": 1})
        if ended is not None:
            kind, contract, duration, qualifying = KINDS[p % len(KINDS)]
            out["exits"].append({"organisation_id": org_id, "journey_id": p, "participant_id": p,
                                     "kind": kind, "contract": contract, "duration": duration,
                                 "qualifying": qualifying, "exited_on": ended,
                                 "consent": "given", "follow_ups": False, "created_at": now,
                                 "updated_at": now})
        if p % 10 < 3:
            out["credentials"].append({"organisation_id": org_id, "uuid": str(uuid.uuid4()),
                                           "achievement_id": ach_id, "participant_id": p,
                                           "state": "issued", "level": 4, "narrative": "",
                                           "evidence": [], "recipient": {}, "awarded_at": now,
                                           "public": False, "created_at": now, "updated_at": now})
        if p % 5 == 0:
            out["shares"].append({"id": p, "organisation_id": org_id, "participant_id": p,
                                      "token_hash": uuid.uuid4().hex * 2, "label": "x",
                                      "expires_at": now + timedelta(days=30), "show_name": False,
                                      "created_at": now, "updated_at": now})
            out["views"].append({"share_id": p, "viewed_at": now})
    return out


def time_now() -> Any:
    from badger.db import utcnow

    return utcnow()


def _seed(db: Any) -> int:
    from sqlalchemy import insert

    from badger.accounts.models import Participant
    from badger.awards.models import Achievement, Credential
    from badger.grids.models import GroupSession, Journey, Rating, Round
    from badger.networks.models import Organisation
    from badger.outcomes.models import JourneyExit
    from badger.portfolio.models import Share, ShareView
    from badger.referentiels.models import Competence, Referentiel, ReferentielVersion

    org = Organisation(slug="bench", name="Bench")
    ref = Referentiel(uuid=str(uuid.uuid4()), key="bench", title="APELS")
    version = ReferentielVersion(referentiel=ref, number=1, identifier=str(uuid.uuid4()),
                                 status="published", title="APELS", creator="bench")
    version.competences = [Competence(identifier=str(uuid.uuid4()), label=f"Compétence {i}",
                                      position=i) for i in range(AXES)]
    db.add_all([org, ref, version])
    db.flush()
    ach = Achievement(organisation_id=org.id, uuid=str(uuid.uuid4()), name="Badge",
                      description="d", criteria_narrative="c", referentiel_version_id=version.id,
                      competence_id=version.competences[0].id, image_png=b"", image_alt="")
    db.add(ach)
    db.flush()
    rows = _rows(org.id, version.id, [c.id for c in version.competences], ach.id)
    for model, key in ((Participant, "participants"), (GroupSession, "sessions"),
                       (Journey, "journeys"), (Round, "rounds"), (Rating, "ratings"),
                       (JourneyExit, "exits"), (Credential, "credentials"), (Share, "shares"),
                       (ShareView, "views")):
        for i in range(0, len(rows[key]), 5000):
            db.execute(insert(model), rows[key][i:i + 5000])
    db.commit()
    print(f"seeded: {len(rows['participants'])} participants, {len(rows['rounds'])} rounds, "
          f"{len(rows['ratings'])} ratings, {len(rows['exits'])} exits")
    return org.id


def main() -> None:
    from sqlalchemy import create_engine, text

    import badger.models  # noqa: F401
    from badger import create_app
    from badger.db import Base, get_db
    from badger.outcomes import Filter, cohort_report

    print(pin_one_core())
    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/bench.sqlite"
    schema = None
    if "--postgres" in sys.argv:
        base = sys.argv[sys.argv.index("--postgres") + 1]
        schema = f"bench_outcomes_{uuid.uuid4().hex[:6]}"
        with create_engine(base).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"SECRET_KEY": "bench-" + "x" * 40, "BADGER_DATABASE_URL": url,
                      "INSTANCE_PATH": tmp, "BADGER_KEYS_DIR": f"{tmp}/keys",
                      "BADGER_KEY_PASSPHRASE": "bench-passphrase-0123456789",
                      "BADGER_BASE_URL": "http://127.0.0.1"})
    try:
        with app.app_context():
            db = get_db(app).session()
            org_id = _seed(db)
            if schema is None:
                db.execute(text("ANALYZE"))
            for label, programme in (("all programmes", None), ("one programme", "Programme 2")):
                f = Filter((org_id,), date(2026, 1, 1), date(2026, 12, 31), programme)
                cohort_report(db, f, 5)  # warm-up
                times, cpu = [], []
                for _ in range(5):
                    tick, cpu_tick = time.perf_counter(), time.process_time()
                    report = cohort_report(db, f, 5)
                    times.append((time.perf_counter() - tick) * 1000)
                    cpu.append((time.process_time() - cpu_tick) * 1000)
                median, median_cpu = statistics.median(times), statistics.median(cpu)
                verdict = "OK" if median_cpu <= TARGET_MS else "SLOW"
                print(f"cohort report, {PEOPLE:,} participants, {label} "
                      f"({report.journeys.value} journeys, {len(report.competences)} "
                      f"competences): median {median:.0f} ms wall, {median_cpu:.0f} ms CPU "
                      f"(target ≤ {TARGET_MS:.0f} ms) {verdict}")
            db.close()
        print(f"load average {os.getloadavg()[0]:.1f} (wall time grows with it; CPU does not)")
    finally:
        if schema is not None:
            with create_engine(sys.argv[sys.argv.index("--postgres") + 1]).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
