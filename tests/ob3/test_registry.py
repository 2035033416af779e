"""badger.ob3.registry: the DCC known-issuer registry format (parse, build, sign, look up)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from badger.ob3 import KeyAlgorithm, StaticResolver, generate_key, model, sign
from badger.ob3 import registry as reg
from badger.ob3.dataintegrity import verify_proof
from badger.ob3.dids import controller_document
from badger.ob3.verify import Check, VerificationReport

#: The shape of the DCC's published registries (meta + "registry" keyed by issuer id; an
#: entry has a name, a url and sometimes a location) — written here from the format's
#: description, with made-up issuers.
DCC_SHAPED = {
    "meta": {"created": "2022-10-27T17:57:31+00:00", "updated": "2025-03-25T18:29:52+0000"},
    "registry": {
        "did:key:z6MkpLDL3RoAoMRTwTgo3rs39ZwssfaPKtGdZw7AGRN7CK4W": {
            "name": "Université Exemple", "location": "Lyon, France",
            "url": "https://univ.example.fr"},
        "did:web:credentials.example.org": {"name": "Sans lieu", "url": "https://example.org"},
        "https://badges.example.fr/issuers/asso": {"name": "Asso", "url": "https://asso.fr"},
    },
}


def test_a_dcc_registry_parses_and_looks_issuers_up_exactly() -> None:
    parsed = reg.parse_registry(DCC_SHAPED, source="https://r.example/registry.json")
    assert set(parsed.entries) == set(DCC_SHAPED["registry"])
    entry = parsed.entry("did:web:credentials.example.org")
    assert entry is not None and entry.name == "Sans lieu" and entry.location is None
    assert parsed.entry("did:web:credentials.example.org:evil") is None
    assert parsed.entry("https://badges.example.fr/issuers/ASSO") is None
    assert parsed.entry(None) is None
    # the DCC client's in-memory name for the keyed object is accepted too
    alt = {"meta": DCC_SHAPED["meta"], "entries": DCC_SHAPED["registry"]}
    assert reg.parse_registry(alt, source="x").entries == parsed.entries


@pytest.mark.parametrize("mutate", [
    lambda d: d.pop("meta"),
    lambda d: d.pop("registry"),
    lambda d: d.__setitem__("registry", ["did:key:z6Mk"]),
    lambda d: d["meta"].__setitem__("created", "yesterday"),
    lambda d: d["meta"].pop("updated"),
    lambda d: d["registry"].__setitem__("no-colon", {"name": "X"}),
    lambda d: d["registry"].__setitem__("did:web:x", {"url": "https://x"}),
    lambda d: d["registry"].__setitem__("did:web:x", {"name": "  "}),
    lambda d: d["registry"].__setitem__("did:web:x", {"name": "X", "url": 3}),
    lambda d: d["registry"].__setitem__("did:web:x", "X"),
    lambda d: d["registry"].__setitem__("did:web:x", {"name": "X" * 5000}),
])
def test_a_malformed_registry_is_refused_whole(mutate: Any) -> None:
    doc = copy.deepcopy(DCC_SHAPED)
    mutate(doc)
    with pytest.raises(reg.RegistryError):
        reg.parse_registry(doc, source="x")
    with pytest.raises(reg.RegistryError):
        reg.parse_registry([doc], source="x")


def test_built_registry_has_the_dcc_shape_and_round_trips() -> None:
    when = datetime(2026, 3, 1, 12, 0, 5, 123, tzinfo=UTC)
    doc = reg.registry_document(
        [reg.RegistryEntry("https://b.fr/issuers/z", "Zed", "https://z.fr"),
         reg.RegistryEntry("https://b.fr/issuers/a", "Aa", None, "Caen")],
        created=when, updated=when)
    assert doc == {
        "meta": {"created": "2026-03-01T12:00:05+00:00", "updated": "2026-03-01T12:00:05+00:00"},
        "registry": {"https://b.fr/issuers/a": {"name": "Aa", "location": "Caen"},
                     "https://b.fr/issuers/z": {"name": "Zed", "url": "https://z.fr"}},
    }
    again = reg.parse_registry(json.loads(json.dumps(doc)), source="s")
    assert again.entries["https://b.fr/issuers/a"].location == "Caen"


def test_the_signed_registry_covers_every_byte_of_the_registry() -> None:
    key = generate_key(KeyAlgorithm.ED25519)
    owner = "https://b.fr/networks/n"
    doc = reg.registry_document([reg.RegistryEntry("https://b.fr/issuers/a", "Aa")],
                                created=datetime(2026, 1, 1, tzinfo=UTC),
                                updated=datetime(2026, 1, 2, tzinfo=UTC))
    unsigned = reg.registry_credential(doc, id=f"{owner}/registry", issuer=model.profile(
        owner, name="N"), registry_url=f"{owner}/registry.json",
        valid_from=datetime(2026, 1, 2, tzinfo=UTC))
    signed = sign(unsigned, key, f"{owner}#{key.public_key_multibase()}")
    resolver = StaticResolver({owner: controller_document(owner, [key])})
    assert verify_proof(signed, resolver).verified
    assert reg.registry_from_credential(signed) == doc
    forged = copy.deepcopy(signed)
    reg.registry_from_credential(forged)["registry"]["https://evil.example/issuers/x"] = {
        "name": "Intrus"}
    assert not verify_proof(forged, resolver).verified
    renamed = copy.deepcopy(signed)
    reg.registry_from_credential(renamed)["registry"]["https://b.fr/issuers/a"]["name"] = "Bb"
    assert not verify_proof(renamed, resolver).verified


def _endorsement_report(issuer: str, name: str, endorsed: str, *, ok: bool = True) -> Any:
    report = VerificationReport(credential={
        "issuer": {"id": issuer, "name": name},
        "credentialSubject": {"id": endorsed},
        "type": ["VerifiableCredential", "EndorsementCredential"],
    }, kind="EndorsementCredential")
    report.checks = [Check("proof", "passed" if ok else "failed", "", "x")]
    return report


def _badge(issuer: str, *endorsements: Any) -> VerificationReport:
    report = VerificationReport(credential={"issuer": {"id": issuer, "name": "Org"}})
    report.checks = [Check("proof", "passed", "", "x")]
    report.endorsements = list(endorsements)
    return report


def test_assess_tells_recognition_from_claims() -> None:
    org, net, fake = "https://b.fr/issuers/o", "https://b.fr/networks/n", "https://evil/n"
    networks = reg.parse_registry(reg.registry_document(
        [reg.RegistryEntry(net, "Réseau N (registre)")], created=datetime(2026, 1, 1, tzinfo=UTC),
        updated=datetime(2026, 1, 1, tzinfo=UTC)), source="https://b.fr/networks/registry.json")
    badge = _badge(org, _endorsement_report(net, "Nom que le réseau se donne", org),
                   _endorsement_report(fake, "Région Normandie (officiel)", org),
                   _endorsement_report(fake, "Autre", "https://b.fr/issuers/other"),
                   _endorsement_report(net, "Faux", org, ok=False))
    trust = reg.assess(badge, [networks])
    assert [m.entry.name for m in trust.recognised] == ["Réseau N (registre)"]
    assert trust.claimed == ("Région Normandie (officiel)",) and trust.issuer is None
    check = reg.registry_check(trust)
    assert (check.name, check.state, check.code) == ("registry", "passed", "network_listed")
    alone = reg.assess(_badge(org, _endorsement_report(fake, "F", org)), [networks])
    assert reg.registry_check(alone).state == "warning"
    assert reg.registry_check(alone).code == "not_listed"
    down = reg.registry_check(reg.assess(_badge(org), [networks], ["https://down/r.json"]))
    assert (down.state, down.code) == ("warning", "registry_unreachable")
    members = reg.parse_registry({"meta": DCC_SHAPED["meta"], "registry": {org: {"name": "O"}}},
                                 source="https://b.fr/networks/n/registry.json", name="N")
    listed = reg.registry_check(reg.assess(_badge(org), [members]))
    assert (listed.state, listed.code) == ("passed", "issuer_listed") and "N" in listed.message
    assert VerificationReport(checks=[listed, Check("proof", "passed", "", "p")]).state \
        == "verified"
