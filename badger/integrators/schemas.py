"""The ``POST /credentials/issue`` body (W3C VC-API): ``{"credential": {...}, "options": {...}}``,
read through marshmallow, size-limited before it is parsed."""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields

from badger.ob3 import safejson
from badger.verification.schemas import BadRequest

#: Largest body (a credential may embed an image as a data URL; above that, 413).
MAX_ISSUE_BYTES = 512 * 1024
JSON_TYPES = {"application/json", "application/ld+json", "application/vc+ld+json"}


class IssueRequest(Schema):
    class Meta:
        unknown = EXCLUDE

    credential = fields.Raw(required=True)
    options = fields.Dict(load_default=dict)


def load_issue_request() -> dict[str, Any]:
    """The request's body as :class:`IssueRequest` loads it; 413 above :data:`MAX_ISSUE_BYTES`,
    :class:`BadRequest` when it is not a JSON object of that shape."""
    if request.content_length is not None and request.content_length > MAX_ISSUE_BYTES:
        abort(413)
    data = request.stream.read(MAX_ISSUE_BYTES + 1)
    if len(data) > MAX_ISSUE_BYTES:
        abort(413)
    if request.mimetype not in JSON_TYPES:
        raise BadRequest(_l("Envoyez du JSON (Content-Type: application/json)."))
    try:
        payload = safejson.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(_l("Le corps de la demande n'est pas un objet JSON.")) from exc
    if not isinstance(payload, dict):
        raise BadRequest(_l("Le corps de la demande n'est pas un objet JSON."))
    try:
        loaded: dict[str, Any] = IssueRequest().load(payload)
    except ValidationError as exc:
        raise BadRequest(_l("La demande n'est pas valable."), exc.messages) from exc
    return loaded
