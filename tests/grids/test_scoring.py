"""Pure comparison logic: gaps, flags, progress across rounds, validation rule and consent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from badger.grids import competence_levels
from badger.grids import scoring as sc

KEYS = ["assiduite", "ponctualite", "fiabilite", "estime"]


def test_gap_and_flags_at_two_points_either_way():
    self_scores = {"assiduite": 4, "ponctualite": 5, "fiabilite": 1, "estime": None}
    coach = {"assiduite": 5, "ponctualite": 2, "fiabilite": 3, "estime": 4}
    rows = sc.compare(KEYS, self_scores, coach)
    assert [r.gap for r in rows] == [-1, 3, -2, None]
    assert [r.flagged for r in rows] == [False, True, True, False]
    assert [r.direction for r in rows] == ["under", "over", "under", "unknown"]
    assert sc.flagged_keys(KEYS, self_scores, coach) == ["ponctualite", "fiabilite"]
    assert sc.flagged_keys(KEYS, self_scores, coach, threshold=3) == ["ponctualite"]


@given(st.integers(0, 5), st.integers(0, 5))
def test_flag_is_symmetric_and_matches_definition(a, b):
    assert sc.is_flagged(a, b) == sc.is_flagged(b, a) == (abs(a - b) >= 2)


def test_progress_across_three_rounds():
    rounds = [
        sc.RoundScores("Entrée", {"assiduite": 1, "ponctualite": 2, "estime": None}),
        sc.RoundScores("Mi-parcours", {"assiduite": 3, "ponctualite": 2, "estime": 1}),
        sc.RoundScores("Sortie", {"assiduite": 4, "ponctualite": None, "estime": 3}),
    ]
    rows = {p.key: p for p in sc.progress(["assiduite", "ponctualite", "estime"], rounds)}
    assert rows["assiduite"].values == (1, 3, 4)
    assert rows["assiduite"].delta == 3
    assert rows["ponctualite"].last == 2 and rows["ponctualite"].delta == 0
    assert rows["estime"].first == 1 and rows["estime"].delta == 2
    single = sc.progress(["x"], [sc.RoundScores("a", {"x": 2})])
    assert single[0].delta is None


def test_best_known_prefers_agreed_then_coach_then_self():
    assert sc.best_known(3, 4, 5) == 3
    assert sc.best_known(None, 4, 5) == 4
    assert sc.best_known(None, None, 5) == 5
    assert sc.best_known(None, None, None) is None


@pytest.mark.parametrize("bad", [-1, 6, "x", "", None, 2.5, True])
def test_check_score_refuses_bad_values(bad):
    with pytest.raises(ValueError, match="0 to 5"):
        sc.check_score(bad)


def test_check_score_accepts_text_digits():
    assert sc.check_score(" 4 ") == 4
    assert sc.check_score(0) == 0


def test_default_rule_needs_level_coach_and_consent():
    rule = sc.ValidationRule()
    out = sc.evaluate(rule, agreed_level=4, coach_confirmed=True, consent="given")
    assert out.holds and not out.missing
    out = sc.evaluate(rule, agreed_level=2, coach_confirmed=True, consent="given")
    assert out.missing == ("level_below_threshold",)
    out = sc.evaluate(rule, agreed_level=None, coach_confirmed=False, consent="pending")
    assert out.missing == ("agreed_level", "coach_confirmation", "participant_consent")
    assert sc.eligible(rule, 3) and not sc.eligible(rule, 2) and not sc.eligible(rule, None)


def test_participant_can_always_decline():
    lax = sc.ValidationRule(min_level=1, coach_confirms=False)
    assert not sc.evaluate(lax, agreed_level=3, coach_confirmed=False, consent="pending").holds
    assert sc.evaluate(lax, agreed_level=3, coach_confirmed=False, consent="given").holds
    out = sc.evaluate(lax, agreed_level=3, coach_confirmed=True, consent="declined")
    assert not out.holds and out.declined and out.missing == ("participant_declined",)


def test_consent_can_never_be_switched_off():
    with pytest.raises(ValueError, match="consent"):
        sc.ValidationRule(participant_consents=False)
    with pytest.raises(ValueError, match="consent"):
        sc.ValidationRule.from_mapping({"participant_consents": False})
    with pytest.raises(ValueError, match="consent"):
        sc.ValidationRule.from_mapping({"participant_consents": 0})


def test_rule_from_mapping():
    assert sc.ValidationRule.from_mapping(None) == sc.ValidationRule()
    rule = sc.ValidationRule.from_mapping({"min_level": 4, "coach_confirms": False})
    assert rule.min_level == 4 and not rule.coach_confirms and rule.participant_consents
    assert sc.ValidationRule.from_mapping(rule.to_mapping()) == rule
    with pytest.raises(ValueError, match="unknown validation rule keys: nope"):
        sc.ValidationRule.from_mapping({"nope": 1})
    with pytest.raises(ValueError, match="0 to 5"):
        sc.ValidationRule.from_mapping({"min_level": 9})


def test_level_texts_survive_float_scores():
    """CASE imports give scores as 3.0; the participant must still see the level texts."""
    from types import SimpleNamespace


    levels = [{"score": float(i), "description": f"niveau {i}"} for i in range(6)]
    competence = SimpleNamespace(translations={}, language="fr", grid_levels=lambda: levels)
    assert competence_levels(competence) == {i: f"niveau {i}" for i in range(6)}  # type: ignore[arg-type]
