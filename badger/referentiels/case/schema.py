"""The CASE 1.0 CFPackage schemas: the strict IMS one (default) and OpenSALT's looser one."""

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


@lru_cache(maxsize=2)
def _quick(strict: bool) -> Check:
    return compile_validator(_validator(strict))


def schema_errors(data: Any, *, strict: bool = True) -> list[ImportProblem]:
    """Validate ``data`` against the CASE 1.0 CFPackage schema; return sorted errors."""
    if _quick(strict)(data):  # plain-Python pass; jsonschema only explains refusals
        return []
    errors = []
    for err in _validator(strict).iter_errors(data):
        loc = at("/" + "/".join(str(p) for p in err.absolute_path))
        errors.append(ImportProblem(loc, _l("schéma CASE : %(detail)s",
                                            detail=err.message[:300])))
    errors.sort(key=lambda e: e.location.sort_key())
    return errors


