"""A cohort with known figures, written straight into the tables (journeys, rounds, the coach's
scores, exits, credentials, share links): the statistics read them through SQL only."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from badger.accounts import service as accounts
from badger.awards.models import Credential
from badger.db import utcnow
from badger.grids.models import GroupSession, Journey, Rating, Round, RoundCompetence
from badger.outcomes.models import JourneyExit
from badger.portfolio.models import Share, ShareView


@dataclass
class Person:
    """One journey: when, its programme, the coach's scores per round (competence index →
    score; ``None``: a round without the coach's score on it), its exit."""

    started: date
    ended: date | None = None
    programme: str = ""
    rounds: list[dict[int, int]] = field(default_factory=list)
    exit: tuple[Any, ...] | None = None  # (kind, contract, duration, qualifying, consent)
    name: str = ""


def seed(db: Any, org: Any, version: Any, people: list[Person]) -> list[Any]:
    """The participants, journeys, rounds and exits of ``people``; returns the participants."""
    comps = [c.id for c in version.competences]
    sessions: dict[str, GroupSession] = {}
    out = []
    for n, spec in enumerate(people):
        person = accounts.create_participant(
            db, organisation_id=org.id, display_name=spec.name or f"Zéphyrin{n:03d} Xylo")
        journey = Journey(organisation_id=org.id, participant_id=person.id,
                          started_on=spec.started, ended_on=spec.ended)
        db.add(journey)
        gs = None
        if spec.programme:
            gs = sessions.get(spec.programme)
            if gs is None:
                gs = GroupSession(organisation_id=org.id, held_on=spec.started,
                                  title=f"Séance {spec.programme}",
                                  referentiel_version_id=version.id, competence_ids=comps[:3],
                                  programme=spec.programme)
                db.add(gs)
                db.flush()
                sessions[spec.programme] = gs
        for pos, scores in enumerate(spec.rounds or [{}], 1):
            rnd = Round(organisation_id=org.id, journey=journey, position=pos,
                        referentiel_version_id=version.id, label=f"tour {pos}",
                        session_id=gs.id if gs is not None and pos == 1 else None)
            rnd.items = [RoundCompetence(competence_id=c, position=i)
                         for i, c in enumerate(comps[:3])]
            db.add(rnd)
            db.flush()
            for index, score in scores.items():
                db.add(Rating(organisation_id=org.id, round_id=rnd.id,
                              competence_id=comps[index], rater_role="coach",
                              rater_key="coach", score=score))
                # the participant's own view never counts in the progression
                db.add(Rating(organisation_id=org.id, round_id=rnd.id,
                              competence_id=comps[index], rater_role="self",
                              rater_key="self", score=5 - score))
        if spec.exit is not None:
            kind, contract, duration, qualifying, consent = spec.exit
            db.add(JourneyExit(organisation_id=org.id, journey=journey,
                               participant_id=person.id, kind=kind, contract=contract,
                               duration=duration, qualifying=qualifying,
                               exited_on=spec.ended or spec.started, consent=consent,
                               follow_ups=False))
        out.append(person)
    db.commit()
    return out


def credential(db: Any, org: Any, achievement: Any, person: Any, *, state: str = "issued") -> Any:
    cred = Credential(organisation_id=org.id, uuid=str(uuid.uuid4()),
                      achievement_id=achievement.id, participant_id=person.id, state=state,
                      level=4, awarded_at=utcnow())
    db.add(cred)
    db.commit()
    return cred


def share(db: Any, org: Any, person: Any, *, views: int) -> Any:
    row = Share(organisation_id=org.id, participant_id=person.id,
                token_hash=secrets.token_hex(32), label="Pour un employeur",
                expires_at=utcnow() + timedelta(days=30))
    db.add(row)
    db.flush()
    for _ in range(views):
        db.add(ShareView(share_id=row.id, viewed_at=utcnow()))
    db.commit()
    return row
