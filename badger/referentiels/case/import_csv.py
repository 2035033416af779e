"""Read a spreadsheet export (CSV) into a :class:`~.model.Framework`, refusing it whole on any
error; :func:`~.export.to_csv` writes the same layout."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from badger import csvsafe, guards
from badger.referentiels.case.errors import (
    NOT_UTF8,
    CaseImportError,
    Location,
    at,
    line_at,
    too_big,
)
from badger.referentiels.case.model import (
    BADGER_SCALE,
    CSV_BASE_COLUMNS,
    MAX_BYTES,
    Criterion,
    ExternalLink,
    Framework,
    Item,
    LevelText,
    Rubric,
    Translation,
    add_badger_scale,
    now_iso,
    slugify,
    stable_id,
)

_LEVEL_RE = re.compile(r"^level_(\d+)$")
_TRANS_RE = re.compile(r"^(label|description)_([a-z]{2,3})$")
_CSV_UNREADABLE = _l(
    "ligne illisible : cellule de plus de 128 Ko, guillemet jamais fermé ou caractère nul"
)


def parse_csv(
    text: str | bytes,
    *,
    title: str,
    creator: str,
    key: str | None = None,
    version: str = "1",
    language: str = "fr",
    base_url: str = "https://badger.example.org",
    max_bytes: int = MAX_BYTES,
) -> Framework:
    """Parse a spreadsheet export into a :class:`Framework`.

    Columns (header row, any order; ``;`` or ``,`` delimiter; UTF-8 with or without BOM):
    ``category, code, label, description, level_0 … level_5`` (or ``level_1 … level_N`` for
    another scale), ``esco_uri``, ``rome_code``, ``pictogram``, ``label_<lang>``,
    ``description_<lang>``. ``code`` and ``label`` are required. With ``level_0 … level_5``
    the cells describe the levels of badger's 0–5 grid scale (whose level names stay badger's);
    other level columns become a rubric of their own whose level names are the cells. Without
    level columns badger's 0–5 scale is attached.
    """
    text = _decoded(text, max_bytes)
    first = text.split("\n", 1)[0]
    reader = _csv_reader(text, ";" if first.count(";") >= first.count(",") else ",")
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CaseImportError([(line_at(1), _l("fichier vide"))]) from None
    key = key or slugify(title)
    fw = Framework(
        identifier=stable_id(key, version, "document"),
        title=title,
        creator=creator,
        key=key,
        version=version,
        language=language,
        base_url=base_url,
        last_change=now_iso(),
    )
    rows = _CsvRows(fw, header, errors=_header_errors(header))
    for line_no, cells in enumerate(reader, start=2):
        rows.read(line_no, cells)
    if not rows.codes and not rows.errors:
        rows.errors.append((line_at(2), _l("aucune compétence")))
    if rows.errors:
        raise CaseImportError(rows.errors)
    _attach_levels(fw, [s for s, _ in rows.level_cols], rows.rubric_levels)
    return fw


def _decoded(text: str | bytes, max_bytes: int) -> str:
    """The file as text, without its BOM; refused when too big or not UTF-8."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise CaseImportError([(at("/"), too_big(len(text), max_bytes))])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CaseImportError([(Location(byte=exc.start), NOT_UTF8)]) from exc
    text = text.lstrip("\ufeff")
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise CaseImportError([(at("/"), too_big(size, max_bytes))])
    return text


def _csv_reader(text: str, delimiter: str) -> Iterator[list[str]]:
    """``csv.reader`` rows; a row the csv module refuses ends the import with its line."""
    try:
        yield from guards.csv_rows(csv.reader(io.StringIO(text), delimiter=delimiter))
    except guards.CsvRefused as exc:
        raise CaseImportError([(line_at(exc.line), _CSV_UNREADABLE)]) from exc


def _header_errors(header: list[str]) -> list[tuple[Location, Any]]:
    """Missing or doubled columns end the import at once; unknown ones are listed with the
    rows' errors."""
    errors: list[tuple[Location, Any]] = []
    for req in ("code", "label"):
        if req not in header:
            errors.append((line_at(1), _l("colonne obligatoire manquante : %(name)s", name=req)))
    dupes = {h for h in header if header.count(h) > 1}
    for h in sorted(dupes):
        errors.append((line_at(1), _l("colonne en double : %(name)s", name=h)))
    if errors:
        raise CaseImportError(errors)
    known = set(CSV_BASE_COLUMNS) | {"esco_uri", "rome_code", "pictogram"}
    for i, h in enumerate(header):
        if h and h not in known and not _LEVEL_RE.match(h) and not _TRANS_RE.match(h):
            errors.append((line_at(1, i + 1), _l("colonne inconnue : %(name)s", name=h)))
    return errors


@dataclass
class _CsvRows:
    """The rows read so far: one competence per row, its category made on first use."""

    fw: Framework
    header: list[str]
    errors: list[tuple[Location, Any]]
    categories: dict[str, Item] = field(default_factory=dict)
    #: items under each parent so far (None: top level, categories included), kept as the
    #: rows go: counting them per row made parsing quadratic (100,000 rows took minutes)
    children: dict[str | None, int] = field(default_factory=dict)
    #: code -> line of its row
    codes: dict[str, int] = field(default_factory=dict)
    rubric_levels: dict[str, list[LevelText]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.col = {h: i for i, h in enumerate(self.header)}
        self.level_cols = sorted(
            (int(m.group(1)), i) for i, h in enumerate(self.header)
            if (m := _LEVEL_RE.match(h))
        )

    def read(self, line_no: int, cells: list[str]) -> None:
        """Read one row (blank rows are skipped)."""
        if not any(c.strip() for c in cells):
            return
        if len(cells) > len(self.header):
            self.errors.append((line_at(line_no), _l("%(cells)s cellules pour %(columns)s colonnes",
                                                     cells=len(cells), columns=len(self.header))))
            return
        cells = cells + [""] * (len(self.header) - len(cells))

        def cell(name: str) -> str:
            return csvsafe.unquote(cells[self.col[name]].strip()) if name in self.col else ""

        code, label = cell("code"), cell("label")
        if not self._check_code(line_no, code, label):
            return
        self.codes[code] = line_no
        parent = self._category(cell("category"))
        siblings = self.children.get(parent, 0)
        item = Item(
            identifier=self.fw.item_id_for(code),
            code=code,
            label=label,
            description=cell("description"),
            parent=parent,
            position=siblings + 1,
            pictogram=cell("pictogram") or None,
            language=self.fw.language,
        )
        self._links(line_no, item, cell("esco_uri"), cell("rome_code"))
        self._translations(line_no, item, cell)
        self._levels(line_no, item, cells)
        self.fw.items.append(item)
        self.children[parent] = siblings + 1

    def _check_code(self, line_no: int, code: str, label: str) -> bool:
        """True when the row has a code not used yet and a label."""
        if not code:
            self.errors.append((line_at(line_no, "code"), _l("code vide")))
        if not label:
            self.errors.append((line_at(line_no, "label"), _l("libellé vide")))
        if code in self.codes:
            self.errors.append((line_at(line_no, "code"),
                                _l("code en double « %(code)s » (ligne %(line)s)", code=code,
                                   line=self.codes[code])))
        return bool(code and label and code not in self.codes)

    def _category(self, cat_label: str) -> str | None:
        """The identifier of the category named ``cat_label`` (made on first use), or None."""
        if not cat_label:
            return None
        if cat_label not in self.categories:
            ccode = f"CAT-{len(self.categories) + 1}"
            self.categories[cat_label] = Item(
                identifier=self.fw.item_id_for(ccode),
                code=ccode,
                label=cat_label,
                kind="category",
                position=len(self.categories) + 1,
                language=self.fw.language,
            )
            self.fw.items.append(self.categories[cat_label])
            self.children[None] = self.children.get(None, 0) + 1
        return self.categories[cat_label].identifier

    def _links(self, line_no: int, item: Item, esco: str, rome: str) -> None:
        if esco:
            if not esco.startswith("http://data.europa.eu/esco/"):
                self.errors.append((line_at(line_no, "esco_uri"), _l("URI ESCO attendue")))
            item.links.append(ExternalLink("esco", esco, esco.rsplit("/", 1)[-1]))
        if rome:
            item.links.append(ExternalLink("rome", f"urn:rome:{rome}", rome))

    def _translations(self, line_no: int, item: Item, cell: Any) -> None:
        """``label_<lang>`` and ``description_<lang>`` cells; a translation needs its label."""
        for h in self.header:
            m = _TRANS_RE.match(h)
            if m and cell(h):
                tr = item.translations.setdefault(m.group(2), Translation(label=""))
                setattr(tr, m.group(1), cell(h))
        for lang, tr in list(item.translations.items()):
            if not tr.label:
                self.errors.append((line_at(line_no, f"label_{lang}"),
                                    _l("traduction sans libellé")))
                del item.translations[lang]

    def _levels(self, line_no: int, item: Item, cells: list[str]) -> None:
        """The ``level_<n>`` cells: all of them, or none."""
        levels = [
            LevelText(float(score), csvsafe.unquote(cells[i].strip()))
            for score, i in self.level_cols
            if cells[i].strip()
        ]
        if self.level_cols and len(levels) not in (0, len(self.level_cols)):
            self.errors.append((line_at(line_no), _l("%(filled)s niveaux remplis sur %(total)s",
                                                     filled=len(levels),
                                                     total=len(self.level_cols))))
        if levels:
            self.rubric_levels[item.identifier] = levels


def _attach_levels(fw: Framework, scores: list[int],
                   rubric_levels: dict[str, list[LevelText]]) -> None:
    """Level columns 0–5 describe badger's grid scale; other ones make a rubric of their own;
    without them badger's 0–5 scale is attached."""
    if rubric_levels and scores == [s for s, _ in BADGER_SCALE]:
        # The grid scale: level names are badger's, the cells describe each level.
        names = dict(BADGER_SCALE)
        grid = add_badger_scale(fw)
        for crit in grid.criteria:
            texts = {lv.score: lv.quality for lv in rubric_levels.get(crit.item, [])}
            for lv in crit.levels:
                text = texts.get(lv.score, "")
                lv.description = "" if text == names[int(lv.score)] else text
    elif rubric_levels:
        rubric = Rubric(
            identifier=stable_id(fw.key, fw.version, "rubric", "csv"),
            title=f"Niveaux {scores[0]}–{scores[-1]}",
        )
        for it in fw.competences:
            if it.identifier in rubric_levels:
                rubric.criteria.append(Criterion(it.identifier, rubric_levels[it.identifier]))
        fw.rubrics.append(rubric)
    else:
        add_badger_scale(fw)
