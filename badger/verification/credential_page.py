"""The human page of a credential at its id (``/credentials/<uuid>``, served by awards) shows
the badge verified now, in plain words, as /verify tells it: awards asks through the hook it
exposes (:func:`badger.awards.views.register_credential_page`), so it never imports
verification."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from badger.awards.models import Credential
from badger.awards.views import register_credential_page
from badger.resolver import app_resolver
from badger.verification.description import report_context
from badger.verification.verifying import verify_document


def credential_check(session: Session, cred: Credential) -> dict[str, Any]:
    """The verification report of one of this server's credentials, as template values."""
    resolver = app_resolver()
    report = verify_document(cred.signed_json or "", resolver, session=session)
    return report_context(report, resolver)


register_credential_page(credential_check)
