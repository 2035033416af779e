"""Accounts: staff users with per-organisation roles, participants, login codes."""
