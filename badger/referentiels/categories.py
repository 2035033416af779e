"""Categories of a draft: add, rename (and translate), nest, move, remove."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger.errors import UserError
from badger.referentiels import case
from badger.referentiels.models import Category, ReferentielVersion
from badger.referentiels.rules import (
    LANG_RE,
    MAX_LABEL,
    check_code,
    renumber_competences,
    require_draft,
    swap_with_sibling,
    touch,
)


def add_category(session: Session, version: ReferentielVersion, *, label: str,
                 code: str = "", parent_id: int | None = None) -> Category:
    """Add a category to a draft, at the top level or under ``parent_id`` (a sub-category)."""
    require_draft(version)
    label, code = label.strip(), code.strip()
    if not label:
        raise UserError(_l("Le libellé est obligatoire."))
    parent = _parent_category(version, parent_id)
    code = code or _free_category_code(version)
    check_code(version, code)
    position = 1 + sum(1 for c in version.categories if c.parent_id == parent_id)
    with session.no_autoflush:
        cat = Category(
            version=version, identifier=case.stable_id(version.referentiel.key,
                                                       version.version_label, "item", code),
            code=code, label=label, position=position, parent=parent,
            language=version.language, last_change=touch(version),
        )
        session.add(cat)
    session.flush()
    return cat


def _free_category_code(version: ReferentielVersion) -> str:
    used = {c.code for c in version.categories} | {c.code for c in version.competences}
    n = len(version.categories) + 1
    while f"CAT-{n}" in used:
        n += 1
    return f"CAT-{n}"


def _parent_category(version: ReferentielVersion, parent_id: int | None) -> Category | None:
    if parent_id is None:
        return None
    parent = next((c for c in version.categories if c.id == parent_id), None)
    if parent is None:
        raise UserError(_l("Catégorie parente inconnue."))
    return parent


def category_descendants(version: ReferentielVersion, cat: Category) -> set[int]:
    """Ids of every category nested (at any depth) under ``cat``."""
    children: dict[int | None, list[int]] = {}
    for c in version.categories:
        children.setdefault(c.parent_id, []).append(c.id)
    out: set[int] = set()
    stack = list(children.get(cat.id, []))
    while stack:
        cid = stack.pop()
        if cid not in out:
            out.add(cid)
            stack.extend(children.get(cid, []))
    return out


def category_depths(version: ReferentielVersion) -> dict[int, int]:
    """Depth of each category (0 = top level). A cycle, impossible through the editor and refused
    at import, would stop at the number of categories."""
    by_id = {c.id: c for c in version.categories}
    out: dict[int, int] = {}
    for c in version.categories:
        depth, node = 0, c
        while node.parent_id is not None and node.parent_id in by_id and depth < len(by_id):
            node = by_id[node.parent_id]
            depth += 1
        out[c.id] = depth
    return out


def set_category_parent(session: Session, cat: Category, parent_id: int | None) -> None:
    """Move a category of a draft under another one (or to the top level). Refuses cycles: a
    category cannot be placed under itself nor under one of its own sub-categories."""
    version = cat.version
    require_draft(version)
    if parent_id == cat.parent_id:
        return
    if parent_id is not None and (parent_id == cat.id
                                  or parent_id in category_descendants(version, cat)):
        raise UserError(
            _l("Une catégorie ne peut pas être placée dans elle-même ni dans une de ses "
               "sous-catégories."), 422,
        )
    parent = _parent_category(version, parent_id)
    old_parent = cat.parent_id
    cat.parent = parent
    cat.parent_id = parent_id
    cat.position = 1 + max((c.position for c in version.categories
                            if c is not cat and c.parent_id == parent_id), default=0)
    cat.last_change = touch(version)
    _renumber_categories(version, old_parent)
    session.flush()


def _renumber_categories(version: ReferentielVersion, parent_id: int | None) -> None:
    siblings = sorted((c for c in version.categories if c.parent_id == parent_id),
                      key=lambda c: c.position)
    for n, c in enumerate(siblings, 1):
        if c.position != n:
            c.position = n


def update_category(session: Session, cat: Category, *, label: str, code: str,
                    translations: dict[str, str] | None = None) -> None:
    """Rename a category of a draft; ``translations`` ({lang: label}, "" removes one) sets its
    label in other languages."""
    require_draft(cat.version)
    label, code = label.strip(), code.strip()
    if not label:
        raise UserError(_l("Le libellé est obligatoire."))
    check_code(cat.version, code, exclude=cat)
    cat.label, cat.code = label, code
    if translations is not None:
        out = dict(cat.translations or {})
        for lang, t_label in translations.items():
            t_label = t_label.strip()
            if not LANG_RE.match(lang) or lang == cat.version.language:
                raise UserError(_l("Code de langue non valable."))
            if len(t_label) > MAX_LABEL:
                raise UserError(_l("Traduction trop longue."))
            if t_label:
                old = out.get(lang, {})
                out[lang] = {**old, "label": t_label, "description": old.get("description", ""),
                             "identifier": old.get("identifier", ""),
                             "levels": old.get("levels", [])}
            else:
                out.pop(lang, None)
        if out != (cat.translations or {}):
            cat.translations = out
    cat.last_change = touch(cat.version)
    session.flush()


def delete_category(session: Session, cat: Category) -> None:
    """Remove a category of a draft; its competences stay, without category."""
    require_draft(cat.version)
    version = cat.version
    if any(c.parent_id == cat.id for c in version.categories):
        raise UserError(_l("Retirez d'abord les sous-catégories."))
    for comp in version.competences:
        if comp.category_id == cat.id:
            comp.category_id = None
            comp.position = 1000 + comp.position
    parent_id = cat.parent_id
    version.categories.remove(cat)
    session.delete(cat)
    renumber_competences(version)
    _renumber_categories(version, parent_id)
    touch(version)
    session.flush()


def move_category(session: Session, cat: Category, delta: int) -> None:
    """Move a category up (-1) or down (+1) among its siblings."""
    require_draft(cat.version)
    siblings = [c for c in cat.version.categories if c.parent_id == cat.parent_id]
    swap_with_sibling(cat.version, siblings, cat, delta)
    session.flush()
