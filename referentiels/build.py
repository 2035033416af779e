"""Build the référentiels badger ships, as CASE 1.0 CFPackages, from ../shared/referentiels.

Run from the project root:  .venv/bin/python referentiels/build.py [SHARED_DIR]

Reads the compact seed data (``shared/referentiels/data/*.json``) at build time only; the
application reads the JSON files written next to this script, never ``shared/``. Only sourced
text is used: where no public definition exists an item carries its label alone, and the
provenance is written in the CFDocument ``notes`` and in each item's ``notes``. The 0–5 level
names come from badger itself and the rubric says so. Output is deterministic (fixed
timestamps, UUIDv5 identifiers), so re-running it changes nothing unless the inputs changed.
badger's own translations (en, ar, uk) of the APELS and France Travail items come from
``translations/*.json`` next to this script (see PROVENANCE.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from badger.referentiels import case  # noqa: E402
from badger.referentiels.case import (  # noqa: E402
    Criterion,
    ExternalLink,
    Framework,
    Item,
    LevelText,
    License,
    Rubric,
    Translation,
)

OUT = Path(__file__).resolve().parent
TRANSLATIONS = OUT / "translations"
BUILD_TS = "2026-11-26T00:00:00+00:00"
BASE_URL = "https://badger.example.org"
PUBLISHER = "badger (mise au format CASE)"
LICENCE_OUVERTE = License(
    "Licence Ouverte / Open Licence (Etalab)",
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "Licence Ouverte / Open Licence version 2.0 (Etalab).",
)
EC_REUSE = License(
    "Politique de réutilisation de la Commission européenne",
    "https://eur-lex.europa.eu/eli/dec/2011/833/oj",
    "Décision 2011/833/UE de la Commission relative à la réutilisation des documents de la "
    "Commission (ESCO, DigComp).",
)
REPORT = (
    "« Du repérage à l'emploi durable — Rapport d'analyse des pratiques au service des parcours "
    "intégrés dans le cadre des appels à projets 100 % Inclusion et Intégration Professionnelle "
    "des Réfugiés », ministère du Travail, DGEFP, exemple 16"
)

# badger's own pictograms (static/pictograms/), chosen by badger, not by the frameworks.
APELS_PICTOGRAMS = {
    "Assiduité": "calendar",
    "Ponctualité": "clock",
    "Fiabilité": "check",
    "Respect des autres": "handshake",
    "Respect des règles": "shield",
    "Respect de l'environnement": "leaf",
    "Hygiène de vie": "heart",
    "Posture / Dynamisme": "posture",
    "Capacités Physiques": "dumbbell",
    "Connaissance de soi": "person",
    "Estime de soi": "star",
    "Goût de l'effort": "flame",
    "Prise de risque": "lightning",
    "Détermination / Persévérance": "mountain",
    "Gestion du stress": "wave",
    "Maîtrise de soi / Prise de recul": "pause",
    "Expression de soi (verbale et non verbale)": "megaphone",
}
FT_PICTOGRAMS = {
    "Gestion du stress": "wave",
    "Gérer son stress": "wave",
    "Travail en équipe": "team",
    "Travailler en équipe": "team",
    "Persévérance": "mountain",
    "Faire preuve de persévérance": "mountain",
    "Sens de la communication": "speech",
    "Être à l'écoute, faire preuve d'empathie": "speech",
    "Rigueur": "check",
    "Faire preuve de rigueur et de précision": "check",
    "Sens de l'organisation": "calendar",
    "Organiser son travail selon les priorités et les objectifs": "calendar",
    "Réactivité": "lightning",
    "Faire preuve de réactivité": "lightning",
    "Capacité de décision": "target",
    "Prise de recul": "pause",
}


# The other shipped competences, by (référentiel key, code): OpenMoji pictures (CC BY-SA 4.0,
# copied by import_openmoji.py) or badger's own; every shipped competence has one (tested).
CODE_PICTOGRAMS = {
    "france-travail-savoir-etre-2018": {
        "FT18-01": "adapt", "FT18-06": "rally", "FT18-07": "idea", "FT18-08": "magnifier",
        "FT18-11": "walking",
    },
    "france-travail-rome4-savoir-etre": {
        "ROME4-SE-02": "magnifier", "ROME4-SE-03": "flag", "ROME4-SE-07": "walking",
        "ROME4-SE-08": "adapt", "ROME4-SE-09": "idea", "ROME4-SE-13": "compass",
        "ROME4-SE-14": "service", "ROME4-SE-15": "commitment", "ROME4-SE-16": "palette",
    },
    "clea": {
        "CléA-1": "speaking", "CléA-2": "abacus", "CléA-3": "laptop", "CléA-4": "team",
        "CléA-5": "target", "CléA-6": "books", "CléA-7": "helmet",
    },
    "rectec": {
        "RECTEC-ORG-1": "calendar", "RECTEC-ORG-2": "rules", "RECTEC-ORG-3": "team",
        "RECTEC-ORG-4": "abacus", "RECTEC-COM-1": "speaking", "RECTEC-COM-2": "writing",
        "RECTEC-COM-3": "greeting", "RECTEC-COM-4": "laptop", "RECTEC-RVA-1": "folders",
        "RECTEC-RVA-2": "umbrella", "RECTEC-RVP-1": "ladder", "RECTEC-RVP-2": "books",
    },
    "pix-crcn": {
        "1.1": "magnifier", "1.2": "folders", "1.3": "chart", "2.1": "speech", "2.2": "share",
        "2.3": "team", "2.4": "globe", "3.1": "writing", "3.2": "camera", "3.3": "adapt",
        "3.4": "keyboard", "4.1": "lock", "4.2": "privacy", "4.3": "heart", "5.1": "wrench",
        "5.2": "toolbox",
    },
    "digcomp-2-2": {
        "1.1": "magnifier", "1.2": "scales", "1.3": "folders", "2.1": "speech", "2.2": "share",
        "2.3": "ballot", "2.4": "team", "2.5": "greeting", "2.6": "id-card", "3.1": "writing",
        "3.2": "puzzle", "3.3": "copyright", "3.4": "keyboard", "4.1": "lock", "4.2": "privacy",
        "4.3": "heart", "4.4": "leaf", "5.1": "wrench", "5.2": "toolbox", "5.3": "palette",
        "5.4": "progress",
    },
    "normandie-badge-competences": {
        "NBC-ORG": "calendar", "NBC-ADA": "adapt", "NBC-COM": "speech", "NBC-INT": "rally",
    },
}


def give_pictograms(fw: Framework) -> Framework:
    """Every competence of ``fw`` gets its pictogram (the label tables above, then the codes)."""
    by_code = CODE_PICTOGRAMS.get(fw.key, {})
    for it in fw.competences:
        it.pictogram = it.pictogram or by_code[it.code]
    return fw


def framework(key: str, **kw: Any) -> Framework:
    fw = Framework(
        identifier=case.stable_id(key, "1", "document"),
        key=key,
        version="1",
        publisher=PUBLISHER,
        adoption_status="Published",
        last_change=BUILD_TS,
        base_url=BASE_URL,
        **kw,
    )
    return fw


def add_item(fw: Framework, code: str, label: str, **kw: Any) -> Item:
    parent = kw.pop("parent", None)
    siblings = sum(1 for it in fw.items if it.parent == parent)
    it = Item(
        identifier=fw.item_id_for(code),
        code=code,
        label=label,
        parent=parent,
        position=siblings + 1,
        language=fw.language,
        last_change=BUILD_TS,
        **kw,
    )
    fw.items.append(it)
    return it


def official_scale(
    fw: Framework, slug: str, title: str, description: str,
    levels: list[tuple[int, str, str]], items: list[Item] | None = None,
) -> None:
    """Attach a publisher's own scale as a separate rubric, never squeezed into 0–5."""
    rubric = Rubric(
        identifier=case.stable_id(fw.key, fw.version, "rubric", slug),
        title=title,
        description=description,
        last_change=BUILD_TS,
    )
    for it in items if items is not None else fw.competences:
        rubric.criteria.append(
            Criterion(it.identifier, [LevelText(float(s), q, d) for s, q, d in levels])
        )
    fw.rubrics.append(rubric)


def badger_scale(fw: Framework, note: str = "") -> None:
    r = case.add_badger_scale(fw)
    r.last_change = BUILD_TS
    if note:
        r.description += " " + note


def translate(fw: Framework) -> None:
    """Add badger's translations (translations/<key>.json) to the competences of ``fw``: label,
    the definition only where the French one exists, and badger's 0–5 level names
    (``case.BADGER_SCALE_NAMES``). Refuses a translation whose French source text is not the
    item's text any more, or that invents a definition the source does not have (PROVENANCE.md:
    only sourced text)."""
    data = json.loads((TRANSLATIONS / f"{fw.key}.json").read_text("utf-8"))["items"]
    names = case.BADGER_SCALE_NAMES
    by_code = {it.code: it for it in fw.competences}
    if set(data) != set(by_code):
        raise SystemExit(f"translations/{fw.key}.json: codes differ from the items "
                         f"({sorted(set(data) ^ set(by_code))})")
    for code, entry in data.items():
        it = by_code[code]
        source = entry["fr"]
        if (source["label"], source.get("description", "")) != (it.label, it.description):
            raise SystemExit(f"translations/{fw.key}.json: {code} translates another text")
        for lang in sorted(entry):
            if lang == "fr":
                continue
            tr = entry[lang]
            if bool(tr.get("description")) != bool(it.description):
                raise SystemExit(f"translations/{fw.key}.json: {code}@{lang} definition")
            it.translations[lang] = Translation(
                label=tr["label"],
                description=tr.get("description", ""),
                levels=[LevelText(float(score), names[lang][score]) for score, _ in
                        case.BADGER_SCALE],
            )


def apels(shared: Path) -> Framework:
    data = json.loads((shared / "data/apels-grid.json").read_text("utf-8"))
    fw = framework(
        "apels-sport",
        title="Grille des savoir-être par le sport (APELS)",
        creator="APELS — Agence pour l'éducation par le sport",
        description=(
            "Les 17 axes de la toile d'araignée de compétences utilisée par l'association APELS "
            "tout au long du parcours, telle que citée dans un rapport du ministère du Travail."
        ),
        official_source_url="https://apels.org/?p=9146",
        notes=(
            f"Intitulés des 17 axes : APELS, cités dans {REPORT}. Le rapport indique que chaque "
            "axe est évalué sur une échelle de 0 à 5. Aucune définition publique des axes ni des "
            "niveaux n'a été trouvée : chaque compétence porte son seul intitulé. Les intitulés "
            "des niveaux 0 à 5 sont ceux de badger. Pictogrammes : badger. Conditions de "
            "réutilisation à obtenir auprès d'APELS."
        ),
    )
    for n, label in enumerate(data["items"], 1):
        add_item(fw, f"APELS-{n:02d}", label, pictogram=APELS_PICTOGRAMS[label])
    badger_scale(
        fw, "Le rapport cité indique une échelle de 0 à 5 ; ses intitulés ne sont pas publics."
    )
    translate(fw)
    return fw


def france_travail(shared: Path) -> list[Framework]:
    data = json.loads((shared / "data/france-travail-savoir-etre.json").read_text("utf-8"))
    a, b = data["A_2018_list_of_14"], data["B_ROME_4_0"]
    def_note = (
        "Définition : France Travail, API Offres d'emploi (champ "
        "qualitesProfessionnelles[].description), telle que relevée dans des réponses réelles."
    )
    fw18 = framework(
        "france-travail-savoir-etre-2018",
        title="Savoir-être professionnels — liste Pôle emploi de 2018 (14)",
        creator="Pôle emploi (aujourd'hui France Travail)",
        description=(
            "Référentiel de 14 savoir-être professionnels bâti par Pôle emploi sur l'analyse de "
            "4 millions d'offres d'emploi, utilisé dans les offres et le profil de compétences "
            "avant le ROME 4.0. Ne pas mélanger avec la liste ROME 4.0 dans une même grille."
        ),
        notes=(
            "Liste : rebondir.cosavostra.com (deux articles citant pole-emploi.fr) et "
            "media-pole.com. Définitions : uniquement pour 6 des 14, reprises mot pour mot de "
            "l'API Offres d'emploi ; les 8 autres portent leur seul intitulé. Aucun code officiel. "
            "Niveaux 0 à 5 : badger. " + a["source_for_list"]
        ),
    )
    for n, row in enumerate(a["items"], 1):
        add_item(
            fw18, f"FT18-{n:02d}", row["label"],
            description=row["definition_fr"] or "",
            notes=def_note if row["definition_fr"] else "",
            pictogram=FT_PICTOGRAMS.get(row["label"]),
        )
    badger_scale(fw18)
    translate(fw18)

    fw4 = framework(
        "france-travail-rome4-savoir-etre",
        title="Savoir-être professionnels — ROME 4.0 (16)",
        creator="France Travail",
        description=(
            "Les savoir-être professionnels du ROME 4.0 (en service depuis le 20 mars 2023), "
            "formulés « Faire preuve de … ». Ne pas mélanger avec la liste de 2018."
        ),
        official_source_url=(
            "https://www.data.gouv.fr/fr/datasets/repertoire-operationnel-des-metiers-et-des-emplois-rome/"
        ),
        license=LICENCE_OUVERTE,
        notes=(
            "NON VÉRIFIÉ contre les données officielles : liste de 16 telle que reproduite par des "
            "dépôts tiers ; à confirmer avec les données ouvertes ROME 4.0 (data.gouv.fr, Licence "
            "Ouverte) et à compléter des codes code_ogr, non récupérés. Définitions : 5 des 16, "
            "relevées mot pour mot dans des réponses de l'API ; les autres portent leur seul "
            "intitulé. Niveaux 0 à 5 : badger. " + b["source_for_list"]
        ),
    )
    for n, row in enumerate(b["items"], 1):
        notes = (
            "Définition : France Travail, relevée mot pour mot dans des réponses de l'API."
            if row["definition_fr"] else ""
        )
        if "empathie" in row["label"]:
            notes = "Intitulé vu avec et sans « , faire preuve d'empathie »."
        add_item(
            fw4, f"ROME4-SE-{n:02d}", row["label"],
            description=row["definition_fr"] or "",
            notes=notes,
            pictogram=FT_PICTOGRAMS.get(row["label"]),
        )
    badger_scale(fw4)
    translate(fw4)
    return [fw18, fw4]


def clea(shared: Path) -> Framework:
    data = json.loads((shared / "data/clea.json").read_text("utf-8"))
    fw = framework(
        "clea",
        title="CléA — Socle de connaissances et de compétences professionnelles (7 domaines)",
        creator="Certif Pro (ex-COPANEF), partenaires sociaux",
        description=(
            "Les 7 domaines du socle CléA (Code du travail, art. D6113-1 et suivants). Le "
            "référentiel complet compte 28 sous-domaines et 106 critères d'évaluation, non "
            "repris ici."
        ),
        official_source_url="https://certificat-clea.fr/le-dispositif-clea/le-referentiel",
        notes=(
            "Intitulés des domaines : service-public.fr, fiche F32704 (DILA). Structure "
            "(7 domaines, "
            "28 sous-domaines, 106 critères) : certificat-clea.fr et aksis.fr. Sous-domaines et "
            "critères non repris faute de source officielle complète ; aucune définition. "
            "Redistribution à confirmer auprès de Certif Pro. Niveaux 0 à 5 : badger (CléA "
            "certifie sans échelle de niveaux)."
        ),
    )
    for d in data["domains_verified"]:
        add_item(fw, f"CléA-{d['n']}", d["label"])
    badger_scale(fw)
    return fw


def rectec(shared: Path) -> Framework:
    data = json.loads((shared / "data/rectec.json").read_text("utf-8"))
    fw = framework(
        "rectec",
        title="RECTEC — Reconnaître les compétences transversales (12 compétences, 4 pôles)",
        creator="Projet Erasmus+ RECTEC, coordonné par le GIP-FCIP de l'académie de Versailles",
        description=(
            "12 compétences transversales en lien avec l'employabilité et les certifications, en "
            "4 pôles ; chaque compétence se gradue en 4 degrés correspondant aux niveaux 1 à 4 du "
            "CEC (RECTEC+ étend aux niveaux 5 à 8)."
        ),
        official_source_url=(
            "https://rectec.ac-versailles.fr/le-projet-rectec-un-nouvel-outil-pour-evaluer-les-competences-transversales/"
        ),
        notes=(
            "Intitulés et structure : c2rp.fr, cri-auvergne.org, pedagogie.ac-nantes.fr, "
            "rectec.ac-versailles.fr (concordants). Libellés exacts à vérifier dans le Guide "
            "pratique RECTEC. Descripteurs des degrés non récupérés (licence du guide inconnue) : "
            "les degrés portent leur seul numéro. Selon c2rp, les 10 premières compétences se "
            "gradent sur CEC 1 à 4, les 2 dernières suivent des logiques personnelles : elles "
            "n'ont pas de critère dans l'échelle des degrés. Niveaux 0 à 5 : badger. Sources : "
            + " ; ".join(data["sources"])
        ),
    )
    pole_codes = ["ORG", "COM", "RVA", "RVP"]
    graded: list[Item] = []
    for pcode, pole in zip(pole_codes, data["poles"], strict=True):
        cat = add_item(fw, f"RECTEC-{pcode}", f"Pôle {pole['pole'].lower()}", kind="category")
        for n, label in enumerate(pole["competences"], 1):
            it = add_item(fw, f"RECTEC-{pcode}-{n}", label, parent=cat.identifier)
            if pcode != "RVP":
                graded.append(it)
    badger_scale(fw)
    official_scale(
        fw, "degres-cec-1-4", "Degrés RECTEC (niveaux CEC 1 à 4)",
        "Échelle officielle RECTEC : 4 degrés calés sur l'autonomie et la responsabilité des "
        "niveaux 1 à 4 du Cadre européen des certifications. Descripteurs non repris (Guide "
        "pratique RECTEC).",
        [(n, f"Degré {n} (CEC {n})", "") for n in range(1, 5)],
        graded,
    )
    return fw


def pix(shared: Path) -> Framework:
    data = json.loads((shared / "data/pix-crcn.json").read_text("utf-8"))
    fw = framework(
        "pix-crcn",
        title="CRCN — Cadre de référence des compétences numériques (Pix)",
        creator="Ministère de l'Éducation nationale (décret n° 2019-919 du 30 août 2019)",
        description=(
            "16 compétences numériques en 5 domaines et 8 niveaux de maîtrise (Code de "
            "l'éducation, art. D121-1 et annexe), évaluées et certifiées par Pix."
        ),
        official_source_url="https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000039005162",
        license=LICENCE_OUVERTE,
        notes=(
            "Intitulés et codes : décret n° 2019-919 et Pix (1024pix/pix). Identifiants Pix : "
            "migration knex du dépôt 1024pix/pix (correspondances « pix »). Descriptions reprises "
            "de l'annexe du décret pour 1.1, 1.2, 1.3 et 2.1 seulement ; les autres compétences "
            "portent leur seul intitulé. 5.2 : intitulé Pix « Construire un environnement "
            "numérique » (la formulation du décret n'a pas été vérifiée). Niveaux 1 à 3 : "
            "descripteurs du CRCN cités par disciplines.ac-toulouse.fr ; niveaux 4 à 8 : "
            "descripteurs non récupérés. Niveaux 0 à 5 : badger."
        ),
    )
    for area in data["areas"]:
        notes = ""
        if area["label_pix"] != area["label_crcn"]:
            notes = f"Intitulé Pix : « {area['label_pix']} »."
        cat = add_item(fw, area["code"], area["label_crcn"], kind="category", notes=notes)
        if area.get("pix_id"):
            cat.links.append(ExternalLink("pix", f"urn:pix:area:{area['pix_id']}", area["pix_id"],
                                          area["label_pix"]))
        for c in area["competences"]:
            label = c["label_crcn"]
            notes = ""
            if "UNVERIFIED" in label:
                label = c["label_pix"]
                notes = "Intitulé Pix ; la formulation du décret n'a pas été vérifiée."
            if c["description_crcn_fr"]:
                notes = (notes + " " if notes else "") + (
                    "Description : annexe du décret n° 2019-919 "
                    "(art. D121-1 du Code de l'éducation)."
                )
            it = add_item(fw, c["code"], label, parent=cat.identifier,
                          description=c["description_crcn_fr"] or "", notes=notes)
            it.links.append(ExternalLink("pix", f"urn:pix:competence:{c['pix_id']}", c["pix_id"],
                                         c["label_pix"]))
    badger_scale(fw)
    levels = []
    for lv in data["levels_crcn"]:
        band = lv["band"] if "UNVERIFIED" not in lv["band"] else ""
        quality = f"Niveau {lv['level']}" + (f" — {band}" if band else "")
        desc = (lv["descriptor_fr"] or "").rstrip(" ;")
        levels.append((lv["level"], quality, desc))
    official_scale(
        fw, "crcn-1-8", "Niveaux de maîtrise du CRCN (1 à 8)",
        "Échelle officielle du CRCN (8 niveaux). Descripteurs des niveaux 1 à 3 : CRCN cité par "
        "disciplines.ac-toulouse.fr ; niveaux 4 à 8 non récupérés ; noms des paliers 5 à 8 non "
        "vérifiés, donc omis.",
        levels,
    )
    return fw


def digcomp(shared: Path) -> Framework:
    data = json.loads((shared / "data/digcomp-2.2.json").read_text("utf-8"))
    fw = framework(
        "digcomp-2-2",
        title="DigComp 2.2 — The Digital Competence Framework for Citizens",
        creator="European Commission, Joint Research Centre (Vuorikari, Kluzer & Punie)",
        language="en",
        description=(
            "5 competence areas, 21 competences and 8 proficiency levels (JRC128415, March 2022). "
            "Each competence is linked to its ESCO transversal skill."
        ),
        official_source_url="https://publications.jrc.ec.europa.eu/repository/handle/JRC128415",
        license=EC_REUSE,
        notes=(
            "Titres : DigComp 2.1/2.2 tels que publiés (1.1 à 2.4 recoupés avec STEAM-C3T "
            "docs/competence-map.md ; à vérifier contre JRC128415). Descriptions et URI : ESCO "
            "v1.1.x (instantané de décembre 2022, transversalSkillsCollection_en.csv), © Union "
            "européenne. Correspondance par intitulé ; 3.4 renvoie au concept de connaissance ESCO "
            "« computer programming » (correspondance isRelatedTo, sans description). Paliers des "
            "niveaux : digital-youth.eu et Encode-guidelines docs/digcomp.md ; aucun descripteur. "
            "Niveaux 0 à 5 : badger. Pas de libellés français (à prendre du CSV ESCO fr)."
        ),
    )
    for area in data["areas"]:
        cat = add_item(fw, area["code"], area["title_en"], kind="category")
        for c in area["competences"]:
            exact = c["code"] != "3.4"
            it = add_item(
                fw, c["code"], c["title_en"], parent=cat.identifier,
                description=c["esco_description_en"] if exact else "",
                notes=(f"Description: ESCO skill {c['esco_uri']} (© European Union)." if exact
                       else "ESCO match judged by label (knowledge concept), to verify."),
            )
            it.links.append(ExternalLink("esco", c["esco_uri"], c["esco_uri"].rsplit("/", 1)[-1],
                                         c["esco_preferredLabel"], exact=exact))
    badger_scale(fw)
    official_scale(
        fw, "digcomp-1-8", "DigComp proficiency levels (1–8)",
        "Official DigComp scale: 8 proficiency levels in 4 bands. Band names only; no level "
        "descriptors shipped.",
        [(lv["level"], f"{lv['level']} — {lv['band']}", "") for lv in data["proficiency_levels"]],
    )
    return fw


def normandie(shared: Path) -> Framework:
    data = json.loads((shared / "data/normandie-badges.json").read_text("utf-8"))
    fw = framework(
        "normandie-badge-competences",
        title="La Normandie badge les compétences — compétences informelles",
        creator="Région Normandie (réseau « Badgeons la Normandie »)",
        description=(
            "Les 4 compétences informelles des badges clés régionaux, chacune en 2 niveaux "
            "(« je pratique », « je maîtrise ») ; un badge « général » atteste au moins 3 des 4."
        ),
        official_source_url=data["sources"][0],
        notes=(
            "Intitulés et niveaux : presse (lagazettefrance.fr, banquedesterritoires.fr, "
            "aefinfo.fr), lancement le 21 novembre 2022 avec Reconnaître – Open Recognition "
            "Alliance. Critères et définitions non publics (plateforme d'émission) : intitulés "
            "seuls. Niveaux 0 à 5 : badger ; les 2 niveaux régionaux forment une échelle à part."
        ),
    )
    for code, label in zip(["ORG", "ADA", "COM", "INT"], data["competences"], strict=True):
        add_item(fw, f"NBC-{code}", label)
    badger_scale(fw)
    official_scale(
        fw, "niveaux-regionaux", "Niveaux des badges régionaux (2)",
        "Échelle officielle des badges clés normands : 2 niveaux, sans descripteur public.",
        [(n, q, "") for n, q in enumerate(data["levels"], 1)],
    )
    return fw


def build(shared: Path) -> list[Framework]:
    return [give_pictograms(fw) for fw in (
        apels(shared), *france_travail(shared), clea(shared), rectec(shared), pix(shared),
        digcomp(shared), normandie(shared))]


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "referentiels"
    for fw in build(shared):
        pkg = case.to_package(fw)
        errors = case.schema_errors(pkg)
        if errors:
            raise SystemExit(f"{fw.key}: {errors[:5]}")
        case.parse_package(case.dumps(pkg))  # domain checks
        path = OUT / f"{fw.key}.json"
        path.write_text(case.dumps(pkg), encoding="utf-8")
        print(f"{path.name}: {len(fw.competences)} compétences, {len(fw.rubrics)} échelles")


if __name__ == "__main__":
    main()
