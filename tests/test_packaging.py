"""The package ships its templates, static files, migrations and référentiels."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "badger").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    # Data folders inside a listed package are package data, not packages.
    missing = {
        name
        for name in found
        if name not in listed
        and not any(name.startswith(parent + ".") and _is_data(name) for parent in listed)
    }
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


def _is_data(name: str) -> bool:
    return any(
        part in {"contexts", "schemas", "case_schemas", "translations"} for part in name.split(".")
    )
