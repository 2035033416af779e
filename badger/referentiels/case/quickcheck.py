"""A fast yes/no pass over a CASE package before jsonschema explains what is wrong.

``jsonschema`` walks every value through generic machinery (``descend``, ``evolve``, reference
lookups): 6.9 s of the 10,000-item package's import went there, 19 s for a 50 MB one.
:func:`compile_validator` turns the same schema into nested plain-Python closures for the subset
of JSON Schema the CASE 1.0 (draft 4) and 1.1 (2020-12) schemas use, with the validator's own
format checker. It only ever answers "valid for sure" (True) or "let jsonschema look" (False):
an unknown keyword compiles to False, so the fast path can never accept what jsonschema refuses,
and every message still comes from jsonschema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jsonschema

Check = Callable[[Any], bool]

#: Every keyword that constrains a value in some draft: one this module does not implement makes
#: the pass unsure. Any other name is ignored, as jsonschema ignores it.
_KEYWORDS = frozenset({
    "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
    "uniqueItems", "maxContains", "minContains", "contains", "maxProperties", "minProperties",
    "required", "dependentRequired", "dependencies", "dependentSchemas", "properties",
    "patternProperties", "additionalProperties", "propertyNames", "items", "prefixItems",
    "additionalItems", "unevaluatedItems", "unevaluatedProperties", "allOf", "anyOf", "oneOf",
    "not", "if", "then", "else", "$ref", "$dynamicRef", "$recursiveRef", "format",
    "contentEncoding", "contentMediaType", "contentSchema",
})


def _never(_value: Any) -> bool:
    """Unsure: jsonschema must look."""
    return False


def _always(_value: Any) -> bool:
    return True


def _is_integer(value: Any, draft4: bool) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return not draft4 and isinstance(value, float) and value.is_integer()


def _type_check(names: list[str], draft4: bool) -> Check:
    simple: list[type | tuple[type, ...]] = []
    integer = False
    for name in names:
        if name == "integer":
            integer = True
        elif name == "string":
            simple.append(str)
        elif name == "object":
            simple.append(dict)
        elif name == "array":
            simple.append(list)
        elif name == "null":
            simple.append(type(None))
        elif name == "number":
            simple.append((int, float))
        elif name == "boolean":
            simple.append(bool)
        else:
            return _never
    kinds = tuple(t for group in simple for t in (group if isinstance(group, tuple) else (group,)))
    numeric = any(t in (int, float) for t in kinds)
    has_bool = bool in kinds

    def check(value: Any) -> bool:
        if isinstance(value, bool):
            return has_bool
        if isinstance(value, kinds):
            return numeric or not isinstance(value, int | float)
        return integer and _is_integer(value, draft4)

    return check


class _Compiler:
    def __init__(self, validator: jsonschema.protocols.Validator) -> None:
        self.root = validator.schema
        self.draft4 = isinstance(validator, jsonschema.Draft4Validator)
        self.formats = validator.format_checker
        self.refs: dict[str, Check] = {}
        self.inexact_refs: set[str] = set()
        #: how many parts compiled to "unsure" so far (a oneOf needs exact branches)
        self.unsure = 0

    def ref(self, ref: str) -> Check:
        if ref in self.refs:
            if ref in self.inexact_refs:
                self.unsure += 1
            return self.refs[ref]
        if not ref.startswith("#/"):
            self.unsure += 1
            return _never
        target: Any = self.root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                self.unsure += 1
                return _never
            target = target[part]
        cell: list[Check] = [_never]
        self.refs[ref] = lambda value: cell[0](value)  # recursion-safe placeholder
        before = self.unsure
        cell[0] = self.compile(target)
        if self.unsure != before:
            self.inexact_refs.add(ref)
        self.refs[ref] = cell[0]
        return cell[0]

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return _always
        if not isinstance(schema, dict):
            self.unsure += 1
            return _never
        if "$ref" in schema and self.draft4:
            return self.ref(schema["$ref"])  # draft 4 ignores the $ref's siblings
        checks: list[Check] = []
        for key, arg in schema.items():
            if key not in _KEYWORDS or key in ("additionalProperties", "required"):
                continue
            check = self.keyword(key, arg, schema)
            if check is _never:
                self.unsure += 1
                return _never
            if check is not _always:
                checks.append(check)
        if "required" in schema or "additionalProperties" in schema:
            checks.append(self.object_shape(schema))
        return _every(checks)

    def keyword(self, key: str, arg: Any, schema: dict[str, Any]) -> Check:
        if key == "$ref":
            return self.ref(arg)
        if key == "type":
            return _type_check(arg if isinstance(arg, list) else [arg], self.draft4)
        if key == "properties":
            return self.properties(arg)
        if key == "items" and isinstance(arg, dict):
            each = self.compile(arg)

            def items(value: Any) -> bool:
                if isinstance(value, list):
                    for x in value:
                        if not each(x):
                            return False
                return True

            return _always if each is _always else items
        if key in ("minItems", "maxItems", "minLength", "maxLength") and isinstance(arg, int):
            return _bound(key, arg)
        if key in ("minimum", "maximum") and isinstance(arg, int | float):
            low = key == "minimum"
            return lambda v: (not isinstance(v, int | float) or isinstance(v, bool)
                              or (v >= arg if low else v <= arg))
        if key == "pattern":
            search = re.compile(arg).search
            return lambda v: not isinstance(v, str) or search(v) is not None
        if key == "format":
            return self.format(arg)
        if key == "enum" and isinstance(arg, list):
            return lambda v: any(type(v) is type(e) and v == e for e in arg)
        if key in ("allOf", "anyOf") and isinstance(arg, list):
            return _combine(key, [self.compile(s) for s in arg])
        if key == "oneOf" and isinstance(arg, list):
            before = self.unsure
            branches = [self.compile(s) for s in arg]
            if self.unsure != before:
                return _never  # a branch's False may mean "unsure": no count can be trusted
            return lambda v: sum(1 for c in branches if c(v)) == 1
        return _never

    def format(self, name: str) -> Check:
        checker = self.formats
        if checker is None or name not in checker.checkers:
            return _always
        return lambda v: checker.conforms(v, name)

    def properties(self, props: dict[str, Any]) -> Check:
        compiled = {name: self.compile(sub) for name, sub in props.items()}
        get = {name: c for name, c in compiled.items() if c is not _always}.get

        def check(value: Any) -> bool:
            if isinstance(value, dict):
                for name, v in value.items():
                    sub = get(name)
                    if sub is not None and not sub(v):
                        return False
            return True

        return check

    def object_shape(self, schema: dict[str, Any]) -> Check:
        required = schema.get("required", [])
        extra = schema.get("additionalProperties", True)
        known = frozenset(schema.get("properties", {}))
        extra_check = None if isinstance(extra, bool) else self.compile(extra)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            if any(name not in value for name in required):
                return False
            if extra_check is not None:
                return all(extra_check(v) for k, v in value.items() if k not in known)
            return extra is True or known.issuperset(value)

        return check


def _every(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]

    def check(value: Any) -> bool:
        for c in checks:  # noqa: SIM110 — all(<generator>) costs a frame per value
            if not c(value):
                return False
        return True

    return check


def _bound(key: str, limit: int) -> Check:
    kind: tuple[type[Any], ...] = (list,) if key.endswith("Items") else (str,)
    low = key.startswith("min")

    def check(value: Any) -> bool:
        if not isinstance(value, kind):
            return True
        return len(value) >= limit if low else len(value) <= limit

    return check


def _combine(key: str, checks: list[Check]) -> Check:
    if key == "allOf":
        return lambda v: all(c(v) for c in checks)
    return lambda v: any(c(v) for c in checks)  # anyOf: one sure branch is enough


def compile_validator(validator: jsonschema.protocols.Validator) -> Check:
    """True when ``validator`` would find no error in the value, False when unsure."""
    return _Compiler(validator).compile(validator.schema)
