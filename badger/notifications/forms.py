"""Forms of the "my messages" page. They only parse; :mod:`badger.notifications.service`
checks the values and says what is wrong."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, TelField


def _cut(value: Any) -> str:
    return str(value or "")[:320]


class ChooseForm(FlaskForm):
    """What the view reads: a channel and its address (the page shows the two below)."""

    channel = HiddenField(filters=[lambda v: str(v or "")[:10]])
    contact = StringField(filters=[_cut])


class SmsForm(ChooseForm):
    channel = HiddenField(default="sms")
    contact = TelField(
        _l("Votre numéro de téléphone portable"), id="notify-phone", filters=[_cut],
        render_kw={"dir": "ltr", "maxlength": 40, "required": True},
    )


class EmailForm(ChooseForm):
    channel = HiddenField(default="email")
    contact = EmailField(
        _l("Votre adresse e-mail"), id="notify-email", filters=[_cut],
        render_kw={"dir": "ltr", "maxlength": 254, "required": True},
    )
