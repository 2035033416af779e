"""``POST /credentials/issue``: sign a credential given by an integrator as its organisation.

Any VC Data Model 2.0 or 1.1 credential is signed with ``eddsa-rdfc-2022`` by the
organisation's Ed25519 key, as the issuer identifier it chose (https Multikey URL, did:web or
did:key: ``awards.sign_data_integrity``). An Open Badge (OpenBadgeCredential or
AchievementCredential) follows the awards' rules as well: its achievement must be one of the
organisation's badges that may be awarded (``awards.check_eligible``), it gets a bit of the
organisation's revocation list (so it can be revoked), and it is recorded once per id.

Idempotent: the same request again (same ``Idempotency-Key`` for this client, or for an Open
Badge the same id) answers the credential signed the first time; the same key or badge id with a
different credential is refused.
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badger import audit, urls
from badger.awards import (
    IndexAllocator,
    check_eligible,
    documents,
    sign_data_integrity,
    signing_keys,
    translations_of,
)
from badger.awards.models import Achievement, StatusList
from badger.db import utcnow
from badger.errors import UserError
from badger.integrators.models import IntegratorClient, IssuedCredential
from badger.integrators.validation import (
    DESCRIBED_TYPES,
    OB_TYPES,
    PYLD_CRASHES,
    CredentialError,
    check_credential,
    check_issuer_profile,
    check_no_inline_context,
    check_open_badge_naming,
    check_terms,
    issuer_of,
    with_proof_context,
)
from badger.networks.models import Organisation
from badger.ob3 import schema, statuslist
from badger.ob3.dataintegrity import ProofError
from badger.ob3.jsonld import UndefinedTermError

MAX_KEY = 200
SIGNING_ERRORS: tuple[type[Exception], ...] = (ProofError, UndefinedTermError, *PYLD_CRASHES)


@dataclass(frozen=True)
class IntegratorActor:
    """Who acted, for the audit trail: the client (``actor_type`` "integrator")."""

    id: int
    kind: str = "integrator"


@dataclass
class Issued:
    credential: dict[str, Any]
    record: IssuedCredential
    replayed: bool = False


def request_hash(credential: Mapping[str, Any]) -> str:
    text = json.dumps(credential, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def badge_digest(badge_id: str) -> str:
    """What ``IssuedCredential.badge_id`` holds for an Open Badge's id."""
    return hashlib.sha256(badge_id.encode("utf-8")).hexdigest()


def _organisation(session: Session, client: IntegratorClient) -> Organisation:
    return session.execute(select(Organisation).where(Organisation.id == client.organisation_id)
                           .execution_options(unscoped=True)).scalar_one()


def _replay(session: Session, client: IntegratorClient, key: str | None, digest: str,
            badge_id: str | None) -> IssuedCredential | None:
    """The earlier record this request repeats, if any; a key or badge id reused for another
    credential is refused."""
    if key:
        row = session.execute(select(IssuedCredential).where(
            IssuedCredential.client_id == client.id, IssuedCredential.idempotency_key == key)
            .execution_options(unscoped=True)).scalar_one_or_none()
        if row is not None:
            if row.request_hash != digest:
                raise UserError(_l("Cette clé Idempotency-Key a déjà servi pour un autre "
                                   "credential."), 422)
            return row
    if badge_id:
        row = session.execute(select(IssuedCredential).where(
            IssuedCredential.organisation_id == client.organisation_id,
            IssuedCredential.badge_id == badge_digest(badge_id))
            .execution_options(unscoped=True)).scalar_one_or_none()
        if row is not None:
            if row.request_hash != digest:
                raise UserError(_l("Un autre badge a déjà été émis avec cet id."), 409)
            return row
    return None


def _achievement(session: Session, org: Organisation, cred: Mapping[str, Any],
                 issuer: str) -> Achievement:
    """The organisation's badge the Open Badge claims (awards' eligibility rules apply)."""
    subject = cred["credentialSubject"]
    if isinstance(subject, list):
        if len(subject) != 1:
            raise CredentialError("credentialSubject", _l("un Open Badge a un seul sujet."))
        subject = subject[0]
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    ach_id = achievement.get("id") if isinstance(achievement, Mapping) else None
    prefix = urls.base_url() + "/achievements/"
    ach = None
    if isinstance(ach_id, str) and ach_id.startswith(prefix):
        ach = session.execute(select(Achievement).where(
            Achievement.uuid == ach_id[len(prefix):], Achievement.organisation_id == org.id)
            .execution_options(unscoped=True)).scalar_one_or_none()
    if ach is None or not isinstance(achievement, Mapping):
        raise CredentialError("credentialSubject.achievement.id",
                              _l("doit être l'adresse d'un badge de votre organisation."))
    try:
        check_eligible(session, org, ach)
    except UserError as exc:
        raise CredentialError("credentialSubject.achievement", exc.message) from exc
    _check_achievement_texts(session, ach, achievement, issuer)
    return ach


def _check_achievement_texts(session: Session, ach: Achievement, given: Mapping[str, Any],
                             issuer: str) -> None:
    """The achievement says what the organisation's badge is: its name (in one of its
    languages) and, when it names one, the organisation as creator — else an eligible badge's
    id would carry any title, or another organisation's authorship."""
    names = {ach.name, *(t.name for t in translations_of(session, ach))}
    if given.get("name") not in names:
        raise CredentialError("credentialSubject.achievement.name",
                              _l("doit être le nom du badge : %(name)s", name=ach.name))
    creator = given.get("creator")
    if creator is not None and (creator.get("id") if isinstance(creator, Mapping)
                                else creator) != issuer:
        raise CredentialError("credentialSubject.achievement.creator",
                              _l("doit être votre organisation : %(id)s", id=issuer))


def _check_id_not_ours(cred: Mapping[str, Any]) -> None:
    """Addresses on this server are badger's to give: an id under it would open another
    document there (``/credentials/<uuid>``: another credential's page), and badger's verifier
    would explain the status from that other credential's records."""
    cid = cred.get("id")
    if isinstance(cid, str) and cid.lower().startswith(urls.base_url().lower() + "/"):
        raise CredentialError("id", _l("une adresse de ce service ne peut pas servir d'id : "
                                       "choisissez-en un autre (urn:uuid:…)."))


def _add_status(session: Session, org: Organisation, unsigned: dict[str, Any]
                ) -> tuple[StatusList, int]:
    lst, index = IndexAllocator(session, org).allocate()
    unsigned["credentialStatus"] = statuslist.status_entry(
        list_url=urls.status_url(org, lst.purpose, lst.number), index=index, purpose="revocation")
    return lst, index


def _prepare_badge(session: Session, org: Organisation, cred: Mapping[str, Any],
                   version: int, issuer: str) -> tuple[Achievement, str]:
    if version != 2:
        raise CredentialError("@context", _l("un Open Badge 3.0 suit le modèle 2.0."))
    check_no_inline_context(cred)
    if "credentialStatus" in cred:
        raise CredentialError("credentialStatus", _l("le service ajoute lui-même l'état de "
                                                     "révocation d'un Open Badge."))
    return _achievement(session, org, cred, issuer), str(cred.get("id") or "")


def issue(session: Session, client: IntegratorClient, credential: Any, *,
          idempotency_key: str | None = None) -> Issued:
    """Check, sign and record ``credential`` for ``client``'s organisation (see the module)."""
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_KEY:
        raise UserError(_l("En-tête Idempotency-Key non valable."), 400)
    version, types = check_credential(credential)
    _check_id_not_ours(credential)
    org = _organisation(session, client)
    keys = signing_keys(org)
    issuer = documents.issuer_id(org, keys)
    if issuer_of(credential) != issuer:
        raise CredentialError("issuer", _l("doit être l'identifiant d'émetteur de votre "
                                           "organisation : %(id)s", id=issuer))
    if DESCRIBED_TYPES & set(types):
        check_issuer_profile(credential, org.name, org.url or urls.issuer_url(org))
    open_badge = bool(OB_TYPES & set(types))
    ach, badge_id = (_prepare_badge(session, org, credential, version, issuer) if open_badge
                     else (None, ""))
    digest = request_hash(credential)
    earlier = _replay(session, client, idempotency_key, digest, badge_id or None)
    if earlier is not None:
        return Issued(json.loads(earlier.signed_json), earlier, replayed=True)
    unsigned = with_proof_context(credential, version)
    if open_badge and not badge_id:
        unsigned["id"] = badge_id = f"urn:uuid:{uuidlib.uuid4()}"
    check_open_badge_naming(unsigned, types, check_terms(unsigned))
    lst, index = _add_status(session, org, unsigned) if open_badge else (None, None)
    now = utcnow().replace(microsecond=0)
    try:
        signed = sign_data_integrity(org, keys, unsigned, created=now)
    except SIGNING_ERRORS as exc:
        raise CredentialError("credential", str(exc)[:300]) from exc
    if not open_badge and "proof" not in credential:
        # one proof: an object, as VC-API issuers answer (the W3C issuer suite requires it);
        # an Open Badge keeps the array the strict 1EdTech schema asks for
        signed["proof"] = signed["proof"][0]
    if open_badge:
        problems = schema.validate_credential(signed, strict=False)
        if problems:
            raise CredentialError("credential", _l("ne suit pas le schéma Open Badges 3.0 : "
                                                   "%(why)s", why=problems[0][:300]))
    row = IssuedCredential(
        organisation_id=org.id, uuid=str(uuidlib.uuid4()), client_id=client.id,
        credential_id=str(unsigned["id"])[:2000] if "id" in unsigned else None,
        badge_id=badge_digest(badge_id) if badge_id else None,
        idempotency_key=idempotency_key, request_hash=digest,
        open_badge=open_badge, achievement_id=ach.id if ach else None,
        types=" ".join(types)[:500],
        signed_json=json.dumps(signed, ensure_ascii=False, separators=(",", ":")),
        issued_at=now, revocation_list_id=lst.id if lst else None, revocation_index=index)
    try:
        with session.begin_nested():  # a savepoint: losing a race must not end the transaction
            session.add(row)
    except IntegrityError:
        # the same request, committed by another worker since _replay looked: answer its record
        earlier = _replay(session, client, idempotency_key, digest, badge_id or None)
        if earlier is None:
            raise UserError(_l("Une autre émission est en cours ; réessayez."), 409) from None
        return Issued(json.loads(earlier.signed_json), earlier, replayed=True)
    audit.record(session, "integrators.issue", actor=IntegratorActor(client.id),
                 organisation_id=org.id, obj=row, client=client.client_id,
                 open_badge=open_badge, achievement_id=row.achievement_id)
    return Issued(signed, row)


def list_issued(session: Session, org: Organisation, limit: int = 200) -> list[IssuedCredential]:
    return list(session.scalars(
        select(IssuedCredential).where(IssuedCredential.organisation_id == org.id)
        .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc()).limit(limit)
        .execution_options(unscoped=True)))


def find_issued(session: Session, org: Organisation, uuid: str) -> IssuedCredential:
    row = session.execute(select(IssuedCredential).where(
        IssuedCredential.uuid == uuid, IssuedCredential.organisation_id == org.id)
        .execution_options(unscoped=True)).scalar_one_or_none()
    if row is None:
        raise UserError(_l("Credential introuvable."), 404)
    return row


def revoke_issued(session: Session, row: IssuedCredential, reason: str, *,
                  actor: Any = None) -> None:
    """Revoke an Open Badge issued through the VC-API: its bit is set and its list re-signed
    before the commit (``badger.db``)."""
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_l("Indiquez la raison du retrait."), 422)
    if row.revocation_list_id is None or row.revocation_index is None:
        raise UserError(_l("Ce credential n'a pas d'état de révocation."), 422)
    if row.revoked_at is not None:
        raise UserError(_l("Ce badge est déjà retiré."), 409)
    row.revoked_at = utcnow()
    row.revocation_reason = reason[:2000]
    audit.record(session, "integrators.revoke", actor=actor,
                 organisation_id=row.organisation_id, obj=row, reason=reason[:500])
    session.flush()
    StatusList.set_status_locked(session, row.revocation_list_id, row.revocation_index, True)
