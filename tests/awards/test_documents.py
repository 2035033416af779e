"""The published documents are well-formed: JSON-LD terms all defined, schemas satisfied."""

from __future__ import annotations

from typing import Any

from badger.ob3 import find_undefined_terms
from badger.ob3.schema import validate_profile


def test_issuer_and_achievement_documents_are_clean(app: Any, achievement: Any,
                                                    resolver: Any) -> None:
    issuer = resolver.fetch_json("http://localhost/issuers/org-a")
    assert find_undefined_terms(issuer) == []
    profile = {k: v for k, v in issuer.items()
               if k not in {"@context", "verificationMethod", "assertionMethod"}}
    assert validate_profile(profile) == []
    did = resolver.fetch_json("http://localhost/issuers/org-a/did.json")
    assert find_undefined_terms(did) == []
    ach = resolver.fetch_json(f"http://localhost/achievements/{achievement.uuid}")
    assert find_undefined_terms(ach) == []
