"""From a credential row to its signed documents: recipient identifier, unsigned
OpenBadgeCredential, Data Integrity proof and VC-JWT, baked PNG and SVG."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger import urls
from badger.awards import documents
from badger.awards.keys import IssuerKeys
from badger.awards.models import (
    ISSUED,
    Credential,
    StatusList,
)
from badger.awards.status_lists import IndexAllocator, signing_keys
from badger.awards.translations import achievement_json, badge_image
from badger.db import utcnow
from badger.errors import UserError
from badger.networks.models import Organisation
from badger.networks.service import active_endorsements
from badger.ob3 import model, statuslist
from badger.ob3.baking import bake_png, bake_svg
from badger.ob3.dataintegrity import sign
from badger.ob3.jwt import sign_jwt
from badger.ob3.model import ModelError
from badger.referentiels.models import Competence

DID_RE = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%\-]{1,400}$")
PHONE_RE = re.compile(r"^\+?[0-9 .\-()]{6,25}$")


def recipient_from(
    *, email: str | None = None, phone: str | None = None, did: str | None = None
) -> dict[str, Any] | None:
    """The subject's identifier: a salted hash of e-mail or phone, or a DID; None if nothing."""
    if did and did.strip():
        value = did.strip()
        if not DID_RE.match(value):
            raise UserError(_l("Identifiant de portefeuille (DID) non valable."), 422)
        return {"id": value}
    if email and email.strip():
        value = email.strip()
        if "@" not in value or len(value) > 320 or " " in value:
            raise UserError(_l("Adresse e-mail non valable."), 422)
        return {"identifier": model.identity_object(value, identity_type="emailAddress")}
    if phone and phone.strip():
        if not PHONE_RE.match(phone.strip()):
            raise UserError(_l("Numéro de téléphone non valable."), 422)
        try:
            return {"identifier": model.identity_object(phone, identity_type="phone")}
        except ModelError as exc:
            raise UserError(_l("Numéro de téléphone non valable."), 422) from exc
    return None


def build_credential(
    session: Session, cred: Credential, endorsements: Sequence[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of a row, in the credential's language (its achievement's
    texts in that language when the badge still has them, else in its main language). Its
    issuer Profile embeds the organisation's active network endorsements (``endorsements``
    when the caller has them for the batch, else read now)."""
    ach = cred.achievement
    org = ach.organisation
    ach_doc = achievement_json(session, ach, cred.language or ach.language)
    result_alignment = documents.level_alignment(
        session.get(Competence, ach.competence_id), cred.level
    )
    subject = model.achievement_subject(
        achievement=ach_doc,
        id=cred.recipient.get("id"),
        identifiers=[cred.recipient["identifier"]] if "identifier" in cred.recipient else None,
        results=[
            model.result(
                result_description=documents.result_description_id(ach),
                achieved_level=documents.level_id(ach, cred.level),
                alignments=[result_alignment] if result_alignment else None,
            )
        ],
        narrative=cred.narrative or None,
    )
    status = None
    if cred.revocation_list_id is not None and cred.revocation_index is not None:
        lst = cred.revocation_list or session.get(StatusList, cred.revocation_list_id)
        assert lst is not None
        status = statuslist.status_entry(
            list_url=urls.status_url(org, lst.purpose, lst.number),
            index=cred.revocation_index,
            purpose="revocation",
        )
    issued_at = cred.issued_at or utcnow()
    return model.open_badge_credential(
        id=urls.credential_url(cred.uuid),
        issuer=documents.issuer_profile(
            org, active_endorsements(session, org.id) if endorsements is None else endorsements,
            identifier=_signs_as(session, cred),
        ),
        credential_subject=subject,
        valid_from=issued_at,
        valid_until=cred.valid_until,
        awarded_date=cred.awarded_at,
        name=ach_doc["name"],
        description=ach_doc["description"],
        image=model.image(ach_doc["image"]["id"], caption=ach_doc["image"].get("caption")),
        evidence=cred.evidence or None,
        credential_status=status,
    )


def _signs_as(session: Session, cred: Credential) -> str:
    """The issuer id a credential is signed as: that of its status list — the identifier chosen
    when its bit was allocated. A re-issue (same bit) keeps it, so the list still names the
    credential's issuer; a credential without a bit yet: the organisation's current choice."""
    org = cred.achievement.organisation
    if cred.revocation_list_id is not None:
        lst = cred.revocation_list or session.get(StatusList, cred.revocation_list_id)
        if lst is not None:
            return lst.issuer_id or urls.issuer_url(org)
    return documents.issuer_id(org, signing_keys(org))


def sign_data_integrity(org: Organisation, keys: IssuerKeys, unsigned: Mapping[str, Any], *,
                        created: datetime) -> dict[str, Any]:
    """The eddsa-rdfc-2022 signed credential, by the key of the issuer id it names (the
    organisation's https id, did:web or did:key)."""
    issuer = documents.issuer_id_of(unsigned)
    key = documents.signing_key_for(org, keys, issuer)
    return sign(unsigned, key, documents.method_for(org, key, issuer), created=created)


def sign_vc_jwt(org: Organisation, keys: IssuerKeys, unsigned: Mapping[str, Any]) -> str:
    """The VC-JWT of ``unsigned``, with the organisation's chosen algorithm and its ``kid``."""
    issuer = documents.issuer_id_of(unsigned)
    alg = documents.jwt_algorithm(org, issuer)
    jwt_key = (documents.signing_key_for(org, keys, issuer) if alg == "EdDSA"
               else keys.for_jwt(alg))
    assert jwt_key is not None  # signing_keys made the ES256 key when chosen
    return sign_jwt(unsigned, jwt_key, kid=documents.jwt_kid(org, keys, jwt_key, issuer))


def sign_and_bake(session: Session, cred: Credential, *, allocator: IndexAllocator) -> None:
    """Allocate the status bit, flush (constraints first), then sign both proofs and bake."""
    ach = cred.achievement
    org = ach.organisation
    if cred.language is None:  # chosen at award time; a row made elsewhere: the main language
        cred.language = ach.language
    if cred.revocation_list_id is None:
        lst, index = allocator.allocate()
        cred.revocation_list = lst
        cred.revocation_list_id = lst.id
        cred.revocation_index = index
    now = utcnow().replace(microsecond=0)
    cred.issued_at = now
    cred.valid_until = now + timedelta(days=ach.validity_days) if ach.validity_days else None
    session.flush()
    keys = signing_keys(org)
    unsigned = build_credential(session, cred, allocator.endorsements())
    signed = sign_data_integrity(org, keys, unsigned, created=now)
    token = sign_vc_jwt(org, keys, unsigned)
    text = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    cred.signed_json = text
    cred.signed_jwt = token
    image = badge_image(session, ach, cred.language)  # the label in the credential's language
    cred.baked_png = bake_png(image.png, text)
    cred.baked_svg = bake_svg(image.svg, text)
    cred.state = ISSUED
