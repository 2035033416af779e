"""The VC-API JSON bodies (``POST /credentials/verify``, ``POST /presentations/verify``) and
the one function that reads them (:func:`load_json`): the machine endpoints' input layer."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

#: Largest JSON body accepted by the machine endpoints.
MAX_JSON_BYTES = 1024 * 1024


class VerifyOptions(Schema):
    class Meta:
        unknown = EXCLUDE

    challenge = fields.String(load_default=None)
    domain = fields.String(load_default=None)
    #: VC-API: the checks asked for (``["proof", "credentialStatus"]``); only
    #: ``credentialStatus`` changes anything (a plain VC's status list is read only then).
    checks = fields.List(
        fields.String(validate=validate.Length(max=64)),
        load_default=list,
        validate=validate.Length(max=16),
    )


class VerifyRequest(Schema):
    """VC-API ``POST /credentials/verify`` body."""

    class Meta:
        unknown = EXCLUDE

    verifiableCredential = fields.Dict(required=True)
    options = fields.Nested(VerifyOptions, load_default=dict)


class PresentationRequest(Schema):
    """VC-API ``POST /presentations/verify`` body (a JSON-LD presentation or a VP-JWT)."""

    class Meta:
        unknown = EXCLUDE

    verifiablePresentation = fields.Raw(required=True)
    options = fields.Nested(VerifyOptions, load_default=dict)


class BadRequest(Exception):
    """The body is not a verification request: the 400 answer's message and details."""

    def __init__(self, message: Any, details: Any = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.details = details


def load_json(schema: Schema) -> dict[str, Any]:
    """The request's JSON body (at most :data:`MAX_JSON_BYTES`) as ``schema`` loads it; raises
    :class:`BadRequest` when it is not JSON, not an object, or not what ``schema`` expects."""
    request.max_content_length = MAX_JSON_BYTES
    if not request.is_json:
        raise BadRequest(_l("Envoyez du JSON (Content-Type: application/json)."))
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise BadRequest(_l("Le corps de la demande n'est pas un objet JSON."))
    try:
        loaded: dict[str, Any] = schema.load(payload)
    except ValidationError as exc:
        raise BadRequest(_l("La demande n'est pas valable."), exc.messages) from exc
    return loaded
