"""Cross-organisation cases for tests/test_isolation.py (see its docstring): an admin of
organisation A can neither revoke B's integrator client nor B's credentials issued by API."""

from __future__ import annotations

import uuid
from typing import Any

from badger import integrators
from badger.db import utcnow
from badger.integrators.models import IssuedCredential


def _client(make: Any, org_b: Any) -> str:
    client, _secret = integrators.create_client(make.db, org_b, "Logiciel de B")
    make.db.commit()
    return client.client_id


def _issued(make: Any, org_b: Any) -> str:
    row = IssuedCredential(organisation_id=org_b.id, uuid=str(uuid.uuid4()),
                           request_hash="0" * 64, signed_json="{}", issued_at=utcnow(),
                           types="VerifiableCredential", revocation_index=None)
    make.db.add(row)
    make.db.commit()
    return row.uuid


CASES = {
    "integrators.revoke": lambda make, org_b: (
        "POST", f"/admin/integrators/{_client(make, org_b)}/revoke"),
    "integrators.revoke_credential": lambda make, org_b: (
        "POST", f"/admin/integrators/credentials/{_issued(make, org_b)}/revoke"),
}
EXEMPT: dict[str, str] = {}
