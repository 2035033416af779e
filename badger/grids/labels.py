"""A competence's label and level texts in the reader's language (or its own)."""

from __future__ import annotations

from badger.referentiels.models import Competence


def competence_label(c: Competence, lang: str = "fr") -> str:
    tr = (c.translations or {}).get(lang) if lang != c.language else None
    return str((tr or {}).get("label") or c.label)


def competence_label_language(c: Competence, lang: str = "fr") -> str:
    """The language :func:`competence_label` answers in: ``lang`` when translated, else its own."""
    tr = (c.translations or {}).get(lang) if lang != c.language else None
    return lang if (tr or {}).get("label") else c.language


def competence_levels(c: Competence, lang: str = "fr") -> dict[int, str]:
    """Level texts (score → description) of the 0–5 scale, in ``lang`` when translated."""
    tr = (c.translations or {}).get(lang) if lang != c.language else None
    levels = (tr or {}).get("levels") or c.grid_levels()
    out: dict[int, str] = {}
    for lv in levels:
        text = lv.get("description") or lv.get("quality") or ""
        score = lv.get("score")
        # CASE stores scores as JSON numbers: 3 and 3.0 are the same level.
        if text and isinstance(score, int | float) and float(score).is_integer():
            out[int(score)] = str(text)
    return out
