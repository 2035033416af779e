"""The participant's portfolio and shares, and the public share page recruiters open.

Public pages (``/s/<token>`` and its printable CV annex) are anonymous, ``noindex``, send no
referrer, are never cached, load nothing from third parties and work without JavaScript. A
revoked or expired link answers 410 with a neutral page that says nothing about the person.
"""

from __future__ import annotations

import hashlib
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from badger import awards, cache, portfolio
from badger.accounts import sessions
from badger.db import get_session, utcnow
from badger.errors import UserError, error_response
from badger.forms import ConfirmForm
from badger.i18n import current_language
from badger.portfolio.forms import BindForm, EraseForm, ImportForm, PublicForm, ShareForm
from badger.security import limiter, participant_required
from badger.verification import MAX_VERIFY_BYTES, trust_key

bp = Blueprint("portfolio", __name__)

NEW_LINK_KEY = "portfolio.new_link"
PUBLIC_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store, private",
}


def _qr_svg(url: str, title: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=5, title=title))


def _file_response(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- portfolio


@bp.route("/portfolio")
@participant_required
def index() -> Any:
    """My badges (with downloads), my charts and my imported badges."""
    db = get_session()
    creds = portfolio.my_credentials(db, current_user)
    imports = portfolio.my_imports(db, current_user)
    return render_template(
        "portfolio/index.html",
        credentials=creds,
        linkedin={c.id: portfolio.linkedin_url(db, c) for c in creds},
        rounds=portfolio.my_rounds(db, current_user),
        imports=imports,
        import_form=ImportForm(formdata=None),
        bind_forms={i.id: BindForm.for_import(i.id) for i in imports if not i.bound},
        confirm=ConfirmForm(),
        now=utcnow(),
    )


@bp.route("/portfolio/badges/<int:credential_id>.<any(json, jwt, png, svg):fmt>")
@participant_required
def download(credential_id: int, fmt: str) -> Any:
    """One of my badges as JSON (Data Integrity), JWT, baked PNG or baked SVG."""
    db = get_session()
    cred = awards.own_credential(db, current_user, credential_id)
    return _file_response(*portfolio.credential_file(cred, fmt))


@bp.route("/portfolio/badges.zip")
@participant_required
def download_all() -> Any:
    """All my badges in every format, in one zip."""
    db = get_session()
    chunks = portfolio.credentials_zip_stream(portfolio.each_credential(db, current_user))
    response = Response(stream_with_context(chunks), mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="badges.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/portfolio/badges/<int:credential_id>/public", methods=["POST"])
@participant_required
def set_public(credential_id: int) -> Any:
    """Let the badge answer at its web address (or stop it)."""
    db = get_session()
    cred = awards.own_credential(db, current_user, credential_id)
    public = PublicForm().public.data == "1"
    portfolio.set_public(db, cred, public, actor=current_user)
    flash(
        _("Le badge est visible à son adresse web.")
        if public
        else _("Le badge n'est plus visible à son adresse web."),
        "success",
    )
    return redirect(url_for("portfolio.index") + f"#badge-{cred.id}")


@bp.route("/portfolio/import", methods=["POST"])
@participant_required
@limiter.limit(lambda: str(current_app.config["BADGER_VERIFY_RATE_LIMIT"]))
def import_credential() -> Any:
    """Add a badge received elsewhere: it is verified, labelled with its issuer, kept as is."""
    db = get_session()
    form = ImportForm()
    upload = form.file.data
    if upload is not None and upload.filename:
        data = upload.stream.read(MAX_VERIFY_BYTES + 1)
    else:
        data = form.text.data.encode()
    typed = form.identity.data
    imp = portfolio.import_credential(db, current_user, data, identities=[typed] if typed else ())
    flash(
        _(
            "Badge ajouté : « %(name)s », délivré par %(issuer)s.",
            name=imp.achievement_name or "?",
            issuer=imp.issuer_name or imp.issuer_id or "?",
        ),
        "success",
    )
    return redirect(url_for("portfolio.index") + "#imported")


@bp.route("/portfolio/imports/<int:import_id>/file")
@participant_required
def import_download(import_id: int) -> Any:
    """The imported badge exactly as it was received."""
    db = get_session()
    return _file_response(*portfolio.import_file(portfolio.own_import(db, current_user, import_id)))


@bp.route("/portfolio/imports/<int:import_id>/bind", methods=["POST"])
@participant_required
@limiter.limit(lambda: str(current_app.config["BADGER_VERIFY_RATE_LIMIT"]))
def import_bind(import_id: int) -> Any:
    """An import kept from before the holder rule: show it is mine (a proven identity)."""
    db = get_session()
    imp = portfolio.own_import(db, current_user, import_id)
    typed = BindForm().identity.data
    portfolio.bind_import(db, current_user, imp, [typed] if typed else ())
    flash(_("Ce badge est bien à vous : vous pouvez le partager."), "success")
    return redirect(url_for("portfolio.index") + "#imported")


@bp.route("/portfolio/imports/<int:import_id>/delete", methods=["POST"])
@participant_required
def import_delete(import_id: int) -> Any:
    db = get_session()
    portfolio.delete_import(db, portfolio.own_import(db, current_user, import_id))
    flash(_("Badge importé supprimé."), "success")
    return redirect(url_for("portfolio.index") + "#imported")


# --------------------------------------------------------------------------- shares


@bp.route("/portfolio/shares", methods=["GET", "POST"])
@participant_required
def shares() -> Any:
    """My share links (with view counts), and the form to make a new one."""
    db = get_session()
    status = 200
    error = None
    form = ShareForm(default_days=current_app.config["BADGER_SHARE_DEFAULT_DAYS"])
    if request.method == "POST":
        try:
            new = portfolio.create_share(
                db,
                current_user,
                label=form.label.data or "",
                days=form.day_count(),
                show_name=form.show_name.data == "1",
                **form.selected_ids(),
            )
        except UserError as exc:  # the error status rolls back whatever was written
            error, status = str(exc.message), exc.status
        else:
            session[NEW_LINK_KEY] = [new.share.id, new.token]
            return redirect(url_for("portfolio.share_detail", share_id=new.share.id))
    rows = portfolio.my_shares(db, current_user)
    return render_template(
        "portfolio/shares.html",
        shares=rows,
        stats=portfolio.view_stats(db, [s.id for s in rows]),
        credentials=portfolio.my_credentials(db, current_user),
        rounds=portfolio.my_rounds(db, current_user, shareable_only=True),
        imports=portfolio.my_imports(db, current_user),
        error=error,
        form=form,
        now=utcnow(),
    ), status


@bp.route("/portfolio/shares/<int:share_id>")
@participant_required
def share_detail(share_id: int) -> Any:
    """One share: its link and QR code (right after creation), items, view log, revoke."""
    db = get_session()
    share = portfolio.own_share(db, current_user, share_id)
    link = qr = annex = None
    pending = session.pop(NEW_LINK_KEY, None)
    if isinstance(pending, list) and len(pending) == 2 and pending[0] == share.id:
        token = str(pending[1])
        link = url_for("portfolio.public_share", token=token, _external=True)
        annex = url_for("portfolio.public_annex", token=token)
        qr = _qr_svg(link, _("Code QR du partage"))
    stats = portfolio.view_stats(db, [share.id], dates=50)[share.id]
    return render_template(
        "portfolio/share_detail.html",
        share=share,
        link=link,
        qr=qr,
        annex=annex,
        stats=stats,
        confirm=ConfirmForm(),
        now=utcnow(),
    )


@bp.route("/portfolio/shares/<int:share_id>/revoke", methods=["POST"])
@participant_required
def share_revoke(share_id: int) -> Any:
    """Stop a share link now."""
    db = get_session()
    portfolio.revoke_share(db, portfolio.own_share(db, current_user, share_id))
    flash(_("Le lien est arrêté. Personne ne peut plus l'ouvrir."), "success")
    return redirect(url_for("portfolio.shares"))


@bp.route("/portfolio/shares/<int:share_id>/link", methods=["POST"])
@participant_required
def share_new_link(share_id: int) -> Any:
    """Make a new link for a share whose link was lost (the old link stops working)."""
    db = get_session()
    share = portfolio.own_share(db, current_user, share_id)
    token = portfolio.new_token(db, share)
    session[NEW_LINK_KEY] = [share.id, token]
    return redirect(url_for("portfolio.share_detail", share_id=share.id))


# --------------------------------------------------------------------------- public pages


def _public(response: Response) -> Response:
    for name, value in PUBLIC_HEADERS.items():
        response.headers[name] = value
    return response


def _imported_cache() -> Any:
    """The app's cache of imported badges' reports (``BADGER_IMPORTED_VERIFY_TTL``)."""
    return portfolio.imported_reports(current_app._get_current_object())  # type: ignore[attr-defined]


def _load_public(token: str, items: bool = True) -> Any:
    db = get_session()
    try:
        return db, portfolio.find_share(db, token, items=items), None
    except UserError as exc:
        return db, None, _public(error_response(exc.status))


@bp.route("/s/<token>")
@limiter.limit("120 per minute")
def public_share(token: str) -> Any:
    """What a recruiter sees: the chosen badges verified live, the chart, plain words.

    Rendered once per content version (:mod:`badger.portfolio.share_version`) for anonymous
    visitors: the version is the page's ETag (a matching ``If-None-Match`` gets 304) and keys
    the rendered page, whose CSRF token is put back for each visitor. ``private, no-cache``:
    the browser asks again every time, so a revocation shows on the next view."""
    db, share, gone = _load_public(token, items=False)  # read as the version needs them
    if gone is not None:
        return gone
    lang = current_language()
    # counted once per visitor and day; who they are is never stored (see ViewDeduplicator)
    visitor = (get_remote_address(), request.headers.get("User-Agent", ""))
    portfolio.record_view(db, share, visitor)
    version = _page_version(db, share, lang)
    if version is None:
        return _public(Response(_render_share(db, share, lang, token)))
    token_now = generate_csrf()  # first: makes the session's CSRF secret the mark digests
    etag = f"{version}.{_session_mark()}"
    if request.if_none_match.contains(etag):
        return _versioned(Response(status=304), etag)
    key = f"{version}:{request.full_path}"
    html = _PAGES.get(key)
    if html is None:
        html = _render_share(db, share, lang, token).replace(token_now, _CSRF_SLOT)
        _PAGES.set(key, html)
    return _versioned(Response(html.replace(_CSRF_SLOT, token_now)), etag)


#: Rendered share pages of anonymous visitors by content version and URL (the CSRF token
#: replaced by :data:`_CSRF_SLOT`); the TTL bounds what the version does not cover (référentiel
#: texts and crosswalks), as the badge views' own cache does.
_PAGES: cache.Cache[str] = cache.Cache("portfolio.share_pages", size=512, ttl=portfolio.VIEW_TTL)
_CSRF_SLOT = "\x00csrf-slot\x00"


def _page_version(db: Any, share: Any, lang: str) -> str | None:
    """The page's content version, or None when it is rendered every time (a signed-in
    visitor — the header shows who they are —, a message to show, or items it does not cover)."""
    if current_user.is_authenticated or session.get("_flashes"):
        return None
    return portfolio.share_version(db, share, lang, utcnow(), trust_key())


def _session_mark() -> str:
    """Which visitor session the page's CSRF token belongs to (a digest of its secret)."""
    secret = str(session.get("csrf_token", ""))
    return hashlib.sha256(secret.encode()).hexdigest()[:8]


def _versioned(response: Response, etag: str) -> Response:
    _public(response)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _render_share(db: Any, share: Any, lang: str, token: str) -> str:
    page = portfolio.share_page(db, share, lang, _imported_cache())
    url = url_for("portfolio.public_share", token=token, _external=True)
    fragments = [_badge_html(b) for b in page.badges]
    return render_template(
        "portfolio/public_share.html", page=page, share_url=url, fragments=fragments
    )


#: Rendered badge fragments by their view's key (same key: same language, same result).
_FRAGMENTS: cache.Cache[Markup] = cache.Cache(
    "portfolio.badge_fragments", size=4096, ttl=portfolio.VIEW_TTL, codec=cache.Codec(str, Markup))


def _badge_html(badge: portfolio.BadgeView) -> Markup:
    """One badge's HTML; reused while its view is (same key: same language, same result)."""
    key = badge.cache_key
    if key is not None:
        hit = _FRAGMENTS.get(key)
        if hit is not None:
            return hit
    macro = get_template_attribute("portfolio/_badge.html", "badge")
    html = Markup(macro(badge, heading=3))  # noqa: S704 - rendered by autoescaping Jinja
    if key is not None:
        _FRAGMENTS.set(key, html)
    return html


@bp.route("/s/<token>/cv")
@limiter.limit("120 per minute")
def public_annex(token: str) -> Any:
    """One printable page for a CV: the badges, their state today, a QR to the live page."""
    db, share, gone = _load_public(token)
    if gone is not None:
        return gone
    page = portfolio.share_page(db, share, current_language(), _imported_cache())
    url = url_for("portfolio.public_share", token=token, _external=True)
    qr = _qr_svg(url, _("Code QR : la page à jour des badges"))
    return _public(
        Response(
            render_template(
                "portfolio/annex.html", page=page, share_url=url, qr=qr, today=utcnow()
            )
        )
    )


# --------------------------------------------------------------------------- my data


@bp.route("/portfolio/export")
@participant_required
def export() -> Any:
    """Everything kept about me, in one zip (JSON + my badges)."""
    db = get_session()
    return _file_response(portfolio.export_zip(db, current_user), "application/zip", "my-data.zip")


ERASE_WORD = "EFFACER"


@bp.route("/portfolio/erase", methods=["GET", "POST"])
@participant_required
def erase() -> Any:
    """Delete my data. My badges are revoked first, then everything is deleted."""
    db = get_session()
    error = None
    status = 200
    form = EraseForm(word=ERASE_WORD)
    if request.method == "POST":
        if not form.confirmed():
            error = _("Tapez %(word)s pour confirmer.", word=ERASE_WORD)
            status = 422
        else:
            portfolio.erase(db, current_user)
            sessions.log_out(db)
            flash(_("Vos données sont effacées."), "success")
            return redirect(url_for("accounts.home"))
    return render_template(
        "portfolio/erase.html",
        word=ERASE_WORD,
        form=form,
        error=error,
        count=len(portfolio.my_credentials(db, current_user)),
    ), status
