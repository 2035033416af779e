"""Grids over HTTP: self-assessment, coach group entry, comparison, agreement, validation and
consent, progress, exports, locking conflicts, permissions."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

from sqlalchemy import select

from badger import grids
from badger.grids.models import Agreement, Rating, Round, ValidatedCompetence
from tests.conftest import login_participant, login_staff
from tests.grids._factory import journey_round, published_version, rate

NS = {"s": "http://www.w3.org/2000/svg"}


def test_participant_self_assessment_step_by_step_and_resume(db, make, org, coach, participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=5)
    client = make.app.test_client()
    login_participant(client, make, participant)
    page = client.get("/me/grids").get_data(as_text=True)
    assert f"/me/rounds/{rnd.id}/step" in page
    r = client.get(f"/me/rounds/{rnd.id}/step")
    assert r.status_code == 302 and r.location.endswith(f"/me/rounds/{rnd.id}/step/1")
    html = client.get(f"/me/rounds/{rnd.id}/step/1").get_data(as_text=True)
    assert "Assiduité" in html and 'type="radio"' in html and "<details" in html
    assert "Assiduité : niveau 3" in html  # level texts available on tap
    r = client.post(
        f"/me/rounds/{rnd.id}/step/1", data={"score": "4", "comment": "Toujours là", "v": "0"}
    )
    assert r.status_code == 302 and r.location.endswith("/step/2")
    client.post(f"/me/rounds/{rnd.id}/step/2", data={"score": "2", "v": "0"})
    # resume: goes to the first competence without an answer
    assert client.get(f"/me/rounds/{rnd.id}/step").location.endswith("/step/3")
    # compact list mode saves the rest at once
    data = {f"score-{it.competence_id}": "3" for it in rnd.items[2:]}
    data.update({f"v-{it.competence_id}": "0" for it in rnd.items})
    assert client.post(f"/me/rounds/{rnd.id}", data=data).status_code == 302
    scores = (
        db.execute(
            select(Rating.score)
            .where(Rating.round_id == rnd.id, Rating.rater_role == "self")
            .order_by(Rating.competence_id)
        )
        .scalars()
        .all()
    )
    assert scores == [4, 2, 3, 3, 3]
    # coach's view hidden until the participant says they finished
    assert "Terminez d'abord" in client.get(f"/rounds/{rnd.id}/compare").get_data(as_text=True)
    r = client.post(f"/me/rounds/{rnd.id}/done")
    assert r.status_code == 302
    assert "<svg" in client.get(f"/rounds/{rnd.id}/compare").get_data(as_text=True)


def test_bad_score_is_refused_and_nothing_written(db, make, org, coach, participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    client = make.app.test_client()
    login_participant(client, make, participant)
    r = client.post(f"/me/rounds/{rnd.id}/step/1", data={"score": "9"})
    assert r.status_code in (400, 422)
    assert db.execute(select(Rating)).first() is None


def test_coach_group_entry_for_a_session(db, make, org, coach):
    version = published_version(db)
    people = [make.participant(org, name) for name in ("Amina", "Bastien", "Chloé")]
    client = make.app.test_client()
    login_staff(client, coach)
    r = client.post(
        "/sessions",
        data={
            "title": "Foot du mardi",
            "held_on": "2025-03-04",
            "version": str(version.id),
            "round_label": "entry",
            "participants": [str(p.id) for p in people],
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    screen = r.location
    html = client.get(screen).get_data(as_text=True)
    assert html.count('class="cell"') == 3 * 17
    assert 'aria-label="Amina — Ponctualité"' in html
    rounds = db.execute(select(Round)).scalars().all()
    assert len(rounds) == 3 and all(len(x.items) == 17 for x in rounds)
    comp = [c.id for c in version.competences]
    data = {
        f"s-{people[0].id}-{comp[0]}": "4",
        f"s-{people[1].id}-{comp[1]}": "2",
        f"s-{people[2].id}-{comp[0]}": "",
    }
    assert client.post(screen, data=data).status_code == 302
    got = {(r.round_id, r.competence_id, r.score) for r in db.execute(select(Rating)).scalars()}
    assert len(got) == 2
    assert all(r.rater_role == "coach" for r in db.execute(select(Rating)).scalars())
    html = client.get(screen).get_data(as_text=True)
    assert 'value="4"' in html
    # a bad score is refused as a whole
    r = client.post(screen, data={f"s-{people[0].id}-{comp[2]}": "7"})
    assert r.status_code in (400, 422)


def test_coach_can_never_write_self_ratings(db, make, org, coach, participant):
    from badger.errors import UserError

    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    try:
        grids.save_ratings(
            db,
            rnd,
            role="self",
            actor=coach,
            entries=[grids.RatingInput(rnd.items[0].competence_id, 3)],
        )
    except UserError as err:
        assert err.status == 403
    else:
        raise AssertionError("a coach wrote a self rating")
    db.rollback()
    # and the participant can't write coach ratings
    try:
        grids.save_ratings(
            db,
            rnd,
            role="coach",
            actor=participant,
            entries=[grids.RatingInput(rnd.items[0].competence_id, 3)],
        )
    except UserError as err:
        assert err.status == 403
    else:
        raise AssertionError("a participant wrote a coach rating")


def _filled_round(db, org, participant, coach, version, self_scores, coach_scores, label="entry"):
    rnd = journey_round(db, org, participant, coach, version, label=label, n=len(self_scores))
    rate(db, rnd, "self", participant, self_scores)
    rate(db, rnd, "coach", coach, coach_scores)
    rnd.self_submitted_at = rnd.created_at
    db.commit()
    return rnd


def test_comparison_flags_gaps_of_two_or_more(db, make, org, coach, participant):
    version = published_version(db)
    rnd = _filled_round(db, org, participant, coach, version, [5, 2, 3, 1, 4], [2, 3, 3, 3, 4])
    client = make.app.test_client()
    login_staff(client, coach)
    html = client.get(f"/rounds/{rnd.id}/compare").get_data(as_text=True)
    comp = [it.competence_id for it in rnd.items]
    flagged = {int(x.split('"')[0]) for x in html.split('class="prompt" data-competence="')[1:]}
    assert flagged == {comp[0], comp[3]}
    assert "Assiduité" in html and "Quelles situations montrent ce niveau" in html
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    root = ET.fromstring(svg)
    assert len(root.findall(".//s:line[@class='axis']", NS)) == 5
    kinds = [g.get("data-kind") for g in root.findall(".//s:g[@data-missing]", NS)]
    assert kinds == ["self", "coach"]
    assert '<table class="radar-table"' in html


def test_agreement_needs_both_sides_then_validation_and_consent(db, make, org, coach, participant):
    version = published_version(db)
    rnd = _filled_round(db, org, participant, coach, version, [5, 2, 3], [3, 3, 3])
    cid = rnd.items[0].competence_id
    staff = make.app.test_client()
    login_staff(staff, coach)
    me = make.app.test_client()
    login_participant(me, make, participant)

    assert (
        staff.post(f"/rounds/{rnd.id}/agree", data={"competence": cid, "level": 4}).status_code
        == 302
    )
    ag = db.execute(select(Agreement)).scalar_one()
    assert ag.coach_agreed_at and not ag.participant_agreed_at
    assert db.execute(select(ValidatedCompetence)).first() is None  # not agreed by both yet
    html = me.get(f"/rounds/{rnd.id}/compare").get_data(as_text=True)
    assert (
        "en attente de l&#39;accord du participant" in html
        or "en attente de l'accord du participant" in html
    )

    assert (
        me.post(f"/rounds/{rnd.id}/agree", data={"competence": cid, "level": 4}).status_code == 302
    )
    db.expire_all()
    ag = db.execute(select(Agreement)).scalar_one()
    assert ag.complete and ag.level == 4 and ag.coach_id == coach.id
    vc = db.execute(select(ValidatedCompetence)).scalar_one()
    assert (vc.status, vc.level, vc.consent) == ("proposed", 4, "pending")
    assert vc.evidence["self_score"] == 5 and vc.evidence["coach_score"] == 3
    assert vc.evidence["agreed_level"] == 4

    # the participant cannot confirm for the coach; the coach confirms
    assert me.post(f"/validations/{vc.id}/confirm").status_code == 403
    assert staff.post(f"/validations/{vc.id}/confirm").status_code == 302
    db.expire_all()
    assert db.get(ValidatedCompetence, vc.id).status == "confirmed"
    # the coach cannot consent for the participant
    assert staff.post(f"/me/validations/{vc.id}", data={"answer": "given"}).status_code == 403
    assert me.post(f"/me/validations/{vc.id}", data={"answer": "given"}).status_code == 302
    db.expire_all()
    vc = db.get(ValidatedCompetence, vc.id)
    assert vc.status == "consented" and vc.consent == "given"
    assert "prête pour le badge" in staff.get("/validations").get_data(as_text=True)


def test_participant_can_decline_and_low_level_is_not_proposed(db, make, org, coach, participant):
    version = published_version(db)
    rnd = _filled_round(db, org, participant, coach, version, [4, 2, 3], [4, 2, 3])
    c0, c1 = rnd.items[0].competence_id, rnd.items[1].competence_id
    staff = make.app.test_client()
    login_staff(staff, coach)
    me = make.app.test_client()
    login_participant(me, make, participant)
    for client in (staff, me):
        client.post(f"/rounds/{rnd.id}/agree", data={"competence": c0, "level": 4})
        client.post(f"/rounds/{rnd.id}/agree", data={"competence": c1, "level": 2})
    vcs = db.execute(select(ValidatedCompetence)).scalars().all()
    assert [v.competence_id for v in vcs] == [c0]  # level 2 is below the default threshold 3
    staff.post(f"/validations/{vcs[0].id}/confirm")
    me.post(f"/me/validations/{vcs[0].id}", data={"answer": "declined"})
    db.expire_all()
    vc = db.get(ValidatedCompetence, vcs[0].id)
    assert vc.status == "declined"
    from badger.db import set_scope

    set_scope(db, org.id)
    assert grids.ready_for_award(db) == []


def test_progress_across_three_rounds(db, make, org, coach, participant):
    version = published_version(db)
    _filled_round(db, org, participant, coach, version, [1, 1, 2, 0], [1, 2, 2, 1], "entry")
    _filled_round(db, org, participant, coach, version, [2, 3, 3, 1], [2, 3, 3, 2], "mid-way")
    r3 = _filled_round(db, org, participant, coach, version, [4, 4, 3, 3], [4, 5, 4, 3], "exit")
    client = make.app.test_client()
    login_participant(client, make, participant)
    html = client.get(f"/journeys/{r3.journey_id}/progress").get_data(as_text=True)
    assert "Entrée" in html and "Mi-parcours" in html and "Sortie" in html
    # coach level is the best known without agreement: 1 → 2 → 4 on the first axis
    row = html[html.index("Assiduité</th>") :].split("</tr>")[0]
    assert [c.split("<")[0] for c in row.split("<td>")[1:]] == ["1", "2", "4", "+3"]
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    kinds = [g.get("data-kind") for g in ET.fromstring(svg).findall(".//s:g[@data-missing]", NS)]
    assert len(kinds) == 3
    # the comparison of the exit round overlays the previous round
    html = client.get(f"/rounds/{r3.id}/compare").get_data(as_text=True)
    assert 'data-kind="previous"' in html


def test_exports_csv_json_print_png(db, make, org, coach, participant):
    from PIL import Image

    version = published_version(db)
    rnd = _filled_round(db, org, participant, coach, version, [5, 2, 3], [3, 3, 3])
    grids.save_coach_notes(
        db,
        rnd,
        author=coach,
        entries=[
            grids.NoteInput(
                rnd.items[1].competence_id, "=doit prendre la parole", "à l'heure 9 séances sur 10"
            )
        ],
        summary="Bonne dynamique",
    )
    db.commit()
    client = make.app.test_client()
    login_staff(client, coach)
    r = client.get(f"/rounds/{rnd.id}/export.csv")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [x["self"] for x in rows] == ["5", "2", "3"]
    assert rows[0]["flagged"] == "True" and rows[0]["gap"] == "2"
    assert rows[1]["advice"] == "'=doit prendre la parole"  # no spreadsheet formula
    data = json.loads(client.get(f"/rounds/{rnd.id}/export.json").get_data(as_text=True))
    assert data["axes"][1]["observations"] == "à l'heure 9 séances sur 10"
    assert data["observations"] == "Bonne dynamique"
    html = client.get(f"/rounds/{rnd.id}/print").get_data(as_text=True)
    assert "grids-print.css" in html and "<svg" in html and "Conseils du coach et objectifs" in html
    png = client.get(f"/rounds/{rnd.id}/chart.png")
    assert png.mimetype == "image/png"
    assert Image.open(io.BytesIO(png.data)).size[0] == 560
    assert client.get(f"/rounds/{rnd.id}/chart.svg").mimetype == "image/svg+xml"


def test_coach_detail_notes_and_locking_conflict_shows_both_values(
    db, make, org, coach, participant
):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    other = make.staff(org, "assessor", email="other@a.example.org")
    c0 = rnd.items[0].competence_id
    a = make.app.test_client()
    login_staff(a, coach)
    b = make.app.test_client()
    login_staff(b, other)
    page = a.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    assert "Conseils du coach et objectifs" in page
    # both opened the page when there was no rating (version 0); B saves first
    assert b.post(f"/rounds/{rnd.id}", data={f"score-{c0}": "2", f"v-{c0}": "0"}).status_code == 302
    r = a.post(
        f"/rounds/{rnd.id}",
        data={f"score-{c0}": "4", f"v-{c0}": "0", f"advice-{c0}": "Venir à l'heure"},
    )
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Modifié entre-temps" in html
    assert '<span class="yours">4</span>' in html and '<span class="theirs">2</span>' in html
    assert "other" in html  # who changed it
    db.expire_all()
    rating = db.execute(select(Rating)).scalar_one()
    assert rating.score == 2  # B's write kept, A's not silently applied
    from badger.grids.models import CoachNote

    assert db.execute(select(CoachNote)).first() is None  # nothing of A's request written
    # A resubmits with the version now shown: accepted
    v = rating.version_id
    assert (
        a.post(f"/rounds/{rnd.id}", data={f"score-{c0}": "4", f"v-{c0}": str(v)}).status_code == 302
    )
    db.expire_all()
    assert db.execute(select(Rating)).scalar_one().score == 4


def test_participant_self_conflict_between_two_devices(db, make, org, coach, participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    phone = make.app.test_client()
    login_participant(phone, make, participant)
    laptop = make.app.test_client()
    login_participant(laptop, make, participant)
    assert (
        phone.post(f"/me/rounds/{rnd.id}/step/1", data={"score": "1", "v": "0"}).status_code == 302
    )
    r = laptop.post(f"/me/rounds/{rnd.id}/step/1", data={"score": "3", "v": "0"})
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert '<span class="yours">3</span>' in html and '<span class="theirs">1</span>' in html


def test_permissions_other_participant_and_other_organisation(db, make, org, coach, participant):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    rate(db, rnd, "self", participant, [3, 3, 3])
    someone = make.participant(org, "Bastien")
    c = make.app.test_client()
    login_participant(c, make, someone)
    for url in (
        f"/rounds/{rnd.id}/compare",
        f"/me/rounds/{rnd.id}",
        f"/rounds/{rnd.id}/export.csv",
        f"/rounds/{rnd.id}/print",
        f"/journeys/{rnd.journey_id}/progress",
    ):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/me/rounds/{rnd.id}/step/1", data={"score": "1"}).status_code == 404
    assert c.get(f"/rounds/{rnd.id}").status_code == 403  # staff pages
    org_b = make.organisation("org-b")
    admin_b = make.staff(org_b, "admin", email="admin@b.example.org")
    s = make.app.test_client()
    login_staff(s, admin_b)
    for url in (
        f"/rounds/{rnd.id}/compare",
        f"/rounds/{rnd.id}",
        f"/rounds/{rnd.id}/export.json",
        f"/rounds/{rnd.id}/chart.png",
        f"/journeys/{rnd.journey_id}/progress",
    ):
        assert s.get(url).status_code == 404, url
    r = s.post(
        f"/rounds/{rnd.id}/agree", data={"competence": rnd.items[0].competence_id, "level": 3}
    )
    assert r.status_code == 404
    assert db.execute(select(Agreement)).first() is None


def test_chart_in_portfolio_is_the_participants_choice(db, make, org, coach, participant):
    version = published_version(db)
    rnd = _filled_round(db, org, participant, coach, version, [3, 3, 3], [3, 3, 3])
    me = make.app.test_client()
    login_participant(me, make, participant)
    assert me.post(f"/me/rounds/{rnd.id}/portfolio", data={"show": "1"}).status_code == 302
    db.expire_all()
    assert db.get(Round, rnd.id).chart_in_portfolio is True
    staff = make.app.test_client()
    login_staff(staff, coach)
    assert staff.post(f"/me/rounds/{rnd.id}/portfolio", data={"show": "0"}).status_code == 403


def test_coach_view_stays_hidden_from_participant_until_they_finish(
    db, make, org, coach, participant
):
    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version, n=3)
    rate(db, rnd, "coach", coach, [1, 2, 3])
    me = make.app.test_client()
    login_participant(me, make, participant)
    for url in (
        f"/rounds/{rnd.id}/export.csv",
        f"/rounds/{rnd.id}/export.json",
        f"/rounds/{rnd.id}/print",
        f"/rounds/{rnd.id}/chart.png",
    ):
        assert me.get(url).status_code == 404, url
    html = me.get(f"/rounds/{rnd.id}/compare").get_data(as_text=True)
    assert "Terminez d'abord" in html and "<svg" not in html
