"""What a badge's embedded endorsements let a page say about its issuer (``describe``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from badger.ob3 import model, sign, verify_credential
from badger.ob3 import statuslist as sl
from badger.verification import describe
from tests.ob3._factory import ISSUER_ID, NOW, credential, key, resolver, signed, vm

LIST_URL = "https://badges.example.fr/status/revocation/9"


def _endorsement(endorsed: str) -> dict[str, Any]:
    unsigned = model.endorsement_credential(
        id="https://badges.example.fr/endorsements/1",
        issuer=model.profile(ISSUER_ID, name="Réseau Passerelles"),
        name="Recommandation", endorsed_id=endorsed, comment="Membre reconnu.",
        valid_from="2025-01-01T00:00:00Z",
        credential_status=sl.status_entry(list_url=LIST_URL, index=5, purpose="revocation"),
    )
    return sign(unsigned, key(), vm())


def _list(revoked: set[int]) -> dict[str, Any]:
    bits = sl.new_bitstring()
    for i in revoked:
        bits = sl.set_bit(bits, i, True)
    return sign(sl.build_status_list_credential(list_url=LIST_URL, issuer=ISSUER_ID,
                                                purpose="revocation", bits=bits,
                                                valid_from=datetime(2025, 1, 1, tzinfo=UTC)),
                key(), vm())


def _described(endorsed: str, revoked: set[int]) -> Any:
    doc = credential()
    doc["issuer"]["endorsement"] = [_endorsement(endorsed)]
    report = verify_credential(signed(doc), resolver=resolver((LIST_URL, _list(revoked))),
                               now=NOW)
    assert report.verified, report.to_dict()["checks"]
    return describe(report)


def test_an_endorsement_of_the_issuer_vouches_for_it() -> None:
    about = _described(ISSUER_ID, set())
    assert about.issuer_endorsers == ["Réseau Passerelles"] and about.withdrawn_endorsers == []
    withdrawn = _described(ISSUER_ID, {5})
    assert withdrawn.issuer_endorsers == [] and withdrawn.endorsers == []
    assert withdrawn.withdrawn_endorsers == ["Réseau Passerelles"]


def test_someone_elses_endorsement_copied_into_a_profile_vouches_for_nobody() -> None:
    about = _described("https://badges.example.fr/issuers/someone-else", set())
    assert about.issuer_endorsers == [] and about.endorsers == ["Réseau Passerelles"]
    assert _described("https://badges.example.fr/issuers/someone-else", {5}) \
        .withdrawn_endorsers == []
