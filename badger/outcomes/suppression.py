"""Small-group suppression for the cohort statistics: pure functions, no database.

Rules (README, "Outcomes and cohort statistics"):

1. **Primary**: a count of people from 1 to ``min_group - 1`` is hidden (0 is shown: nobody).
2. **Complementary**: in a table whose cells add up to a shown total, one hidden cell could be
   read back as the total minus the others; so when exactly one cell is hidden, the smallest
   other cell (non-zero first) is hidden too. A table whose total is hidden is hidden whole.
3. **Means** of a distribution are shown only when none of its cells is hidden (a mean and
   the other cells would give the hidden ones back).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

SMALL = "small"
COMPLEMENT = "complement"
TOTAL = "total"


@dataclass(frozen=True)
class Cell:
    """A count as shown: ``value`` is None when hidden, ``reason`` says why."""

    value: int | None
    reason: str | None = None

    @property
    def hidden(self) -> bool:
        return self.value is None

    def share(self, total: Cell) -> float | None:
        """The percentage of ``total`` (one decimal), or None when either is hidden."""
        if self.value is None or total.value is None or total.value == 0:
            return None
        return round(100 * self.value / total.value, 1)


def hidden_cell(reason: str) -> Cell:
    return Cell(None, reason)


def protect(counts: Mapping[K, int], min_group: int, *,
            total_hidden: bool = False) -> dict[K, Cell]:
    """The cells of one table whose counts add up to its total, with rules 1 and 2 applied."""
    if total_hidden:
        return {k: hidden_cell(TOTAL) for k in counts}
    cells = {k: (hidden_cell(SMALL) if 0 < v < min_group else Cell(v))
             for k, v in counts.items()}
    hidden = [k for k, c in cells.items() if c.hidden]
    if len(hidden) == 1:
        shown = sorted((k for k, c in cells.items() if not c.hidden),
                       key=lambda k: (counts[k] == 0, counts[k]))
        if shown:
            cells[shown[0]] = hidden_cell(COMPLEMENT)
    return cells


def total_cell(value: int, min_group: int) -> Cell:
    return hidden_cell(SMALL) if 0 < value < min_group else Cell(value)


def mean_or_none(distribution: Mapping[int, int], cells: Mapping[int, Cell]) -> float | None:
    """Rule 3: the mean level (one decimal) when no cell of the distribution is hidden."""
    n = sum(distribution.values())
    if n == 0 or any(c.hidden for c in cells.values()):
        return None
    return round(sum(level * k for level, k in distribution.items()) / n, 1)
