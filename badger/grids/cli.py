"""``on_demo``: a group session on the shipped APELS sport grid for the demo participants."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.db import set_scope
from badger.grids.checks import MAX_AXES
from badger.grids.models import GroupSession
from badger.grids.sessions import create_session
from badger.referentiels.models import Referentiel

DEMO_REFERENTIEL_KEY = "apels-sport"
DEMO_SESSION_TITLE = "Football du mardi (démo)"


def on_demo(session: Session, app: Flask, demo: Any) -> None:
    """Idempotent: one session on the APELS grid with every demo participant, entry round."""
    ref = session.execute(
        select(Referentiel).where(Referentiel.key == DEMO_REFERENTIEL_KEY)
    ).scalar_one_or_none()
    version = ref.latest_published if ref is not None else None
    if version is None:
        app.logger.warning("grids demo skipped: référentiel %s not loaded", DEMO_REFERENTIEL_KEY)
        return
    org = demo.organisation
    set_scope(session, org.id)
    try:
        exists = session.execute(
            select(GroupSession).where(GroupSession.title == DEMO_SESSION_TITLE)
        ).scalar_one_or_none()
        if exists is not None:
            return
        ids = [c.id for c in version.competences][: MAX_AXES]
        create_session(
            session,
            organisation_id=org.id,
            coach=demo.coach,
            held_on=date.today(),
            title=DEMO_SESSION_TITLE,
            referentiel_version_id=version.id,
            competence_ids=ids,
            round_label="entry",
            participants=list(demo.participants),
        )
        demo.created.append("grids session")
    finally:
        set_scope(session, None)
