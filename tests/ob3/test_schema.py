"""JSON Schema validation with the bundled 1EdTech schemas (strict and tolerant)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator

from badger.ob3 import schema
from tests._shared import SHARED as SHARED_ROOT

SHARED = SHARED_ROOT / "ob3"
SPEC_EXAMPLES = sorted((SHARED / "spec-examples").glob("*.json"))
VECTOR = SHARED / "test-vectors" / "ob-impl-guide-vector"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="reference material not present")


def load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def minimal() -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "https://badges.example.fr/issuers/1",
            "type": ["Profile"],
            "name": "Association Exemple",
        },
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": True,
                    "identityHash": "sha256$" + "0" * 64,
                    "identityType": "emailAddress",
                    "salt": "sel",
                }
            ],
            "achievement": {
                "id": "https://badges.example.fr/achievements/1",
                "type": ["Achievement"],
                "name": "Accueil du public",
                "description": "Sait accueillir un public.",
                "criteria": {"narrative": "Mise en situation observée."},
            },
        },
        "proof": [
            {
                "type": "DataIntegrityProof",
                "cryptosuite": "eddsa-rdfc-2022",
                "created": "2025-01-01T00:00:00Z",
                "verificationMethod": "https://badges.example.fr/issuers/1#z6Mk",
                "proofPurpose": "assertionMethod",
                "proofValue": "z3",
            }
        ],
    }


# --------------------------------------------------------------------------- bundled files


def test_bundled_schemas_are_valid_draft_2019_09() -> None:
    root = Path(schema.__file__).parent / "schemas"
    files = sorted(root.glob("json*/*.json"))
    assert len(files) == 6
    for f in files:
        data = load(f)
        assert data["$schema"].startswith("https://json-schema.org/draft/2019-09/schema")
        Draft201909Validator.check_schema(data)


@needs_shared
def test_bundled_schemas_are_verbatim_copies() -> None:
    root = Path(schema.__file__).parent / "schemas"
    for f in sorted(root.glob("json*/*.json")):
        ref = SHARED / "schemas" / f.parent.name / f.name
        assert f.read_bytes() == ref.read_bytes(), f
    assert (root / "SOURCES.md").is_file()


def test_no_network_ref_ever(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(urllib.request, "urlopen", boom)
    registry = schema._registry()
    from referencing.exceptions import Unresolvable

    with pytest.raises(Unresolvable):
        registry.resolver().lookup("https://example.com/evil.json")
    # a credential whose credentialSchema points elsewhere is never fetched either
    cred = minimal()
    cred["credentialSchema"] = [{"id": "https://evil.example/s.json", "type": "JsonSchema"}]
    assert schema.validate_credential(cred) == []
    assert schema.validate_with_schema_url(cred, "https://evil.example/s.json") is None


def test_validators_compiled_once() -> None:
    schema.validate_credential(minimal())
    before = schema._validator.cache_info().hits
    schema.validate_credential(minimal())
    assert schema._validator.cache_info().hits == before + 1


# --------------------------------------------------------------------------- spec examples


@needs_shared
@pytest.mark.parametrize("path", SPEC_EXAMPLES, ids=[p.name for p in SPEC_EXAMPLES])
def test_spec_examples_pass_both(path: Path) -> None:
    # All saved spec examples already use arrays (docformat.md's printed sample with
    # "type": "Profile" as a string is covered separately below).
    cred = load(path)
    assert schema.validate_credential(cred, strict=True) == []
    assert schema.validate_credential(cred, strict=False) == []


@needs_shared
def test_impl_guide_vector_single_proof_fails_strict_only() -> None:
    # PITFALLS 4: the official vector carries "proof": {...} (object) -> strict rejects it.
    signed = load(VECTOR / "credential-signed.json")
    assert schema.validate_credential(signed, strict=True) == [
        "proof: <object> is not of type 'array'"
    ]
    assert schema.validate_credential(signed, strict=False) == []
    wrapped = {**signed, "proof": [signed["proof"]]}
    assert schema.validate_credential(wrapped, strict=True) == []
    assert schema.validate_credential(load(VECTOR / "credential-unsigned.json")) == []


@needs_shared
def test_docformat_sample_with_string_profile_type() -> None:
    # FACTS §13.11: the docformat.md sample prints "type": "Profile" (string).
    cred = load(SHARED / "spec-examples" / "docformat-sample-file-contents.json")
    cred["issuer"]["type"] = "Profile"
    errors = schema.validate_credential(cred, strict=True)
    assert len(errors) == 1
    assert errors[0].startswith("issuer: ")
    assert "issuer.type: 'Profile' is not of type 'array'" in errors[0]
    assert schema.validate_credential(cred, strict=False) == []


# --------------------------------------------------------------------------- negatives


def test_minimal_is_valid() -> None:
    assert schema.validate_credential(minimal()) == []
    assert schema.validate_credential(minimal(), strict=False) == []


def _without(path: list[str | int]) -> dict[str, Any]:
    cred = minimal()
    target: Any = cred
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return cred


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            ["credentialSubject", "achievement", "name"],
            "credentialSubject.achievement.name: 'name' is a required property",
        ),
        (
            ["credentialSubject", "achievement", "criteria"],
            "credentialSubject.achievement.criteria: 'criteria' is a required property",
        ),
        (["validFrom"], "validFrom: 'validFrom' is a required property"),
        (["id"], "id: 'id' is a required property"),
        (["issuer"], "issuer: 'issuer' is a required property"),
        (
            ["credentialSubject", "achievement"],
            "credentialSubject.achievement: 'achievement' is a required property",
        ),
    ],
)
@pytest.mark.parametrize("strict", [True, False])
def test_missing_required(path: list[str | int], expected: str, strict: bool) -> None:
    assert expected in schema.validate_credential(_without(path), strict=strict)


@pytest.mark.parametrize("strict", [True, False])
def test_bad_values(strict: bool) -> None:
    cred = minimal()
    cred["validFrom"] = "2025-01-01T00:00:00"  # DateTimeZ without timezone
    cred["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    cred["type"] = ["VerifiableCredential"]
    cred["credentialSubject"]["identifier"][0]["identityType"] = "email"  # IMPL example bug
    errors = schema.validate_credential(cred, strict=strict)
    joined = "\n".join(errors)
    assert "validFrom: '2025-01-01T00:00:00' is not a 'date-time'" in joined
    assert "@context" in joined
    assert "type" in joined
    assert "identityType" in joined
    assert schema.validate_credential(cred, strict=strict) == errors  # deterministic order


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2025-01-01T00:00:00Z", True),
        ("2025-01-01T00:00:00.123456+02:00", True),
        ("2016-12-31T23:59:60Z", True),  # leap second
        ("2025-01-01t00:00:00z", True),
        ("2025-01-01T00:00:00", False),
        ("2025-13-01T00:00:00Z", False),
        ("2025-02-30T00:00:00Z", False),
        ("2025-01-01 00:00:00Z", False),
        ("yesterday", False),
    ],
)
def test_datetime_format(value: str, ok: bool) -> None:
    cred = minimal()
    cred["validFrom"] = value
    assert (schema.validate_credential(cred) == []) is ok


def test_date_format_on_profile() -> None:
    profile = {"id": "https://x.example/p", "type": ["Profile"], "dateOfBirth": "2000-02-30"}
    assert any("dateOfBirth" in e for e in schema.validate_profile(profile))
    profile["dateOfBirth"] = "2000-02-29"
    assert schema.validate_profile(profile) == []
    assert schema.validate_profile(profile, strict=True) == []


def test_strict_rejects_single_values_tolerant_accepts() -> None:
    cred = minimal()
    cred["type"] = "OpenBadgeCredential"
    cred["proof"] = cred["proof"][0]
    cred["credentialSubject"]["achievement"]["type"] = "Achievement"
    strict = schema.validate_credential(cred, strict=True)
    assert any(e.startswith("proof:") for e in strict)
    assert any(e.startswith("type:") for e in strict)
    assert any(e.startswith("credentialSubject.achievement.type") for e in strict)
    tolerant = schema.validate_credential(cred, strict=False)
    # tolerant accepts singular proof / achievement type, but type must still include VC
    assert not any(e.startswith(("proof", "credentialSubject")) for e in tolerant)


def test_messages_are_short_and_list_index_paths() -> None:
    cred = minimal()
    cred["credentialSubject"]["achievement"]["alignment"] = [{"type": ["Alignment"]}]
    errors = schema.validate_credential(cred)
    assert (
        "credentialSubject.achievement.alignment[0].targetName: 'targetName' is a required property"
    ) in errors
    assert all(len(e) < 800 for e in errors)
    big = minimal()
    big["proof"] = {"type": "DataIntegrityProof", "proofValue": "z" + "1" * 5000}
    [only] = schema.validate_credential(big)
    assert only == "proof: <object> is not of type 'array'"


def test_non_object_instances() -> None:
    assert schema.validate_credential([])  # type: ignore[arg-type]
    assert schema.validate_credential("x")  # type: ignore[arg-type]
    assert schema.validate_profile({}) == [
        "id: 'id' is a required property",
        "type: 'type' is a required property",
    ]


# --------------------------------------------------------------------------- other classes


def endorsement() -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:11111111-2222-4333-8444-555555555555",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Soutien de la Région",
        "issuer": {"id": "https://region.example.fr", "type": ["Profile"]},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "https://badges.example.fr/achievements/1",
            "type": ["EndorsementSubject"],
            "endorsementComment": "Référentiel pertinent.",
        },
    }


def test_endorsement() -> None:
    assert schema.validate_endorsement(endorsement()) == []
    assert schema.validate_endorsement(endorsement(), strict=True) == []
    e = endorsement()
    del e["name"]
    assert "name: 'name' is a required property" in schema.validate_endorsement(e)
    assert "name: 'name' is a required property" in schema.validate_endorsement(e, strict=True)
    e = endorsement()
    e["type"] = "EndorsementCredential"
    assert schema.validate_endorsement(e, strict=True)
    # an OpenBadgeCredential is not an endorsement
    assert schema.validate_endorsement(minimal())


def test_profile() -> None:
    p = {"id": "https://badges.example.fr/issuers/1", "type": ["Profile"], "name": "Asso"}
    assert schema.validate_profile(p) == []
    assert schema.validate_profile({**p, "type": "Profile"}) == []
    assert schema.validate_profile({**p, "type": "Profile"}, strict=True)
    assert schema.validate_profile({**p, "type": ["Organization"]})


def test_get_credentials_response() -> None:
    body = {"credential": [minimal()], "compactJwsString": ["aaa.bbb.ccc"]}
    assert schema.validate_get_credentials_response(body) == []
    assert schema.validate_get_credentials_response({}) == []
    # the spec's sample uses the plural name; the schema (additionalProperties false) refuses it
    bad = schema.validate_get_credentials_response({"compactJwsStrings": ["a.b.c"]})
    assert bad and "compactJwsStrings" in bad[0]
    broken = schema.validate_get_credentials_response({"compactJwsString": ["not a jws"]})
    assert broken and "(closest: compactJwsString[0]: " in broken[0]
    missing = copy.deepcopy(minimal())
    del missing["credentialSubject"]
    assert schema.validate_get_credentials_response({"credential": [missing]})


def test_status_info() -> None:
    ok = {"imsx_codeMajor": "failure", "imsx_severity": "error", "imsx_description": "x"}
    assert schema.validate_status_info(ok) == []
    assert schema.validate_status_info({"imsx_codeMajor": "oops", "imsx_severity": "error"})


def test_schema_url_mapping() -> None:
    base = "https://purl.imsglobal.org/spec/ob/v3p0/schema/"
    for variant in ("json", "json-ld"):
        url = f"{base}{variant}/ob_v3p0_achievementcredential_schema.json"
        assert schema.validate_with_schema_url(minimal(), url) == []
        single = {**minimal(), "proof": minimal()["proof"][0]}
        assert schema.validate_with_schema_url(single, url) == []  # tolerant file
    eurl = f"{base}json/ob_v3p0_endorsementcredential_schema.json"
    assert schema.validate_with_schema_url(endorsement(), eurl) == []
    assert schema.validate_with_schema_url(minimal(), eurl)
    assert schema.validate_with_schema_url(minimal(), "https://example.com/x.json") is None
