"""In-memory référentiel model and its 1EdTech CASE 1.0 / CSV exchange formats.

No Flask app and no SQLAlchemy here: plain dataclasses (:mod:`.model`), parsers
(:mod:`.import_package`, :mod:`.import_csv`) and writers (:mod:`.export`). Import errors are lazy
strings (French message ids, ``flask_babel.lazy_gettext``) rendered in the reader's language when
shown, with their location kept as data (:class:`Location`); without an app they read in French.

Where the things CASE 1.0 has no field for go (the strict IMS schema sets
``additionalProperties: false`` on every class, so ``extensions`` is not an option):

* **recruiter words** (ESCO, ROME, Pix, DigComp…): a ``CFAssociation`` from the item to the
  external URI, ``exactMatchOf`` (or ``isRelatedTo`` for a looser match), whose
  ``CFAssociationGroupingURI`` names the kind (``esco``, ``rome``, ``pix``…);
* **pictogram**: an ``isRelatedTo`` association in the ``pictogram`` grouping whose destination
  ``identifier`` is the pictogram name;
* **translations**: one extra ``CFItem`` per language (``language`` set, ``CFItemType``
  ``Traduction``) linked to the item by ``isRelatedTo`` in the ``translation`` grouping; translated
  level texts are rubric criteria that point at the translated item;
* **derivation**: an ``exactMatchOf`` association in the ``source`` grouping to the source item URI.

A CASE 1.0 reader that ignores groupings still sees a valid framework. See referentiels/FORMAT.md.
"""


from badger.referentiels.case import merge, source
from badger.referentiels.case.errors import (
    MAX_ERRORS,
    CaseImportError,
    ImportProblem,
    Location,
    _loc_key,
    at,
    line_at,
)
from badger.referentiels.case.export import dumps, pictogram_uri, to_csv, to_package
from badger.referentiels.case.import_csv import parse_csv
from badger.referentiels.case.import_package import is_uuid, parse_decoded, parse_package
from badger.referentiels.case.merge import Difference, diff
from badger.referentiels.case.model import (
    BADGER_SCALE,
    BADGER_SCALE_DESCRIPTION,
    BADGER_SCALE_NAMES,
    BADGER_SCALE_TITLE,
    CATEGORY_TYPE,
    COMPETENCE_TYPE,
    CSV_BASE_COLUMNS,
    GROUPINGS,
    ITEM_TYPES,
    LINK_KINDS,
    MAX_BYTES,
    NAMESPACE,
    TRANSLATION_TYPE,
    Criterion,
    ExternalLink,
    Framework,
    Item,
    LevelText,
    License,
    Rubric,
    Translation,
    add_badger_scale,
    grid_rubric,
    grouping_id,
    iter_levels,
    now_iso,
    renumber,
    slugify,
    stable_id,
)
from badger.referentiels.case.schema import schema11_errors, schema_errors
from badger.referentiels.case.source import Note, normalise

__all__ = [
    "BADGER_SCALE", "BADGER_SCALE_DESCRIPTION", "BADGER_SCALE_NAMES", "BADGER_SCALE_TITLE",
    "CATEGORY_TYPE", "COMPETENCE_TYPE", "CSV_BASE_COLUMNS", "GROUPINGS", "ITEM_TYPES", "LINK_KINDS",
    "MAX_BYTES", "MAX_ERRORS", "NAMESPACE", "TRANSLATION_TYPE", "CaseImportError", "Criterion",
    "Difference", "ExternalLink", "Framework", "ImportProblem", "Item", "LevelText", "License",
    "Location", "Note", "Rubric", "Translation", "_loc_key", "add_badger_scale", "at", "diff",
    "dumps", "grid_rubric", "grouping_id", "is_uuid", "iter_levels", "line_at", "merge",
    "normalise", "now_iso", "parse_csv", "parse_decoded", "parse_package", "pictogram_uri",
    "renumber", "schema11_errors", "schema_errors", "slugify", "source", "stable_id", "to_csv",
    "to_package",
]
