"""Pure comparison logic for co-assessment grids: gaps, flags, progress, validation rules.

No Flask, no database: everything takes plain values keyed by competence (any hashable key,
usually the competence id) and returns plain values, so the service layer and the tests share it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

K = TypeVar("K", bound=Hashable)

SCORE_MIN = 0
SCORE_MAX = 5
#: |self − coach| at or above this makes the axis a conversation prompt (issue #5, §4).
FLAG_GAP = 2


def check_score(value: object) -> int:
    """Return ``value`` as an int score 0–5 or raise ``ValueError`` with a clear message."""
    if isinstance(value, bool):
        raise ValueError("a score is a whole number from 0 to 5")
    try:
        score = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise ValueError(f"a score is a whole number from 0 to 5, not {value!r}") from None
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise ValueError(f"a score is a whole number from 0 to 5, not {score}")
    return score


def gap(self_score: int | None, coach_score: int | None) -> int | None:
    """Signed gap self − coach, or None if either is missing."""
    if self_score is None or coach_score is None:
        return None
    return self_score - coach_score


def is_flagged(self_score: int | None, coach_score: int | None, threshold: int = FLAG_GAP) -> bool:
    g = gap(self_score, coach_score)
    return g is not None and abs(g) >= threshold


@dataclass(frozen=True)
class AxisComparison(Generic[K]):
    key: K
    self_score: int | None
    coach_score: int | None
    peer_score: int | None
    previous_score: int | None  # the agreed (or else self) level of the previous round
    agreed: int | None
    gap: int | None  # self − coach
    flagged: bool

    @property
    def direction(self) -> Literal["over", "under", "equal", "unknown"]:
        """``over`` when the participant rates higher than the coach, ``under`` when lower."""
        if self.gap is None:
            return "unknown"
        if self.gap > 0:
            return "over"
        if self.gap < 0:
            return "under"
        return "equal"


def compare(
    keys: Sequence[K],
    self_scores: Mapping[K, int | None],
    coach_scores: Mapping[K, int | None],
    *,
    peer_scores: Mapping[K, int | None] | None = None,
    previous: Mapping[K, int | None] | None = None,
    agreed: Mapping[K, int | None] | None = None,
    threshold: int = FLAG_GAP,
) -> list[AxisComparison[K]]:
    """One comparison row per key, in the order given."""
    rows = []
    for k in keys:
        s, c = self_scores.get(k), coach_scores.get(k)
        rows.append(
            AxisComparison(
                key=k,
                self_score=s,
                coach_score=c,
                peer_score=(peer_scores or {}).get(k),
                previous_score=(previous or {}).get(k),
                agreed=(agreed or {}).get(k),
                gap=gap(s, c),
                flagged=is_flagged(s, c, threshold),
            )
        )
    return rows


def flagged_keys(
    keys: Sequence[K],
    self_scores: Mapping[K, int | None],
    coach_scores: Mapping[K, int | None],
    threshold: int = FLAG_GAP,
) -> list[K]:
    """Keys where |self − coach| ≥ threshold, in the order given."""
    return [k for k in keys if is_flagged(self_scores.get(k), coach_scores.get(k), threshold)]


@dataclass(frozen=True)
class RoundScores(Generic[K]):
    """The scores of one round as seen by the progress view (usually the agreed level,
    falling back to the coach's then the participant's own)."""

    label: str
    scores: Mapping[K, int | None]


@dataclass(frozen=True)
class AxisProgress(Generic[K]):
    key: K
    values: tuple[int | None, ...]  # one per round, in round order

    @property
    def first(self) -> int | None:
        return next((v for v in self.values if v is not None), None)

    @property
    def last(self) -> int | None:
        return next((v for v in reversed(self.values) if v is not None), None)

    @property
    def delta(self) -> int | None:
        """Last known minus first known value (None with fewer than two known values)."""
        known = [v for v in self.values if v is not None]
        if len(known) < 2:
            return None
        return known[-1] - known[0]


def progress(keys: Sequence[K], rounds: Sequence[RoundScores[K]]) -> list[AxisProgress[K]]:
    """The same axes over time: one row per key with a value per round."""
    return [AxisProgress(k, tuple(r.scores.get(k) for r in rounds)) for k in keys]


def best_known(agreed: int | None, coach: int | None, self_score: int | None) -> int | None:
    """The level to show for a round in the progress view: agreed, else coach, else self."""
    for v in (agreed, coach, self_score):
        if v is not None:
            return v
    return None


# --------------------------------------------------------------------------- validation

Consent = Literal["pending", "given", "declined"]


@dataclass(frozen=True)
class ValidationRule:
    """When a competence counts as validated for a participant (issue #5, §6).

    Default: the agreed level reaches ``min_level``, the coach confirms, the participant consents.
    The participant's consent can never be switched off: a rule without it is refused.
    """

    min_level: int = 3
    coach_confirms: bool = True
    participant_consents: bool = True

    def __post_init__(self) -> None:
        check_score(self.min_level)
        if self.participant_consents is not True:
            raise ValueError("the participant's consent is always required")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ValidationRule:
        """Build a rule from stored JSON (unknown keys are rejected, missing ones default)."""
        if not data:
            return cls()
        allowed = {"min_level", "coach_confirms", "participant_consents"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown validation rule keys: {', '.join(sorted(unknown))}")
        return cls(
            min_level=check_score(data.get("min_level", 3)),
            coach_confirms=bool(data.get("coach_confirms", True)),
            participant_consents=bool(data.get("participant_consents", True)),
        )

    def to_mapping(self) -> dict[str, Any]:
        return {
            "min_level": self.min_level,
            "coach_confirms": self.coach_confirms,
            "participant_consents": self.participant_consents,
        }


@dataclass(frozen=True)
class RuleOutcome:
    holds: bool
    declined: bool
    missing: tuple[str, ...]  # machine words: "agreed_level", "level_below_threshold", ...


def evaluate(
    rule: ValidationRule,
    *,
    agreed_level: int | None,
    coach_confirmed: bool,
    consent: Consent,
) -> RuleOutcome:
    """Does the rule hold? If not, say what is missing. A declined consent is final."""
    missing: list[str] = []
    if agreed_level is None:
        missing.append("agreed_level")
    elif agreed_level < rule.min_level:
        missing.append("level_below_threshold")
    if rule.coach_confirms and not coach_confirmed:
        missing.append("coach_confirmation")
    declined = consent == "declined"
    if declined:  # the participant can always say no, whatever the rule
        missing.append("participant_declined")
    elif rule.participant_consents and consent != "given":
        missing.append("participant_consent")
    return RuleOutcome(holds=not missing, declined=declined, missing=tuple(missing))


def eligible(rule: ValidationRule, agreed_level: int | None) -> bool:
    """Can a validation be proposed at all (agreed level reaches the threshold)?"""
    return agreed_level is not None and agreed_level >= rule.min_level
