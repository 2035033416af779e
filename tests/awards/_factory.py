"""Awards test data, built through the services of each domain."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from badger import referentiels
from badger.awards import service
from badger.referentiels.models import Competence, Referentiel, ReferentielVersion

LABELS = ["Ponctualité", "Respect des règles", "Goût de l'effort"]


def published_version(db: Any, labels: list[str] | None = None) -> ReferentielVersion:
    labels = labels or LABELS
    ref = Referentiel(uuid=str(uuid.uuid4()), key=f"t-{uuid.uuid4().hex[:8]}",
                      title="Grille sport (test)")
    version = ReferentielVersion(referentiel=ref, number=1, identifier=str(uuid.uuid4()),
                                 status="published", title="Grille sport (test)", creator="test")
    version.competences = [
        Competence(
            identifier=str(uuid.uuid4()), label=label, code=f"C{i + 1}", position=i,
            pictogram="clock" if i == 0 else None,
            levels=[{"rubric": "r", "criterion": "c", "levels": [
                {"score": s, "quality": f"niveau {s}", "description": f"{label} : niveau {s}",
                 "identifier": str(uuid.uuid4())}
                for s in range(6)]}],
        )
        for i, label in enumerate(labels)
    ]
    db.add_all([ref, version])
    db.commit()
    return version


def adopted_version(db: Any, org: Any, admin: Any) -> ReferentielVersion:
    version = published_version(db)
    referentiels.adopt(db, org.id, version, admin.id)
    db.commit()
    return version


def achievement(db: Any, org: Any, admin: Any, version: Any, *, index: int = 0,
                validity_days: int | None = None, min_level: int = 3) -> Any:
    comp = version.competences[index]
    ach = service.create_achievement(
        db, org,
        service.AchievementInput(competence_id=comp.id, name=comp.label,
                                 description=f"{comp.label} reconnue en séance.",
                                 min_level=min_level, validity_days=validity_days),
        actor=admin,
    )
    db.commit()
    return ach


def group_session(db: Any, org: Any, coach: Any, version: Any, participants: list[Any]) -> Any:
    from badger import grids

    gs = grids.create_session(
        db, organisation_id=org.id, coach=coach, held_on=date(2026, 11, 24),
        title="Football du mardi", referentiel_version_id=version.id,
        competence_ids=[c.id for c in version.competences], round_label="entry",
        participants=participants,
    )
    db.commit()
    return gs


def validate(db: Any, rnd: Any, competence: Any, coach: Any, participant: Any,
             level: int = 4, consent: bool = False) -> Any:
    """Agree a level both ways and confirm it: the grid's validated competence."""
    from badger import grids

    grids.record_agreement(db, rnd, competence_id=competence.id, level=level, actor=coach)
    rnd.self_submitted_at = rnd.self_submitted_at or rnd.created_at  # agrees once grid finished
    grids.record_agreement(db, rnd, competence_id=competence.id, level=level, actor=participant)
    from sqlalchemy import select

    from badger.grids.models import ValidatedCompetence

    vc = db.execute(select(ValidatedCompetence).where(
        ValidatedCompetence.round_id == rnd.id,
        ValidatedCompetence.competence_id == competence.id)).scalar_one()
    grids.confirm_validation(db, vc, coach)
    if consent:
        grids.set_consent(db, vc, participant, given=True)
    db.commit()
    return vc


def only_credential(app: Any) -> Any:
    """The one credential in the database, detached (tests that issue exactly one)."""
    from sqlalchemy import select

    from badger.awards.models import Credential
    from badger.db import get_db

    with get_db(app).session() as s:
        rows = s.scalars(select(Credential)).all()
        assert len(rows) == 1
        s.expunge_all()
        return rows[0]


def english_and_french_readers(db: Any, make: Any, org: Any, coach: Any,
                               version: Any) -> dict[str, Any]:
    """Two participants of one session whose grid validated the version's first competence at
    level 4: Ana reads the interface in English, Bruno in French. ``vcs``: participant id ->
    validated competence."""
    from badger import grids

    ana = make.participant(org, "Ana", email="ana@example.org")
    ana.locale = "en"
    bruno = make.participant(org, "Bruno", email="bruno@example.org")
    bruno.locale = "fr"
    db.commit()
    gs = group_session(db, org, coach, version, [ana, bruno])
    rounds = grids.session_rounds(db, gs)
    vcs = {p.id: validate(db, rounds[p.id], version.competences[0], coach, p, level=4)
           for p in (ana, bruno)}
    return {"ana": ana, "bruno": bruno, "vcs": vcs}


def accept_and_download(app: Any, make: Any, readers: dict[str, Any], who: str,
                        achievement: Any) -> dict[str, Any]:
    """``readers[who]`` (see :func:`english_and_french_readers`) accepts the badge on /me/badges
    and downloads it in every format: ``{"id", "language", "files": {format: bytes}}``."""
    from sqlalchemy import select

    from badger.awards.models import Credential
    from badger.db import get_db
    from tests.conftest import login_participant

    person = readers[who]
    vc = readers["vcs"][person.id]
    client = app.test_client()
    login_participant(client, make, person)
    r = client.post("/me/badges", data={"validated_competence_id": vc.id,
                                        "achievement_id": achievement.id, "decision": "accept"})
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    with get_db(app).session() as s:
        cred = s.execute(select(Credential).where(Credential.participant_id == person.id)
                         ).scalar_one()
        cid, language = cred.id, cred.language
    files = {fmt: client.get(f"/me/badges/{cid}/file.{fmt}").get_data()
             for fmt in ("json", "jwt", "png", "svg")}
    return {"id": cid, "language": language, "files": files}


def hold_for_claim(db: Any, make: Any, org: Any, coach: Any, achievement: Any,
                   name: str = "Élise") -> tuple[Any, str]:
    """A badge awarded at level 4 to a participant known by name only: held as a claim.
    Returns the held credential and its claim code."""
    person = make.participant(org, name)
    row = service.award_many(db, org, achievement,
                             [service.AwardRequest(participant_id=person.id, level=4)],
                             actor=coach)[0]
    db.commit()
    assert row.outcome == "claim" and row.claim_code
    return row.credential, row.claim_code
