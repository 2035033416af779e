"""Outcomes: how journeys end (job, training, other support) recorded with the participant's
consent, follow-ups at 3 and 6 months, and anonymous cohort statistics for funders.

``exits`` records an exit and the participant's answer, the follow-ups and the list of those
due; ``cohort`` says who is in a cohort and applies the rules against figures told apart by
difference; ``stats`` aggregates in SQL; ``suppression`` hides small groups; ``report`` turns a
report into tables, charts and CSV.
"""

from badger.outcomes.cohort import Filter, month_end, month_start
from badger.outcomes.exits import (
    DueFollowUp,
    Situation,
    answer,
    due_follow_ups,
    exit_for,
    my_exits,
    record_exit,
    record_follow_up,
)
from badger.outcomes.stats import Report, cohort_report
from badger.outcomes.suppression import Cell, protect

__all__ = [
    "Cell",
    "DueFollowUp",
    "Filter",
    "Report",
    "Situation",
    "answer",
    "cohort_report",
    "due_follow_ups",
    "exit_for",
    "month_end",
    "month_start",
    "my_exits",
    "protect",
    "record_exit",
    "record_follow_up",
]
