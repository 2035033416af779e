"""Pages tell only what is proven: a badge that is not authentic, or could not be checked, shows
the reason and none of its claims as facts (verify page, share page, annex), in the page's
language; a badge withdrawn by its holder's erasure says so, not "the organisation withdrew it"."""

from __future__ import annotations

import copy
import html as htmllib
import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from badger.awards.models import Credential, HolderWithdrawal
from tests.portfolio import _factory
from tests.portfolio.test_shares import create_share, path_of

NETWORK = _factory.ENDORSING_NETWORK[1]
#: What an endorsed badge of the factory proves when genuine, by page language: none of it may
#: show once the badge is not authentic.
CLAIMS = {
    "fr": ["4 sur 5", "Savoir-être (test)", NETWORK, "Reconnu par", "Niveau atteint", "Fiabilité",
           "Délivré par"],
    "en": ["4 out of 5", "Savoir-être (test)", NETWORK, "Recognised by", "Level reached",
           "Fiabilité", "Issued by"],
}


@pytest.fixture
def creds(db: Any, make: Any, org: Any, admin: Any, participant: Any) -> list[Any]:
    return _factory.endorsed_badges(db, make, org, admin, participant, n=1)


def _text(response: Any) -> str:
    return htmllib.unescape(response.get_data(as_text=True))


def _main(page: str) -> str:
    """The page without its navigation and footer (their words are not about the badge)."""
    match = re.search(r"<main.*?</main>", page, re.S)
    assert match, page[:2000]
    return match.group(0)


def _words(page: str) -> str:
    """The page's text, tags removed, spaces collapsed (inline isolation of names — spans and
    bdi — removed without a space: they sit inside words' punctuation)."""
    page = re.sub(r"</?(?:span|bdi)\b[^>]*>", "", page)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split()).replace(" :", " :")


def _result(page: str) -> str:
    """The verify page's answer (the form below echoes what was pasted: not a claim shown)."""
    match = re.search(r'<section class="card" aria-labelledby="result-title">.*?</section>',
                      page, re.S)
    assert match, page[:3000]
    return match.group(0)


def _english(client: Any) -> None:
    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 302


def _tampered(cred: Any) -> dict[str, Any]:
    doc = json.loads(cred.signed_json)
    doc["credentialSubject"]["achievement"]["name"] = "Direction générale (expert)"
    return doc


def _bbs(cred: Any) -> dict[str, Any]:
    """The genuine credential whose proof is replaced by one in a suite badger cannot check."""
    doc = json.loads(cred.signed_json)
    proof = copy.deepcopy(doc["proof"] if isinstance(doc["proof"], dict) else doc["proof"][0])
    proof.update(cryptosuite="bbs-2023", proofValue="u2V0AhVhAxyz")
    doc["proof"] = proof
    return doc


def test_genuine_badge_shows_its_facts(app: Any, client: Any, creds: list[Any]) -> None:
    """The control: the claims the tests below look for do show when proven."""
    page = _text(client.post("/verify", data={"text": creds[0].signed_json},
                             content_type="multipart/form-data"))
    assert "Badge authentique" in page and "Non prouvé" not in page
    assert "4 sur 5" in page and NETWORK in page and "Savoir-être (test)" in page


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("forge", ["tampered", "bbs"])
def test_verify_page_shows_no_claim_of_an_unproven_badge(
    client: Any, creds: list[Any], lang: str, forge: str
) -> None:
    if lang == "en":
        _english(client)
    doc = _tampered(creds[0]) if forge == "tampered" else _bbs(creds[0])
    response = client.post("/verify", data={"text": json.dumps(doc)},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    page = _result(_text(response))
    headline = {
        ("fr", "tampered"): "Badge non authentique",
        ("en", "tampered"): "Badge not genuine",
        ("fr", "bbs"): "Vérification incomplète",
        ("en", "bbs"): "Incomplete check",
    }[(lang, forge)]
    assert headline in page
    for claim in CLAIMS[lang]:
        assert claim not in page, claim
    name = doc["credentialSubject"]["achievement"]["name"]
    claim = {
        "fr": f"Non prouvé : ce fichier dit être le badge « {name} » délivré par "
              "« Organisation A ».",
        "en": f"Not proven: this file says it is the badge “{name}” issued by “Organisation A”.",
    }[lang]
    assert claim in _words(page)
    # the reason, in the page's language — and no English technical line on a French page
    reason = {
        ("fr", "tampered"): "La signature ne correspond pas",
        ("en", "tampered"): "The signature does not match",
        ("fr", "bbs"): "La signature utilise une méthode que ce service ne sait pas vérifier",
        ("en", "bbs"): "The signature uses a method this service cannot check",
    }[(lang, forge)]
    assert reason in page
    assert 'lang="en"' not in page
    if lang == "fr":
        assert "The signature" not in page and "Unsupported cryptosuite" not in page
    else:
        assert "La signature" not in page and "Signature numérique" not in page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_verify_api_says_could_not_check_for_an_unsupported_suite(
    client: Any, creds: list[Any], lang: str
) -> None:
    if lang == "en":
        _english(client)
    response = client.post("/credentials/verify", json={"verifiableCredential": _bbs(creds[0])})
    assert response.status_code == 422
    body = response.get_json()
    assert (body["verified"], body["state"]) == (False, "unknown")
    proof = next(c for c in body["report"]["checks"] if c["name"] == "proof")
    assert (proof["state"], proof["code"]) == ("unknown", "proof_unsupported")
    plain = next(c for c in body["plain"]["checks"] if c["name"] == "proof")
    assert plain["text"].startswith({
        "fr": "La signature utilise une méthode que ce service ne sait pas vérifier",
        "en": "The signature uses a method this service cannot check",
    }[lang])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_share_page_and_annex_show_no_claim_of_a_badge_that_no_longer_verifies(
    app: Any, db: Any, participant_client: Any, creds: list[Any], lang: str
) -> None:
    link = create_share(participant_client, creds)
    anon = app.test_client()
    if lang == "en":
        _english(anon)
    genuine = _main(_text(anon.get(path_of(link))))
    for claim in CLAIMS[lang]:
        assert claim in genuine, claim  # the control: all of it shows while it verifies
    cred = db.get(Credential, creds[0].id)
    cred.signed_json = json.dumps(_tampered(cred))  # the stored copy no longer verifies
    db.commit()
    page = _main(_text(anon.get(path_of(link))))
    assert {"fr": "Badge non vérifié", "en": "Unverified badge"}[lang] in page
    assert {"fr": "Badge non authentique", "en": "Badge not genuine"}[lang] in page
    assert {"fr": "Non prouvé :", "en": "Not proven:"}[lang] in page
    for claim in CLAIMS[lang]:
        assert claim not in page, claim
    annex = _main(_text(anon.get(path_of(link) + "/cv")))
    assert {"fr": "Non prouvé :", "en": "Not proven:"}[lang] in annex
    for claim in ("4 sur 5", "4 out of 5", "Savoir-être (test)"):
        assert claim not in annex, claim


# --------------------------------------------------------------------------- erasure

HOLDER = {
    "fr": "La personne qui a reçu ce badge a effacé ses données : cette copie a été retirée à sa "
          "demande. Ce n'est pas une décision de l'organisme.",
    "en": "The person who received this badge erased their data: this copy was withdrawn at "
          "their request. It is not a decision of the organisation.",
}
ORG_WITHDREW = {
    "fr": "L'organisme a retiré ce badge",
    "en": "The organisation has withdrawn this badge",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_after_erasure_pages_say_the_holder_withdrew_the_copy(
    app: Any, db: Any, client: Any, make: Any, participant_client: Any, creds: list[Any],
    admin: Any, org: Any, lang: str,
) -> None:
    from badger import awards

    cred = creds[0]
    assert participant_client.post(f"/portfolio/badges/{cred.id}/public",
                                   data={"public": "1"}).status_code in {200, 302}
    copy_json, uuid, cid = cred.signed_json, cred.uuid, json.loads(cred.signed_json)["id"]
    assert client.get(path_of(cid)).status_code == 200
    # another participant's badge, withdrawn by the organisation: the contrast
    other = make.participant(org, "Karim", email="k@example.org")
    version = _factory.adopted_version(db, org, admin, n=3)
    revoked = _factory.issue(db, org, _factory.achievement(db, org, admin, version, index=2),
                             other)
    awards.revoke(db, db.get(Credential, revoked.id), "Erreur de saisie")
    db.commit()
    revoked_json = db.get(Credential, revoked.id).signed_json

    assert participant_client.post("/portfolio/erase",
                                   data={"confirm": "effacer"}).status_code == 302
    db.expire_all()
    rows = db.scalars(select(HolderWithdrawal)).all()
    assert [r.credential_uuid for r in rows] == [uuid]  # only the erased holder's, not Karim's

    if lang == "en":
        _english(client)
    page = _result(_text(client.post("/verify", data={"text": copy_json},
                                     content_type="multipart/form-data")))
    assert HOLDER[lang] in page and ORG_WITHDREW[lang] not in page
    assert {"fr": "Badge plus valable", "en": "Badge no longer valid"}[lang] in page
    page = _main(_text(client.post("/verify", data={"url": cid},
                                   content_type="multipart/form-data")))  # an error, no result
    assert HOLDER[lang] in page
    other_page = _result(_text(client.post("/verify", data={"text": revoked_json},
                                           content_type="multipart/form-data")))
    assert ORG_WITHDREW[lang] in other_page and HOLDER[lang] not in other_page

    api = client.post("/api/verify", data=copy_json, content_type="application/json")
    status = next(c for c in api.get_json()["report"]["checks"] if c["name"] == "status")
    assert (status["state"], status["code"]) == ("failed", "holder_erased")
    vc_api = client.post("/credentials/verify", json={"verifiableCredential": json.loads(
        revoked_json)})
    status = next(c for c in vc_api.get_json()["report"]["checks"] if c["name"] == "status")
    assert status["code"] == "revoked"

    gone = client.get(path_of(cid))
    assert gone.status_code == 410
    assert gone.get_json() == {"error": "withdrawn_at_holder_request", "message": HOLDER[lang]}
    # a credential id nobody erased stays a plain 404 (nothing said about it)
    assert client.get(path_of(json.loads(revoked_json)["id"])).status_code == 404
