"""How an organisation names itself in what it signs (https, did:web, did:key) and the
VC-JWT algorithm."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger import audit, urls
from badger.awards import documents
from badger.errors import UserError
from badger.networks.models import Organisation


def set_issuer_identifier(session: Session, org: Organisation, kind: str, *,
                          actor: Any = None) -> None:
    """Sign as ``kind`` (https, did:web, did:key) from now on. Earlier signatures are untouched:
    their documents stay served, and their status lists keep the id they were made with."""
    if kind not in documents.IDENTIFIER_KINDS:
        raise UserError(_l("Choisissez un identifiant d'émetteur proposé."), 400)
    if kind == "did:web" and not urls.base_url().startswith("https://"):
        raise UserError(_l("Un identifiant did:web demande une adresse publique en https."), 422)
    if kind == documents.kind_of(org):
        return
    before = documents.kind_of(org)
    org.issuer_identifier = kind
    session.flush()
    audit.record(session, "award.issuer_identifier", actor=actor, organisation_id=org.id,
                 object_type="organisation", object_id=org.id, before=before, after=kind)


def set_jwt_algorithm(session: Session, org: Organisation, algorithm: str, *,
                      actor: Any = None) -> None:
    """Sign new VC-JWTs with ``algorithm`` (RS256, ES256, EdDSA)."""
    if algorithm not in documents.JWT_ALGORITHMS:
        raise UserError(_l("Algorithme de signature inconnu."), 400)
    if algorithm == (org.jwt_algorithm or "RS256"):
        return
    before = org.jwt_algorithm
    org.jwt_algorithm = algorithm
    session.flush()
    audit.record(session, "award.jwt_algorithm", actor=actor, organisation_id=org.id,
                 object_type="organisation", object_id=org.id, before=before, after=algorithm)
