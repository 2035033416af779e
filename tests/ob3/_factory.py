"""Shared builders for the ob3 tests: keys (generated once per session), credentials, resolvers."""

from __future__ import annotations

import copy
import functools
import json
from datetime import UTC, datetime
from typing import Any

from badger.ob3 import KeyAlgorithm, SigningKey, StaticResolver, generate_key, model, sign
from badger.ob3.dids import controller_document
from tests._shared import SHARED

VECTORS = SHARED / "ob3" / "test-vectors"
ISSUER_ID = "https://badges.example.fr/issuers/asso-1"
OTHER_ISSUER_ID = "https://evil.example.com/issuers/x"
NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
EMAIL = "Ana.Martin@Example.fr"
SALT = "sel-de-guerande"


def load_vector(*parts: str) -> Any:
    path = VECTORS.joinpath(*parts)
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text


@functools.cache
def _key(alg: str, n: int) -> SigningKey:
    return generate_key(KeyAlgorithm(alg), key_id=f"{alg.lower()}-{n}")


def key(alg: str = "Ed25519", n: int = 0) -> SigningKey:
    """Session-wide keys (RSA generation is slow); ``n`` gives distinct keys of one algorithm."""
    return _key(alg, n)


def vm(k: SigningKey | None = None, issuer: str = ISSUER_ID) -> str:
    return f"{issuer}#{(k or key()).public_key_multibase()}"


def issuer_profile(issuer: str = ISSUER_ID) -> dict[str, Any]:
    return model.profile(
        issuer,
        name="Association Passerelles",
        url="https://badges.example.fr",
        email="contact@badges.example.fr",
        image=model.image("https://badges.example.fr/logo.png", caption="Logo"),
    )


def achievement(name: str = "Accueillir le public") -> dict[str, Any]:
    levels = [
        model.rubric_criterion_level("urn:uuid:0f0e0d0c-0000-4000-8000-000000000001", "Débutant"),
        model.rubric_criterion_level("urn:uuid:0f0e0d0c-0000-4000-8000-000000000002", "Confirmé"),
    ]
    rd = model.result_description(
        "urn:uuid:0f0e0d0c-0000-4000-8000-0000000000aa",
        "Niveau atteint",
        "RubricCriterionLevel",
        rubric_criterion_levels=levels,
    )
    return model.achievement(
        "https://badges.example.fr/achievements/accueil",
        name=name,
        description="Accueillir et orienter le public d'une structure.",
        criteria_narrative="Observé en situation par un encadrant.",
        criteria_id="https://badges.example.fr/achievements/accueil/criteres",
        image="https://badges.example.fr/achievements/accueil.png",
        alignments=[
            model.alignment(
                target_name="Accueil",
                target_url="https://case.example.org/uri/1234",
                target_type="CFItem",
                target_code="ACC-1",
            ),
            model.alignment(
                target_name="Niveau 2",
                target_url="https://case.example.org/uri/5678",
                target_type="CFRubricCriterionLevel",
            ),
        ],
        result_descriptions=[rd],
        achievement_type="Competency",
        in_language="fr",
        tags=["accueil", "inclusion"],
        creator=issuer_profile(),
    )


def credential(
    *,
    issuer: str = ISSUER_ID,
    valid_from: str = "2025-01-01T00:00:00Z",
    valid_until: str | None = None,
    status: dict[str, Any] | None = None,
    subject_id: str | None = None,
    name: str = "Badge Accueil",
    achievement_name: str = "Accueillir le public",
    results: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    subject = model.achievement_subject(
        achievement=achievement(achievement_name),
        id=subject_id,
        identifiers=[model.identity_object(EMAIL, salt=SALT)],
        results=results
        if results is not None
        else [
            model.result(
                result_description="urn:uuid:0f0e0d0c-0000-4000-8000-0000000000aa",
                achieved_level="urn:uuid:0f0e0d0c-0000-4000-8000-000000000002",
            ),
            model.result(value="87"),
        ],
        activity_start_date="2024-09-01T00:00:00Z",
        activity_end_date="2024-12-15T00:00:00Z",
        narrative="Stage de trois mois à l'accueil.",
    )
    return model.open_badge_credential(
        id="urn:uuid:8c3a1c2e-4b7d-4f1e-9a0b-1234567890ab",
        issuer=issuer_profile(issuer),
        credential_subject=subject,
        valid_from=valid_from,
        valid_until=valid_until,
        awarded_date="2025-01-01T00:00:00Z",
        name=name,
        description="Délivré par l'association.",
        evidence=[
            model.evidence(
                id="urn:uuid:5e1d7c3a-2b4f-4c8e-9d0a-abcdefabcdef",
                name="Attestation",
                narrative="Fiche d'observation.",
            )
        ],
        credential_status=status,
    )


def signed(
    doc: dict[str, Any] | None = None, k: SigningKey | None = None, **kw: Any
) -> dict[str, Any]:
    k = k or key()
    return sign(doc or credential(**kw), k, vm(k), created=datetime(2025, 1, 1, tzinfo=UTC))


def resolver(*extra: tuple[str, dict[str, Any]]) -> StaticResolver:
    """Resolver serving the issuer's controller document (Ed25519 key 0)."""
    r = StaticResolver({ISSUER_ID: controller_document(ISSUER_ID, [key()])})
    for url, doc in extra:
        r.add(url, doc)
    return r


def mutate(doc: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    cur: Any = out
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value
    return out
