"""Builders emit documents that pass the strict AND the tolerant 1EdTech schemas."""

from __future__ import annotations

import hashlib

import pytest

from badger.ob3 import ModelError, canonicalize, model, schema

from ._factory import EMAIL, SALT, credential, issuer_profile, signed


def test_full_credential_passes_both_schemas_and_has_arrays() -> None:
    cred = credential(subject_id="did:example:ana", valid_until="2030-01-01T00:00:00Z")
    assert schema.validate_credential(cred, strict=True) == []
    assert schema.validate_credential(cred, strict=False) == []
    assert cred["@context"] == [model.VC2_CONTEXT, model.OB_CONTEXT]
    assert cred["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert cred["credentialSubject"]["achievement"]["image"]["type"] == "Image"
    assert canonicalize(cred)  # every term is defined


def test_signed_credential_passes_strict_schema() -> None:
    assert schema.validate_credential(signed(), strict=True) == []


def test_extensions_context_only_when_needed() -> None:
    cred = model.open_badge_credential(
        id="urn:uuid:1c0a7b3e-0000-4000-8000-000000000001",
        issuer=issuer_profile(),
        credential_subject=credential()["credentialSubject"],
        valid_from="2025-01-01T00:00:00Z",
        credential_schema=[model.credential_schema()],
    )
    assert cred["@context"][-1] == model.OB_EXTENSIONS_CONTEXT
    assert isinstance(cred["credentialSchema"], list)
    assert schema.validate_credential(cred, strict=True) == []
    assert canonicalize(cred)
    assert model.OB_EXTENSIONS_CONTEXT not in credential()["@context"]


def test_endorsement_credential_valid() -> None:
    endo = model.endorsement_credential(
        id="urn:uuid:1c0a7b3e-0000-4000-8000-000000000002",
        issuer=model.profile("https://partenaire.example.fr", name="Partenaire"),
        name="Soutien du partenaire",
        endorsed_id="https://badges.example.fr/achievements/accueil",
        comment="Badge **reconnu** par notre réseau.",
        valid_from="2025-01-01T00:00:00Z",
    )
    assert endo["credentialSubject"]["type"] == ["EndorsementSubject"]
    assert schema.validate_endorsement(endo) == []
    assert canonicalize(endo)


def test_no_none_or_empty_values() -> None:
    def walk(v: object) -> None:
        if isinstance(v, dict):
            for x in v.values():
                assert x is not None and x != [] and x != {} and x != ""
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(credential())
    walk(model.profile("https://x.example", name=None, email=None))


def test_identity_hash_rule() -> None:
    # spec example: SHA-256("a@example.comKosher")
    assert model.hash_identity("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )
    ident = model.identity_object(EMAIL, salt=SALT)
    expected = hashlib.sha256(("ana.martin@example.fr" + SALT).encode()).hexdigest()
    assert ident == {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": "sha256$" + expected,
        "identityType": "emailAddress",
        "salt": SALT,
    }
    assert model.hash_identity("  ANA.martin@EXAMPLE.fr ", SALT) == ident["identityHash"]
    fresh = model.identity_object(EMAIL)
    assert len(fresh["salt"]) == 32 and fresh["salt"] != model.identity_object(EMAIL)["salt"]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("+1 (555) 010-9999", "+15550109999"),
    ],
)
def test_phone_normalisation(raw: str, normal: str) -> None:
    assert model.normalise_identity(raw, "ext:phone") == normal
    ident = model.identity_object(raw, identity_type="phone", salt="s")
    assert ident["identityType"] == "ext:phone"
    assert ident["identityHash"] == model.hash_identity(normal, "s", identity_type="ext:phone")


def test_builders_refuse_invalid_values() -> None:
    with pytest.raises(ModelError):
        model.evidence(id="data:text/plain;base64,AAAA")
    with pytest.raises(ModelError):
        model.achievement("https://x.example/a", name="A", description="d")  # no criteria
    with pytest.raises(ModelError):
        model.alignment(target_name="x", target_url="https://x", target_type="Bogus")
    assert model.alignment(target_name="x", target_url="https://x", target_type="ext:Rome")
    with pytest.raises(ModelError):
        model.achievement_subject(achievement={"id": "x"})
    with pytest.raises(ModelError):
        model.result(status="Done")
    with pytest.raises(ModelError):
        model.identity_object("x", identity_type="email")
    assert model.evidence()["id"].startswith("urn:uuid:")
    assert model.iso_datetime("2025-01-01T02:00:00+02:00") == "2025-01-01T00:00:00Z"
