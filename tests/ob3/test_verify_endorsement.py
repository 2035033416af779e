"""verify_credential(kinds=...): a bare EndorsementCredential, checked like a badge."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from badger.ob3 import model, sign, sign_jwt, verify_credential
from badger.ob3 import statuslist as sl
from badger.ob3.verify import ENDORSEMENT, OPEN_BADGE

from ._factory import ISSUER_ID, NOW, key, resolver, signed, vm

BOTH = (OPEN_BADGE, ENDORSEMENT)
ENDORSED = "https://badges.example.fr/issuers/asso-2"
COMMENT = "Association reconnue pour son accompagnement."
LIST_URL = "https://badges.example.fr/status/revocation/9"


def _unsigned(**kw: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "id": "https://badges.example.fr/endorsements/1",
        "issuer": model.profile(ISSUER_ID, name="Réseau Passerelles"),
        "name": "Recommandation de l'association 2",
        "endorsed_id": ENDORSED,
        "comment": COMMENT,
        "valid_from": "2025-01-01T00:00:00Z",
    }
    args.update(kw)
    return model.endorsement_credential(**args)


def _signed(doc: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    return sign(doc or _unsigned(**kw), key(), vm(), created=datetime(2025, 1, 1, tzinfo=UTC))


def _checks(report: Any) -> dict[str, tuple[str, str]]:
    return {c.name: (c.state, c.code) for c in report.checks}


def test_a_bare_endorsement_is_refused_by_default() -> None:
    report = verify_credential(_signed(), resolver=resolver(), now=NOW)
    assert report.kind == OPEN_BADGE and not report.verified
    assert _checks(report)["format"] == ("failed", "bad_type")
    assert "OpenBadgeCredential" in report.check("format").message  # type: ignore[union-attr]
    assert "EndorsementCredential" not in report.check("format").message  # type: ignore[union-attr]


def test_endorsement_verifies_when_accepted() -> None:
    report = verify_credential(json.dumps(_signed()), resolver=resolver(), now=NOW, kinds=BOTH)
    assert report.verified, report.to_dict()["checks"]
    assert report.kind == ENDORSEMENT and report.format == "ldp_vc"
    checks = _checks(report)
    assert checks["schema"] == ("passed", "schema_valid")
    assert "endorsement" in report.check("schema").message  # type: ignore[union-attr]
    assert checks["proof"] == ("passed", "proof_valid")
    assert checks["issuer_binding"] == ("passed", "controller_matches")
    assert checks["validity"] == ("passed", "valid")
    assert checks["status"] == ("passed", "no_status")
    assert "subject" not in checks  # an endorsement has no recipient
    assert report.issuer_id == ISSUER_ID and report.issuer_name == "Réseau Passerelles"
    assert report.endorsed_id == ENDORSED and report.endorsement_comment == COMMENT
    data = json.loads(json.dumps(report.to_dict()))
    assert data["kind"] == ENDORSEMENT and data["endorsedId"] == ENDORSED
    assert data["endorsementComment"] == COMMENT


def test_endorsement_as_vc_jwt() -> None:
    k = key()
    token = sign_jwt(_unsigned(), k, kid=vm(k))
    report = verify_credential(token, resolver=resolver(), now=NOW, kinds=BOTH)
    assert report.verified, report.to_dict()["checks"]
    assert report.kind == ENDORSEMENT and report.format == "jwt"
    assert _checks(report)["proof"] == ("passed", "jwt_valid")
    assert report.endorsed_id == ENDORSED


def test_tampered_endorsement_fails_on_its_signature() -> None:
    doc = _signed()
    doc["credentialSubject"]["endorsementComment"] = "Recommandation sans réserve."
    report = verify_credential(doc, resolver=resolver(), now=NOW, kinds=BOTH)
    assert report.state == "failed"
    assert _checks(report)["proof"] == ("failed", "signature_invalid")


def test_endorsement_signed_by_someone_else_fails_the_binding() -> None:
    other = key("Ed25519", 1)
    doc = sign(_unsigned(), other, vm(other), created=datetime(2025, 1, 1, tzinfo=UTC))
    report = verify_credential(doc, resolver=resolver(), now=NOW, kinds=BOTH)
    assert not report.verified and report.state != "verified"


def test_endorsement_validity_window() -> None:
    expired = _signed(valid_until="2025-03-01T00:00:00Z")
    report = verify_credential(expired, resolver=resolver(), now=NOW, kinds=BOTH)
    assert _checks(report)["validity"] == ("failed", "expired") and not report.verified
    future = _signed(valid_from="2026-01-01T00:00:00Z")
    report = verify_credential(future, resolver=resolver(), now=NOW, kinds=BOTH)
    assert _checks(report)["validity"] == ("failed", "not_yet_valid")


def _list(revoked: set[int]) -> dict[str, Any]:
    bits = sl.new_bitstring()
    for i in revoked:
        bits = sl.set_bit(bits, i, True)
    doc = sl.build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER_ID,
        purpose="revocation",
        bits=bits,
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    return sign(doc, key(), vm())


def test_endorsement_status_list() -> None:
    entry = sl.status_entry(list_url=LIST_URL, index=5, purpose="revocation")
    doc = _signed(credential_status=entry)
    ok = verify_credential(doc, resolver=resolver((LIST_URL, _list({1}))), now=NOW, kinds=BOTH)
    assert ok.verified and _checks(ok)["status"] == ("passed", "not_revoked")
    revoked = verify_credential(doc, resolver=resolver((LIST_URL, _list({5}))), now=NOW, kinds=BOTH)
    assert _checks(revoked)["status"] == ("failed", "revoked")
    unknown = verify_credential(doc, resolver=resolver(), now=NOW, kinds=BOTH)
    assert unknown.state == "unknown" and _checks(unknown)["status"][0] == "unknown"


def test_endorsement_schema_is_the_endorsement_schema() -> None:
    doc = _unsigned()
    del doc["name"]  # required by the EndorsementCredential schema
    report = verify_credential(_signed(doc), resolver=resolver(), now=NOW, kinds=BOTH)
    assert _checks(report)["schema"] == ("failed", "schema_invalid")
    assert "name" in report.check("schema").message  # type: ignore[union-attr]


def test_open_badge_report_is_unchanged_when_endorsements_are_accepted() -> None:
    before = verify_credential(signed(), resolver=resolver(), now=NOW).to_dict()
    after = verify_credential(signed(), resolver=resolver(), now=NOW, kinds=BOTH).to_dict()
    assert after == before and before["kind"] == OPEN_BADGE
    assert "endorsedId" not in after


def test_neither_kind_names_every_accepted_type() -> None:
    doc = _unsigned()
    doc["type"] = ["VerifiableCredential"]
    report = verify_credential(doc, resolver=resolver(), now=NOW, kinds=BOTH)
    message = report.check("format").message  # type: ignore[union-attr]
    assert _checks(report)["format"] == ("failed", "bad_type")
    assert "EndorsementCredential" in message and "OpenBadgeCredential" in message


@pytest.mark.parametrize("kinds", [(), ("Nope",)])
def test_unknown_kinds_are_a_programming_error(kinds: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        verify_credential(_signed(), resolver=resolver(), now=NOW, kinds=kinds)


def test_jwt_kid_as_a_fragment_of_the_issuer_document_binds_the_issuer() -> None:
    """kid ``<issuer>#<multibase>`` (what badger's networks publish): bound once the issuer's
    controller document lists the key; an unlisted key is rejected."""
    k = key()
    report = verify_credential(
        sign_jwt(_unsigned(), k, kid=vm(k)), resolver=resolver(), now=NOW, kinds=BOTH
    )
    assert _checks(report)["issuer_binding"] == ("passed", "controller_matches")
    badge = verify_credential(sign_jwt(signed(), k, kid=vm(k)), resolver=resolver(), now=NOW)
    assert badge.verified and _checks(badge)["issuer_binding"] == ("passed", "controller_matches")
    stranger = key("Ed25519", 2)
    forged = sign_jwt(_unsigned(), stranger, kid=vm(stranger))
    report = verify_credential(forged, resolver=resolver(), now=NOW, kinds=BOTH)
    assert not report.verified and _checks(report)["proof"][0] == "failed"


# --------------------------------------------------------------------------- embedded in a badge


def _badge_embedding(endorsement: dict[str, Any]) -> dict[str, Any]:
    from ._factory import credential

    doc = credential()
    doc["issuer"]["endorsement"] = [endorsement]
    return signed(doc)


def test_endorsement_embedded_in_the_issuer_profile_is_verified() -> None:
    from badger.ob3 import schema

    entry = sl.status_entry(list_url=LIST_URL, index=5, purpose="revocation")
    badge = _badge_embedding(_signed(credential_status=entry))
    assert schema.validate_credential(badge, strict=True) == []
    report = verify_credential(badge, resolver=resolver((LIST_URL, _list({1}))), now=NOW)
    assert report.verified, report.to_dict()["checks"]
    assert _checks(report)["endorsements"] == ("passed", "verified")
    (endorsement,) = report.endorsements
    assert endorsement.kind == ENDORSEMENT and endorsement.verified


def test_withdrawn_embedded_endorsement_warns_and_the_badge_stays_verified() -> None:
    """Withdrawn since (its status list says revoked): the endorser no longer vouches for the
    issuer, which says nothing against the badge — a warning, not a failure."""
    from badger.ob3.verify import endorsement_withdrawn

    entry = sl.status_entry(list_url=LIST_URL, index=5, purpose="revocation")
    badge = _badge_embedding(_signed(credential_status=entry))
    report = verify_credential(badge, resolver=resolver((LIST_URL, _list({5}))), now=NOW)
    assert report.verified, report.to_dict()["checks"]
    assert _checks(report)["endorsements"] == ("warning", "withdrawn")
    (endorsement,) = report.endorsements
    assert _checks(endorsement)["status"] == ("failed", "revoked")
    assert endorsement_withdrawn(endorsement)
    # a list that cannot be read: still only a warning, "could not be checked"
    unknown = verify_credential(badge, resolver=resolver(), now=NOW)
    assert unknown.verified and _checks(unknown)["endorsements"] == ("warning", "unknown")


def test_forged_embedded_endorsement_fails_the_badge_even_when_withdrawn() -> None:
    from badger.ob3.verify import endorsement_withdrawn

    entry = sl.status_entry(list_url=LIST_URL, index=5, purpose="revocation")
    endorsement = _signed(credential_status=entry)
    endorsement["credentialSubject"]["endorsementComment"] = "Recommandation sans réserve."
    badge = _badge_embedding(endorsement)  # the badge's own proof covers the altered text
    report = verify_credential(badge, resolver=resolver((LIST_URL, _list({5}))), now=NOW)
    assert _checks(report)["proof"][0] == "passed"
    assert _checks(report)["endorsements"] == ("failed", "failed") and not report.verified
    assert not endorsement_withdrawn(report.endorsements[0])
