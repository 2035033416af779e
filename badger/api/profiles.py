"""The OB 3.0 profile resource: the participant's Profile, of which only the name may change."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy.orm import Session

from badger import urls
from badger.accounts.models import Participant
from badger.api.oauth import (
    first_error,
)
from badger.errors import UserError
from badger.ob3.schema import validate_profile


def profile_id(participant: Participant) -> str:
    """A stable, opaque identifier: a name-based UUID of the participant's URL on this server."""
    base = urls.base_url()
    name = f"{base}/participants/{participant.id}"
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def profile(participant: Participant) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": profile_id(participant),
        "type": ["Profile"],
        "name": participant.display_name,
    }


class ProfileSchema(Schema):
    """PUT /profile: the whole Profile; only ``name`` may change."""

    class Meta:
        unknown = "raise"

    context = fields.Raw(data_key="@context", load_default=None)
    id = fields.String(required=True)
    type = fields.Raw(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


def update_profile(db: Session, participant: Participant, payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise UserError(_l("Le profil doit être un objet JSON."), 400)
    errors = validate_profile(payload)
    if errors:
        raise UserError(_l("Ce profil ne respecte pas le format Open Badges 3.0."), 400,
                        details=errors[:10])
    try:
        data = ProfileSchema().load(payload)
    except ValidationError as exc:
        raise UserError(
            _l("Seul le nom affiché peut être modifié."), 400, details=[first_error(exc.messages)]
        ) from exc
    types = data["type"] if isinstance(data["type"], list) else [data["type"]]
    if data["id"] != profile_id(participant) or "Profile" not in types:
        raise UserError(_l("Ce profil n'est pas le vôtre."), 400)
    name = " ".join(data["name"].split())
    if not name:
        raise UserError(_l("Le nom affiché ne peut pas être vide."), 400)
    participant.display_name = name
    db.flush()
    return profile(participant)

