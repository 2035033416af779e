"""The Open Badges 3.0 API (Host / Service Provider): OAuth 2.0 (RFC 7591 registration,
authorization code with PKCE S256, refresh, RFC 7009 revocation) and a participant's credentials
and profile.

Modules by concern: :mod:`.oauth` (scopes, lifetimes, secret hashing, the error answer),
:mod:`.clients` (registration, client authentication), :mod:`.codes` (the authorization request
and its code), :mod:`.tokens` (exchange, refresh, revocation, bearer authentication),
:mod:`.connected` (the participant's connected apps), :mod:`.credentials` and :mod:`.profiles`
(the OB 3.0 resources), :mod:`.discovery` (the Service Description Document),
:mod:`.retention` (purging dead codes and tokens), :mod:`.forms` (form-encoded inputs).
"""

from .clients import authenticate_client, register_client, registration_response
from .codes import (
    AuthorizeFatal,
    AuthorizeRedirectError,
    AuthorizeRequest,
    check_authorize,
    issue_code,
    redirect_with,
)
from .connected import ConnectedApp, connected_apps, disconnect
from .credentials import (
    Page,
    Paging,
    Upsert,
    list_credentials,
    normalise_id,
    parse_paging,
    upsert_credential,
)
from .discovery import service_description
from .oauth import (
    ACCESS_TTL,
    CODE_TTL,
    REFRESH_TTL,
    SCOPE_CREDENTIAL_READ,
    SCOPE_CREDENTIAL_UPSERT,
    SCOPE_PROFILE_READ,
    SCOPE_PROFILE_UPDATE,
    SCOPES,
    OAuthError,
    host_of,
    scope_labels,
    scope_list,
    secret_hash,
)
from .profiles import profile, profile_id, update_profile
from .retention import PURGE_AFTER, PURGE_EVERY, maybe_purge, purge_expired, purges
from .tokens import (
    authenticate_bearer,
    exchange_code,
    pkce_challenge,
    refresh,
    revoke_family,
    revoke_token,
    touch,
)

__all__ = [
    "ACCESS_TTL",
    "CODE_TTL",
    "PURGE_AFTER",
    "PURGE_EVERY",
    "REFRESH_TTL",
    "SCOPES",
    "SCOPE_CREDENTIAL_READ",
    "SCOPE_CREDENTIAL_UPSERT",
    "SCOPE_PROFILE_READ",
    "SCOPE_PROFILE_UPDATE",
    "AuthorizeFatal",
    "AuthorizeRedirectError",
    "AuthorizeRequest",
    "ConnectedApp",
    "OAuthError",
    "Page",
    "Paging",
    "Upsert",
    "authenticate_bearer",
    "authenticate_client",
    "check_authorize",
    "connected_apps",
    "disconnect",
    "exchange_code",
    "host_of",
    "issue_code",
    "list_credentials",
    "maybe_purge",
    "normalise_id",
    "parse_paging",
    "pkce_challenge",
    "profile",
    "profile_id",
    "purge_expired",
    "purges",
    "redirect_with",
    "refresh",
    "register_client",
    "registration_response",
    "revoke_family",
    "revoke_token",
    "scope_labels",
    "scope_list",
    "secret_hash",
    "service_description",
    "touch",
    "update_profile",
    "upsert_credential",
]
