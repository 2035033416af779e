"""Hostile input stops here, once for every route: a clear 4xx, never a 500, nothing written.

- **JSON.** ``request.get_json`` parses with :func:`badger.ob3.safejson.loads` (depth-limited,
  no NUL, no lone surrogate); views that read a raw body call that same function.
- **NUL characters.** PostgreSQL refuses ``\\x00`` in text, so a NUL in the path, the query
  string, a form field (name or value), an uploaded file's name or a header is refused with 400
  before any view runs, on every database (SQLite would store what PostgreSQL refuses).
- **Ids in URLs and forms.** ``<int:…>`` stops at 2**31 - 1 (the largest id either database
  holds), so a huge id is a 404 instead of an integer overflow in the driver; :func:`form_int`
  reads ids from form fields the same way. HTML forms take a JSON body only when it is an
  object of strings.
- **Images.** :func:`open_image` opens an uploaded picture with Pillow's decompression-bomb
  guard turned into :class:`ImageRefused` (a 20,000 × 20,000 PNG is a few kilobytes).
- **CSV.** :func:`csv_rows` turns ``csv.Error`` (a field over the module's 128 KiB limit, a
  broken quote) into :class:`CsvRefused` with its line number.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterator
from typing import Any, TypeVar

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.routing import IntegerConverter

from badger.errors import UserError
from badger.ob3 import safejson

_Row = TypeVar("_Row")

#: Largest id in a URL: PostgreSQL ``integer`` (and well inside SQLite's 64-bit integers).
MAX_URL_ID = 2**31 - 1


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, parsing with :func:`badger.ob3.safejson.loads`."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return safejson.loads(s)


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` with ``max`` defaulting to :data:`MAX_URL_ID`."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_URL_ID)
        super().__init__(map, *args, **kwargs)


def _has_nul(value: Any) -> bool:
    return isinstance(value, str) and "\x00" in value


def refuse_nul() -> None:
    """Refuse (400) a request carrying a NUL character anywhere a view could store it."""
    found = "\x00" in request.path or any(
        _has_nul(k) or _has_nul(v) for k, v in request.args.items(multi=True)
    ) or any(_has_nul(v) for v in request.headers.values())
    if not found and request.mimetype in {"multipart/form-data",
                                          "application/x-www-form-urlencoded"}:
        found = any(_has_nul(k) or _has_nul(v) for k, v in request.form.items(multi=True)) or any(
            _has_nul(k) or _has_nul(f.filename) for k, f in request.files.items(multi=True)
        )
    if found:
        raise UserError(_l("La demande contient un caractère nul, qui n'est pas accepté."),
                        400)


class ImageRefused(ValueError):
    """An uploaded picture Pillow cannot or must not decode (bomb, truncated, not an image)."""


def open_image(data: bytes, formats: list[str] | None = None) -> Any:
    """``PIL.Image.open`` for an upload: the size announced in the header is checked against
    ``Image.MAX_IMAGE_PIXELS`` before any pixel is decoded, and any decoding error (including
    the decompression-bomb warning, turned into an error here) raises :class:`ImageRefused`."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused("image too large") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRefused(str(exc)) from exc


class CsvRefused(ValueError):
    """A CSV the ``csv`` module cannot read; ``line`` is where it stopped (1-based)."""

    def __init__(self, line: int, detail: str) -> None:
        super().__init__(f"line {line}: {detail}")
        self.line = line
        self.detail = detail


def csv_rows(reader: Iterator[_Row]) -> Iterator[_Row]:
    """The rows of a ``csv.reader``/``csv.DictReader``; ``csv.Error`` becomes
    :class:`CsvRefused` (a field over 128 KiB, a NUL, a quote left open)."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # line_num counts the lines read before the broken one
            raise CsvRefused(int(getattr(reader, "line_num", 0)) + 1, str(exc)) from exc
        cells: Any = row.values() if isinstance(row, dict) else row
        if any(isinstance(v, str) and "\x00" in v for v in cells):
            raise CsvRefused(int(getattr(reader, "line_num", 0)) or 1, "NUL character")
        yield row


_FORM_INT = re.compile(r"\s*-?\d{1,10}\s*")


def form_int(value: Any) -> int | None:
    """A form value as an id or a count: a plain integer within ±(2**31 - 1), else None
    (``int("9" * 5000)`` raises, and 2**63 overflows the database driver)."""
    if not isinstance(value, str) or not _FORM_INT.fullmatch(value):
        return None
    number = int(value)
    return number if -MAX_URL_ID <= number <= MAX_URL_ID else None


def _wrap_formdata(self: Any, form: Any, formdata: Any) -> Any:
    """Flask-WTF feeds a JSON body to HTML forms; only a JSON object of strings is form data
    (an array or nested values made every form crash)."""
    if formdata is _Auto and request.is_json and not request.form and not request.files:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in body.items()
        ):
            return None
    return _flask_wtf_wrap(self, form, formdata)


_flask_wtf_wrap = FlaskForm.Meta.wrap_formdata


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered (the URL converter applies to rules added after)."""
    app.json = SafeJSONProvider(app)
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_nul)
    FlaskForm.Meta.wrap_formdata = _wrap_formdata
