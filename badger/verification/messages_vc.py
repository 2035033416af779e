"""Plain words for the checks only the VC-API's other Verifiable Credentials (and proof sets
or chains) bring: the data model, a proof badger cannot check beside a verified one, a broken
proof chain, a status nobody asked for. Merged into :mod:`.messages`' tables."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

#: Titles of the steps only these checks use.
VC_STEP_TITLES: dict[str, Any] = {
    "data_model": _l("Modèle des attestations vérifiables"),
    "proof_set": _l("Autres signatures"),
}

#: Sentences by (step, code), with the state each is written for.
VC_BY_CODE: dict[tuple[str, str], tuple[str, Any]] = {
    ("format", "vc_credential"): (
        "passed", _l("C'est une attestation vérifiable (Verifiable Credential).")
    ),
    ("format", "not_vc"): ("failed", _l("Ce document n'est pas une attestation vérifiable.")),
    ("data_model", "vcdm_valid"): (
        "passed", _l("L'attestation suit le modèle des attestations vérifiables.")
    ),
    ("data_model", "vcdm_invalid"): (
        "failed",
        _l(
            "L'attestation ne suit pas le modèle des attestations vérifiables : elle est mal "
            "construite."
        ),
    ),
    ("proof_set", "proof_unchecked"): (
        "unknown",
        _l(
            "Le document porte aussi une autre signature que ce service ne sait pas vérifier. "
            "La signature de l'organisme est bonne, mais toutes doivent l'être : on ne peut "
            "pas conclure."
        ),
    ),
    ("proof", "previous_proof_missing"): (
        "failed",
        _l(
            "Une signature s'appuie sur une signature précédente qui manque : le document a "
            "été modifié."
        ),
    ),
    ("proof", "previous_proof_invalid"): (
        "failed", _l("Une signature s'appuie sur une signature précédente qui n'est pas bonne.")
    ),
    ("proof", "too_many_proofs"): (
        "failed",
        _l("Le document porte trop de signatures pour être vérifié : ce n'est pas une "
           "attestation ordinaire."),
    ),
    ("status", "not_requested"): (
        "warning", _l("Le retrait éventuel n'a pas été vérifié : la demande ne le demandait pas.")
    ),
}
