"""Resolution of verification methods and JWT key ids to public keys.

Why: the library never opens a network connection itself. Everything remote (controller
documents, DID documents, JWKS, status lists) goes through an injected :class:`Resolver`, so the
web layer decides the HTTP policy (SSRF rules, timeouts, caching) and tests stay offline.
"""

from __future__ import annotations

import copy
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from .dids import (
    DidError,
    did_jwk_decode,
    did_key_to_public_key,
    did_web_to_url,
    multibase_to_public_key,
)
from .keys import KeyAlgorithm, KeyMaterialError, PublicKey, public_key_from_jwk

__all__ = [
    "DocumentNotFoundError",
    "KeyProvenance",
    "KeyRejectedError",
    "ResolutionError",
    "ResolvedKey",
    "Resolver",
    "StaticResolver",
    "prove_issuer_key",
    "prove_jwt_issuer_key",
    "resolve_jwt_kid",
    "resolve_verification_method",
]


class ResolutionError(Exception):
    """A document or key could not be fetched or did not contain what was expected."""


class DocumentNotFoundError(ResolutionError):
    """The host answered that no document exists at the URL (HTTP 404 / 410): an answer, not an
    outage — an issuer whose own address has no document vouches for no key."""


class KeyRejectedError(ResolutionError):
    """The key reference is invalid or its controller does NOT authorise it: a real failure,
    unlike an unreachable document (plain :class:`ResolutionError`)."""


@runtime_checkable
class Resolver(Protocol):
    """Fetches a JSON document by URL; raises :class:`ResolutionError` on any failure."""

    def fetch_json(self, url: str) -> dict[str, Any]:
        """Return the parsed JSON object at ``url``."""
        ...


class StaticResolver:
    """A :class:`Resolver` over an in-memory mapping (tests, pre-fetched documents)."""

    def __init__(self, mapping: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._docs: dict[str, dict[str, Any]] = {
            k: copy.deepcopy(dict(v)) for k, v in (mapping or {}).items()
        }
        self.requests: list[str] = []

    def add(self, url: str, document: Mapping[str, Any]) -> None:
        """Serve ``document`` at ``url``."""
        self._docs[url] = copy.deepcopy(dict(document))

    def fetch_json(self, url: str) -> dict[str, Any]:
        """Return a copy of the document at ``url`` (recorded in :attr:`requests`)."""
        self.requests.append(url)
        try:
            return copy.deepcopy(self._docs[url])
        except KeyError:
            raise ResolutionError(f"no document at {url}") from None


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """A public key, who it *claims* to be controlled by, and how we found it.

    ``controller`` is what the key's own reference or document says; it proves nothing until
    :func:`prove_issuer_key` (or :func:`prove_jwt_issuer_key`) finds the issuer vouching for it.
    """

    public_key: PublicKey
    controller: str | None
    algorithm: KeyAlgorithm
    method: str  # 'fragment-multibase', 'did:key', 'did:jwk', 'did:web', 'controller-document',
    # 'key-document', 'jwk-url', 'jwks', 'embedded-jwk'
    verification_method: str


def _algo(key: PublicKey) -> KeyAlgorithm:
    try:
        return KeyAlgorithm.of(key)
    except KeyMaterialError as exc:
        raise KeyRejectedError(str(exc)) from exc


def _key_from_vm_entry(entry: Mapping[str, Any]) -> PublicKey:
    try:
        if "publicKeyMultibase" in entry:
            return multibase_to_public_key(str(entry["publicKeyMultibase"]))
        jwk = entry.get("publicKeyJwk")
        if isinstance(jwk, dict):
            return public_key_from_jwk(jwk)
    except (DidError, KeyMaterialError) as exc:
        raise KeyRejectedError(f"invalid key in verification method: {exc}") from exc
    raise KeyRejectedError("verification method has neither publicKeyMultibase nor publicKeyJwk")


def _ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            out.append(item["id"])
    return out


def _absolute(ref: str, base: str) -> str:
    return urllib.parse.urljoin(base, ref) if ref.startswith("#") else ref


def _method_entries(
    doc: Mapping[str, Any], doc_id: str, fields: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    """The verification methods embedded (as objects) in ``fields`` of a controller or DID
    document, each with its absolute id."""
    out: list[tuple[str, dict[str, Any]]] = []
    for field in fields:
        value = doc.get(field)
        for cand in value if isinstance(value, list) else [value] if value else []:
            if isinstance(cand, dict):
                out.append((_absolute(str(cand.get("id", "")), doc_id), cand))
    return out


def _find_in_document(
    doc: Mapping[str, Any], vm_url: str, doc_id: str, *, purpose: str | None
) -> dict[str, Any]:
    """Find ``vm_url`` among the document's verification methods (and in ``purpose``)."""
    fields = ("verificationMethod", "assertionMethod", "authentication")
    entry = next((e for i, e in _method_entries(doc, doc_id, fields) if i == vm_url), None)
    if entry is None:
        raise KeyRejectedError(f"{vm_url} is not listed in the controller document")
    if purpose is not None:
        listed = [_absolute(i, doc_id) for i in _ids(doc.get(purpose, []))]
        if vm_url not in listed:
            raise KeyRejectedError(f"{vm_url} is not authorised for {purpose}")
    return entry


def _fragment_multibase(vm_url: str) -> tuple[str, PublicKey] | None:
    base, sep, fragment = vm_url.partition("#")
    if not sep or not fragment.startswith("z"):
        return None
    try:
        return base, multibase_to_public_key(fragment)
    except DidError:
        return None


def _doc_url(url: str) -> str:
    return url.partition("#")[0]


def _fetch_own_document(url: str, resolver: Resolver) -> dict[str, Any]:
    """Fetch the document at ``url`` and refuse it when its ``id`` names another URL.

    A document's ``id`` is its own claim: a document fetched at one URL that says it is another
    (say, a victim issuer's) proves nothing about that other. Without ``id`` the fetch URL stands.
    """
    doc = resolver.fetch_json(url)
    doc_id = doc.get("id")
    if doc_id is not None and (not isinstance(doc_id, str) or _doc_url(doc_id) != url):
        raise KeyRejectedError(f"the document at {url} says it is {doc_id!r}")
    return doc


def resolve_verification_method(
    vm_url: str,
    resolver: Resolver | None,
    *,
    purpose: str = "assertionMethod",
) -> ResolvedKey:
    """The public key a Data Integrity ``verificationMethod`` names, and who it *claims* to be
    controlled by — which proves nothing: :func:`prove_issuer_key` decides whether the key is the
    issuer's.

    Handled, in order: ``did:key``, ``did:jwk``, ``did:web`` (DID document fetched through
    ``resolver``, its ``id`` equal to the DID, the method listed in ``purpose``),
    ``<controller>#<multibase>`` (key taken from the fragment, nothing fetched), and any other
    https URL: a controller document containing the method, or a standalone Multikey / JWK
    document; either must carry the ``id`` it was fetched at.
    """
    if not isinstance(vm_url, str) or not vm_url:
        raise KeyRejectedError("verificationMethod must be a non-empty string")
    try:
        if vm_url.startswith("did:key:"):
            key = did_key_to_public_key(vm_url)
            return ResolvedKey(key, _doc_url(vm_url), _algo(key), "did:key", vm_url)
        if vm_url.startswith("did:jwk:"):
            key = public_key_from_jwk(did_jwk_decode(vm_url))
            return ResolvedKey(key, _doc_url(vm_url), _algo(key), "did:jwk", vm_url)
    except (DidError, KeyMaterialError) as exc:
        raise KeyRejectedError(str(exc)) from exc
    if vm_url.startswith("did:web:"):
        if resolver is None:
            raise ResolutionError("a resolver is needed for did:web")
        did = _doc_url(vm_url)
        doc = _did_web_document(did, resolver)
        entry = _find_in_document(doc, vm_url, did, purpose=purpose)
        key = _key_from_vm_entry(entry)
        return ResolvedKey(key, did, _algo(key), "did:web", vm_url)
    if vm_url.startswith("did:"):
        raise KeyRejectedError(f"unsupported DID method in {vm_url.split(':')[1]!r}")

    scheme = urllib.parse.urlsplit(vm_url).scheme
    if scheme not in {"https", "http", "urn"}:
        raise KeyRejectedError(f"unsupported verification method URL scheme {scheme!r}")

    frag = _fragment_multibase(vm_url)
    if frag is not None:
        controller, key = frag
        return ResolvedKey(key, controller, _algo(key), "fragment-multibase", vm_url)

    if resolver is None:
        raise ResolutionError(f"a resolver is needed to dereference {vm_url}")
    doc_url = _doc_url(vm_url)
    doc = _fetch_own_document(doc_url, resolver)
    if "verificationMethod" in doc or "assertionMethod" in doc:
        entry = _find_in_document(doc, vm_url, doc_url, purpose=purpose)
        key = _key_from_vm_entry(entry)
        return ResolvedKey(key, doc_url, _algo(key), "controller-document", vm_url)
    # standalone Multikey / JsonWebKey document: its controller is only a claim
    if doc.get("id") not in (vm_url, None):
        raise KeyRejectedError("key document id does not match the verification method")
    key = _key_from_vm_entry(doc)
    ctrl = doc.get("controller")
    return ResolvedKey(
        key, str(ctrl) if isinstance(ctrl, str) else None, _algo(key), "key-document", vm_url
    )


def _did_web_document(did: str, resolver: Resolver) -> dict[str, Any]:
    try:
        url = did_web_to_url(did)
    except DidError as exc:
        raise KeyRejectedError(str(exc)) from exc
    doc = resolver.fetch_json(url)
    if doc.get("id") != did:
        raise KeyRejectedError(f"DID document at {url} is for {doc.get('id')!r}, not {did}")
    return doc


# --------------------------------------------------------------------------- key provenance

ProvenanceState = Literal["passed", "failed", "unknown"]


@dataclass(frozen=True, slots=True)
class KeyProvenance:
    """Whether a key is proven to be an issuer's: ``passed``, ``failed`` (proven not to be, or
    nothing could ever prove it), ``unknown`` (the issuer's document could not be fetched)."""

    state: ProvenanceState
    code: str
    message: str

    @property
    def proven(self) -> bool:
        """True only when the issuer's own publication vouches for the key."""
        return self.state == "passed"


def _same_key(a: PublicKey, b: PublicKey) -> bool:
    try:
        return bool(a == b)
    except TypeError:
        return False


def _issuer_document(issuer: str, resolver: Resolver) -> dict[str, Any]:
    """The issuer's own document: its DID document, or the document served at its https id."""
    if issuer.startswith("did:web:"):
        return _did_web_document(_doc_url(issuer), resolver)
    return _fetch_own_document(_doc_url(issuer), resolver)


def _listed_key(
    doc: Mapping[str, Any], key: ResolvedKey, issuer: str, purpose: str
) -> KeyProvenance:
    """Does the issuer's ``doc`` list ``key`` under ``purpose``, with the same key material?"""
    doc_id = _doc_url(issuer)
    vm = key.verification_method
    listed = {_absolute(i, doc_id) for i in _ids(doc.get(purpose, []))}
    if vm not in listed:
        return KeyProvenance(
            "failed",
            "controller_mismatch",
            f"The issuer's document ({issuer}) does not list {vm} under {purpose}.",
        )
    entries = _method_entries(doc, doc_id, ("verificationMethod", purpose))
    entry = next((e for i, e in entries if i == vm), None)
    if entry is not None and ("publicKeyMultibase" in entry or "publicKeyJwk" in entry):
        try:
            listed_key = _key_from_vm_entry(entry)
        except KeyRejectedError as exc:
            return KeyProvenance("failed", "controller_mismatch", str(exc))
        if not _same_key(listed_key, key.public_key):
            return KeyProvenance(
                "failed",
                "controller_mismatch",
                f"The issuer's document lists {vm} with another key than the one that signed.",
            )
        return KeyProvenance(
            "passed",
            "controller_matches",
            f"The signing key is listed by the issuer's own document ({issuer}).",
        )
    # listed by reference only: the key material came from dereferencing ``vm`` itself, which
    # must be a document fetched at its own id (or a self-certifying DID) naming the issuer
    if key.method in {"did:key", "did:jwk", "did:web", "controller-document", "key-document"}:
        if key.method in {"controller-document", "key-document"} and key.controller not in (
            None,
            issuer,
        ):
            return KeyProvenance(
                "failed",
                "controller_mismatch",
                f"The key document of {vm} names another controller ({key.controller!r}).",
            )
        return KeyProvenance(
            "passed",
            "controller_matches",
            f"The signing key is listed by the issuer's own document ({issuer}).",
        )
    return KeyProvenance(
        "failed", "controller_mismatch", f"The issuer's document does not describe the key {vm}."
    )


def prove_issuer_key(
    key: ResolvedKey,
    issuer: str | None,
    resolver: Resolver | None,
    *,
    purpose: str = "assertionMethod",
) -> KeyProvenance:
    """THE key-provenance rule, for credentials, endorsements and status lists alike.

    A verification method is the issuer ``I``'s only when ``I`` says so:

    * ``I`` is a ``did:key`` / ``did:jwk`` and the key is that very DID (self-certifying);
    * otherwise ``I``'s own document — its DID document (``did:web``), or the JSON document
      served at ``I``'s https id, whose ``id`` must equal the URL it came from — lists the method
      under ``purpose`` (``assertionMethod``) with the key material that signed.

    What a key's own document says (``controller``, ``id``) is a claim and is never believed.
    The issuer's document failing to load is ``unknown`` (could not check); loaded and silent,
    or an issuer with no document at all (``urn:``), is ``failed``.
    """
    if not issuer:
        return KeyProvenance("failed", "no_issuer", "The credential has no issuer id.")
    if issuer.startswith(("did:key:", "did:jwk:")):
        if key.method in {"did:key", "did:jwk"} and key.controller == _doc_url(issuer):
            return KeyProvenance("passed", "did_matches", "The key is the issuer's own DID.")
        return KeyProvenance(
            "failed",
            "controller_mismatch",
            f"The signing key is not the issuer's DID ({_doc_url(issuer)}).",
        )
    scheme = urllib.parse.urlsplit(issuer).scheme
    if not issuer.startswith("did:web:") and scheme not in {"https", "http"}:
        return KeyProvenance(
            "failed",
            "controller_mismatch",
            f"The issuer id {issuer!r} has no document that could list its keys.",
        )
    if resolver is None:
        return KeyProvenance(
            "unknown", "key_provenance_unverified", "The issuer's document could not be fetched."
        )
    try:
        doc = _issuer_document(issuer, resolver)
    except KeyRejectedError as exc:
        return KeyProvenance("failed", "controller_mismatch", str(exc))
    except DocumentNotFoundError as exc:
        return KeyProvenance(
            "failed",
            "controller_mismatch",
            f"The issuer's address has no document listing keys ({exc}).",
        )
    except ResolutionError as exc:
        return KeyProvenance(
            "unknown",
            "key_provenance_unverified",
            f"The issuer's document could not be fetched ({exc}); the key is unconfirmed.",
        )
    return _listed_key(doc, key, issuer, purpose)


def _authority(url: str) -> str | None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def prove_jwt_issuer_key(
    key: ResolvedKey, issuer: str | None, resolver: Resolver | None
) -> KeyProvenance:
    """The same rule for a VC-JWT key (OB 3.0 §8.2): a ``kid`` naming a verification method
    follows :func:`prove_issuer_key`; a key from a JWK Set or JWK URL counts only when served
    from the issuer's own origin; an embedded ``jwk`` only when the JWKS at the issuer's origin
    (``/.well-known/jwks.json``) or the issuer's document lists the same key. A JWK's ``iss``
    member naming another issuer fails it (several issuers may share one origin)."""
    if not issuer:
        return KeyProvenance("failed", "no_issuer", "The credential has no issuer id.")
    if key.method in {"jwks", "jwk-url", "embedded-jwk"} and key.controller not in (None, issuer):
        return KeyProvenance(
            "failed", "jwk_iss_mismatch", f"The key is declared for {key.controller!r}."
        )
    if key.method not in {"jwks", "jwk-url", "embedded-jwk"}:
        return prove_issuer_key(key, issuer, resolver)
    issuer_auth = _authority(issuer)
    if key.method in {"jwks", "jwk-url"}:
        if issuer_auth and _authority(key.verification_method) == issuer_auth:
            return KeyProvenance(
                "passed", "kid_authority", "The key is published under the issuer's domain."
            )
        return KeyProvenance(
            "failed",
            "controller_mismatch",
            "The key is not published under the issuer's domain.",
        )
    if issuer_auth is None:
        return KeyProvenance(
            "failed", "controller_mismatch", "The embedded key could not be matched to the issuer."
        )
    if resolver is None:
        return KeyProvenance(
            "unknown",
            "key_provenance_unverified",
            "The embedded key could not be matched to the issuer.",
        )
    jwks_proof, jwks_unreachable = _embedded_in_jwks(key, issuer, issuer_auth, resolver)
    if jwks_proof is not None:
        return jwks_proof
    doc_proof, doc_unreachable = _embedded_in_document(key, issuer, resolver)
    if doc_proof is not None:
        return doc_proof
    if jwks_unreachable and doc_unreachable:
        return KeyProvenance(
            "unknown",
            "key_provenance_unverified",
            "The issuer's keys could not be fetched; the embedded key is unconfirmed.",
        )
    return KeyProvenance(
        "failed", "controller_mismatch", "The embedded key is not one the issuer publishes."
    )


def _embedded_in_jwks(
    key: ResolvedKey, issuer: str, issuer_auth: str, resolver: Resolver
) -> tuple[KeyProvenance | None, bool]:
    """An embedded JWK listed in the JWKS at the issuer's origin (``passed``), else None; and
    whether that JWKS could not be fetched."""
    unreachable = False
    try:
        published = resolver.fetch_json(issuer_auth + "/.well-known/jwks.json")
    except DocumentNotFoundError:
        published = {}
    except ResolutionError:
        unreachable, published = True, {}
    keys = published.get("keys")
    for jwk in keys if isinstance(keys, list) else []:
        if not isinstance(jwk, dict) or jwk.get("iss") not in (None, issuer):
            continue
        try:
            if _same_key(public_key_from_jwk(jwk), key.public_key):
                return KeyProvenance(
                    "passed",
                    "jwk_in_issuer_jwks",
                    "The embedded key is listed in the issuer's JWKS.",
                ), unreachable
        except (KeyMaterialError, ValueError):
            continue
    return None, unreachable


def _embedded_in_document(
    key: ResolvedKey, issuer: str, resolver: Resolver
) -> tuple[KeyProvenance | None, bool]:
    """An embedded JWK listed as an assertion method by the issuer's own document
    (``passed``), else None; and whether that document could not be fetched."""
    unreachable = False
    try:
        doc = _issuer_document(issuer, resolver)
    except (KeyRejectedError, DocumentNotFoundError):
        doc = {}
    except ResolutionError:
        unreachable, doc = True, {}
    doc_id = _doc_url(issuer)
    listed = {_absolute(i, doc_id) for i in _ids(doc.get("assertionMethod", []))}
    for vm_id, entry in _method_entries(doc, doc_id, ("verificationMethod", "assertionMethod")):
        if vm_id not in listed:
            continue
        try:
            if _same_key(_key_from_vm_entry(entry), key.public_key):
                return KeyProvenance(
                    "passed",
                    "controller_matches",
                    f"The embedded key is listed by the issuer's own document ({issuer}).",
                ), unreachable
        except KeyRejectedError:
            continue
    return None, unreachable

def resolve_jwt_kid(kid: str, resolver: Resolver | None) -> ResolvedKey:
    """Public key for a JWT ``kid``.

    Accepted: a DID URL (``did:key``, ``did:jwk``, ``did:web`` -> the key's JWK/multikey), an
    https URL whose body is one JWK, an https URL of a JWKS with ``#<kid>`` selecting the key, or
    an https controller document listing the method. ``controller`` is set to the DID, or to the
    JWK's ``iss`` member when present (multi-issuer platforms), else None.
    """
    if kid.startswith("did:"):
        return resolve_verification_method(kid, resolver)
    scheme = urllib.parse.urlsplit(kid).scheme
    if scheme not in {"https", "http"}:
        raise KeyRejectedError("JWT kid must be a DID or an https URL")
    if resolver is None:
        raise ResolutionError("a resolver is needed to dereference the JWT kid")
    doc_url, _, fragment = kid.partition("#")
    doc = resolver.fetch_json(doc_url)
    try:
        if isinstance(doc.get("keys"), list):
            matches = [
                k
                for k in doc["keys"]
                if isinstance(k, dict) and fragment and k.get("kid") in (fragment, kid)
            ]
            if len(matches) != 1:
                raise KeyRejectedError(f"JWKS at {doc_url} has no unique key {fragment!r}")
            jwk = matches[0]
            key = public_key_from_jwk(jwk)
            ctrl = jwk.get("iss")
            return ResolvedKey(
                key, ctrl if isinstance(ctrl, str) else None, _algo(key), "jwks", kid
            )
        if "kty" in doc:
            key = public_key_from_jwk(doc)
            ctrl = doc.get("iss")
            return ResolvedKey(
                key, ctrl if isinstance(ctrl, str) else None, _algo(key), "jwk-url", kid
            )
    except KeyMaterialError as exc:
        raise KeyRejectedError(str(exc)) from exc
    return resolve_verification_method(kid, resolver)
