"""Import every domain's tables so ``Base.metadata`` is complete (Alembic, create_all)."""

from badger import DOMAINS, domain_module
from badger.audit import AuditEvent  # noqa: F401

for _domain in DOMAINS:
    domain_module(_domain, "models")
