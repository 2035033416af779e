"""Proof sets and chains (VC Data Integrity 1.0 §4.5) in the library: every proof verifies, a
chained proof covers the proofs it names, a broken link breaks what builds on it (transitively),
and a link this verifier cannot check makes what builds on it "could not check", not "failed".

The chains are built here with badger's own hashing (the independent check is
``tests/verification/test_vc_api_any_vc.py`` with the W3C CCG vectors): this file is about what
the verifier concludes from each shape of chain, which no published vector covers.
"""

from __future__ import annotations

import copy
from typing import Any

import base58

from badger.ob3 import verify_credential, verify_proof
from badger.ob3.dataintegrity import MAX_PROOFS, hash_data, proofs_of

from ._factory import NOW, key, resolver, signed, vm


def _link(doc: dict[str, Any], n: int, pid: str, previous: Any = None) -> dict[str, Any]:
    """``doc`` with one more eddsa-rdfc-2022 proof (id ``pid``, by key ``n``) over the document
    plus the proofs ``previous`` names — as the spec's Add Proof does for a chain."""
    proofs = proofs_of(doc)
    config: dict[str, Any] = {
        "id": pid,
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-01-02T00:00:00Z",
        "verificationMethod": vm(key("Ed25519", n)),
        "proofPurpose": "assertionMethod",
    }
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    if previous is not None:
        config["previousProof"] = previous
        wanted = previous if isinstance(previous, list) else [previous]
        unsecured["proof"] = [p for p in proofs if p.get("id") in wanted]
    signature = key("Ed25519", n).sign(hash_data(unsecured, config))
    proof = {**config, "proofValue": "z" + base58.b58encode(signature).decode()}
    return {**copy.deepcopy(doc), "proof": [*copy.deepcopy(proofs), proof]}


def _base() -> dict[str, Any]:
    doc = signed()
    doc.pop("proof")
    return doc


def _codes(doc: dict[str, Any]) -> list[str]:
    return [o.code for o in verify_proof(doc, resolver()).outcomes]


def test_chain_of_three_verifies() -> None:
    doc = _link(_link(_link(_base(), 0, "urn:p:a"), 0, "urn:p:b", "urn:p:a"), 0, "urn:p:c",
                ["urn:p:b"])
    assert verify_proof(doc, resolver()).verified
    assert verify_credential(doc, resolver=resolver(), now=NOW).verified


def test_a_broken_link_breaks_every_proof_built_on_it() -> None:
    first = _link(_base(), 0, "urn:p:a")
    first["proof"][0]["proofValue"] = "z" + "2" * 86  # A no longer verifies...
    # ...and B, C were signed over the broken A: their own signatures hold, the chain does not
    doc = _link(_link(first, 0, "urn:p:b", "urn:p:a"), 0, "urn:p:c", "urn:p:b")
    assert _codes(doc) == ["signature_invalid", "previous_proof_invalid", "previous_proof_invalid"]
    report = verify_credential(doc, resolver=resolver(), now=NOW)
    proof = report.check("proof")
    assert proof is not None and (proof.state, proof.code) == ("failed", "signature_invalid")


def test_a_link_the_verifier_cannot_check_makes_the_chain_undetermined() -> None:
    foreign = {
        "id": "urn:p:x",
        "type": "DataIntegrityProof",
        "cryptosuite": "bbs-2023",
        "verificationMethod": vm(),
        "proofPurpose": "assertionMethod",
        "proofValue": "u2V0AhVhA",
    }
    doc = _link({**_base(), "proof": [foreign]}, 0, "urn:p:b", "urn:p:x")
    assert _codes(doc) == ["proof_unsupported", "proof_unsupported"]
    report = verify_credential(doc, resolver=resolver(), now=NOW)
    assert report.state == "unknown", report.to_dict()["checks"]


def test_previous_proof_must_name_existing_proofs_with_strings() -> None:
    doc = _link(_link(_base(), 0, "urn:p:a"), 0, "urn:p:b", ["urn:p:a", "urn:p:zz"])
    assert _codes(doc) == ["proof_valid", "previous_proof_missing"]
    odd = _link(_base(), 0, "urn:p:a")
    odd["proof"][0]["previousProof"] = 12
    assert _codes(odd) == ["proof_malformed"]


def test_an_unchained_second_proof_covers_the_document_only() -> None:
    """Without previousProof a second proof is a proof-set member: removing the first leaves a
    credential that still verifies, and each must verify on its own."""
    doc = _link(_link(_base(), 0, "urn:p:a"), 1, "urn:p:b")
    assert _codes(doc) == ["proof_valid", "controller_mismatch"]  # key 1 is not the issuer's
    assert verify_proof(doc, resolver()).verified
    alone = {**doc, "proof": [doc["proof"][0]]}
    assert verify_proof(alone, resolver()).verified


class _Counting:
    """A resolver that counts what is asked of it."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, 0

    def fetch_json(self, url: str) -> Any:
        self.calls += 1
        return self.inner.fetch_json(url)

    def fetch_bytes(self, url: str, **kw: Any) -> Any:
        self.calls += 1
        return self.inner.fetch_bytes(url, **kw)


def test_a_flood_of_proofs_is_refused_before_any_key_is_fetched() -> None:
    """Each proof may send the verifier to another key URL, and each chained one canonicalises
    the document again: a few kilobytes of proofs must not buy minutes of work."""
    doc = signed()
    genuine = doc["proof"][0]
    flood = [{**genuine, "id": f"urn:p:{n}", "previousProof": [f"urn:p:{m}" for m in range(n)],
              "verificationMethod": f"https://elsewhere.example/keys/{n}"}
             for n in range(MAX_PROOFS + 1)]
    counting = _Counting(resolver())
    result = verify_proof({**doc, "proof": [genuine, *flood]}, counting)
    assert not result.verified and result.code == "too_many_proofs"
    assert counting.calls == 0
    report = verify_credential({**doc, "proof": [genuine, *flood]}, resolver=counting, now=NOW)
    assert report.state == "failed" and report.check("proof").code == "too_many_proofs"
    # the limit leaves room for real proof sets
    assert verify_proof({**doc, "proof": [genuine] * MAX_PROOFS}, resolver()).verified


def test_previous_proof_naming_one_id_many_times_is_read_once() -> None:
    doc = _link(_base(), 0, "urn:p:a")
    pid = "urn:p:b"
    doc = _link(doc, 0, pid, ["urn:p:a"])
    repeated = copy.deepcopy(doc)
    repeated["proof"][1]["previousProof"] = ["urn:p:a"] * 5000
    # previousProof is a set of ids (RDF keeps one of each): still the one previous proof the
    # signature covers, not 5,000 copies of it to canonicalise
    assert verify_proof(repeated, resolver()).verified
