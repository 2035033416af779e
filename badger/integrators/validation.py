"""What ``POST /credentials/issue`` accepts: a credential of the W3C VC Data Model 2.0 or 1.1,
checked before anything is signed or stored (each refusal names the field and why, in the
caller's language), then expanded as JSON-LD with the bundled contexts only: a term the
contexts do not define would be left out of the signature, so it is refused too."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from badger.ob3.dataintegrity import parse_datetime
from badger.ob3.jsonld import JsonLdProcessingError, expand_document
from badger.ob3.loader import ContextNotFoundError, bundled_context_urls

V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
DI_CONTEXT = "https://w3id.org/security/data-integrity/v2"
#: XML Schema dateTime with a time zone (what both data models ask of their dates).
DATETIME_RE = re.compile(
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$"
)
#: An absolute URL (any scheme: https, did, urn…), no white space.
URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
#: What pyld raises, besides its own errors, on some malformed JSON-LD.
PYLD_CRASHES: tuple[type[Exception], ...] = (KeyError, TypeError, IndexError, AttributeError)
UNREADABLE: tuple[type[Exception], ...] = (JsonLdProcessingError, ValueError, *PYLD_CRASHES)
OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
#: The kinds badger's own pages describe to people by their issuer's name.
DESCRIBED_TYPES = OB_TYPES | {"EndorsementCredential"}
#: What JSON-LD reads ``OpenBadgeCredential`` and ``AchievementCredential`` as (OB 3.0 context).
OB_TYPE_IRIS = frozenset({"https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential",
                          "https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementCredential"})


class CredentialError(ValueError):
    """A field of the credential breaks the data model: ``field`` (a JSON path) and why."""

    def __init__(self, field: str, message: Any) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 2000 and bool(URL_RE.match(value))


def _objects(cred: Mapping[str, Any], field: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each object of an optional field holding one object or an array of them."""
    if field not in cred:
        return
    value = cred[field]
    if isinstance(value, list) and not value:
        raise CredentialError(field, _l("ne doit pas être une liste vide."))
    for n, item in enumerate(_items(value)):
        path = f"{field}[{n}]" if isinstance(value, list) else field
        if not isinstance(item, Mapping):
            raise CredentialError(path, _l("doit être un objet."))
        yield path, item


def version_of(cred: Mapping[str, Any]) -> int:
    """1 or 2: the data model the first ``@context`` names; a bad ``@context`` is refused."""
    contexts = cred.get("@context")
    if not isinstance(contexts, list) or not contexts:
        raise CredentialError("@context", _l("doit être une liste non vide."))
    if contexts[0] not in (V1_CONTEXT, V2_CONTEXT):
        raise CredentialError("@context", _l("le premier contexte doit être celui des "
                                             "Verifiable Credentials 1.1 ou 2.0."))
    for n, item in enumerate(contexts):
        if not isinstance(item, str | Mapping) or (isinstance(item, str) and not _is_url(item)):
            raise CredentialError(f"@context[{n}]",
                                  _l("doit être une adresse ou un objet de contexte."))
    return 2 if contexts[0] == V2_CONTEXT else 1


def types_of(cred: Mapping[str, Any]) -> list[str]:
    types = cred.get("type")
    listed = _items(types)
    if types is None or not listed or not all(isinstance(t, str) and t for t in listed):
        raise CredentialError("type", _l("doit être un nom ou une liste de noms."))
    if "VerifiableCredential" not in listed:
        raise CredentialError("type", _l("doit contenir VerifiableCredential."))
    return [str(t) for t in listed]


def issuer_of(cred: Mapping[str, Any]) -> str:
    """The issuer id the credential names (required by both data models)."""
    if "issuer" not in cred:
        raise CredentialError("issuer", _l("est obligatoire."))
    issuer = cred["issuer"]
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not _is_url(value):
        raise CredentialError("issuer", _l("doit être une adresse, ou un objet dont l'id est "
                                           "une adresse."))
    return str(value)


def _check_subject(cred: Mapping[str, Any]) -> None:
    subject = cred.get("credentialSubject")
    listed = _items(subject)
    if subject is None or not listed:
        raise CredentialError("credentialSubject", _l("est obligatoire (un objet ou une liste "
                                                      "d'objets)."))
    for item in listed:
        if not isinstance(item, Mapping) or not item:
            raise CredentialError("credentialSubject", _l("doit être un objet non vide ou une "
                                                          "liste d'objets non vides."))
        if "id" in item and not _is_url(item["id"]):
            raise CredentialError("credentialSubject.id", _l("doit être une adresse."))


def _check_date(cred: Mapping[str, Any], field: str, *, required: bool = False) -> None:
    if field not in cred:
        if required:
            raise CredentialError(field, _l("est obligatoire."))
        return
    value = cred[field]
    if not isinstance(value, str) or not DATETIME_RE.match(value):
        raise CredentialError(field, _l("doit être une date et heure avec fuseau horaire "
                                        "(2026-01-31T09:00:00Z)."))


def _check_dates(cred: Mapping[str, Any], version: int) -> None:
    if version == 2:
        _check_date(cred, "validFrom")
        _check_date(cred, "validUntil")
        start, end = parse_datetime(cred.get("validFrom")), parse_datetime(cred.get("validUntil"))
        if start is not None and end is not None and end < start:
            raise CredentialError("validUntil", _l("doit être après validFrom."))
    else:
        _check_date(cred, "issuanceDate", required=True)
        _check_date(cred, "expirationDate")


def _check_typed(cred: Mapping[str, Any], field: str, *, needs_id: bool = False) -> None:
    for path, item in _objects(cred, field):
        kind = item.get("type")
        if kind is None or not all(isinstance(t, str) and t for t in _items(kind)):
            raise CredentialError(path, _l("doit avoir un type."))
        if needs_id and not _is_url(item.get("id")):
            raise CredentialError(path, _l("doit avoir un id qui est une adresse."))
        if "id" in item and not _is_url(item["id"]):
            raise CredentialError(f"{path}.id", _l("doit être une adresse."))


def _check_related(cred: Mapping[str, Any]) -> None:
    seen: set[str] = set()
    for path, item in _objects(cred, "relatedResource"):
        if not _is_url(item.get("id")):
            raise CredentialError(path, _l("doit avoir un id qui est une adresse."))
        if not any(isinstance(item.get(k), str) and item.get(k)
                   for k in ("digestSRI", "digestMultibase")):
            raise CredentialError(path, _l("doit avoir digestSRI ou digestMultibase."))
        if item["id"] in seen:
            raise CredentialError(path, _l("cet id est déjà cité."))
        seen.add(str(item["id"]))


def check_credential(cred: Any) -> tuple[int, list[str]]:
    """The data model version and the types of a credential that breaks no rule; else
    :class:`CredentialError` on the first broken one."""
    if not isinstance(cred, Mapping):
        raise CredentialError("credential", _l("doit être un objet JSON."))
    version = version_of(cred)
    types = types_of(cred)
    if "id" in cred and not _is_url(cred["id"]):
        raise CredentialError("id", _l("doit être une adresse."))
    issuer_of(cred)
    _check_subject(cred)
    _check_dates(cred, version)
    _check_typed(cred, "proof")  # an existing proof is kept: ours joins the proof set
    _check_typed(cred, "credentialStatus")
    _check_typed(cred, "credentialSchema", needs_id=True)
    _check_typed(cred, "refreshService")
    _check_typed(cred, "termsOfUse")
    _check_typed(cred, "evidence")
    _check_related(cred)
    return version, types


def with_proof_context(cred: Mapping[str, Any], version: int) -> dict[str, Any]:
    """A copy able to carry a DataIntegrityProof: a 1.1 credential gets the data-integrity
    context appended when it lacks it (as Digital Bazaar's issuer does); 2.0 defines it."""
    out = dict(cred)
    if version == 1 and DI_CONTEXT not in cred["@context"]:
        out["@context"] = [*cred["@context"], DI_CONTEXT]
    return out


def check_terms(cred: Mapping[str, Any]) -> set[str]:
    """Refuse a context that is not bundled (nothing is fetched) and any term, type or id the
    contexts leave undefined (outside an existing proof: the new proof signs the document
    without it, as a proof set). Returns the expanded types: what JSON-LD reads the ``type``
    as, whatever alias or IRI names it."""
    for n, item in enumerate(cred["@context"]):
        if isinstance(item, str) and item not in bundled_context_urls():
            raise CredentialError(f"@context[{n}]", _l("contexte non disponible sur ce "
                                                       "service : %(url)s", url=item))
    try:
        expansion = expand_document({k: v for k, v in cred.items() if k != "proof"})
    except ContextNotFoundError as exc:
        raise CredentialError("@context", _l("contexte non disponible sur ce service : "
                                             "%(url)s", url=exc.url)) from exc
    except UNREADABLE as exc:
        # pyld itself stumbles on some malformed contexts (a KeyError on "@vocab"…): the
        # document is unreadable, the caller's fault, never a 500
        raise CredentialError("@context", _l("le JSON-LD ne peut pas être lu : %(why)s",
                                             why=str(exc)[:300] or type(exc).__name__)) from exc
    if expansion.found:
        first = expansion.found[0]
        raise CredentialError(first.path or "credential",
                              _l("terme « %(term)s » non défini par les contextes.",
                                 term=first.term))
    return {str(t) for node in expansion.expanded if isinstance(node, Mapping)
            for t in _items(node.get("@type", [])) if isinstance(t, str)}


def check_open_badge_naming(cred: Mapping[str, Any], types: list[str],
                            expanded_types: set[str]) -> None:
    """A credential JSON-LD reads as an Open Badge must say so by name: else the awards'
    rules (the organisation's own badge, a status bit) would be skipped by naming the type
    by its IRI or by an alias of an inline context."""
    if OB_TYPE_IRIS & expanded_types and not OB_TYPES & set(types):
        raise CredentialError("type", _l("un Open Badge nomme son type OpenBadgeCredential ou "
                                         "AchievementCredential."))


def check_no_inline_context(cred: Mapping[str, Any]) -> None:
    """An Open Badge uses published contexts only, at its top and in nested nodes (an embedded
    endorsement lists its own by address): an inline one could alias an Open Badges property
    (a second ``achievement``, another organisation's) beside the one checked."""
    for n, item in enumerate(cred["@context"]):
        if not isinstance(item, str):
            raise CredentialError(f"@context[{n}]", _l("un Open Badge n'utilise que des "
                                                       "contextes publiés (des adresses)."))
    stack: list[tuple[str, Any]] = [(k, v) for k, v in cred.items() if k != "@context"]
    while stack:
        path, value = stack.pop()
        if isinstance(value, Mapping):
            nested = value.get("@context")
            if nested is not None and any(not isinstance(c, str) for c in _items(nested)):
                raise CredentialError(f"{path}.@context", _l("un Open Badge n'utilise que des "
                                                             "contextes publiés (des adresses)."))
            stack.extend((f"{path}.{k}", v) for k, v in value.items() if k != "@context")
        elif isinstance(value, list):
            stack.extend((path, v) for v in value)


def check_issuer_profile(cred: Mapping[str, Any], name: str, url: str) -> None:
    """A badge or an endorsement names its issuer as the organisation: verify pages (badger's
    included) show the Profile's ``name`` and ``url`` as the credential gives them, so another
    organisation's would make it read as theirs."""
    issuer = cred.get("issuer")
    if not isinstance(issuer, Mapping):
        return
    if "name" in issuer and issuer["name"] != name:
        raise CredentialError("issuer.name", _l("doit être le nom de votre organisation : "
                                                "%(name)s", name=name))
    if "url" in issuer and issuer["url"] != url:
        raise CredentialError("issuer.url", _l("doit être l'adresse de votre organisation : "
                                               "%(url)s", url=url))
