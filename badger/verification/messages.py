"""Plain words for verification results (FALC style: short sentences, one idea each).

Why here: :mod:`badger.ob3` reports each check with a stable ``name`` and ``code`` and an
English technical message. People see the text below instead, chosen by ``(name, code)`` and
falling back to ``(name, state)``; the technical message stays available under "details".
Message ids are French (the product's first language); English comes from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from badger.ob3 import VerificationReport

#: Title of each step, shown before its sentence.
STEP_TITLES: dict[str, Any] = {
    "extraction": _l("Lecture du fichier"),
    "format": _l("Format du badge"),
    "subject": _l("Personne qui a reçu le badge"),
    "schema": _l("Structure du badge"),
    "jsonld": _l("Vocabulaire du badge"),
    "proof": _l("Signature numérique"),
    "issuer_binding": _l("Lien entre la signature et l'organisme"),
    "jwt_claims": _l("Informations de la signature"),
    "validity": _l("Dates de validité"),
    "status": _l("Retrait du badge"),
    "recipient": _l("Personne qui a reçu le badge"),
    "endorsements": _l("Recommandations"),
}

#: Precise sentences by (step, code).
BY_CODE: dict[tuple[str, str], Any] = {
    ("extraction", "json_object"): _l("Le badge a bien été lu."),
    ("extraction", "json"): _l("Le badge a bien été lu."),
    ("extraction", "jwt"): _l("Le badge signé a bien été lu."),
    ("extraction", "too_large"): _l("Le fichier est trop gros pour être un badge."),
    ("extraction", "bad_image"): _l("L'image est abîmée ou n'est pas une image de badge."),
    ("extraction", "not_baked"): _l("L'image ne contient pas de badge."),
    ("extraction", "not_utf8"): _l("Le fichier n'est pas un texte lisible."),
    ("extraction", "bad_json"): _l("Le texte est mal formé. Ce n'est pas un badge lisible."),
    ("extraction", "not_found"): _l("Aucun badge n'a été trouvé dans ce que vous avez donné."),
    ("format", "bad_context"): _l("Ce n'est pas un badge numérique au format reconnu."),
    ("format", "bad_type"): _l("Ce document n'est pas un badge Open Badges."),
    ("format", "no_ob_context"): _l("Ce document n'est pas un badge Open Badges 3.0."),
    ("format", "ob_context_variant"): _l("Le badge utilise une autre version d'Open Badges 3.0."),
    ("format", "vc20"): _l("C'est un badge Open Badges 3.0."),
    ("format", "vc11"): _l("C'est un badge Open Badges 3.0 (ancien format 1.1)."),
    ("subject", "no_recipient"): _l("Le badge ne dit pas à qui il a été donné."),
    ("schema", "schema_valid"): _l("Le badge est bien construit."),
    ("schema", "schema_tolerant_only"): _l("Le badge est bien construit, avec de petits écarts."),
    ("schema", "schema_invalid"): _l("Le badge est mal construit."),
    ("schema", "schema_not_applicable"): _l(
        "Ancien format : la structure n'a pas pu être comparée au modèle."
    ),
    ("jsonld", "ok"): _l("Tous les mots du badge sont connus."),
    ("jsonld", "undefined_terms"): _l(
        "Le badge contient des informations non protégées par la signature."
    ),
    ("jsonld", "unknown_context"): _l("Le badge utilise un vocabulaire inconnu."),
    ("jsonld", "jsonld_error"): _l("Le vocabulaire du badge est mal formé."),
    ("proof", "proof_valid"): _l("La signature est bonne. Le badge n'a pas été modifié."),
    ("proof", "jwt_valid"): _l("La signature est bonne. Le badge n'a pas été modifié."),
    ("proof", "proof_missing"): _l("Le badge n'a pas de signature."),
    ("proof", "signature_invalid"): _l(
        "La signature ne correspond pas. Le badge a été modifié ou signé par quelqu'un d'autre."
    ),
    ("proof", "key_unresolved"): _l(
        "La clé de l'organisme n'a pas pu être lue. Réessayez plus tard."
    ),
    ("proof", "key_rejected"): _l("La clé utilisée pour signer n'est pas acceptée."),
    ("proof", "controller_mismatch"): _l("La clé qui a signé n'appartient pas à l'organisme."),
    ("proof", "proof_unsupported"): _l("Ce type de signature n'est pas pris en charge."),
    ("proof", "expired"): _l("La date de fin du badge est passée."),
    ("proof", "not_yet_valid"): _l("Le badge n'est pas encore valable."),
    ("issuer_binding", "controller_matches"): _l("La signature vient bien de l'organisme."),
    ("issuer_binding", "did_matches"): _l("La signature vient bien de l'organisme."),
    ("issuer_binding", "kid_authority"): _l("La clé est publiée sur le site de l'organisme."),
    ("issuer_binding", "jwk_in_issuer_jwks"): _l("La clé est publiée sur le site de l'organisme."),
    ("issuer_binding", "controller_mismatch"): _l(
        "La signature ne vient pas de l'organisme indiqué sur le badge."
    ),
    ("issuer_binding", "key_provenance_unverified"): _l(
        "Nous n'avons pas pu confirmer que la clé appartient à l'organisme."
    ),
    ("validity", "valid"): _l("Le badge est valable aujourd'hui."),
    ("validity", "expired"): _l("Le badge a expiré. Sa date de fin est passée."),
    ("validity", "not_yet_valid"): _l("Le badge n'est pas encore valable."),
    ("validity", "bad_dates"): _l("Les dates du badge sont mal écrites."),
    ("status", "no_status"): _l("L'organisme n'a pas prévu de pouvoir retirer ce badge."),
    ("status", "not_revoked"): _l("L'organisme n'a pas retiré ce badge."),
    ("status", "not_suspended"): _l("L'organisme n'a pas suspendu ce badge."),
    ("status", "revoked"): _l("L'organisme a retiré ce badge. Il ne compte plus."),
    ("status", "suspended"): _l("L'organisme a suspendu ce badge pour le moment."),
    ("status", "list_unreachable"): _l(
        "Nous n'avons pas pu savoir si le badge a été retiré. Réessayez plus tard."
    ),
    ("recipient", "match"): _l("Le badge a bien été donné à cette personne."),
    ("recipient", "mismatch"): _l("Le badge n'a pas été donné à cette personne."),
    ("endorsements", "verified"): _l("Les recommandations sont vérifiées."),
    ("endorsements", "failed"): _l("Une recommandation n'est pas authentique."),
    ("endorsements", "unknown"): _l("Une recommandation n'a pas pu être vérifiée."),
}

#: Fallback sentences by (step, state).
BY_STATE: dict[str, Any] = {
    "passed": _l("Vérifié."),
    "failed": _l("Problème trouvé."),
    "warning": _l("À noter, mais ce n'est pas bloquant."),
    "unknown": _l("Nous n'avons pas pu vérifier ce point."),
}

STATUS_UNKNOWN: Any = _l("Nous n'avons pas pu savoir si le badge a été retiré.")

STATE_LABELS: dict[str, Any] = {
    "passed": _l("Vérifié"),
    "failed": _l("Échec"),
    "warning": _l("À noter"),
    "unknown": _l("Pas pu vérifier"),
}


@dataclass(frozen=True)
class PlainCheck:
    name: str
    state: str
    code: str
    title: str
    text: str
    label: str
    technical: str


@dataclass(frozen=True)
class PlainSummary:
    """What a person should take from the report, first."""

    state: str  # 'verified', 'failed', 'unknown'
    headline: str
    sentence: str
    picto: str  # icon name: check, cross, question
    css: str  # status-ok / status-bad / status-unknown
    reasons: list[str]


#: Translated (title, text, label) by (locale, name, state, code): pages list hundreds of checks.
_TEXTS: dict[tuple[str, str, str, str], tuple[str, str, str]] = {}


def _texts(name: str, state: str, code: str) -> tuple[str, str, str]:
    from flask_babel import get_locale

    key = (str(get_locale() or ""), name, state, code)
    hit = _TEXTS.get(key)
    if hit is None:
        text = BY_CODE.get((name, code))
        if text is None:
            text = STATUS_UNKNOWN if name == "status" and state == "unknown" else BY_STATE[state]
        hit = (
            str(STEP_TITLES.get(name, name)),
            str(text),
            str(STATE_LABELS.get(state, state)),
        )
        if len(_TEXTS) < 10_000:
            _TEXTS[key] = hit
    return hit


def plain_check(name: str, state: str, code: str, technical: str = "") -> PlainCheck:
    title, text, label = _texts(name, state, code)
    return PlainCheck(
        name=name, state=state, code=code, title=title, text=text, label=label, technical=technical
    )


def plain_checks(report: VerificationReport) -> list[PlainCheck]:
    return [plain_check(c.name, c.state, c.code, c.message) for c in report.checks]


def summary(report: VerificationReport, checks: list[PlainCheck] | None = None) -> PlainSummary:
    """The one-glance answer: genuine, not genuine, or could not tell (and why)."""
    checks = checks if checks is not None else plain_checks(report)
    state = report.state
    if state == "verified":
        return PlainSummary(
            "verified",
            str(_l("Badge authentique")),
            str(_l("Ce badge est vrai, il n'a pas été modifié et il est valable aujourd'hui.")),
            "check",
            "status-ok",
            [],
        )
    if state == "failed":
        reasons = [c.text for c in checks if c.state == "failed"]
        revoked_or_expired = any(
            c.code in {"revoked", "suspended", "expired", "not_yet_valid"}
            for c in checks
            if c.state == "failed"
        )
        if revoked_or_expired and not any(
            c.state == "failed" and c.name in {"proof", "issuer_binding", "extraction", "format"}
            for c in checks
        ):
            return PlainSummary(
                "failed",
                str(_l("Badge plus valable")),
                str(_l("Ce badge a été délivré, mais il ne compte plus aujourd'hui.")),
                "cross",
                "status-bad",
                reasons,
            )
        return PlainSummary(
            "failed",
            str(_l("Badge non authentique")),
            str(_l("Ne vous fiez pas à ce badge.")),
            "cross",
            "status-bad",
            reasons,
        )
    reasons = [c.text for c in checks if c.state == "unknown"]
    return PlainSummary(
        "unknown",
        str(_l("Vérification incomplète")),
        str(_l("Nous n'avons pas pu tout vérifier. Réessayez plus tard.")),
        "question",
        "status-unknown",
        reasons,
    )


def plain_report(report: VerificationReport) -> dict[str, Any]:
    """The report with plain sentences added (JSON API ``plain`` member)."""
    s = summary(report)
    return {
        "state": s.state,
        "headline": s.headline,
        "sentence": s.sentence,
        "reasons": s.reasons,
        "checks": [
            {"name": c.name, "state": c.state, "code": c.code, "title": c.title, "text": c.text}
            for c in plain_checks(report)
        ],
    }
