"""Scores and agreed levels typed offline, sent back when the network returns: each one goes
through the same service rules as an online save (:func:`save_ratings`,
:func:`record_agreement`; optimistic locking on the version the device based it on). The answer
says, per item, saved (with the new version), conflict (both values, nothing written) or refused
(the reason); the device keeps what was not saved."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.accounts.models import Participant, User
from badger.errors import UserError
from badger.grids.agreement import record_agreement
from badger.grids.conflicts import GridConflict
from badger.grids.models import Agreement, GroupSession, Rating, Round
from badger.grids.ratings import RatingInput, save_ratings
from badger.grids.sessions import session_rounds

#: At most this many scores and agreed levels per request (a 30 × 30 session); the body is
#: limited too.
MAX_ITEMS = 900
#: JSON body limit of a sync request (900 scores with 2,000-character comments fit).
MAX_BODY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class SyncItem:
    """One score typed on the device: ``participant_id`` on the group screen only."""

    competence_id: int
    score: int | None
    clear: bool
    version: int
    comment: str | None = None
    participant_id: int | None = None


@dataclass(frozen=True)
class SyncAgreement:
    """One "we agree on this level" typed on the device. ``version`` is the agreement's version
    the page showed, 0 when it showed none (so one recorded meanwhile is a conflict)."""

    competence_id: int
    level: int
    version: int
    participant_id: int | None = None


def device_key(secret: str, person_id: str) -> str:
    """An opaque name for the person's offline store on the device: caches and IndexedDB are
    named by it, so one person's data is never served to another on a shared phone."""
    mac = hmac.new(secret.encode(), f"offline:{person_id}".encode(), hashlib.sha256)
    return mac.hexdigest()[:24]


def _int(value: Any, name: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError(_l("Champ « %(name)s » : un nombre entier est attendu.", name=name), 400)
    return value


def _list(body: dict[str, Any], name: str) -> list[Any]:
    raw = body.get(name, [])
    if not isinstance(raw, list):
        raise UserError(_l("Le corps doit être un objet JSON avec une liste « ratings »."), 400)
    return raw


def parse_body(body: Any, *, group: bool) -> tuple[list[SyncItem], list[SyncAgreement]]:
    """The ``{"ratings": [...], "agreements": [...]}`` body (either list may be left out, not
    both), refused whole (400) when it is not that shape; 413 past :data:`MAX_ITEMS` items."""
    if not isinstance(body, dict) or not ("ratings" in body or "agreements" in body):
        raise UserError(_l("Le corps doit être un objet JSON avec une liste « ratings »."), 400)
    ratings, agreements = _list(body, "ratings"), _list(body, "agreements")
    if len(ratings) + len(agreements) > MAX_ITEMS:
        raise UserError(_l("Trop de notes dans une seule demande."), 413)
    return parse_items({"ratings": ratings}, group=group), _parse_agreements(agreements, group)


def parse_items(body: Any, *, group: bool) -> list[SyncItem]:
    """The ``{"ratings": [...]}`` body, refused whole (400) when it is not that shape."""
    if not isinstance(body, dict) or not isinstance(body.get("ratings"), list):
        raise UserError(_l("Le corps doit être un objet JSON avec une liste « ratings »."), 400)
    raw = body["ratings"]
    if len(raw) > MAX_ITEMS:
        raise UserError(_l("Trop de notes dans une seule demande."), 413)
    items: dict[tuple[int | None, int], SyncItem] = {}
    for r in raw:
        if not isinstance(r, dict):
            raise UserError(_l("Chaque note doit être un objet JSON."), 400)
        comment = r.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise UserError(_l("Champ « %(name)s » : un texte est attendu.", name="comment"), 400)
        item = SyncItem(
            competence_id=_int(r.get("competence_id"), "competence_id") or 0,
            score=_int(r.get("score"), "score", optional=True),
            clear=r.get("clear") is True,
            version=_int(r.get("version"), "version") or 0,
            comment=comment,
            participant_id=_int(r.get("participant_id"), "participant_id") if group else None,
        )
        items[(item.participant_id, item.competence_id)] = item  # the last one typed wins
    return list(items.values())


def _parse_agreements(raw: list[Any], group: bool) -> list[SyncAgreement]:
    items: dict[tuple[int | None, int], SyncAgreement] = {}
    for r in raw:
        if not isinstance(r, dict):
            raise UserError(_l("Chaque note doit être un objet JSON."), 400)
        item = SyncAgreement(
            competence_id=_int(r.get("competence_id"), "competence_id") or 0,
            level=_int(r.get("level"), "level") or 0,
            version=_int(r.get("version"), "version") or 0,
            participant_id=_int(r.get("participant_id"), "participant_id") if group else None,
        )
        items[(item.participant_id, item.competence_id)] = item  # the last one chosen wins
    return list(items.values())


def _result(item: SyncItem | SyncAgreement, status: str, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"competence_id": item.competence_id, "status": status, **extra}
    if item.participant_id is not None:
        out["participant_id"] = item.participant_id
    return out


def _conflict(item: SyncItem | SyncAgreement, err: GridConflict, **extra: Any) -> dict[str, Any]:
    """Both values of a change made meanwhile, for the device to show (scores and levels)."""
    c = err.conflicts[0]
    return _result(item, "conflict", **extra, yours=c.yours, theirs=c.theirs, by=c.by,
                   label=c.label, reason=str(err.message))


def _save_group(
    items: Sequence[SyncItem], write: Callable[[list[RatingInput]], Any]
) -> dict[int, dict[str, Any]]:
    """Save one round's items together; when that fails, one by one, so a conflict or a
    refusal on one score leaves the others saved. Returns competence id → failure result."""
    entries = [RatingInput(i.competence_id, i.score, i.comment, i.version, i.clear) for i in items]
    try:
        write(entries)
        return {}
    except UserError:
        pass  # raised before anything was written: retry each score alone
    failures: dict[int, dict[str, Any]] = {}
    for item, entry in zip(items, entries, strict=True):
        try:
            write([entry])
        except GridConflict as err:
            failures[item.competence_id] = _conflict(item, err)
        except UserError as err:
            failures[item.competence_id] = _result(item, "refused", reason=str(err.message))
    return failures


def _answers(
    db: Session,
    rnd: Round,
    role: str,
    failures: dict[int, dict[str, Any]],
    items: Sequence[SyncItem],
) -> list[dict[str, Any]]:
    """Each score's answer: its failure (a conflict carries the server's version, to keep
    one's own value on purpose), else what the server now holds (one query per round)."""
    rows = {
        r.competence_id: r
        for r in db.execute(
            select(Rating).where(
                Rating.round_id == rnd.id, Rating.rater_role == role, Rating.rater_key == role
            )
        ).scalars()
    }
    out = []
    for item in items:
        row = rows.get(item.competence_id)
        failure = failures.get(item.competence_id)
        if failure is not None:
            if failure["status"] == "conflict":
                failure["version"] = row.version_id if row is not None else 0
            out.append(failure)
        elif row is None:
            out.append(_result(item, "saved", score=None, version=0))
        else:
            out.append(
                _result(item, "saved", score=row.score, version=row.version_id, comment=row.comment)
            )
    return out


def sync_session(
    db: Session, gs: GroupSession, coach: User, items: Sequence[SyncItem]
) -> list[dict[str, Any]]:
    """The coach's scores of a group session typed offline, saved by the group screen's rules."""
    rounds = session_rounds(db, gs)
    by_round: dict[int, list[SyncItem]] = {}
    results: list[dict[str, Any]] = []
    for item in items:
        rnd = rounds.get(item.participant_id or 0)
        if rnd is None:
            # another organisation's participant, or one not in this session: never touched
            reason = _l("Cette personne ne participe pas à cette séance.")
            results.append(_result(item, "refused", reason=str(reason)))
            continue
        by_round.setdefault(rnd.id, []).append(item)
    round_of = {r.id: r for r in rounds.values()}
    for round_id, group in by_round.items():
        rnd = round_of[round_id]

        def write(entries: list[RatingInput], rnd: Round = rnd) -> int:
            return save_ratings(db, rnd, role="coach", actor=coach, entries=entries)

        failures = _save_group(group, write)
        results.extend(_answers(db, rnd, "coach", failures, group))
    return results


def sync_round(
    db: Session, rnd: Round, participant: Participant, items: Sequence[SyncItem]
) -> list[dict[str, Any]]:
    """A participant's own scores and comments typed offline (one round, role ``self``)."""
    failures = _save_group(
        items, lambda e: save_ratings(db, rnd, role="self", actor=participant, entries=e)
    )
    return _answers(db, rnd, "self", failures, items)


def _agree_one(
    db: Session, rnd: Round, actor: User | Participant, item: SyncAgreement
) -> dict[str, Any]:
    """One agreed level through :func:`record_agreement`, which checks everything before it
    writes: a conflict or a refusal leaves the request's other items as they are (no savepoint:
    on SQLite its release would be a commit per item)."""
    extra = {"kind": "agreement"}
    try:
        row = record_agreement(
            db,
            rnd,
            competence_id=item.competence_id,
            level=item.level,
            actor=actor,
            seen_version=item.version,
        )
    except GridConflict as err:
        return _conflict(item, err, **extra,
                         version=_agreement_version(db, rnd, item.competence_id))
    except UserError as err:
        return _result(item, "refused", **extra, reason=str(err.message))
    return _result(
        item, "saved", **extra, level=row.level, version=row.version_id, complete=row.complete
    )


def _agreement_version(db: Session, rnd: Round, competence_id: int) -> int:
    row = db.execute(
        select(Agreement).where(
            Agreement.round_id == rnd.id, Agreement.competence_id == competence_id
        )
    ).scalar_one_or_none()
    return row.version_id if row is not None else 0


def agree_session(
    db: Session, gs: GroupSession, coach: User, items: Sequence[SyncAgreement]
) -> list[dict[str, Any]]:
    """The coach's agreed levels on the comparisons of a session's participants, typed offline:
    the same rules as the comparison page's form (open round, level 0–5, a competence of the
    grid, a change made meanwhile is a conflict)."""
    rounds = session_rounds(db, gs)
    results = []
    for item in items:
        rnd = rounds.get(item.participant_id or 0)
        if rnd is None:
            reason = _l("Cette personne ne participe pas à cette séance.")
            results.append(_result(item, "refused", kind="agreement", reason=str(reason)))
        else:
            results.append(_agree_one(db, rnd, coach, item))
    return results


def agree_round(
    db: Session, rnd: Round, participant: Participant, items: Sequence[SyncAgreement]
) -> list[dict[str, Any]]:
    """A participant's own agreed levels (once their grid is finished, as online)."""
    return [_agree_one(db, rnd, participant, item) for item in items]
