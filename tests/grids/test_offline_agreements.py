"""Levels agreed on a comparison page while offline, sent through the same sync endpoints as
the scores (``"agreements"`` beside ``"ratings"``): the comparison form's rules
(:func:`record_agreement` with the version the device saw) — saved, conflict with both values
and nothing written, refused (closed round, a participant who has not finished their grid,
someone outside the session or the organisation) — and the pages' offline hooks."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from badger import grids
from badger.grids.models import Agreement
from tests.conftest import login_participant, login_staff
from tests.grids._factory import rate
from tests.grids.test_offline_sync import J, coach_scores, offline_session


def agreements(db: Any) -> dict[tuple[int, int], tuple[int, bool, bool]]:
    """(round, competence) → (level, coach agreed, participant agreed), as the server has it."""
    db.expire_all()
    return {
        (a.round_id, a.competence_id): (
            a.level,
            a.coach_agreed_at is not None,
            a.participant_agreed_at is not None,
        )
        for a in db.execute(select(Agreement)).scalars()
    }


def _agree(client: Any, url: str, items: list[dict[str, Any]], **kw: Any) -> Any:
    return client.post(url, json={"agreements": items}, headers=J, **kw)


def _submitted(db: Any, gs: Any, person: Any, scores: list[int]) -> Any:
    """The participant's round in ``gs``, their own grid scored and finished."""
    rnd = grids.session_rounds(db, gs)[person.id]
    rate(db, rnd, "self", person, scores)
    grids.submit_self_assessment(db, rnd, person)
    db.commit()
    return rnd


def test_coach_agreements_are_saved_beside_scores_and_count_once_both_agreed(db, make, org, coach):
    amina = make.participant(org, "Amina")
    gs = offline_session(db, org, coach, [amina], n=3)
    comp = gs.competence_ids
    rnd = _submitted(db, gs, amina, [2, 3, 4])
    client = make.app.test_client()
    login_staff(client, coach)
    r = client.post(
        f"/sessions/{gs.id}/sync",
        json={
            "ratings": [
                {"participant_id": amina.id, "competence_id": comp[0], "score": 3, "version": 0}
            ],
            "agreements": [
                {"participant_id": amina.id, "competence_id": comp[0], "level": 3, "version": 0},
                {"participant_id": amina.id, "competence_id": comp[1], "level": 2, "version": 0},
            ],
        },
        headers=J,
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    score, first, second = r.get_json()["results"]
    assert score["status"] == "saved" and "kind" not in score
    assert first == {
        "kind": "agreement",
        "participant_id": amina.id,
        "competence_id": comp[0],
        "status": "saved",
        "level": 3,
        "version": 1,
        "complete": False,
    }
    assert second["status"] == "saved" and second["level"] == 2
    assert coach_scores(db) == {(amina.id, comp[0]): 3}
    assert agreements(db) == {
        (rnd.id, comp[0]): (3, True, False),
        (rnd.id, comp[1]): (2, True, False),
    }
    # the participant agrees the same level on their phone, offline too: it now counts
    pclient = make.app.test_client()
    login_participant(pclient, make, amina)
    r = _agree(
        pclient, f"/me/rounds/{rnd.id}/sync", [{"competence_id": comp[0], "level": 3, "version": 1}]
    )
    assert r.get_json()["results"] == [
        {
            "kind": "agreement",
            "competence_id": comp[0],
            "status": "saved",
            "level": 3,
            "version": 2,
            "complete": True,
        }
    ]
    assert agreements(db)[(rnd.id, comp[0])] == (3, True, True)


def test_a_level_agreed_meanwhile_is_a_conflict_with_both_values_and_nothing_lost(
    db, make, org, coach
):
    amina = make.participant(org, "Amina")
    gs = offline_session(db, org, coach, [amina], n=3)
    comp = gs.competence_ids
    rnd = _submitted(db, gs, amina, [2, 3, 4])
    # the coach's page showed no agreement; meanwhile Amina agreed level 2 on her phone
    grids.record_agreement(db, rnd, competence_id=comp[0], level=2, actor=amina)
    # … and level 4 on the second one, which the coach's page did show (version 1)
    grids.record_agreement(db, rnd, competence_id=comp[1], level=4, actor=amina)
    db.commit()
    client = make.app.test_client()
    login_staff(client, coach)
    url = f"/sessions/{gs.id}/sync"
    r = _agree(
        client,
        url,
        [
            {"participant_id": amina.id, "competence_id": comp[0], "level": 4, "version": 0},
            {"participant_id": amina.id, "competence_id": comp[1], "level": 4, "version": 1},
        ],
    )
    assert r.status_code == 200
    conflict, saved = r.get_json()["results"]
    assert conflict["status"] == "conflict" and conflict["kind"] == "agreement"
    assert (conflict["yours"], conflict["theirs"], conflict["by"]) == (4, 2, "Amina")
    assert conflict["version"] == 1  # the server's, to keep one's own level on purpose
    assert (saved["status"], saved["complete"]) == ("saved", True)
    assert agreements(db) == {
        (rnd.id, comp[0]): (2, False, True),  # Amina's level stays
        (rnd.id, comp[1]): (4, True, True),
    }
    # "keep my level": sent again on the server's version; Amina's different level is withdrawn
    r = _agree(
        client,
        url,
        [{"participant_id": amina.id, "competence_id": comp[0], "level": 4, "version": 1}],
    )
    assert r.get_json()["results"][0]["status"] == "saved"
    assert agreements(db)[(rnd.id, comp[0])] == (4, True, False)
    # the same level agreed meanwhile is no conflict: it completes the agreement
    grids.record_agreement(db, rnd, competence_id=comp[2], level=3, actor=amina)
    db.commit()
    r = _agree(
        client,
        url,
        [{"participant_id": amina.id, "competence_id": comp[2], "level": 3, "version": 0}],
    )
    assert r.get_json()["results"][0]["complete"] is True


def test_refused_agreements_say_why_write_nothing_and_leave_the_rest_saved(db, make, org, coach):
    amina, bastien = make.participant(org, "Amina"), make.participant(org, "Bastien")
    gs = offline_session(db, org, coach, [amina, bastien], n=3)
    comp = gs.competence_ids
    rnd = grids.session_rounds(db, gs)[amina.id]
    grids.close_round(db, grids.session_rounds(db, gs)[bastien.id])
    org_b = make.organisation("org-b", "Organisation B")
    stranger = make.participant(org_b, "Other")
    outsider = make.participant(org, "Not in the session")
    db.commit()
    client = make.app.test_client()
    login_staff(client, coach)

    def item(pid: int, cid: int, level: int) -> dict[str, int]:
        return {"participant_id": pid, "competence_id": cid, "level": level, "version": 0}

    r = _agree(
        client,
        f"/sessions/{gs.id}/sync",
        [
            item(stranger.id, comp[0], 3),
            item(outsider.id, comp[0], 3),
            item(bastien.id, comp[0], 3),
            item(amina.id, comp[0], 7),
            item(amina.id, 999999, 3),
            item(amina.id, comp[1], 1),
        ],
    )
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert [x["status"] for x in results] == ["refused"] * 5 + ["saved"]
    assert all(x["kind"] == "agreement" for x in results)
    reasons = [x["reason"] for x in results[:5]]
    assert reasons[0] == reasons[1] == "Cette personne ne participe pas à cette séance."
    assert reasons[2] == "Ce tour de grille est clos."
    assert "5" in reasons[3]
    assert reasons[4] == "Cette compétence ne fait pas partie de la grille."
    assert agreements(db) == {(rnd.id, comp[1]): (1, True, False)}


def test_participant_agrees_only_on_their_own_finished_grid(db, make, org, coach):
    amina, bastien = make.participant(org, "Amina"), make.participant(org, "Bastien")
    gs = offline_session(db, org, coach, [amina, bastien], n=3)
    comp = gs.competence_ids
    rnd = grids.session_rounds(db, gs)[amina.id]
    other = _submitted(db, gs, bastien, [1, 1, 1])
    client = make.app.test_client()
    login_participant(client, make, amina)
    url = f"/me/rounds/{rnd.id}/sync"
    # not finished: refused (she would see the coach's view through a conflict)
    r = _agree(client, url, [{"competence_id": comp[0], "level": 3, "version": 0}])
    assert r.status_code == 200
    res = r.get_json()["results"][0]
    assert res["status"] == "refused" and res["reason"].startswith("Terminez d'abord")
    assert agreements(db) == {}
    rate(db, rnd, "self", amina, [3, 3, 3])
    grids.submit_self_assessment(db, rnd, amina)
    db.commit()
    r = _agree(client, url, [{"competence_id": comp[0], "level": 3, "version": 0}])
    assert r.get_json()["results"][0]["status"] == "saved"
    assert agreements(db) == {(rnd.id, comp[0]): (3, False, True)}
    # someone else's round: 404, nothing written
    r = _agree(
        client,
        f"/me/rounds/{other.id}/sync",
        [{"competence_id": comp[0], "level": 1, "version": 0}],
    )
    assert r.status_code == 404
    assert (other.id, comp[0]) not in agreements(db)
    # a participant cannot use the coach's endpoint
    item = {"participant_id": amina.id, "competence_id": comp[1], "level": 1, "version": 0}
    assert _agree(client, f"/sessions/{gs.id}/sync", [item]).status_code == 403


def test_the_agreements_body_is_checked_and_limited(db, make, org, coach):
    amina = make.participant(org, "Amina")
    gs = offline_session(db, org, coach, [amina], n=3)
    org_b = make.organisation("org-b", "Organisation B")
    coach_b = make.staff(org_b, "assessor", email="b@example.org")
    gs_b = offline_session(db, org_b, coach_b, [make.participant(org_b, "B")], n=3)
    item = {
        "participant_id": amina.id,
        "competence_id": gs.competence_ids[0],
        "level": 3,
        "version": 0,
    }
    client = make.app.test_client()
    login_staff(client, coach)
    url = f"/sessions/{gs.id}/sync"
    assert _agree(client, url, [item], csrf=False).status_code == 400
    assert _agree(client, f"/sessions/{gs_b.id}/sync", [item]).status_code == 404
    assert client.post(url, json={"agreements": "all"}).status_code == 400
    assert client.post(url, json={"other": []}).status_code == 400
    assert client.post(url, json={"agreements": [dict(item, level="3")]}).status_code == 400
    assert client.post(url, json={"agreements": [dict(item, version=None)]}).status_code == 400
    assert client.post(url, json={"agreements": [item, 3]}).status_code == 400
    # scores and agreements together count towards the 900 items of one request
    score = {
        "participant_id": amina.id,
        "competence_id": gs.competence_ids[0],
        "score": 1,
        "version": 0,
    }
    many = {"ratings": [score] * 450, "agreements": [item] * 451}
    assert client.post(url, json=many).status_code == 413
    big = json.dumps({"agreements": [item], "pad": "x" * (2 * 1024 * 1024)})
    assert client.post(url, data=big, content_type="application/json").status_code == 413
    assert agreements(db) == {} and coach_scores(db) == {}


def _hook(html: str) -> dict[str, Any] | None:
    if 'data-offline-compare=""' in html:
        return None
    raw = html.split('data-offline-compare="')[1].split('"')[0]
    return json.loads(raw.replace("&#34;", '"').replace("&amp;", "&").replace("&#39;", "'"))


def test_comparison_pages_carry_the_offline_hook_of_their_person(db, make, org, coach):
    amina = make.participant(org, "Amina")
    gs = offline_session(db, org, coach, [amina], n=3)
    rnd = grids.session_rounds(db, gs)[amina.id]
    client = make.app.test_client()
    login_staff(client, coach)
    # the group screen keeps each participant's comparison, fetched again each time
    html = client.get(f"/sessions/{gs.id}").get_data(as_text=True)
    assert f'data-refresh="/rounds/{rnd.id}/compare "' in html
    assert f'href="/rounds/{rnd.id}/compare"' in html
    conf = _hook(client.get(f"/rounds/{rnd.id}/compare").get_data(as_text=True))
    assert conf is not None
    assert (conf["scope"], conf["syncUrl"], conf["pages"]) == (
        f"g:{gs.id}",
        f"/sessions/{gs.id}/sync",
        [],
    )
    assert (conf["round"], conf["participant"], conf["name"]) == (rnd.id, amina.id, "Amina")
    assert conf["msgs"]["agree-pending"] == "Niveau {n} : en attente d'envoi"
    assert len(conf["key"]) == 24
    # the participant: nothing before their grid is finished, then their own round only
    pclient = make.app.test_client()
    login_participant(pclient, make, amina)
    rate(db, rnd, "self", amina, [1, 2, 3])
    html = pclient.get(f"/rounds/{rnd.id}/compare").get_data(as_text=True)
    assert _hook(html) is None
    grids.submit_self_assessment(db, rnd, amina)
    db.commit()
    mine = _hook(pclient.get(f"/rounds/{rnd.id}/compare").get_data(as_text=True))
    assert mine is not None
    assert (mine["scope"], mine["syncUrl"], mine["pages"], mine["participant"]) == (
        f"r:{rnd.id}",
        f"/me/rounds/{rnd.id}/sync",
        [f"/rounds/{rnd.id}/compare"],
        None,
    )
    assert mine["key"] != conf["key"]
