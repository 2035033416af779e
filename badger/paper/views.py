"""The paper kit's downloads. Each follows the access rules of the page it prints: the session
sheet and a participant's booklet are staff pages of their organisation (another
organisation's ids answer 404), a participant downloads only their own booklet, and the CV
annex is public through the share link while it works (410 once expired or revoked)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_login import current_user

from badger import portfolio
from badger.accounts.models import Participant
from badger.db import get_or_404, get_session, utcnow
from badger.errors import UserError, error_response
from badger.grids.models import GroupSession
from badger.i18n import current_language
from badger.paper import kit
from badger.paper.render import PDF_MIMETYPE, html_to_pdf
from badger.security import limiter, participant_required, staff_required

bp = Blueprint("paper", __name__)

#: As the share page's (badger/portfolio/views.py): not indexed, no referrer, never cached.
PUBLIC_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store, private",
}


def _pdf(template: str, filename: str, **context: Any) -> Response:
    html = render_template(template, scores=kit.SCORES, today=utcnow(), **context)
    response = Response(html_to_pdf(html, title=filename), mimetype=PDF_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/sessions/<int:session_id>/sheet.pdf")
@staff_required()
@limiter.limit("60 per minute")
def session_sheet(session_id: int) -> Any:
    """The blank sheet to score the session on paper: participants × competences, 0–5 boxes,
    then what each level means."""
    db = get_session()
    gs = get_or_404(db, GroupSession, session_id)
    sheet = kit.session_sheet(db, gs, current_language())
    return _pdf("paper/session_sheet.html", f"feuille-seance-{gs.id}.pdf", sheet=sheet)


def _booklet(person: Participant) -> Response:
    db = get_session()
    book = kit.booklet(db, person, current_language(), current_user._get_current_object())
    return _pdf("paper/booklet.html", f"livret-{person.id}.pdf", book=book)


@bp.route("/participants/<int:participant_id>/booklet.pdf")
@staff_required()
@limiter.limit("60 per minute")
def staff_booklet(participant_id: int) -> Any:
    """A participant's follow-up booklet, printed by their organisation's staff."""
    return _booklet(get_or_404(get_session(), Participant, participant_id))


@bp.route("/me/booklet.pdf")
@participant_required
@limiter.limit("60 per minute")
def my_booklet() -> Any:
    """My follow-up booklet (the coach's view of a round once I finished my own grid)."""
    return _booklet(current_user._get_current_object())


@bp.route("/s/<token>/cv.pdf")
@limiter.limit("30 per minute")
def public_annex(token: str) -> Any:
    """The share's CV annex as PDF: its badges verified today, its charts, a QR code to the
    live page. Public through the link while it works, like the page itself."""
    db = get_session()
    try:
        share = portfolio.find_share(db, token)
    except UserError as exc:
        response = error_response(exc.status)
    else:
        lang = current_language()
        page = portfolio.share_page(db, share, lang, portfolio.imported_reports(_app()))
        url = url_for("portfolio.public_share", token=token, _external=True)
        response = _pdf(
            "paper/annex.html",
            "annexe-cv.pdf",
            page=page,
            charts=kit.annex_charts(db, page, lang),
            share_url=url,
            qr_uri=kit.qr_png_uri(url),
        )
    for name, value in PUBLIC_HEADERS.items():
        response.headers[name] = value
    return response


def _app() -> Any:
    return current_app._get_current_object()  # type: ignore[attr-defined]
