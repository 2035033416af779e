"""Plain words for verification results (FALC style: short sentences, one idea each).

Why here: :mod:`badger.ob3` reports each check with a stable ``name`` and ``code`` and an
English technical message. People see the text below instead, chosen by ``(name, code)`` and
falling back to ``(name, state)``; the technical message stays available under "details".
Message ids are French (the product's first language); English comes from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from badger.awards import HOLDER_ERASED
from badger.ob3 import VerificationReport
from badger.ob3.report import ENDORSEMENT, OPEN_BADGE
from badger.templating import elide
from badger.verification.messages_vc import VC_BY_CODE, VC_STEP_TITLES

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
    "registry": _l("Réseaux reconnus par ce service"),
    **VC_STEP_TITLES,
}

_UNSUPPORTED = _l(
    "La signature utilise une méthode que ce service ne sait pas vérifier. Cela ne veut pas "
    "dire que le document est faux, mais rien n'est prouvé."
)
_MALFORMED = _l("La signature est mal formée : elle ne prouve rien.")
_CLAIMS_MISMATCH = _l(
    "Les informations de la signature ne correspondent pas au document : il a été modifié ou "
    "mal signé."
)
_KEY_NOT_ISSUERS = _l(
    "Rien ne prouve que la clé qui a signé appartient à l'organisme. N'importe qui peut signer "
    "avec sa propre clé."
)

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
    ("extraction", "no_baking"): _l("Ce service ne sait pas lire les images de badge."),
    ("format", "jwt_malformed"): _l("Le badge signé est mal formé. Ce n'est pas un badge lisible."),
    ("format", "bad_context"): _l("Ce n'est pas un badge numérique au format reconnu."),
    ("format", "bad_type"): _l("Ce document n'est pas un badge Open Badges."),
    ("format", "no_ob_context"): _l("Ce document n'est pas un badge Open Badges 3.0."),
    ("format", "ob_context_variant"): _l("Le badge utilise une autre version d'Open Badges 3.0."),
    ("format", "vc20"): _l("C'est un badge Open Badges 3.0."),
    ("format", "vc11"): _l("C'est un badge Open Badges 3.0 (ancien format 1.1)."),
    ("subject", "no_recipient"): _l("Le badge ne dit pas à qui il a été donné."),
    ("schema", "no_schema"): _l("La structure du badge n'a pas pu être vérifiée."),
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
    ("proof", "proof_unsupported"): _UNSUPPORTED,
    ("proof", "jwt_alg_unsupported"): _UNSUPPORTED,
    ("proof", "proof_malformed"): _MALFORMED,
    ("proof", "proof_created"): _MALFORMED,
    ("proof", "proof_purpose"): _MALFORMED,
    ("proof", "key_type"): _MALFORMED,
    ("proof", "undefined_terms"): _MALFORMED,
    ("proof", "jsonld_error"): _MALFORMED,
    ("proof", "jwt_header"): _MALFORMED,
    ("proof", "jwt_malformed"): _MALFORMED,
    ("proof", "jwt_invalid"): _MALFORMED,
    ("proof", "jwt_alg"): _MALFORMED,
    ("proof", "jwt_claims"): _CLAIMS_MISMATCH,
    ("proof", "jwt_claim_iss"): _CLAIMS_MISMATCH,
    ("proof", "jwt_claim_jti"): _CLAIMS_MISMATCH,
    ("proof", "jwt_claim_sub"): _CLAIMS_MISMATCH,
    ("proof", "jwt_claim_nbf"): _CLAIMS_MISMATCH,
    ("proof", "jwt_claim_exp"): _CLAIMS_MISMATCH,
    ("jwt_claims", "jwt_claim_warning"): _l(
        "Un détail de la signature est inhabituel. Cela ne change rien à l'authenticité."
    ),
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
    ("issuer_binding", "jwk_iss_mismatch"): _KEY_NOT_ISSUERS,
    ("issuer_binding", "no_issuer"): _l("Le badge ne dit pas quel organisme l'a donné."),
    ("validity", "valid"): _l("Le badge est valable aujourd'hui."),
    ("validity", "expired"): _l("Le badge a expiré. Sa date de fin est passée."),
    ("validity", "not_yet_valid"): _l("Le badge n'est pas encore valable."),
    ("validity", "bad_dates"): _l("Les dates du badge sont mal écrites."),
    ("status", "no_status"): _l("L'organisme n'a pas prévu de pouvoir retirer ce badge."),
    ("status", "not_revoked"): _l("L'organisme n'a pas retiré ce badge."),
    ("status", "not_suspended"): _l("L'organisme n'a pas suspendu ce badge."),
    ("status", "revoked"): _l("L'organisme a retiré ce badge. Il ne compte plus."),
    ("status", "suspended"): _l("L'organisme a suspendu ce badge pour le moment."),
    ("status", "superseded"): _l(
        "Ce fichier a été remplacé par une nouvelle version du badge. Demandez la nouvelle "
        "version à la personne qui vous l'a montré."
    ),
    ("status", "list_unreachable"): _l(
        "Nous n'avons pas pu savoir si le badge a été retiré. Réessayez plus tard."
    ),
    ("status", "holder_erased"): HOLDER_ERASED,
    ("recipient", "no_recipient"): _l("Le badge ne dit pas à qui il a été donné."),
    ("recipient", "match"): _l("Le badge a bien été donné à cette personne."),
    ("recipient", "mismatch"): _l("Le badge n'a pas été donné à cette personne."),
    ("endorsements", "too_deep"): _l(
        "Des recommandations placées dans d'autres recommandations n'ont pas été vérifiées."
    ),
    ("endorsements", "too_many"): _l(
        "Le badge porte trop de recommandations : seules les premières ont été vérifiées, "
        "les autres ne sont pas montrées."
    ),
    ("endorsements", "verified"): _l("Les recommandations sont vérifiées."),
    ("endorsements", "failed"): _l("Une recommandation n'est pas authentique."),
    ("endorsements", "unknown"): _l("Une recommandation n'a pas pu être vérifiée."),
    ("endorsements", "withdrawn"): _l(
        "Le réseau qui recommandait l'organisme ne le recommande plus. "
        "Le badge, lui, reste authentique."
    ),
    ("registry", "issuer_listed"): _l(
        "L'organisme est inscrit dans un registre que ce service reconnaît."
    ),
    ("registry", "network_listed"): _l(
        "Un réseau qui recommande l'organisme est inscrit dans un registre que ce service "
        "reconnaît."
    ),
    ("registry", "endorser_listed"): _l(
        "Le réseau est inscrit dans un registre que ce service reconnaît."
    ),
    ("registry", "not_listed"): _l(
        "Ni l'organisme ni un réseau qui le recommande ne sont connus de ce service. "
        "Cela ne dit rien contre le badge."
    ),
    ("registry", "registry_unreachable"): _l(
        "Un registre de réseaux n'a pas pu être lu. Réessayez plus tard."
    ),
    **{key: text for key, (_state, text) in VC_BY_CODE.items()},
}

#: Sentences for a (step, code) the verifier reports in more than one state, by
#: (step, state, code): they win over :data:`BY_CODE`.
BY_CODE_AND_STATE: dict[tuple[str, str, str], Any] = {
    ("issuer_binding", "failed", "key_provenance_unverified"): _KEY_NOT_ISSUERS,
    ("issuer_binding", "unknown", "key_provenance_unverified"): _l(
        "Nous n'avons pas pu confirmer que la clé appartient à l'organisme : son site n'a pas "
        "répondu. Réessayez plus tard."
    ),
}

#: The state each sentence of :data:`BY_CODE` (and :data:`ENDORSEMENT_BY_CODE`, same keys) is
#: written for. A check reported in another state never shows it: it gets its
#: :data:`BY_CODE_AND_STATE` sentence, else the plain sentence of its state
#: (``tests/verification/test_messages_states.py`` requires a precise one for every check the
#: verifier can report).
WRITTEN_FOR: dict[tuple[str, str], str] = {
    **dict.fromkeys(
        [
            ("endorsements", "verified"),
            ("extraction", "json"),
            ("extraction", "json_object"),
            ("extraction", "jwt"),
            ("format", "vc11"),
            ("format", "vc20"),
            ("issuer_binding", "controller_matches"),
            ("issuer_binding", "did_matches"),
            ("issuer_binding", "jwk_in_issuer_jwks"),
            ("issuer_binding", "kid_authority"),
            ("jsonld", "ok"),
            ("proof", "jwt_valid"),
            ("proof", "proof_valid"),
            ("recipient", "match"),
            ("registry", "endorser_listed"),
            ("registry", "issuer_listed"),
            ("registry", "network_listed"),
            ("schema", "schema_valid"),
            ("status", "no_status"),
            ("status", "not_revoked"),
            ("status", "not_suspended"),
            ("status", "published"),
            ("validity", "valid"),
        ],
        "passed",
    ),
    **dict.fromkeys(
        [
            ("endorsements", "too_deep"),
            ("endorsements", "too_many"),
            ("endorsements", "unknown"),
            ("endorsements", "withdrawn"),
            ("format", "ob_context_variant"),
            ("jwt_claims", "jwt_claim_warning"),
            ("registry", "not_listed"),
            ("registry", "registry_unreachable"),
            ("schema", "schema_not_applicable"),
            ("schema", "schema_tolerant_only"),
        ],
        "warning",
    ),
    **dict.fromkeys(
        [
            ("extraction", "no_baking"),
            ("issuer_binding", "key_provenance_unverified"),
            ("proof", "jwt_alg_unsupported"),
            ("proof", "key_unresolved"),
            ("proof", "proof_unsupported"),
            ("schema", "no_schema"),
            ("status", "list_unreachable"),
        ],
        "unknown",
    ),
    **dict.fromkeys(
        [
            ("endorsements", "failed"),
            ("extraction", "bad_image"),
            ("extraction", "bad_json"),
            ("extraction", "not_baked"),
            ("extraction", "not_found"),
            ("extraction", "not_utf8"),
            ("extraction", "too_large"),
            ("format", "bad_context"),
            ("format", "bad_type"),
            ("format", "jwt_malformed"),
            ("format", "no_ob_context"),
            ("issuer_binding", "controller_mismatch"),
            ("issuer_binding", "jwk_iss_mismatch"),
            ("issuer_binding", "no_issuer"),
            ("jsonld", "jsonld_error"),
            ("jsonld", "undefined_terms"),
            ("jsonld", "unknown_context"),
            ("proof", "controller_mismatch"),
            ("proof", "expired"),
            ("proof", "jsonld_error"),
            ("proof", "jwt_alg"),
            ("proof", "jwt_claim_exp"),
            ("proof", "jwt_claim_iss"),
            ("proof", "jwt_claim_jti"),
            ("proof", "jwt_claim_nbf"),
            ("proof", "jwt_claim_sub"),
            ("proof", "jwt_claims"),
            ("proof", "jwt_header"),
            ("proof", "jwt_invalid"),
            ("proof", "jwt_malformed"),
            ("proof", "key_rejected"),
            ("proof", "key_type"),
            ("proof", "not_yet_valid"),
            ("proof", "proof_created"),
            ("proof", "proof_malformed"),
            ("proof", "proof_missing"),
            ("proof", "proof_purpose"),
            ("proof", "signature_invalid"),
            ("proof", "undefined_terms"),
            ("recipient", "mismatch"),
            ("recipient", "no_recipient"),
            ("schema", "schema_invalid"),
            ("status", "holder_erased"),
            ("status", "revoked"),
            ("status", "superseded"),
            ("status", "suspended"),
            ("status", "withdrawn"),
            ("subject", "no_recipient"),
            ("validity", "bad_dates"),
            ("validity", "expired"),
            ("validity", "not_yet_valid"),
        ],
        "failed",
    ),
    **{key: state for key, (state, _text) in VC_BY_CODE.items()},
}

#: A bare EndorsementCredential (a network vouching for an organisation): the steps and
#: sentences that would otherwise say "badge". Anything not here falls back to the badge texts.
ENDORSEMENT_STEP_TITLES: dict[str, Any] = {
    "format": _l("Format de la recommandation"),
    "schema": _l("Structure de la recommandation"),
    "jsonld": _l("Vocabulaire de la recommandation"),
    "issuer_binding": _l("Lien entre la signature et l'auteur"),
    "status": _l("Retrait de la recommandation"),
}

_E_READ = _l("La recommandation a bien été lue.")
_E_SIGNED = _l("La signature est bonne. La recommandation n'a pas été modifiée.")
_E_BOUND = _l("La signature vient bien de l'auteur de la recommandation.")
_E_KEY_SITE = _l("La clé est publiée sur le site de l'auteur de la recommandation.")
_E_WITHDRAWN = _l("L'auteur a retiré cette recommandation. Elle ne compte plus.")
_E_EXPIRED = _l("La recommandation a expiré. Sa date de fin est passée.")
_E_NOT_YET = _l("La recommandation n'est pas encore valable.")

ENDORSEMENT_BY_CODE: dict[tuple[str, str], Any] = {
    ("extraction", "json_object"): _E_READ,
    ("extraction", "json"): _E_READ,
    ("extraction", "jwt"): _l("La recommandation signée a bien été lue."),
    ("format", "ob_context_variant"): _l(
        "La recommandation utilise une autre version d'Open Badges 3.0."
    ),
    ("format", "vc20"): _l("C'est une recommandation Open Badges 3.0."),
    ("format", "vc11"): _l("C'est une recommandation Open Badges 3.0 (ancien format 1.1)."),
    ("schema", "schema_valid"): _l("La recommandation est bien construite."),
    ("schema", "schema_invalid"): _l("La recommandation est mal construite."),
    ("jsonld", "ok"): _l("Tous les mots de la recommandation sont connus."),
    ("jsonld", "undefined_terms"): _l(
        "La recommandation contient des informations non protégées par la signature."
    ),
    ("jsonld", "unknown_context"): _l("La recommandation utilise un vocabulaire inconnu."),
    ("jsonld", "jsonld_error"): _l("Le vocabulaire de la recommandation est mal formé."),
    ("proof", "proof_valid"): _E_SIGNED,
    ("proof", "jwt_valid"): _E_SIGNED,
    ("proof", "proof_missing"): _l("La recommandation n'a pas de signature."),
    ("proof", "signature_invalid"): _l(
        "La signature ne correspond pas. "
        "La recommandation a été modifiée ou signée par quelqu'un d'autre."
    ),
    ("proof", "key_unresolved"): _l(
        "La clé de l'auteur de la recommandation n'a pas pu être lue. Réessayez plus tard."
    ),
    ("proof", "controller_mismatch"): _l(
        "La clé qui a signé n'appartient pas à l'auteur de la recommandation."
    ),
    ("proof", "expired"): _E_EXPIRED,
    ("proof", "not_yet_valid"): _E_NOT_YET,
    ("issuer_binding", "controller_matches"): _E_BOUND,
    ("issuer_binding", "did_matches"): _E_BOUND,
    ("issuer_binding", "kid_authority"): _E_KEY_SITE,
    ("issuer_binding", "jwk_in_issuer_jwks"): _E_KEY_SITE,
    ("issuer_binding", "controller_mismatch"): _l(
        "La signature ne vient pas de l'auteur indiqué sur la recommandation."
    ),
    ("issuer_binding", "key_provenance_unverified"): _l(
        "Nous n'avons pas pu confirmer que la clé appartient à l'auteur de la recommandation."
    ),
    ("validity", "valid"): _l("La recommandation est valable aujourd'hui."),
    ("validity", "expired"): _E_EXPIRED,
    ("validity", "not_yet_valid"): _E_NOT_YET,
    ("validity", "bad_dates"): _l("Les dates de la recommandation sont mal écrites."),
    ("status", "no_status"): _l(
        "L'auteur n'a pas prévu de moyen de retirer cette recommandation."
    ),
    ("status", "published"): _l(
        "L'auteur publie toujours cette recommandation : il ne l'a pas retirée."
    ),
    ("status", "withdrawn"): _E_WITHDRAWN,
    ("status", "revoked"): _E_WITHDRAWN,
    ("status", "not_revoked"): _l("L'auteur n'a pas retiré cette recommandation."),
    ("status", "suspended"): _l("L'auteur a suspendu cette recommandation pour le moment."),
    ("status", "not_suspended"): _l("L'auteur n'a pas suspendu cette recommandation."),
    ("status", "list_unreachable"): _l(
        "Nous n'avons pas pu savoir si la recommandation a été retirée. Réessayez plus tard."
    ),
    ("registry", "not_listed"): _l(
        "Ce réseau n'est inscrit dans aucun registre que ce service reconnaît : son nom est "
        "seulement ce qu'il dit de lui-même."
    ),
}

ENDORSEMENT_STATUS_UNKNOWN: Any = _l(
    "Nous n'avons pas pu savoir si la recommandation a été retirée."
)

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
    #: For an endorsement: who recommends whom, in one sentence ("Le réseau X recommande
    #: l'organisme Y."), or that it was withdrawn. None for badges.
    statement: str | None = None
    #: What the document says is proven: genuine (its signature and its issuer's key check),
    #: even if no longer valid (withdrawn, expired). False for a document that is not authentic
    #: or could not be checked: pages then show none of its claims as facts.
    proven: bool = False


#: Translated (title, text, label) by (locale, kind, name, state, code): pages list hundreds of
#: checks.
_TEXTS: dict[tuple[str, str, str, str, str], tuple[str, str, str]] = {}


def _texts(name: str, state: str, code: str, kind: str = OPEN_BADGE) -> tuple[str, str, str]:
    key = (str(get_locale() or ""), kind, name, state, code)
    hit = _TEXTS.get(key)
    if hit is None:
        endorsement = kind == ENDORSEMENT
        text = None
        if WRITTEN_FOR.get((name, code), state) == state:
            text = ENDORSEMENT_BY_CODE.get((name, code)) if endorsement else None
            if text is None:
                text = BY_CODE.get((name, code))
        if text is None:
            text = BY_CODE_AND_STATE.get((name, state, code))
        if text is None:
            unknown = ENDORSEMENT_STATUS_UNKNOWN if endorsement else STATUS_UNKNOWN
            text = unknown if name == "status" and state == "unknown" else BY_STATE[state]
        title = ENDORSEMENT_STEP_TITLES.get(name) if endorsement else None
        hit = (
            str(title or STEP_TITLES.get(name, name)),
            str(text),
            str(STATE_LABELS.get(state, state)),
        )
        if len(_TEXTS) < 10_000:
            _TEXTS[key] = hit
    return hit


def plain_check(
    name: str, state: str, code: str, technical: str = "", kind: str = OPEN_BADGE
) -> PlainCheck:
    title, text, label = _texts(name, state, code, kind)
    return PlainCheck(
        name=name, state=state, code=code, title=title, text=text, label=label, technical=technical
    )


def plain_checks(report: VerificationReport) -> list[PlainCheck]:
    return [plain_check(c.name, c.state, c.code, c.message, report.kind) for c in report.checks]


_NO_LONGER_VALID = {
    "revoked", "suspended", "superseded", "expired", "not_yet_valid", "withdrawn", "holder_erased"
}
_BROKEN_STEPS = {"proof", "issuer_binding", "extraction", "format"}


def _no_longer_valid(checks: list[PlainCheck]) -> bool:
    """Failed only because it was withdrawn or is out of its dates, and genuine otherwise: its
    signature and its issuer's key checked (a document whose signature could not be checked is
    not "issued, no longer valid": nothing says it was issued)."""
    failed = [c for c in checks if c.state == "failed"]
    proven = {c.name for c in checks if c.state == "passed"} >= {"proof", "issuer_binding"}
    return (
        proven
        and bool(failed)
        and all(c.code in _NO_LONGER_VALID and c.name not in _BROKEN_STEPS for c in failed)
    )


def endorsement_statement(report: VerificationReport, about: Any) -> str | None:
    """"Le réseau X recommande l'organisme Y." — only for a verified or withdrawn endorsement
    (a forged one must not be read aloud as a fact). ``about``: its ``Description``."""
    if report.kind != ENDORSEMENT or about is None:
        return None
    status = report.check("status")
    withdrawn = status is not None and status.code in {"withdrawn", "revoked"}
    if not (report.verified or (withdrawn and _no_longer_valid(plain_checks(report)))):
        return None
    endorser = about.issuer_name or about.issuer_id or str(_l("Un auteur inconnu"))
    endorsed = about.endorsed_name or about.endorsed_id or "?"
    network = about.endorser_is_network and not endorser.lower().startswith(
        ("réseau", "reseau", "network")
    )
    if withdrawn:
        if network:
            return elide(str(
                _l(
                    "Le réseau %(endorser)s a retiré sa recommandation de %(endorsed)s.",
                    endorser=endorser,
                    endorsed=endorsed,
                )
            ), endorsed)
        return elide(str(
            _l(
                "%(endorser)s a retiré sa recommandation de %(endorsed)s.",
                endorser=endorser,
                endorsed=endorsed,
            )
        ), endorsed)
    texts = {
        (True, "organisation"): _l(
            "Le réseau %(endorser)s recommande l'organisme %(endorsed)s.",
            endorser=endorser,
            endorsed=endorsed,
        ),
        (False, "organisation"): _l(
            "%(endorser)s recommande l'organisme %(endorsed)s.",
            endorser=endorser,
            endorsed=endorsed,
        ),
        (True, "achievement"): _l(
            "Le réseau %(endorser)s recommande le badge %(endorsed)s.",
            endorser=endorser,
            endorsed=endorsed,
        ),
        (False, "achievement"): _l(
            "%(endorser)s recommande le badge %(endorsed)s.",
            endorser=endorser,
            endorsed=endorsed,
        ),
        (True, None): _l(
            "Le réseau %(endorser)s recommande %(endorsed)s.",
            endorser=endorser,
            endorsed=endorsed,
        ),
        (False, None): _l(
            "%(endorser)s recommande %(endorsed)s.", endorser=endorser, endorsed=endorsed
        ),
    }
    return str(texts[(network, about.endorsed_kind)])


def _endorsement_summary(
    report: VerificationReport, checks: list[PlainCheck], about: Any
) -> PlainSummary:
    state = report.state
    statement = endorsement_statement(report, about)
    if state == "verified":
        return PlainSummary(
            "verified",
            str(_l("Recommandation authentique")),
            str(
                _l(
                    "Cette recommandation est vraie, elle n'a pas été modifiée "
                    "et elle est valable aujourd'hui."
                )
            ),
            "check",
            "status-ok",
            [],
            statement,
            proven=True,
        )
    if state == "failed":
        reasons = [c.text for c in checks if c.state == "failed"]
        if _no_longer_valid(checks):
            return PlainSummary(
                "failed",
                str(_l("Recommandation plus valable")),
                str(_l("Cette recommandation a été donnée, mais elle ne compte plus aujourd'hui.")),
                "cross",
                "status-bad",
                reasons,
                statement,
                proven=True,
            )
        return PlainSummary(
            "failed",
            str(_l("Recommandation non authentique")),
            str(_l("Ne vous fiez pas à cette recommandation.")),
            "cross",
            "status-bad",
            reasons,
        )
    return PlainSummary(
        "unknown",
        str(_l("Vérification incomplète")),
        str(_l("Nous n'avons pas pu tout vérifier. Réessayez plus tard.")),
        "question",
        "status-unknown",
        [c.text for c in checks if c.state == "unknown"],
    )


def summary(
    report: VerificationReport, checks: list[PlainCheck] | None = None, about: Any = None
) -> PlainSummary:
    """The one-glance answer: genuine, not genuine, or could not tell (and why).

    ``about`` (the report's ``Description``) names who recommends whom for an endorsement.
    """
    checks = checks if checks is not None else plain_checks(report)
    if report.kind == ENDORSEMENT:
        return _endorsement_summary(report, checks, about)
    state = report.state
    if state == "verified":
        return PlainSummary(
            "verified",
            str(_l("Badge authentique")),
            str(_l("Ce badge est vrai, il n'a pas été modifié et il est valable aujourd'hui.")),
            "check",
            "status-ok",
            [],
            proven=True,
        )
    if state == "failed":
        reasons = [c.text for c in checks if c.state == "failed"]
        if _no_longer_valid(checks):
            return PlainSummary(
                "failed",
                str(_l("Badge plus valable")),
                str(_l("Ce badge a été délivré, mais il ne compte plus aujourd'hui.")),
                "cross",
                "status-bad",
                reasons,
                proven=True,
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


def plain_report(report: VerificationReport, about: Any = None) -> dict[str, Any]:
    """The report with plain sentences added (JSON API ``plain`` member)."""
    s = summary(report, about=about)
    extra = {"statement": s.statement} if report.kind == ENDORSEMENT else {}
    return {
        "state": s.state,
        "headline": s.headline,
        "sentence": s.sentence,
        **extra,
        "reasons": s.reasons,
        "checks": [
            {"name": c.name, "state": c.state, "code": c.code, "title": c.title, "text": c.text}
            for c in plain_checks(report)
        ],
    }
