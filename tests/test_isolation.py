"""A user of organisation A gets 404 on every object of organisation B.

Every route whose URL carries an identifier must appear in some ``tests/<domain>/isolation.py``
(``CASES``: endpoint -> builder of an org-B URL, or ``EXEMPT``: endpoint -> reason). A new
route that is in neither makes ``test_every_id_route_is_covered`` fail, so the check cannot be
forgotten when a domain grows.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest

import tests
from tests.conftest import login_staff


def _collect() -> tuple[dict[str, Any], dict[str, str]]:
    cases: dict[str, Any] = {}
    exempt: dict[str, str] = {}
    for info in pkgutil.iter_modules([str(Path(tests.__file__).parent)]):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{info.name}.isolation")
        except ModuleNotFoundError:
            continue
        cases.update(getattr(module, "CASES", {}))
        exempt.update(getattr(module, "EXEMPT", {}))
    return cases, exempt


CASES, EXEMPT = _collect()


def test_every_id_route_is_covered(app: Any) -> None:
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint == "static":
            continue
        if rule.endpoint not in CASES and rule.endpoint not in EXEMPT:
            missing.append(f"{rule.endpoint} {rule.rule}")
    assert not missing, "routes with ids lack an isolation case:\n" + "\n".join(sorted(missing))


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_other_organisation_is_invisible(endpoint: str, client: Any, make: Any, admin: Any) -> None:
    org_b = make.organisation("org-b", "Organisation B")
    method, url = CASES[endpoint](make, org_b)
    login_staff(client, admin)
    response = client.open(url, method=method, data={})
    assert response.status_code == 404, (endpoint, url, response.status_code)
