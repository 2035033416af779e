"""verify_credential(endorsement_reports=): an embedded endorsement verified once per batch.

Every badge of an endorsed issuer embeds the same network endorsement (with its own proof and
status list) in its issuer Profile; a page of N such badges must verify it once, give the same
reports as without the memo, and never serve a different document from it.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from badger.ob3 import model, sign, verify_credential
from badger.ob3 import statuslist as sl
from badger.ob3.dids import controller_document
from badger.ob3.verify import VerificationReport

from ._factory import ISSUER_ID, NOW, credential, key, resolver, signed, vm

NETWORK_ID = "https://reseau.example.fr/networks/passerelles"
NETWORK_LIST = "https://reseau.example.fr/networks/passerelles/status/revocation/1"
ENDORSEMENT_INDEX = 1234
N = 4


def _network_list(*, withdrawn: bool = False) -> dict[str, Any]:
    bits = sl.new_bitstring()
    if withdrawn:
        bits = sl.set_bit(bits, ENDORSEMENT_INDEX, True)
    unsigned = sl.build_status_list_credential(
        list_url=NETWORK_LIST,
        issuer=NETWORK_ID,
        purpose="revocation",
        bits=bits,
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    k = key("Ed25519", 1)
    return sign(unsigned, k, vm(k, NETWORK_ID))


def _endorsement(comment: str = "Membre reconnu du réseau.") -> dict[str, Any]:
    unsigned = model.endorsement_credential(
        id="urn:uuid:2d0b8c4f-0000-4000-8000-000000000001",
        issuer=model.profile(NETWORK_ID, name="Réseau Passerelles"),
        name="Recommandation de l'association",
        endorsed_id=ISSUER_ID,
        comment=comment,
        valid_from="2025-01-01T00:00:00Z",
        credential_status=sl.status_entry(
            list_url=NETWORK_LIST, index=ENDORSEMENT_INDEX, purpose="revocation"
        ),
    )
    k = key("Ed25519", 1)
    return sign(unsigned, k, vm(k, NETWORK_ID), created=datetime(2025, 1, 1, tzinfo=UTC))


def _badges(endorsements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One signed badge per endorsement, each embedding it in its issuer Profile."""
    out = []
    for i, endorsement in enumerate(endorsements):
        doc = credential(achievement_name=f"Compétence {i}")
        doc["id"] = f"urn:uuid:8c3a1c2e-4b7d-4f1e-9a0b-{i:012d}"
        doc["issuer"]["endorsement"] = [copy.deepcopy(endorsement)]
        out.append(signed(doc))
    return out


def _resolver(*, withdrawn: bool = False) -> Any:
    network = controller_document(NETWORK_ID, [key("Ed25519", 1)])
    return resolver((NETWORK_ID, network), (NETWORK_LIST, _network_list(withdrawn=withdrawn)))


def _verify_all(
    badges: list[dict[str, Any]], memo: dict[str, VerificationReport] | None, r: Any = None
) -> list[VerificationReport]:
    r = r or _resolver()
    return [
        verify_credential(b, resolver=r, now=NOW, list_proofs={}, endorsement_reports=memo)
        for b in badges
    ]


def test_same_reports_with_and_without_the_memo() -> None:
    badges = _badges([_endorsement()] * N)
    plain = _verify_all(badges, None)
    memo: dict[str, VerificationReport] = {}
    memoised = _verify_all(badges, memo)
    assert len(memo) == 1
    for a, b in zip(plain, memoised, strict=True):
        assert a.verified and b.verified, b.to_dict()["checks"]
        assert b.to_dict() == a.to_dict()
        assert [e.to_dict() for e in b.endorsements] == [e.to_dict() for e in a.endorsements]
        assert b.endorsements[0].endorsed_id == ISSUER_ID
        assert b.endorsements[0].check("status").code == "not_revoked"  # type: ignore[union-attr]
    # each report owns its endorsement report: changing one leaves the others alone
    first, second = memoised[0].endorsements[0], memoised[1].endorsements[0]
    assert first is not second and first.checks is not second.checks
    first.checks.clear()
    assert second.verified and memo[next(iter(memo))].verified


def test_the_endorsement_signature_is_checked_once_for_n_badges(
    endorsement_proofs: list[str],
) -> None:
    badges = _badges([_endorsement()] * N)
    reports = _verify_all(badges, {})
    assert all(r.verified for r in reports)
    assert len(endorsement_proofs) == 1
    endorsement_proofs.clear()
    reports = _verify_all(badges, None)
    assert all(r.verified for r in reports)
    assert len(endorsement_proofs) == N


def test_a_tampered_endorsement_of_the_same_issuer_is_not_served_from_the_memo(
    endorsement_proofs: list[str],
) -> None:
    genuine = _endorsement()
    tampered = copy.deepcopy(genuine)
    tampered["credentialSubject"]["endorsementComment"] = "Partenaire exclusif du réseau."
    badges = _badges([genuine, tampered, genuine])
    memo: dict[str, VerificationReport] = {}
    good, bad, again = _verify_all(badges, memo)
    assert len(endorsement_proofs) == 2 and len(memo) == 2
    assert good.verified and again.verified
    assert not bad.verified and bad.check("endorsements").state == "failed"  # type: ignore[union-attr]
    assert bad.endorsements[0].check("proof").code == "signature_invalid"  # type: ignore[union-attr]
    assert bad.endorsements[0].endorsement_comment == "Partenaire exclusif du réseau."
    # the same document with another proof value is another key too
    reproofed = copy.deepcopy(genuine)
    proof = reproofed["proof"][0] if isinstance(reproofed["proof"], list) else reproofed["proof"]
    value = proof["proofValue"]
    proof["proofValue"] = value[:-4] + ("AAAA" if value[-4:] != "AAAA" else "BBBB")
    (forged,) = _verify_all(_badges([reproofed]), memo)
    assert len(endorsement_proofs) == 3
    assert not forged.verified and forged.endorsements[0].check("proof").state == "failed"  # type: ignore[union-attr]


def test_a_withdrawal_shows_with_a_new_memo() -> None:
    badges = _badges([_endorsement()] * 2)
    before = _verify_all(badges, {})
    after = _verify_all(badges, {}, _resolver(withdrawn=True))
    assert all(r.check("endorsements").code == "verified" for r in before)  # type: ignore[union-attr]
    for report in after:
        assert report.verified  # a withdrawn endorsement is a warning on the badge
        assert report.check("endorsements").code == "withdrawn"  # type: ignore[union-attr]
        assert report.endorsements[0].check("status").code == "revoked"  # type: ignore[union-attr]


def _endorsing(uuid_tail: str, embedded: list[dict[str, Any]]) -> dict[str, Any]:
    """A network endorsement whose own issuer Profile embeds ``embedded``."""
    unsigned = model.endorsement_credential(
        id=f"urn:uuid:2d0b8c4f-0000-4000-8000-{uuid_tail}",
        issuer=model.profile(NETWORK_ID, name="Réseau Passerelles"),
        name="Recommandation imbriquée",
        endorsed_id=ISSUER_ID,
        valid_from="2025-01-01T00:00:00Z",
    )
    unsigned["issuer"]["endorsement"] = embedded
    k = key("Ed25519", 1)
    return sign(unsigned, k, vm(k, NETWORK_ID), created=datetime(2025, 1, 1, tzinfo=UTC))


def test_nested_endorsements_keep_their_depth_limit() -> None:
    """The same endorsement met at depth 1 and nested at depth 2 is checked differently (its
    own endorsements are not checked at depth 2): the memo keeps the two apart."""
    middle = _endorsing("000000000002", [_endorsement()])
    outer = _endorsing("000000000003", [middle])
    doc = credential()
    doc["issuer"]["endorsement"] = [outer, middle]
    badge = signed(doc)
    (plain,) = _verify_all([badge], None)
    memo: dict[str, VerificationReport] = {}
    (memoised,) = _verify_all([badge], memo)
    assert memoised.to_dict() == plain.to_dict()
    nested, direct = memoised.endorsements[0].endorsements[0], memoised.endorsements[1]
    assert nested.check("endorsements").code == "too_deep"  # type: ignore[union-attr]
    assert direct.check("endorsements").code == "verified"  # type: ignore[union-attr]
    assert len(memo) == 4  # outer and middle at depth 1, middle and the innermost at depth 2


def test_a_flood_of_embedded_endorsements_is_not_all_verified() -> None:
    """Each embedded endorsement is verified in full (its key, its status list: fetches): a
    badge embedding hundreds must not buy hundreds of fetches. The first
    :data:`MAX_ENDORSEMENTS` are checked, the rest not shown as endorsers, and the report says
    so."""
    from badger.ob3.verify import MAX_ENDORSEMENTS

    fetched: list[str] = []
    inner = _resolver()

    class Counting:
        def fetch_json(self, url: str) -> Any:
            fetched.append(url)
            return inner.fetch_json(url)

        def fetch_bytes(self, url: str, **kw: Any) -> Any:
            fetched.append(url)
            return inner.fetch_bytes(url, **kw)

    flood = []
    for n in range(MAX_ENDORSEMENTS + 30):
        e = copy.deepcopy(_endorsement())
        e["proof"][0]["verificationMethod"] = f"https://elsewhere{n}.example/keys/1"
        flood.append(e)
    doc = credential()
    doc["issuer"]["endorsement"] = flood
    report = verify_credential(signed(doc), resolver=Counting(), now=NOW)
    assert len(report.endorsements) == MAX_ENDORSEMENTS
    assert sum("elsewhere" in u for u in fetched) <= MAX_ENDORSEMENTS
    check = report.check("endorsements")
    assert check is not None and (check.state, check.code) == ("warning", "too_many")
    assert not any(e.verified for e in report.endorsements)  # keys nowhere: none vouches
    good = credential()
    good["issuer"]["endorsement"] = [_endorsement()] * (MAX_ENDORSEMENTS + 1)
    report = verify_credential(signed(good), resolver=_resolver(), now=NOW)
    check = report.check("endorsements")
    assert check is not None and (check.state, check.code) == ("warning", "too_many")
