"""The paper kit (issue #16 point 3) on the demo install, over HTTP, in French and Arabic: the
session sheet, the follow-up booklet and the CV annex are PDFs whose text comes out (Arabic in
logical order, equal to the référentiel's labels), with the expected pages, embedded fonts,
tags for screen readers, and QR codes that decode to the right addresses; and each refuses
whoever the page it prints refuses."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import select

from badger import grids, portfolio, referentiels, urls
from badger.accounts.models import Participant
from badger.awards.models import Credential
from badger.demo import DEMO_COACH
from badger.grids.models import GroupSession, Round
from badger.grids.sessions import session_columns
from badger.paper import qr_png
from tests.conftest import login_participant, login_staff

AR = {"Accept-Language": "ar"}
FR = {"Accept-Language": "fr"}


@pytest.fixture
def demo(app: Any, db: Any) -> GroupSession:
    """The demo install: APELS loaded, `badger demo` run (session, participants, badges)."""
    referentiels.load_shipped(db, referentiels.shipped_dir())
    db.commit()
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    from badger.demo import DEMO_ORGANISATION_SLUG
    from badger.networks.models import Organisation

    # the demo also seeds a second member of its network (outcomes): take the demo organisation's
    org = db.scalars(select(Organisation).filter_by(slug=DEMO_ORGANISATION_SLUG)).one()
    return db.scalars(select(GroupSession).filter_by(organisation_id=org.id)).one()


def _coach(app: Any) -> Any:
    client = app.test_client()
    login = client.post("/login", data={"email": DEMO_COACH[0], "password": DEMO_COACH[2]})
    assert login.status_code == 302
    return client


def _pdf(response: Any) -> pypdf.PdfReader:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"].startswith(("private", "no-store"))
    return pypdf.PdfReader(io.BytesIO(response.data))


def _squeeze(text: str) -> str:
    """Text without spaces, line breaks and the neutral marks a line break or a right-to-left
    run may move (``/``, brackets): what is left must read in logical order."""
    return re.sub(r"[\s/()]", "", text)


def _text(reader: pypdf.PdfReader) -> list[str]:
    return [_squeeze(page.extract_text()) for page in reader.pages]


def _labels(db: Any, gs: GroupSession, lang: str) -> list[str]:
    return [grids.competence_label(c, lang) for c in session_columns(db, gs)]


def _accessible(reader: pypdf.PdfReader, lang: str) -> None:
    """Tagged for screen readers, in the page's language, every font embedded."""
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == lang
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]


def _qr_codes(response: Any, page: int = 0) -> list[str]:
    """Every QR code on a page, read from the page drawn as an image (300 dpi)."""
    pdf = pypdfium2.PdfDocument(response.data)
    image = pdf[page].render(scale=300 / 72).to_pil()
    return sorted(r.text for r in zxingcpp.read_barcodes(image))


# --------------------------------------------------------------------------- session sheet


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_session_sheet_lists_the_group_screen_in_its_order(app, db, demo, lang):
    response = _coach(app).get(f"/sessions/{demo.id}/sheet.pdf",
                               headers={"Accept-Language": lang})
    reader = _pdf(response)
    assert len(reader.pages) == 1  # 5 × 17 and the common level scale fit one landscape page
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # A4 landscape
    assert round(float(reader.pages[0].mediabox.width)) == 842
    (text,) = _text(reader)
    names = [p.display_name for p in demo.participants]
    # the group screen's rows, top to bottom
    positions = [text.index(_squeeze(n)) for n in names]
    assert positions == sorted(positions)
    labels = _labels(db, demo, lang)
    assert len(labels) == 17
    for n, label in enumerate(labels, start=1):  # numbered columns, in the screen's order
        assert f"{n}{_squeeze(label)}" in text, label
    if lang == "ar":
        assert labels[0] == "الحضور بانتظام" and "الحضوربانتظام" in text
        assert "Assiduité" not in text
    levels = grids.competence_levels(session_columns(db, demo)[0], lang)
    for score, words in levels.items():
        assert f"{score}{_squeeze(words)}" in text
    _accessible(reader, lang)


# --------------------------------------------------------------------------- booklet


def _followed(db: Any, demo: GroupSession) -> tuple[Participant, Round, Round]:
    """A demo participant with a badge whose entry round is scored, agreed and annotated, and
    a mid-way round opened after it."""
    creds = db.scalars(select(Credential).where(Credential.state == "issued")).all()
    person = db.get(Participant, creds[0].participant_id)
    entry = grids.session_rounds(db, demo)[person.id]
    coach = demo.coach
    items = entry.items
    grids.save_ratings(db, entry, role="self", actor=person,
                       entries=[grids.RatingInput(it.competence_id, 3) for it in items])
    grids.submit_self_assessment(db, entry, person)
    grids.save_ratings(db, entry, role="coach", actor=coach,
                       entries=[grids.RatingInput(it.competence_id, 4) for it in items])
    first = items[0].competence_id
    for actor in (coach, person):
        grids.record_agreement(db, entry, competence_id=first, level=4, actor=actor)
    grids.save_coach_notes(db, entry, author=coach, summary=None, entries=[
        grids.NoteInput(first, "Arriver 5 minutes avant le début", "Toujours là")])
    db.commit()
    mid = grids.open_round(db, journey=entry.journey,
                           referentiel_version_id=entry.referentiel_version_id,
                           competence_ids=[it.competence_id for it in items], label="mid-way")
    db.commit()
    return person, entry, mid


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_booklet_has_a_page_per_round_then_the_badges_with_their_qr_codes(
        app, db, demo, make, lang):
    person, entry, _mid = _followed(db, demo)
    coach = _coach(app)
    response = coach.get(f"/participants/{person.id}/booklet.pdf",
                         headers={"Accept-Language": lang})
    reader = _pdf(response)
    pages = _text(reader)
    # entry, mid-way (newest journey first, rounds in order), then the badges
    assert len(pages) == 3
    labels = [grids.competence_label(it.competence, lang) for it in entry.items]
    for label in labels:
        assert _squeeze(label) in pages[0], label
        assert _squeeze(label) in pages[1], label
    assert "Arriver5minutesavantledébut" in pages[0] and "Toujourslà" in pages[0]
    # first row: self 3, coach 4, agreed 4, then the advice
    assert f"{_squeeze(labels[0])}344Arriver" in pages[0]
    creds = db.scalars(select(Credential).where(
        Credential.participant_id == person.id, Credential.state == "issued")).all()
    assert creds
    for cred in creds:
        assert _squeeze(urls.credential_url(cred.uuid)) in pages[2]
    assert _qr_codes(response, page=2) == sorted(urls.credential_url(c.uuid) for c in creds)
    _accessible(reader, lang)
    # the participant gets the same booklet from their own page
    mine = app.test_client()
    login_participant(mine, make, person)
    own = _pdf(mine.get("/me/booklet.pdf", headers={"Accept-Language": lang}))
    assert len(own.pages) == 3 and "Arriver5minutesavantledébut" in _text(own)[0]


def test_booklet_hides_the_coach_view_until_the_participant_finished(app, db, demo, make):
    person = demo.participants[3]
    entry = grids.session_rounds(db, demo)[person.id]
    grids.save_ratings(db, entry, role="coach", actor=demo.coach,
                       entries=[grids.RatingInput(it.competence_id, 5) for it in entry.items])
    grids.save_coach_notes(db, entry, author=demo.coach, summary=None, entries=[
        grids.NoteInput(entry.items[0].competence_id, "Conseil secret pour plus tard", "")])
    db.commit()
    mine = app.test_client()
    login_participant(mine, make, person)
    text = "".join(_text(_pdf(mine.get("/me/booklet.pdf", headers=FR))))
    assert "Conseilsecret" not in text
    staff = "".join(_text(_pdf(_coach(app).get(f"/participants/{person.id}/booklet.pdf",
                                               headers=FR))))
    assert "Conseilsecretpourplustard" in staff


# --------------------------------------------------------------------------- CV annex


def _share(db: Any, demo: GroupSession, **kw: Any) -> tuple[Any, str, Participant]:
    person, entry, _mid = _followed(db, demo)
    grids.set_chart_in_portfolio(db, entry, person, True)
    creds = db.scalars(select(Credential).where(Credential.participant_id == person.id)).all()
    new = portfolio.create_share(db, person, label="Entretien", days=30, show_name=True,
                                 credential_ids=[c.id for c in creds], round_ids=[entry.id], **kw)
    db.commit()
    return new.share, new.token, person


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_cv_annex_has_the_badges_the_chart_and_a_qr_code_to_the_live_page(app, db, demo, lang):
    _share_row, token, person = _share(db, demo)
    visitor = app.test_client()
    response = visitor.get(f"/s/{token}/cv.pdf", headers={"Accept-Language": lang})
    reader = _pdf(response)
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert len(reader.pages) == 1
    (text,) = _text(reader)
    assert _squeeze(person.display_name) in text
    cred = db.scalars(select(Credential).where(Credential.participant_id == person.id)).first()
    assert _squeeze(cred.achievement.name) in text
    live = f"http://localhost/s/{token}"
    assert _squeeze(live) in text
    assert _qr_codes(response) == [live]
    _accessible(reader, lang)
    # the page links to it; the QR image is the one badger makes for that address
    page = visitor.get(f"/s/{token}", headers=FR).get_data(as_text=True)
    assert f'href="/s/{token}/cv.pdf"' in page
    assert qr_png(live)[:8] == b"\x89PNG\r\n\x1a\n"


def test_cv_annex_is_gone_once_the_share_is_revoked_or_expired(app, db, demo, clock):
    share, token, _person = _share(db, demo)
    visitor = app.test_client()
    assert visitor.get(f"/s/{token}/cv.pdf").status_code == 200
    clock.advance(days=31)
    expired = visitor.get(f"/s/{token}/cv.pdf")
    assert expired.status_code == 410 and expired.mimetype != "application/pdf"
    clock.advance(days=-31)
    assert visitor.get(f"/s/{token}/cv.pdf").status_code == 200
    portfolio.revoke_share(db, share)
    db.commit()
    assert visitor.get(f"/s/{token}/cv.pdf").status_code == 410
    assert visitor.get(f"/s/{token[:-2]}xx/cv.pdf").status_code == 404


# --------------------------------------------------------------------------- access


def test_each_paper_refuses_whom_its_page_refuses(app, db, demo, make):
    person = demo.participants[0]
    other = demo.participants[1]
    # staff of another organisation: the session and the participant do not exist for them
    org_b = make.organisation("org-b", "Organisation B")
    stranger = app.test_client()
    login_staff(stranger, make.staff(org_b, "admin"))
    assert stranger.get(f"/sessions/{demo.id}/sheet.pdf").status_code == 404
    assert stranger.get(f"/participants/{person.id}/booklet.pdf").status_code == 404
    # a participant: no staff paper, not even their own through the staff route
    mine = app.test_client()
    login_participant(mine, make, person)
    assert mine.get(f"/sessions/{demo.id}/sheet.pdf").status_code == 403
    assert mine.get(f"/participants/{other.id}/booklet.pdf").status_code == 403
    assert mine.get(f"/participants/{person.id}/booklet.pdf").status_code == 403
    own = "".join(_text(_pdf(mine.get("/me/booklet.pdf"))))
    assert _squeeze(person.display_name) in own and _squeeze(other.display_name) not in own
    # staff have no "my booklet"; nobody logged in gets nothing
    assert _coach(app).get("/me/booklet.pdf").status_code == 403
    anonymous = app.test_client()
    for url in (f"/sessions/{demo.id}/sheet.pdf", f"/participants/{person.id}/booklet.pdf",
                "/me/booklet.pdf"):
        assert anonymous.get(url).status_code in (302, 401), url


def test_the_kit_prints_from_the_session_page(app, db, demo):
    page = _coach(app).get(f"/sessions/{demo.id}").get_data(as_text=True)
    assert f'href="/sessions/{demo.id}/sheet.pdf"' in page
    for p in demo.participants:
        assert f'href="/participants/{p.id}/booklet.pdf"' in page


# --------------------------------------------------------------------------- rendering rules


def test_rendering_reads_only_data_uris_and_the_shipped_fonts():
    from badger.paper.render import FONTS, allowed_url

    assert allowed_url((FONTS / "DejaVuSans.ttf").as_uri())
    assert allowed_url("data:image/png;base64,iVBORw0KGgo=")
    for url in ("file:///etc/passwd", (FONTS / ".." / "charts" / "png.py").as_uri(),
                "http://169.254.169.254/latest/meta-data/", "https://example.org/x.png",
                (FONTS / "LICENSE").as_uri(), (FONTS / "missing.ttf").as_uri()):
        assert not allowed_url(url), url


def test_without_pango_the_pdf_routes_answer_503_and_pages_still_work(app, db, demo,
                                                                      monkeypatch):
    import sys

    from badger.paper import render

    render._weasyprint.cache_clear()
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without libpango
    try:
        coach = _coach(app)
        response = coach.get(f"/sessions/{demo.id}/sheet.pdf")
        assert response.status_code == 503
        assert "Pango" in response.get_data(as_text=True)
        assert coach.get(f"/sessions/{demo.id}").status_code == 200
    finally:
        render._weasyprint.cache_clear()
