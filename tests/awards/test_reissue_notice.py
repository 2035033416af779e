"""The participant is told when a badge was signed again: after a lifted suspension (new status
bit: earlier files no longer verify) or a re-issue (same bit: earlier files are no longer the
current version), on /portfolio and /me/badges, with the download buttons; the data export says
which version its files are; the share page shows the current version. All over HTTP, with the
files checked by ``badger.ob3``'s verifier through the app's own endpoints."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from badger import grids
from badger.awards.models import Credential
from badger.ob3.verify import verify_credential
from tests.awards import _factory
from tests.conftest import login_participant, login_staff

NOTICE = "Nouvelle version du"
INVALID = "Les fichiers téléchargés avant cette date ne sont plus valables"
OUTDATED = "Les fichiers téléchargés avant cette date ne sont plus à jour"
EMAIL = "amina@example.org"


@pytest.fixture
def held(app: Any, db: Any, make: Any, org: Any, coach: Any, version: Any,
         achievement: Any) -> dict[str, Any]:
    """Amina accepted her badge on /me/badges (over HTTP) three days ago; her logged-in client
    and the files she downloaded then."""
    amina = make.participant(org, "Amina", email=EMAIL)
    gs = _factory.group_session(db, org, coach, version, [amina])
    rnd = grids.session_rounds(db, gs)[amina.id]
    vc = _factory.validate(db, rnd, version.competences[0], coach, amina, level=4)
    pc = app.test_client()
    login_participant(pc, make, amina)
    r = pc.post("/me/badges", data={"validated_competence_id": vc.id,
                                    "achievement_id": achievement.id, "decision": "accept"})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    cred = db.execute(select(Credential).where(Credential.participant_id == amina.id)
                      ).scalar_one()
    # Time passes: as if the award had been three days ago (a re-issue in the award's own
    # minute is, by design, not told apart from the first signature).
    cred.awarded_at -= timedelta(days=3)
    cred.issued_at = (cred.issued_at or cred.awarded_at) - timedelta(days=3)
    db.commit()
    files = {fmt: pc.get(f"/portfolio/badges/{cred.id}.{fmt}").get_data()
             for fmt in ("json", "jwt", "png", "svg")}
    return {"client": pc, "id": cred.id, "old": files, "participant": amina}


def _notices(html: str) -> list[str]:
    return re.findall(r'<div class="verdict status-warn reissue-notice">(.*?)</div>\s*</div>',
                      html, re.S)


def _verified(blob: bytes, resolver: Any) -> bool:
    return verify_credential(blob, resolver=resolver, recipient=(EMAIL, "emailAddress")).verified


def _admin(app: Any, admin: Any) -> Any:
    ac = app.test_client()
    login_staff(ac, admin)
    return ac


def test_never_reissued_badge_shows_no_notice(held: dict[str, Any], resolver: Any) -> None:
    pc = held["client"]
    for page in ("/portfolio", "/me/badges"):
        html = pc.get(page).get_data(as_text=True)
        assert "renew.svg" not in html and NOTICE not in html, page
    assert all(_verified(blob, resolver) for blob in held["old"].values())


def test_lifted_suspension_tells_the_participant(app: Any, db: Any, admin: Any,
                                                 held: dict[str, Any], resolver: Any) -> None:
    pc, cid = held["client"], held["id"]
    ac = _admin(app, admin)
    assert ac.post(f"/admin/credentials/{cid}/suspend",
                   data={"reason": "Vérification en cours"}).status_code == 303
    # while suspended: no "new version" yet
    assert NOTICE not in pc.get("/portfolio").get_data(as_text=True)
    assert ac.post(f"/admin/credentials/{cid}/unsuspend", data={}).status_code == 303
    db.expire_all()
    cred = db.get(Credential, cid)
    assert cred.issued_at is not None

    for page in ("/portfolio", "/me/badges"):
        html = pc.get(page).get_data(as_text=True)
        notices = _notices(html)
        assert len(notices) == 1, page
        notice = notices[0]
        assert INVALID in notice and "téléchargez-la à nouveau" in notice, page
        assert 'src="/static/icons/renew.svg"' in notice
        # the date shown is the new version's
        assert f"{cred.issued_at.day} " in notice and str(cred.issued_at.year) in notice
    # the download buttons are right below the notice, in the same badge: the image in plain
    # words, the other formats under "Pour les spécialistes"
    for page, url in (("/me/badges", "/me/badges/{cid}/file.{fmt}"),
                      ("/portfolio", "/portfolio/badges/{cid}.{fmt}")):
        after = pc.get(page).get_data(as_text=True).split("reissue-notice", 1)[1]
        item = after.split("</li>", 1)[0]
        for fmt in ("png", "svg", "json", "jwt"):
            assert url.format(cid=cid, fmt=fmt) in item, (page, fmt)
        assert "Télécharger mon badge (image)" in item.split('class="specialists"')[0], page

    # the new files verify; the files downloaded before do not (their status bit stays set)
    new = {fmt: pc.get(f"/portfolio/badges/{cid}.{fmt}").get_data()
           for fmt in ("json", "jwt", "png", "svg")}
    assert new["json"] == pc.get(f"/me/badges/{cid}/file.json").get_data()
    for fmt in new:
        assert _verified(new[fmt], resolver), fmt
        old = verify_credential(held["old"][fmt], resolver=resolver,
                                recipient=(EMAIL, "emailAddress"))
        assert not old.verified, fmt
        assert {c.name: c.state for c in old.checks}["status"] == "failed", fmt
    assert (json.loads(new["json"])["credentialStatus"]
            != json.loads(held["old"]["json"])["credentialStatus"])

    # the data export says which version its files are — and they are that version
    zf = zipfile.ZipFile(io.BytesIO(pc.get("/portfolio/export").get_data()))
    row = next(b for b in json.loads(zf.read("badges.json")) if b["id"] == cid)
    assert row["version"] == {
        "current_version_signed_at": cred.issued_at.isoformat(),
        "first_signed_at": cred.awarded_at.isoformat(),
        "reissued": True,
        "earlier_files": "invalid",
    }
    assert json.loads(new["json"])["validFrom"].startswith(
        cred.issued_at.strftime("%Y-%m-%dT%H:%M:%S"))
    exported = [n for n in zf.namelist() if n.startswith(f"credentials/{cid}-")]
    assert {zf.read(n) for n in exported} == set(new.values())


def test_share_page_serves_the_current_version(app: Any, db: Any, admin: Any,
                                               held: dict[str, Any]) -> None:
    pc, cid = held["client"], held["id"]
    r = pc.post("/portfolio/shares", data={"label": "entretien", "days": "7",
                                           "credential": [str(cid)]})
    assert r.status_code == 302
    link = re.search(r"https?://[^\"<\s]+/s/[A-Za-z0-9_\-]+",
                     pc.get(r.headers["Location"]).get_data(as_text=True))
    assert link is not None
    path = "/s/" + link.group(0).rsplit("/s/", 1)[1]
    visitor = app.test_client()

    def today() -> str:
        html = visitor.get(path).get_data(as_text=True)
        found = re.search(r"<dt>Aujourd'hui</dt>\s*<dd[^>]*><strong>([^<]+)</strong>", html)
        assert found is not None, html[:2000]
        return found.group(1)

    assert today() == "Valable"
    ac = _admin(app, admin)
    ac.post(f"/admin/credentials/{cid}/suspend", data={"reason": "Vérification"})
    assert today() == "Suspendu"
    ac.post(f"/admin/credentials/{cid}/unsuspend", data={})
    assert today() == "Valable"  # the re-issued files, not the copy on the old, set bit


def test_reissue_on_the_same_bit_says_not_current(app: Any, db: Any, admin: Any,
                                                  held: dict[str, Any], resolver: Any) -> None:
    pc, cid = held["client"], held["id"]
    assert _admin(app, admin).post(f"/admin/credentials/{cid}/reissue",
                                   data={}).status_code == 303
    notice = _notices(pc.get("/portfolio").get_data(as_text=True))[0]
    assert OUTDATED in notice and INVALID not in notice
    # true to the files: the earlier copy still verifies, the new one too
    assert _verified(held["old"]["png"], resolver)
    assert _verified(pc.get(f"/portfolio/badges/{cid}.png").get_data(), resolver)
    zf = zipfile.ZipFile(io.BytesIO(pc.get("/portfolio/export").get_data()))
    row = next(b for b in json.loads(zf.read("badges.json")) if b["id"] == cid)
    assert row["version"]["reissued"] is True and row["version"]["earlier_files"] == "outdated"


def test_first_signature_at_claim_redemption_is_no_reissue(app: Any, db: Any, make: Any,
                                                           org: Any, coach: Any,
                                                           achievement: Any) -> None:
    """A badge held for a claim is signed when redeemed, days after the award: its first
    version, not a new one."""
    from badger import awards

    person = make.participant(org, "Nour")
    row = awards.award_many(db, org, achievement,
                             [awards.AwardRequest(participant_id=person.id)], actor=coach)[0]
    row.credential.awarded_at -= timedelta(days=10)
    db.commit()
    r = app.test_client().post("/claim", data={"code": row.claim_code, "kind": "email",
                                               "value": "nour@example.org"})
    assert r.status_code == 200
    pc = app.test_client()
    login_participant(pc, make, person)
    html = pc.get("/portfolio").get_data(as_text=True)
    assert achievement.name in html and NOTICE not in html
    zf = zipfile.ZipFile(io.BytesIO(pc.get("/portfolio/export").get_data()))
    assert json.loads(zf.read("badges.json"))[0]["version"]["reissued"] is False


@pytest.mark.browser
def test_notice_on_a_phone(live_server: str, phone_page: Any, db: Any, make: Any, org: Any,
                           coach: Any, admin: Any, achievement: Any) -> None:
    """At 360 px, in French and English: the notice with its pictogram and buttons fits the
    screen and has no axe-core violation."""
    from badger import awards
    from tests.a11y import assert_accessible, no_overflow

    person = make.participant(org, "Inès", email="ines@example.org")
    # issued after the live server started, so the credential carries its base URL
    cred = awards.award_many(db, org, achievement,
                              [awards.AwardRequest(participant_id=person.id)],
                              actor=coach)[0].credential
    cred.awarded_at -= timedelta(days=3)
    db.commit()
    awards.suspend(db, cred, "Vérification", actor=admin)
    awards.unsuspend(db, cred, actor=admin)
    db.commit()
    page = phone_page
    page.goto(f"{live_server}/code")
    page.locator("input[name=code]").fill(make.login_code(person))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    for lang, words in (("fr", "Nouvelle version du"), ("en", "New version issued on")):
        person.locale = lang  # the participant's own choice (their profile)
        db.commit()
        for path in ("/portfolio", "/me/badges"):
            page.goto(f"{live_server}{path}")
            notice = page.locator(".reissue-notice")
            assert notice.count() == 1 and words in notice.inner_text(), (lang, path)
            no_overflow(page)
            assert_accessible(page, f"re-issue notice {path} ({lang})")
