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
from typing import Any, Protocol, runtime_checkable

from .dids import (
    DidError,
    did_jwk_decode,
    did_key_to_public_key,
    did_web_to_url,
    multibase_to_public_key,
)
from .keys import KeyAlgorithm, KeyMaterialError, PublicKey, public_key_from_jwk

__all__ = [
    "KeyRejectedError",
    "ResolutionError",
    "ResolvedKey",
    "Resolver",
    "StaticResolver",
    "resolve_jwt_kid",
    "resolve_verification_method",
]


class ResolutionError(Exception):
    """A document or key could not be fetched or did not contain what was expected."""


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
    """A public key with who controls it and how we found it."""

    public_key: PublicKey
    controller: str | None
    algorithm: KeyAlgorithm
    method: str  # 'fragment-multibase', 'did:key', 'did:jwk', 'did:web', 'controller-document',
    # 'jwk-url', 'jwks', 'embedded-jwk'
    verification_method: str
    cross_checked: bool = False


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


def _find_in_document(
    doc: Mapping[str, Any], vm_url: str, doc_id: str, *, purpose: str | None
) -> dict[str, Any]:
    """Find ``vm_url`` among the document's verification methods (and in ``purpose``)."""
    candidates: list[Any] = []
    for field in ("verificationMethod", "assertionMethod", "authentication"):
        value = doc.get(field)
        candidates.extend(value if isinstance(value, list) else [value] if value else [])
    entry: dict[str, Any] | None = None
    for cand in candidates:
        if isinstance(cand, dict) and _absolute(str(cand.get("id", "")), doc_id) == vm_url:
            entry = cand
            break
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


def resolve_verification_method(
    vm_url: str,
    resolver: Resolver | None,
    *,
    purpose: str = "assertionMethod",
) -> ResolvedKey:
    """Public key and controller of a Data Integrity ``verificationMethod``.

    Handled, in order: ``did:key``, ``did:jwk``, ``did:web`` (DID document fetched through
    ``resolver``; the method must be listed in ``purpose``), ``<controller>#<multibase>``
    (key taken from the fragment; when the controller document is resolvable it must list the
    method, otherwise the key is accepted with ``cross_checked=False``), and any other https
    URL: a controller document containing the method, or a standalone Multikey document.
    """
    if not isinstance(vm_url, str) or not vm_url:
        raise KeyRejectedError("verificationMethod must be a non-empty string")
    try:
        if vm_url.startswith("did:key:"):
            key = did_key_to_public_key(vm_url)
            return ResolvedKey(key, vm_url.partition("#")[0], _algo(key), "did:key", vm_url, True)
        if vm_url.startswith("did:jwk:"):
            key = public_key_from_jwk(did_jwk_decode(vm_url))
            return ResolvedKey(key, vm_url.partition("#")[0], _algo(key), "did:jwk", vm_url, True)
    except (DidError, KeyMaterialError) as exc:
        raise KeyRejectedError(str(exc)) from exc
    if vm_url.startswith("did:web:"):
        if resolver is None:
            raise ResolutionError("a resolver is needed for did:web")
        did = vm_url.partition("#")[0]
        try:
            url = did_web_to_url(did)
        except DidError as exc:
            raise KeyRejectedError(str(exc)) from exc
        doc = resolver.fetch_json(url)
        if doc.get("id") != did:
            raise KeyRejectedError(f"DID document at {url} is for {doc.get('id')!r}, not {did}")
        entry = _find_in_document(doc, vm_url, did, purpose=purpose)
        key = _key_from_vm_entry(entry)
        controller = str(entry.get("controller", did))
        return ResolvedKey(key, controller, _algo(key), "did:web", vm_url, True)
    if vm_url.startswith("did:"):
        raise KeyRejectedError(f"unsupported DID method in {vm_url.split(':')[1]!r}")

    scheme = urllib.parse.urlsplit(vm_url).scheme
    if scheme not in {"https", "http", "urn"}:
        raise KeyRejectedError(f"unsupported verification method URL scheme {scheme!r}")

    frag = _fragment_multibase(vm_url)
    if frag is not None:
        controller, key = frag
        cross_checked = False
        if resolver is not None and scheme in {"https", "http"}:
            maybe_doc: dict[str, Any] | None
            try:
                maybe_doc = resolver.fetch_json(controller)
            except ResolutionError:
                maybe_doc = None
            if maybe_doc is not None and (
                "verificationMethod" in maybe_doc or "assertionMethod" in maybe_doc
            ):
                entry = _find_in_document(maybe_doc, vm_url, controller, purpose=purpose)
                if _key_from_vm_entry(entry) != key:
                    raise KeyRejectedError("controller document lists a different key")
                cross_checked = True
        return ResolvedKey(key, controller, _algo(key), "fragment-multibase", vm_url, cross_checked)

    if resolver is None:
        raise ResolutionError(f"a resolver is needed to dereference {vm_url}")
    doc_url = vm_url.partition("#")[0]
    doc = resolver.fetch_json(doc_url)
    if "verificationMethod" in doc or "assertionMethod" in doc:
        doc_id = str(doc.get("id", doc_url))
        entry = _find_in_document(doc, vm_url, doc_id, purpose=purpose)
        key = _key_from_vm_entry(entry)
        controller = str(entry.get("controller", doc_id))
        return ResolvedKey(key, controller, _algo(key), "controller-document", vm_url, True)
    # standalone Multikey / JsonWebKey document
    if doc.get("id") not in (vm_url, None):
        raise KeyRejectedError("key document id does not match the verification method")
    key = _key_from_vm_entry(doc)
    ctrl = doc.get("controller")
    return ResolvedKey(
        key,
        str(ctrl) if isinstance(ctrl, str) else None,
        _algo(key),
        "controller-document",
        vm_url,
        True,
    )


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
                key, ctrl if isinstance(ctrl, str) else None, _algo(key), "jwks", kid, False
            )
        if "kty" in doc:
            key = public_key_from_jwk(doc)
            ctrl = doc.get("iss")
            return ResolvedKey(
                key, ctrl if isinstance(ctrl, str) else None, _algo(key), "jwk-url", kid, False
            )
    except KeyMaterialError as exc:
        raise KeyRejectedError(str(exc)) from exc
    return resolve_verification_method(kid, resolver)
