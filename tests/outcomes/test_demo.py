"""The demo network sees its programme's progression and exits on one page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from badger.demo import DEMO_ADMIN, ensure_demo
from badger.grids import cli as grids_cli
from badger.outcomes import cli
from badger.outcomes.models import JourneyExit
from tests.grids._factory import published_version


def test_demo_network_page_shows_the_programme(app: Any, db: Any, client: Any) -> None:
    version = published_version(db)
    version.referentiel.key = grids_cli.DEMO_REFERENTIEL_KEY
    db.commit()
    demo = ensure_demo(db)
    db.commit()
    grids_cli.on_demo(db, app, demo)
    db.commit()
    for _ in range(2):  # idempotent
        cli.on_demo(db, app, demo)
        db.commit()
    assert db.scalar(select(func.count()).select_from(JourneyExit)) == 20
    response = client.post("/login", data={"email": DEMO_ADMIN[0], "password": DEMO_ADMIN[2]})
    assert response.status_code == 302
    page = client.get(f"/admin/networks/{demo.network.slug}/outcomes?programme="
                      "Remobilisation par le sport")
    body = page.get_data(as_text=True)
    assert page.status_code == 200, body[:500]
    # 20 ended + 12 in progress at the bike workshop, 5 at the demo organisation (this month)
    assert "37 parcours commencés" in body
    assert "Progression par compétence" in body and 'role="img"' in body
    assert "Vélo 01" not in body and "Amina" not in body
    csv = client.get(f"/admin/networks/{demo.network.slug}/outcomes.csv?programme="
                     "Remobilisation par le sport").get_data(as_text=True)
    assert "Situation des parcours,Emploi,10," in csv
    assert "Situation des parcours,Formation,5," in csv
