"""The integrators' inputs: the admin page's forms (CSRF-protected) and the token request
(form-urlencoded per RFC 6749; the client authenticates itself, so no CSRF token)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

TOKEN_PARAMS = ("grant_type", "scope", "audience", "client_id", "client_secret")


class CreateClientForm(FlaskForm):
    name = StringField()


class RevokeClientForm(FlaskForm):
    """The "revoke" button of one client (its public id is in the URL)."""


class RevokeCredentialForm(FlaskForm):
    reason = TextAreaField()


class TokenRequestForm(FlaskForm):
    """``POST /integrators/oauth/token``: client credentials grant (secret in HTTP Basic or,
    ``client_secret_post``, in these fields). A JSON body carries no OAuth parameters."""

    class Meta:
        csrf = False

        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if request.is_json:
                return None
            return FlaskForm.Meta.wrap_formdata(self, form, formdata)

    grant_type = StringField()
    scope = StringField()
    audience = StringField()
    client_id = StringField()
    client_secret = StringField()

    def params(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in TOKEN_PARAMS}
