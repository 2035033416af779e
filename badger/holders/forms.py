"""Forms of the "my e-mail, phone and DID" page. They only parse (field names as the page has
always posted them); what a value must be is checked by :mod:`badger.holders.service`, whose
messages the page shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, HiddenField, StringField, TelField, TextAreaField

from badger.guards import form_int


def _cut(limit: int) -> Callable[[Any], str]:
    """At most ``limit`` characters, never None (a longer value is the service's to refuse)."""

    def cut(value: Any) -> str:
        return str(value or "")[:limit]

    return cut


class SendCodeForm(FlaskForm):
    """Send a code to a phone or an e-mail (what the view reads; the page shows
    :class:`PhoneForm` or :class:`EmailForm`)."""

    kind = HiddenField(filters=[_cut(20)])
    value = StringField(filters=[_cut(320)])


class PhoneForm(SendCodeForm):
    kind = HiddenField(default="phone")
    value = TelField(
        _l("Numéro de téléphone"),
        id="identity-phone",
        filters=[_cut(320)],
        render_kw={"dir": "ltr", "maxlength": 40, "required": True},
    )


class EmailForm(SendCodeForm):
    kind = HiddenField(default="email")
    value = EmailField(
        _l("Adresse e-mail"),
        id="identity-email",
        filters=[_cut(320)],
        render_kw={"dir": "ltr", "maxlength": 254, "required": True},
    )


class ConfirmCodeForm(FlaskForm):
    """The code received, for the challenge it answers."""

    challenge = HiddenField()
    code = StringField(
        _l("Code"),
        id="identity-code",
        filters=[_cut(20)],
        render_kw={"maxlength": 12, "required": True},
    )

    def challenge_id(self) -> int:
        """The challenge's id, 0 when the value is not one (then: "expired")."""
        return form_int(self.challenge.data) or 0


class PresentationForm(FlaskForm):
    """A signed presentation answering a DID challenge: pasted, or sent as a file."""

    presentation = TextAreaField(
        _l("Présentation signée (JSON ou JWT)"),
        id="did-presentation",
        render_kw={"rows": 6, "dir": "ltr"},
    )
    file = FileField()
