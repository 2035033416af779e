"""Jobs test data, built through the services of each domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from badger import grids, jobs
from badger.db import utcnow
from badger.referentiels.models import Crosswalk
from badger.security import hash_password
from tests.awards import _factory as awards_factory
from tests.portfolio import _factory as portfolio_factory

PASSWORD = "employeur-" + "x" * 10


def employer(db: Any, org: Any, email: str = "rh@boulangerie.example",
             company: str = "Boulangerie du Parc") -> Any:
    emp = jobs.vouch(db, email=email, name="Camille", company=company, organisation_id=org.id)
    emp.user.password_hash = hash_password(PASSWORD)
    db.commit()
    emp.user.test_password = PASSWORD
    return emp


def recruiter_words(db: Any, version: Any) -> None:
    """Crosswalks from the test grid to recruiters' words (as the shipped ones do)."""
    for code, label in (("C1", "Respecter les horaires"), ("C2", "Faire preuve de rigueur"),
                        ("C3", "Faire preuve de persévérance")):
        db.add(Crosswalk(identifier=str(uuid.uuid4()), referentiel_id=version.referentiel_id,
                         source_code=code, target_uri=f"https://words.example/{code}",
                         target_labels={"fr": label}, relation="isRelatedTo"))
    db.commit()


def agree(db: Any, org: Any, coach: Any, person: Any, version: Any,
          levels: dict[int, int], label: str = "entry") -> Any:
    """Levels agreed both ways in a grid round: competence index -> level."""
    journey = grids.current_journey(db, person) or grids.start_journey(
        db, organisation_id=org.id, participant=person, coach_id=coach.id,
        started_on=date(2026, 11, 2))
    rnd = grids.open_round(db, journey=journey, referentiel_version_id=version.id,
                           competence_ids=[c.id for c in version.competences], label=label)
    rnd.self_submitted_at = utcnow()
    db.flush()
    for index, level in levels.items():
        for actor in (coach, person):
            grids.record_agreement(db, rnd, competence_id=version.competences[index].id,
                                   level=level, actor=actor)
    db.commit()
    return rnd


def badge(db: Any, org: Any, admin: Any, person: Any, version: Any, index: int,
          level: int = 4) -> Any:
    ach = awards_factory.achievement(db, org, admin, version, index=index, min_level=1)
    return portfolio_factory.issue(db, org, ach, person, level=level)


def offer(db: Any, emp: Any, version: Any, reqs: list[tuple[int, int]],
          title: str = "Vendeur·se en boulangerie", days: int = 30) -> Any:
    posted = jobs.post(db, emp, jobs.OfferInput(
        title=title, rome_code="D1106", place="Rouen", postcode="76000", contract="CDD",
        expires_on=(utcnow() + timedelta(days=days)).date(),
        requirements=[(version.competences[i].id, level, "") for i, level in reqs]))
    db.commit()
    return posted


@dataclass
class World:
    org: Any
    admin: Any
    coach: Any
    person: Any
    version: Any
    employer: Any


def world(db: Any, make: Any) -> World:
    org = make.organisation("org-a", "Organisation A")
    admin = make.staff(org, "admin", email="admin@a.example.org")
    coach = make.staff(org, "assessor", email="coach@a.example.org")
    person = make.participant(org, "Amina")
    version = awards_factory.adopted_version(db, org, admin)
    return World(org, admin, coach, person, version, employer(db, org))
