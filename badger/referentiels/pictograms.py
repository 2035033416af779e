"""Pictograms: the shipped SVGs and the PNGs admins upload (re-encoded, saved with the
transaction)."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import UnidentifiedImageError
from sqlalchemy.orm import Session

from badger.db import staged_on_commit, write_file_on_commit
from badger.errors import UserError
from badger.guards import ImageRefused, open_image

MAX_PICTOGRAM_BYTES = 1024 * 1024


PICTOGRAM_SIZE = 256


def shipped_pictograms() -> list[str]:
    """Names of the SVG pictograms badger ships."""
    return sorted(p.stem for p in _static_dir().joinpath("pictograms").glob("*.svg"))


def _static_dir() -> Path:
    """The top-level ``static/`` folder: beside the package in a checkout, inside it in a
    wheel (as ``badger.resource_dir`` finds it; a domain does not import the app package)."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "static"
    return packaged if packaged.is_dir() else package.parent / "static"


def valid_pictogram(name: str, session: Session | None = None) -> bool:
    """A shipped pictogram, or an uploaded one that is saved — or will be when ``session``
    commits (uploaded in the same transaction)."""
    if re.fullmatch(r"upload-[0-9a-f]{16}", name):
        path = pictogram_dir() / f"{name}.png"
        return path.exists() or staged_on_commit(session, path)
    return name in shipped_pictograms()


def pictogram_dir() -> Path:
    """Where uploaded pictograms are saved (under the instance folder)."""
    return Path(current_app.instance_path) / "pictograms"


def save_pictogram(session: Session, data: bytes) -> str:
    """Re-encode an uploaded PNG with Pillow (no metadata, ≤256 px); return its name. The
    file is written under the instance folder when ``session`` commits the competence that
    uses it (never if it does not: :func:`badger.db.write_file_on_commit`)."""
    if len(data) > MAX_PICTOGRAM_BYTES:
        raise UserError(_l("Pictogramme trop lourd (1 Mo au plus)."), 413)
    try:
        with open_image(data) as probe:
            if probe.format != "PNG":
                raise UserError(_l("Le pictogramme doit être une image PNG."), 415)
            if probe.width * probe.height > 4096 * 4096:
                raise UserError(_l("Image trop grande."), 413)
            probe.verify()
        with open_image(data) as img:
            img.load()
            clean = img.convert("RGBA")
    except UserError:
        raise
    except (ImageRefused, UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UserError(_l("Ce fichier n'est pas une image PNG lisible."), 415) from exc
    clean.thumbnail((PICTOGRAM_SIZE, PICTOGRAM_SIZE))
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    name = "upload-" + hashlib.sha256(png).hexdigest()[:16]
    write_file_on_commit(session, pictogram_dir() / f"{name}.png", png)
    return name
