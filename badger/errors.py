"""Errors people can read: HTML pages in the UI language, JSON for machine endpoints.

Services raise :class:`UserError` with a translated message when input breaks a rule;
the handler turns it into the right status and page, and the request's transaction is
rolled back because the session is closed without commit.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from badger.db import get_session

JSON_PREFIXES = ("/api/", "/ims/", "/credentials/")

TITLES = {
    400: _l("Demande incorrecte"),
    401: _l("Connexion nécessaire"),
    403: _l("Accès refusé"),
    404: _l("Page introuvable"),
    405: _l("Action non permise"),
    409: _l("Modifié entre-temps"),
    410: _l("Ce lien n'est plus valable"),
    413: _l("Fichier trop lourd"),
    415: _l("Type de fichier non accepté"),
    422: _l("Données non valables"),
    429: _l("Trop d'essais"),
    500: _l("Erreur du serveur"),
}

MESSAGES = {
    400: _l("La demande n'a pas pu être comprise. Vérifiez ce que vous avez saisi."),
    401: _l("Connectez-vous pour voir cette page."),
    403: _l("Vous n'avez pas le droit de voir ou de faire cela."),
    404: _l("Cette page n'existe pas, ou vous n'y avez pas accès."),
    405: _l("Cette action n'est pas possible ici."),
    409: _l("Quelqu'un a modifié ces données pendant que vous les modifiiez."),
    410: _l("Ce lien a expiré ou a été retiré par la personne qui l'a partagé."),
    413: _l("Le fichier ou le formulaire envoyé est trop lourd."),
    415: _l("Ce type de fichier n'est pas accepté."),
    422: _l("Certaines données ne sont pas valables."),
    429: _l("Trop d'essais en peu de temps. Attendez une minute puis réessayez."),
    500: _l("Un problème est survenu de notre côté. Réessayez plus tard."),
}

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal_error",
}


class UserError(Exception):
    """A rule the user's input broke. ``message`` is already translated."""

    def __init__(self, message: Any, status: int = 400, *, details: Any = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.details = details


def wants_json() -> bool:
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def error_response(status: int, message: Any = None, details: Any = None) -> Response:
    text = str(message or MESSAGES.get(status, MESSAGES[500]))
    if wants_json():
        body: dict[str, Any] = {"code": CODES.get(status, "error"), "message": text}
        if details is not None:
            body["details"] = details
        response = jsonify({"error": body})
    else:
        response = Response(
            render_template(
                "errors/error.html",
                status=status,
                title=TITLES.get(status, TITLES[500]),
                message=text,
                details=details,
            ),
            mimetype="text/html",
        )
    response.status_code = status
    if status in {410, 404}:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(UserError)
    def _user_error(err: UserError) -> Response:
        return error_response(err.status, err.message, err.details)

    @app.errorhandler(CSRFError)
    def _csrf_error(err: CSRFError) -> Response:
        return error_response(
            400, _l("Le formulaire a expiré ou n'est pas valable. Rechargez la page et réessayez.")
        )

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> Response:
        status = err.code or 500
        # Custom descriptions (abort(404, msg)) are only shown when a view chose them.
        custom = err.description if err.description != type(err).description else None
        response = error_response(status, custom)
        if status == 429 or err.response is not None:
            retry = getattr(err, "retry_after", None)
            if retry:
                response.headers["Retry-After"] = str(retry)
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        if isinstance(err, HTTPException):
            return _http_error(err)
        if app.testing and not app.config.get("BADGER_RENDER_500_IN_TESTS"):
            raise err
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _out_of_range(err: Exception) -> Response:
        # A value the database column cannot hold (a number past its integer type, a text past
        # its length): the input's fault, refused like any other bad input.
        app.logger.info("Value out of range on %s %s: %s", request.method, request.path,
                        type(err).__name__)
        _rollback()
        return error_response(400)

    @app.errorhandler(StaleDataError)
    def _stale(err: StaleDataError) -> Response:
        # Optimistic locking (version_id_col): another request changed the row between our read
        # and our write (on PostgreSQL the second UPDATE waits, then matches no row).
        app.logger.info("Concurrent change refused on %s %s", request.method, request.path)
        _rollback()
        return error_response(409)

    @app.errorhandler(IntegrityError)
    def _integrity(err: IntegrityError) -> Response:
        # Two requests inserting the same unique row at once: the loser is told, not crashed.
        if not is_unique_violation(err):
            return _unexpected(err)
        app.logger.info("Concurrent insert refused on %s %s", request.method, request.path)
        _rollback()
        return error_response(409)


def _rollback() -> None:
    """End the failed transaction so the error page (current user, menu) can still read."""
    get_session().rollback()


def is_unique_violation(err: IntegrityError) -> bool:
    """A UNIQUE (or primary key) violation, on PostgreSQL (SQLSTATE 23505) or SQLite."""
    orig = err.orig
    if getattr(orig, "sqlstate", None) == "23505":
        return True
    return "UNIQUE constraint failed" in str(orig)
