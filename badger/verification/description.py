"""What a verified credential says, for people (:func:`describe`), and what the report
template needs (:func:`report_context`): the verify page and a public credential's own page
tell a report the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import has_app_context

from badger import urls
from badger.awards import document_language
from badger.ob3 import Resolver, VerificationReport
from badger.ob3.dataintegrity import parse_datetime
from badger.ob3.report import ENDORSEMENT, OPEN_BADGE, endorsement_withdrawn
from badger.ob3.resolver import ResolutionError
from badger.verification import messages
from badger.verification.trust import trust_of


@dataclass
class Description:
    """What a badge says, for people (never trusted unless the report is verified)."""

    name: str | None = None
    description: str | None = None
    issuer_name: str | None = None
    issuer_id: str | None = None
    issuer_url: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    level: str | None = None
    level_value: int | None = None
    #: The language the badge's own texts (``name``, ``description``, ``level``) are written
    #: in, as the credential says it (``inLanguage``); None when it says none.
    language: str | None = None
    framework_name: str | None = None
    framework_url: str | None = None
    competence_name: str | None = None
    competence_url: str | None = None
    endorsers: list[str] = field(default_factory=list)
    #: Of ``endorsers``, those whose endorsement's subject is the badge's issuer (a network
    #: vouching for the organisation).
    issuer_endorsers: list[str] = field(default_factory=list)
    #: Endorsers of the issuer whose genuine endorsement embedded in the badge has since been
    #: withdrawn.
    withdrawn_endorsers: list[str] = field(default_factory=list)
    #: Of ``issuer_endorsers``, the networks a trusted registry lists, by the registry's name
    #: for them ("Reconnu par"); the others are only claims (``claimed_endorsers``: their own
    #: self-declared names, "se dit recommandé par …, réseau inconnu de ce service").
    recognised_endorsers: list[str] = field(default_factory=list)
    claimed_endorsers: list[str] = field(default_factory=list)
    #: The registry listing the issuer itself (its name), if any.
    issuer_listed_by: str | None = None
    image: str | None = None
    credential_id: str | None = None
    #: ``OpenBadgeCredential`` or ``EndorsementCredential`` (then the fields below are set).
    kind: str = OPEN_BADGE
    endorsed_id: str | None = None
    #: The endorsed entity's own name, as its id document says (fetched when possible).
    endorsed_name: str | None = None
    #: 'organisation' (a Profile), 'achievement' (a badge definition) or None (unknown).
    endorsed_kind: str | None = None
    comment: str | None = None
    #: The endorser is one of this server's networks.
    endorser_is_network: bool = False


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def describe(report: VerificationReport, resolver: Resolver | None = None) -> Description:
    """What the credential says. For an endorsement, ``resolver`` (when given) reads the
    endorsed entity's id document for its name and kind."""
    if report.kind == ENDORSEMENT:
        return _describe_endorsement(report, resolver)
    cred = report.credential or {}
    d = Description(credential_id=cred.get("id") if isinstance(cred.get("id"), str) else None)
    issuer = cred.get("issuer")
    if isinstance(issuer, Mapping):
        d.issuer_name = issuer.get("name") if isinstance(issuer.get("name"), str) else None
        d.issuer_url = issuer.get("url") if isinstance(issuer.get("url"), str) else None
    d.issuer_id = report.issuer_id
    d.valid_from = parse_datetime(cred.get("validFrom") or cred.get("issuanceDate"))
    d.valid_until = parse_datetime(cred.get("validUntil") or cred.get("expirationDate"))
    subject = _first(cred.get("credentialSubject"))
    if isinstance(subject, Mapping):
        ach = subject.get("achievement")
        if isinstance(ach, Mapping):
            d.name = ach.get("name") if isinstance(ach.get("name"), str) else None
            d.language = document_language(cred)
            desc = ach.get("description")
            d.description = desc if isinstance(desc, str) else None
            img = ach.get("image")
            img = img.get("id") if isinstance(img, Mapping) else img
            d.image = img if isinstance(img, str) and img.startswith("https://") else None
            for al in ach.get("alignment") or []:
                if not isinstance(al, Mapping):
                    continue
                ttype = al.get("targetType")
                if ttype == "CFItem" and d.competence_name is None:
                    d.competence_name = al.get("targetName")
                    d.competence_url = al.get("targetUrl")
                elif ttype in {"CFDocument", "CFPackage"} and d.framework_name is None:
                    d.framework_name = al.get("targetName")
                    d.framework_url = al.get("targetUrl")
            levels = {}
            for rd in ach.get("resultDescription") or []:
                if isinstance(rd, Mapping):
                    for lvl in rd.get("rubricCriterionLevel") or []:
                        if isinstance(lvl, Mapping) and isinstance(lvl.get("id"), str):
                            levels[lvl["id"]] = lvl
            for res in subject.get("result") or []:
                if not isinstance(res, Mapping):
                    continue
                achieved = res.get("achievedLevel")
                if isinstance(achieved, str) and achieved in levels:
                    lvl = levels[achieved]
                    d.level = lvl.get("name") if isinstance(lvl.get("name"), str) else None
                    lv = lvl.get("level")
                    if isinstance(lv, str) and lv.isdigit():
                        d.level_value = int(lv)
                elif res.get("value") is not None and d.level_value is None:
                    value = str(res.get("value"))
                    if value.isdigit() and int(value) <= 5:
                        d.level_value = int(value)
        if d.name is None and isinstance(cred.get("name"), str):
            d.name = cred["name"]
    for endorsement in report.endorsements:
        name = endorsement.issuer_name or endorsement.issuer_id or "?"
        # only an endorsement whose subject is this issuer vouches for it: a genuine
        # endorsement of someone else, copied into a Profile, must not be read as one
        of_issuer = d.issuer_id is not None and endorsement.endorsed_id == d.issuer_id
        if endorsement.verified:
            d.endorsers.append(name)
            if of_issuer and name not in d.issuer_endorsers:
                d.issuer_endorsers.append(name)
        elif of_issuer and endorsement_withdrawn(endorsement) and (
            name not in d.withdrawn_endorsers
        ):
            d.withdrawn_endorsers.append(name)
    _describe_trust(d, report)
    return d


def _describe_trust(d: Description, report: VerificationReport) -> None:
    if report.credential is None or not has_app_context():
        d.claimed_endorsers = list(d.issuer_endorsers)
        return
    trust = trust_of(report)
    d.recognised_endorsers = [m.entry.name for m in trust.recognised]
    d.claimed_endorsers = list(trust.claimed)
    d.issuer_listed_by = trust.issuer.registry.name if trust.issuer else None


def _network_base() -> str | None:
    return f"{urls.base_url()}/networks/" if has_app_context() else None


def _describe_endorsement(report: VerificationReport, resolver: Resolver | None) -> Description:
    cred = report.credential or {}
    d = Description(
        kind=ENDORSEMENT,
        credential_id=cred.get("id") if isinstance(cred.get("id"), str) else None,
        name=cred.get("name") if isinstance(cred.get("name"), str) else None,
        description=cred.get("description") if isinstance(cred.get("description"), str) else None,
        issuer_name=report.issuer_name,
        issuer_id=report.issuer_id,
        valid_from=parse_datetime(cred.get("validFrom") or cred.get("issuanceDate")),
        valid_until=parse_datetime(cred.get("validUntil") or cred.get("expirationDate")),
        endorsed_id=report.endorsed_id,
        comment=report.endorsement_comment,
    )
    issuer = cred.get("issuer")
    if isinstance(issuer, Mapping) and isinstance(issuer.get("url"), str):
        d.issuer_url = issuer["url"]
    base = _network_base()
    d.endorser_is_network = bool(base and (d.issuer_id or "").startswith(base))
    _describe_trust(d, report)
    target = d.endorsed_id
    if resolver is not None and target and target.startswith(("https://", "http://")):
        try:
            doc = resolver.fetch_json(target)
        except ResolutionError:
            doc = {}
        if doc.get("id") == target:
            name = doc.get("name")
            d.endorsed_name = name if isinstance(name, str) and name.strip() else None
            types = doc.get("type")
            types = types if isinstance(types, list) else [types]
            if "Profile" in types:
                d.endorsed_kind = "organisation"
            elif "Achievement" in types:
                d.endorsed_kind = "achievement"
    return d



def report_context(report: VerificationReport, resolver: Resolver) -> dict[str, Any]:
    """What ``verification/_report.html``'s ``result`` macro needs. The verify page and a public
    credential's own page (``/credentials/<uuid>`` opened in a browser, e.g. from LinkedIn) tell
    a report the same way."""
    checks = messages.plain_checks(report)
    about = describe(report, resolver)
    return {
        "report": report,
        "summary": messages.summary(report, checks, about),
        "checks": checks,
        "about": about,
    }

