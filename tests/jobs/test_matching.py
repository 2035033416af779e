"""Matching explanations over HTTP: a badge counts first, else the last agreed level, else
"not evaluated yet"; revoked badges, expired offers and another référentiel version's levels
do not count; a participant sees offers only once they chose to."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from badger import awards, jobs
from badger.jobs import matching
from tests.awards import _factory as awards_factory
from tests.conftest import login_participant
from tests.jobs import _helpers as h


def _page(client: Any) -> str:
    response = client.get("/my/jobs")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _opt_in(client: Any) -> None:
    assert client.post("/my/jobs", data={"receive": "1"}).status_code == 302


def test_offers_are_off_until_the_participant_chooses(app: Any, db: Any, make: Any) -> None:
    w = h.world(db, make)
    h.agree(db, w.org, w.coach, w.person, w.version, {0: 4})
    h.offer(db, w.employer, w.version, [(0, 3)])
    h.offer(db, w.employer, w.version, [(1, 3)], title="Rien d'évalué")
    client = app.test_client()
    login_participant(client, make, w.person)
    assert "Vendeur·se en boulangerie" not in _page(client)
    _opt_in(client)
    page = _page(client)
    assert "Vendeur·se en boulangerie" in page
    # nothing of it evaluated: neither fitting nor partly fitting
    assert "Rien d&#39;évalué" not in page
    client.post("/my/jobs", data={})
    assert "Vendeur·se en boulangerie" not in _page(client)


def test_explanations_badge_first_then_agreement_then_nothing(app: Any, db: Any,
                                                              make: Any) -> None:
    w = h.world(db, make)
    h.agree(db, w.org, w.coach, w.person, w.version, {0: 2, 1: 4})
    h.badge(db, w.org, w.admin, w.person, w.version, 0, level=4)  # beats the agreed 2
    fits = h.offer(db, w.employer, w.version, [(0, 3), (1, 3)], title="Offre qui va")
    h.offer(db, w.employer, w.version, [(0, 3), (1, 5), (2, 2)], title="Offre en partie")
    client = app.test_client()
    login_participant(client, make, w.person)
    _opt_in(client)
    page = _page(client)
    fit_part, partial_part = page.split("vous correspondent en partie")
    assert "Offre qui va" in fit_part and "Offre en partie" not in fit_part
    assert "demandé : Ponctualité niveau 3 — vous : niveau 4, badge" in " ".join(fit_part.split())
    assert "demandé : Respect des règles niveau 3 — vous : niveau 4 (convenu avec votre coach)" \
        in " ".join(fit_part.split())
    flat = " ".join(partial_part.split())
    assert "Offre en partie" in flat
    assert "Il vous manque : Respect des règles, Goût de l&#39;effort" in flat
    assert "demandé : Goût de l&#39;effort niveau 2 — pas encore évalué" in flat
    assert matching.fitting_participants(db, fits) == [w.person.id]


def test_a_revoked_badge_no_longer_counts(app: Any, db: Any, make: Any) -> None:
    w = h.world(db, make)
    h.agree(db, w.org, w.coach, w.person, w.version, {0: 2})
    cred = h.badge(db, w.org, w.admin, w.person, w.version, 0, level=5)
    offer = h.offer(db, w.employer, w.version, [(0, 3)])
    jobs.set_preference(db, w.person, receive=True, digest=False)
    db.commit()
    assert matching.explain(db, offer, w.person.id).lines[0].source == matching.BADGE
    awards.revoke(db, cred, "erreur de saisie", actor=w.admin)
    db.commit()
    line = matching.explain(db, offer, w.person.id).lines[0]
    assert (line.level, line.source, line.met) == (2, matching.AGREED, False)
    assert matching.fitting_participants(db, offer) == []


def test_latest_agreement_counts(app: Any, db: Any, make: Any, clock: Any) -> None:
    w = h.world(db, make)
    h.agree(db, w.org, w.coach, w.person, w.version, {0: 2}, label="entry")
    clock.advance(minutes=60 * 24 * 20)
    h.agree(db, w.org, w.coach, w.person, w.version, {0: 4}, label="exit")
    offer = h.offer(db, w.employer, w.version, [(0, 3)])
    assert matching.explain(db, offer, w.person.id).lines[0].level == 4


def test_expired_offer_disappears(app: Any, db: Any, make: Any, clock: Any) -> None:
    w = h.world(db, make)
    h.agree(db, w.org, w.coach, w.person, w.version, {0: 4})
    h.offer(db, w.employer, w.version, [(0, 3)], days=2)
    client = app.test_client()
    login_participant(client, make, w.person)
    _opt_in(client)
    assert "Vendeur·se en boulangerie" in _page(client)
    clock.advance(minutes=60 * 24 * 3)
    client = app.test_client()  # the login session is long gone too
    login_participant(client, make, w.person)
    assert "Vendeur·se en boulangerie" not in _page(client)


def test_another_referentiel_version_does_not_count(app: Any, db: Any, make: Any) -> None:
    w = h.world(db, make)
    other = awards_factory.adopted_version(db, w.org, w.admin)  # same labels, another version
    h.badge(db, w.org, w.admin, w.person, other, 0, level=5)
    h.agree(db, w.org, w.coach, w.person, other, {1: 5})
    offer = h.offer(db, w.employer, w.version, [(0, 1), (1, 1)])
    lines = matching.explain(db, offer, w.person.id).lines
    assert [(line.level, line.source) for line in lines] == [(None, None), (None, None)]


def test_only_opted_in_participants_of_the_audience_match(app: Any, db: Any, make: Any) -> None:
    w = h.world(db, make)
    quiet = make.participant(w.org, "Bilal")
    other_org = make.organisation("org-b")
    stranger = make.participant(other_org, "Chloé")
    for p in (w.person, quiet, stranger):
        h.agree(db, w.org if p is not stranger else other_org, w.coach, p, w.version, {0: 5})
    jobs.set_preference(db, w.person, receive=True, digest=False)
    jobs.set_preference(db, stranger, receive=True, digest=False)
    db.commit()
    offer = h.offer(db, w.employer, w.version, [(0, 3)])
    assert matching.fitting_participants(db, offer) == [w.person.id]
    offer.expires_at = offer.expires_at - timedelta(days=1)  # unrelated: still live
    assert matching.fitting_participants(db, offer, digest_only=True) == []
