"""The three-way meeting guide: from an application, the coach prints the offer's
competences beside the participant's levels and badges (HTML and a one-page PDF); the
demo install lets a demo employer's offer be seen, applied to and opened."""

from __future__ import annotations

import io
from typing import Any

import pypdf
from sqlalchemy import select

from badger import jobs, referentiels
from badger.jobs.cli import DEMO_EMPLOYER
from badger.jobs.models import Application, Offer
from tests.conftest import login_participant, login_staff
from tests.jobs import _helpers as h


def _application(db: Any, w: Any) -> Application:
    h.agree(db, w.org, w.coach, w.person, w.version, {1: 4})
    cred = h.badge(db, w.org, w.admin, w.person, w.version, 0, level=5)
    offer = h.offer(db, w.employer, w.version, [(0, 3), (1, 3), (2, 2)])
    jobs.set_preference(db, w.person, receive=True, digest=False)
    application = jobs.apply(db, w.person, offer.id, credential_ids=[cred.id])
    db.commit()
    return application


def test_meeting_guide_html_and_pdf(app: Any, db: Any, make: Any) -> None:
    w = h.world(db, make)
    application = _application(db, w)
    coach = app.test_client()
    login_staff(coach, w.coach)
    listing = coach.get("/jobs/applications").get_data(as_text=True)
    assert "Amina" in listing and "Guide de la rencontre" in listing
    page = coach.get(f"/jobs/applications/{application.id}/meeting")
    assert page.status_code == 200
    html = " ".join(page.get_data(as_text=True).split())
    assert "niveau 5, badge" in html and "niveau 4, convenu" in html
    response = coach.get(f"/jobs/applications/{application.id}/meeting.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in ("Rencontre à trois", "Participant : Amina", "Boulangerie du Parc",
                     "Ponctualité", "niveau 5, badge", "Respect des règles", "niveau 4, convenu",
                     "Goût de l'effort", "pas encore évalué", "Notes de la rencontre"):
        assert expected in text, expected
    # another organisation's coach gets 404, the participant 403
    org_b = make.organisation("org-b")
    stranger = app.test_client()
    login_staff(stranger, make.staff(org_b, "assessor"))
    assert stranger.get(f"/jobs/applications/{application.id}/meeting.pdf").status_code == 404
    participant = app.test_client()
    login_participant(participant, make, w.person)
    assert participant.get(f"/jobs/applications/{application.id}/meeting").status_code == 403


def test_demo_employer_offer_apply_open(app: Any, db: Any) -> None:
    referentiels.load_shipped(db, referentiels.shipped_dir())
    db.commit()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0  # twice: no duplicate
    offers = db.scalars(select(Offer)).all()
    assert len(offers) == 2
    from badger.accounts.models import Participant

    amina = db.scalars(select(Participant).where(Participant.display_name == "Amina")
                       .execution_options(unscoped=True)).one()
    fitting, partial = jobs.matches(db, jobs.live_offers(db, amina.organisation_id), amina.id)
    assert fitting or partial, "the demo participant sees no offer"
    client = app.test_client()
    from badger.accounts import service

    code = service.issue_login_code(db, amina, minutes=30).code
    db.commit()
    assert client.post("/code", data={"code": code}).status_code == 302
    page = client.get("/my/jobs").get_data(as_text=True)
    assert "demandé :" in page
    offer = (fitting or partial)[0].offer
    form = client.get(f"/my/jobs/{offer.id}/apply").get_data(as_text=True)
    creds = [part.split('"')[0] for part in form.split('name="credential" value="')[1:]]
    response = client.post(f"/my/jobs/{offer.id}/apply", data={"credential": creds})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    boss = app.test_client()
    assert boss.post("/login", data={"email": DEMO_EMPLOYER[0],
                                     "password": DEMO_EMPLOYER[2]}).status_code == 302
    home = boss.get("/employer").get_data(as_text=True)
    link = home.split('href="/employer/applications/')[1].split('"')[0]
    share = boss.get(f"/employer/applications/{link}").get_data(as_text=True)
    token = share.split('href="/s/')[1].split('"')[0]
    assert boss.get(f"/s/{token}").status_code == 200
