"""The in-memory référentiel model: plain dataclasses (a CFDocument and its items, rubrics,
links and translations), badger's UUIDv5 identifiers and its generic 0–5 scale."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MAX_BYTES = 10 * 1024 * 1024
#: Namespace of every badger UUIDv5 (uuid5(NAMESPACE_URL, "urn:badger:referentiels")).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:badger:referentiels")

CATEGORY_TYPE = "Catégorie"
COMPETENCE_TYPE = "Compétence"
TRANSLATION_TYPE = "Traduction"
ITEM_TYPES = {
    "category": CATEGORY_TYPE,
    "competence": COMPETENCE_TYPE,
    "translation": TRANSLATION_TYPE,
}
#: Association groupings badger uses, with the French title shown to CASE readers.
GROUPINGS = {
    "esco": "Correspondance ESCO",
    "rome": "Correspondance ROME (France Travail)",
    "pix": "Correspondance Pix",
    "crcn": "Correspondance CRCN",
    "digcomp": "Correspondance DigComp",
    "source": "Compétence d'origine (référentiel dérivé)",
    "other": "Autre correspondance",
    "pictogram": "Pictogramme",
    "translation": "Traduction",
}
LINK_KINDS = ("esco", "rome", "pix", "crcn", "digcomp", "source", "other")
#: The CSV columns every layout has (:func:`~.import_csv.parse_csv`, :func:`~.export.to_csv`).
CSV_BASE_COLUMNS = ("category", "code", "label", "description")


def stable_id(*parts: str) -> str:
    """Return the UUIDv5 of ``parts`` joined by ``/`` in badger's namespace."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def slugify(text: str) -> str:
    """Return an ASCII, lower-case, dash-separated slug of ``text``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "referentiel"


def now_iso() -> str:
    """Return the current UTC time as an ISO 8601 string (seconds precision)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def grouping_id(kind: str) -> str:
    """Stable identifier of badger's association grouping ``kind`` (same on every server)."""
    return stable_id("grouping", kind)


# --------------------------------------------------------------------------- model


@dataclass
class ExternalLink:
    """A "recruiter word": the same (or a related) competence in another framework."""

    kind: str  # one of LINK_KINDS
    uri: str
    code: str = ""  # the other framework's code or id (LinkGenURI.identifier)
    label: str = ""
    exact: bool = True  # exactMatchOf, else isRelatedTo


@dataclass
class LevelText:
    """One level of a rubric criterion."""

    score: float
    quality: str
    description: str = ""
    identifier: str = ""


@dataclass
class Translation:
    """An item's label, description and level texts in another language."""

    label: str
    description: str = ""
    levels: list[LevelText] = field(default_factory=list)  # for the first rubric
    identifier: str = ""  # of the translation CFItem


@dataclass
class Item:
    """A CFItem: a category (grouping node) or a competence."""

    identifier: str
    code: str
    label: str
    description: str = ""  # the public definition, when one exists
    kind: str = "competence"  # "category" or "competence"
    parent: str | None = None  # identifier of the parent item; None = the document
    position: int = 0  # sequenceNumber among siblings (1-based)
    pictogram: str | None = None
    notes: str = ""  # provenance of the definition
    language: str = "fr"
    translations: dict[str, Translation] = field(default_factory=dict)
    links: list[ExternalLink] = field(default_factory=list)
    last_change: str = ""

    @property
    def full_statement(self) -> str:
        """CASE ``fullStatement``: the definition, or the label when no definition is public."""
        return self.description or self.label


@dataclass
class Criterion:
    """A CFRubricCriterion: the levels of one item."""

    item: str  # item identifier
    levels: list[LevelText]
    identifier: str = ""
    description: str = ""
    weight: float | None = None


@dataclass
class Rubric:
    """A CFRubric: one scale, one criterion per item. Official scales keep their own range."""

    identifier: str
    title: str
    description: str = ""
    criteria: list[Criterion] = field(default_factory=list)
    last_change: str = ""

    @property
    def scores(self) -> list[float]:
        """Distinct scores used by the criteria, ascending."""
        return sorted({lv.score for c in self.criteria for lv in c.levels})

    @property
    def scale_min(self) -> float | None:
        s = self.scores
        return s[0] if s else None

    @property
    def scale_max(self) -> float | None:
        s = self.scores
        return s[-1] if s else None

    def criterion_for(self, item_id: str) -> Criterion | None:
        """Return the criterion of ``item_id``, if any."""
        for c in self.criteria:
            if c.item == item_id:
                return c
        return None


@dataclass
class License:
    """The CFLicense of a document."""

    title: str
    uri: str
    text: str
    identifier: str = ""


@dataclass
class Framework:
    """A CFDocument with its items and rubrics (one version of a référentiel)."""

    identifier: str
    title: str
    creator: str
    key: str = ""
    version: str = "1"
    language: str = "fr"
    publisher: str = ""
    description: str = ""
    notes: str = ""  # provenance
    official_source_url: str = ""
    adoption_status: str = ""
    subject: list[str] = field(default_factory=list)
    license: License | None = None
    last_change: str = ""
    base_url: str = "https://badger.example.org"
    items: list[Item] = field(default_factory=list)
    rubrics: list[Rubric] = field(default_factory=list)
    #: association identifiers read from a package, keyed by (origin, type, destination id),
    #: so that a foreign package keeps its association URLs on re-export.
    association_ids: dict[tuple[str, str, str], str] = field(default_factory=dict)
    #: The package as read (normalised, :mod:`.source`), kept whole so nothing CASE carries is
    #: lost; None for frameworks written in badger (editor, CSV).
    source: dict[str, Any] | None = None
    #: What badger keeps but cannot show or edit (:class:`~.errors.ImportProblem` list).
    warnings: list[Any] = field(default_factory=list)
    #: The normalisations applied to the file (:class:`~.source.Note` list).
    normalisations: list[Any] = field(default_factory=list)

    def item(self, identifier: str) -> Item:
        """Return the item with ``identifier`` (KeyError if absent)."""
        for it in self.items:
            if it.identifier == identifier:
                return it
        raise KeyError(identifier)

    @property
    def competences(self) -> list[Item]:
        return [it for it in self.items if it.kind == "competence"]

    @property
    def categories(self) -> list[Item]:
        return [it for it in self.items if it.kind == "category"]

    def children(self, parent: str | None) -> list[Item]:
        """Items directly under ``parent`` (None = document), ordered."""
        return sorted(
            (it for it in self.items if it.parent == parent), key=lambda it: it.position
        )

    def ordered_items(self) -> list[Item]:
        """Items in reading order (depth first, by position)."""
        by_parent: dict[str | None, list[Item]] = {}
        for it in self.items:
            by_parent.setdefault(it.parent, []).append(it)
        for siblings in by_parent.values():
            siblings.sort(key=lambda it: it.position)
        out: list[Item] = []
        stack = list(reversed(by_parent.get(None, [])))
        while stack:
            it = stack.pop()
            out.append(it)
            stack.extend(reversed(by_parent.get(it.identifier, [])))
        return out

    def item_id_for(self, code: str) -> str:
        """Return the stable identifier of a new item with ``code`` in this version."""
        return stable_id(self.key, self.version, "item", code)


# --------------------------------------------------------------------------- badger scale

#: badger's own 0–5 level names by language — the one place they are written: the editor
#: proposes them for a translation (CASE ``quality`` of its levels), ``referentiels/build.py``
#: writes them into the shipped translations. Not any framework's: the rubric says so. French is
#: badger's; en, ar and uk are badger's machine-assisted translations in plain words, to be
#: reviewed by native speakers (``referentiels/PROVENANCE.md``). Changing one changes what the
#: shipped packages must contain (rebuild them).
BADGER_SCALE_NAMES: dict[str, list[str]] = {
    "fr": ["Pas encore observé", "Découverte", "En cours d'acquisition", "Acquis avec appui",
           "Acquis en autonomie", "Maîtrisé et transmis"],
    "en": ["Not yet observed", "Discovering", "Being acquired", "Acquired with support",
           "Acquired independently", "Mastered and passed on"],
    "ar": ["لم يُلاحَظ بعد", "اكتشاف", "قيد التعلّم", "مكتسَب بمساعدة", "مكتسَب باستقلالية",
           "متقَن وأنقله للآخرين"],
    "uk": ["Ще не помічено", "Знайомство", "У процесі навчання", "Засвоєно з допомогою",
           "Засвоєно самостійно", "Опановано й передаю іншим"],
}
#: badger's 0–5 grid scale in French (the référentiels' own language): (score, name).
BADGER_SCALE: list[tuple[int, str]] = list(enumerate(BADGER_SCALE_NAMES["fr"]))

BADGER_SCALE_TITLE = "Échelle badger 0–5 (grille radar)"
BADGER_SCALE_DESCRIPTION = (
    "Échelle générique de badger pour la grille à 6 niveaux (0 à 5) remplie par le coach et le "
    "participant. Ces intitulés sont ceux de badger, pas ceux du référentiel."
)


def add_badger_scale(fw: Framework) -> Rubric:
    """Append badger's generic 0–5 rubric (one criterion per competence) to ``fw``."""
    rid = stable_id(fw.key, fw.version, "rubric", "badger-0-5")
    rubric = Rubric(identifier=rid, title=BADGER_SCALE_TITLE, description=BADGER_SCALE_DESCRIPTION)
    for it in fw.competences:
        rubric.criteria.append(
            Criterion(item=it.identifier, levels=[LevelText(float(s), q) for s, q in BADGER_SCALE])
        )
    fw.rubrics.append(rubric)
    return rubric


def grid_rubric(fw: Framework) -> Rubric | None:
    """Return the rubric used for the 0–5 grid (badger's scale, else the first 0–5 rubric)."""
    for r in fw.rubrics:
        if r.title == BADGER_SCALE_TITLE:
            return r
    for r in fw.rubrics:
        if r.scale_min == 0 and r.scale_max == 5:
            return r
    return None


# --------------------------------------------------------------------------- helpers


def iter_levels(fw: Framework) -> Iterator[tuple[Rubric, Criterion, LevelText]]:
    """Yield every (rubric, criterion, level) of ``fw``."""
    for r in fw.rubrics:
        for c in r.criteria:
            for lv in c.levels:
                yield r, c, lv


def renumber(items: Iterable[Item]) -> None:
    """Give siblings consecutive positions 1..n in their current order."""
    counters: dict[str | None, int] = {}
    for it in items:
        counters[it.parent] = counters.get(it.parent, 0) + 1
        it.position = counters[it.parent]
