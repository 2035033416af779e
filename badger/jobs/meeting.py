"""The three-way meeting guide (participant, employer, structure): the offer's competences
beside the participant's levels and badges, with room for notes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.awards.models import Achievement, Credential
from badger.jobs.matching import Match, explain
from badger.jobs.models import Application


@dataclass
class Guide:
    application: Application
    match: Match
    badges: dict[str, list[str]]  # competence label -> badge names


def guide(db: Session, application: Application, lang: str) -> Guide:
    match = explain(db, application.offer, application.participant_id, lang)
    ids = [r.competence_id for r in application.offer.requirements]
    labels = {r.competence_id: line.label
              for r, line in zip(application.offer.requirements, match.lines, strict=True)}
    rows = db.execute(
        select(Achievement.competence_id, Achievement.name).join(
            Credential, Credential.achievement_id == Achievement.id)
        .where(Credential.participant_id == application.participant_id,
               Achievement.competence_id.in_(ids), Credential.revoked_at.is_(None),
               Credential.state == "issued")).all()
    badges: dict[str, list[str]] = {}
    for cid, name in rows:
        badges.setdefault(labels[cid], []).append(name)
    return Guide(application, match, badges)
