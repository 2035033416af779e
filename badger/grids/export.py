"""A round as plain data (JSON) or a spreadsheet (CSV)."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy.orm import Session

from badger import csvsafe
from badger.accounts.models import Participant, User
from badger.grids.models import Round
from badger.grids.reading import round_view


def export_round(
    db: Session, rnd: Round, lang: str = "fr", *, viewer: User | Participant | None = None
) -> dict[str, Any]:
    """One round as plain data; the coach's and peers' views only when ``viewer`` may see
    them (:func:`others_visible`; with no viewer, once the participant finished their grid)."""
    view = round_view(db, rnd, lang, viewer=viewer)
    version = rnd.referentiel_version
    return {
        "participant": rnd.journey.participant.display_name,
        "round": {
            "id": rnd.id,
            "label": rnd.label,
            "name": rnd.display_label,
            "position": rnd.position,
            "closed": rnd.closed_at is not None,
        },
        "referentiel": {
            "title": version.title,
            "version": version.version_label,
            "identifier": version.identifier,
        },
        "observations": "" if view.others_hidden else rnd.observations,
        "axes": [
            {
                "competence": a.label,
                "identifier": a.competence.identifier,
                "self": a.self_score,
                "coach": a.coach_score,
                "peer_mean": a.peer_mean,
                "previous": a.previous,
                "gap": a.gap,
                "flagged": a.flagged,
                "agreed": a.agreed,
                "advice": a.advice,
                "observations": a.observations,
                "self_comment": a.self_comment,
                "coach_comment": a.coach_comment,
                "validation": a.validation.status if a.validation else None,
            }
            for a in view.axes
        ],
    }


CSV_FIELDS = (
    "competence",
    "identifier",
    "self",
    "coach",
    "peer_mean",
    "previous",
    "gap",
    "flagged",
    "agreed",
    "advice",
    "observations",
    "validation",
)


def export_round_csv(
    db: Session, rnd: Round, lang: str = "fr", *, viewer: User | Participant | None = None
) -> str:
    data = export_round(db, rnd, lang, viewer=viewer)
    buf = io.StringIO()
    writer = csvsafe.writer(buf)  # free text (observations, advice) may start with "="
    writer.writerow(CSV_FIELDS)
    for a in data["axes"]:
        writer.writerow([a[f] for f in CSV_FIELDS])
    return buf.getvalue()
