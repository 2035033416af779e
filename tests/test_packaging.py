"""The package ships its templates, static files, migrations and référentiels."""

from __future__ import annotations

import glob
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


def test_every_data_file_is_named_in_package_data():
    """The wheel ships exactly the data files package-data names (include-package-data is off:
    guessing them from the manifest made setuptools warn about every data folder), so each
    data file of the tree must match one of its patterns, as setuptools expands them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["include-package-data"] is False
    folders = {
        package: ROOT / config["package-dir"].get(package, package.replace(".", "/"))
        for package in config["packages"]
    }
    shipped = {
        Path(found).resolve()
        for package, patterns in config["package-data"].items()
        for pattern in patterns
        for found in glob.glob(str(folders[package] / pattern), recursive=True)
        if Path(found).is_file()
    }
    modules = {path.resolve() for folder in folders.values() for path in folder.glob("*.py")}
    data = {
        path.resolve()
        for folder in folders.values()
        for path in folder.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
    }
    missing = sorted(str(p.relative_to(ROOT)) for p in data - modules - shipped)
    assert not missing, f"add to [tool.setuptools.package-data] in pyproject.toml: {missing}"
