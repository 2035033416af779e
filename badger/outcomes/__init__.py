"""Outcomes: how journeys end (job, training, other support) recorded with the participant's
consent, follow-ups, and anonymous cohort statistics for funders."""
