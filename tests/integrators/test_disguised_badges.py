"""An Open Badge in disguise: what JSON-LD reads as an OpenBadgeCredential is one, whatever
string its ``type`` uses. Without this, an integrator could skip the awards' rules (any
achievement, another organisation's included, no status bit) by naming the type by its IRI or
through an alias of its own inline context."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from badger.integrators.models import IssuedCredential
from tests.awards import _factory
from tests.integrators._helpers import ORG, open_badge
from tests.integrators.test_open_badges import achievement, send  # noqa: F401 - fixtures

OB_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"


@pytest.fixture
def foreign(db: Any, make: Any) -> Any:
    other_org = make.organisation("org-b")
    other_admin = make.staff(other_org, email="b@example.org")
    return _factory.achievement(db, other_org, other_admin,
                                _factory.adopted_version(db, other_org, other_admin))


def test_badge_typed_by_iri_follows_the_awards_rules(db: Any, org: Any, foreign: Any,
                                                     send: Any) -> None:  # noqa: F811
    cred = open_badge(org, foreign, type=["VerifiableCredential", OB_IRI])
    response = send(cred)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["details"] == {"field": "type"}
    assert db.scalar(select(IssuedCredential.id)) is None


def test_badge_typed_through_an_inline_alias_is_refused(db: Any, org: Any, foreign: Any,
                                                        send: Any) -> None:  # noqa: F811
    cred = open_badge(org, foreign, type=["VerifiableCredential", "Diplome"])
    cred["@context"] = [*cred["@context"], {"Diplome": {"@id": OB_IRI}}]
    response = send(cred)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert db.scalar(select(IssuedCredential.id)) is None


def test_open_badge_takes_no_inline_context(db: Any, org: Any, achievement: Any,  # noqa: F811
                                            send: Any) -> None:  # noqa: F811
    """An inline context could give the achievement a second, aliased property JSON-LD reads
    as the Open Badges ``achievement`` (another organisation's badge) beside the one checked."""
    cred = open_badge(org, achievement)
    cred["@context"] = [*cred["@context"],
                        {"badge": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement"}]
    cred["credentialSubject"]["badge"] = {"id": "https://elsewhere.example/a/1"}
    response = send(cred)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["details"] == {"field": "@context[2]"}
    assert db.scalar(select(IssuedCredential.id)) is None


def test_badge_or_endorsement_names_its_issuer_as_the_organisation(
        db: Any, org: Any, achievement: Any, send: Any) -> None:  # noqa: F811
    """badger's verify page shows the issuer's name as the credential gives it (beside the id):
    an integrator must not make a badge or an endorsement read as another organisation's."""
    badge = open_badge(org, achievement)
    badge["issuer"]["name"] = "Université de Paris"
    endorsement = open_badge(org, achievement, type=["VerifiableCredential",
                                                     "EndorsementCredential"])
    endorsement["issuer"] = {"id": ORG, "type": ["Profile"], "name": org.name,
                             "url": "https://universite.example"}
    endorsement["credentialSubject"] = {"id": "https://elsewhere.example/issuers/x",
                                        "type": ["EndorsementSubject"],
                                        "endorsementComment": "Recommandé."}
    for cred, field in ((badge, "issuer.name"), (endorsement, "issuer.url")):
        response = send(cred)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["error"]["details"] == {"field": field}
    assert db.scalar(select(IssuedCredential.id)) is None
    badge["issuer"]["name"] = org.name
    assert send(badge).status_code == 201


def test_badge_says_what_its_achievement_is(db: Any, org: Any, achievement: Any,  # noqa: F811
                                            send: Any) -> None:  # noqa: F811
    """The achievement's id is checked against the organisation's badges: its name (what every
    verify page shows) and its creator must be that badge's too, or an eligible badge's id
    would carry any title, or another organisation's authorship."""
    renamed = open_badge(org, achievement)
    renamed["credentialSubject"]["achievement"]["name"] = "Doctorat en médecine"
    foreign_creator = open_badge(org, achievement)
    foreign_creator["credentialSubject"]["achievement"]["creator"] = {
        "id": "https://universite.example/issuers/1", "type": ["Profile"]}
    for cred, field in ((renamed, "credentialSubject.achievement.name"),
                        (foreign_creator, "credentialSubject.achievement.creator")):
        response = send(cred)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["error"]["details"] == {"field": field}
    assert db.scalar(select(IssuedCredential.id)) is None


def test_credential_id_on_this_server_is_refused(db: Any, org: Any, achievement: Any,  # noqa: F811
                                                 send: Any) -> None:  # noqa: F811
    """Addresses on this server are badger's to give: a credential whose id is
    ``/credentials/<uuid>`` would open another credential's page there, and badger's verifier
    would explain its status from that other credential's records (suspended, re-issued…)."""
    from badger import urls
    from tests.integrators._helpers import vc2

    on_server = urls.credential_url("0b8e4f5e-4b0f-4c55-9d43-0d7b1c2a3e4f")
    for cred in (open_badge(org, achievement, id=on_server), vc2(id=on_server)):
        response = send(cred)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["error"]["details"] == {"field": "id"}
    assert db.scalar(select(IssuedCredential.id)) is None


def test_open_badge_takes_no_inline_context_in_a_nested_node(
        db: Any, org: Any, achievement: Any, send: Any) -> None:  # noqa: F811
    cred = open_badge(org, achievement)
    cred["credentialSubject"]["@context"] = {
        "badge": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement"}
    cred["credentialSubject"]["badge"] = {"id": "https://elsewhere.example/a/1"}
    response = send(cred)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["details"] == {"field": "credentialSubject.@context"}
    assert db.scalar(select(IssuedCredential.id)) is None


def test_open_badge_may_embed_a_credential_listing_published_contexts(
        db: Any, org: Any, achievement: Any, send: Any) -> None:  # noqa: F811
    """An embedded endorsement (a whole credential, its ``@context`` by address) is not an
    inline context: the check above must not refuse it (the signed result still goes through
    every other rule)."""
    cred = open_badge(org, achievement)
    cred["credentialSubject"]["achievement"]["@context"] = [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    response = send(cred)
    assert response.status_code == 201, response.get_data(as_text=True)
