"""verify_credential: extraction, validity window, status lists, recipient, endorsements."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image

from badger.ob3 import StaticResolver, model, schema, sign, sign_jwt, verify_credential
from badger.ob3 import statuslist as sl
from badger.ob3.baking import bake_png, bake_svg

from ._factory import (
    EMAIL,
    ISSUER_ID,
    NOW,
    controller_document,
    credential,
    key,
    resolver,
    signed,
    vm,
)

LIST_URL = "https://badges.example.fr/status/revocation/1"
SUSP_URL = "https://badges.example.fr/status/suspension/1"


def _list(
    url: str, purpose: str, set_index: int | None, *, k_n: int = 0, issuer: str = ISSUER_ID
) -> dict[str, Any]:
    bits = sl.new_bitstring()
    if set_index is not None:
        bits = sl.set_bit(bits, set_index, True)
    unsigned = sl.build_status_list_credential(
        list_url=url,
        issuer=issuer,
        purpose=purpose,
        bits=bits,
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    k = key("Ed25519", k_n)
    return sign(unsigned, k, vm(k, issuer))


def _with_status(
    index: int = 42, purpose: str = "revocation", url: str = LIST_URL
) -> dict[str, Any]:
    return signed(status=sl.status_entry(list_url=url, index=index, purpose=purpose))


def _state(report: Any, name: str) -> tuple[str, str]:
    check = report.check(name)
    assert check is not None, report.to_dict()["checks"]
    return check.state, check.code


def test_valid_credential_full_report_is_json_serialisable() -> None:
    report = verify_credential(json.dumps(signed()), resolver=resolver(), now=NOW)
    assert report.verified and report.state == "verified", report.to_dict()["checks"]
    data = json.loads(json.dumps(report.to_dict()))
    assert data["format"] == "ldp_vc" and data["vcVersion"] == "2.0"
    assert data["issuerId"] == ISSUER_ID and data["issuerName"] == "Association Passerelles"
    assert data["achievementName"] == "Accueillir le public"
    assert data["proofTypes"] == ["eddsa-rdfc-2022"]
    assert data["credential"]["id"] == signed()["id"]
    assert all({"name", "state", "code", "message"} <= set(c) for c in data["checks"])


def test_expired_and_not_yet_valid() -> None:
    expired = signed(valid_until="2025-03-01T00:00:00Z")
    report = verify_credential(expired, resolver=resolver(), now=NOW)
    assert _state(report, "validity") == ("failed", "expired") and not report.verified
    assert _state(report, "proof") == ("passed", "proof_valid")
    future = signed(valid_from="2026-01-01T00:00:00Z")
    report = verify_credential(future, resolver=resolver(), now=NOW)
    assert _state(report, "validity") == ("failed", "not_yet_valid") and not report.verified


def test_jwt_expired_reported_as_validity_not_proof() -> None:
    k = key("RS256")
    token = sign_jwt(credential(valid_until="2025-03-01T00:00:00Z"), k, embed_jwk=True)
    report = verify_credential(token, resolver=StaticResolver(), now=NOW)
    assert _state(report, "proof")[0] == "passed"
    assert _state(report, "validity") == ("failed", "expired")


def test_not_revoked_with_signed_list() -> None:
    r = resolver((LIST_URL, _list(LIST_URL, "revocation", set_index=7)))
    report = verify_credential(_with_status(42), resolver=r, now=NOW)
    assert _state(report, "status") == ("passed", "not_revoked") and report.verified


def test_revoked() -> None:
    r = resolver((LIST_URL, _list(LIST_URL, "revocation", set_index=42)))
    report = verify_credential(_with_status(42), resolver=r, now=NOW)
    assert _state(report, "status") == ("failed", "revoked")
    assert not report.verified and report.state == "failed"


def test_suspended() -> None:
    r = resolver((SUSP_URL, _list(SUSP_URL, "suspension", set_index=42)))
    report = verify_credential(_with_status(42, "suspension", SUSP_URL), resolver=r, now=NOW)
    assert _state(report, "status") == ("failed", "suspended") and not report.verified


def test_unreachable_list_is_unknown_never_passed() -> None:
    report = verify_credential(_with_status(42), resolver=resolver(), now=NOW)
    assert _state(report, "status") == ("unknown", "list_unreachable")
    assert not report.verified and report.state == "unknown"


def test_list_with_bad_signature_is_unknown() -> None:
    lst = _list(LIST_URL, "revocation", set_index=None)
    lst["credentialSubject"]["encodedList"] = sl.encode_list(
        sl.set_bit(sl.new_bitstring(), 1, True)
    )
    report = verify_credential(_with_status(42), resolver=resolver((LIST_URL, lst)), now=NOW)
    assert _state(report, "status") == ("unknown", "list_unverified") and not report.verified


def test_list_from_another_issuer_is_unknown() -> None:
    other = "https://evil.example.com/issuers/x"
    lst = _list(LIST_URL, "revocation", set_index=None, k_n=1, issuer=other)
    report = verify_credential(_with_status(42), resolver=resolver((LIST_URL, lst)), now=NOW)
    assert _state(report, "status") == ("unknown", "list_wrong_issuer")


def test_list_purpose_mismatch_is_unknown() -> None:
    lst = _list(LIST_URL, "suspension", set_index=None)
    report = verify_credential(_with_status(42), resolver=resolver((LIST_URL, lst)), now=NOW)
    assert _state(report, "status") == ("unknown", "list_invalid")


def test_1edtech_revocation_list() -> None:
    url = "https://badges.example.fr/revocations"
    cred = credential(status={"id": url, "type": "1EdTechRevocationList"})
    assert model.OB_EXTENSIONS_CONTEXT in cred["@context"]
    doc = signed(cred)
    ok = resolver((url, {"revokedCredential": [{"id": "urn:uuid:other"}]}))
    assert _state(verify_credential(doc, resolver=ok, now=NOW), "status") == (
        "passed",
        "not_revoked",
    )
    bad = resolver((url, {"revokedCredential": [{"id": cred["id"], "revoked": True}]}))
    assert _state(verify_credential(doc, resolver=bad, now=NOW), "status") == ("failed", "revoked")
    assert _state(verify_credential(doc, resolver=resolver(), now=NOW), "status")[0] == "unknown"


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (8, 8), (200, 30, 30, 255)).save(buf, format="PNG")
    return buf.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
    b'<rect width="8" height="8"/></svg>'
)


def test_baked_png_and_svg_json_and_jwt() -> None:
    doc = json.dumps(signed())
    token = sign_jwt(credential(), key("RS256"), embed_jwk=True)
    for baked in (bake_png(_png(), doc), bake_svg(SVG, doc)):
        report = verify_credential(baked, resolver=resolver(), now=NOW)
        assert report.verified and report.format == "ldp_vc", report.to_dict()["checks"]
    # the embedded key is the issuer's: its site's JWKS lists it
    jwks = StaticResolver(
        {"https://badges.example.fr/.well-known/jwks.json": {"keys": [key("RS256").public_jwk()]}}
    )
    for baked in (bake_png(_png(), token), bake_svg(SVG, token)):
        report = verify_credential(baked, resolver=jwks, now=NOW)
        assert report.state == "verified" and report.format == "jwt", report.to_dict()["checks"]
        assert _state(report, "issuer_binding") == ("passed", "jwk_in_issuer_jwks")


def test_forged_jwt_with_a_key_of_ones_own_fails() -> None:
    """Anyone can sign a VC-JWT with their own key and write any issuer: it must not pass."""
    forged = sign_jwt(credential(), key("RS256", 1), embed_jwk=True)
    site = StaticResolver(
        {"https://badges.example.fr/.well-known/jwks.json": {"keys": [key("RS256").public_jwk()]}}
    )
    report = verify_credential(forged, resolver=site, now=NOW)
    assert _state(report, "proof") == ("failed", "controller_mismatch")
    assert _state(report, "issuer_binding") == ("failed", "controller_mismatch")
    assert not report.verified and report.state == "failed"
    # the issuer's site cannot be reached: undetermined, never "verified"
    report = verify_credential(forged, resolver=StaticResolver(), now=NOW)
    assert _state(report, "issuer_binding") == ("unknown", "key_provenance_unverified")
    assert not report.verified and report.state == "unknown"


def test_fragment_key_unconfirmed_by_the_issuer_is_not_verified() -> None:
    """``<issuer>#<multibase>`` can name any key; only the issuer's document vouches for it."""
    forged = sign(credential(), key("Ed25519", 1), vm(key("Ed25519", 1)))
    listed = verify_credential(forged, resolver=resolver(), now=NOW)
    assert not listed.verified  # the issuer's document lists another key
    offline = verify_credential(forged, resolver=StaticResolver(), now=NOW)
    assert _state(offline, "issuer_binding") == ("unknown", "key_provenance_unverified")
    assert not offline.verified and offline.state == "unknown"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "not_found"),
        (b"hello", "not_found"),
        (b"{not json", "bad_json"),
        (b"[1]", "not_found"),
        (b"\xff\xfe\x00", "not_utf8"),
    ],
)
def test_extraction_failures(data: bytes, code: str) -> None:
    report = verify_credential(data, resolver=StaticResolver(), now=NOW)
    assert _state(report, "extraction") == ("failed", code) and not report.verified


def test_unbaked_png_fails_extraction() -> None:
    report = verify_credential(_png(), resolver=StaticResolver(), now=NOW)
    assert _state(report, "extraction") == ("failed", "not_baked")


def test_recipient_check() -> None:
    doc = signed(subject_id="did:example:ana")
    ok = verify_credential(
        doc, resolver=resolver(), now=NOW, recipient=(" ana.martin@example.FR", "emailAddress")
    )
    assert _state(ok, "recipient") == ("passed", "match") and ok.verified
    by_id = verify_credential(
        doc, resolver=resolver(), now=NOW, recipient=("did:example:ana", "id")
    )
    assert _state(by_id, "recipient")[0] == "passed"
    bad = verify_credential(
        doc, resolver=resolver(), now=NOW, recipient=("bob@example.fr", "emailAddress")
    )
    assert _state(bad, "recipient") == ("failed", "mismatch") and not bad.verified
    assert EMAIL.lower().startswith("ana")


def test_strict_schema_failure_is_a_warning_when_tolerant_passes() -> None:
    doc = signed()
    doc["proof"] = doc["proof"][0]  # compacted single proof: strict schema fails only on /proof
    assert schema.validate_credential(doc, strict=True)
    assert schema.validate_credential(doc, strict=False) == []
    report = verify_credential(doc, resolver=resolver(), now=NOW)
    assert _state(report, "schema") == ("warning", "schema_tolerant_only")
    assert report.verified


def test_schema_failure_fails() -> None:
    cred = credential()
    del cred["credentialSubject"]["achievement"]["criteria"]
    report = verify_credential(signed(cred), resolver=resolver(), now=NOW)
    assert _state(report, "schema") == ("failed", "schema_invalid") and not report.verified


def _endorsement(k_n: int = 1, issuer: str = "https://partenaire.example.fr") -> dict[str, Any]:
    endo = model.endorsement_credential(
        id="urn:uuid:1c0a7b3e-0000-4000-8000-000000000002",
        issuer=model.profile(issuer, name="Partenaire"),
        name="Soutien du partenaire",
        endorsed_id="https://badges.example.fr/achievements/accueil",
        comment="Reconnu.",
        valid_from="2025-01-01T00:00:00Z",
    )
    k = key("Ed25519", k_n)
    return sign(endo, k, vm(k, issuer))


def test_embedded_endorsements_are_verified() -> None:
    cred = credential()
    cred["credentialSubject"]["achievement"]["endorsement"] = [_endorsement()]
    partner = (
        "https://partenaire.example.fr",
        controller_document("https://partenaire.example.fr", [key("Ed25519", 1)]),
    )
    report = verify_credential(signed(cred), resolver=resolver(partner), now=NOW)
    assert report.verified, report.to_dict()["checks"]
    assert _state(report, "endorsements") == ("passed", "verified")
    assert len(report.endorsements) == 1 and report.endorsements[0].kind == "EndorsementCredential"
    assert report.endorsements[0].verified
    bad_endo = _endorsement()
    bad_endo["credentialSubject"]["endorsementComment"] = "Modifié."
    cred2 = credential()
    cred2["credentialSubject"]["achievement"]["endorsement"] = [bad_endo]
    report2 = verify_credential(signed(cred2), resolver=resolver(partner), now=NOW)
    assert _state(report2, "endorsements") == ("failed", "failed") and not report2.verified
    assert _state(report2.endorsements[0], "proof")[1] == "signature_invalid"
