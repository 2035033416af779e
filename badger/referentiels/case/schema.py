"""The CASE CFPackage schemas: the strict IMS 1.0 one, OpenSALT's looser 1.0 one, and the 1EdTech
CASE 1.1 package schema that imports are checked against (``case_schemas/SOURCES.md``)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from flask_babel import lazy_gettext as _l

from badger.referentiels.case.errors import ImportProblem, at
from badger.referentiels.case.quickcheck import Check, compile_validator

#: The schema files stay beside the package (``badger/referentiels/case_schemas``).
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "case_schemas"
#: CASE 1.1's UUID pattern (lower case, variant 8–b) and the loose one real packages need
#: (OpenSALT's test frameworks use ``d0000000-0000-0000-0000-000000000000``).
_V11_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[8-9a-b]{1}[0-9a-f]{3}-[0-9a-f]{12}"
_LOOSE_UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


@lru_cache(maxsize=2)
def _validator(strict: bool) -> jsonschema.Draft4Validator:
    if strict:
        swagger = json.loads((SCHEMA_DIR / "case-v1p0-openapi-swagger2.json").read_text("utf-8"))
        schema: dict[str, Any] = {
            "$ref": "#/definitions/CFPackage.Type",
            "definitions": swagger["definitions"],
        }
    else:
        schema = json.loads(
            (SCHEMA_DIR / "opensalt-case-v1p0-cfpackage-schema.json").read_text("utf-8")
        )
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _loosen(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (_LOOSE_UUID if k == "pattern" and v == _V11_UUID else _loosen(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_loosen(v) for v in node]
    return node


@lru_cache(maxsize=2)
def _validator_v11(loose_ids: bool) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / "case-v1p1-cfpackage-schema.json").read_text("utf-8"))
    if loose_ids:
        schema = _loosen(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _problems(errs: Any) -> list[ImportProblem]:
    errors = []
    for err in errs:
        loc = at("/" + "/".join(str(p) for p in err.absolute_path))
        errors.append(ImportProblem(loc, _l("schéma CASE : %(detail)s",
                                            detail=err.message[:300])))
    errors.sort(key=lambda e: e.location.sort_key())
    return errors


@lru_cache(maxsize=2)
def _quick(strict: bool) -> Check:
    return compile_validator(_validator(strict))


@lru_cache(maxsize=2)
def _quick11(loose_ids: bool) -> Check:
    return compile_validator(_validator_v11(loose_ids))


def schema_errors(data: Any, *, strict: bool = True) -> list[ImportProblem]:
    """Validate ``data`` against the CASE 1.0 CFPackage schema; return sorted errors."""
    if _quick(strict)(data):  # plain-Python pass; jsonschema only explains refusals
        return []
    return _problems(_validator(strict).iter_errors(data))


def schema11_errors(data: Any, *, loose_ids: bool = False) -> list[ImportProblem]:
    """Validate ``data`` against the CASE 1.1 CFPackage schema; return sorted errors.
    ``loose_ids`` accepts any 8-4-4-4-12 lower-case hex identifier (zero-pattern UUIDs)."""
    if _quick11(loose_ids)(data):
        return []
    return _problems(_validator_v11(loose_ids).iter_errors(data))
