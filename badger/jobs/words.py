"""Recruiters' words for a référentiel version, through its crosswalks
(:mod:`badger.referentiels.crosswalks`): an employer picks "Faire preuve de rigueur" (a ROME
savoir-être) or "meet commitments" (ESCO) and the offer requires the competence of the
version that the crosswalk links to it. A competence's own label is one of its words too.

Matching text (imports) compares words without case, accents or punctuation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.referentiels import crosswalks
from badger.referentiels.models import Crosswalk, ReferentielVersion


@dataclass(frozen=True)
class Word:
    text: str
    competence_id: int
    competence_label: str
    framework: str  # "" for the competence's own label, else "ROME…", "ESCO"


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def vocabulary(db: Session, version: ReferentielVersion, lang: str = "fr") -> list[Word]:
    """Every word that names a competence of ``version``: its label, then its crosswalks'
    targets (other référentiels' competences, ESCO skills), each once per competence."""
    by_code = {c.code: c for c in version.competences if c.code}
    words: list[Word] = []
    seen: set[tuple[str, int]] = set()

    def add(text: str, comp_id: int, comp_label: str, framework: str) -> None:
        key = (normalise(text), comp_id)
        if key[0] and key not in seen:
            seen.add(key)
            words.append(Word(text, comp_id, comp_label, framework))

    for comp in version.competences:
        add(comp.label, comp.id, comp.label, "")
    rows = db.scalars(select(Crosswalk).where(
        Crosswalk.referentiel_id == version.referentiel_id).order_by(Crosswalk.id)).all()
    for cw in rows:
        source = by_code.get(cw.source_code)
        if source is None:
            continue
        target = crosswalks.resolve(db, cw, lang)
        if target is None:
            continue
        add(target.label, source.id, source.label, target.framework)
        for text in (cw.target_labels or {}).values():  # ESCO's other languages
            add(str(text), source.id, source.label, target.framework)
    return words


def find(words: list[Word], text: str) -> list[Word]:
    """Words of the vocabulary found in ``text``: the whole text equal to a word, or a word
    (of at least two plain words) contained in it."""
    plain = f" {normalise(text)} "
    found: list[Word] = []
    for w in words:
        n = normalise(w.text)
        if plain.strip() == n or (len(n.split()) >= 2 and f" {n} " in plain):
            found.append(w)
    return found
