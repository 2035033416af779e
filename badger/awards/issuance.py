"""Issuance: award a badge to one or many participants in the caller's transaction
(idempotent: a second award of the same badge to the same person is reported, not made)."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badger import audit
from badger.accounts.models import Participant
from badger.awards import evidence as charts
from badger.awards.claims import new_claim
from badger.awards.common import MAX_BATCH, AwardSettings, staff_id
from badger.awards.definitions import adopted_version_ids
from badger.awards.models import (
    CLAIM_PENDING,
    ISSUED,
    Achievement,
    Credential,
)
from badger.awards.signing import recipient_from, sign_and_bake
from badger.awards.status_lists import IndexAllocator
from badger.awards.translations import credential_language, in_language
from badger.db import utcnow
from badger.errors import UserError
from badger.grids.models import GroupSession, ValidatedCompetence, display_round_label
from badger.networks.models import Organisation
from badger.ob3 import model


@dataclass
class AwardRequest:
    participant_id: int
    level: int | None = None
    narrative: str = ""
    email: str | None = None
    phone: str | None = None
    did: str | None = None
    validated_competence_id: int | None = None
    observation: str = ""
    #: The credential's language, as the participant chose it at the offer (one of the
    #: badge's languages); None: the participant's profile language when the badge has it.
    language: str | None = None


@dataclass
class RowResult:
    participant_id: int
    name: str
    outcome: str  # issued | claim | already | refused
    message: str = ""
    credential: Credential | None = None
    claim_code: str | None = None


def _evidence(
    session: Session, *, group: Any, vc: Any, observation: str, chart_url: str | None,
    language: str | None = None,
) -> list[dict[str, Any]]:
    """The evidence entries, written in the credential's ``language`` (French by default);
    the coach's own words and the session's title stay as typed."""
    with in_language(language or "fr"):
        return _evidence_items(session, group=group, vc=vc, observation=observation,
                               chart_url=chart_url)


def _evidence_items(
    session: Session, *, group: Any, vc: Any, observation: str, chart_url: str | None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if group is not None:
        items.append(
            model.evidence(
                name=_("Séance « %(title)s » du %(date)s", title=group.title,
                       date=group.held_on.isoformat()),
                description=observation or None,
                genre=_("Observation"),
            )
        )
    elif observation:
        items.append(model.evidence(name=_("Observation du coach"), description=observation,
                                    genre=_("Observation")))
    if vc is not None:
        ev = vc.evidence or {}
        label = ev.get("round") or getattr(vc.round, "label", "")
        parts = [_("Niveau convenu : %(n)s/5", n=vc.level)]
        if isinstance(ev.get("self_score"), int):
            parts.append(_("auto-évaluation : %(n)s/5", n=ev["self_score"]))
        if isinstance(ev.get("coach_score"), int):
            parts.append(_("évaluation du coach : %(n)s/5", n=ev["coach_score"]))
        obs = ev.get("observations")
        items.append(
            model.evidence(
                name=_("Grille de compétences — passage « %(round)s »",
                       round=_round_name(str(label)))
                if label else _("Grille de compétences"),
                description=_(" ; ").join(parts),
                narrative=str(obs) if obs else None,
                genre=_("Co-évaluation"),
            )
        )
    if chart_url:  # only a chart the participant chose to attach (awards.evidence)

        chart = charts.evidence_item(session, str(chart_url), vc)
        if chart is not None:
            items.append(chart)
    return items


def _round_name(label: str) -> str:
    """A round's label in the evidence: the three standard rounds by their name, in the
    credential's language (``entry``: Entrée, Start); a typed label as typed."""

    return display_round_label(label)


def check_eligible(session: Session, org: Organisation, ach: Achievement) -> None:
    if ach.organisation_id != org.id:
        raise UserError(_l("Ce badge n'appartient pas à votre organisation."), 404)
    if not ach.active:
        raise UserError(_l("Ce badge n'est plus attribué."), 422)
    if ach.referentiel_version_id not in adopted_version_ids(session, org.id):
        raise UserError(
            _l("La version du référentiel de ce badge n'est pas adoptée par votre organisation."),
            422,
        )


def existing_credential(session: Session, participant_id: int,
                        achievement_id: int) -> Credential | None:
    return session.execute(
        select(Credential)
        .where(Credential.participant_id == participant_id,
               Credential.achievement_id == achievement_id)
        .execution_options(unscoped=True)
    ).scalar_one_or_none()


def award_many(
    session: Session,
    org: Organisation,
    ach: Achievement,
    requests: Sequence[AwardRequest],
    *,
    actor: Any = None,
    group: Any = None,
    chart_url: str | None = None,
    settings: AwardSettings | None = None,
) -> list[RowResult]:
    """Award ``ach`` to several participants in the caller's single transaction.

    Rows that break a rule (other organisation, already awarded, bad address) get a per-row
    result and are skipped; any unexpected failure (signing, baking, database) propagates and
    the caller's rollback removes the whole batch.
    """
    check_eligible(session, org, ach)
    if len(requests) > MAX_BATCH:
        raise UserError(_l("Trop de lignes à la fois (%(n)d au plus).", n=MAX_BATCH), 413)
    allocator = IndexAllocator(session, org)
    results: list[RowResult] = []
    seen: set[int] = set()
    for req in requests:
        checked = _check_row(session, org, ach, req, seen)
        if isinstance(checked, RowResult):
            results.append(checked)
            continue
        seen.add(req.participant_id)
        results.append(_issue_row(session, org, ach, req, checked, actor=actor, group=group,
                                  chart_url=chart_url, allocator=allocator,
                                  settings=settings or AwardSettings()))
    session.flush()
    return results


@dataclass
class _CheckedRow:
    """A request that broke no rule: who receives what, at which level, identified how."""

    participant: Participant
    vc: ValidatedCompetence | None
    level: int
    recipient: dict[str, Any] | None


def _check_row(session: Session, org: Organisation, ach: Achievement, req: AwardRequest,
               seen: set[int]) -> RowResult | _CheckedRow:
    """The row's refusal (its result), or what to issue."""
    participant = session.execute(
        select(Participant).where(Participant.id == req.participant_id)
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    if participant is None or participant.organisation_id != org.id:
        return RowResult(req.participant_id, "?", "refused",
                         str(_l("Participant d'une autre organisation ou inconnu.")))
    name = participant.display_name
    if req.participant_id in seen or existing_credential(session, participant.id,
                                                         ach.id) is not None:
        return RowResult(participant.id, name, "already",
                         str(_l("Badge déjà attribué à cette personne.")))
    vc = None
    if req.validated_competence_id is not None:
        vc = session.execute(
            select(ValidatedCompetence)
            .where(ValidatedCompetence.id == req.validated_competence_id)
            .execution_options(unscoped=True)
        ).scalar_one_or_none()
        if vc is None or vc.participant_id != participant.id or vc.organisation_id != org.id:
            return RowResult(participant.id, name, "refused",
                             str(_l("Compétence validée introuvable.")))
    level = req.level if req.level is not None else (vc.level if vc else ach.min_level)
    if not 0 <= level <= 5:
        return RowResult(participant.id, name, "refused",
                         str(_l("Le niveau doit être entre 0 et 5.")))
    if level < ach.min_level:
        return RowResult(participant.id, name, "refused",
                         str(_l("Niveau %(level)d inférieur au niveau requis (%(min)d).",
                                level=level, min=ach.min_level)))
    try:
        recipient = recipient_from(email=req.email or participant.email,
                                   phone=req.phone or participant.phone, did=req.did)
    except UserError as exc:
        return RowResult(participant.id, name, "refused", str(exc.message))
    return _CheckedRow(participant, vc, level, recipient)


def _issue_row(session: Session, org: Organisation, ach: Achievement, req: AwardRequest,
               row: _CheckedRow, *, actor: Any, group: Any, chart_url: str | None,
               allocator: IndexAllocator, settings: AwardSettings) -> RowResult:
    """The credential of a checked row: signed now, or held for a claim code (no address)."""
    participant, vc, recipient = row.participant, row.vc, row.recipient
    language = req.language or credential_language(session, ach, participant)
    cred = Credential(
        organisation_id=org.id,
        uuid=str(uuidlib.uuid4()),
        achievement=ach,
        achievement_id=ach.id,
        participant_id=participant.id,
        validated_competence_id=vc.id if vc else None,
        session_id=getattr(group, "id", None),
        round_id=vc.round_id if vc else None,
        awarded_by_id=staff_id(actor),
        level=row.level,
        narrative=req.narrative.strip(),
        language=language,
        evidence=_evidence(session, group=group, vc=vc, observation=req.observation,
                           chart_url=chart_url, language=language),
        recipient=recipient or {},
        awarded_at=utcnow().replace(microsecond=0),
        state=ISSUED if recipient else CLAIM_PENDING,
    )
    session.add(cred)
    code = None
    if recipient is None:
        session.flush()
        code = new_claim(session, cred, actor=actor, days=settings.claim_days)
    else:
        sign_and_bake(session, cred, allocator=allocator)
    audit.record(session, "award.issue" if recipient else "award.claim_create",
                 actor=actor, organisation_id=org.id, obj=cred,
                 achievement_id=ach.id, participant_id=participant.id)
    return RowResult(participant.id, participant.display_name,
                     "issued" if recipient else "claim", credential=cred, claim_code=code)


def refuse(result: RowResult) -> RowResult:
    """A single award's result, or its broken rule raised as :class:`UserError`."""
    if result.outcome == "already":
        raise UserError(result.message, 409)
    if result.outcome == "refused":
        raise UserError(result.message, 422)
    return result


def award_one(session: Session, org: Organisation, ach: Achievement, req: AwardRequest, *,
              actor: Any = None, group: Any = None,
              settings: AwardSettings | None = None) -> RowResult:
    """One award; a broken rule raises :class:`UserError` with the row's message."""
    return refuse(award_many(session, org, ach, [req], actor=actor, group=group,
                             settings=settings)[0])


def award_many_retrying(session: Session, org: Organisation, ach: Achievement,
                        requests: Sequence[AwardRequest], *, actor: Any = None,
                        group: Any = None, settings: AwardSettings | None = None
                        ) -> list[RowResult]:
    """:func:`award_many` in a SAVEPOINT: a concurrent double submit that wins the race (a
    unique constraint speaks) makes ours retry once, and the retry then reports those rows as
    already awarded."""
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                return award_many(session, org, ach, requests, actor=actor, group=group,
                                  settings=settings)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def session_requests(session: Session, group: GroupSession, ach: Achievement,
                     participant_ids: Sequence[int], *, level: int | None, observation: str,
                     narratives: Mapping[int, str]) -> list[AwardRequest]:
    """The requests of a session's bulk award: each ticked participant at ``level``, else at
    the level validated for the badge's competence in this session (not declined)."""
    vcs = {
        vc.participant_id: vc
        for vc in session.scalars(
            select(ValidatedCompetence).where(
                ValidatedCompetence.competence_id == ach.competence_id,
                ValidatedCompetence.participant_id.in_(participant_ids),
                ValidatedCompetence.status != "declined",
            )
        )
        if vc.round is not None and vc.round.session_id == group.id
    }
    return [
        AwardRequest(
            participant_id=pid,
            level=level if level is not None else (vcs[pid].level if pid in vcs else None),
            narrative=narratives.get(pid, ""),
            validated_competence_id=vcs[pid].id if pid in vcs else None,
            observation=observation,
        )
        for pid in participant_ids
    ]
