"""Rules every change to a draft obeys (drafts only, unique codes, valid keys and languages)
and the small steps shared by categories and competences (touch, renumber, move).

Every function of the domain takes a SQLAlchemy session and plain values, flushes, never commits
(the request, or the CLI command, commits once). Broken rules raise
:class:`badger.errors.UserError`."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

from badger.errors import UserError
from badger.referentiels import case
from badger.referentiels.models import Category, Competence, ReferentielVersion

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,118}[a-z0-9]$")


def require_draft(version: ReferentielVersion) -> None:
    if version.is_published:
        raise UserError(
            _l("Cette version est publiée : elle ne peut plus être modifiée. Créez une nouvelle "
               "version."),
            409,
        )


def touch(version: ReferentielVersion) -> str:
    now = case.now_iso()
    version.last_change = now
    return now


def swap_with_sibling(
    version: ReferentielVersion, siblings: list[Any], row: Any, delta: int
) -> None:
    """Move ``row`` up (-1) or down (+1) among ``siblings`` and renumber them from 1."""
    siblings.sort(key=lambda c: c.position)
    i = siblings.index(row)
    j = i + delta
    if 0 <= j < len(siblings):
        siblings[i], siblings[j] = siblings[j], siblings[i]
        for n, c in enumerate(siblings, 1):
            if c.position != n:
                c.position = n
                c.last_change = case.now_iso()
        touch(version)


def check_code(version: ReferentielVersion, code: str, *, exclude: Any = None) -> None:
    if not code:
        raise UserError(_l("Le code est obligatoire."))
    others: list[Category | Competence] = [*version.categories, *version.competences]
    for other in others:
        if other is not exclude and other.code == code:
            raise UserError(_l("Le code « %(c)s » est déjà utilisé dans ce référentiel.", c=code))


LANG_RE = re.compile(r"^[a-z]{2,3}$")


MAX_LABEL, MAX_TEXT, MAX_LEVEL = 1000, 5000, 2000


def renumber_competences(version: ReferentielVersion) -> None:
    groups: dict[int | None, list[Competence]] = {}
    for c in sorted(version.competences, key=lambda c: c.position):
        groups.setdefault(c.category_id, []).append(c)
    for siblings in groups.values():
        for n, c in enumerate(siblings, 1):
            c.position = n
