"""The OB 3.0 Service Description Document (``GET /ims/ob/v3p0/discovery``): an OpenAPI 3.0
description of the endpoints this Host offers and how a client registers and is authorised.

Built from small tables (one per path) so each part reads as the document it produces; the
public URLs are passed in by the view (no request or configuration read here).
"""

from __future__ import annotations

from typing import Any

from badger.api.oauth import (
    SCOPE_CREDENTIAL_READ,
    SCOPE_CREDENTIAL_UPSERT,
    SCOPE_PROFILE_READ,
    SCOPE_PROFILE_UPDATE,
)

API_PATH = "/ims/ob/v3p0"
_ERROR_REF = {"$ref": "#/components/schemas/Imsx_StatusInfo"}
_PROFILE_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}}
#: The scopes as the OAuth flow describes them (English, for developers).
_SCOPE_DESCRIPTIONS = {
    SCOPE_CREDENTIAL_READ: "Read the credentials",
    SCOPE_CREDENTIAL_UPSERT: "Create or update credentials",
    SCOPE_PROFILE_READ: "Read the profile",
    SCOPE_PROFILE_UPDATE: "Update the profile",
}


def _errors(*codes: int) -> dict[str, Any]:
    return {
        str(c): {
            "description": "Imsx_StatusInfo",
            "content": {"application/json": {"schema": _ERROR_REF}},
        }
        for c in codes
    }


def _secured(scope: str) -> list[dict[str, list[str]]]:
    return [{"OAuth2ACG": [scope]}]


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema}


def _credentials_path() -> dict[str, Any]:
    return {
        "get": {
            "operationId": "getCredentials",
            "tags": ["OpenBadgeCredentials"],
            "parameters": [
                _query("limit", {"type": "integer", "minimum": 1}),
                _query("offset", {"type": "integer", "minimum": 0}),
                _query("since", {"type": "string", "format": "date-time"}),
            ],
            "security": _secured(SCOPE_CREDENTIAL_READ),
            "responses": {
                "200": {
                    "description": "GetOpenBadgeCredentialsResponse",
                    "headers": {
                        "X-Total-Count": {"schema": {"type": "integer"}},
                        "Link": {"schema": {"type": "string"}},
                    },
                    "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/GetOpenBadgeCredentialsResponse"
                    }}},
                },
                **_errors(400, 401, 403, 405, 500),
            },
        },
        "post": {
            "operationId": "upsertCredential",
            "tags": ["OpenBadgeCredentials"],
            "requestBody": {
                "required": True,
                "content": {
                    "application/vc+ld+json": {"schema": {"type": "object"}},
                    "application/json": {"schema": {"type": "object"}},
                    "text/plain": {"schema": {"type": "string"}},
                },
            },
            "security": _secured(SCOPE_CREDENTIAL_UPSERT),
            "responses": {
                "200": {"description": "The credential was replaced"},
                "201": {"description": "The credential was created"},
                **_errors(400, 401, 403, 405, 413, 415, 500),
            },
        },
    }


def _profile_path() -> dict[str, Any]:
    return {
        "get": {
            "operationId": "getProfile",
            "tags": ["OpenBadgeCredentials"],
            "security": _secured(SCOPE_PROFILE_READ),
            "responses": {
                "200": {"description": "Profile", "content": _PROFILE_CONTENT},
                **_errors(401, 403, 404, 405, 500),
            },
        },
        "put": {
            "operationId": "putProfile",
            "tags": ["OpenBadgeCredentials"],
            "requestBody": {"required": True, "content": _PROFILE_CONTENT},
            "security": _secured(SCOPE_PROFILE_UPDATE),
            "responses": {
                "200": {"description": "Profile", "content": _PROFILE_CONTENT},
                **_errors(400, 401, 403, 405, 500),
            },
        },
    }


def _components(api: str) -> dict[str, Any]:
    return {
        "securitySchemes": {
            "OAuth2ACG": {
                "type": "oauth2",
                "description": "OAuth 2.0 Authorization Code Grant with PKCE (S256)",
                "x-imssf-registrationUrl": api + "/oauth/register",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": api + "/oauth/authorize",
                        "tokenUrl": api + "/oauth/token",
                        "refreshUrl": api + "/oauth/token",
                        "x-imssf-revocationUrl": api + "/oauth/revoke",
                        "scopes": dict(_SCOPE_DESCRIPTIONS),
                    }
                },
            }
        },
        "schemas": {
            "GetOpenBadgeCredentialsResponse": {"type": "object"},
            "Profile": {"type": "object"},
            "Imsx_StatusInfo": {"type": "object"},
        },
    }


def service_description(base: str, terms_url: str, privacy_url: str) -> dict[str, Any]:
    """The document for this server at ``base`` (its public URL, no final slash), whose terms
    and privacy pages are at ``terms_url`` and ``privacy_url``."""
    api = base + API_PATH
    return {
        "openapi": "3.0.1",
        "info": {
            "title": "badger — Open Badges 3.0 API",
            "description": "Open Badges 3.0 Host: a participant's credentials and profile.",
            "termsOfService": terms_url,
            "version": "3.0",
            "x-imssf-privacyPolicyUrl": privacy_url,
        },
        "servers": [{"url": api, "description": "badger"}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Discovery"}],
        "paths": {
            "/credentials": _credentials_path(),
            "/profile": _profile_path(),
            "/discovery": {
                "get": {
                    "operationId": "getServiceDescription",
                    "tags": ["Discovery"],
                    "responses": {"200": {"description": "ServiceDescriptionDocument"}},
                },
            },
        },
        "components": _components(api),
    }
