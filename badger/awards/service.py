"""Awards rules: badge definitions, issuance (idempotent, crash-safe), claims, revocation.

Functions take a SQLAlchemy session and plain values, ``flush()`` but never ``commit()``: the
caller commits once, so a batch of awards is one transaction. Issuance order inside it: the
credential row and its random status index are added, the session is flushed (the unique
constraints speak *before* any signing work), then the documents are signed and baked. Any
failure raises and the caller's rollback leaves nothing behind — no half-issued credential, no
consumed status index without its credential.

Privacy: a recipient's e-mail or phone is only ever hashed (salted SHA-256, ``ob3.model``) into
the credential; the clear value is never stored, logged or put in a URL.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import secrets
import uuid as uuidlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from babel import Locale, UnknownLocaleError
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from badger import audit, cache, guards, urls
from badger.accounts.models import Participant
from badger.awards import documents, images
from badger.awards.keys import IssuerKeys, issuer_keys
from badger.awards.models import (
    CLAIM_PENDING,
    ISSUED,
    Achievement,
    AchievementTranslation,
    AwardConsent,
    Claim,
    Credential,
    HolderWithdrawal,
    StatusList,
)
from badger.db import register_status_list_signer, utcnow
from badger.errors import UserError
from badger.networks.models import Organisation
from badger.networks.service import active_endorsements
from badger.ob3 import model, statuslist
from badger.ob3.baking import bake_png, bake_svg
from badger.ob3.dataintegrity import sign
from badger.ob3.jwt import sign_jwt
from badger.ob3.model import ModelError
from badger.referentiels.models import Adoption, Competence, ReferentielVersion
from badger.security import new_code, token_hash

STATUS_LIST_SIZE = statuslist.MIN_LIST_SIZE
CLAIM_DAYS = 180
MAX_BATCH = 500
DID_RE = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%\-]{1,400}$")
PHONE_RE = re.compile(r"^\+?[0-9 .\-()]{6,25}$")
_rng = secrets.SystemRandom()


# --------------------------------------------------------------------------- badge definitions


def adopted_version_ids(session: Session, organisation_id: int) -> set[int]:
    rows = session.execute(
        select(Adoption.version_id)
        .where(Adoption.organisation_id == organisation_id)
        .execution_options(unscoped=True)
    ).scalars()
    return set(rows)


def adoptable_competences(session: Session, organisation_id: int) -> list[Competence]:
    """Competences of the référentiel versions the organisation has adopted."""
    versions = adopted_version_ids(session, organisation_id)
    if not versions:
        return []
    return list(
        session.scalars(
            select(Competence)
            .where(Competence.version_id.in_(versions))
            .order_by(Competence.version_id, Competence.position)
        )
    )


def default_criteria(competence: Competence, min_level: int) -> str:
    """Criteria narrative generated from the competence and its rubric levels (editable)."""
    lines = [
        f"Compétence « {competence.label} »"
        + (f" ({competence.code})" if competence.code else "")
        + " évaluée sur une grille de 0 à 5, remplie par la personne et par son coach, "
        f"puis validée d'un commun accord au niveau {min_level} ou plus.",
    ]
    if competence.description:
        lines += ["", competence.description]
    levels = [lv for lv in competence.grid_levels() if int(lv.get("score", -1)) >= min_level]
    if levels:
        lines += ["", "Niveaux reconnus :"]
        for lv in levels:
            text = str(lv.get("description") or lv.get("quality") or "").strip()
            lines.append(f"- {lv.get('score')} : {text}")
    return "\n".join(lines)


#: OB 3.0 ``LanguageCode`` as the strict schema checks ``inLanguage`` (fr, en, en-GB, zh-Hant-TW).
LANGUAGE_RE = re.compile(r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
MAX_TRANSLATIONS = 20


@dataclass
class TranslationInput:
    """A badge definition's texts in one more language, as the form's extra block sends them.

    A block without name, description and criteria is no translation (and removes a stored one;
    the alt text alone does not count: the form fills it in).
    """

    language: str
    name: str = ""
    description: str = ""
    criteria: str = ""
    image_alt: str = ""

    def is_empty(self) -> bool:
        return not any(v.strip() for v in (self.name, self.description, self.criteria))


@dataclass
class AchievementInput:
    competence_id: int
    name: str
    description: str
    criteria: str = ""
    min_level: int = 3
    validity_days: int | None = None
    achievement_type: str = "Competency"
    language: str = "fr"
    tags: list[str] = field(default_factory=list)
    image_alt: str = ""
    upload_png: bytes | None = None
    pictogram: str | None = None
    #: Every translation the badge keeps (None = leave the stored translations as they are).
    translations: list[TranslationInput] | None = None


def _check_translations(data: AchievementInput) -> None:
    seen: set[str] = set()
    for tr in data.translations or []:
        tr.language = tr.language.strip()
        if tr.is_empty():
            continue
        if not tr.language:
            raise UserError(_l("Traduction : indiquez sa langue (par exemple en pour l'anglais)."),
                            422)
        if not LANGUAGE_RE.match(tr.language):
            raise UserError(_l("Traduction : « %(code)s » n'est pas un code de langue "
                               "(par exemple en, es ou pt-BR).", code=tr.language[:20]), 422)
        if tr.language == data.language:
            raise UserError(_l("Traduction : « %(code)s » est déjà la langue principale du "
                               "badge. Choisissez une autre langue.", code=tr.language), 422)
        if tr.language in seen:
            raise UserError(_l("Traduction : une seule traduction par langue (« %(code)s » "
                               "revient deux fois).", code=tr.language), 422)
        seen.add(tr.language)
        if not tr.name.strip():
            raise UserError(_l("Traduction en « %(code)s » : donnez un nom au badge.",
                               code=tr.language), 422)
        if not tr.description.strip():
            raise UserError(_l("Traduction en « %(code)s » : décrivez le badge en une ou deux "
                               "phrases.", code=tr.language), 422)
        if len(tr.name.strip()) > 200 or len(tr.image_alt.strip()) > 500:
            raise UserError(_l("Traduction en « %(code)s » : le nom (200 caractères) ou le texte "
                               "de l'image (500 caractères) est trop long.", code=tr.language), 422)
    if len(seen) > MAX_TRANSLATIONS:
        raise UserError(_l("Trop de traductions (%(n)d au plus).", n=MAX_TRANSLATIONS), 422)


def _check_input(data: AchievementInput) -> None:
    if not data.name.strip():
        raise UserError(_l("Donnez un nom au badge."), 422)
    if not data.description.strip():
        raise UserError(_l("Décrivez le badge en une ou deux phrases."), 422)
    if not 0 <= data.min_level <= 5:
        raise UserError(_l("Le niveau minimum doit être entre 0 et 5."), 422)
    if data.validity_days is not None and not 1 <= data.validity_days <= 36500:
        raise UserError(_l("La durée de validité doit être un nombre de jours positif."), 422)
    if data.achievement_type not in model.ACHIEVEMENT_TYPES and not re.match(
        r"^ext:[A-Za-z0-9.\-_]+$", data.achievement_type
    ):
        raise UserError(_l("Type de badge inconnu."), 422)
    data.language = data.language.strip()
    if not LANGUAGE_RE.match(data.language):
        raise UserError(_l("Code de langue non valable (par exemple fr ou en)."), 422)
    _check_translations(data)


def _apply_image(ach: Achievement, org: Organisation, data: AchievementInput) -> None:
    alt = data.image_alt.strip() or f"Badge « {ach.name} » de {org.name}"
    ach.image_alt = alt[:500]
    if data.upload_png:
        try:
            ach.image_png = images.reencode_upload(data.upload_png)
        except images.ImageError as exc:
            raise UserError(_l("L'image doit être un fichier PNG valable."), 415) from exc
        ach.image_svg = images.svg_from_png(ach.image_png, ach.image_alt)
        ach.image_source = "uploaded"
    elif ach.image_source != "uploaded" or not ach.image_png:
        ach.image_png = images.generate_png(ach.name, org.colour, ach.pictogram)
        ach.image_svg = images.generate_svg(ach.name, org.colour, ach.pictogram, ach.image_alt)
        ach.image_source = "generated"


def _competence_for(session: Session, org: Organisation, competence_id: int) -> Competence:
    competence = session.execute(
        select(Competence).where(Competence.id == competence_id)
    ).scalar_one_or_none()
    if competence is None:
        raise UserError(_l("Compétence introuvable."), 404)
    if competence.version_id not in adopted_version_ids(session, org.id):
        raise UserError(
            _l("Cette version du référentiel n'est pas adoptée par votre organisation."), 422
        )
    return competence


def create_achievement(
    session: Session, org: Organisation, data: AchievementInput, *, actor: Any = None
) -> Achievement:
    _check_input(data)
    competence = _competence_for(session, org, data.competence_id)
    ach = Achievement(
        organisation_id=org.id,
        uuid=str(uuidlib.uuid4()),
        name=data.name.strip()[:200],
        description=data.description.strip(),
        criteria_narrative=data.criteria.strip() or default_criteria(competence, data.min_level),
        achievement_type=data.achievement_type,
        language=data.language,
        tags=[t.strip() for t in data.tags if t.strip()][:20],
        referentiel_version_id=competence.version_id,
        competence_id=competence.id,
        min_level=data.min_level,
        validity_days=data.validity_days,
        pictogram=data.pictogram or competence.pictogram,
        created_by_id=_staff_id(actor),
        image_source="generated",
    )
    _apply_image(ach, org, data)
    session.add(ach)
    session.flush()
    _apply_translations(session, ach, org, data)
    audit.record(session, "award.achievement_create", actor=actor, organisation_id=org.id,
                 obj=ach)
    return ach


def update_achievement(
    session: Session, ach: Achievement, org: Organisation, data: AchievementInput, *,
    actor: Any = None,
) -> Achievement:
    """Edit texts and image. Competence and level stay: issued credentials cite them."""
    data.competence_id = ach.competence_id
    data.min_level = ach.min_level if _issued_count(session, ach) else data.min_level
    _check_input(data)
    ach.name = data.name.strip()[:200]
    ach.description = data.description.strip()
    ach.criteria_narrative = data.criteria.strip() or ach.criteria_narrative
    ach.achievement_type = data.achievement_type
    ach.language = data.language
    ach.tags = [t.strip() for t in data.tags if t.strip()][:20]
    ach.min_level = data.min_level
    ach.validity_days = data.validity_days
    if data.pictogram:
        ach.pictogram = data.pictogram
    _apply_image(ach, org, data)
    session.flush()
    _apply_translations(session, ach, org, data)
    _achievement_cache.clear()
    _image_cache.clear()
    audit.record(session, "award.achievement_update", actor=actor, organisation_id=org.id,
                 obj=ach)
    return ach


def _issued_count(session: Session, ach: Achievement) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Credential).where(Credential.achievement_id == ach.id)
        )
        or 0
    )


# --------------------------------------------------------------------------- languages


@contextlib.contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """``_()`` answers in ``language`` inside the block: from its catalogue when the interface
    has one (English), else with the French message ids (the product's first language)."""
    try:
        locale = Locale.parse((language or "fr").replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        locale = Locale.parse("fr")
    with force_locale(locale):
        yield


def translations_of(session: Session, ach: Achievement) -> list[AchievementTranslation]:
    """The badge's translations, by language (unscoped: public pages read them too)."""
    return list(session.scalars(
        select(AchievementTranslation)
        .where(AchievementTranslation.achievement_id == ach.id)
        .order_by(AchievementTranslation.language)
        .execution_options(unscoped=True)
    ))


def match_language(wanted: str | None, available: Sequence[str]) -> str | None:
    """The available language that ``wanted`` asks for: same code, else same primary subtag
    (``en`` finds ``en-GB``, ``pt-BR`` finds ``pt``); None when there is none."""
    if not wanted:
        return None
    wanted = wanted.strip().replace("_", "-")
    for lang in available:
        if lang.lower() == wanted.lower():
            return lang
    primary = wanted.split("-")[0].lower()
    for lang in available:
        if lang.split("-")[0].lower() == primary:
            return lang
    return None


def achievement_texts(session: Session, ach: Achievement,
                      language: str | None = None) -> documents.AchievementTexts:
    """The badge's texts in ``language`` when it has them, else in its main language."""
    main = documents.AchievementTexts(language=ach.language, name=ach.name,
                                      description=ach.description,
                                      criteria=ach.criteria_narrative, image_alt=ach.image_alt)
    if not language or language == ach.language:
        return main
    rows = _translated_texts(session, ach)
    chosen = match_language(language, [ach.language, *(t.language for t in rows)])
    for t in rows:
        if t.language == chosen:
            return t
    return main


_V = TypeVar("_V")


class _BadgeCache(Generic[_V]):
    """What is derived from one version of a badge row (texts, documents, images): a named
    :class:`badger.cache.Cache` keyed on (uuid, ``updated_at``, *extra) — an edit bumps
    ``updated_at``, so a stale entry is never met, in this process or another."""

    def __init__(self, name: str, limit: int, codec: cache.Codec[_V]) -> None:
        self._cache: cache.Cache[_V] = cache.Cache(name, size=limit, ttl=None, codec=codec)

    def get(self, ach: Achievement, *extra: str, make: Callable[[], _V]) -> _V:
        stamp = ach.updated_at.isoformat() if ach.updated_at else ""
        return self._cache.get_or_set("\x1f".join((ach.uuid, stamp, *extra)), make)

    def clear(self) -> None:
        self._cache.clear()


_texts_cache: _BadgeCache[tuple[documents.AchievementTexts, ...]] = _BadgeCache(
    "awards.texts", 512, cache.typed(tuple[documents.AchievementTexts, ...]))


def _translated_texts(session: Session, ach: Achievement
                      ) -> tuple[documents.AchievementTexts, ...]:
    """The badge's translations as texts, read once per process and row version (a changed
    translation bumps the badge's ``updated_at``): a batch of credentials in one language
    does not query them per credential."""
    return _texts_cache.get(ach, make=lambda: tuple(
        documents.AchievementTexts(language=t.language, name=t.name, description=t.description,
                                   criteria=t.criteria_narrative, image_alt=t.image_alt)
        for t in translations_of(session, ach)))


def credential_language(session: Session, ach: Achievement, participant: Participant | None
                        ) -> str:
    """A new credential's language: the participant's own when the badge speaks it, else the
    badge's main language."""
    return achievement_texts(session, ach, getattr(participant, "locale", None)).language


#: A language code as documents may write it (BCP 47 shape; case as found).
_DOCUMENT_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$")


def _document_achievement(document: Mapping[str, Any] | None) -> Mapping[str, Any]:
    subject = (document or {}).get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    ach = subject.get("achievement") if isinstance(subject, Mapping) else None
    return ach if isinstance(ach, Mapping) else {}


def document_language(document: Mapping[str, Any] | None) -> str | None:
    """The language an Open Badges credential says its badge is written in: its achievement's
    ``inLanguage``, else the credential's own ``inLanguage`` or ``language``; None when it
    says none (or something that is no language code): then it is unknown, never guessed."""
    for value in (_document_achievement(document).get("inLanguage"),
                  (document or {}).get("inLanguage"), (document or {}).get("language")):
        if isinstance(value, str) and _DOCUMENT_LANGUAGE_RE.match(value.strip()):
            return value.strip()
    return None


def credential_texts(session: Session, cred: Credential,
                     document: Mapping[str, Any] | None = None) -> documents.AchievementTexts:
    """The badge's name and description as ``cred`` is written — what its holder and anyone
    they give it to read — with their language: its signed document's achievement
    (``document`` when already parsed), else, not signed yet, the badge's texts in
    ``Credential.language``. Every page that names a held badge shows this."""
    ach = cred.achievement
    if document is None and cred.signed_json:
        try:
            parsed = json.loads(cred.signed_json)
        except ValueError:
            parsed = None
        document = parsed if isinstance(parsed, Mapping) else None
    written = _document_achievement(document)
    name = written.get("name")
    if isinstance(name, str) and name:
        description = written.get("description")
        criteria = written.get("criteria")
        narrative = criteria.get("narrative") if isinstance(criteria, Mapping) else None
        image = written.get("image")
        caption = image.get("caption") if isinstance(image, Mapping) else None
        return documents.AchievementTexts(
            language=document_language(document) or cred.language or ach.language,
            name=name,
            description=description if isinstance(description, str) else "",
            criteria=narrative if isinstance(narrative, str) else "",
            image_alt=caption if isinstance(caption, str) else "",
        )
    return achievement_texts(session, ach, cred.language or ach.language)


def _default_alt(name: str, org: Organisation, language: str) -> str:
    with in_language(language):
        return str(_("Badge « %(name)s » de %(org)s", name=name, org=org.name))[:500]


def _apply_translations(session: Session, ach: Achievement, org: Organisation,
                        data: AchievementInput) -> None:
    """Store the form's translations: add, change, remove the ones the form left empty."""
    stored = {t.language: t for t in translations_of(session, ach)}
    if data.translations is None:
        if ach.language in stored:
            raise UserError(_l("Une traduction existe déjà en « %(code)s » : retirez-la avant "
                               "d'en faire la langue principale.", code=ach.language), 422)
        return
    wanted = {tr.language: tr for tr in data.translations if not tr.is_empty()}
    changed = False
    for lang, gone in stored.items():
        if lang not in wanted:
            session.delete(gone)
            changed = True
    for lang, tr in wanted.items():
        name = tr.name.strip()[:200]
        values = {
            "name": name,
            "description": tr.description.strip(),
            "criteria_narrative": tr.criteria.strip(),
            "image_alt": tr.image_alt.strip()[:500] or _default_alt(name, org, lang),
        }
        row = stored.get(lang)
        if row is None:
            session.add(AchievementTranslation(organisation_id=ach.organisation_id,
                                               achievement_id=ach.id, language=lang, **values))
            changed = True
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed = True
    if changed:
        # Cached documents are keyed by the badge's updated_at (in every process).
        ach.updated_at = utcnow()
        session.flush()


_achievement_cache: _BadgeCache[dict[str, Any]] = _BadgeCache("awards.achievement_json", 512,
                                                               cache.JSON)


def achievement_json(session: Session, ach: Achievement,
                     language: str | None = None) -> dict[str, Any]:
    """The Achievement document in ``language`` when the badge has that translation, else in
    its main language; ``inLanguage`` says which (cached per row version, base URL, language)."""
    texts = achievement_texts(session, ach, language)

    def make() -> dict[str, Any]:
        competence = session.get(Competence, ach.competence_id)
        version = session.get(ReferentielVersion, ach.referentiel_version_id)
        with in_language(texts.language):
            return documents.achievement_document(
                ach, ach.organisation, competence,
                version.title if version is not None else None, texts=texts,
            )

    return _achievement_cache.get(ach, urls.base_url(), texts.language, make=make)


@dataclass(frozen=True)
class BadgeImage:
    """A badge's picture as one language's documents show it (PNG, and SVG for baking)."""

    #: The language of its label; None for the stored main image.
    language: str | None
    png: bytes
    svg: str


_image_cache: _BadgeCache[BadgeImage] = _BadgeCache("awards.images", 256, cache.typed(BadgeImage))


def badge_image(session: Session, ach: Achievement, language: str | None = None) -> BadgeImage:
    """The image of documents written in ``language``: when the badge's image is generated and
    the badge has that translation, drawn with the translated name (and its alt text in the
    SVG) — once per process, row version and language, then kept; else (main or unknown
    language, uploaded picture) the stored image."""
    texts = achievement_texts(session, ach, language)
    lang = documents.image_language(ach, texts.language)
    if lang is None:
        return BadgeImage(None, ach.image_png,
                          ach.image_svg or images.svg_from_png(ach.image_png, ach.image_alt))
    colour = ach.organisation.colour
    return _image_cache.get(
        ach, lang, texts.name, texts.image_alt, colour or "", ach.pictogram or "",
        make=lambda: BadgeImage(
            lang, images.generate_png(texts.name, colour, ach.pictogram),
            images.generate_svg(texts.name, colour, ach.pictogram, texts.image_alt)),
    )


# --------------------------------------------------------------------------- status lists


class IndexAllocator:
    """Random free indexes of the organisation's current revocation list, for one transaction."""

    def __init__(self, session: Session, org: Organisation) -> None:
        self.session = session
        self.org = org
        self.list: StatusList | None = None
        self.taken: set[int] = set()
        self._endorsements: list[dict[str, Any]] | None = None

    def endorsements(self) -> list[dict[str, Any]]:
        """The organisation's active network endorsements, read once per batch (embedded in
        the issuer Profile of every credential signed with this allocator)."""
        if self._endorsements is None:
            self._endorsements = active_endorsements(self.session, self.org.id)
        return self._endorsements

    def _load(self) -> StatusList:
        # The newest list signed as the issuer id new credentials name (a list made before
        # another identifier was chosen keeps naming the old one: a credential's list must be
        # issued by the credential's issuer).
        issuer = documents.issuer_id(self.org, _keys(self.org))
        https_id = urls.issuer_url(self.org)
        lists = self.session.execute(
            select(StatusList)
            .where(StatusList.organisation_id == self.org.id,
                   StatusList.purpose == "revocation")
            .order_by(StatusList.number.desc())
            .execution_options(unscoped=True)
        ).scalars().all()
        lst = next((x for x in lists if (x.issuer_id or https_id) == issuer), None)
        if lst is None:
            lst = self._new_list(lists[0].number + 1 if lists else 1, issuer)
        self.taken = set(
            self.session.scalars(
                select(Credential.revocation_index)
                .where(Credential.revocation_list_id == lst.id)
                .execution_options(unscoped=True)
            )
        )
        # A set bit whose credential row is gone (participant erased) must never be reused:
        # a new credential on it would be born revoked.
        self.taken |= statuslist.set_indexes(lst.bits)
        if statuslist.is_crowded(len(self.taken), lst.size):
            lst = self._new_list(lists[0].number + 1, issuer)
            self.taken = set()
        return lst

    def _new_list(self, number: int, issuer: str) -> StatusList:
        lst = StatusList(
            organisation_id=self.org.id,
            purpose="revocation",
            number=number,
            issuer_id=None if issuer == urls.issuer_url(self.org) else issuer,
            size=STATUS_LIST_SIZE,
            bits=statuslist.new_bitstring(STATUS_LIST_SIZE),
            updated_at=utcnow(),
        )
        self.session.add(lst)
        self.session.flush()
        return lst

    def allocate(self) -> tuple[StatusList, int]:
        if self.list is None:
            self.list = self._load()
        index = statuslist.allocate_index(self.taken, self.list.size, _rng)
        self.taken.add(index)
        return self.list, index


def _signed_status_list(lst: StatusList) -> str:
    """The issuer's signed BitstringStatusListCredential for the list's current bits.

    Called by ``badger.db`` before the transaction that created or changed the list commits
    (stored then), and only in memory by ``StatusList.signed_document`` for a list still
    unsigned: it writes nothing."""
    org = lst.organisation
    keys = _keys(org)
    issuer = lst.issuer_id or urls.issuer_url(org)  # as made; NULL: the https id
    try:
        key = documents.signing_key_for(org, keys, issuer)
    except LookupError as exc:
        raise RuntimeError(f"status list {lst.number} of {org.slug} is issued as {issuer}, "
                           "whose key is gone: a did:key cannot rotate") from exc
    unsigned = statuslist.build_status_list_credential(
        list_url=urls.status_url(org, lst.purpose, lst.number),
        issuer=issuer,
        purpose=lst.purpose,
        bits=lst.bits,
        valid_from=lst.updated_at,
    )
    signed = sign(unsigned, key, documents.method_for(org, key, issuer))
    return json.dumps(signed, ensure_ascii=False, separators=(",", ":"))


register_status_list_signer(StatusList, _signed_status_list)


def _flip(session: Session, cred: Credential, value: bool) -> None:
    """Set the credential's bit in its list (signed once, before the commit: ``badger.db``)."""
    if cred.revocation_list_id is None or cred.revocation_index is None:
        return
    StatusList.set_status_locked(session, cred.revocation_list_id, cred.revocation_index, value)


# --------------------------------------------------------------------------- issuance


def _staff_id(actor: Any) -> int | None:
    """The acting staff user's id (participants act for themselves: no ``users`` row)."""
    return getattr(actor, "id", None) if getattr(actor, "kind", None) == "staff" else None


def _keys(org: Organisation) -> IssuerKeys:
    keys = issuer_keys(org.slug, es256=documents.jwt_algorithm(org) == "ES256")
    assert keys is not None
    return keys


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
    return documents.issuer_id(org, _keys(org))


def _sign_and_bake(session: Session, cred: Credential, *, allocator: IndexAllocator) -> None:
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
    keys = _keys(org)
    unsigned = build_credential(session, cred, allocator.endorsements())
    issuer = documents.issuer_id_of(unsigned)
    key = documents.signing_key_for(org, keys, issuer)
    signed = sign(unsigned, key, documents.method_for(org, key, issuer), created=now)
    alg = documents.jwt_algorithm(org, issuer)
    jwt_key = key if alg == "EdDSA" else keys.for_jwt(alg)
    assert jwt_key is not None  # _keys made the ES256 key when chosen
    token = sign_jwt(unsigned, jwt_key, kid=documents.jwt_kid(org, keys, jwt_key, issuer))
    text = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    cred.signed_json = text
    cred.signed_jwt = token
    image = badge_image(session, ach, cred.language)  # the label in the credential's language
    cred.baked_png = bake_png(image.png, text)
    cred.baked_svg = bake_svg(image.svg, text)
    cred.state = ISSUED


@dataclass
class AwardRequest:
    participant_id: int
    level: int | None = None
    narrative: str = ""
    email: str | None = None
    phone: str | None = None
    did: str | None = None
    validated_competence_id: int | None = None
    observation: str = ""


@dataclass
class RowResult:
    participant_id: int
    name: str
    outcome: str  # issued | claim | already | refused
    message: str = ""
    credential: Credential | None = None
    claim_code: str | None = None


def _evidence(
    session: Session, *, group: Any, vc: Any, observation: str, chart_url: str | None,
    language: str | None = None,
) -> list[dict[str, Any]]:
    """The evidence entries, written in the credential's ``language`` (French by default);
    the coach's own words and the session's title stay as typed."""
    with in_language(language or "fr"):
        return _evidence_items(session, group=group, vc=vc, observation=observation,
                               chart_url=chart_url)


def _evidence_items(
    session: Session, *, group: Any, vc: Any, observation: str, chart_url: str | None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if group is not None:
        items.append(
            model.evidence(
                name=_("Séance « %(title)s » du %(date)s", title=group.title,
                       date=group.held_on.isoformat()),
                description=observation or None,
                genre=_("Observation"),
            )
        )
    elif observation:
        items.append(model.evidence(name=_("Observation du coach"), description=observation,
                                    genre=_("Observation")))
    if vc is not None:
        ev = vc.evidence or {}
        label = ev.get("round") or getattr(vc.round, "label", "")
        parts = [_("Niveau convenu : %(n)s/5", n=vc.level)]
        if isinstance(ev.get("self_score"), int):
            parts.append(_("auto-évaluation : %(n)s/5", n=ev["self_score"]))
        if isinstance(ev.get("coach_score"), int):
            parts.append(_("évaluation du coach : %(n)s/5", n=ev["coach_score"]))
        obs = ev.get("observations")
        items.append(
            model.evidence(
                name=_("Grille de compétences — passage « %(round)s »",
                       round=_round_name(str(label)))
                if label else _("Grille de compétences"),
                description=_(" ; ").join(parts),
                narrative=str(obs) if obs else None,
                genre=_("Co-évaluation"),
            )
        )
    if chart_url:  # only a chart the participant chose to attach (awards.evidence)
        from badger.awards import evidence as charts

        chart = charts.evidence_item(session, str(chart_url), vc)
        if chart is not None:
            items.append(chart)
    return items


def _round_name(label: str) -> str:
    """A round's label in the evidence: the three standard rounds by their name, in the
    credential's language (``entry``: Entrée, Start); a typed label as typed."""
    from badger.grids.models import display_round_label

    return display_round_label(label)


def _eligible(session: Session, org: Organisation, ach: Achievement) -> None:
    if ach.organisation_id != org.id:
        raise UserError(_l("Ce badge n'appartient pas à votre organisation."), 404)
    if not ach.active:
        raise UserError(_l("Ce badge n'est plus attribué."), 422)
    if ach.referentiel_version_id not in adopted_version_ids(session, org.id):
        raise UserError(
            _l("La version du référentiel de ce badge n'est pas adoptée par votre organisation."),
            422,
        )


def _existing(session: Session, participant_id: int, achievement_id: int) -> Credential | None:
    return session.execute(
        select(Credential)
        .where(Credential.participant_id == participant_id,
               Credential.achievement_id == achievement_id)
        .execution_options(unscoped=True)
    ).scalar_one_or_none()


def award_many(
    session: Session,
    org: Organisation,
    ach: Achievement,
    requests: Sequence[AwardRequest],
    *,
    actor: Any = None,
    group: Any = None,
    chart_url: str | None = None,
) -> list[RowResult]:
    """Award ``ach`` to several participants in the caller's single transaction.

    Rows that break a rule (other organisation, already awarded, bad address) get a per-row
    result and are skipped; any unexpected failure (signing, baking, database) propagates and
    the caller's rollback removes the whole batch.
    """
    _eligible(session, org, ach)
    if len(requests) > MAX_BATCH:
        raise UserError(_l("Trop de lignes à la fois (%(n)d au plus).", n=MAX_BATCH), 413)
    from badger.grids.models import ValidatedCompetence

    allocator = IndexAllocator(session, org)
    results: list[RowResult] = []
    seen: set[int] = set()
    for req in requests:
        participant = session.execute(
            select(Participant).where(Participant.id == req.participant_id)
            .execution_options(unscoped=True)
        ).scalar_one_or_none()
        if participant is None or participant.organisation_id != org.id:
            results.append(RowResult(req.participant_id, "?", "refused",
                                     str(_l("Participant d'une autre organisation ou inconnu."))))
            continue
        name = participant.display_name
        if req.participant_id in seen or _existing(session, participant.id, ach.id) is not None:
            results.append(RowResult(participant.id, name, "already",
                                     str(_l("Badge déjà attribué à cette personne."))))
            continue
        seen.add(req.participant_id)
        vc = None
        if req.validated_competence_id is not None:
            vc = session.execute(
                select(ValidatedCompetence)
                .where(ValidatedCompetence.id == req.validated_competence_id)
                .execution_options(unscoped=True)
            ).scalar_one_or_none()
            if vc is None or vc.participant_id != participant.id or vc.organisation_id != org.id:
                results.append(RowResult(participant.id, name, "refused",
                                         str(_l("Compétence validée introuvable."))))
                continue
        level = req.level if req.level is not None else (vc.level if vc else ach.min_level)
        if not 0 <= level <= 5:
            results.append(RowResult(participant.id, name, "refused",
                                     str(_l("Le niveau doit être entre 0 et 5."))))
            continue
        if level < ach.min_level:
            results.append(RowResult(
                participant.id, name, "refused",
                str(_l("Niveau %(level)d inférieur au niveau requis (%(min)d).",
                       level=level, min=ach.min_level))))
            continue
        try:
            recipient = recipient_from(
                email=req.email or participant.email,
                phone=req.phone or participant.phone,
                did=req.did,
            )
        except UserError as exc:
            results.append(RowResult(participant.id, name, "refused", str(exc.message)))
            continue
        language = credential_language(session, ach, participant)
        cred = Credential(
            organisation_id=org.id,
            uuid=str(uuidlib.uuid4()),
            achievement=ach,
            achievement_id=ach.id,
            participant_id=participant.id,
            validated_competence_id=vc.id if vc else None,
            session_id=getattr(group, "id", None),
            round_id=vc.round_id if vc else None,
            awarded_by_id=_staff_id(actor),
            level=level,
            narrative=req.narrative.strip(),
            language=language,
            evidence=_evidence(session, group=group, vc=vc, observation=req.observation,
                               chart_url=chart_url, language=language),
            recipient=recipient or {},
            awarded_at=utcnow().replace(microsecond=0),
            state=ISSUED if recipient else CLAIM_PENDING,
        )
        session.add(cred)
        code = None
        if recipient is None:
            session.flush()
            code = _new_claim(session, cred, actor=actor)
        else:
            _sign_and_bake(session, cred, allocator=allocator)
        audit.record(session, "award.issue" if recipient else "award.claim_create",
                     actor=actor, organisation_id=org.id, obj=cred,
                     achievement_id=ach.id, participant_id=participant.id)
        results.append(RowResult(participant.id, name, "issued" if recipient else "claim",
                                 credential=cred, claim_code=code))
    session.flush()
    return results


def award_one(session: Session, org: Organisation, ach: Achievement, req: AwardRequest, *,
              actor: Any = None, group: Any = None) -> RowResult:
    """One award; a broken rule raises :class:`UserError` with the row's message."""
    result = award_many(session, org, ach, [req], actor=actor, group=group)[0]
    if result.outcome == "already":
        raise UserError(result.message, 409)
    if result.outcome == "refused":
        raise UserError(result.message, 422)
    return result


# --------------------------------------------------------------------------- proposals/consent


@dataclass
class Proposal:
    validated: Any
    achievement: Achievement
    participant: Participant


def proposals(session: Session, organisation_id: int,
              participant_id: int | None = None) -> list[Proposal]:
    """Validated competences whose badge is ready: matching active badge, level reached,
    not declined, not yet awarded."""
    from badger.grids.models import ValidatedCompetence

    stmt = select(ValidatedCompetence).where(
        ValidatedCompetence.organisation_id == organisation_id,
        ValidatedCompetence.status.in_(("confirmed", "consented")),
        ValidatedCompetence.consent != "declined",
    )
    if participant_id is not None:
        stmt = stmt.where(ValidatedCompetence.participant_id == participant_id)
    vcs = list(session.scalars(stmt.execution_options(unscoped=True)))
    if not vcs:
        return []
    achs = list(session.scalars(
        select(Achievement).where(Achievement.organisation_id == organisation_id,
                                  Achievement.active.is_(True))
        .execution_options(unscoped=True)))
    by_competence: dict[int, list[Achievement]] = {}
    for a in achs:
        by_competence.setdefault(a.competence_id, []).append(a)
    awarded = set(session.execute(
        select(Credential.participant_id, Credential.achievement_id)
        .where(Credential.organisation_id == organisation_id)
        .execution_options(unscoped=True)).all())
    declined = set(session.execute(
        select(AwardConsent.validated_competence_id, AwardConsent.achievement_id)
        .where(AwardConsent.organisation_id == organisation_id,
               AwardConsent.accepted.is_(False))
        .execution_options(unscoped=True)).all())
    out = []
    for vc in vcs:
        for a in by_competence.get(vc.competence_id, []):
            if vc.level < a.min_level or (vc.participant_id, a.id) in awarded:
                continue
            if (vc.id, a.id) in declined:
                continue
            out.append(Proposal(vc, a, vc.participant))
    return out


def consent(session: Session, participant: Participant, validated_competence_id: int,
            achievement_id: int, *, accept: bool, email: str | None = None,
            phone: str | None = None, did: str | None = None,
            attach_chart: bool = False) -> RowResult | None:
    """The participant accepts (the credential is issued now) or declines the proposed badge.

    ``attach_chart`` (the participant's own choice, off by default): the round's self/coach
    chart is frozen into a public image cited as evidence (:mod:`badger.awards.evidence`).
    """
    match = [p for p in proposals(session, participant.organisation_id, participant.id)
             if p.validated.id == validated_competence_id and p.achievement.id == achievement_id]
    if not match:
        raise UserError(_l("Cette proposition n'existe plus."), 404)
    prop = match[0]
    if accept and recipient_from(email=email or participant.email,
                                 phone=phone or participant.phone, did=did) is None:
        # Logged in, the participant can say where the badge goes now (no code to lose).
        raise UserError(_l("Indiquez une adresse e-mail, un numéro de téléphone ou un DID."), 422)
    if accept and prop.validated.consent != "given":
        from badger.grids import service as grids

        grids.set_consent(session, prop.validated, participant, given=True)
    session.add(AwardConsent(organisation_id=participant.organisation_id,
                             validated_competence_id=validated_competence_id,
                             achievement_id=achievement_id, participant_id=participant.id,
                             accepted=accept))
    audit.record(session, "award.consent" if accept else "award.decline", actor=participant,
                 organisation_id=participant.organisation_id, object_type="ValidatedCompetence",
                 object_id=validated_competence_id, achievement_id=achievement_id,
                 **({"chart": True} if accept and attach_chart else {}))
    if not accept:
        session.flush()
        return None
    org = session.get(Organisation, participant.organisation_id)
    assert org is not None
    observation = str((prop.validated.evidence or {}).get("observations") or "")
    from badger.awards import evidence as charts

    chart = (charts.prepare(session, prop.validated, prop.achievement, participant)
             if attach_chart else None)
    try:
        result = award_many(
            session, org, prop.achievement,
            [AwardRequest(participant_id=participant.id, level=prop.validated.level,
                          validated_competence_id=prop.validated.id, email=email, phone=phone,
                          did=did, observation=observation)],
            actor=participant,
            group=prop.validated.round.session if prop.validated.round else None,
            chart_url=chart.url if chart else None,
        )[0]
        if result.outcome in ("already", "refused"):  # as award_one
            raise UserError(result.message, 409 if result.outcome == "already" else 422)
        if chart is not None and result.credential is not None:
            charts.store(session, result.credential, chart)
    finally:
        charts.discard(session)
    return result


# --------------------------------------------------------------------------- claims


def _new_claim(session: Session, cred: Credential, *, actor: Any = None) -> str:
    code = new_code(10)
    session.add(Claim(
        organisation_id=cred.organisation_id,
        credential_id=cred.id,
        code_hash=token_hash(code),
        expires_at=utcnow() + timedelta(days=int(current_app.config.get("BADGER_CLAIM_DAYS",
                                                                         CLAIM_DAYS))),
        created_by_id=_staff_id(actor),
    ))
    return code


def renew_claim(session: Session, cred: Credential, *, actor: Any = None) -> str:
    """A fresh code for a pending claim (the printed one was lost); the old code dies."""
    if cred.state != CLAIM_PENDING:
        raise UserError(_l("Ce badge a déjà été récupéré."), 409)
    old = session.execute(select(Claim).where(Claim.credential_id == cred.id)).scalar_one_or_none()
    if old is not None:
        session.delete(old)
        session.flush()
    code = _new_claim(session, cred, actor=actor)
    audit.record(session, "award.claim_renew", actor=actor, organisation_id=cred.organisation_id,
                 obj=cred)
    session.flush()
    return code


def clean_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())[:32]


def find_claim(session: Session, code: str) -> Claim:
    claim = session.execute(
        select(Claim).where(Claim.code_hash == token_hash(clean_code(code)))
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    if claim is None or claim.redeemed_at is not None:
        raise UserError(_l("Ce code n'est pas valable ou a déjà servi."), 404)
    if claim.expires_at <= utcnow():
        raise UserError(_l("Ce code a expiré. Demandez-en un nouveau à votre coach."), 410)
    held = session.execute(
        select(Credential.suspended_at, Credential.revoked_at)
        .where(Credential.id == claim.credential_id)
        .execution_options(unscoped=True)
    ).one()
    if held.revoked_at is not None:
        raise UserError(_l("Ce badge a été retiré par l'organisme."), 410)
    if held.suspended_at is not None:
        raise UserError(_l("Ce badge est suspendu pour le moment. Votre coach vous dira quand "
                           "le récupérer."), 409)
    return claim


def redeem_claim(session: Session, code: str, *, email: str | None = None,
                 phone: str | None = None, did: str | None = None) -> Credential:
    """Bind an e-mail, a phone or a DID to a held award and issue it. A code works once."""
    claim = find_claim(session, code)
    recipient = recipient_from(email=email, phone=phone, did=did)
    if recipient is None:
        raise UserError(_l("Indiquez une adresse e-mail, un numéro de téléphone ou un DID."), 422)
    now = utcnow()
    # Atomic consume: of two simultaneous redemptions only one updates the row.
    done = session.execute(
        update(Claim).where(Claim.id == claim.id, Claim.redeemed_at.is_(None))
        .values(redeemed_at=now,
                bound_with="did" if did else ("emailAddress" if email else "phone"))
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        raise UserError(_l("Ce code n'est pas valable ou a déjà servi."), 404)
    cred = session.execute(
        select(Credential).where(Credential.id == claim.credential_id)
        .execution_options(unscoped=True)
    ).scalar_one()
    org = session.get(Organisation, cred.organisation_id)
    assert org is not None
    cred.recipient = recipient
    _sign_and_bake(session, cred, allocator=IndexAllocator(session, org))
    audit.record(session, "award.claim_redeem", actor=None, organisation_id=cred.organisation_id,
                 obj=cred, bound_with=claim.bound_with if claim.bound_with else None)
    session.flush()
    return cred


# --------------------------------------------------------------------------- revocation


def revoke(session: Session, cred: Credential, reason: str, *, actor: Any = None) -> None:
    reason = reason.strip()
    if not reason:
        raise UserError(_l("Indiquez la raison du retrait."), 422)
    if cred.revoked_at is not None:
        raise UserError(_l("Ce badge est déjà retiré."), 409)
    cred.revoked_at = utcnow()
    cred.revocation_reason = reason[:2000]
    cred.public = False
    if cred.state == CLAIM_PENDING:
        for claim in session.scalars(select(Claim).where(Claim.credential_id == cred.id)):
            session.delete(claim)
    from badger.awards import evidence as charts

    charts.forget_revoked(session, cred.id)
    audit.record(session, "award.revoke", actor=actor, organisation_id=cred.organisation_id,
                 obj=cred, reason=reason[:500])
    # Last: a query after the flip would flush the list's 16 KB of bits once more before the
    # commit writes them with the new signature.
    _flip(session, cred, True)


def suspend(session: Session, cred: Credential, reason: str, *, actor: Any = None) -> None:
    """Suspend: the credential's status bit is set, so every verifier sees it as not valid.

    OB 3.0 allows one ``credentialStatus`` entry and every OB verifier reads the ``revocation``
    purpose only, so suspension sets that bit. Bitstring Status List says a revocation bit is
    never cleared: lifting the suspension re-issues the credential on a fresh bit (``unsuspend``).
    Badger's own pages know the row and say "suspended", not "withdrawn".
    """
    if cred.revoked_at is not None:
        raise UserError(_l("Ce badge est retiré ; il ne peut pas être suspendu."), 409)
    if cred.suspended_at is not None:
        raise UserError(_l("Ce badge est déjà suspendu."), 409)
    if not reason.strip():
        raise UserError(_l("Indiquez la raison de la suspension."), 422)
    cred.suspended_at = utcnow()
    cred.suspension_reason = reason.strip()[:2000]
    _flip(session, cred, True)
    audit.record(session, "award.suspend", actor=actor, organisation_id=cred.organisation_id,
                 obj=cred, reason=reason.strip()[:500], status_index=cred.revocation_index)
    session.flush()


def unsuspend(session: Session, cred: Credential, *, actor: Any = None) -> None:
    """Lift a suspension: an issued credential is signed again on a new status bit.

    The old bit stays set for ever (copies downloaded before the suspension stay invalid);
    ``awardedDate`` and the credential's id are kept, ``validFrom`` is now.
    """
    if cred.suspended_at is None:
        raise UserError(_l("Ce badge n'est pas suspendu."), 409)
    old_index = cred.revocation_index
    cred.suspended_at = None
    cred.suspension_reason = None
    if cred.state == ISSUED and cred.revocation_list_id is not None:
        org = session.get(Organisation, cred.organisation_id)
        assert org is not None
        cred.revocation_list = None
        cred.revocation_list_id = None
        cred.revocation_index = None
        _sign_and_bake(session, cred, allocator=IndexAllocator(session, org))
    audit.record(session, "award.unsuspend", actor=actor, organisation_id=cred.organisation_id,
                 obj=cred, old_status_index=old_index, status_index=cred.revocation_index)
    session.flush()


def reissue(session: Session, cred: Credential, *, actor: Any = None) -> None:
    """Sign again with a new validFrom/validUntil; id, awardedDate and status bit are kept."""
    if cred.revoked_at is not None:
        raise UserError(_l("Un badge retiré ne peut pas être réémis."), 409)
    if cred.suspended_at is not None:
        raise UserError(_l("Ce badge est suspendu : rétablissez-le, il sera réémis."), 409)
    if cred.state != ISSUED:
        raise UserError(_l("Ce badge n'a pas encore été récupéré."), 409)
    org = session.get(Organisation, cred.organisation_id)
    assert org is not None
    _sign_and_bake(session, cred, allocator=IndexAllocator(session, org))
    audit.record(session, "award.reissue", actor=actor, organisation_id=cred.organisation_id,
                 obj=cred)
    session.flush()


# --------------------------------------------------------------------------- CSV


CSV_COLUMNS = ("participant", "level", "narrative", "email", "phone", "did", "observation")


@dataclass
class CsvRow:
    line: int
    raw: dict[str, str]
    participant: Participant | None
    request: AwardRequest | None
    plan: str  # issue | claim | already | error
    message: str = ""


def parse_csv(text: str, max_rows: int = MAX_BATCH) -> list[dict[str, str]]:
    """Rows of a CSV (comma or semicolon) with a header naming at least ``participant``."""
    text = text.lstrip("\ufeff")
    # The header line names the columns: its most frequent separator is the file's. (csv.Sniffer
    # is quadratic on a long line with quotes: a 300 KB one took minutes.)
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        try:
            fieldnames = reader.fieldnames
        except csv.Error as exc:
            raise guards.CsvRefused(1, str(exc)) from exc
        if not fieldnames or "participant" not in [(f or "").strip().lower() for f in fieldnames]:
            raise UserError(_l("La première ligne doit nommer les colonnes, dont « participant »."),
                            422)
        for row in guards.csv_rows(reader):
            assert isinstance(row, dict)
            rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in row.items()
                         if k is not None})
            if len(rows) > max_rows:
                raise UserError(_l("Trop de lignes à la fois (%(n)d au plus).", n=max_rows), 413)
    except guards.CsvRefused as exc:
        raise UserError(_l("Ligne %(line)d illisible : cellule de plus de 128 Ko, guillemet "
                           "jamais fermé ou caractère nul.", line=exc.line), 400) from exc
    return rows


def plan_csv(session: Session, org: Organisation, ach: Achievement,
             rows: Iterable[dict[str, str]]) -> list[CsvRow]:
    """The dry run: what each row would do, without writing anything."""
    _eligible(session, org, ach)
    people = list(session.scalars(
        select(Participant).where(Participant.organisation_id == org.id)
        .execution_options(unscoped=True)))
    by_id = {str(p.id): p for p in people}
    by_name: dict[str, list[Participant]] = {}
    for p in people:
        by_name.setdefault(p.display_name.strip().lower(), []).append(p)
    planned: list[CsvRow] = []
    seen: set[int] = set()
    for i, raw in enumerate(rows, start=2):
        key = raw.get("participant", "")
        match = [by_id[key]] if key in by_id else by_name.get(key.lower(), [])
        if len(match) != 1:
            msg = (_l("Plusieurs participants portent ce nom ; utilisez leur numéro.")
                   if match else _l("Participant inconnu dans votre organisation."))
            planned.append(CsvRow(i, raw, None, None, "error", str(msg)))
            continue
        person = match[0]
        level_text = raw.get("level", "")
        try:
            level = int(level_text) if level_text else ach.min_level
        except ValueError:
            planned.append(CsvRow(i, raw, person, None, "error",
                                  str(_l("Niveau non valable."))))
            continue
        req = AwardRequest(participant_id=person.id, level=level,
                           narrative=raw.get("narrative", ""), email=raw.get("email") or None,
                           phone=raw.get("phone") or None, did=raw.get("did") or None,
                           observation=raw.get("observation", ""))
        if person.id in seen or _existing(session, person.id, ach.id) is not None:
            planned.append(CsvRow(i, raw, person, req, "already",
                                  str(_l("Badge déjà attribué à cette personne."))))
            continue
        if not 0 <= level <= 5 or level < ach.min_level:
            planned.append(CsvRow(i, raw, person, req, "error",
                                  str(_l("Niveau insuffisant ou hors de 0 à 5."))))
            continue
        try:
            recipient = recipient_from(email=req.email or person.email,
                                       phone=req.phone or person.phone, did=req.did)
        except UserError as exc:
            planned.append(CsvRow(i, raw, person, req, "error", str(exc.message)))
            continue
        seen.add(person.id)
        planned.append(CsvRow(i, raw, person, req, "issue" if recipient else "claim"))
    return planned


# --------------------------------------------------------------------------- reading


def credential_for_staff(session: Session, credential_id: int) -> Credential:
    from badger.db import get_or_404

    return get_or_404(session, Credential, credential_id)


def withdraw_for_holder(session: Session, cred: Credential) -> None:
    """Withdraw a credential because its holder erases their data: revoked like any other (its
    status bit is set), and recorded as the holder's doing (:class:`HolderWithdrawal`) so that
    badger's pages do not say the issuer withdrew it."""
    revoke(session, cred, "Données effacées à la demande de la personne.")
    session.add(HolderWithdrawal(organisation_id=cred.organisation_id,
                                 credential_uuid=cred.uuid, withdrawn_at=utcnow()))


def holder_withdrawn(session: Session, uuid: str) -> bool:
    """Was the credential ``uuid`` withdrawn because its holder erased their data?"""
    return session.execute(
        select(HolderWithdrawal.id).where(HolderWithdrawal.credential_uuid == uuid)
        .execution_options(unscoped=True)
    ).first() is not None


def public_credential(session: Session, uuid: str) -> Credential | None:
    """The credential at its id URL: only when issued, public, not revoked, not suspended."""
    cred = session.execute(
        select(Credential).where(Credential.uuid == uuid).execution_options(unscoped=True)
    ).scalar_one_or_none()
    if (cred is None or not cred.public or cred.state != ISSUED or cred.revoked_at is not None
            or cred.suspended_at is not None):
        return None
    return cred


#: A credential is first signed in its award's own transaction (or its claim's redemption),
#: seconds at most after that moment; signed later than this, it was re-issued.
REISSUE_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True)
class CredentialVersion:
    """Which signed version of an issued credential the participant's files are now.

    Known from the row itself — ``issued_at`` (the current files' ``validFrom``) against the
    first signature (``awarded_at``, or the claim's redemption) — so no download needs to be
    recorded: the notice says "files downloaded before <date>", whoever downloaded what."""

    #: When the current files were signed (their ``validFrom``).
    since: datetime
    #: When the credential was first signed (the award, or the claim's redemption).
    first_signed: datetime
    #: The last re-issue put the credential on a new status bit (a lifted suspension): files
    #: signed before ``since`` no longer verify. False: they still verify until their own end
    #: date, but are not the current version (the "réémettre" action keeps the bit).
    earlier_invalid: bool = False

    @property
    def reissued(self) -> bool:
        return self.since - self.first_signed > REISSUE_MARGIN

    def to_json(self) -> dict[str, Any]:
        """For the participant's data export: which version its files are."""
        return {
            "current_version_signed_at": self.since.isoformat(),
            "first_signed_at": self.first_signed.isoformat(),
            "reissued": self.reissued,
            "earlier_files": (None if not self.reissued
                              else "invalid" if self.earlier_invalid else "outdated"),
        }


def credential_versions(session: Session, creds: Sequence[Credential]
                        ) -> dict[int, CredentialVersion]:
    """The current version of each issued credential in ``creds`` (by id); two queries at most,
    whatever their number. Whether the last re-issue changed the status bit is read from the
    audit trail (``award.unsuspend`` records the old and new index)."""
    issued = [c for c in creds if c.state == ISSUED and c.issued_at is not None]
    if not issued:
        return {}
    redeemed: dict[int, datetime | None] = dict(session.execute(
        select(Claim.credential_id, Claim.redeemed_at)
        .where(Claim.credential_id.in_([c.id for c in issued]), Claim.redeemed_at.is_not(None))
        .execution_options(unscoped=True)
    ).all())
    out: dict[int, CredentialVersion] = {}
    for c in issued:
        assert c.issued_at is not None
        first = redeemed.get(c.id) or c.awarded_at
        out[c.id] = CredentialVersion(since=c.issued_at, first_signed=min(first, c.issued_at))
    again = [c for c in issued if out[c.id].reissued]
    if again:
        events = session.execute(
            select(audit.AuditEvent.object_id, audit.AuditEvent.action, audit.AuditEvent.details)
            .where(audit.AuditEvent.organisation_id.in_({c.organisation_id for c in again}),
                   audit.AuditEvent.object_type == "Credential",
                   audit.AuditEvent.object_id.in_([str(c.id) for c in again]),
                   audit.AuditEvent.action.in_(("award.unsuspend", "award.reissue")))
            .order_by(audit.AuditEvent.at, audit.AuditEvent.id)
        ).all()
        last: dict[str, bool] = {}
        for object_id, action, details in events:
            details = details or {}
            if action == "award.reissue":
                last[object_id] = False
            elif details.get("status_index") not in (None, details.get("old_status_index")):
                last[object_id] = True  # signed again on a new bit
        for c in again:
            out[c.id] = CredentialVersion(since=out[c.id].since,
                                          first_signed=out[c.id].first_signed,
                                          earlier_invalid=last.get(str(c.id), False))
    return out


def copy_state(session: Session, document: Mapping[str, Any]) -> str | None:
    """What badger knows of a copy of its own credential that its status list marks as revoked.

    ``"suspended"``: the award is on hold (the bit is set until the suspension is lifted);
    ``"superseded"``: the credential was re-issued on a new status bit after this copy was
    signed (a lifted suspension), so this copy stays invalid but the badge is not withdrawn;
    ``"holder_erased"``: its holder erased their data, which withdrew it (a
    :class:`HolderWithdrawal` row), not a decision of the issuer.
    None: really withdrawn, or not one of ours. Lets a verify page say the right thing.
    """
    cid = document.get("id")
    prefix = f"{urls.base_url()}/credentials/"
    if not isinstance(cid, str) or not cid.startswith(prefix):
        return None
    cred = session.execute(
        select(Credential).where(Credential.uuid == cid.removeprefix(prefix))
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    if cred is None:
        return "holder_erased" if holder_withdrawn(session, cid.removeprefix(prefix)) else None
    if cred.revoked_at is not None or cred.state != ISSUED:
        return None
    if cred.suspended_at is not None:
        return "suspended"
    current = json.loads(cred.signed_json or "{}").get("credentialStatus")
    if current is not None and current != document.get("credentialStatus"):
        return "superseded"
    return None


# --------------------------------------------------------------------------- issuer identifier


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
