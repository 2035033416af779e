"""A badge's texts in several languages, and what is derived from one version of a badge
row (its Achievement document, its picture per language), cached per row version."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from babel import Locale, UnknownLocaleError
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import cache, urls
from badger.accounts.models import Participant
from badger.awards import documents, images
from badger.awards.models import (
    Achievement,
    AchievementTranslation,
    Credential,
)
from badger.db import utcnow
from badger.errors import UserError
from badger.networks.models import Organisation
from badger.referentiels.models import Competence, ReferentielVersion
from badger.templating import elide


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


def offer_languages(session: Session, ach: Achievement) -> list[documents.AchievementTexts]:
    """The languages a credential of ``ach`` can be written in, each with its texts: the
    badge's main language first, then its translations (what the offer lets one choose)."""
    main = achievement_texts(session, ach, None)
    return [main, *(t for t in _translated_texts(session, ach) if t.language != main.language)]


def chosen_language(session: Session, ach: Achievement, chosen: str | None,
                    preferred: str | None) -> str:
    """The language the participant's credential is written in: ``chosen`` (what the offer's
    choice sent — one of the badge's languages, else refused), else ``preferred`` (the
    interface language the offer was read in) when the badge has it, else its main language."""
    available = [t.language for t in offer_languages(session, ach)]
    if chosen:
        found = match_language(chosen, available)
        if found is None:
            raise UserError(_l("Ce badge n'existe pas dans cette langue. Choisissez une des "
                               "langues proposées."), 422)
        return found
    return match_language(preferred, available) or ach.language


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
        return elide(str(_("Badge « %(name)s » de %(org)s", name=name, org=org.name)),
                     org.name)[:500]


def apply_translations(session: Session, ach: Achievement, org: Organisation,
                       translations: list[TranslationInput] | None) -> None:
    """Store the form's translations: add, change, remove the ones the form left empty."""
    stored = {t.language: t for t in translations_of(session, ach)}
    if translations is None:
        if ach.language in stored:
            raise UserError(_l("Une traduction existe déjà en « %(code)s » : retirez-la avant "
                               "d'en faire la langue principale.", code=ach.language), 422)
        return
    wanted = {tr.language: tr for tr in translations if not tr.is_empty()}
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


def forget_derived() -> None:
    """Empty the documents and images derived from badge rows (a badge was edited)."""
    _achievement_cache.clear()
    _image_cache.clear()
