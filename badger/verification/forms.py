"""The verify page's form: a file, pasted text or a URL (one of the three suffices)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField, URLField


class VerifyForm(FlaskForm):
    """Field names and ids are the page's (``file``, ``text``, ``url``; ``verify-…``): the
    drop zone script and links to the page use them."""

    file = FileField(
        _l("1. Un fichier : image du badge (PNG, SVG) ou fichier JSON / JWT"), id="verify-file"
    )
    text = TextAreaField(
        _l("2. Ou collez le texte du badge"),
        id="verify-text",
        render_kw={"rows": 4, "spellcheck": "false", "autocapitalize": "off"},
    )
    url = URLField(
        _l("3. Ou l'adresse web du badge"), id="verify-url", render_kw={"placeholder": "https://"}
    )
