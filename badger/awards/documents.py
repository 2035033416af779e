"""Public URLs and JSON documents of the issuer: Profile, controller document, did:web, JWKS,
Achievement. Pure functions of the rows and the base URL (no database writes).

URLs written into credentials are permanent (see README): issuer ``/issuers/<slug>``,
achievement ``/achievements/<uuid>``, credential ``/credentials/<uuid>``, status lists
``/status/<slug>/<purpose>/<n>``, JWT keys ``/issuers/<slug>/keys/<kid>`` (a JWK), Data
Integrity keys ``/issuers/<slug>/multikeys/<kid>`` (a Multikey document), ``did:web`` documents
``/issuers/<slug>/did.json``.

An organisation names itself as it chose (``Organisation.issuer_identifier``): its https id,
its ``did:web``, or the ``did:key`` of its active Ed25519 key. The choice applies to what is
signed from then on; every document an older signature points at stays served.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from badger.awards.keys import IssuerKeys
from badger.awards.models import Achievement
from badger.networks.models import Organisation
from badger.ob3 import model
from badger.ob3.dids import (
    DID_V1_CONTEXT,
    MULTIKEY_V1_CONTEXT,
    did_key_from_public_key,
    public_key_to_multibase,
    verification_method_entry,
)
from badger.ob3.keys import KeyAlgorithm, SigningKey
from badger.urls import (
    achievement_url,
    case_url,
    did_web,
    issuer_url,
    key_url,
    multikey_url,
)

#: What an organisation may sign as (``Organisation.issuer_identifier``).
IDENTIFIER_KINDS = ("https", "did:web", "did:key")
#: JOSE algorithms of its VC-JWTs (``Organisation.jwt_algorithm``).
JWT_ALGORITHMS = ("RS256", "ES256", "EdDSA")
#: ``JsonWebKey`` / ``publicKeyJwk`` as the W3C Controlled Identifiers vocabulary defines them:
#: neither the DID v1 nor the Multikey context does, and a JSON-LD reader must not meet an
#: undefined term in a DID document listing RSA keys.
JWK_TERMS_CONTEXT = {
    "JsonWebKey": "https://w3id.org/security#JsonWebKey",
    "publicKeyJwk": {"@id": "https://w3id.org/security#publicKeyJwk", "@type": "@json"},
}









def image_language(ach: Achievement, language: str | None) -> str | None:
    """The language whose label the badge's image shows in a document written in ``language``
    (a language the badge has): None when that is the stored main image — the main language,
    or an uploaded picture (language-neutral). A generated image is drawn again per language."""
    if ach.image_source != "generated" or not language or language == ach.language:
        return None
    return language


def achievement_image_url(ach: Achievement, language: str | None = None,
                          fmt: str = "png") -> str:
    """``/achievements/<uuid>/image.png``, with ``?lang=`` when the image shows that language."""
    url = f"{achievement_url(ach)}/image.{fmt}"
    lang = image_language(ach, language)
    return f"{url}?lang={urllib.parse.quote(lang, safe='')}" if lang else url














def did_key(keys: IssuerKeys) -> str:
    """The organisation's ``did:key``: its active Ed25519 key (a did:key cannot rotate)."""
    return did_key_from_public_key(keys.ed25519.public_key)


def kind_of(org: Organisation) -> str:
    kind = getattr(org, "issuer_identifier", None) or "https"
    return kind if kind in IDENTIFIER_KINDS else "https"


def kind_of_id(issuer: str) -> str:
    """Which kind of identifier ``issuer`` (one of an organisation's ids) is."""
    for kind in ("did:web", "did:key"):
        if issuer.startswith(kind + ":"):
            return kind
    return "https"


def issuer_id(org: Organisation, keys: IssuerKeys) -> str:
    """The id new signatures name as issuer, per the organisation's choice."""
    kind = kind_of(org)
    if kind == "did:web":
        return did_web(org)
    if kind == "did:key":
        return did_key(keys)
    return issuer_url(org)


def issuer_id_of(credential: Mapping[str, Any]) -> str:
    issuer = credential["issuer"]
    return str(issuer["id"] if isinstance(issuer, Mapping) else issuer)


def signing_key_for(org: Organisation, keys: IssuerKeys, issuer: str) -> SigningKey:
    """The Ed25519 key that signs as ``issuer`` (one of the organisation's ids): the active one,
    or for a ``did:key`` the key that DID is — which must still be active."""
    if issuer.startswith("did:key:"):
        for key in keys.all:
            if key.algorithm is KeyAlgorithm.ED25519 and \
                    did_key_from_public_key(key.public_key) == issuer:
                return key
        raise LookupError(f"no key of {org.slug} is {issuer}")
    return keys.ed25519


def method_for(org: Organisation, key: SigningKey, issuer: str) -> str:
    """The Data Integrity ``verificationMethod`` of ``key`` signing as ``issuer``."""
    if issuer.startswith("did:"):
        return f"{issuer}#{key.public_key_multibase()}"
    return multikey_url(org, key)


def signing_method(org: Organisation, keys: IssuerKeys) -> str:
    """The ``verificationMethod`` of new Data Integrity proofs (the organisation's choice)."""
    return method_for(org, keys.ed25519, issuer_id(org, keys))


def jwt_algorithm(org: Organisation, issuer: str | None = None) -> str:
    """The VC-JWT algorithm: the organisation's choice; EdDSA for a ``did:key`` (the JWT must be
    signed by the very key its issuer id is). ``issuer``: the id signed as (default: chosen)."""
    if (kind_of_id(issuer) if issuer else kind_of(org)) == "did:key":
        return "EdDSA"
    alg = getattr(org, "jwt_algorithm", None) or "RS256"
    return alg if alg in JWT_ALGORITHMS else "RS256"


def jwt_kid(org: Organisation, keys: IssuerKeys, key: SigningKey,
            issuer: str | None = None) -> str:
    """The VC-JWT ``kid``: the key's JWK URL for the https id, a method of the DID document
    (``<did>#<multibase>`` for Ed25519, ``<did>#<kid>`` otherwise) for a DID. ``issuer``: the
    id signed as (default: the chosen one)."""
    issuer = issuer or issuer_id(org, keys)
    if kind_of_id(issuer) == "https":
        return key_url(org, key.key_id)
    did = issuer.partition("#")[0]
    if key.algorithm is KeyAlgorithm.ED25519:
        return f"{did}#{key.public_key_multibase()}"
    return f"{did}#{key.key_id}"




# --------------------------------------------------------------------------- issuer


def issuer_profile(
    org: Organisation, endorsements: Sequence[Mapping[str, Any]] | None = None,
    *, identifier: str | None = None,
) -> dict[str, Any]:
    """The Profile embedded in credentials (small: id, type, name, url), with the networks'
    signed EndorsementCredentials vouching for the organisation when given (OB 3.0
    ``Profile.endorsement``): a verifier then sees who vouches for the issuer, as signed.
    ``identifier``: the id it signs as (default: the https id)."""
    profile = model.profile(identifier or issuer_url(org), name=org.name,
                            url=org.url or issuer_url(org))
    if endorsements:
        profile["endorsement"] = [dict(e) for e in endorsements]
    return profile


def public_jwk(org: Organisation, key: SigningKey) -> dict[str, Any]:
    """A JWK whose ``kid`` is its own dereferenceable URL and ``iss`` the issuer (FACTS §4)."""
    jwk = dict(key.public_jwk())
    jwk["kid"] = key_url(org, key.key_id)
    jwk["iss"] = issuer_url(org)
    return jwk


def _multikeys(keys: IssuerKeys) -> list[SigningKey]:
    """Data Integrity keys (Multikey). RSA keys sign VC-JWTs only and are published as JWKs:
    ``JsonWebKey``/``publicKeyJwk`` are not defined by the bundled contexts, and a JSON-LD
    verifier in safe mode rejects a controller document that uses undefined terms."""
    return [k for k in keys.all if k.algorithm is KeyAlgorithm.ED25519]


def multikey_document(org: Organisation, key: SigningKey) -> dict[str, Any]:
    """The Multikey document served at :func:`multikey_url` (its ``controller`` is only a claim:
    the issuer's document listing it under ``assertionMethod`` is what makes it the issuer's)."""
    return {"@context": MULTIKEY_V1_CONTEXT, **multikey_entry(org, key)}


def multikey_entry(org: Organisation, key: SigningKey) -> dict[str, Any]:
    return {
        "id": multikey_url(org, key),
        "type": "Multikey",
        "controller": issuer_url(org),
        "publicKeyMultibase": key.public_key_multibase(),
    }


def issuer_document(org: Organisation, keys: IssuerKeys) -> dict[str, Any]:
    """The issuer id document: OB Profile and controller document in one (PITFALLS 7). Each
    Ed25519 key is listed twice: ``<issuer>#<multibase>`` (signatures before 0014) and its
    fragment-less Multikey URL (signatures since)."""
    iid = issuer_url(org)
    methods: list[dict[str, Any]] = []
    for k in _multikeys(keys):
        methods += [verification_method_entry(iid, k), multikey_entry(org, k)]
    doc: dict[str, Any] = {
        "@context": [model.VC2_CONTEXT, model.OB_CONTEXT, DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        **model.profile(
            iid,
            name=org.name,
            url=org.url or iid,
            email=org.email,
            description=org.description or None,
        ),
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
    return doc


def did_document(org: Organisation, keys: IssuerKeys) -> dict[str, Any]:
    """The ``did:web`` DID document: Ed25519 keys as ``<did>#<multibase>`` Multikeys (Data
    Integrity, and EdDSA VC-JWTs), P-256 keys as ``<did>#<kid>`` Multikeys and RSA keys as
    ``<did>#<kid>`` JsonWebKeys (VC-JWTs); every one under ``assertionMethod``."""
    did = did_web(org)
    methods = [verification_method_entry(did, k) for k in _multikeys(keys)]
    context: list[Any] = [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT]
    for k in keys.all:
        if k.algorithm is KeyAlgorithm.ES256:
            methods.append({"id": f"{did}#{k.key_id}", "type": "Multikey", "controller": did,
                            "publicKeyMultibase": public_key_to_multibase(k.public_key)})
        elif k.algorithm is KeyAlgorithm.RS256:
            methods.append(verification_method_entry(did, k))
            if JWK_TERMS_CONTEXT not in context:
                context.append(JWK_TERMS_CONTEXT)
    return {
        "@context": context,
        "id": did,
        "alsoKnownAs": [issuer_url(org)],
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def jwks(org: Organisation, keys: IssuerKeys) -> dict[str, Any]:
    return {"keys": [public_jwk(org, k) for k in keys.all]}


# --------------------------------------------------------------------------- achievement


def level_id(ach: Achievement, score: int) -> str:
    return f"{achievement_url(ach)}#level-{score}"


def result_description_id(ach: Achievement) -> str:
    return f"{achievement_url(ach)}#levels"


def level_alignment(competence: Any, score: int) -> dict[str, Any] | None:
    for lv in competence.grid_levels():
        if int(lv.get("score", -1)) == score and lv.get("identifier"):
            return model.alignment(
                target_name=str(lv.get("quality") or f"{score}"),
                target_url=case_url("CFRubricCriterionLevels", str(lv["identifier"])),
                target_type="CFRubricCriterionLevel",
                target_description=str(lv.get("description") or "") or None,
                target_code=str(score),
            )
    return None


@dataclass(frozen=True)
class AchievementTexts:
    """A badge's texts in one language (its main one or a translation)."""

    language: str
    name: str
    description: str
    criteria: str  # "" = no narrative: the criteria are the achievement's page
    image_alt: str


def _competence_translation(competence: Any, language: str) -> dict[str, Any]:
    """The référentiel's own translation of the competence in ``language`` ({} when none)."""
    if language == getattr(competence, "language", None):
        return {}
    found = (competence.translations or {}).get(language) or (competence.translations or {}).get(
        language.split("-")[0])
    return found if isinstance(found, dict) else {}


def achievement_document(ach: Achievement, org: Organisation, competence: Any,
                         framework_title: str | None = None,
                         texts: AchievementTexts | None = None) -> dict[str, Any]:
    """The OB 3.0 Achievement: criteria, CASE alignments, the 0–5 rubric, image with alt text.

    ``texts`` (default: the main language's) gives name, description, criteria, alt text,
    ``inLanguage`` and the image's language (a generated image shows the name in it); the
    rubric's own words follow that language (call inside ``service.in_language``), with the
    référentiel's translated level texts when it has them.
    Alignments keep the référentiel's words: they name the CASE items they point at.
    """
    texts = texts or AchievementTexts(ach.language, ach.name, ach.description,
                                      ach.criteria_narrative, ach.image_alt)
    translated = _competence_translation(competence, texts.language)
    tr_levels = {int(lv.get("score", -1)): lv for lv in translated.get("levels") or []
                 if isinstance(lv, dict)}
    url = achievement_url(ach)
    alignments = [
        model.alignment(
            target_name=competence.label,
            target_url=case_url("CFItems", competence.identifier),
            target_type="CFItem",
            target_code=competence.code or None,
            target_description=competence.description or None,
            target_framework=framework_title,
        )
    ]
    req = level_alignment(competence, ach.min_level)
    if req is not None:
        alignments.append(req)
    levels = []
    for lv in sorted(competence.grid_levels(), key=lambda x: int(x.get("score", 0))):
        score = int(lv.get("score", 0))
        align = level_alignment(competence, score)
        words = tr_levels.get(score) or {}
        levels.append(
            model.rubric_criterion_level(
                level_id(ach, score),
                str(words.get("quality") or lv.get("quality") or _("Niveau %(n)d", n=score)),
                description=str(words.get("description") or lv.get("description") or "")
                or None,
                level=str(score),
                points=str(score),
                alignments=[align] if align else None,
            )
        )
    if not levels:
        levels = [
            model.rubric_criterion_level(level_id(ach, s), _("Niveau %(n)d", n=s),
                                         level=str(s), points=str(s))
            for s in range(6)
        ]
    rubric = model.result_description(
        result_description_id(ach),
        _("Niveau atteint (0 à 5) — %(label)s",
          label=str(translated.get("label") or competence.label)),
        "RubricCriterionLevel",
        rubric_criterion_levels=levels,
        required_level=level_id(ach, ach.min_level),
        value_min="0",
        value_max="5",
    )
    return model.achievement(
        url,
        name=texts.name,
        description=texts.description,
        criteria_narrative=texts.criteria or None,
        criteria_id=url,
        image=model.image(achievement_image_url(ach, texts.language), caption=texts.image_alt),
        alignments=alignments,
        result_descriptions=[rubric],
        achievement_type=ach.achievement_type,
        in_language=texts.language,
        tags=ach.tags or None,
        creator=issuer_profile(org),
        human_code=competence.code or None,
    )
