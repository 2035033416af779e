"""The API's form-encoded inputs: the consent page and the "connected apps" button (HTML forms,
CSRF-protected by the app), and the OAuth token and revocation requests (RFC 6749 and 7009 send
their parameters form-urlencoded; the client authenticates with HTTP Basic, so no CSRF token).

Field names are the protocol's parameter names. No field strips or folds its value: an OAuth
secret or a redirect URI must match byte for byte.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

#: The parameters of an authorization request the consent page carries from GET to POST.
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def _params(form: FlaskForm, names: tuple[str, ...]) -> dict[str, str]:
    """The named fields as text ("" when absent), as the services read request parameters."""
    return {name: form[name].data or "" for name in names}


class AuthorizeForm(FlaskForm):
    """The consent page: the authorization request's parameters (query string on GET, hidden
    fields on POST) and the person's ``decision`` (the button pressed: ``allow`` or ``deny``)."""

    response_type = HiddenField()
    client_id = HiddenField()
    redirect_uri = HiddenField()
    scope = HiddenField()
    state = HiddenField()
    code_challenge = HiddenField()
    code_challenge_method = HiddenField()
    #: carried by the two submit buttons, never rendered as a field of its own
    decision = StringField()

    def params(self) -> dict[str, str]:
        return _params(self, AUTHORIZE_PARAMS)


class DisconnectForm(FlaskForm):
    """The "disconnect" button of one connected app."""

    client_id = HiddenField()


class _OAuthRequestForm(FlaskForm):
    """Parameters of a request a client sends (HTTP Basic authenticated, no CSRF token). Only
    a form-encoded body is read: a JSON body carries no OAuth parameters."""

    class Meta:
        csrf = False

        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if request.is_json:
                return None
            return FlaskForm.Meta.wrap_formdata(self, form, formdata)


class TokenRequestForm(_OAuthRequestForm):
    """``POST /oauth/token`` (RFC 6749 §4.1.3, §6)."""

    grant_type = StringField()
    code = StringField()
    code_verifier = StringField()
    redirect_uri = StringField()
    scope = StringField()
    refresh_token = StringField()

    def params(self) -> dict[str, str]:
        return _params(
            self,
            ("grant_type", "code", "code_verifier", "redirect_uri", "scope", "refresh_token"),
        )


class RevokeRequestForm(_OAuthRequestForm):
    """``POST /oauth/revoke`` (RFC 7009 §2.1)."""

    token = StringField()
    token_type_hint = StringField()
