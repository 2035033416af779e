"""The sync endpoints the offline group screen and grid steps send their queued scores to:
the same rules as an online save (optimistic locking, authorship, open rounds), per score
saved / conflict / refused, and every refusal of the request itself (CSRF, wrong session,
another organisation, oversized or bad JSON)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select

from badger import grids
from badger.grids.models import Rating, Round
from tests.conftest import login_participant, login_staff
from tests.grids._factory import journey_round, published_version


def offline_session(db: Any, org: Any, coach: Any, people: list[Any], n: int = 17) -> Any:
    version = published_version(db)
    gs = grids.create_session(
        db,
        organisation_id=org.id,
        coach=coach,
        held_on=date(2025, 3, 4),
        title="Gymnase",
        referentiel_version_id=version.id,
        competence_ids=[c.id for c in version.competences][:n],
        round_label="entry",
        participants=people,
    )
    db.commit()
    return gs


def coach_scores(db: Any) -> dict[tuple[int, int], int]:
    db.expire_all()
    rounds = {r.id: r.journey.participant_id for r in db.execute(select(Round)).scalars()}
    return {
        (rounds[r.round_id], r.competence_id): r.score
        for r in db.execute(select(Rating).where(Rating.rater_role == "coach")).scalars()
    }


#: what the page's script sends: errors then answer in JSON too
J = {"Accept": "application/json"}


def _sync(client: Any, gs: Any, ratings: list[dict[str, Any]], **kw: Any) -> Any:
    headers = {**J, **kw.pop("headers", {})}
    return client.post(f"/sessions/{gs.id}/sync", json={"ratings": ratings}, headers=headers, **kw)


def test_coach_sync_saves_every_score_and_answers_the_new_versions(db, make, org, coach):
    people = [make.participant(org, n) for n in ("Amina", "Bastien")]
    gs = offline_session(db, org, coach, people, n=3)
    comp = gs.competence_ids
    client = make.app.test_client()
    login_staff(client, coach)
    items = [
        {"participant_id": p.id, "competence_id": c, "score": (i + j) % 6, "version": 0}
        for i, p in enumerate(people)
        for j, c in enumerate(comp)
    ]
    r = _sync(client, gs, items)
    assert r.status_code == 200, r.get_data(as_text=True)
    results = r.get_json()["results"]
    assert [x["status"] for x in results] == ["saved"] * 6
    assert all(x["version"] == 1 for x in results)
    assert coach_scores(db) == {
        (p.id, c): (i + j) % 6 for i, p in enumerate(people) for j, c in enumerate(comp)
    }
    # "–" clears, on the version the device saw
    r = _sync(
        client,
        gs,
        [{"participant_id": people[0].id, "competence_id": comp[0], "clear": True, "version": 1}],
    )
    assert r.get_json()["results"][0] == {
        "competence_id": comp[0],
        "participant_id": people[0].id,
        "status": "saved",
        "score": None,
        "version": 0,
    }
    assert (people[0].id, comp[0]) not in coach_scores(db)


def test_a_stale_version_is_a_conflict_with_both_values_and_the_rest_is_saved(db, make, org, coach):
    amina = make.participant(org, "Amina")
    gs = offline_session(db, org, coach, [amina], n=3)
    comp = gs.competence_ids
    other = make.staff(org, "assessor", email="second@example.org")
    rnd = grids.session_rounds(db, gs)[amina.id]
    # the device saw no score; meanwhile a second coach saved 2
    grids.save_ratings(db, rnd, role="coach", actor=other, entries=[grids.RatingInput(comp[0], 2)])
    db.commit()
    client = make.app.test_client()
    login_staff(client, coach)
    r = _sync(
        client,
        gs,
        [
            {"participant_id": amina.id, "competence_id": comp[0], "score": 4, "version": 0},
            {"participant_id": amina.id, "competence_id": comp[1], "score": 5, "version": 0},
        ],
    )
    assert r.status_code == 200
    conflict, saved = r.get_json()["results"]
    assert conflict["status"] == "conflict"
    assert (conflict["yours"], conflict["theirs"], conflict["by"]) == (4, 2, other.name)
    assert conflict["version"] == 1  # the server's, for "keep mine"
    assert saved["status"] == "saved"
    assert coach_scores(db) == {(amina.id, comp[0]): 2, (amina.id, comp[1]): 5}
    # keeping mine: sent again on the server's version
    r = _sync(
        client,
        gs,
        [{"participant_id": amina.id, "competence_id": comp[0], "score": 4, "version": 1}],
    )
    assert r.get_json()["results"][0]["status"] == "saved"
    assert coach_scores(db)[(amina.id, comp[0])] == 4


def test_refused_scores_say_why_and_write_nothing(db, make, org, coach):
    amina, bastien = make.participant(org, "Amina"), make.participant(org, "Bastien")
    gs = offline_session(db, org, coach, [amina, bastien], n=3)
    comp = gs.competence_ids
    org_b = make.organisation("org-b", "Organisation B")
    stranger = make.participant(org_b, "Other")
    outsider = make.participant(org, "Not in the session")
    grids.close_round(db, grids.session_rounds(db, gs)[bastien.id])
    db.commit()
    client = make.app.test_client()
    login_staff(client, coach)
    r = _sync(
        client,
        gs,
        [
            {"participant_id": stranger.id, "competence_id": comp[0], "score": 3, "version": 0},
            {"participant_id": outsider.id, "competence_id": comp[0], "score": 3, "version": 0},
            {"participant_id": bastien.id, "competence_id": comp[0], "score": 3, "version": 0},
            {"participant_id": amina.id, "competence_id": comp[0], "score": 7, "version": 0},
            {"participant_id": amina.id, "competence_id": 999999, "score": 3, "version": 0},
            {"participant_id": amina.id, "competence_id": comp[1], "score": 1, "version": 0},
        ],
    )
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert [x["status"] for x in results] == ["refused"] * 5 + ["saved"]
    reasons = [x["reason"] for x in results[:5]]
    assert reasons[0] == reasons[1] == "Cette personne ne participe pas à cette séance."
    assert "clos" in reasons[2]
    assert "0 à 5" in reasons[3] or "note" in reasons[3].lower()
    assert reasons[4] == "Cette compétence ne fait pas partie de la grille."
    assert coach_scores(db) == {(amina.id, comp[1]): 1}
    db.expire_all()
    assert db.execute(select(Rating).where(Rating.organisation_id == org_b.id)).first() is None


def test_the_request_itself_is_refused(db, make, org, coach, app):
    amina = make.participant(org, "Amina")
    gs = offline_session(db, org, coach, [amina], n=3)
    org_b = make.organisation("org-b", "Organisation B")
    coach_b = make.staff(org_b, "assessor", email="b@example.org")
    gs_b = offline_session(db, org_b, coach_b, [make.participant(org_b, "B")], n=3)
    item = {
        "participant_id": amina.id,
        "competence_id": gs.competence_ids[0],
        "score": 3,
        "version": 0,
    }
    client = make.app.test_client()
    login_staff(client, coach)
    client.csrf_token()
    # CSRF: the header is required like any other script post
    r = _sync(client, gs, [item], csrf=False)
    assert r.status_code == 400 and "Le formulaire a expiré" in r.get_json()["error"]["message"]
    r = _sync(client, gs, [item], csrf=False, headers={"X-CSRFToken": "forged.token.x"})
    assert r.status_code == 400
    # another organisation's session, or none
    assert _sync(client, gs_b, [item]).status_code == 404
    assert client.post("/sessions/999999/sync", json={"ratings": [item]}).status_code == 404
    # bodies
    url = f"/sessions/{gs.id}/sync"
    r = client.post(url, data="{not json", content_type="application/json", headers=J)
    assert r.status_code == 400 and r.get_json()["error"]["message"]
    assert client.post(url, data="ratings=1").status_code == 415
    assert client.post(url, json={"ratings": "all"}).status_code == 400
    assert client.post(url, json=[item]).status_code == 400
    assert client.post(url, json={"ratings": [dict(item, score="3")]}).status_code == 400
    big = json.dumps({"ratings": [item], "pad": "x" * (2 * 1024 * 1024)})
    assert client.post(url, data=big, content_type="application/json").status_code == 413
    many = {"ratings": [item] * 901}
    assert client.post(url, json=many).status_code == 413
    assert coach_scores(db) == {}
    # a participant cannot use the coach's endpoint
    pclient = make.app.test_client()
    login_participant(pclient, make, amina)
    assert _sync(pclient, gs, [item]).status_code == 403
    assert coach_scores(db) == {}


def test_participant_sync_of_their_own_grid(db, make, org, coach, participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    other = make.participant(org, "Bastien")
    other_rnd = journey_round(db, org, other, coach, version, n=3)
    db.commit()
    comp = [it.competence_id for it in rnd.items]
    client = make.app.test_client()
    login_participant(client, make, participant)
    items = [
        {"competence_id": comp[0], "score": 4, "comment": "Toujours là", "version": 0},
        {"competence_id": comp[1], "score": 2, "version": 0},
    ]
    r = client.post(f"/me/rounds/{rnd.id}/sync", json={"ratings": items})
    assert r.status_code == 200
    assert [x["status"] for x in r.get_json()["results"]] == ["saved", "saved"]
    db.expire_all()
    rows = {
        x.competence_id: (x.score, x.comment, x.rater_role)
        for x in db.execute(select(Rating).where(Rating.round_id == rnd.id)).scalars()
    }
    assert rows == {comp[0]: (4, "Toujours là", "self"), comp[1]: (2, "", "self")}
    # stale: the device based its score on version 0, the server has version 1 with 2
    r = client.post(
        f"/me/rounds/{rnd.id}/sync",
        json={"ratings": [{"competence_id": comp[1], "score": 5, "version": 0}]},
    )
    res = r.get_json()["results"][0]
    assert (res["status"], res["yours"], res["theirs"]) == ("conflict", 5, 2)
    # someone else's grid: 404, and a coach has no such endpoint
    assert (
        client.post(f"/me/rounds/{other_rnd.id}/sync", json={"ratings": items}).status_code == 404
    )
    db.expire_all()
    assert db.execute(select(Rating).where(Rating.round_id == other_rnd.id)).first() is None
    staff = make.app.test_client()
    login_staff(staff, coach)
    assert staff.post(f"/me/rounds/{rnd.id}/sync", json={"ratings": items}).status_code == 403


def test_service_worker_manifest_and_logout_clearing_headers(db, make, org, coach):
    client = make.app.test_client()
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Service-Worker-Allowed"] == "/"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert 'addEventListener("fetch"' in r.get_data(as_text=True)
    m = client.get("/manifest.webmanifest")
    assert m.mimetype == "application/manifest+json"
    body = m.get_json()
    assert body["start_url"] == "/" and {i["sizes"] for i in body["icons"]} == {
        "192x192",
        "512x512",
    }
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200
    login_staff(client, coach)
    r = client.post("/logout")
    assert r.status_code == 302
    assert r.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_group_screen_and_step_pages_carry_the_offline_hooks(db, make, org, coach, participant):
    gs = offline_session(db, org, coach, [participant], n=3)
    client = make.app.test_client()
    login_staff(client, coach)
    html = client.get(f"/sessions/{gs.id}").get_data(as_text=True)
    assert 'data-offline="group"' in html and f'data-sync-url="/sessions/{gs.id}/sync"' in html
    assert 'rel="manifest"' in html and "js/offline.js" in html
    assert "Hors ligne — {n} notes en attente" in html and "Tout est enregistré" in html
    # the hint without JavaScript says Tab moves; the one the script shows says a digit moves
    assert "Tab passe à la case suivante" in html
    assert "le curseur passe seul à la case suivante (une touche par note)" in html
    pclient = make.app.test_client()
    login_participant(pclient, make, participant)
    rnd = grids.session_rounds(db, gs)[participant.id]
    html = pclient.get(f"/me/rounds/{rnd.id}/step/1").get_data(as_text=True)
    assert 'data-offline="step"' in html and f"/me/rounds/{rnd.id}/step/3 " in html
    assert f'data-next-url="/me/rounds/{rnd.id}/step/2"' in html
    # the key naming the device store is per person, opaque
    key = html.split('data-offline-key="')[1].split('"')[0]
    other = client.get(f"/sessions/{gs.id}").get_data(as_text=True)
    assert len(key) == 24 and key not in other and str(participant.id) != key
