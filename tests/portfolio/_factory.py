"""Portfolio test data: a référentiel with recruiter words, badges issued through awards."""

from __future__ import annotations

import uuid
from typing import Any

from badger import referentiels
from badger.awards import service as awards
from badger.referentiels.models import Competence, Referentiel, ReferentielVersion

LABELS = ["Ponctualité", "Respect des règles", "Goût de l'effort", "Travail en équipe"]


def adopted_version(db: Any, org: Any, admin: Any, n: int = 4) -> ReferentielVersion:
    ref = Referentiel(
        uuid=str(uuid.uuid4()), key=f"p-{uuid.uuid4().hex[:8]}", title="Savoir-être (test)"
    )
    version = ReferentielVersion(
        referentiel=ref,
        number=1,
        identifier=str(uuid.uuid4()),
        status="published",
        title="Savoir-être (test)",
        creator="test",
        version_label="2.1",
    )
    labels = (LABELS * (n // len(LABELS) + 1))[:n]
    version.competences = [
        Competence(
            identifier=str(uuid.uuid4()),
            label=f"{label} {i}" if i >= len(LABELS) else label,
            code=f"C{i + 1}",
            position=i,
            levels=[
                {
                    "rubric": "r",
                    "criterion": "c",
                    "levels": [
                        {
                            "score": s,
                            "quality": f"niveau {s}",
                            "description": f"{label} : niveau {s}",
                            "identifier": str(uuid.uuid4()),
                        }
                        for s in range(6)
                    ],
                }
            ],
            links=[
                {"kind": "rome", "uri": "urn:rome:SE-1", "code": "SE-1", "label": "Fiabilité"},
                {
                    "kind": "esco",
                    "uri": "http://data.europa.eu/esco/skill/abc",
                    "code": "abc",
                    "label": "faire preuve de fiabilité",
                },
            ],
        )
        for i, label in enumerate(labels)
    ]
    db.add_all([ref, version])
    db.commit()
    referentiels.adopt(db, org.id, version, admin.id)
    db.commit()
    return version


def achievement(db: Any, org: Any, admin: Any, version: Any, index: int = 0, **kw: Any) -> Any:
    comp = version.competences[index]
    ach = awards.create_achievement(
        db,
        org,
        awards.AchievementInput(
            competence_id=comp.id,
            name=comp.label,
            description=f"{comp.label} reconnue en séance.",
            min_level=kw.pop("min_level", 2),
            **kw,
        ),
        actor=admin,
    )
    db.commit()
    return ach


def issue(db: Any, org: Any, ach: Any, participant: Any, level: int = 4) -> Any:
    result = awards.award_one(
        db,
        org,
        ach,
        awards.AwardRequest(
            participant_id=participant.id, level=level, email=f"p{participant.id}@example.org"
        ),
    )
    db.commit()
    return result.credential


def badges(db: Any, org: Any, admin: Any, participant: Any, n: int = 2) -> list[Any]:
    version = adopted_version(db, org, admin, n=max(n, 2))
    return [
        issue(db, org, achievement(db, org, admin, version, index=i), participant) for i in range(n)
    ]


def chart_round(db: Any, org: Any, participant: Any, coach: Any, version: Any) -> Any:
    """A round with self and coach scores whose chart the participant allows in the portfolio."""
    from datetime import date

    from badger import grids

    journey = grids.current_journey(db, participant) or grids.start_journey(
        db,
        organisation_id=org.id,
        participant=participant,
        coach_id=coach.id,
        started_on=date(2025, 1, 6),
    )
    rnd = grids.open_round(
        db,
        journey=journey,
        referentiel_version_id=version.id,
        competence_ids=[c.id for c in version.competences],
        label="entry",
    )
    db.commit()
    for role, actor, scores in (
        ("self", participant, [3, 4, 2, 5]),
        ("coach", coach, [4, 4, 3, 4]),
    ):
        grids.save_ratings(
            db,
            rnd,
            role=role,
            actor=actor,
            entries=[
                grids.RatingInput(it.competence_id, s)
                for it, s in zip(rnd.items, scores, strict=False)
            ],
        )
    grids.set_chart_in_portfolio(db, rnd, participant, True)
    db.commit()
    return rnd


#: The network of :func:`endorsed_badges` (slug, name).
ENDORSING_NETWORK = ("reseau-a", "Réseau régional A")


def endorsed_badges(db: Any, make: Any, org: Any, admin: Any, participant: Any,
                    n: int = 2) -> list[Any]:
    """``n`` badges whose issuer Profile embeds the endorsement of :data:`ENDORSING_NETWORK`
    (with its status entry): ``org`` joins the network, which endorses it, then issues."""
    from badger.networks import service as networks
    from tests.networks.conftest import add_member

    network = make.network(ENDORSING_NETWORK[0])
    network.name = ENDORSING_NETWORK[1]
    add_member(make, network, org)
    networks.endorse(db, network, org.slug, "Membre actif du réseau.", actor=None)
    db.commit()
    return badges(db, org, admin, participant, n=n)
