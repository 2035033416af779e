"""Verification for people and machines: read what is given (:mod:`.reading`), verify a badge
or a bare endorsement (:mod:`.verifying`), say who vouches for its issuer (:mod:`.trust`), reuse
reports on busy pages (:mod:`.caching`), describe it plainly (:mod:`.description`,
:mod:`.messages`), verify VC-API presentations (:mod:`.presentations`). The VC-API bodies are
read by :mod:`.schemas`, the verify page's by :mod:`.forms`.

verification sits above awards and networks (it explains this server's own badges from their
records and reads this server's registries) and below portfolio and api.
"""

from .caching import MemoResolver, ReportCache, verify_cached
from .description import Description, describe, report_context
from .presentations import PresentationOutcome, verify_presentation
from .reading import MAX_VERIFY_BYTES, check_input, fetch_url, sniff
from .trust import trust_key, trust_of, trusted_registries, with_registry_check
from .verifying import DOCUMENT_KINDS, verify_bytes, verify_document

__all__ = [
    "DOCUMENT_KINDS",
    "MAX_VERIFY_BYTES",
    "Description",
    "MemoResolver",
    "PresentationOutcome",
    "ReportCache",
    "check_input",
    "describe",
    "fetch_url",
    "report_context",
    "sniff",
    "trust_key",
    "trust_of",
    "trusted_registries",
    "verify_bytes",
    "verify_cached",
    "verify_document",
    "verify_presentation",
    "with_registry_check",
]
