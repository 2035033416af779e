"""Test data for grids: a published référentiel version and rounds, built through the services."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from badger import grids
from badger.referentiels.models import Competence, Referentiel, ReferentielVersion

APELS = [
    "Assiduité",
    "Ponctualité",
    "Fiabilité",
    "Respect des autres",
    "Respect des règles",
    "Respect de l'environnement",
    "Hygiène de vie",
    "Posture / Dynamisme",
    "Capacités Physiques",
    "Connaissance de soi",
    "Estime de soi",
    "Goût de l'effort",
    "Prise de risque",
    "Détermination / Persévérance",
    "Gestion du stress",
    "Maîtrise de soi / Prise de recul",
    "Expression de soi (verbale et non verbale)",
]


def published_version(
    db: Any,
    labels: list[str] | None = None,
    translations: dict[int, dict[str, Any]] | None = None,
) -> ReferentielVersion:
    """A published French version; competence ``i`` gets ``translations[i]`` (set before it is
    published: a published version cannot change)."""
    labels = labels or APELS
    translations = translations or {}
    key = f"test-{uuid.uuid4().hex[:8]}"
    ref = Referentiel(uuid=str(uuid.uuid4()), key=key, title="Grille sport (test)")
    version = ReferentielVersion(
        referentiel=ref,
        number=1,
        identifier=str(uuid.uuid4()),
        status="published",
        title="Grille sport (test)",
        creator="test",
    )
    version.competences = [
        Competence(
            identifier=str(uuid.uuid4()),
            label=label,
            position=i,
            pictogram="clock" if i == 1 else None,
            translations=translations.get(i, {}),
            levels=[
                {
                    "rubric": "r",
                    "criterion": "c",
                    "levels": [
                        {
                            "score": s,
                            "quality": f"niveau {s}",
                            "description": f"{label} : niveau {s}",
                        }
                        for s in range(6)
                    ],
                }
            ],
        )
        for i, label in enumerate(labels)
    ]
    db.add_all([ref, version])
    db.commit()
    return version


def journey_round(
    db: Any,
    org: Any,
    participant: Any,
    coach: Any,
    version: Any,
    label: str = "entry",
    n: int | None = None,
) -> Any:
    journey = grids.current_journey(db, participant) or grids.start_journey(
        db,
        organisation_id=org.id,
        participant=participant,
        coach_id=coach.id if coach else None,
        started_on=date(2025, 1, 6),
    )
    ids = [c.id for c in version.competences][: n or None]
    rnd = grids.open_round(
        db, journey=journey, referentiel_version_id=version.id, competence_ids=ids, label=label
    )
    db.commit()
    return rnd


def rate(db: Any, rnd: Any, role: str, actor: Any, scores: list[int | None]) -> None:
    entries = [
        grids.RatingInput(it.competence_id, s) for it, s in zip(rnd.items, scores, strict=False)
    ]
    grids.save_ratings(db, rnd, role=role, actor=actor, entries=entries)
    db.commit()


#: A 17-axis round as a conversation leaves it half-way (tests/grids/test_compare_*.py):
#: three gaps of 2 (axes 4, 5 and 14), a level the coach proposed (axis 9), a validation
#: awaiting the participant's consent (axis 8); axes 2, 3, 6 and 7 agreed (and consented).
TYPICAL_SELF = [4, 3, 4, 3, 5, 2, 3, 4, 3, 2, 4, 3, 2, 4, 3, 3, 2]
TYPICAL_COACH = [3, 3, 4, 1, 3, 2, 3, 4, 4, 2, 3, 3, 2, 2, 3, 3, 2]
TYPICAL_GAPS = (3, 4, 13)  # indexes from 0
TYPICAL_NEEDS_WORD = (3, 4, 7, 8, 13)


def typical_round(
    db: Any, org: Any, participant: Any, coach: Any, *, conversation: bool = True
) -> Any:
    """The round above; ``conversation=False``: as it is when the participant has just finished
    their grid (scores, a comment, the coach's advice; nothing agreed yet)."""
    from badger.grids.models import ValidatedCompetence

    version = published_version(db)
    rnd = journey_round(db, org, participant, coach, version)
    rate(db, rnd, "self", participant, TYPICAL_SELF)
    rate(db, rnd, "coach", coach, TYPICAL_COACH)
    cids = [it.competence_id for it in rnd.items]
    grids.save_ratings(
        db,
        rnd,
        role="self",
        actor=participant,
        entries=[grids.RatingInput(cids[4], None, comment="Je cours tous les matins.")],
    )
    grids.submit_self_assessment(db, rnd, participant)
    grids.save_coach_notes(
        db,
        rnd,
        author=coach,
        entries=[grids.NoteInput(cids[3], "Arriver à l'heure trois fois de suite.", "")],
        summary=None,
    )
    if not conversation:
        db.commit()
        return rnd
    for i, level in ((1, 3), (2, 4), (5, 2), (6, 3), (7, 4)):
        grids.record_agreement(db, rnd, competence_id=cids[i], level=level, actor=coach)
        grids.record_agreement(db, rnd, competence_id=cids[i], level=level, actor=participant)
    grids.record_agreement(db, rnd, competence_id=cids[8], level=4, actor=coach)
    db.flush()
    for vc in db.query(ValidatedCompetence).filter_by(round_id=rnd.id):
        grids.confirm_validation(db, vc, coach)
        if vc.competence_id != cids[7]:
            grids.set_consent(db, vc, participant, given=True)
    db.commit()
    return rnd
