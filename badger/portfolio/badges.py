"""The participant's own badges: whether one answers at its web address, its files (one
format, or all in one zip) and LinkedIn's "add a certification" link.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger import audit, urls
from badger.awards import credential_texts
from badger.awards.models import Credential
from badger.errors import UserError


def set_public(db: Session, cred: Credential, public: bool, *, actor: Any = None) -> None:
    """The participant decides whether the credential answers at its web address."""
    if public and (cred.revoked_at is not None or cred.suspended_at is not None):
        raise UserError(_l("Un badge retiré ou suspendu ne peut pas être rendu public."), 409)
    cred.public = public
    audit.record(
        db,
        "portfolio.credential_public" if public else "portfolio.credential_private",
        actor=actor,
        organisation_id=cred.organisation_id,
        obj=cred,
    )
    db.flush()


def credential_file(cred: Credential, fmt: str) -> tuple[bytes, str, str]:
    """(body, mimetype, filename) of one download format."""
    stem = _slug(cred.achievement.name) or "badge"
    if fmt == "json" and cred.signed_json:
        return cred.signed_json.encode(), "application/ld+json", f"{stem}.json"
    if fmt == "jwt" and cred.signed_jwt:
        return cred.signed_jwt.encode(), "application/jwt", f"{stem}.jwt"
    if fmt == "png" and cred.baked_png:
        return bytes(cred.baked_png), "image/png", f"{stem}.png"
    if fmt == "svg" and cred.baked_svg:
        return bytes(cred.baked_svg), "image/svg+xml", f"{stem}.svg"
    raise UserError(_l("Ce format n'est pas disponible pour ce badge."), 404)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


def credentials_zip(creds: Iterable[Credential]) -> bytes:
    """All the formats of ``creds`` in one zip, in memory (see :func:`credentials_zip_stream`)."""
    return b"".join(credentials_zip_stream(creds))


class _Chunks(io.RawIOBase):
    """A write-only, unseekable sink whose written bytes are taken out as they come."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def credentials_zip_stream(creds: Iterable[Credential]) -> Iterator[bytes]:
    """The zip of :func:`credentials_zip` as it is written: each credential's files compressed
    and handed out before the next is read, so only one credential is held at a time (the zip
    is written without seeking: sizes follow each file, as zip allows)."""
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:
        used: set[str] = set()
        for cred in creds:
            for fmt in ("json", "jwt", "png", "svg"):
                try:
                    body, _mime, name = credential_file(cred, fmt)
                except UserError:
                    continue
                stem, _, ext = name.rpartition(".")
                candidate = f"{stem}-{cred.id}.{ext}"
                if candidate in used:
                    continue
                used.add(candidate)
                zf.writestr(candidate, body)
            yield sink.take()
    yield sink.take()


def linkedin_url(db: Session, cred: Credential) -> str:
    """LinkedIn's documented "add a certification" link (a plain link: no LinkedIn assets),
    naming the badge as its credential is written."""
    issued = cred.issued_at or cred.awarded_at
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": credential_texts(db, cred).name,
        "organizationName": cred.achievement.organisation.name,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": urls.credential_url(cred.uuid),
        "certId": cred.uuid,
    }
    if cred.valid_until is not None:
        params["expirationYear"] = str(cred.valid_until.year)
        params["expirationMonth"] = str(cred.valid_until.month)
    return "https://www.linkedin.com/profile/add?" + urlencode(params)
