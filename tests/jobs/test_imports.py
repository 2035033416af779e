"""Offers from job boards: schema.org JobPosting JSON-LD (an HTML page here) and France
Travail's offers API shape, mapped to the référentiel through its recruiters' words;
re-import updates; expiry follows the source; hostile files are refused cleanly."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from badger.jobs.models import Offer
from tests.conftest import login_staff
from tests.jobs import _helpers as h

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def w(db: Any, make: Any, clock: Any) -> Any:
    clock.now = NOW
    world = h.world(db, make)
    h.recruiter_words(db, world.version)
    return world


def _upload(client: Any, name: str, body: bytes, source: str = "Emplois du Val") -> Any:
    return client.post("/jobs/import", data={"source": source,
                                             "file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data")


def _offers(db: Any) -> dict[str, Offer]:
    db.expire_all()
    return {o.source_id: o for o in db.scalars(select(Offer))}


def _required(offer: Offer) -> dict[str, int]:
    return {r.competence.label: r.min_level for r in offer.requirements}


def test_json_ld_page(app: Any, db: Any, w: Any) -> None:
    admin = app.test_client()
    login_staff(admin, w.admin)
    response = _upload(admin, "offres.html", (DATA / "jobboard_page.html").read_bytes())
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "2 offres ajoutées, 0 mises à jour, 2 écartées." in response.get_data(as_text=True)
    offers = _offers(db)
    assert set(offers) == {"EVS-2026-0412", "EVS-2026-0419"}  # closed one, no savoir-être one
    cleaning = offers["EVS-2026-0412"]
    assert (cleaning.rome_code, cleaning.place, cleaning.postcode, cleaning.contract) == (
        "K2204", "Rouen", "76100", "CDD")
    assert cleaning.employer_name == "Net'Services Rouen" and cleaning.source == "Emplois du Val"
    assert cleaning.expires_at == datetime(2026, 12, 28, 22, 59, 59, tzinfo=UTC)
    assert _required(cleaning) == {"Ponctualité": 3, "Respect des règles": 3}
    picking = offers["EVS-2026-0419"]
    assert picking.rome_code == "N1103"  # from ISCO 4321
    assert picking.contract == "interim"
    assert _required(picking) == {"Ponctualité": 3, "Goût de l'effort": 3}
    assert picking.expires_at == datetime(2027, 1, 2, tzinfo=UTC)  # datePosted + 30 days


def test_france_travail_and_reimport_updates(app: Any, db: Any, w: Any) -> None:
    admin = app.test_client()
    login_staff(admin, w.admin)
    raw = (DATA / "france_travail_offres.json").read_bytes()
    assert _upload(admin, "ft.json", raw, "France Travail").status_code == 200
    offers = _offers(db)
    assert set(offers) == {"201XKQT", "201XLMB"}
    resto = offers["201XKQT"]
    assert (resto.rome_code, resto.contract, resto.postcode) == ("G1603", "CDD", "76000")
    assert _required(resto) == {"Respect des règles": 3}
    assert offers["201XLMB"].contract == "alternance"
    assert _required(offers["201XLMB"]) == {"Goût de l'effort": 3}
    doc = json.loads(raw)
    doc["resultats"][0]["intitule"] = "Employé polyvalent de restauration — soir (H/F)"
    doc["resultats"][0]["qualitesProfessionnelles"].append({"libelle": "Respecter les horaires"})
    response = _upload(admin, "ft.json", json.dumps(doc).encode(), "France Travail")
    assert "0 offres ajoutées, 2 mises à jour" in response.get_data(as_text=True)
    offers = _offers(db)
    assert len(offers) == 2
    assert offers["201XKQT"].title.endswith("soir (H/F)")
    assert _required(offers["201XKQT"]) == {"Respect des règles": 3, "Ponctualité": 3}


def test_imported_offers_expire(app: Any, db: Any, w: Any, clock: Any) -> None:
    from badger import jobs

    admin = app.test_client()
    login_staff(admin, w.admin)
    _upload(admin, "ft.json", (DATA / "france_travail_offres.json").read_bytes())
    assert len(jobs.live_offers(db, w.org.id)) == 2
    clock.now = datetime(2027, 1, 2, tzinfo=UTC)  # 30 days after 2 Dec, 09:12
    assert [o.source_id for o in jobs.live_offers(db, w.org.id)] == ["201XLMB"]
    clock.now = datetime(2027, 1, 5, tzinfo=UTC)
    assert jobs.live_offers(db, w.org.id) == []


@pytest.mark.parametrize(("body", "status"), [
    (b"{" * 10 + b"not json", 400),
    (b"[" * 200 + b"]" * 200, 400),
    (b"\xff\xfe\x00bad", 400),
    (b"<html><body>no offers</body></html>", 400),
    (b'<html><script type="application/ld+json">{oops</script></html>', 400),
    (b" " * 2_000_001, 413),
])
def test_hostile_files(app: Any, db: Any, w: Any, body: bytes, status: int) -> None:
    admin = app.test_client()
    login_staff(admin, w.admin)
    assert _upload(admin, "x.json", body).status_code == status
    assert _offers(db) == {}


def test_cli_import(app: Any, db: Any, w: Any) -> None:
    result = app.test_cli_runner().invoke(args=[
        "jobs", "import", str(DATA / "france_travail_offres.json"), "--org", "org-a",
        "--source", "France Travail"])
    assert result.exit_code == 0, result.output
    assert "created 2, updated 0" in result.output
    assert len(_offers(db)) == 2
    result = app.test_cli_runner().invoke(args=["jobs", "digest"])
    assert "0 digest(s) queued" in result.output  # nobody asked for one


def test_a_coach_cannot_import(app: Any, db: Any, w: Any) -> None:
    coach = app.test_client()
    login_staff(coach, w.coach)
    raw = (DATA / "france_travail_offres.json").read_bytes()
    assert _upload(coach, "ft.json", raw).status_code == 403
