"""W3C VC-API ``/presentations/verify``: a presentation's own proof (when it has one) and
each credential it carries, verified as ``/credentials/verify`` would."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger.errors import UserError
from badger.ob3 import Resolver, VerificationReport, model
from badger.ob3 import presentation as vp_lib
from badger.ob3.jwt import decode_unverified, is_compact_jws
from badger.verification.verifying import VC_API_KINDS, unwrap_enveloped, verify_document

#: Credentials one presentation may carry (each is verified in full).
MAX_PRESENTED_CREDENTIALS = 20


@dataclass
class PresentationOutcome:
    """A VC-API presentation verification: the presentation's own proof (``signed`` False for
    an unsigned one, whose holder nothing proves) and each credential's report."""

    signed: bool = False
    holder: str | None = None
    error: str | None = None
    error_code: str | None = None
    credentials: list[VerificationReport] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """The presentation's proof (when it has one) and every credential verified."""
        return self.error is None and all(r.verified for r in self.credentials)


def _presented_credentials(vp: Mapping[str, Any]) -> list[Any]:
    items = vp.get("verifiableCredential", [])
    return list(items) if isinstance(items, list) else [items]


def verify_presentation(
    presentation: Mapping[str, Any] | str,
    *,
    challenge: str | None,
    domain: str | None,
    resolver: Resolver,
    session: Session | None = None,
    checks: tuple[str, ...] = (),
) -> PresentationOutcome:
    """W3C VC-API ``/presentations/verify``: a JSON-LD presentation (unsigned, or signed with
    proof purpose ``authentication``) or a VP-JWT; a signed one must answer ``challenge`` (and
    ``domain`` when given) — :func:`badger.ob3.presentation.verify_presentation`, whose holder is
    a DID — and each credential it carries (any Verifiable Credential) is verified as
    ``/credentials/verify`` would, with the same ``checks``.

    Raises :class:`UserError` (400) when the request is not a presentation at all."""
    outcome = PresentationOutcome()
    if isinstance(presentation, str):
        if not is_compact_jws(presentation.strip()):
            raise UserError(_l("La présentation n'est ni un objet JSON ni un JWT."), 400)
        try:
            _header, payload = decode_unverified(presentation.strip())
        except ValueError as exc:
            raise UserError(_l("La présentation n'est ni un objet JSON ni un JWT."), 400) from exc
        vp = payload.get("vp")
        if not isinstance(vp, Mapping):
            raise UserError(_l("Ce n'est pas une présentation vérifiable."), 400)
        outcome.signed = True
    else:
        vp = presentation
        contexts = vp.get("@context")
        first = contexts[0] if isinstance(contexts, list) and contexts else contexts
        types = vp.get("type")
        types = types if isinstance(types, list) else [types]
        if first not in (model.VC2_CONTEXT, model.VC1_CONTEXT) or (
            "VerifiablePresentation" not in types
        ):
            raise UserError(_l("Ce n'est pas une présentation vérifiable."), 400)
        outcome.signed = "proof" in vp
    credentials = _presented_credentials(vp)
    if len(credentials) > MAX_PRESENTED_CREDENTIALS:
        raise UserError(_l("La présentation contient trop de badges."), 413)
    if outcome.signed:
        if not challenge:
            outcome.error = "A signed presentation is verified against a challenge: none was given."
            outcome.error_code = "challenge_missing"
        else:
            try:
                outcome.holder = vp_lib.verify_presentation(
                    presentation, challenge=challenge, domain=domain, resolver=resolver,
                    holder_optional=True,
                )
            except vp_lib.PresentationError as exc:
                outcome.error, outcome.error_code = str(exc), exc.code
    for item in credentials:
        item = unwrap_enveloped(item)
        if not isinstance(item, Mapping | str):
            item = ""
        outcome.credentials.append(
            verify_document(item, resolver, session=session, kinds=VC_API_KINDS, checks=checks)
        )
    return outcome
