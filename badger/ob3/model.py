"""Typed builders for Open Badges 3.0 documents, producing plain JSON-ready dicts.

Why: the strict 1EdTech schema wants arrays for every ``type``/``proof``/``credentialSchema`` and
no null or empty values (FACTS 1, PITFALLS 4); building documents through these functions makes
that the only shape we can emit. Datetimes are UTC with ``Z`` and seconds precision.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

__all__ = [
    "ALIGNMENT_TARGET_TYPES",
    "OB_CONTEXT",
    "OB_EXTENSIONS_CONTEXT",
    "VC1_CONTEXT",
    "VC2_CONTEXT",
    "ModelError",
    "achievement",
    "achievement_subject",
    "address",
    "alignment",
    "credential_schema",
    "endorsement_credential",
    "endorsement_subject",
    "evidence",
    "hash_identity",
    "identity_object",
    "image",
    "iso_datetime",
    "new_urn_uuid",
    "normalise_identity",
    "open_badge_credential",
    "profile",
    "result",
    "result_description",
    "rubric_criterion_level",
]

VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
#: Types only defined in extensions.json (PITFALLS 3).
EXTENSION_TYPES = frozenset(
    {"1EdTechJsonSchemaValidator2019", "1EdTechRevocationList", "1EdTechCredentialRefresh"}
)
ALIGNMENT_TARGET_TYPES = frozenset(
    {
        "ceasn:Competency",
        "ceterms:Credential",
        "CFItem",
        "CFRubric",
        "CFRubricCriterion",
        "CFRubricCriterionLevel",
        "CTDL",
    }
)
_EXT_RE = re.compile(r"^ext:[A-Za-z0-9.\-_]+$")


class ModelError(ValueError):
    """A builder was given a value the data model does not allow."""


def _clean(d: Mapping[str, Any]) -> dict[str, Any]:
    """Drop None values and empty lists/strings/dicts (the spec says omit them)."""
    return {k: v for k, v in d.items() if v is not None and v != [] and v != {} and v != ""}


def _require(value: Any, name: str) -> Any:
    if value is None or value == "" or value == []:
        raise ModelError(f"{name} is required")
    return value


def _types(base: str, extra: Sequence[str] | None) -> list[str]:
    return [base, *[t for t in (extra or ()) if t != base]]


def iso_datetime(value: datetime | str) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC (strings are parsed and re-formatted)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ModelError("datetimes must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date_or_datetime(value: datetime | date | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return iso_datetime(value) if "T" in value else value


def new_urn_uuid() -> str:
    """A fresh ``urn:uuid:`` identifier."""
    return f"urn:uuid:{uuid.uuid4()}"


def _enum_or_ext(value: str | None, allowed: Iterable[str], name: str) -> str | None:
    if value is None or value in allowed or _EXT_RE.match(value):
        return value
    raise ModelError(f"{name} {value!r} is not a known value nor an 'ext:' extension")


def image(id: str, *, caption: str | None = None) -> dict[str, Any]:
    """Image object (the strict schema refuses a bare URL)."""
    return _clean({"id": _require(id, "image id"), "type": "Image", "caption": caption})


def _image(value: str | Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return image(value) if isinstance(value, str) else dict(value)


def address(
    *,
    country: str | None = None,
    country_code: str | None = None,
    region: str | None = None,
    locality: str | None = None,
    street: str | None = None,
    postal_code: str | None = None,
) -> dict[str, Any]:
    """Postal address of a Profile."""
    return _clean(
        {
            "type": ["Address"],
            "addressCountry": country,
            "addressCountryCode": country_code,
            "addressRegion": region,
            "addressLocality": locality,
            "streetAddress": street,
            "postalCode": postal_code,
        }
    )


def profile(
    id: str,
    *,
    name: str | None = None,
    url: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    image: str | Mapping[str, Any] | None = None,
    description: str | None = None,
    address: Mapping[str, Any] | None = None,
    parent_org: Mapping[str, Any] | None = None,
    extra_types: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Issuer / creator / endorser Profile."""
    return _clean(
        {
            "id": _require(id, "profile id"),
            "type": _types("Profile", extra_types),
            "name": name,
            "url": url,
            "email": email,
            "phone": phone,
            "description": description,
            "image": _image(image),
            "address": dict(address) if address else None,
            "parentOrg": dict(parent_org) if parent_org else None,
        }
    )


def alignment(
    *,
    target_name: str,
    target_url: str,
    target_type: str | None = None,
    target_code: str | None = None,
    target_description: str | None = None,
    target_framework: str | None = None,
) -> dict[str, Any]:
    """Alignment to a framework item (CASE ``CFItem``, ``CFRubricCriterionLevel``, ...)."""
    return _clean(
        {
            "type": ["Alignment"],
            "targetName": _require(target_name, "targetName"),
            "targetUrl": _require(target_url, "targetUrl"),
            "targetType": _enum_or_ext(target_type, ALIGNMENT_TARGET_TYPES, "targetType"),
            "targetCode": target_code,
            "targetDescription": target_description,
            "targetFramework": target_framework,
        }
    )


def rubric_criterion_level(
    id: str,
    name: str,
    *,
    description: str | None = None,
    level: str | None = None,
    points: str | None = None,
    alignments: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """One level of a rubric (ordered low to high inside a ResultDescription)."""
    return _clean(
        {
            "id": _require(id, "rubric level id"),
            "type": ["RubricCriterionLevel"],
            "name": _require(name, "rubric level name"),
            "description": description,
            "level": level,
            "points": points,
            "alignment": [dict(a) for a in alignments or ()],
        }
    )


RESULT_TYPES = frozenset(
    {
        "GradePointAverage",
        "LetterGrade",
        "Percent",
        "PerformanceLevel",
        "PredictedScore",
        "RawScore",
        "Result",
        "RubricCriterion",
        "RubricCriterionLevel",
        "RubricScore",
        "ScaledScore",
        "Status",
    }
)


def result_description(
    id: str,
    name: str,
    result_type: str,
    *,
    rubric_criterion_levels: Sequence[Mapping[str, Any]] | None = None,
    allowed_values: Sequence[str] | None = None,
    required_level: str | None = None,
    required_value: str | None = None,
    value_min: str | None = None,
    value_max: str | None = None,
    alignments: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """How results of an achievement are expressed (levels, allowed values, ...)."""
    return _clean(
        {
            "id": _require(id, "resultDescription id"),
            "type": ["ResultDescription"],
            "name": _require(name, "resultDescription name"),
            "resultType": _enum_or_ext(result_type, RESULT_TYPES, "resultType"),
            "rubricCriterionLevel": [dict(x) for x in rubric_criterion_levels or ()],
            "allowedValue": list(allowed_values or ()),
            "requiredLevel": required_level,
            "requiredValue": required_value,
            "valueMin": value_min,
            "valueMax": value_max,
            "alignment": [dict(a) for a in alignments or ()],
        }
    )


ACHIEVEMENT_TYPES = frozenset(
    [
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    ]
)


def achievement(
    id: str,
    *,
    name: str,
    description: str,
    criteria_narrative: str | None = None,
    criteria_id: str | None = None,
    image: str | Mapping[str, Any] | None = None,
    alignments: Sequence[Mapping[str, Any]] | None = None,
    result_descriptions: Sequence[Mapping[str, Any]] | None = None,
    achievement_type: str | None = None,
    in_language: str | None = None,
    tags: Sequence[str] | None = None,
    creator: Mapping[str, Any] | None = None,
    human_code: str | None = None,
    field_of_study: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """An Achievement; criteria needs a narrative and/or a URL (spec SHOULD)."""
    if not criteria_narrative and not criteria_id:
        raise ModelError("criteria needs a narrative or an id (URL)")
    return _clean(
        {
            "id": _require(id, "achievement id"),
            "type": ["Achievement"],
            "name": _require(name, "achievement name"),
            "description": _require(description, "achievement description"),
            "criteria": _clean({"id": criteria_id, "narrative": criteria_narrative}),
            "image": _image(image),
            "achievementType": _enum_or_ext(achievement_type, ACHIEVEMENT_TYPES, "achievementType"),
            "alignment": [dict(a) for a in alignments or ()],
            "resultDescription": [dict(r) for r in result_descriptions or ()],
            "inLanguage": in_language,
            "tag": list(tags or ()),
            "creator": dict(creator) if creator else None,
            "humanCode": human_code,
            "fieldOfStudy": field_of_study,
            "version": version,
        }
    )


RESULT_STATUSES = frozenset(
    {"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"}
)


def result(
    *,
    result_description: str | None = None,
    achieved_level: str | None = None,
    value: str | None = None,
    status: str | None = None,
    alignments: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """A Result; ``result_description``/``achieved_level`` are ids inside the achievement."""
    if status is not None and status not in RESULT_STATUSES:
        raise ModelError(f"result status {status!r} is not a ResultStatusType")
    return _clean(
        {
            "type": ["Result"],
            "resultDescription": result_description,
            "achievedLevel": achieved_level,
            "value": value,
            "status": status,
            "alignment": [dict(a) for a in alignments or ()],
        }
    )


def normalise_identity(value: str, identity_type: str = "emailAddress") -> str:
    """Canonical form of a recipient identifier before hashing (PITFALLS 11).

    The OB spec defines no normalisation, so we record ours exactly:

    * ``emailAddress``: Unicode NFC, surrounding whitespace stripped, then lower-cased
      entirely (``" Jean.Dupont@Exemple.FR "`` -> ``"jean.dupont@exemple.fr"``).
    * ``phone`` (we use ``ext:phone``, or ``phone``): keep digits only; a leading ``+`` is kept;
      a leading ``00`` becomes ``+``; a French national number ``0XXXXXXXXX`` (10 digits)
      becomes ``+33XXXXXXXXX``. Result: ``+`` followed by digits (E.164-like).
    * any other type: NFC and surrounding whitespace stripped, case preserved.
    """
    text = unicodedata.normalize("NFC", value).strip()
    if identity_type == "emailAddress":
        return text.lower()
    if identity_type in {"phone", "ext:phone"}:
        plus = text.startswith("+")
        digits = "".join(c for c in text if c.isascii() and c.isdigit())
        if not plus and digits.startswith("00"):
            plus, digits = True, digits[2:]
        elif not plus and len(digits) == 10 and digits.startswith("0"):
            plus, digits = True, "33" + digits[1:]
        if not digits:
            raise ModelError("phone number has no digits")
        return ("+" if plus else "") + digits
    return text


def hash_identity(
    value: str, salt: str | None = None, *, identity_type: str = "emailAddress"
) -> str:
    """``sha256$`` + hex(SHA-256(UTF-8(normalised value) || UTF-8(salt)))."""
    data = normalise_identity(value, identity_type) + (salt or "")
    return "sha256$" + hashlib.sha256(data.encode("utf-8")).hexdigest()


IDENTIFIER_TYPES = frozenset(
    [
        "name",
        "sourcedId",
        "systemId",
        "productId",
        "userName",
        "accountId",
        "emailAddress",
        "nationalIdentityNumber",
        "isbn",
        "issn",
        "lisSourcedId",
        "oneRosterSourcedId",
        "sisSourcedId",
        "ltiContextId",
        "ltiDeploymentId",
        "ltiToolId",
        "ltiPlatformId",
        "ltiUserId",
        "identifier",
    ]
)


def identity_object(
    value: str,
    *,
    identity_type: str = "emailAddress",
    salt: str | None = None,
    hashed: bool = True,
) -> dict[str, Any]:
    """IdentityObject for ``credentialSubject.identifier``; hashed with a fresh salt by default.

    See :func:`normalise_identity` for exactly what gets hashed.
    """
    if identity_type == "phone":
        identity_type = "ext:phone"
    _enum_or_ext(identity_type, IDENTIFIER_TYPES, "identityType")
    if not hashed:
        return {
            "type": "IdentityObject",
            "hashed": False,
            "identityHash": normalise_identity(value, identity_type),
            "identityType": identity_type,
        }
    salt = salt if salt is not None else secrets.token_hex(16)
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": hash_identity(value, salt, identity_type=identity_type),
        "identityType": identity_type,
        "salt": salt,
    }


def achievement_subject(
    *,
    achievement: Mapping[str, Any],
    id: str | None = None,
    identifiers: Sequence[Mapping[str, Any]] | None = None,
    results: Sequence[Mapping[str, Any]] | None = None,
    activity_start_date: datetime | date | str | None = None,
    activity_end_date: datetime | date | str | None = None,
    narrative: str | None = None,
    source: Mapping[str, Any] | None = None,
    image: str | Mapping[str, Any] | None = None,
    extra_types: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The recipient and what they achieved; needs ``id`` and/or ``identifiers``."""
    if not id and not identifiers:
        raise ModelError("credentialSubject needs an id or at least one identifier")
    return _clean(
        {
            "id": id,
            "type": _types("AchievementSubject", extra_types),
            "identifier": [dict(i) for i in identifiers or ()],
            "achievement": dict(_require(achievement, "achievement")),
            "result": [dict(r) for r in results or ()],
            "activityStartDate": _date_or_datetime(activity_start_date),
            "activityEndDate": _date_or_datetime(activity_end_date),
            "narrative": narrative,
            "source": dict(source) if source else None,
            "image": _image(image),
        }
    )


def evidence(
    *,
    id: str | None = None,
    name: str | None = None,
    description: str | None = None,
    narrative: str | None = None,
    genre: str | None = None,
    audience: str | None = None,
) -> dict[str, Any]:
    """Evidence with a ``urn:uuid:``/URL id (data: URIs refused: they bloat canonicalisation)."""
    if id is not None and id.lower().startswith("data:"):
        raise ModelError("evidence ids must not be data: URIs; use a urn:uuid or a URL")
    return _clean(
        {
            "id": id or new_urn_uuid(),
            "type": ["Evidence"],
            "name": name,
            "description": description,
            "narrative": narrative,
            "genre": genre,
            "audience": audience,
        }
    )


def credential_schema(url: str = ACHIEVEMENT_CREDENTIAL_SCHEMA) -> dict[str, Any]:
    """A ``1EdTechJsonSchemaValidator2019`` credentialSchema entry."""
    return {"id": url, "type": "1EdTechJsonSchemaValidator2019"}


def _uses_extensions(value: Any) -> bool:
    if isinstance(value, Mapping):
        t = value.get("type")
        types = t if isinstance(t, list) else [t]
        if any(x in EXTENSION_TYPES for x in types if isinstance(x, str)):
            return True
        return any(_uses_extensions(v) for v in value.values())
    if isinstance(value, list):
        return any(_uses_extensions(v) for v in value)
    return False


def _contexts(body: Mapping[str, Any]) -> list[str]:
    ctx = [VC2_CONTEXT, OB_CONTEXT]
    if _uses_extensions(body):
        ctx.append(OB_EXTENSIONS_CONTEXT)
    return ctx


def open_badge_credential(
    *,
    id: str,
    issuer: Mapping[str, Any],
    credential_subject: Mapping[str, Any],
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    awarded_date: datetime | str | None = None,
    name: str | None = None,
    description: str | None = None,
    image: str | Mapping[str, Any] | None = None,
    evidence: Sequence[Mapping[str, Any]] | None = None,
    credential_status: Mapping[str, Any] | None = None,
    credential_schema: Sequence[Mapping[str, Any]] | None = None,
    endorsements: Sequence[Mapping[str, Any]] | None = None,
    refresh_service: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential (VCDM 2.0 + OB context 3.0.3, extensions if needed)."""
    if valid_until is not None and iso_datetime(valid_until) <= iso_datetime(valid_from):
        raise ModelError("validUntil must be after validFrom")
    body = _clean(
        {
            "id": _require(id, "credential id"),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": dict(_require(issuer, "issuer")),
            "validFrom": iso_datetime(valid_from),
            "validUntil": iso_datetime(valid_until) if valid_until else None,
            "awardedDate": iso_datetime(awarded_date) if awarded_date else None,
            "name": name,
            "description": description,
            "image": _image(image),
            "credentialSubject": dict(_require(credential_subject, "credentialSubject")),
            "evidence": [dict(e) for e in evidence or ()],
            "credentialStatus": dict(credential_status) if credential_status else None,
            "credentialSchema": [dict(s) for s in credential_schema or ()],
            "endorsement": [dict(e) for e in endorsements or ()],
            "refreshService": dict(refresh_service) if refresh_service else None,
        }
    )
    return {"@context": _contexts(body), **body}


def endorsement_subject(id: str, *, comment: str | None = None) -> dict[str, Any]:
    """What is endorsed (an Achievement, Profile or credential id) and why."""
    return _clean(
        {
            "id": _require(id, "endorsed id"),
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        }
    )


def endorsement_credential(
    *,
    id: str,
    issuer: Mapping[str, Any],
    name: str,
    endorsed_id: str,
    comment: str | None = None,
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    description: str | None = None,
    credential_status: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An unsigned EndorsementCredential (``name`` is required by the model)."""
    body = _clean(
        {
            "id": _require(id, "credential id"),
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "issuer": dict(_require(issuer, "issuer")),
            "name": _require(name, "endorsement name"),
            "description": description,
            "validFrom": iso_datetime(valid_from),
            "validUntil": iso_datetime(valid_until) if valid_until else None,
            "credentialSubject": endorsement_subject(endorsed_id, comment=comment),
            "credentialStatus": dict(credential_status) if credential_status else None,
        }
    )
    return {"@context": _contexts(body), **body}
