"""Speed of the co-assessment grid charts (issue #5).

Run: .venv/bin/python bench/grids_bench.py
Targets (one core): SVG chart 17 axes × 3 series ≤ 2 ms; PNG ≤ 20 ms; the coach's group screen
for a session of 20 participants × 17 competences ≤ 100 ms server time (GET, all cells filled,
SQLite in a temporary file, measured through the WSGI test client).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from badger.grids.charts import Axis, Series, radar_png, radar_svg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pin_one_core

APELS = [
    "Assiduité", "Ponctualité", "Fiabilité", "Respect des autres", "Respect des règles",
    "Respect de l'environnement", "Hygiène de vie", "Posture / Dynamisme", "Capacités Physiques",
    "Connaissance de soi", "Estime de soi", "Goût de l'effort", "Prise de risque",
    "Détermination / Persévérance", "Gestion du stress", "Maîtrise de soi / Prise de recul",
    "Expression de soi (verbale et non verbale)",
]  # fmt: skip


def measure(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of one call, in milliseconds, after a warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def report(name: str, ms: float, target: float) -> bool:
    ok = ms <= target
    print(f"{name:<48} {ms:8.2f} ms   target ≤ {target:g} ms   {'ok' if ok else 'SLOW'}")
    return ok


def main() -> int:
    print(pin_one_core())
    axes = [Axis(label) for label in APELS]
    series = [
        Series("Moi", [(i * 7) % 6 for i in range(17)], "self"),
        Series("Coach", [(i * 5) % 6 for i in range(17)], "coach"),
        Series("Entrée", [(i * 3) % 6 if i % 6 else None for i in range(17)], "previous"),
    ]
    kw = {"title": "Grille", "description": "Auto-évaluation, coach, entrée"}
    ok = report(
        "SVG chart, 17 axes × 3 series", measure(lambda: radar_svg(axes, series, **kw), 500), 2
    )
    ok &= report(
        "PNG chart, 17 axes × 3 series", measure(lambda: radar_png(axes, series, **kw), 50), 20
    )
    ok &= report("group screen, 20 participants × 17 competences", group_screen_ms(), 100)
    return 0 if ok else 1


def group_screen_ms() -> float:
    import tempfile
    import uuid
    from datetime import date

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
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "bench-" + "x" * 40,
            "BADGER_DATABASE_URL": url,
            "INSTANCE_PATH": tmp,
            "BADGER_KEYS_DIR": f"{tmp}/keys",
            "BADGER_KEY_PASSPHRASE": "bench-passphrase-0123456789",
        }
    )
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
            Competence(identifier=str(uuid.uuid4()), label=label, position=i)
            for i, label in enumerate(APELS)
        ]
        db.add_all([ref, version])
        people = [
            accounts.create_participant(db, organisation_id=org.id, display_name=f"P{i:02d}")
            for i in range(20)
        ]
        db.flush()
        gs = grids.create_session(
            db,
            organisation_id=org.id,
            coach=coach,
            held_on=date(2025, 3, 4),
            title="Foot",
            referentiel_version_id=version.id,
            competence_ids=[c.id for c in version.competences],
            round_label="entry",
            participants=people,
        )
        for k, rnd in enumerate(grids.session_rounds(db, gs).values()):
            grids.save_ratings(
                db,
                rnd,
                role="coach",
                actor=coach,
                entries=[
                    grids.RatingInput(it.competence_id, (k + j) % 6)
                    for j, it in enumerate(rnd.items)
                ],
            )
        db.commit()
        session_id = gs.id
        db.close()
    client = app.test_client()
    r = client.post("/login", data={"email": "c@bench.test", "password": "bench-password-123"})
    assert r.status_code == 302, r.status_code

    def get() -> None:
        resp = client.get(f"/sessions/{session_id}")
        assert resp.status_code == 200 and resp.data.count(b'class="cell"') == 340

    return measure(get, 30)


if __name__ == "__main__":
    raise SystemExit(main())
