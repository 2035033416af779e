"""Public référentiel pages, the CASE 1.0 REST endpoints, and the editor for admins: one
blueprint (``referentiels``), its routes written by concern in :mod:`.views_public`,
:mod:`.views_case`, :mod:`.views_editor` and :mod:`.views_crosswalks` (importing them
registers their routes)."""

from __future__ import annotations

from badger.referentiels import views_case, views_crosswalks, views_editor, views_public
from badger.referentiels.blueprint import bp, init_app

#: The route modules registered on :data:`bp` (imported for that).
ROUTES = (views_public, views_case, views_editor, views_crosswalks)

__all__ = ["ROUTES", "bp", "init_app"]
