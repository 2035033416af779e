"""Data Integrity proofs: ``eddsa-rdfc-2022`` (sign and verify) and legacy suites (verify).

Why: this is the embedded proof the 1EdTech conformance suite requires (FACTS 3.2). The
algorithm is implemented exactly as W3C vc-di-eddsa specifies and reproduces both official test
vectors byte for byte:

1. proofConfig = the proof options without ``proofValue``, with ``@context`` set to the
   document's ``@context``;
2. hashData = SHA-256(RDFC-1.0(proofConfig)) || SHA-256(RDFC-1.0(document without ``proof``));
3. proofValue = ``z`` + base58btc(Ed25519(hashData)).

Legacy suites verified (not issued): ``DataIntegrityProof``/``eddsa-2022`` (same algorithm,
URDNA2015 being RDFC-1.0's former name) and ``Ed25519Signature2020`` (VCDM 1.1 era). For
the latter, W3C vc-di-eddsa's legacy section and the Digital Bazaar / ACA-Py implementations use
the same transformation, hashing (proof-config hash first) and ``z``-base58btc serialisation;
we follow that, with the proof type checked instead of ``cryptosuite``, and the document must
list the suite's context (``https://w3id.org/security/suites/ed25519-2020/v1``), as Digital
Bazaar's suite requires before it looks at such a proof.

Several proofs (VC Data Integrity 1.0 §4.5, "Verify Proof Sets and Chains"): every proof must
verify — one that fails outright fails the set; a proof of a kind this verifier does not
implement is "could not check" (the caller says so beside a verified one). A proof naming
``previousProof`` (a string or a list of proof ids) is verified over the document *plus* the
proofs it names, which must exist and verify themselves (a proof chain).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from .b58 import b58decode, b58encode
from .jsonld import (
    DocumentExpansion,
    JsonLdProcessingError,
    UndefinedTermError,
    canonicalize,
    canonicalize_unsecured,
)
from .keys import KeyAlgorithm, SigningKey, verify_signature
from .loader import OfflineLoader, default_loader
from .resolver import (
    KeyProvenance,
    KeyRejectedError,
    ResolutionError,
    ResolvedKey,
    Resolver,
    prove_issuer_key,
    resolve_verification_method,
)

__all__ = [
    "CRYPTOSUITE",
    "LEGACY_CRYPTOSUITES",
    "MAX_PROOFS",
    "PROOF_TYPE",
    "UNDETERMINED_CODES",
    "ProofError",
    "ProofOutcome",
    "ProofResult",
    "format_datetime",
    "hash_data",
    "issuer_id",
    "proofs_of",
    "sign",
    "verify_proof",
]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
LEGACY_CRYPTOSUITES = frozenset({"eddsa-2022"})
ED25519_2020 = "Ed25519Signature2020"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
#: Proofs one document may carry. Each may send the verifier to another key URL and each
#: chained one canonicalises the document again: without a bound, a few kilobytes of proofs
#: buy minutes of work and hundreds of outbound fetches. Real proof sets have a handful.
MAX_PROOFS = 16

#: Outcome codes that say nothing about the credential, only about this verifier: a proof type
#: or cryptosuite it does not implement (ecdsa-sd-2023, bbs-2023, ecdsa-rdfc-2019…) or a key
#: that could not be fetched. Such a proof is "could not check", never "failed" — unless another
#: proof of the same credential fails outright (an altered credential stays "failed" whatever
#: proof of an unknown kind is added to it).
UNDETERMINED_CODES = frozenset({"proof_unsupported", "key_unresolved"})

_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)


class ProofError(ValueError):
    """A proof cannot be created (bad key, bad document, undefined terms...)."""


def format_datetime(value: datetime) -> str:
    """UTC, seconds precision, ``Z`` suffix: the form every verifier parses identically."""
    if value.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: Any) -> datetime | None:
    """Parse an XML Schema dateTime with timezone; None if malformed."""
    if not isinstance(value, str) or not _DATETIME_RE.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC)


def issuer_id(document: Mapping[str, Any]) -> str | None:
    """The issuer id, whether ``issuer`` is a string or a Profile object."""
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def proofs_of(document: Mapping[str, Any]) -> list[Any]:
    """``proof`` as a list (verifiers accept a single object too, PITFALLS 4)."""
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def _unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "proof"}


def _copy_json(value: Any) -> Any:
    """``copy.deepcopy`` of a JSON value, several times faster (other types: deepcopy)."""
    kind = type(value)
    if kind is dict:
        return {k: _copy_json(v) for k, v in value.items()}
    if kind is list:
        return [_copy_json(v) for v in value]
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    return copy.deepcopy(value)


def hash_data(
    unsecured_document: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    *,
    loader: OfflineLoader | None = None,
    canonical_document: str | None = None,
) -> bytes:
    """SHA-256(canon(proofConfig)) || SHA-256(canon(document)); undefined terms refused."""
    ldr = loader or default_loader()
    config = {k: v for k, v in proof_config.items() if k != "proofValue"}
    config["@context"] = copy.deepcopy(unsecured_document.get("@context"))
    canon_config = canonicalize(config, loader=ldr)
    if canonical_document is None:
        canonical_document = canonicalize(unsecured_document, loader=ldr)
    return (
        hashlib.sha256(canon_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def sign(
    document: Mapping[str, Any],
    key: SigningKey,
    verification_method: str,
    *,
    created: datetime | None = None,
    proof_purpose: str = "assertionMethod",
    loader: OfflineLoader | None = None,
) -> dict[str, Any]:
    """Return a NEW document with an ``eddsa-rdfc-2022`` proof appended to a ``proof`` array.

    Existing proofs are kept (proof set); the new proof signs the document without them.
    Raises :class:`~badger.ob3.jsonld.UndefinedTermError` if a term would escape the signature.
    """
    if key.algorithm is not KeyAlgorithm.ED25519:
        raise ProofError("eddsa-rdfc-2022 needs an Ed25519 key")
    if key.retired:
        raise ProofError(f"key {key.key_id} is retired and must not sign")
    if not isinstance(document.get("@context"), list | str):
        raise ProofError("the document has no @context")
    when = created or datetime.now(UTC)
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "created": format_datetime(when),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
    }
    unsecured = _unsecured(document)
    try:
        data = hash_data(unsecured, proof, loader=loader)
    except JsonLdProcessingError as exc:
        raise ProofError(str(exc)) from exc
    proof["proofValue"] = "z" + b58encode(key.sign(data))
    signed: dict[str, Any] = _copy_json(dict(document))
    signed["proof"] = [*_copy_json(proofs_of(document)), proof]
    return signed


@dataclass(frozen=True, slots=True)
class ProofOutcome:
    """What happened to one proof.

    ``binding`` is the key-provenance verdict (:func:`badger.ob3.resolver.prove_issuer_key`)
    for a proof whose signature is valid: ``passed``, ``failed`` or ``unknown`` (the issuer's
    document could not be fetched); None when no issuer was expected or the signature failed.
    """

    index: int
    proof_type: str
    cryptosuite: str | None
    verification_method: str | None
    signature_valid: bool
    controller: str | None
    controller_matches: bool | None
    code: str
    message: str
    key: ResolvedKey | None = None
    binding: KeyProvenance | None = None

    @property
    def verified(self) -> bool:
        """Signature valid and, when an issuer was expected, its key proven to be the issuer's."""
        if not self.signature_valid:
            return False
        return self.binding is None or self.binding.proven

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary."""
        return {
            "index": self.index,
            "type": self.proof_type,
            "cryptosuite": self.cryptosuite,
            "verificationMethod": self.verification_method,
            "signatureValid": self.signature_valid,
            "controller": self.controller,
            "controllerMatches": self.controller_matches,
            "keyResolution": self.key.method if self.key else None,
            "keyProvenance": self.binding.state if self.binding else None,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class ProofResult:
    """Outcome of checking every embedded proof: each must verify (a proof set), and one of
    them must be bound to the expected controller (the issuer's own proof)."""

    outcomes: tuple[ProofOutcome, ...] = field(default_factory=tuple)
    code: str = "proof_missing"
    message: str = "The credential has no embedded proof."

    @property
    def failed(self) -> ProofOutcome | None:
        """The first proof that fails outright (not one this verifier could not check)."""
        undetermined = UNDETERMINED_CODES
        return next(
            (o for o in self.outcomes if not o.signature_valid and o.code not in undetermined),
            None,
        )

    @property
    def unchecked(self) -> tuple[ProofOutcome, ...]:
        """The proofs this verifier could not check (unknown suite, key not fetched)."""
        return tuple(o for o in self.outcomes if o.code in UNDETERMINED_CODES)

    @property
    def verified(self) -> bool:
        """True if no proof fails and one is valid and bound to the expected controller."""
        return self.failed is None and any(o.verified for o in self.outcomes)

    @property
    def best(self) -> ProofOutcome | None:
        """The proof that decides the result: first verified, else first valid whose key could
        not be checked (it may yet be the issuer's), else first valid, else first."""
        for pick in (
            lambda o: o.verified,
            lambda o: o.signature_valid and o.binding is not None and o.binding.state == "unknown",
            lambda o: o.signature_valid,
            lambda o: True,
        ):
            for o in self.outcomes:
                if pick(o):
                    return o
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary."""
        return {
            "verified": self.verified,
            "code": self.code,
            "message": self.message,
            "proofs": [o.to_dict() for o in self.outcomes],
        }


def _outcome(index: int, proof: Any, code: str, message: str, **kw: Any) -> ProofOutcome:
    p = proof if isinstance(proof, Mapping) else {}
    vm = p.get("verificationMethod")
    return ProofOutcome(
        index=index,
        proof_type=str(p.get("type", "")),
        cryptosuite=p.get("cryptosuite") if isinstance(p.get("cryptosuite"), str) else None,
        verification_method=vm if isinstance(vm, str) else None,
        signature_valid=kw.pop("signature_valid", False),
        controller=kw.pop("controller", None),
        controller_matches=kw.pop("controller_matches", None),
        code=code,
        message=message,
        key=kw.pop("key", None),
        binding=kw.pop("binding", None),
    )


def _check_one(
    index: int,
    proof: Any,
    unsecured: Mapping[str, Any],
    canonical_doc: str,
    resolver: Resolver | None,
    expected_controller: str | None,
    loader: OfflineLoader,
) -> ProofOutcome:
    if not isinstance(proof, Mapping):
        return _outcome(index, proof, "proof_malformed", "The proof is not a JSON object.")
    refused = _refused_options(index, proof)
    if refused is not None:
        return refused
    if proof.get("type") == ED25519_2020 and not _lists_context(unsecured, ED25519_2020_CONTEXT):
        return _outcome(
            index,
            proof,
            "proof_malformed",
            f"An Ed25519Signature2020 proof needs the {ED25519_2020_CONTEXT} context.",
        )
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return _outcome(
            index, proof, "proof_malformed", "The proof value is missing or not base58."
        )
    try:
        signature = b58decode(value[1:])
    except ValueError:
        return _outcome(index, proof, "proof_malformed", "The proof value is not valid base58.")
    vm = proof.get("verificationMethod")
    try:
        resolved = resolve_verification_method(str(vm or ""), resolver)
    except KeyRejectedError as exc:
        return _outcome(index, proof, "key_rejected", f"The signing key was rejected: {exc}")
    except ResolutionError as exc:
        return _outcome(
            index, proof, "key_unresolved", f"The signing key could not be resolved: {exc}"
        )
    if not isinstance(resolved.public_key, ed25519.Ed25519PublicKey):
        return _outcome(
            index, proof, "key_type", "The verification method is not an Ed25519 key.", key=resolved
        )
    try:
        data = hash_data(unsecured, proof, loader=loader, canonical_document=canonical_doc)
    except UndefinedTermError as exc:
        return _outcome(index, proof, "undefined_terms", f"The proof options use {exc}")
    except JsonLdProcessingError as exc:
        return _outcome(index, proof, "jsonld_error", str(exc))
    valid = verify_signature(resolved.public_key, signature, data)
    if not valid:
        return _outcome(
            index,
            proof,
            "signature_invalid",
            "The signature does not match the credential: it was altered or signed by another key.",
            controller=resolved.controller,
            key=resolved,
        )
    return _valid_signature(index, proof, resolved, expected_controller, resolver)


def _lists_context(document: Mapping[str, Any], url: str) -> bool:
    ctx = document.get("@context")
    return ctx == url or (isinstance(ctx, list) and url in ctx)


def _refused_options(index: int, proof: Mapping[str, Any]) -> ProofOutcome | None:
    """The outcome for a proof whose type, cryptosuite, purpose or date this verifier does not
    accept (before any key is fetched); None when they are acceptable."""
    ptype = proof.get("type")
    suite = proof.get("cryptosuite")
    if not isinstance(ptype, str) or not ptype:
        return _outcome(index, proof, "proof_malformed", "The proof has no type.")
    if ptype == PROOF_TYPE:
        if suite != CRYPTOSUITE and suite not in LEGACY_CRYPTOSUITES:
            return _outcome(
                index, proof, "proof_unsupported", f"Unsupported cryptosuite {suite!r}."
            )
    elif ptype != ED25519_2020:
        return _outcome(index, proof, "proof_unsupported", f"Unsupported proof type {ptype!r}.")
    if proof.get("proofPurpose") != "assertionMethod":
        return _outcome(
            index, proof, "proof_purpose", "The proof purpose must be 'assertionMethod'."
        )
    if "created" in proof and parse_datetime(proof.get("created")) is None:
        return _outcome(index, proof, "proof_created", "The proof creation date is not valid.")
    if "expires" in proof and parse_datetime(proof.get("expires")) is None:
        return _outcome(index, proof, "proof_malformed", "The proof expiry date is not valid.")
    return None


def _valid_signature(
    index: int,
    proof: Mapping[str, Any],
    resolved: ResolvedKey,
    expected_controller: str | None,
    resolver: Resolver | None,
) -> ProofOutcome:
    """The outcome of a valid signature: whether its key is proven to be the issuer's."""
    if expected_controller is None:
        return _outcome(
            index,
            proof,
            "proof_valid",
            "The signature is valid.",
            signature_valid=True,
            controller=resolved.controller,
            key=resolved,
        )
    binding = prove_issuer_key(resolved, expected_controller, resolver)
    if binding.state == "failed":
        return _outcome(
            index,
            proof,
            "controller_mismatch",
            f"The signing key is not proven to be the issuer's ({expected_controller!r}): "
            f"{binding.message}",
            signature_valid=True,
            controller=resolved.controller,
            controller_matches=False,
            key=resolved,
            binding=binding,
        )
    return _outcome(
        index,
        proof,
        "proof_valid" if binding.proven else "key_provenance_unverified",
        "The signature is valid." if binding.proven else binding.message,
        signature_valid=True,
        controller=expected_controller if binding.proven else resolved.controller,
        controller_matches=True if binding.proven else None,
        key=resolved,
        binding=binding,
    )


def _previous_ids(proof: Any) -> list[str] | None:
    """The ids ``proof.previousProof`` names ([] when none); None when malformed."""
    if not isinstance(proof, Mapping) or "previousProof" not in proof:
        return []
    value = proof.get("previousProof")
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, str) and i for i in items):
        return None
    return list(dict.fromkeys(str(i) for i in items))  # a set of ids (RDF keeps one of each)


def _chain_input(
    index: int, proof: Any, proofs: list[Any], unsecured: Mapping[str, Any]
) -> dict[str, Any] | ProofOutcome | None:
    """What a chained proof signs — the document with the proofs it names as ``proof`` —, an
    outcome when its ``previousProof`` is malformed or names no proof, or None (no chain)."""
    ids = _previous_ids(proof)
    if ids is None:
        return _outcome(
            index, proof, "proof_malformed", "previousProof must be a proof id or a list of them."
        )
    if not ids:
        return None
    matching: list[Any] = []
    for wanted in ids:
        found = [p for p in proofs if isinstance(p, Mapping) and p.get("id") == wanted]
        if not found:
            return _outcome(
                index,
                proof,
                "previous_proof_missing",
                f"The previous proof {wanted!r} this proof builds on is not in the document.",
            )
        matching.extend(found)
    return {**unsecured, "proof": copy.deepcopy(matching)}


def _settle_chains(outcomes: list[ProofOutcome], proofs: list[Any]) -> list[ProofOutcome]:
    """A chained proof holds only if every proof it names verifies too (transitively); one
    built on a proof this verifier cannot check is "could not check" itself."""
    by_id: dict[str, list[int]] = {}
    for i, p in enumerate(proofs):
        if isinstance(p, Mapping) and isinstance(p.get("id"), str):
            by_id.setdefault(str(p["id"]), []).append(i)
    for _ in range(len(outcomes)):
        changed = False
        for i, proof in enumerate(proofs):
            if not outcomes[i].signature_valid:
                continue
            named = [j for pid in (_previous_ids(proof) or []) for j in by_id.get(pid, [])]
            broken = [outcomes[j] for j in named if not outcomes[j].signature_valid]
            if not broken:
                continue
            changed = True
            if all(o.code in UNDETERMINED_CODES for o in broken):
                # built on a proof this verifier cannot check: could not check, not failed
                outcomes[i] = _outcome(
                    i,
                    proof,
                    "proof_unsupported",
                    "This proof builds on a previous proof this verifier cannot check.",
                    controller=outcomes[i].controller,
                    key=outcomes[i].key,
                )
            else:
                outcomes[i] = _outcome(
                    i,
                    proof,
                    "previous_proof_invalid",
                    "A previous proof this proof builds on does not verify.",
                    controller=outcomes[i].controller,
                    key=outcomes[i].key,
                )
        if not changed:
            break
    return outcomes


def _check_chained(
    index: int,
    proof: Any,
    chained: Mapping[str, Any],
    resolver: Resolver | None,
    expected: str | None,
    loader: OfflineLoader,
) -> ProofOutcome:
    try:
        canonical = canonicalize(chained, loader=loader)
    except UndefinedTermError as exc:
        return _outcome(index, proof, "undefined_terms", f"The previous proofs use {exc}")
    except JsonLdProcessingError as exc:
        return _outcome(index, proof, "jsonld_error", str(exc))
    return _check_one(index, proof, chained, canonical, resolver, expected, loader)


def verify_proof(
    document: Mapping[str, Any],
    resolver: Resolver | None,
    *,
    expected_controller: str | None = None,
    check_controller: bool = True,
    loader: OfflineLoader | None = None,
    expansion: DocumentExpansion | None = None,
) -> ProofResult:
    """Verify the embedded proofs of ``document`` (``proof`` as an object or an array).

    ``expected_controller`` defaults to the document's issuer id: the verification method's
    controller must equal it (PITFALLS 7). Undefined terms in the document fail every proof.
    Every proof must verify; chained ones (``previousProof``) over the document plus the proofs
    they name. ``expansion``: :func:`badger.ob3.jsonld.expand_document` of this very
    ``document``, when the caller has it (the document is then not expanded again).
    """
    ldr = loader or default_loader()
    proofs = proofs_of(document)
    if not proofs:
        return ProofResult()
    if len(proofs) > MAX_PROOFS:
        message = f"The document carries {len(proofs)} proofs; at most {MAX_PROOFS} are read."
        return ProofResult((_outcome(0, proofs[0], "too_many_proofs", message),),
                           "too_many_proofs", message)
    expected = expected_controller or (issuer_id(document) if check_controller else None)
    unsecured = _unsecured(document)
    try:
        canonical_doc = canonicalize_unsecured(document, expansion, loader=ldr)
    except UndefinedTermError as exc:
        outcomes = tuple(
            _outcome(i, p, "undefined_terms", f"The credential uses {exc}")
            for i, p in enumerate(proofs)
        )
        return ProofResult(outcomes, "undefined_terms", str(exc))
    except JsonLdProcessingError as exc:
        outcomes = tuple(_outcome(i, p, "jsonld_error", str(exc)) for i, p in enumerate(proofs))
        return ProofResult(outcomes, "jsonld_error", str(exc))
    checked: list[ProofOutcome] = []
    for i, p in enumerate(proofs):
        chained = _chain_input(i, p, proofs, unsecured)
        if isinstance(chained, ProofOutcome):
            checked.append(chained)
        elif chained is not None:
            checked.append(_check_chained(i, p, chained, resolver, expected, ldr))
        else:
            checked.append(_check_one(i, p, unsecured, canonical_doc, resolver, expected, ldr))
    result = ProofResult(tuple(_settle_chains(checked, proofs)))
    decisive = result.failed or result.best
    assert decisive is not None
    return ProofResult(result.outcomes, decisive.code, decisive.message)
