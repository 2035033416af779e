"""Public, cacheable documents (issuer and network ids, keys, achievements, status lists):
content negotiation and cache headers, the same for every blueprint that serves them.

Wallets and verifiers read these cross-origin, so each answer allows any origin; an ETag lets
them revalidate cheaply.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask import Response, request

PUBLIC_CACHE = "public, max-age=300"
#: Status lists change on revocation: short, and revalidated (ETag) rather than trusted stale.
STATUS_CACHE = "public, max-age=60, must-revalidate"
JSONLD = "application/ld+json"
VC_JSON = "application/vc+ld+json"


def wants_html() -> bool:
    """A browser asking for a page rather than the JSON-LD document at the same URL."""
    accept = request.accept_mimetypes
    html = accept["text/html"]
    return bool(html) and html > max(accept["application/json"], accept[JSONLD])


def json_document(
    doc: Any, *, mimetype: str = JSONLD, cache: str = PUBLIC_CACHE
) -> Response:
    """``doc`` (a JSON-able value, or text served byte for byte, e.g. a stored signed
    credential) with cache headers, ``Vary: Accept``, an ETag and 304 on revalidation."""
    body = doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False,
                                                       separators=(",", ":"))
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = cache
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.make_conditional(request)
    return response


def status_list_document(text: str, etag: str, updated_at: datetime) -> Response:
    """A signed BitstringStatusListCredential under its stored ETag (changes only on a flip)."""
    response = Response(text, mimetype=VC_JSON)
    response.headers["Cache-Control"] = STATUS_CACHE
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.set_etag(etag.strip('"'))
    response.last_modified = updated_at
    response.make_conditional(request)
    return response
