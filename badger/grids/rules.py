"""The validation rule of each competence of a round (threshold, coach confirmation)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.errors import UserError
from badger.grids import scoring
from badger.grids.checks import check_open
from badger.grids.conflicts import Conflict, GridConflict
from badger.grids.labels import competence_label
from badger.grids.models import Agreement, Round, ValidatedCompetence
from badger.grids.validation import ensure_validation


@dataclass(frozen=True)
class RuleInput:
    competence_id: int
    min_level: object
    coach_confirms: bool
    #: The rule the editor saw (:func:`rule_token`); None: don't check.
    seen: str | None = None


def rule_token(rule: scoring.ValidationRule) -> str:
    return f"{rule.min_level}/{int(rule.coach_confirms)}"


def _rule_text(rule: scoring.ValidationRule) -> str:
    confirm = _l("avec confirmation du coach") if rule.coach_confirms else _l("sans confirmation")
    return f"≥ {rule.min_level}, {confirm}"


def update_rules(db: Session, rnd: Round, entries: Iterable[RuleInput]) -> int:
    """Change the validation rules of a round's competences, all or nothing; validations already
    proposed follow the new rule. The participant's consent is always required; the rule of a
    competence the participant has already consented to no longer changes. Returns rules
    changed."""
    check_open(rnd)
    items = {it.competence_id: it for it in rnd.items}
    wanted: dict[int, scoring.ValidationRule] = {}
    seen: dict[int, str | None] = {}
    for e in entries:
        if e.competence_id not in items:
            raise UserError(_l("Cette compétence ne fait pas partie de la grille."), 422)
        try:
            level = scoring.check_score(e.min_level)
        except ValueError:
            raise UserError(_l("Le seuil est un nombre entier de 0 à 5."), 422) from None
        wanted[e.competence_id] = scoring.ValidationRule(
            min_level=level, coach_confirms=bool(e.coach_confirms)
        )
        seen[e.competence_id] = e.seen
    validations = {
        v.competence_id: v
        for v in db.execute(
            select(ValidatedCompetence).where(ValidatedCompetence.round_id == rnd.id)
        ).scalars()
    }
    current = {cid: scoring.ValidationRule.from_mapping(items[cid].rule) for cid in wanted}
    changed = {cid: rule for cid, rule in wanted.items() if rule != current[cid]}
    conflicts = [
        Conflict(
            cid,
            competence_label(items[cid].competence),
            "rule",
            _rule_text(rule),
            _rule_text(current[cid]),
            str(_l("quelqu'un d'autre")),
        )
        for cid, rule in changed.items()
        if seen[cid] is not None and seen[cid] != rule_token(current[cid])
    ]
    if conflicts:
        raise GridConflict(conflicts)
    locked = [
        competence_label(items[cid].competence)
        for cid in changed
        if cid in validations and validations[cid].status == "consented"
    ]
    if locked:
        raise UserError(
            _l("Déjà validée avec l'accord du participant : cette règle ne change plus."),
            409,
            details=locked,
        )
    agreements = {
        a.competence_id: a
        for a in db.execute(select(Agreement).where(Agreement.round_id == rnd.id)).scalars()
    }
    for cid, rule in changed.items():
        items[cid].rule = rule.to_mapping()
    db.flush()
    for cid in changed:
        ag = agreements.get(cid)
        if ag is not None and ag.complete:
            ensure_validation(db, rnd, cid, ag)
    return len(changed)
