"""Network forms (server and network administration). Labels are translatable; the fields
carry no validators: the services' rules and messages apply, the same as on the command line."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField, URLField
from wtforms.fields import Field

from badger.networks.service import MAX_COMMENT


class _Repeated(FlaskForm):
    """A form shown once per network or member on one page: ``suffix`` keeps its field ids
    (and their labels) unique, the field names stay those the view reads."""

    def __init__(self, *args: Any, suffix: str | int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if suffix is not None:
            for field in self:
                _suffix_id(field, suffix)


def _suffix_id(field: Field, suffix: str | int) -> None:
    if field.type in {"CSRFTokenField", "HiddenField"}:
        return
    field.id = f"{field.name}-{suffix}"
    field.label.field_id = field.id


class NetworkForm(FlaskForm):
    """Create a network (``/admin/server``)."""

    slug = StringField(_l("Identifiant du réseau (slug)"),
                       render_kw={"required": True, "autocomplete": "off", "maxlength": 80})
    name = StringField(_l("Nom du réseau"),
                       render_kw={"required": True, "autocomplete": "off", "maxlength": 200})
    location = StringField(_l("Lieu"), render_kw={"autocomplete": "off", "maxlength": 200})
    url = URLField(_l("Site web (https://)"), render_kw={"autocomplete": "off", "maxlength": 500})
    description = TextAreaField(_l("Description"), render_kw={"rows": 3, "maxlength": 2000})


class NetworkAdminForm(_Repeated):
    """Name an administrator of a network (one per network on ``/admin/server``)."""

    email = EmailField(_l("E-mail de l'administrateur du réseau"),
                       render_kw={"required": True, "autocomplete": "off", "maxlength": 320})
    name = StringField(_l("Nom (pour un nouveau compte)"),
                       render_kw={"autocomplete": "off", "maxlength": 200})


class MemberForm(FlaskForm):
    """Add a member organisation, by its slug."""

    organisation = StringField(_l("Identifiant de l'organisation (slug)"),
                               render_kw={"required": True, "autocomplete": "off"})


class EndorseForm(_Repeated):
    """Endorse a member (one per member without an endorsement)."""

    comment = TextAreaField(_l("Pourquoi le réseau recommande cette organisation"),
                            render_kw={"rows": 3, "maxlength": MAX_COMMENT, "required": True})
