"""JSON-LD expansion of untrusted documents stays cheap: a scoped context inside an inline
context is processed again at every node it applies to, so a few kilobytes of scoped terms
times thousands of nodes would cost minutes of CPU on /credentials/verify or /issue."""

from __future__ import annotations

import time
from typing import Any

import pytest

from badger.ob3.jsonld import MAX_INLINE_SCOPED_TERMS, JsonLdProcessingError, expand_document

V2 = "https://www.w3.org/ns/credentials/v2"


def _doc(scoped_terms: int, nodes: int) -> dict[str, Any]:
    terms = {f"t{i}": f"https://ex.org/t{i}" for i in range(scoped_terms)}
    ctx = {"P": {"@id": "https://ex.org/P", "@context": terms}, "t0": "https://ex.org/t0"}
    return {"@context": [V2, ctx], "type": ["VerifiableCredential"], "issuer": "did:example:1",
            "credentialSubject": {"P": [{"P": [{"t0": "v"}]} for _ in range(nodes)]}}


def test_many_scoped_terms_in_an_inline_context_are_refused_at_once() -> None:
    start = time.monotonic()
    with pytest.raises(JsonLdProcessingError, match="scoped"):
        expand_document(_doc(3000, 300))
    assert time.monotonic() - start < 1.0


def test_nested_inline_context_counts_too() -> None:
    doc = _doc(1, 1)
    doc["credentialSubject"]["@context"] = {
        "Q": {"@id": "https://ex.org/Q",
              "@context": {f"u{i}": f"https://ex.org/u{i}" for i in range(100)}}}
    with pytest.raises(JsonLdProcessingError, match="scoped"):
        expand_document(doc)


def test_a_small_scoped_context_still_expands() -> None:
    expansion = expand_document(_doc(MAX_INLINE_SCOPED_TERMS - 1, 3))
    assert expansion.expanded and not expansion.found
