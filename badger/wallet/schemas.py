"""What wallets send, read in one place: the token request (OAuth form fields) and the
credential request (a JSON object), each through a marshmallow schema. A body that cannot be
read is an OAuth error answer, never a 500."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields

from badger.wallet.service import WalletError

#: A credential request is a few hundred bytes; a key proof at most a few kilobytes.
MAX_REQUEST_BYTES = 16 * 1024


class TokenRequest(Schema):
    """The token endpoint's form fields (OAuth 2.0, application/x-www-form-urlencoded)."""

    class Meta:
        unknown = EXCLUDE

    grant_type = fields.String(load_default="")
    pre_authorized_code = fields.String(data_key="pre-authorized_code", load_default="")
    tx_code = fields.String(load_default=None)
    user_pin = fields.String(load_default=None)
    authorization_details = fields.String(load_default=None)


class CredentialRequestBody(Schema):
    """The credential endpoint's JSON body (1.0 and Draft 13 forms; read by the service)."""

    class Meta:
        unknown = EXCLUDE

    credential_configuration_id = fields.String()
    credential_identifier = fields.String()
    format = fields.String()
    credential_definition = fields.Dict()
    proofs = fields.Dict()
    proof = fields.Dict()


def token_request() -> dict[str, Any]:
    """The token endpoint's form (``user_pin``: the name Draft 11 wallets still send)."""
    try:
        data = TokenRequest().load(request.form.to_dict())
    except ValidationError as exc:
        raise WalletError("invalid_request", "malformed token request") from exc
    return {"grant_type": data["grant_type"], "pre-authorized_code": data["pre_authorized_code"],
            "tx_code": data["tx_code"] or data["user_pin"],
            "authorization_details": data["authorization_details"]}


def credential_request() -> dict[str, Any]:
    """The credential endpoint's JSON object (1.0 or Draft 13 form, told apart by the service)."""
    if (request.content_length or 0) > MAX_REQUEST_BYTES:
        raise WalletError("invalid_credential_request", "the request is too large", 413)
    raw = request.get_json(silent=True)
    if not isinstance(raw, dict):
        raise WalletError("invalid_credential_request", "the body must be a JSON object")
    try:
        body: dict[str, Any] = CredentialRequestBody().load(raw)
    except ValidationError as exc:
        raise WalletError("invalid_credential_request",
                          f"malformed request: {sorted(exc.messages)}") from exc
    return body
