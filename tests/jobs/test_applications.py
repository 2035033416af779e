"""Employers see only applications sent to them: never a participant who has not applied,
never another employer's offer (404); applying makes a share link the employer opens, and
withdrawing revokes it. Vouching and revoking employers; an employer is no staff member."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from badger.jobs.models import Application, Employer, Message
from badger.portfolio.models import Share
from tests.conftest import login_participant, login_staff
from tests.jobs import _helpers as h


def _employer_client(app: Any, emp: Any) -> Any:
    client = app.test_client()
    response = client.post("/login", data={"email": emp.user.email, "password": h.PASSWORD})
    assert response.status_code == 302
    return client


def _applied(app: Any, db: Any, make: Any, w: Any, offer: Any) -> tuple[Any, Any]:
    cred = h.badge(db, w.org, w.admin, w.person, w.version, 0, level=4)
    client = app.test_client()
    login_participant(client, make, w.person)
    assert client.post("/my/jobs", data={"receive": "1"}).status_code == 302
    response = client.post(f"/my/jobs/{offer.id}/apply", data={"credential": str(cred.id)})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    return client, db.scalars(select(Application)).one()


def test_apply_share_and_withdraw(app: Any, db: Any, make: Any) -> None:
    w = h.world(db, make)
    offer = h.offer(db, w.employer, w.version, [(0, 3)])
    boss = _employer_client(app, w.employer)
    assert "Une personne a répondu" not in boss.get("/employer").get_data(as_text=True)
    participant, application = _applied(app, db, make, w, offer)
    home = boss.get("/employer").get_data(as_text=True)
    assert "Une personne a répondu à « Vendeur·se en boulangerie »" in home
    assert "Amina" not in home
    listing = boss.get(f"/employer/offers/{offer.id}").get_data(as_text=True)
    assert f"/employer/applications/{application.id}" in listing and "Amina" not in listing
    page = boss.get(f"/employer/applications/{application.id}")
    assert page.status_code == 200
    link = page.get_data(as_text=True).split('href="/s/')[1].split('"')[0]
    shared = boss.get(f"/s/{link}")
    assert shared.status_code == 200 and "Ponctualité" in shared.get_data(as_text=True)
    db.expire_all()
    assert db.scalars(select(Message)).one().read_at is not None
    assert participant.post(f"/my/jobs/applications/{application.id}/withdraw").status_code == 302
    assert boss.get(f"/s/{link}").status_code == 410
    assert boss.get(f"/employer/applications/{application.id}").status_code == 404
    db.expire_all()
    assert db.get(Share, application.share_id).revoked_at is not None
    assert "a été retirée" in boss.get("/employer").get_data(as_text=True)


def test_employer_never_sees_a_non_applicant_nor_another_employers_offer(
        app: Any, db: Any, make: Any) -> None:
    w = h.world(db, make)
    rival = h.employer(db, w.org, email="rh@garage.example", company="Garage")
    mine = h.offer(db, w.employer, w.version, [(0, 3)])
    theirs = h.offer(db, rival, w.version, [(0, 3)], title="Offre du garage")
    _participant, application = _applied(app, db, make, w, theirs)
    boss = _employer_client(app, w.employer)
    assert boss.get(f"/employer/offers/{theirs.id}").status_code == 404
    assert boss.get(f"/employer/applications/{application.id}").status_code == 404
    assert "Offre du garage" not in boss.get("/employer").get_data(as_text=True)
    assert boss.get(f"/employer/offers/{mine.id}").status_code == 200
    assert "Candidature du" not in boss.get(f"/employer/offers/{mine.id}").get_data(as_text=True)
    # staff pages and participants' pages are closed to an employer
    for url in (f"/participants/{w.person.id}", "/admin/staff", "/jobs/applications",
                f"/jobs/applications/{application.id}/meeting"):
        assert boss.get(url).status_code in {403, 404}, url
    other = _employer_client(app, rival)
    assert other.get(f"/employer/applications/{application.id}").status_code == 200


def test_admin_vouches_and_revokes(app: Any, db: Any, make: Any) -> None:
    w = h.world(db, make)
    admin = app.test_client()
    login_staff(admin, w.admin)
    response = admin.post("/jobs/employers", data={
        "company": "Jardins du Val", "name": "Paul", "email": "paul@jardins.example"})
    assert response.status_code == 200
    assert "/invite/" in response.get_data(as_text=True) or "token" in response.get_data(
        as_text=True)
    emp = db.scalars(select(Employer).where(Employer.company == "Jardins du Val")).one()
    assert admin.post(f"/jobs/employers/{emp.id}/revoke").status_code == 302
    db.expire_all()
    assert db.get(Employer, emp.id).revoked_at is not None
    # a revoked employer's space is closed and their offers no longer show
    offer = h.offer(db, w.employer, w.version, [(0, 3)])
    h.agree(db, w.org, w.coach, w.person, w.version, {0: 4})
    boss = _employer_client(app, w.employer)
    assert admin.post(f"/jobs/employers/{w.employer.id}/revoke").status_code == 302
    assert boss.get("/employer").status_code == 403
    participant = app.test_client()
    login_participant(participant, make, w.person)
    participant.post("/my/jobs", data={"receive": "1"})
    assert offer.title not in participant.get("/my/jobs").get_data(as_text=True)
    # a coach cannot vouch; another organisation's employer answers 404
    coach = app.test_client()
    login_staff(coach, w.coach)
    assert coach.post("/jobs/employers", data={"company": "X", "name": "X",
                                               "email": "x@x.example"}).status_code == 403
    org_b = make.organisation("org-b")
    other_admin = make.staff(org_b, "admin")
    stranger = app.test_client()
    login_staff(stranger, other_admin)
    assert stranger.post(f"/jobs/employers/{emp.id}/revoke").status_code == 404


def test_a_team_member_cannot_become_an_employer(app: Any, db: Any, make: Any) -> None:
    w = h.world(db, make)
    admin = app.test_client()
    login_staff(admin, w.admin)
    response = admin.post("/jobs/employers", data={
        "company": "X", "name": "Coach", "email": w.coach.email})
    assert response.status_code == 409


def test_offer_form_validates_rome_code_and_words(app: Any, db: Any, make: Any) -> None:
    w = h.world(db, make)
    h.recruiter_words(db, w.version)
    boss = _employer_client(app, w.employer)
    form = boss.get("/employer/offers/new").get_data(as_text=True)
    assert "Respecter les horaires → Ponctualité" in form
    comp = w.version.competences[0]
    data = {"title": "Plongeur", "rome_code": "Z9999", "place": "Rouen", "postcode": "76000",
            "contract": "CDI", "expires_on": "2099-01-01",
            "word": [f"{comp.id}:Respecter les horaires"], "level": ["3"]}
    assert boss.post("/employer/offers/new", data=data).status_code == 422
    data["rome_code"] = "g1602"
    assert boss.post("/employer/offers/new", data=data).status_code == 422  # too far away
    from datetime import timedelta

    from badger.db import utcnow

    data["expires_on"] = (utcnow() + timedelta(days=20)).date().isoformat()
    response = boss.post("/employer/offers/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    page = boss.get(response.headers["Location"]).get_data(as_text=True)
    assert "Respecter les horaires — Ponctualité" in page
    data["word"] = ["999999:x"]
    assert boss.post("/employer/offers/new", data=data).status_code == 422


def test_homes_lead_to_jobs(app: Any, db: Any, make: Any) -> None:
    w = h.world(db, make)
    boss = _employer_client(app, w.employer)
    response = boss.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/employer")
    participant = app.test_client()
    login_participant(participant, make, w.person)
    assert 'href="/my/jobs"' in participant.get("/").get_data(as_text=True)
    admin = app.test_client()
    login_staff(admin, w.admin)
    assert 'href="/jobs/employers"' in admin.get("/").get_data(as_text=True)


def test_the_employer_and_the_digest_reach_the_outboxes(app: Any, db: Any, make: Any,
                                                        tmp_path: Any) -> None:
    """Through badger.notifications, end to end: the employer gets an e-mail when someone
    applies, and a participant who asked for the weekly digest gets one SMS a week."""
    import json
    from pathlib import Path

    from badger import jobs, notifications

    app.config["BADGER_SMTP_URL"] = None  # e-mails go to <instance>/mail-outbox.jsonl
    sms = tmp_path / "sms.jsonl"
    app.config["BADGER_SMS_BACKEND"] = f"file:{sms}"
    w = h.world(db, make)
    h.agree(db, w.org, w.coach, w.person, w.version, {0: 4})
    offer = h.offer(db, w.employer, w.version, [(0, 3)])
    _applied(app, db, make, w, offer)
    assert notifications.send_due(app)["sent"] == 1
    mail = Path(app.config["INSTANCE_PATH"]) / "mail-outbox.jsonl"
    (sent,) = [json.loads(line) for line in mail.read_text(encoding="utf-8").splitlines()]
    assert sent["to"] == w.employer.user.email
    assert offer.title in json.dumps(sent, ensure_ascii=False)
    assert w.person.display_name not in json.dumps(sent, ensure_ascii=False)

    notifications.choose(db, w.person, "sms", "06 12 34 56 78")
    jobs.set_preference(db, w.person, receive=True, digest=True)
    db.commit()
    runner = app.test_cli_runner()
    assert "1 digest(s) queued" in runner.invoke(args=["jobs", "digest"]).output
    assert "0 digest(s) queued" in runner.invoke(args=["jobs", "digest"]).output  # weekly
    assert notifications.send_due(app)["sent"] == 1
    (text,) = [json.loads(line)["text"] for line in sms.read_text(encoding="utf-8").splitlines()]
    assert "1 offre(s)" in text and offer.title in text and "/my/jobs" in text
