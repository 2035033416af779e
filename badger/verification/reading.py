"""Reading what a person gives us: an uploaded file (PNG, SVG, JSON, JWT), pasted text or a
URL. Files are recognised by their bytes, never by their name; anything else is refused with
415. URLs are fetched through the same SSRF-safe resolver as keys and status lists."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger import urls
from badger.awards import holder_withdrawn
from badger.errors import UserError
from badger.ob3.jwt import is_compact_jws
from badger.ob3.resolver import ResolutionError
from badger.resolver import FetchRefusedError, HttpStatusError
from badger.verification.messages import HOLDER_ERASED

#: Largest badge accepted for verification (a baked PNG is a small image).
MAX_VERIFY_BYTES = 2 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sniff(data: bytes) -> str | None:
    """'png', 'svg', 'json' or 'jwt' from the bytes; None when it is none of them."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        lowered = head.lower()
        return "svg" if b"<svg" in lowered or lowered.startswith(b"<?xml") else None
    if head.startswith(b"{"):
        return "json"
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    return "jwt" if is_compact_jws(text) else None


def check_input(data: bytes, *, max_bytes: int = MAX_VERIFY_BYTES) -> str:
    """Refuse empty, too large or unrecognised input; return the sniffed kind."""
    if not data.strip():
        raise UserError(_l("Donnez un fichier, un texte ou une adresse de badge."), 400)
    if len(data) > max_bytes:
        raise UserError(
            _l("Le fichier est trop lourd (%(n)d Mo au plus).", n=max_bytes // (1024 * 1024)),
            413,
        )
    kind = sniff(data)
    if kind is None:
        raise UserError(
            _l(
                "Ce type de fichier n'est pas accepté. "
                "Donnez une image PNG ou SVG, du JSON ou un JWT."
            ),
            415,
        )
    return kind


def fetch_url(
    url: str,
    resolver: Any,
    *,
    max_bytes: int = MAX_VERIFY_BYTES,
    session: Session | None = None,
) -> bytes:
    """Fetch a badge from a URL with the resolver's policy (local URLs in process). With
    ``session``, a 410 at one of this server's credential ids withdrawn because its holder
    erased their data says so (not "withdrawn by its author")."""
    url = url.strip()
    if not url.startswith(("https://", "http://")):
        raise UserError(_l("L'adresse doit commencer par https://"), 400)
    try:
        data: bytes = resolver.fetch_bytes(url, max_bytes=max_bytes)
    except FetchRefusedError as exc:
        raise UserError(_l("Cette adresse n'est pas autorisée."), 400, details=[str(exc)]) from exc
    except HttpStatusError as exc:
        if exc.status == 410 and session is not None and _holder_withdrawn_url(session, url):
            message = HOLDER_ERASED
        elif exc.status == 410:
            message = _l(
                "Ce document a été retiré par son auteur : l'adresse dit qu'il n'existe plus."
            )
        elif exc.status == 404:
            message = _l("Rien n'a été trouvé à cette adresse.")
        else:
            message = _l("Le badge n'a pas pu être téléchargé à cette adresse.")
        raise UserError(message, 422, details=[str(exc)]) from exc
    except ResolutionError as exc:
        raise UserError(
            _l("Le badge n'a pas pu être téléchargé à cette adresse."), 422, details=[str(exc)]
        ) from exc
    return data


def _holder_withdrawn_url(session: Session, url: str) -> bool:
    prefix = f"{urls.base_url()}/credentials/"
    return url.startswith(prefix) and holder_withdrawn(session, url.removeprefix(prefix))

