"""The OB 3.0 credential resources: listing a participant's credentials (paged) and the
upsert of a credential pushed by an app.

Every token speaks for one participant: resource queries filter by ``participant_id`` (and the
view also scopes the session to the participant's organisation).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from badger import urls
from badger.accounts.models import Participant
from badger.api.oauth import (
    first_error,
)
from badger.awards.models import ISSUED, Credential
from badger.db import utcnow
from badger.errors import UserError
from badger.holders import service as holders
from badger.ob3 import safejson, verify_credential
from badger.ob3.baking import BakingError, unbake
from badger.ob3.dataintegrity import issuer_id, parse_datetime
from badger.ob3.jwt import JwtError, decode_unverified, is_compact_jws
from badger.ob3.schema import validate_credential
from badger.portfolio import import_credential
from badger.portfolio.models import ImportedCredential

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


class PagingSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(validate=validate.Range(min=1), load_default=DEFAULT_LIMIT)
    offset = fields.Integer(validate=validate.Range(min=0), load_default=0)
    since = fields.AwareDateTime(format="iso", load_default=None)


@dataclass
class Paging:
    limit: int
    offset: int
    since: datetime | None


def parse_paging(args: Mapping[str, str]) -> Paging:
    try:
        data = PagingSchema().load(dict(args))
    except ValidationError as exc:
        raise UserError(first_error(exc.messages), 400) from exc
    return Paging(min(data["limit"], MAX_LIMIT), data["offset"], data["since"])


@dataclass
class Page:
    total: int
    credential: list[dict[str, Any]]
    compact_jws: list[str]


def _document_of(imp: ImportedCredential) -> dict[str, Any] | str | None:
    """The credential inside an import: a dict (JSON) or a compact JWS; None if unreadable."""
    try:
        if imp.format in ("png", "svg"):
            text = unbake(bytes(imp.raw))
        else:
            text = bytes(imp.raw).decode("utf-8")
        if text is None:
            return None
        text = text.strip()
        if is_compact_jws(text):
            return text
        value = safejson.loads(text)
    except (ValueError, UnicodeDecodeError, BakingError):
        return None
    return value if isinstance(value, dict) else None


def _credential_of(document: dict[str, Any] | str) -> dict[str, Any] | None:
    """The credential claims (a VC-JWT's payload, or its ``vc`` claim for VCDM 1.1)."""
    if isinstance(document, dict):
        return document
    try:
        _header, payload = decode_unverified(document)
    except JwtError:
        return None
    vc = payload.get("vc")
    if isinstance(vc, dict):
        vc = dict(vc)
        if "id" not in vc and isinstance(payload.get("jti"), str):
            vc["id"] = payload["jti"]
        if "issuer" not in vc and isinstance(payload.get("iss"), str):
            vc["issuer"] = payload["iss"]
        return vc
    return payload


def _imports(db: Session, participant: Participant) -> list[ImportedCredential]:
    return list(
        db.scalars(
            select(ImportedCredential)
            .where(ImportedCredential.participant_id == participant.id)
            .order_by(ImportedCredential.created_at, ImportedCredential.id)
        )
    )


def list_credentials(db: Session, participant: Participant, paging: Paging) -> Page:
    """The participant's issued credentials (not revoked or suspended) and the ones they
    imported (portfolio, or pushed by an app), oldest first.

    Issued credentials are given in both forms (DI JSON in ``credential``, VC-JWT in
    ``compactJwsString``); imports in the form they arrived in (a baked image gives its
    embedded credential). ``since`` compares with ``issued_at`` for issued credentials and with
    the last change for imports (so a replaced import is sent again).
    """
    issued_stmt = select(Credential.id, Credential.issued_at, Credential.created_at).where(
        Credential.participant_id == participant.id,
        Credential.state == ISSUED,
        Credential.signed_json.is_not(None),
        Credential.revoked_at.is_(None),
        Credential.suspended_at.is_(None),
    )
    if paging.since is not None:
        issued_stmt = issued_stmt.where(Credential.issued_at > paging.since)
    # Keys first (no documents or images loaded), then the documents of one page only.
    keys: list[tuple[datetime, int, int]] = [
        (r.issued_at or r.created_at, 0, r.id) for r in db.execute(issued_stmt)
    ]
    imports_stmt = select(
        ImportedCredential.id, ImportedCredential.created_at, ImportedCredential.updated_at
    ).where(ImportedCredential.participant_id == participant.id)
    if paging.since is not None:
        imports_stmt = imports_stmt.where(ImportedCredential.updated_at > paging.since)
    keys += [(r.created_at, 1, r.id) for r in db.execute(imports_stmt)]
    keys.sort()
    window = keys[paging.offset : paging.offset + paging.limit]
    issued_ids = [ident for _when, kind, ident in window if kind == 0]
    import_ids = [ident for _when, kind, ident in window if kind == 1]
    issued = {
        c.id: c
        for c in db.scalars(
            select(Credential)
            .options(load_only(Credential.id, Credential.signed_json, Credential.signed_jwt))
            .where(Credential.id.in_(issued_ids), Credential.participant_id == participant.id)
        )
    } if issued_ids else {}
    imported = {
        i.id: i
        for i in db.scalars(
            select(ImportedCredential).where(
                ImportedCredential.id.in_(import_ids),
                ImportedCredential.participant_id == participant.id,
            )
        )
    } if import_ids else {}
    page = Page(total=len(keys), credential=[], compact_jws=[])
    for _when, kind, ident in window:
        if kind == 0 and ident in issued:
            cred = issued[ident]
            page.credential.append(json.loads(cred.signed_json or "{}"))
            if cred.signed_jwt:
                page.compact_jws.append(cred.signed_jwt)
        elif kind == 1 and ident in imported:
            document = _document_of(imported[ident])
            if isinstance(document, str):
                page.compact_jws.append(document)
            elif document is not None:
                page.credential.append(document)
    return page


def normalise_id(value: str) -> str:
    """OB 3.0 credential equality: percent-decode, then trim surrounding whitespace."""
    return urllib.parse.unquote(value).strip()


def _identity(credential: Mapping[str, Any]) -> tuple[str, str] | None:
    issuer = issuer_id(credential)
    cred_id = credential.get("id")
    if not isinstance(issuer, str) or not isinstance(cred_id, str) or not cred_id.strip():
        return None
    return normalise_id(issuer), normalise_id(cred_id)


#: Verification checks whose failure means the document is not a genuine credential.
_FATAL_CHECKS = frozenset(
    {"extraction", "format", "jsonld", "proof", "issuer_binding", "endorsements"}
)


#: An app can only push badges issued to an identity the participant proved (its DID, or an
#: e-mail / phone they proved that their record holds or that the identifier shows unhashed).
_NOT_YOURS = _l(
    "Ce badge n'a pas été remis à une identité que la personne a prouvée (téléphone, e-mail "
    "ou DID) : il n'a pas été enregistré."
)


@dataclass
class Upsert:
    created: bool
    stored: ImportedCredential | None


def upsert_credential(
    db: Session,
    participant: Participant,
    document: dict[str, Any] | str,
    resolver: Any,
) -> Upsert:
    """Verify a credential pushed by an app and keep it among the participant's imports.

    Refused (400): schema errors, a failed proof or any structural failure. Kept with state
    "unknown": a key or status list that could not be fetched (a Host must not lose data
    because an issuer is briefly offline). OB 3.0 credential equality (same issuer id and
    credential id after percent-decoding and trimming) finds the stored version: it is replaced
    unless the new ``validFrom`` is older, in which case the stored one stays.
    A credential this server issued to the same participant is already listed: not copied.
    """
    if isinstance(document, dict):
        errors = validate_credential(document, strict=False)
        if errors:
            raise UserError(
                _l("Ce badge ne respecte pas le format Open Badges 3.0."), 400, details=errors[:10]
            )
    report = verify_credential(document, resolver=resolver)
    failed = [c for c in report.checks if c.state == "failed" and c.name in _FATAL_CHECKS]
    if failed or report.credential is None:
        raise UserError(
            _l("Ce badge n'a pas pu être vérifié."),
            400,
            details=[f"{c.name}: {c.message}" for c in failed][:10],
        )
    identity = _identity(report.credential)
    if identity is None:
        raise UserError(_l("Un badge reçu doit avoir un identifiant et un émetteur."), 400)
    if _is_own_issued(db, participant, identity[1]):
        return Upsert(created=False, stored=None)
    raw = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    data = raw.encode("utf-8")
    valid_from = _valid_from(report.credential)
    for imp in _imports(db, participant):
        stored_doc = _document_of(imp)
        stored = _credential_of(stored_doc) if stored_doc is not None else None
        if stored is None or _identity(stored) != identity:
            continue
        old_from = _valid_from(stored)
        if valid_from is not None and old_from is not None and valid_from < old_from:
            return Upsert(created=False, stored=imp)
        # the new version must be the participant's too (badger.holders)
        proof = holders.holder_proof(db, participant, report.credential)
        if proof is None:
            raise UserError(_NOT_YOURS, 400)
        imp.holder_proof = proof
        imp.format = "jwt" if isinstance(document, str) else "json"
        imp.raw = data
        imp.issuer_id = (report.issuer_id or "")[:500] or None
        imp.issuer_name = (report.issuer_name or "")[:300] or None
        imp.achievement_name = (report.achievement_name or "")[:300] or None
        imp.verified_at = utcnow()
        imp.last_state = report.state
        imp.last_report = {"state": report.state, "checks": [c.to_dict() for c in report.checks]}
        db.flush()
        return Upsert(created=False, stored=imp)
    if holders.holder_proof(db, participant, report.credential) is None:
        raise UserError(_NOT_YOURS, 400)
    try:
        imp = import_credential(db, participant, data, resolver=resolver)
    except UserError as exc:
        # The API answers 400 for data it cannot accept (OB 3.0 upsertCredential).
        raise UserError(exc.message, 400, details=exc.details) from exc
    return Upsert(created=True, stored=imp)


def _valid_from(credential: Mapping[str, Any]) -> datetime | None:
    return parse_datetime(credential.get("validFrom") or credential.get("issuanceDate"))


def _is_own_issued(db: Session, participant: Participant, cred_id: str) -> bool:
    """A credential this server issued to this participant is already in the list."""
    base = urls.credential_url("")
    if not cred_id.startswith(base):
        return False
    found = db.execute(
        select(Credential.id).where(
            Credential.uuid == cred_id.removeprefix(base),
            Credential.participant_id == participant.id,
        )
    ).first()
    return found is not None

