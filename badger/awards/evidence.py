"""Chart evidence: the grid's spider chart (self and coach), frozen into the credential.

When a participant accepts a proposed badge and ticks "Joindre mon graphique", the round's
chart is drawn once as a PNG, stored with an unguessable token, and its public URL
``{base}/evidence/<token>.png`` becomes an ``Evidence`` item of the credential (genre "Image",
texts in the credential's language). Nothing else ever attaches a chart: a coach's award, a
bulk award or a CSV row carries no prepared chart, so :func:`evidence_item` gives nothing.

Privacy (vulnerable people): opt-in only, default off; the image shows competence labels,
scores and the round's name (Entrée…), never the participant's name or address — neither in
the drawing nor in the PNG's text chunks; only the participant's and the coach's series (no
peers, no previous round); the URL answers 410 once the credential is revoked, 404 while it is
suspended, and the row goes with the participant's data when they erase it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from badger import urls
from badger.accounts.models import Participant
from badger.awards.models import ISSUED, Achievement, Credential, EvidenceImage
from badger.db import utcnow
from badger.ob3 import model

#: Served with this: short enough that a revoked badge's picture stops showing soon after.
CACHE_CONTROL = "public, max-age=300"
#: ``secrets.token_urlsafe`` alphabet; anything else is not a token (404 without a query).
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
TOKEN_BYTES = 32  # 43 characters, 256 bits
_PENDING = "badger.awards.pending_charts"
_SERIES = ("self", "coach")


@dataclass
class PendingChart:
    """A chart promised to one consent, drawn when the credential's evidence is built (in the
    credential's language) and stored once its credential row exists (same transaction)."""

    token: str
    url: str
    validated: Any
    achievement: Achievement
    participant: Participant
    png: bytes | None = None


def image_url(token: str) -> str:
    return f"{urls.base_url()}/evidence/{token}.png"


def language_for(language: str | None, ach: Achievement) -> str:
    """The credential's language (default: its badge's ``inLanguage``) reduced to one this
    server has texts for (French otherwise)."""
    lang = re.split(r"[-_]", language or ach.language or "fr")[0].lower()
    languages = current_app.config.get("BADGER_LANGUAGES") or ("fr", "en")
    return lang if lang in languages else "fr"


def _texts(label: str, with_coach: bool) -> tuple[str, str, str, dict[str, str]]:
    """(heading, evidence name, description, series names) in the forced locale."""
    heading = _("Grille de compétences — %(label)s", label=label)
    names = {"self": _("Auto-évaluation"), "coach": _("Regard du coach")}
    if with_coach:
        name = _("Graphique radar : auto-évaluation et regard du coach")
        description = _(
            "Image de la grille « %(label)s » : chaque branche est une compétence, notée de 0 à "
            "5 par la personne elle-même et par son coach.",
            label=label,
        )
    else:
        name = _("Graphique radar : auto-évaluation")
        description = _(
            "Image de la grille « %(label)s » : chaque branche est une compétence, notée de 0 à "
            "5 par la personne elle-même.",
            label=label,
        )
    return heading, name, description, names


def render_round_png(
    session: Session, rnd: Any, lang: str, *, viewer: Participant | None = None
) -> tuple[bytes, bool, str, str]:
    """The round's chart (self and, when ``viewer`` may see it, coach) as PNG bytes.

    Returns (png, with_coach, evidence name, evidence description), texts in ``lang``. The
    heading and the PNG's Title chunk name the round only, never the person.
    """
    from badger import grids
    from badger.grids import charts

    with force_locale(lang):
        label = rnd.display_label
        view = grids.round_view(session, rnd, lang, viewer=viewer)
        with_coach = not view.others_hidden
        heading, name, description, names = _texts(label, with_coach)
        axes, series = view.chart(lang, {**names, "peer": "", "agreed": "", "previous": ""})
        series = [s for s in series if s.kind in _SERIES]
        png = charts.radar_png(
            axes, series, title=heading, description=description, lang=lang, heading=heading
        )
    return png, with_coach, name, description


def prepare(
    session: Session, validated: Any, ach: Achievement, participant: Participant
) -> PendingChart | None:
    """Promise the chart of the validated competence's round to the consent in progress: its
    token and URL now, the drawing when :func:`evidence_item` builds the evidence. None when
    there is no round to draw."""
    rnd = getattr(validated, "round", None)
    if rnd is None or not rnd.items:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    pending = PendingChart(token, image_url(token), validated, ach, participant)
    session.info.setdefault(_PENDING, {})[pending.url] = pending
    return pending


def evidence_item(
    session: Session, url: str, validated: Any, language: str | None = None
) -> dict[str, Any] | None:
    """The Evidence item of a chart promised in this session for ``validated`` — the chart is
    drawn now, its texts in ``language``: the credential's, by default the locale the awards
    service forces while it writes the evidence (``service.in_language``). None for any other
    URL: a chart is only ever attached through the participant's consent."""
    pending = session.info.get(_PENDING, {}).get(url)
    if pending is None or validated is None or pending.validated.id != validated.id:
        return None
    if language is None:
        in_force = get_locale()
        language = str(in_force) if in_force is not None else None
    lang = language_for(language, pending.achievement)
    png, _with_coach, name, description = render_round_png(
        session, validated.round, lang, viewer=pending.participant
    )
    pending.png = png
    return model.evidence(id=url, name=name, description=description, genre="Image")


def store(session: Session, cred: Credential, pending: PendingChart) -> EvidenceImage | None:
    """Keep the frozen PNG for the credential that cites it (only if it does)."""
    session.info.get(_PENDING, {}).pop(pending.url, None)
    if pending.png is None or not any(e.get("id") == pending.url for e in cred.evidence or []):
        return None
    row = EvidenceImage(
        organisation_id=cred.organisation_id,
        token=pending.token,
        credential_id=cred.id,
        png=pending.png,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def discard(session: Session) -> None:
    """Forget charts prepared in this session (the consent failed or was rolled back)."""
    session.info.pop(_PENDING, None)


# --------------------------------------------------------------------------- reading, erasing


def public_image(session: Session, token: str) -> tuple[int, bytes | None]:
    """(HTTP status, PNG) for ``/evidence/<token>.png``: 200 with the image, 404 for an unknown
    token or while the credential is suspended, 410 once it is revoked."""
    if not TOKEN_RE.match(token):
        return 404, None
    row = session.execute(
        select(EvidenceImage)
        .where(EvidenceImage.token == token)
        .options(joinedload(EvidenceImage.credential))
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    if row is None:
        return 404, None
    cred = row.credential
    if cred.revoked_at is not None:
        return 410, None
    if cred.suspended_at is not None or cred.state != ISSUED:
        return 404, None
    return 200, bytes(row.png)


def forget_revoked(session: Session, credential_id: int) -> None:
    """A withdrawn badge's chart has no use left: drop the picture, keep the token (410)."""
    session.execute(
        update(EvidenceImage)
        .where(EvidenceImage.credential_id == credential_id)
        .values(png=b"")
        .execution_options(synchronize_session=False)
    )


def participant_images(session: Session, participant_id: int) -> Iterable[tuple[int, bytes]]:
    """(credential id, PNG) of every chart attached to the participant's badges (export)."""
    rows = session.execute(
        select(EvidenceImage.credential_id, EvidenceImage.png)
        .join(Credential, Credential.id == EvidenceImage.credential_id)
        .where(Credential.participant_id == participant_id)
        .order_by(EvidenceImage.credential_id)
        .execution_options(unscoped=True)
    ).all()
    return [(int(cid), bytes(png)) for cid, png in rows if png]


def erase_participant(session: Session, participant_id: int) -> int:
    """Delete the charts of the participant's badges (their data erasure); the count."""
    ids = select(Credential.id).where(Credential.participant_id == participant_id)
    result = session.execute(
        delete(EvidenceImage)
        .where(EvidenceImage.credential_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
