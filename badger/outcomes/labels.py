"""How the kinds of exit, contracts, duration classes and statuses read (French message ids)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "employment": _l("Emploi"),
    "training": _l("Formation"),
    "other_support": _l("Autre accompagnement"),
    "no_news": _l("Sans nouvelles"),
}
CONTRACT_LABELS = {
    "cdi": _l("CDI"),
    "cdd": _l("CDD"),
    "interim": _l("Intérim"),
    "insertion": _l("Contrat aidé ou d'insertion"),
    "alternance": _l("Alternance"),
    "independent": _l("Indépendant"),
}
DURATION_LABELS = {
    "lt6": _l("Moins de 6 mois"),
    "ge6": _l("6 mois ou plus"),
    "permanent": _l("Durée indéterminée"),
}
STATUS_LABELS = {
    "in_progress": _l("Parcours en cours"),
    **KIND_LABELS,
    "unrecorded": _l("Sortie non renseignée"),
}
TRAINING_LABELS = {"yes": _l("Qualifiante"), "no": _l("Non qualifiante")}
CONSENT_LABELS = {
    "pending": _l("En attente de l'accord du participant"),
    "given": _l("Accord du participant"),
    "not_needed": _l("Sans objet"),
}


def situation_text(kind: str, contract: str | None, duration: str | None,
                   qualifying: bool | None) -> str:
    """"Emploi — CDI, Durée indéterminée", "Formation — Qualifiante", "Sans nouvelles"."""
    parts = [str(KIND_LABELS.get(kind, kind))]
    if kind == "employment" and contract and duration:
        parts.append(f"{CONTRACT_LABELS[contract]}, {DURATION_LABELS[duration]}")
    if kind == "training" and qualifying is not None:
        parts.append(str(TRAINING_LABELS["yes" if qualifying else "no"]))
    return " — ".join(parts)
