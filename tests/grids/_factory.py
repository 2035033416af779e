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
