"""Co-assessment grids: participant and coach fill the same spider chart (issue #5).

The rules live in modules by concern (journeys, sessions, ratings, agreement, validation, rules,
consent, reading, export); their public functions are named here. Every function takes a
session and plain values, flushes but never commits (the request commits once), and raises
:class:`~badger.errors.UserError` for broken rules; a write that would overwrite a change made
meanwhile raises :class:`GridConflict` (409) and writes nothing.
"""

from badger.grids.agreement import record_agreement
from badger.grids.checks import MAX_AXES, MIN_AXES
from badger.grids.conflicts import Conflict, GridConflict
from badger.grids.consent import set_chart_in_portfolio, set_consent
from badger.grids.export import CSV_FIELDS, export_round, export_round_csv
from badger.grids.journeys import (
    close_round,
    current_journey,
    end_journey,
    open_round,
    reopen_round,
    start_journey,
)
from badger.grids.labels import competence_label, competence_label_language, competence_levels
from badger.grids.ratings import (
    NoteInput,
    RatingInput,
    check_coach_notes,
    check_ratings,
    save_coach_notes,
    save_ratings,
    submit_self_assessment,
)
from badger.grids.reading import (
    AxisView,
    ProgressView,
    RoundView,
    journey_progress,
    others_visible,
    round_view,
)
from badger.grids.rules import RuleInput, rule_token, update_rules
from badger.grids.sessions import (
    create_session,
    my_peer_ratings,
    peer_round,
    peer_rounds,
    session_rounds,
    set_peer_review,
)
from badger.grids.validation import confirm_validation, ready_for_award

__all__ = [
    "CSV_FIELDS",
    "MAX_AXES",
    "MIN_AXES",
    "AxisView",
    "Conflict",
    "GridConflict",
    "NoteInput",
    "ProgressView",
    "RatingInput",
    "RoundView",
    "RuleInput",
    "check_coach_notes",
    "check_ratings",
    "close_round",
    "competence_label",
    "competence_label_language",
    "competence_levels",
    "confirm_validation",
    "create_session",
    "current_journey",
    "end_journey",
    "export_round",
    "export_round_csv",
    "journey_progress",
    "my_peer_ratings",
    "open_round",
    "others_visible",
    "peer_round",
    "peer_rounds",
    "ready_for_award",
    "record_agreement",
    "reopen_round",
    "round_view",
    "rule_token",
    "save_coach_notes",
    "save_ratings",
    "session_rounds",
    "set_chart_in_portfolio",
    "set_consent",
    "set_peer_review",
    "start_journey",
    "submit_self_assessment",
    "update_rules",
]
