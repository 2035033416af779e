"""The W3C Verifiable Credentials data-model checks (VCDM 2.0 and 1.1) for any credential.

Why: the VC-API ``/credentials/verify`` takes credentials that are not Open Badges, for which
the 1EdTech schema says nothing. What both data models require of every credential is checked
here, as one ``data_model`` check: an issuer that is a URL or an object with a URL ``id``, a
``credentialSubject`` (an object, or a non-empty array of objects), an ``id`` that is a URL,
and the shapes of ``credentialSchema``, ``credentialStatus``, ``refreshService``,
``termsOfUse``, ``evidence`` and ``relatedResource``. The ``@context`` and ``type`` are the
``format`` check's, the dates the ``validity`` check's, undefined terms the ``jsonld`` check's.

"URL" is read as an absolute URI (``scheme:``), as every implementation does: ``urn:uuid:``
and ``did:`` identifiers are the norm in credentials.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .report import VerificationReport

__all__ = ["check_data_model", "data_model_problems"]

_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_ABSOLUTE_URI.match(value))


def _items(value: Any) -> list[Any] | None:
    """One object or an array of them as a list; None when neither (or an empty array)."""
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, Mapping) for i in items):
        return None
    return items


def _has_type(item: Mapping[str, Any]) -> bool:
    t = item.get("type")
    types = t if isinstance(t, list) else [t]
    return bool(types) and all(isinstance(x, str) and x for x in types)


def _issuer_problems(credential: Mapping[str, Any]) -> list[str]:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        return [] if _is_url(issuer.get("id")) else ["issuer.id must be a URL"]
    return [] if _is_url(issuer) else ["issuer must be a URL or an object with a URL id"]


def _subject_problems(credential: Mapping[str, Any]) -> list[str]:
    subjects = _items(credential.get("credentialSubject"))
    if subjects is None:
        return ["credentialSubject must be an object or a non-empty array of objects"]
    if any("id" in s and not _is_url(s.get("id")) for s in subjects):
        return ["credentialSubject.id must be a URL"]
    return []


def _typed_problems(
    credential: Mapping[str, Any], name: str, *, id_required: bool = False
) -> list[str]:
    """An optional property holding typed objects (``type`` required, ``id`` a URL)."""
    if name not in credential:
        return []
    items = _items(credential.get(name))
    if items is None:
        return [f"{name} must be an object or a non-empty array of objects"]
    problems: list[str] = []
    if not all(_has_type(i) for i in items):
        problems.append(f"each {name} needs a type")
    if any(("id" in i or id_required) and not _is_url(i.get("id")) for i in items):
        problems.append(f"{name}.id must be a URL")
    return problems


def _related_resource_problems(credential: Mapping[str, Any]) -> list[str]:
    if "relatedResource" not in credential:
        return []
    items = _items(credential.get("relatedResource"))
    if items is None:
        return ["relatedResource must be an object or a non-empty array of objects"]
    if not all(_is_url(i.get("id")) for i in items):
        return ["relatedResource.id must be a URL"]
    if not all(
        isinstance(i.get("digestSRI"), str) or isinstance(i.get("digestMultibase"), str)
        for i in items
    ):
        return ["each relatedResource needs digestSRI or digestMultibase"]
    ids = [i.get("id") for i in items]
    if len(set(ids)) != len(ids):
        return ["relatedResource ids must be unique"]
    return []


def data_model_problems(credential: Mapping[str, Any], vc_version: str | None) -> list[str]:
    """What the credential breaks of the VC data model (``vc_version`` "2.0" or "1.1")."""
    problems: list[str] = []
    if "id" in credential and not _is_url(credential.get("id")):
        problems.append("id must be a URL")
    problems += _issuer_problems(credential)
    problems += _subject_problems(credential)
    problems += _typed_problems(credential, "credentialSchema", id_required=True)
    problems += _typed_problems(credential, "credentialStatus")
    problems += _typed_problems(
        credential, "refreshService", id_required=vc_version == "1.1"
    )
    problems += _typed_problems(credential, "termsOfUse")
    problems += _typed_problems(credential, "evidence")
    problems += _related_resource_problems(credential)
    return problems


def check_data_model(credential: Mapping[str, Any], report: VerificationReport) -> bool:
    """Record the ``data_model`` check; True when the credential follows the data model."""
    problems = data_model_problems(credential, report.vc_version)
    if problems:
        report.add(
            "data_model",
            "failed",
            "The credential does not follow the Verifiable Credentials data model: "
            + "; ".join(problems),
            "vcdm_invalid",
        )
        return False
    report.add(
        "data_model",
        "passed",
        f"The credential follows the Verifiable Credentials {report.vc_version} data model.",
        "vcdm_valid",
    )
    return True
