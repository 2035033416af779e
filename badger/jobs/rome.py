"""ROME codes: the format check and a small list of common jobs for the demo and the offer
form (labels as the ROME names them; no network at run time). ISCO-08 unit groups seen in
job boards' ``occupationalCategory`` map to the nearest ROME code of the list."""

from __future__ import annotations

import re

ROME_RE = re.compile(r"^[A-N]\d{4}$")

COMMON: dict[str, str] = {
    "A1203": "Aménagement et entretien des espaces verts",
    "D1106": "Vente en alimentation",
    "D1505": "Personnel de caisse",
    "D1507": "Mise en rayon libre-service",
    "F1602": "Électricité bâtiment",
    "F1703": "Maçonnerie",
    "G1501": "Personnel d'étage",
    "G1602": "Personnel de cuisine",
    "G1603": "Personnel polyvalent en restauration",
    "G1803": "Service en restauration",
    "H3302": "Opérations manuelles d'assemblage, tri ou emballage",
    "I1203": "Maintenance des bâtiments et des locaux",
    "J1501": "Soins d'hygiène, de confort du patient",
    "K1302": "Assistance auprès d'adultes",
    "K1304": "Services domestiques",
    "K2204": "Nettoyage de locaux",
    "K2303": "Nettoyage des espaces urbains",
    "N1103": "Magasinage et préparation de commandes",
    "N1105": "Manutention manuelle de charges",
    "N4105": "Conduite et livraison par tournées sur courte distance",
}

ISCO_TO_ROME: dict[str, str] = {
    "9112": "K2204", "5120": "G1602", "9412": "G1603", "5131": "G1803", "4321": "N1103",
    "9333": "N1105", "5223": "D1106", "5230": "D1505", "6113": "A1203", "7112": "F1703",
    "7411": "F1602", "8322": "N4105", "9111": "K1304", "5322": "K1302", "9329": "H3302",
}


def valid(code: str) -> bool:
    return bool(ROME_RE.match(code))


def from_category(value: str) -> str | None:
    """A ROME code from an ``occupationalCategory`` (a ROME code, or an ISCO-08 code)."""
    for token in re.findall(r"[A-Za-z0-9]+", value or "")[:20]:
        if valid(token.upper()):
            return token.upper()
        if token in ISCO_TO_ROME:
            return ISCO_TO_ROME[token]
    return None


def label(code: str | None) -> str:
    return COMMON.get(code or "", "")
