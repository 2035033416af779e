"""Proving identities and binding badges to their holder.

A participant proves an e-mail address or a phone number with a one-time code sent there, or a
DID with a signed presentation answering a challenge. Only keyed hashes are kept (see
``models``). A badge counts as the participant's when its subject is one of those identities:
its ``credentialSubject.id`` is a proven DID, or one of its ``identifier`` entries is a proven
e-mail or phone — unhashed, or hashed (``sha256$``, salt from the identifier) from a value the
participant types again or that their record holds, which must itself be proven.

Functions take a session and plain values, raise :class:`badger.errors.UserError`, flush and
never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badger import audit, urls
from badger.accounts.models import Participant
from badger.db import utcnow
from badger.errors import UserError
from badger.holders import sending
from badger.holders.models import (
    KIND_DID,
    KIND_EMAIL,
    KIND_PHONE,
    IdentityChallenge,
    ProvenIdentity,
)
from badger.ob3.jwt import decode_unverified, is_compact_jws
from badger.ob3.model import ModelError, hash_identity, normalise_identity
from badger.ob3.presentation import PresentationError, verify_presentation

CODE_MINUTES = 15
DID_CHALLENGE_MINUTES = 10
MAX_ATTEMPTS = 5
#: Codes (and DID challenges) one participant may ask for per hour.
MAX_PER_HOUR = 5
MAX_IDENTITIES = 20
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,63}$")
#: identityType values of e-mail and phone identifiers.
_TYPES = {"emailAddress": KIND_EMAIL, "ext:phone": KIND_PHONE, "phone": KIND_PHONE}


def _key(app: Flask | None = None) -> bytes:
    app = app or current_app
    return str(app.config["SECRET_KEY"]).encode()


def identity_hash(kind: str, normalised: str, app: Flask | None = None) -> str:
    """HMAC-SHA256 (hex) of ``kind:value`` under the app secret (domain-separated from codes)."""
    data = f"holder-identity\0{kind}\0{normalised}".encode()
    return hmac.new(_key(app), data, hashlib.sha256).hexdigest()


def _secret_hash(value_hash: str, secret: str) -> str:
    data = f"holder-secret\0{value_hash}\0{secret.strip()}".encode()
    return hmac.new(_key(), data, hashlib.sha256).hexdigest()


def normalise(kind: str, value: str) -> str:
    """The canonical e-mail / phone (the same as in credentials); clear 422 when not one."""
    value = (value or "").strip()
    try:
        if kind == KIND_EMAIL:
            text = normalise_identity(value, "emailAddress")
            if len(text) <= 254 and _EMAIL.match(text):
                return text
        elif kind == KIND_PHONE:
            text = normalise_identity(value, "ext:phone")
            if text.startswith("+") and 8 <= len(text) - 1 <= 15:
                return text
    except ModelError:
        pass
    if kind == KIND_PHONE:
        raise UserError(_l("Ce numéro de téléphone n'est pas valable."), 422)
    raise UserError(_l("Cette adresse e-mail n'est pas valable."), 422)


def mask(kind: str, normalised: str) -> str:
    """Enough for the person to recognise it, not enough to contact them."""
    if kind == KIND_EMAIL:
        local, _, domain = normalised.partition("@")
        host, _, tld = domain.rpartition(".")
        return f"{local[:1]}•••@{host[:1]}•••.{tld}"
    if kind == KIND_PHONE:
        return f"{normalised[:3]} •••• {normalised[-2:]}"
    return f"{normalised[:12]}…{normalised[-6:]}" if len(normalised) > 24 else normalised


# --------------------------------------------------------------------------- reading


def identities(db: Session, participant: Participant) -> list[ProvenIdentity]:
    return list(
        db.scalars(
            select(ProvenIdentity)
            .where(ProvenIdentity.participant_id == participant.id)
            .order_by(ProvenIdentity.id)
        )
    )


def _proven(db: Session, participant_id: int) -> set[tuple[str, str]]:
    return {
        (kind, value_hash)
        for kind, value_hash in db.execute(
            select(ProvenIdentity.kind, ProvenIdentity.value_hash)
            .where(ProvenIdentity.participant_id == participant_id)
            .execution_options(unscoped=True)
        )
    }


def _own_challenge(db: Session, participant: Participant, challenge_id: int) -> IdentityChallenge:
    found = db.execute(
        select(IdentityChallenge).where(
            IdentityChallenge.id == challenge_id,
            IdentityChallenge.participant_id == participant.id,
        )
    ).scalar_one_or_none()
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        raise UserError(_l("Ce code a expiré. Demandez-en un nouveau."), 410)
    return found


def _rate_limit(db: Session, participant: Participant) -> None:
    recent = db.scalar(
        select(func.count())
        .select_from(IdentityChallenge)
        .where(
            IdentityChallenge.participant_id == participant.id,
            IdentityChallenge.created_at > utcnow() - timedelta(hours=1),
        )
    )
    if (recent or 0) >= MAX_PER_HOUR:
        raise UserError(_l("Trop de demandes. Réessayez dans une heure."), 429)


def _add_identity(
    db: Session, participant: Participant, kind: str, value_hash: str, label: str
) -> ProvenIdentity:
    existing = db.execute(
        select(ProvenIdentity).where(
            ProvenIdentity.participant_id == participant.id,
            ProvenIdentity.kind == kind,
            ProvenIdentity.value_hash == value_hash,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    if len(identities(db, participant)) >= MAX_IDENTITIES:
        raise UserError(_l("Vous avez déjà beaucoup d'identités prouvées."), 422)
    ident = ProvenIdentity(
        organisation_id=participant.organisation_id,
        participant_id=participant.id,
        kind=kind,
        value_hash=value_hash,
        label=label,
    )
    db.add(ident)
    db.flush()
    audit.record(
        db,
        "holder.identity_proven",
        actor=participant,
        organisation_id=participant.organisation_id,
        obj=ident,
        kind=kind,
    )
    return ident


# --------------------------------------------------------------------------- e-mail / phone


def send_code(
    db: Session, participant: Participant, kind: str, value: str, app: Flask | None = None
) -> IdentityChallenge:
    """Send a 6-digit code to the e-mail or phone; keep only its HMAC (15 minutes, one use)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if kind not in (KIND_EMAIL, KIND_PHONE):
        raise UserError(_l("Choisissez un téléphone ou une adresse e-mail."), 422)
    normalised = normalise(kind, value)
    sms = sending.sms_backend(app) if kind == KIND_PHONE else None
    if kind == KIND_PHONE and sms is None:
        raise UserError(_l("L'envoi de SMS n'est pas disponible sur ce service."), 503)
    if kind == KIND_EMAIL and not sending.email_configured(app):
        raise UserError(_l("L'envoi d'e-mails n'est pas disponible sur ce service."), 503)
    _rate_limit(db, participant)
    value_hash = identity_hash(kind, normalised, app)
    code = f"{secrets.randbelow(1_000_000):06d}"
    challenge = IdentityChallenge(
        organisation_id=participant.organisation_id,
        participant_id=participant.id,
        kind=kind,
        value_hash=value_hash,
        label=mask(kind, normalised),
        secret_hash=_secret_hash(value_hash, code),
        expires_at=utcnow() + timedelta(minutes=CODE_MINUTES),
        attempts=0,
    )
    db.add(challenge)
    db.flush()
    text = _("Votre code badger : %(code)s. Il est valable %(minutes)d minutes.",
             code=code, minutes=CODE_MINUTES)
    try:
        if sms is not None:
            sms.send(normalised, text)
        else:
            sending.send_email(app, normalised, _("Votre code badger"), text)
    except sending.SendError as exc:
        app.logger.warning("identity code not sent (%s): %s", kind, exc)
        raise UserError(_l("Le message n'a pas pu être envoyé. Réessayez plus tard."), 503) from exc
    audit.record(
        db,
        "holder.code_sent",
        actor=participant,
        organisation_id=participant.organisation_id,
        obj=challenge,
        kind=kind,
    )
    return challenge


def confirm_code(
    db: Session, participant: Participant, challenge_id: int, code: str
) -> ProvenIdentity:
    """Prove the identity with its code. A wrong code counts (five, then the code is dead):
    the caller commits that count even though this raises."""
    challenge = _own_challenge(db, participant, challenge_id)
    if challenge.kind == KIND_DID or challenge.value_hash is None:
        raise UserError(_l("Ce code a expiré. Demandez-en un nouveau."), 410)
    if challenge.attempts >= MAX_ATTEMPTS:
        raise UserError(_l("Trop d'essais. Demandez un nouveau code."), 429)
    wanted = _secret_hash(challenge.value_hash, re.sub(r"\s", "", code or ""))
    if not hmac.compare_digest(wanted, challenge.secret_hash):
        challenge.attempts += 1
        db.flush()
        raise UserError(_l("Ce code n'est pas le bon."), 422)
    challenge.used_at = utcnow()
    return _add_identity(
        db, participant, challenge.kind, challenge.value_hash, challenge.label or ""
    )


# --------------------------------------------------------------------------- DID


@dataclass
class DidChallenge:
    challenge: IdentityChallenge
    nonce: str
    domain: str


def presentation_domain() -> str:
    """The ``domain`` a presentation must name: this server's host (with its port)."""
    return urlsplit(urls.base_url()).netloc


def did_challenge(db: Session, participant: Participant) -> DidChallenge:
    """A fresh nonce for the participant's wallet to sign (10 minutes, one use)."""
    _rate_limit(db, participant)
    nonce = secrets.token_urlsafe(24)
    challenge = IdentityChallenge(
        organisation_id=participant.organisation_id,
        participant_id=participant.id,
        kind=KIND_DID,
        secret_hash=_secret_hash(KIND_DID, nonce),
        expires_at=utcnow() + timedelta(minutes=DID_CHALLENGE_MINUTES),
        attempts=0,
    )
    db.add(challenge)
    db.flush()
    return DidChallenge(challenge, nonce, presentation_domain())


def prove_did(
    db: Session, participant: Participant, presentation: str, resolver: Any
) -> ProvenIdentity:
    """Verify a signed presentation answering one of the participant's open challenges."""
    text = (presentation or "").strip()
    nonce: Any = None
    try:  # which challenge it answers (then everything is checked by verify_presentation)
        if is_compact_jws(text):
            nonce = decode_unverified(text)[1].get("nonce")
        else:
            proof = json.loads(text).get("proof")
            nonce = (proof[0] if isinstance(proof, list) and proof else proof or {}).get(
                "challenge"
            )
    except (ValueError, AttributeError):
        nonce = None
    if not isinstance(nonce, str) or not nonce:
        raise UserError(_l("Cette présentation ne répond à aucun défi de ce service."), 422)
    challenge = db.execute(
        select(IdentityChallenge).where(
            IdentityChallenge.participant_id == participant.id,
            IdentityChallenge.kind == KIND_DID,
            IdentityChallenge.secret_hash == _secret_hash(KIND_DID, nonce),
        )
    ).scalar_one_or_none()
    if challenge is None or challenge.used_at is not None or challenge.expires_at <= utcnow():
        raise UserError(_l("Ce défi a expiré ou a déjà servi. Demandez-en un nouveau."), 410)
    challenge.used_at = utcnow()  # one try per challenge, whatever the outcome
    db.flush()
    try:
        did = verify_presentation(
            text, challenge=nonce, domain=presentation_domain(), resolver=resolver
        )
    except PresentationError as exc:
        raise UserError(
            _l("Cette présentation ne prouve pas l'identifiant (DID)."), 422, details=[str(exc)]
        ) from exc
    return _add_identity(
        db, participant, KIND_DID, identity_hash(KIND_DID, did), mask(KIND_DID, did)
    )


def remove(db: Session, participant: Participant, identity_id: int) -> None:
    ident = db.execute(
        select(ProvenIdentity).where(
            ProvenIdentity.id == identity_id, ProvenIdentity.participant_id == participant.id
        )
    ).scalar_one_or_none()
    if ident is None:
        raise UserError(_l("Identité introuvable."), 404)
    db.delete(ident)
    db.flush()
    audit.record(
        db,
        "holder.identity_removed",
        actor=participant,
        organisation_id=participant.organisation_id,
        object_type="ProvenIdentity",
        object_id=identity_id,
        kind=ident.kind,
    )


# --------------------------------------------------------------------------- binding


def holder_proof(
    db: Session,
    participant: Participant,
    credential: Mapping[str, Any] | None,
    typed: Iterable[str] = (),
) -> str | None:
    """How the credential is shown to be the participant's ('did', 'email', 'phone'), or None.

    ``typed``: e-mail addresses or phone numbers the participant gave for this import (used in
    memory only, to recompute a hashed identifier); the participant's record's own e-mail and
    phone are tried too. Every value must be a proven identity to count.
    """
    if not isinstance(credential, Mapping):
        return None
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return None
    proven = _proven(db, participant.id)
    if not proven:
        return None
    subject_id = subject.get("id")
    if (
        isinstance(subject_id, str)
        and subject_id.startswith("did:")
        and (KIND_DID, identity_hash(KIND_DID, subject_id.strip())) in proven
    ):
        return KIND_DID
    candidates: dict[str, list[str]] = {KIND_EMAIL: [], KIND_PHONE: []}
    for value in [*typed, participant.email or "", participant.phone or ""]:
        value = (value or "").strip()
        if not value:
            continue
        kind = KIND_EMAIL if "@" in value else KIND_PHONE
        try:
            normalised = normalise(kind, value)
        except UserError:
            continue
        if (kind, identity_hash(kind, normalised)) in proven:
            candidates[kind].append(normalised)
    idents = subject.get("identifier")
    for ident in idents if isinstance(idents, list) else [idents]:
        if not isinstance(ident, Mapping):
            continue
        found = _TYPES.get(str(ident.get("identityType")))
        stored = ident.get("identityHash")
        if found is None or not isinstance(stored, str):
            continue
        kind = found
        if ident.get("hashed") is True:
            alg, _, digest = stored.partition("$")
            if alg.lower() != "sha256":
                continue
            salt = ident.get("salt")
            for value in candidates[kind]:
                computed = hash_identity(
                    value, salt if isinstance(salt, str) else None,
                    identity_type=str(ident.get("identityType")),
                )
                if hmac.compare_digest(computed.lower(), f"sha256${digest.lower()}"):
                    return kind
        else:
            try:
                normalised = normalise(kind, stored)
            except UserError:
                continue
            if (kind, identity_hash(kind, normalised)) in proven:
                return kind
    return None


# --------------------------------------------------------------------------- export


def export_rows(db: Session, participant: Participant) -> list[dict[str, Any]]:
    """What the data export says: kind, masked label, keyed hash, date (never a clear value)."""
    return [
        {
            "kind": i.kind,
            "label": i.label,
            "hmac_sha256": i.value_hash,
            "proven_at": i.created_at.isoformat() if i.created_at else None,
        }
        for i in identities(db, participant)
    ]
