"""integrators domain: machines of an organisation that issue credentials through the W3C
VC-API (``POST /credentials/issue``), authenticated by OAuth 2.0 client credentials.

Modules: :mod:`.oauth` (clients, tokens), :mod:`.validation` (what a credential must be),
:mod:`.issuing` (sign, record, revoke), :mod:`.retention` (dead tokens purged), :mod:`.cli`.
"""

from badger.integrators.issuing import find_issued, issue, list_issued, revoke_issued
from badger.integrators.oauth import (
    SCOPE_ISSUE,
    TOKEN_TTL,
    authenticate_bearer,
    authenticate_client,
    client_credentials,
    create_client,
    find_client,
    list_clients,
    revoke_client,
)
from badger.integrators.validation import CredentialError, check_credential

__all__ = [
    "SCOPE_ISSUE",
    "TOKEN_TTL",
    "CredentialError",
    "authenticate_bearer",
    "authenticate_client",
    "check_credential",
    "client_credentials",
    "create_client",
    "find_client",
    "find_issued",
    "issue",
    "list_clients",
    "list_issued",
    "revoke_client",
    "revoke_issued",
]
