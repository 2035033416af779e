"""The small-group rules on their own: primary, complementary, hidden totals, means."""

from __future__ import annotations

from badger.outcomes.suppression import mean_or_none, protect


def _shown(cells: dict) -> dict:
    return {k: c.value for k, c in cells.items()}


def test_a_single_small_cell_takes_the_smallest_other_with_it() -> None:
    cells = protect({"a": 20, "b": 3, "c": 7, "d": 0}, 5)
    assert _shown(cells) == {"a": 20, "b": None, "c": None, "d": 0}
    assert (cells["b"].reason, cells["c"].reason) == ("small", "complement")
    # total − shown cells = 10 = b + c: neither can be told alone


def test_two_small_cells_need_no_complement_and_zero_is_shown() -> None:
    assert _shown(protect({"a": 9, "b": 1, "c": 2, "d": 0}, 5)) == {
        "a": 9, "b": None, "c": None, "d": 0}


def test_a_zero_is_the_complement_only_when_nothing_else_is_left() -> None:
    assert _shown(protect({"a": 4, "b": 0}, 5)) == {"a": None, "b": None}


def test_a_hidden_total_hides_the_whole_table() -> None:
    cells = protect({"a": 9, "b": 9}, 5, total_hidden=True)
    assert all(c.hidden and c.reason == "total" for c in cells.values())


def test_a_mean_is_hidden_when_a_cell_of_its_distribution_is() -> None:
    dist = {0: 0, 1: 2, 2: 6, 3: 0, 4: 3, 5: 0}
    assert mean_or_none(dist, protect(dist, 5)) is None
    dist = {0: 0, 1: 5, 2: 6, 3: 0, 4: 0, 5: 0}
    assert mean_or_none(dist, protect(dist, 5)) == 1.5


def test_the_minimum_is_a_parameter() -> None:
    assert _shown(protect({"a": 3, "b": 3}, 3)) == {"a": 3, "b": 3}
    assert _shown(protect({"a": 3, "b": 3}, 4)) == {"a": None, "b": None}
