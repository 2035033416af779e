"""Grids follow-up over HTTP: others' views hidden until the participant finishes (everywhere),
peers' views, validation rules, competence picker, closing rounds and journeys, clearing a score
on the group screen, round labels as people read them."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import pytest
from sqlalchemy import select

from badger import grids
from badger.grids import NoteInput, save_coach_notes
from badger.grids.models import (
    Agreement,
    GroupSession,
    Journey,
    Rating,
    Round,
    RoundCompetence,
    ValidatedCompetence,
)
from tests.conftest import login_participant, login_staff
from tests.grids._factory import journey_round, published_version, rate

NS = {"s": "http://www.w3.org/2000/svg"}


def _submit(db, rnd):
    rnd.self_submitted_at = rnd.created_at
    db.commit()


def _row(html, label):
    row = html[html.index(f"{label}</th>") :].split("</tr>")[0]
    return [c.split("<")[0] for c in row.split("<td>")[1:]]


def _kinds(html):
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    return [g.get("data-kind") for g in ET.fromstring(svg).findall(".//s:g[@data-missing]", NS)]


# --------------------------------------------------------------------------- privacy


def test_progress_hides_the_coach_level_of_a_round_the_participant_has_not_finished(
    db, make, org, coach, participant
):
    version = published_version(db)
    r1 = journey_round(db, org, participant, coach, version, "entry", n=4)
    rate(db, r1, "self", participant, [1, 1, 1, 1])
    rate(db, r1, "coach", coach, [3, 3, 3, 3])
    _submit(db, r1)
    r2 = journey_round(db, org, participant, coach, version, "mid-way", n=4)
    rate(db, r2, "self", participant, [2, 2, 2, 2])
    rate(db, r2, "coach", coach, [5, 5, 5, 5])  # the participant has not finished r2
    me = make.app.test_client()
    login_participant(me, make, participant)
    html = me.get(f"/journeys/{r2.journey_id}/progress").get_data(as_text=True)
    # their own level, never the coach's 5 (the old page showed 3, 5, +2)
    assert _row(html, "Assiduité") == ["3", "2", "-1"]
    assert ">5<" not in html.split("<table")[1]
    staff = make.app.test_client()
    login_staff(staff, coach)
    html = staff.get(f"/journeys/{r2.journey_id}/progress").get_data(as_text=True)
    assert _row(html, "Assiduité") == ["3", "5", "+2"]  # staff see everything
    # once the participant has finished, they see it too
    _submit(db, r2)
    html = me.get(f"/journeys/{r2.journey_id}/progress").get_data(as_text=True)
    assert _row(html, "Assiduité") == ["3", "5", "+2"]


def test_previous_round_of_a_comparison_hides_an_unfinished_rounds_coach_level(
    db, make, org, coach, participant
):
    version = published_version(db)
    r1 = journey_round(db, org, participant, coach, version, "entry", n=3)
    rate(db, r1, "self", participant, [2, 2, 2])
    rate(db, r1, "coach", coach, [5, 5, 5])  # never finished by the participant
    r2 = journey_round(db, org, participant, coach, version, "exit", n=3)
    rate(db, r2, "self", participant, [3, 3, 3])
    rate(db, r2, "coach", coach, [3, 3, 3])
    _submit(db, r2)
    me = make.app.test_client()
    login_participant(me, make, participant)
    data = json.loads(me.get(f"/rounds/{r2.id}/export.json").get_data(as_text=True))
    assert [a["previous"] for a in data["axes"]] == [2, 2, 2]
    html = me.get(f"/rounds/{r2.id}/compare").get_data(as_text=True)
    assert "Tour précédent (Entrée)" in html  # the label as people read it, not "entry"
    staff = make.app.test_client()
    login_staff(staff, coach)
    data = json.loads(staff.get(f"/rounds/{r2.id}/export.json").get_data(as_text=True))
    assert [a["previous"] for a in data["axes"]] == [5, 5, 5]


def test_unfinished_round_hidden_in_portfolio_export_and_share_chart(
    db, make, org, coach, participant
):
    from badger.portfolio.views import NEW_LINK_KEY

    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    rate(db, rnd, "self", participant, [2, 2, 2])
    rate(db, rnd, "coach", coach, [5, 4, 5])
    save_coach_notes(
        db,
        rnd,
        author=coach,
        entries=[NoteInput(rnd.items[0].competence_id, "Conseil secret", "Vu 3 fois")],
        summary="Résumé du coach",
    )
    db.commit()
    me = make.app.test_client()
    login_participant(me, make, participant)
    # the participant may choose to show the chart before finishing: only their own view shows
    assert me.post(f"/me/rounds/{rnd.id}/portfolio", data={"show": "1"}).status_code == 302
    r = me.get("/portfolio/export")
    assert r.status_code == 200
    grids = json.loads(zipfile.ZipFile(io.BytesIO(r.data)).read("grids.json"))
    axes = grids[0]["axes"]
    assert [a["self"] for a in axes] == [2, 2, 2]
    assert [a["coach"] for a in axes] == [None, None, None]
    assert "Conseil secret" not in json.dumps(grids) and "Résumé du coach" not in json.dumps(grids)
    r = me.post("/portfolio/shares", data={"label": "Pour l'emploi", "chart": str(rnd.id)})
    assert r.status_code == 302, r.get_data(as_text=True)[:400]
    with me.session_transaction() as sess:
        token = sess[NEW_LINK_KEY][1]
    public = make.app.test_client()
    html = public.get(f"/s/{token}").get_data(as_text=True)
    assert "<svg" in html
    assert _kinds(html) == ["self"]
    assert "Grille sport" in html or "Graphique" in html


def test_participant_cannot_agree_before_finishing(db, make, org, coach, participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    rate(db, rnd, "self", participant, [4, 4, 4])
    rate(db, rnd, "coach", coach, [2, 2, 2])
    cid = rnd.items[0].competence_id
    staff = make.app.test_client()
    login_staff(staff, coach)
    assert (
        staff.post(f"/rounds/{rnd.id}/agree", data={"competence": cid, "level": 3}).status_code
        == 302
    )
    me = make.app.test_client()
    login_participant(me, make, participant)
    r = me.post(f"/rounds/{rnd.id}/agree", data={"competence": cid, "level": 4})
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert "Terminez d" in body and ">2<" not in body
    db.expire_all()
    ag = db.execute(select(Agreement)).scalar_one()
    assert ag.level == 3 and ag.participant_agreed_at is None  # nothing of it written


# --------------------------------------------------------------------------- peers


def _session(client, version, people, n=None):
    data = {
        "title": "Chantier du jeudi",
        "held_on": "2025-03-06",
        "version": str(version.id),
        "round_label": "entry",
        "participants": [str(p.id) for p in people],
    }
    if n:
        data["pick"] = "1"
        data["competences"] = [str(c.id) for c in version.competences[:n]]
    r = client.post("/sessions", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return int(r.location.rstrip("/").rsplit("/", 1)[1])


def test_peers_of_the_same_session_give_their_view(db, make, org, coach):
    version = published_version(db)
    amina, bastien, chloe = (make.participant(org, n) for n in ("Amina", "Bastien", "Chloé"))
    outsider = make.participant(org, "Dylan")
    staff = make.app.test_client()
    login_staff(staff, coach)
    sid = _session(staff, version, [amina, bastien, chloe], n=3)
    rounds = {r.journey.participant_id: r for r in db.execute(select(Round)).scalars()}
    ra = rounds[amina.id]
    comp = [it.competence_id for it in ra.items]
    rate(db, ra, "self", amina, [1, 1, 1])

    b = make.app.test_client()
    login_participant(b, make, bastien)
    # closed until the coach opens it
    assert b.get(f"/me/sessions/{sid}/peers").status_code == 403
    r = b.post(f"/me/sessions/{sid}/peers/{amina.id}", data={f"score-{comp[0]}": "4"})
    assert r.status_code == 403
    r = staff.post(f"/sessions/{sid}/peers", data={"open": "1"}, csrf=False)
    assert r.status_code == 400 and db.get(GroupSession, sid).peer_review is False
    assert staff.post(f"/sessions/{sid}/peers", data={"open": "1"}).status_code == 302
    assert db.get(GroupSession, sid).peer_review is True
    assert f"/me/sessions/{sid}/peers" in b.get("/me/grids").get_data(as_text=True)
    page = b.get(f"/me/sessions/{sid}/peers").get_data(as_text=True)
    assert "Amina" in page and "Chloé" in page
    assert f"/peers/{bastien.id}" not in page  # never on oneself
    # one's own view is the self-assessment
    assert b.get(f"/me/sessions/{sid}/peers/{bastien.id}").status_code == 404
    form = b.get(f"/me/sessions/{sid}/peers/{amina.id}").get_data(as_text=True)
    assert "Mon regard sur Amina" in form and 'name="csrf_token"' in form
    # bad input: nothing written
    r = b.post(
        f"/me/sessions/{sid}/peers/{amina.id}",
        data={f"score-{comp[0]}": "4", f"score-{comp[1]}": "9"},
    )
    assert r.status_code in (400, 422)
    assert db.execute(select(Rating).where(Rating.rater_role == "peer")).first() is None
    r = b.post(f"/me/sessions/{sid}/peers/{amina.id}", data={f"score-{comp[0]}": "4"}, csrf=False)
    assert r.status_code == 400
    r = b.post(
        f"/me/sessions/{sid}/peers/{amina.id}",
        data={f"score-{comp[0]}": "4", f"score-{comp[1]}": "3", f"v-{comp[0]}": "0"},
    )
    assert r.status_code == 302
    c = make.app.test_client()
    login_participant(c, make, chloe)
    c.post(f"/me/sessions/{sid}/peers/{amina.id}", data={f"score-{comp[0]}": "2"})
    peers = db.execute(select(Rating).where(Rating.rater_role == "peer")).scalars().all()
    assert {(p.rater_key, p.rater_participant_id, p.score) for p in peers} == {
        (f"p:{bastien.id}", bastien.id, 4),
        (f"p:{bastien.id}", bastien.id, 3),
        (f"p:{chloe.id}", chloe.id, 2),
    }
    assert all(p.rater_user_id is None and p.round_id == ra.id for p in peers)
    # a peer sees only their own answers: not Amina's self-assessment nor Chloé's view
    form = b.get(f"/me/sessions/{sid}/peers/{amina.id}").get_data(as_text=True)
    assert 'value="4" checked' in form and 'value="2" checked' not in form
    form = c.get(f"/me/sessions/{sid}/peers/{amina.id}").get_data(as_text=True)
    assert 'value="4" checked' not in form and 'value="1" checked' not in form
    # clearing one's own peer score ("–")
    v = next(p.version_id for p in peers if p.rater_key == f"p:{chloe.id}")
    r = c.post(
        f"/me/sessions/{sid}/peers/{amina.id}",
        data={f"score-{comp[0]}": "clear", f"v-{comp[0]}": str(v)},
    )
    assert r.status_code == 302
    assert not db.execute(select(Rating).where(Rating.rater_key == f"p:{chloe.id}")).first()
    # someone outside the session gets nothing
    d = make.app.test_client()
    login_participant(d, make, outsider)
    assert d.get(f"/me/sessions/{sid}/peers").status_code == 404
    assert (
        d.post(f"/me/sessions/{sid}/peers/{amina.id}", data={f"score-{comp[0]}": "5"}).status_code
        == 404
    )
    # Amina sees the peers' mean as its own series once she has finished
    a = make.app.test_client()
    login_participant(a, make, amina)
    html = a.get(f"/rounds/{ra.id}/compare").get_data(as_text=True)
    assert 'data-kind="peer"' not in html and "Terminez d" in html
    rate(db, ra, "self", amina, [1, 1, 1])
    assert a.post(f"/me/rounds/{ra.id}/done").status_code == 302
    html = a.get(f"/rounds/{ra.id}/compare").get_data(as_text=True)
    assert "self" in _kinds(html) and "peer" in _kinds(html)
    assert "4 (moyenne 4)" in html  # each peer's score and their mean, never their names
    assert "Bastien" not in html.split("<main")[-1]
    assert "Regard des pairs" in html
    # the coach can close the peers' views again
    assert staff.post(f"/sessions/{sid}/peers", data={"open": "0"}).status_code == 302
    assert b.get(f"/me/sessions/{sid}/peers").status_code == 403
    assert staff.post(f"/sessions/{sid}/peers", data={"open": "maybe"}).status_code == 400


def test_staff_and_the_participant_cannot_write_a_peer_view_of_their_own(
    db, make, org, coach, participant
):
    from badger.errors import UserError

    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)

    def peer_write(actor: Any) -> None:
        with pytest.raises(UserError) as refused:
            grids.save_ratings(
                db,
                rnd,
                role="peer",
                actor=actor,
                entries=[grids.RatingInput(rnd.items[0].competence_id, 3)],
            )
        assert refused.value.status == 403
        db.rollback()

    for actor in (coach, participant):  # a peer view written by its subject or by staff
        peer_write(actor)
    # a participant of the organisation but not of a session with peers open
    peer_write(make.participant(org, "Eva"))


# --------------------------------------------------------------------------- rules


def _agree(staff, me, rnd, cid, level):
    assert (
        staff.post(f"/rounds/{rnd.id}/agree", data={"competence": cid, "level": level}).status_code
        == 302
    )
    assert (
        me.post(f"/rounds/{rnd.id}/agree", data={"competence": cid, "level": level}).status_code
        == 302
    )


def test_validation_rules_are_edited_per_round(db, make, org, coach, participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    rate(db, rnd, "self", participant, [4, 4, 4])
    rate(db, rnd, "coach", coach, [4, 4, 4])
    _submit(db, rnd)
    c0, c1, c2 = (it.competence_id for it in rnd.items)
    staff = make.app.test_client()
    login_staff(staff, coach)
    me = make.app.test_client()
    login_participant(me, make, participant)
    page = staff.get(f"/rounds/{rnd.id}/rules").get_data(as_text=True)
    assert f'name="min-{c0}"' in page and "toujours demandé" in page
    assert 'name="csrf_token"' in page
    assert "participant_consents" not in page  # consent is not a choice
    seen = dict.fromkeys((c0, c1, c2), "3/1")

    def post(data, client=staff):
        body = {f"seen-{c}": s for c, s in seen.items()}
        body.update(data)
        return client.post(f"/rounds/{rnd.id}/rules", data=body)

    # no CSRF token: refused
    r = staff.post(f"/rounds/{rnd.id}/rules", data={f"min-{c0}": "5"}, csrf=False)
    assert r.status_code == 400
    # bad input: clear error, nothing written
    r = post({f"min-{c0}": "5", f"min-{c1}": "9", f"min-{c2}": "3", f"confirm-{c2}": "1"})
    assert r.status_code == 422
    r = post({f"min-{c0}": "5", f"min-{c1}": "3", f"min-{c2}": "3", "participant_consents": "0"})
    assert r.status_code == 400
    db.expire_all()
    assert all(it.rule == {} for it in db.execute(select(RoundCompetence)).scalars())
    assert me.get(f"/rounds/{rnd.id}/rules").status_code == 403  # staff only

    # c0: threshold 5; c1: no coach confirmation; c2 unchanged
    r = post(
        {
            f"min-{c0}": "5",
            f"confirm-{c0}": "1",
            f"min-{c1}": "3",
            f"min-{c2}": "3",
            f"confirm-{c2}": "1",
        }
    )
    assert r.status_code == 302
    db.expire_all()
    rules = {it.competence_id: it.rule for it in db.execute(select(RoundCompetence)).scalars()}
    assert rules[c0] == {"min_level": 5, "coach_confirms": True, "participant_consents": True}
    assert rules[c1]["coach_confirms"] is False and rules[c1]["participant_consents"] is True
    assert rules[c2] == {}
    # agreed 4 < 5: nothing proposed; lowering the threshold proposes it at once
    _agree(staff, me, rnd, c0, 4)
    _agree(staff, me, rnd, c1, 4)
    vcs = {v.competence_id: v for v in db.execute(select(ValidatedCompetence)).scalars()}
    assert set(vcs) == {c1}
    # no confirmation needed for c1: the participant's consent is enough
    assert me.post(f"/me/validations/{vcs[c1].id}", data={"answer": "given"}).status_code == 302
    db.expire_all()
    assert db.get(ValidatedCompetence, vcs[c1].id).status == "consented"
    seen.update({c0: "5/1", c1: "3/0"})
    r = post(
        {
            f"min-{c0}": "4",
            f"confirm-{c0}": "1",
            f"min-{c1}": "3",
            f"min-{c2}": "3",
            f"confirm-{c2}": "1",
        }
    )
    assert r.status_code == 302
    db.expire_all()
    vc0 = db.execute(
        select(ValidatedCompetence).where(ValidatedCompetence.competence_id == c0)
    ).scalar_one()
    assert vc0.status == "proposed" and vc0.level == 4
    # the rule of a competence already consented to no longer changes (409, nothing written)
    seen[c0] = "4/1"
    r = post(
        {
            f"min-{c0}": "3",
            f"confirm-{c0}": "1",
            f"min-{c1}": "5",
            f"min-{c2}": "3",
            f"confirm-{c2}": "1",
        }
    )
    assert r.status_code == 409
    db.expire_all()
    rules = {it.competence_id: it.rule for it in db.execute(select(RoundCompetence)).scalars()}
    assert rules[c0]["min_level"] == 4 and rules[c1]["min_level"] == 3
    # someone changed the rule meanwhile: both values shown, nothing written
    seen[c0] = "3/1"
    r = post(
        {
            f"min-{c0}": "2",
            f"confirm-{c0}": "1",
            f"min-{c1}": "3",
            f"min-{c2}": "3",
            f"confirm-{c2}": "1",
        }
    )
    assert r.status_code == 409 and "Modifié entre-temps" in r.get_data(as_text=True)
    db.expire_all()
    assert (
        db.get(
            RoundCompetence,
            next(
                it.id
                for it in db.execute(select(RoundCompetence)).scalars()
                if it.competence_id == c0
            ),
        ).rule["min_level"]
        == 4
    )


# --------------------------------------------------------------------------- picker, closing


def test_competence_picker_for_sessions_and_rounds(db, make, org, coach, participant):
    version = published_version(db)
    big = published_version(db, [f"Compétence {i:02d}" for i in range(35)])
    staff = make.app.test_client()
    login_staff(staff, coach)
    page = staff.get(f"/sessions?version={version.id}").get_data(as_text=True)
    assert page.count('name="competences"') == 17 and page.count("checked") == 17
    page = staff.get(f"/sessions?version={big.id}").get_data(as_text=True)
    assert page.count('name="competences"') == 35 and page.count("checked") == 30
    # a subset, in the version's order whatever the order posted
    chosen = [version.competences[i].id for i in (6, 0, 3)]
    r = staff.post(
        "/sessions",
        data={
            "title": "Foot",
            "version": str(version.id),
            "pick": "1",
            "competences": [str(c) for c in chosen],
            "participants": [str(participant.id)],
        },
    )
    assert r.status_code == 302
    rnd = db.execute(select(Round)).scalar_one()
    assert [it.competence_id for it in rnd.items] == sorted(
        chosen, key=lambda c: [x.id for x in version.competences].index(c)
    )
    # too few, or none, ticked: refused, nothing created
    for comps in ([chosen[0], chosen[1]], []):
        r = staff.post(
            "/sessions",
            data={
                "title": "Foot 2",
                "version": str(version.id),
                "pick": "1",
                "competences": [str(c) for c in comps],
                "participants": [str(participant.id)],
            },
        )
        assert r.status_code == 422
    # a competence of another version: refused
    r = staff.post(
        "/sessions",
        data={
            "title": "Foot 3",
            "version": str(version.id),
            "pick": "1",
            "competences": [str(c) for c in chosen] + [str(big.competences[0].id)],
            "participants": [str(participant.id)],
        },
    )
    assert r.status_code == 422
    assert db.execute(select(GroupSession)).scalars().all()[0].title == "Foot"
    assert len(db.execute(select(GroupSession)).scalars().all()) == 1
    # without the picker, a version of 35 gives its first 30
    r = staff.post(
        "/sessions",
        data={"title": "Tout", "version": str(big.id), "participants": [str(participant.id)]},
    )
    assert r.status_code == 302
    rounds = db.execute(select(Round).order_by(Round.id)).scalars().all()
    assert len(rounds[-1].items) == 30
    # the same picker opens a round for one participant
    page = staff.get(f"/participants/{participant.id}/grids?version={version.id}").get_data(
        as_text=True
    )
    assert page.count('name="competences"') == 17
    r = staff.post(
        f"/participants/{participant.id}/grids",
        data={
            "action": "round",
            "version": str(version.id),
            "round_label": "mid-way",
            "pick": "1",
            "competences": [str(c.id) for c in version.competences[:5]],
        },
    )
    assert r.status_code == 302
    last = db.execute(select(Round).order_by(Round.id.desc()).limit(1)).scalar_one()
    assert len(last.items) == 5 and last.label == "mid-way"
    assert "Mi-parcours" in staff.get(f"/participants/{participant.id}/grids").get_data(
        as_text=True
    )


def test_close_a_round_and_end_a_journey(db, make, org, coach, participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    staff = make.app.test_client()
    login_staff(staff, coach)
    me = make.app.test_client()
    login_participant(me, make, participant)
    r = staff.post(f"/rounds/{rnd.id}/state", data={"action": "close"}, csrf=False)
    assert r.status_code == 400
    assert staff.post(f"/rounds/{rnd.id}/state", data={"action": "close"}).status_code == 302
    db.expire_all()
    assert db.get(Round, rnd.id).closed_at is not None
    r = me.post(f"/me/rounds/{rnd.id}/step/1", data={"score": "3", "v": "0"})
    assert r.status_code == 409
    assert (
        staff.post(
            f"/rounds/{rnd.id}", data={f"score-{rnd.items[0].competence_id}": "2"}
        ).status_code
        == 409
    )
    assert db.execute(select(Rating)).first() is None
    assert "Ce tour de grille est clos" in me.get(f"/me/rounds/{rnd.id}/step/1").get_data(
        as_text=True
    )
    assert staff.post(f"/rounds/{rnd.id}/state", data={"action": "nope"}).status_code == 400
    assert staff.post(f"/rounds/{rnd.id}/state", data={"action": "reopen"}).status_code == 302
    assert me.post(f"/me/rounds/{rnd.id}/step/1", data={"score": "3", "v": "0"}).status_code == 302
    # ending the journey closes its rounds; a new journey can start
    jid = rnd.journey_id
    assert staff.post(f"/journeys/{jid}/end").status_code == 302
    db.expire_all()
    assert db.get(Journey, jid).ended_on is not None and db.get(Round, rnd.id).closed_at
    assert staff.post(f"/journeys/{jid}/end").status_code == 409
    assert staff.post(f"/rounds/{rnd.id}/state", data={"action": "reopen"}).status_code == 409
    page = staff.get(f"/participants/{participant.id}/grids").get_data(as_text=True)
    assert "Commencer un parcours" in page
    assert (
        staff.post(f"/participants/{participant.id}/grids", data={"action": "journey"}).status_code
        == 302
    )
    assert len(db.execute(select(Journey)).scalars().all()) == 2
    assert (
        staff.post(f"/participants/{participant.id}/grids", data={"action": "journey"}).status_code
        == 409
    )


# --------------------------------------------------------------------------- group screen


def test_group_screen_clears_a_score_with_a_dash(db, make, org, coach):
    version = published_version(db)
    people = [make.participant(org, n) for n in ("Amina", "Bastien")]
    staff = make.app.test_client()
    login_staff(staff, coach)
    sid = _session(staff, version, people, n=3)
    comp = [c.id for c in version.competences[:3]]
    a, b = people
    staff.post(f"/sessions/{sid}", data={f"s-{a.id}-{comp[0]}": "4", f"s-{b.id}-{comp[0]}": "2"})
    page = staff.get(f"/sessions/{sid}").get_data(as_text=True)
    assert "Tapez « – » (tiret) pour effacer une note." in page
    row = db.execute(select(Rating).where(Rating.score == 4)).scalar_one()
    # a stale clear is a conflict: nothing written
    staff2 = make.app.test_client()
    login_staff(staff2, make.staff(org, "assessor", email="other@a.example.org"))
    assert (
        staff2.post(
            f"/sessions/{sid}",
            data={f"s-{a.id}-{comp[0]}": "5", f"v-{a.id}-{comp[0]}": str(row.version_id)},
        ).status_code
        == 302
    )
    r = staff.post(
        f"/sessions/{sid}",
        data={
            f"s-{a.id}-{comp[0]}": "–",
            f"v-{a.id}-{comp[0]}": str(row.version_id),
            f"s-{b.id}-{comp[0]}": "-",
        },
    )
    assert r.status_code == 409
    assert '<span class="yours">–</span>' in r.get_data(as_text=True)
    db.expire_all()
    assert len(db.execute(select(Rating)).scalars().all()) == 2
    # with the version now shown: both cleared
    v = db.execute(select(Rating).where(Rating.score == 5)).scalar_one().version_id
    r = staff.post(
        f"/sessions/{sid}",
        data={
            f"s-{a.id}-{comp[0]}": "–",
            f"v-{a.id}-{comp[0]}": str(v),
            f"s-{b.id}-{comp[0]}": "-",
        },
    )
    assert r.status_code == 302
    assert db.execute(select(Rating)).first() is None
    # a bad cell is still refused as a whole
    r = staff.post(
        f"/sessions/{sid}", data={f"s-{a.id}-{comp[1]}": "3", f"s-{b.id}-{comp[1]}": "x"}
    )
    assert r.status_code in (400, 422)
    assert db.execute(select(Rating)).first() is None


# --------------------------------------------------------------------------- labels


def test_round_labels_read_as_words_everywhere(db, make, org, coach, participant):
    from badger.grids.models import display_round_label

    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, "mid-way", n=3)
    rate(db, rnd, "self", participant, [4, 4, 4])
    rate(db, rnd, "coach", coach, [4, 4, 4])
    _submit(db, rnd)
    assert rnd.display_label == "Mi-parcours" and display_round_label("atelier") == "atelier"
    staff = make.app.test_client()
    login_staff(staff, coach)
    me = make.app.test_client()
    login_participant(me, make, participant)
    _agree(staff, me, rnd, rnd.items[0].competence_id, 4)
    for client, url in (
        (me, "/me/grids"),
        (me, f"/rounds/{rnd.id}/compare"),
        (me, f"/rounds/{rnd.id}/print"),
        (me, f"/me/rounds/{rnd.id}"),
        (staff, "/validations"),
        (staff, f"/rounds/{rnd.id}"),
        (staff, f"/rounds/{rnd.id}/rules"),
        (staff, f"/participants/{participant.id}/grids"),
    ):
        html = client.get(url).get_data(as_text=True)
        assert "Mi-parcours" in html, url
        assert ">mid-way<" not in html and "— mid-way" not in html, url
    data = json.loads(me.get(f"/rounds/{rnd.id}/export.json").get_data(as_text=True))
    assert data["round"]["label"] == "mid-way" and data["round"]["name"] == "Mi-parcours"
    svg = me.get(f"/rounds/{rnd.id}/chart.svg").get_data(as_text=True)
    assert "Mi-parcours" in svg
    # translated for someone reading English
    participant.locale = "en"
    db.commit()
    html = me.get("/me/grids").get_data(as_text=True)
    assert "Midway" in html and "Mi-parcours" not in html
