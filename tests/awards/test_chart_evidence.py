"""Chart evidence (issue #6): a participant who ticks "Joindre mon graphique" when accepting a
badge gets the round's self/coach chart frozen into a public PNG, cited as Evidence in the signed
credential; without the box, or when a coach awards, nothing is attached; revocation answers
410 and erasure removes the picture. Real HTTP, database and signatures."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from badger import grids
from badger.awards import evidence as chart_evidence
from badger.awards import service
from badger.awards.models import Credential, EvidenceImage
from badger.ob3.schema import validate_credential
from badger.ob3.verify import verify_credential
from tests.awards import _factory
from tests.conftest import login_participant, login_staff

URL_RE = re.compile(r"^http://localhost/evidence/([A-Za-z0-9_-]{43})\.png$")
NAME = "Amina Diallo"
EMAIL = "amina.diallo@example.org"


def _client(app: Any) -> Any:
    return app.test_client()


def _rate_and_submit(db: Any, rnd: Any, coach: Any, person: Any) -> None:
    """The participant and the coach score every axis; the participant finishes their grid."""
    items = [it.competence_id for it in rnd.items]
    grids.save_ratings(db, rnd, role="self", actor=person,
                       entries=[grids.RatingInput(cid, 3 + i % 2) for i, cid in enumerate(items)])
    grids.submit_self_assessment(db, rnd, person)
    grids.save_ratings(db, rnd, role="coach", actor=coach,
                       entries=[grids.RatingInput(cid, 4) for cid in items])
    db.commit()


@pytest.fixture
def flow(app: Any, db: Any, make: Any, org: Any, coach: Any, version: Any,
         achievement: Any) -> dict[str, Any]:
    """A participant whose grid (self and coach scored) validated the badge's competence."""
    person = make.participant(org, NAME, email=EMAIL)
    gs = _factory.group_session(db, org, coach, version, [person])
    rnd = grids.session_rounds(db, gs)[person.id]
    _rate_and_submit(db, rnd, coach, person)
    vc = _factory.validate(db, rnd, version.competences[0], coach, person, level=4)
    return {"person": person, "session": gs, "round": rnd, "vc": vc}


def _accept(app: Any, make: Any, flow: dict[str, Any], achievement: Any, *,
            chart: bool) -> Credential:
    pc = _client(app)
    login_participant(pc, make, flow["person"])
    page = pc.get("/me/badges").get_data(as_text=True)
    assert "Joindre mon graphique (moi / coach)" in page
    assert 'name="attach_chart"' in page and "checked" not in page  # off by default
    assert "Toute personne qui a ce badge pourra voir cette image" in page
    data = {"validated_competence_id": flow["vc"].id, "achievement_id": achievement.id,
            "decision": "accept"}
    if chart:
        data["attach_chart"] = "1"
    response = pc.post("/me/badges", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    flow["client"] = pc
    return _factory.only_credential(app)


def _images(db: Any) -> list[EvidenceImage]:
    db.expire_all()
    return list(db.scalars(select(EvidenceImage)).all())


def _chart_items(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in doc.get("evidence", []) if e.get("genre") == "Image"]


def _files(pc: Any, cred_id: int) -> dict[str, bytes]:
    return {fmt: pc.get(f"/me/badges/{cred_id}/file.{fmt}").get_data()
            for fmt in ("json", "jwt", "png", "svg")}


def test_ticked_box_attaches_a_frozen_public_chart(app: Any, db: Any, make: Any, coach: Any,
                                                   flow: dict[str, Any], achievement: Any,
                                                   resolver: Any) -> None:
    cred = _accept(app, make, flow, achievement, chart=True)
    files = _files(flow["client"], cred.id)
    doc = json.loads(files["json"])
    assert validate_credential(doc, strict=True) == []  # the 1EdTech formal schema, not a warning
    items = _chart_items(doc)
    assert len(items) == 1
    item = items[0]
    assert item["type"] == ["Evidence"]
    assert item["name"] == "Graphique radar : auto-évaluation et regard du coach"
    assert "par la personne elle-même et par son coach" in item["description"]
    assert "Entrée" in item["description"]
    match = URL_RE.match(item["id"])
    assert match, item["id"]
    token = match.group(1)
    # the stored evidence is what was signed, and the row holds the same token
    rows = _images(db)
    assert [(r.token, r.credential_id) for r in rows] == [(token, cred.id)]
    assert rows[0].organisation_id == cred.organisation_id

    # the credential (with the chart evidence) verifies through the app's own endpoints
    for fmt, blob in files.items():
        report = verify_credential(blob, resolver=resolver, recipient=(EMAIL, "emailAddress"))
        assert report.verified, (fmt, report.to_dict()["checks"])

    # the picture: public (no login), PNG, cacheable, nosniff
    anonymous = _client(app)
    r = anonymous.get(f"/evidence/{token}.png")
    assert r.status_code == 200
    assert r.mimetype == "image/png"
    assert r.headers["Cache-Control"].startswith("public, max-age=")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    body = r.get_data()
    with Image.open(io.BytesIO(body)) as img:
        img.verify()
    with Image.open(io.BytesIO(body)) as img:
        assert img.format == "PNG" and img.width > 200 and img.height > 200
        texts = " ".join(str(v) for v in img.text.values())  # type: ignore[attr-defined]
    # labels and scores only: no name, no address (drawn heading is the same Title text)
    assert "Entrée" in texts and "Grille de compétences" in texts
    for secret in ("Amina", "Diallo", EMAIL):
        assert secret.lower() not in texts.lower()
        assert secret.encode() not in body
    # frozen: the same bytes later, even after the grid changes
    grids.save_ratings(db, flow["round"], role="coach", actor=coach,
                       entries=[grids.RatingInput(it.competence_id, 1)
                                for it in flow["round"].items])
    db.commit()
    assert anonymous.get(f"/evidence/{token}.png").get_data() == body
    # conditional GET
    etag = r.headers["ETag"]
    assert anonymous.get(f"/evidence/{token}.png",
                         headers={"If-None-Match": etag}).status_code == 304

    # the participant's export carries the picture
    zf = zipfile.ZipFile(io.BytesIO(flow["client"].get("/portfolio/export").get_data()))
    assert zf.read(f"credentials/{cred.id}-chart.png") == body


def test_token_is_unguessable(app: Any, db: Any, make: Any, flow: dict[str, Any],
                              achievement: Any) -> None:
    _accept(app, make, flow, achievement, chart=True)
    row = _images(db)[0]
    assert len(row.token) == 43 and not row.token.isdigit()
    anonymous = _client(app)
    altered = row.token[:-1] + ("B" if row.token.endswith("A") else "A")
    for path in (f"/evidence/{row.id}.png", f"/evidence/{row.credential_id}.png",
                 f"/evidence/{altered}.png", f"/evidence/{'A' * 43}.png",
                 "/evidence/..%2Fsecret.png", f"/evidence/{row.token}.svg"):
        assert anonymous.get(path).status_code == 404, path
    # 256 random bits each time, never a counter
    assert chart_evidence.TOKEN_BYTES >= 32


def test_without_the_box_nothing_is_attached(app: Any, db: Any, make: Any,
                                             flow: dict[str, Any], achievement: Any) -> None:
    cred = _accept(app, make, flow, achievement, chart=False)
    doc = json.loads(_files(flow["client"], cred.id)["json"])
    assert _chart_items(doc) == []
    assert not any("/evidence/" in str(e.get("id", "")) for e in doc["evidence"])
    assert _images(db) == []


def test_revoked_badge_chart_answers_410(app: Any, db: Any, make: Any, flow: dict[str, Any],
                                          achievement: Any, admin: Any) -> None:
    cred = _accept(app, make, flow, achievement, chart=True)
    token = _images(db)[0].token
    anonymous = _client(app)
    assert anonymous.get(f"/evidence/{token}.png").status_code == 200
    ac = _client(app)
    login_staff(ac, admin)
    r = ac.post(f"/admin/credentials/{cred.id}/suspend", data={"reason": "Vérification"})
    assert r.status_code == 303
    assert anonymous.get(f"/evidence/{token}.png").status_code == 404  # hidden meanwhile
    r = ac.post(f"/admin/credentials/{cred.id}/unsuspend", data={})
    assert r.status_code == 303
    assert anonymous.get(f"/evidence/{token}.png").status_code == 200
    # re-signing keeps the evidence the participant chose
    fresh = json.loads(_files(flow["client"], cred.id)["json"])
    assert len(_chart_items(fresh)) == 1 and token in _chart_items(fresh)[0]["id"]
    r = ac.post(f"/admin/credentials/{cred.id}/revoke", data={"reason": "Erreur de saisie"})
    assert r.status_code == 303
    gone = anonymous.get(f"/evidence/{token}.png")
    assert gone.status_code == 410
    assert gone.mimetype != "image/png"
    db.expire_all()
    assert _images(db)[0].png == b""  # the picture itself is not kept once the badge is withdrawn


def test_erased_participant_chart_is_gone(app: Any, db: Any, make: Any, flow: dict[str, Any],
                                          achievement: Any) -> None:
    _accept(app, make, flow, achievement, chart=True)
    token = _images(db)[0].token
    anonymous = _client(app)
    assert anonymous.get(f"/evidence/{token}.png").status_code == 200
    r = flow["client"].post("/portfolio/erase", data={"confirm": "EFFACER"})
    assert r.status_code == 302
    assert _images(db) == []
    assert anonymous.get(f"/evidence/{token}.png").status_code in (404, 410)


def test_bulk_award_never_attaches_a_chart(app: Any, db: Any, client: Any, coach: Any,
                                           flow: dict[str, Any], achievement: Any) -> None:
    login_staff(client, coach)
    gs = flow["session"]
    r = client.post(f"/admin/sessions/{gs.id}/award",
                    data={"achievement_id": str(achievement.id),
                          "participant": [str(flow["person"].id)], "level": "4",
                          "observation": "Très bon esprit d'équipe."})
    assert r.status_code == 200
    assert r.get_data(as_text=True).count("outcome-issued") == 1
    cred = db.scalars(select(Credential)).one()
    assert _chart_items(json.loads(cred.signed_json)) == []
    assert _images(db) == []


def test_only_a_prepared_chart_is_cited(app: Any, db: Any, org: Any, coach: Any,
                                        flow: dict[str, Any], achievement: Any) -> None:
    """A caller handing award_many a chart URL of its own attaches nothing: a chart only
    comes from the participant's consent."""
    result = service.award_many(
        db, org, achievement,
        [service.AwardRequest(participant_id=flow["person"].id,
                              validated_competence_id=flow["vc"].id)],
        actor=coach, chart_url="https://badges.example.fr/evidence/whatever.png")[0]
    db.commit()
    assert result.outcome == "issued"
    assert _chart_items(json.loads(result.credential.signed_json)) == []
    assert int(db.scalar(select(func.count()).select_from(EvidenceImage)) or 0) == 0


def test_chart_texts_follow_the_credential_language(app: Any, db: Any, make: Any, org: Any,
                                                    admin: Any, coach: Any, version: Any) -> None:
    ach = service.create_achievement(
        db, org,
        service.AchievementInput(competence_id=version.competences[1].id, name="Rule keeping",
                                 description="Keeps the rules of the game.", min_level=3,
                                 language="en"),
        actor=admin,
    )
    db.commit()
    person = make.participant(org, NAME, email=EMAIL)
    gs = _factory.group_session(db, org, coach, version, [person])
    rnd = grids.session_rounds(db, gs)[person.id]
    _rate_and_submit(db, rnd, coach, person)
    vc = _factory.validate(db, rnd, version.competences[1], coach, person, level=4)
    flow = {"person": person, "vc": vc}
    cred = _accept(app, make, flow, ach, chart=True)
    doc = json.loads(_files(flow["client"], cred.id)["json"])
    item = _chart_items(doc)[0]
    assert item["name"] == "Radar chart: self-assessment and coach's view"
    assert "Start" in item["description"]
    token = URL_RE.match(item["id"]).group(1)  # type: ignore[union-attr]
    body = _client(app).get(f"/evidence/{token}.png").get_data()
    with Image.open(io.BytesIO(body)) as img:
        texts = " ".join(str(v) for v in img.text.values())  # type: ignore[attr-defined]
    assert "Competence grid" in texts and "Amina" not in texts


@pytest.mark.browser
def test_participant_attaches_the_chart_on_a_phone(live_server: str, phone_page: Any, db: Any,
                                                   make: Any, flow: dict[str, Any],
                                                   achievement: Any) -> None:
    from tests.a11y import assert_accessible, no_overflow

    page = phone_page
    page.goto(f"{live_server}/code/{make.login_code(flow['person'])}")
    with page.expect_navigation():
        page.get_by_role("button", name="Entrer").click()
    page.goto(f"{live_server}/me/badges")
    box = page.get_by_label("Joindre mon graphique (moi / coach)")
    assert not box.is_checked()
    no_overflow(page)
    assert_accessible(page, "badges proposed, with the chart box")
    box.check()
    page.get_by_role("button", name="J'accepte ce badge").click()
    page.wait_for_selector("text=Badge reçu")
    row = _images(db)[0]
    response = page.goto(f"{live_server}/evidence/{row.token}.png")
    assert response is not None and response.status == 200
    assert response.headers["content-type"] == "image/png"
