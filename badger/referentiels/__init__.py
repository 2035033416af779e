"""Référentiels: CASE competence frameworks (import, export, versions, public pages)."""
