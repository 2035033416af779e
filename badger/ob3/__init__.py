"""Open Badges 3.0 core: build, sign (eddsa-rdfc-2022, VC-JWT) and verify credentials.

A pure library: no Flask, no database, no network except through an injected
:class:`~badger.ob3.resolver.Resolver`; JSON-LD contexts are bundled and served offline.

Example::

    from badger.ob3 import (KeyAlgorithm, StaticResolver, generate_key, model, sign,
                            verify_credential)

    key = generate_key(KeyAlgorithm.ED25519)
    issuer = model.profile("https://badges.example.fr/issuers/1", name="Association")
    ach = model.achievement("https://badges.example.fr/a/1", name="Accueil",
                            description="Accueillir le public", criteria_narrative="...")
    subject = model.achievement_subject(achievement=ach,
                                        identifiers=[model.identity_object("ana@example.fr")])
    vc = model.open_badge_credential(id=model.new_urn_uuid(), issuer=issuer,
                                     credential_subject=subject, valid_from="2025-01-01T00:00:00Z")
    signed = sign(vc, key, f"{issuer['id']}#{key.public_key_multibase()}")
    report = verify_credential(signed, resolver=StaticResolver())
    assert report.verified, report.to_dict()["checks"]
"""

from . import model
from .dataintegrity import ProofError, ProofOutcome, ProofResult, sign, verify_proof
from .dids import (
    DidError,
    controller_document,
    did_jwk_decode,
    did_jwk_encode,
    did_key_from_public_key,
    did_key_to_public_key,
    did_web_document,
    did_web_from_url,
    did_web_to_url,
    jwks,
    multibase_to_public_key,
    public_key_to_multibase,
)
from .jsonld import (
    JsonLdProcessingError,
    UndefinedTerm,
    UndefinedTermError,
    canonicalize,
    expand_checked,
    find_undefined_terms,
)
from .jwt import JwtError, JwtResult, sign_jwt, verify_jwt
from .keys import (
    KeyAlgorithm,
    KeyMaterialError,
    KeyRing,
    SigningKey,
    generate_key,
    load_key,
    save_key,
)
from .loader import ContextNotFoundError, OfflineLoader, default_loader
from .model import ModelError, hash_identity, identity_object
from .resolver import (
    ResolutionError,
    ResolvedKey,
    Resolver,
    StaticResolver,
    resolve_jwt_kid,
    resolve_verification_method,
)
from .verify import Check, VerificationReport, verify_credential

__all__ = [
    "Check",
    "ContextNotFoundError",
    "DidError",
    "JsonLdProcessingError",
    "JwtError",
    "JwtResult",
    "KeyAlgorithm",
    "KeyMaterialError",
    "KeyRing",
    "ModelError",
    "OfflineLoader",
    "ProofError",
    "ProofOutcome",
    "ProofResult",
    "ResolutionError",
    "ResolvedKey",
    "Resolver",
    "SigningKey",
    "StaticResolver",
    "UndefinedTerm",
    "UndefinedTermError",
    "VerificationReport",
    "canonicalize",
    "controller_document",
    "default_loader",
    "did_jwk_decode",
    "did_jwk_encode",
    "did_key_from_public_key",
    "did_key_to_public_key",
    "did_web_document",
    "did_web_from_url",
    "did_web_to_url",
    "expand_checked",
    "find_undefined_terms",
    "generate_key",
    "hash_identity",
    "identity_object",
    "jwks",
    "load_key",
    "model",
    "multibase_to_public_key",
    "public_key_to_multibase",
    "resolve_jwt_kid",
    "resolve_verification_method",
    "save_key",
    "sign",
    "sign_jwt",
    "verify_credential",
    "verify_jwt",
    "verify_proof",
]
