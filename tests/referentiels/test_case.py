"""CASE 1.0 parsing, writing and CSV exchange (pure code, no app)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from badger.referentiels import case
from badger.referentiels.case import CaseImportError
from tests._shared import SHARED

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "referentiels").glob("*.json"))


def load(name: str) -> dict:
    return json.loads((ROOT / "referentiels" / name).read_text("utf-8"))


def test_every_shipped_file_is_there() -> None:
    names = {p.stem for p in SHIPPED}
    assert names == {
        "apels-sport", "france-travail-savoir-etre-2018", "france-travail-rome4-savoir-etre",
        "clea", "rectec", "pix-crcn", "digcomp-2-2", "normandie-badge-competences",
    }


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_file_parses_and_round_trips(path: Path) -> None:
    raw = path.read_bytes()
    assert case.schema_errors(json.loads(raw)) == []
    assert case.schema_errors(json.loads(raw), strict=False) == []
    fw = case.parse_package(raw)
    assert fw.competences
    assert fw.notes, "provenance must be in the CFDocument notes"
    assert case.to_package(fw) == json.loads(raw)
    assert case.dumps(case.to_package(fw)).encode() == raw


@pytest.mark.parametrize(
    ("name", "competences", "categories"),
    [
        ("apels-sport.json", 17, 0),
        ("france-travail-savoir-etre-2018.json", 14, 0),
        ("france-travail-rome4-savoir-etre.json", 16, 0),
        ("clea.json", 7, 0),
        ("rectec.json", 12, 4),
        ("pix-crcn.json", 16, 5),
        ("digcomp-2-2.json", 21, 5),
        ("normandie-badge-competences.json", 4, 0),
    ],
)
def test_shipped_structure(name: str, competences: int, categories: int) -> None:
    fw = case.parse_package((ROOT / "referentiels" / name).read_bytes())
    assert len(fw.competences) == competences
    assert len(fw.categories) == categories
    grid = case.grid_rubric(fw)
    assert grid is not None and (grid.scale_min, grid.scale_max) == (0, 5)
    assert "badger" in grid.description  # the 0-5 names are badger's, and say so


def test_official_scales_keep_their_range() -> None:
    def scales(name: str) -> list[tuple[float | None, float | None]]:
        fw = case.parse_package((ROOT / "referentiels" / name).read_bytes())
        return [(r.scale_min, r.scale_max) for r in fw.rubrics]

    assert scales("pix-crcn.json") == [(0, 5), (1, 8)]
    assert scales("digcomp-2-2.json") == [(0, 5), (1, 8)]
    assert scales("rectec.json") == [(0, 5), (1, 4)]
    assert scales("normandie-badge-competences.json") == [(0, 5), (1, 2)]
    fw = case.parse_package((ROOT / "referentiels/normandie-badge-competences.json").read_bytes())
    assert [lv.quality for lv in fw.rubrics[1].criteria[0].levels] == ["Je pratique", "Je maîtrise"]


def test_rectec_personal_competences_have_no_degree() -> None:
    fw = case.parse_package((ROOT / "referentiels/rectec.json").read_bytes())
    graded = {fw.item(c.item).code for c in fw.rubrics[1].criteria}
    assert len(graded) == 10
    assert "RECTEC-RVP-1" not in graded


def test_only_sourced_definitions() -> None:
    fw = case.parse_package((ROOT / "referentiels/apels-sport.json").read_bytes())
    assert all(it.description == "" for it in fw.items)
    shipped = {p.stem for p in (ROOT / "static/pictograms").glob("*.svg")}
    assert {it.pictogram for it in fw.items} <= shipped
    ft = case.parse_package(
        (ROOT / "referentiels/france-travail-savoir-etre-2018.json").read_bytes()
    )
    assert sum(1 for it in ft.items if it.description) == 6
    pix = case.parse_package((ROOT / "referentiels/pix-crcn.json").read_bytes())
    assert sum(1 for it in pix.competences if it.description) == 4
    # level texts only where the CRCN gives them (1-3)
    crcn = pix.rubrics[1].criteria[0].levels
    assert [bool(lv.description) for lv in crcn] == [True] * 3 + [False] * 5


def test_digcomp_esco_links() -> None:
    fw = case.parse_package((ROOT / "referentiels/digcomp-2-2.json").read_bytes())
    links = [lk for it in fw.competences for lk in it.links]
    assert len(links) == 21
    assert all(lk.kind == "esco" and lk.uri.startswith("http://data.europa.eu/esco/skill/")
               for lk in links)
    assert sum(1 for lk in links if not lk.exact) == 1  # 3.4, judged by label
    pkg = load("digcomp-2-2.json")
    assert sum(1 for a in pkg["CFAssociations"] if a["associationType"] == "exactMatchOf") == 20


def test_identifiers_are_stable_uuid5() -> None:
    fw = case.parse_package((ROOT / "referentiels/clea.json").read_bytes())
    assert fw.identifier == case.stable_id("clea", "1", "document")
    assert fw.competences[0].identifier == case.stable_id("clea", "1", "item", "CléA-1")
    pkg = load("clea.json")
    uri = pkg["CFItems"][0]["uri"]
    assert uri.endswith("/ims/case/v1p0/CFItems/" + fw.competences[0].identifier)


def test_rebase_uris() -> None:
    fw = case.parse_package((ROOT / "referentiels/clea.json").read_bytes())
    pkg = case.to_package(fw, base_url="https://badges.example.fr/")
    assert pkg["CFDocument"]["uri"] == f"https://badges.example.fr/ims/case/v1p0/CFDocuments/{fw.identifier}"
    assert case.schema_errors(pkg) == []


def test_translations_pictograms_links_round_trip() -> None:
    fw = case.parse_package((ROOT / "referentiels/apels-sport.json").read_bytes())
    it = fw.competences[0]
    it.translations["en"] = case.Translation(
        "Attendance", "Comes to every session.",
        levels=[case.LevelText(float(s), f"L{s}") for s in range(6)],
    )
    it.links.append(case.ExternalLink("rome", "urn:rome:123", "123", "Respecter ses engagements"))
    pkg = case.to_package(fw)
    assert case.schema_errors(pkg) == []
    back = case.parse_package(case.dumps(pkg))
    tr = back.item(it.identifier).translations["en"]
    assert (tr.label, tr.description) == ("Attendance", "Comes to every session.")
    assert [lv.quality for lv in tr.levels] == [f"L{s}" for s in range(6)]
    assert back.item(it.identifier).pictogram == "calendar"
    assert [lk.kind for lk in back.item(it.identifier).links] == ["rome"]
    assert len(back.competences) == 17  # the translation is not a competence
    assert case.to_package(back) == pkg


def test_foreign_package_keeps_association_ids() -> None:
    raw = SHARED / "referentiels/case/example-demo-normandie-cfpackage.json"
    if not raw.exists():
        pytest.skip("shared/ not available")
    pkg = json.loads(raw.read_text("utf-8"))
    back = case.to_package(case.parse_package(raw.read_bytes()))
    assert {a["identifier"] for a in back["CFAssociations"]} == {
        a["identifier"] for a in pkg["CFAssociations"]
    }
    assert [i["identifier"] for i in back["CFItems"]] == [i["identifier"] for i in pkg["CFItems"]]


# --------------------------------------------------------------------------- refused input


def refused(data: bytes | str, **kw: object) -> CaseImportError:
    with pytest.raises(CaseImportError) as info:
        case.parse_package(data, **kw)  # type: ignore[arg-type]
    return info.value


def test_invalid_json_is_refused_with_location() -> None:
    err = refused(b'{"CFDocument": {')
    assert err.errors[0].location == case.Location(line=1, column=17)
    assert str(err.errors[0][0]) == "ligne 1, colonne 17"
    assert "JSON invalide" in str(err)


def test_not_utf8_is_refused() -> None:
    assert "UTF-8" in str(refused(b'{"a": "\xff"}'))


def test_schema_error_lists_locations() -> None:
    pkg = load("clea.json")
    pkg["CFItems"][2]["fullStatement"] = 42
    pkg["CFItems"][3]["identifier"] = "not-a-uuid"
    pkg["CFAssociations"][0]["associationType"] = "isFriendOf"
    err = refused(json.dumps(pkg))
    locs = [str(loc) for loc, _ in err.errors]
    assert "/CFItems/2/fullStatement" in locs
    assert "/CFItems/3/identifier" in locs
    assert "/CFAssociations/0/associationType" in locs
    assert locs == sorted(locs, key=case._loc_key)


def test_property_outside_case_moves_into_extensions() -> None:
    """Real CASE 1.0 exports carry properties the CASE 1.1 package schema has not: kept, in
    the object's ``extensions``, with a warning — never refused, never dropped."""
    pkg = load("clea.json")
    pkg["CFItems"][0]["educationalLevel"] = ["09"]
    fw = case.parse_package(json.dumps(pkg))
    assert fw.source is not None
    assert fw.source["CFItems"][0]["extensions"] == {"educationalLevel": ["09"]}
    assert any("extensions" in str(w) for w in fw.warnings)
    assert case.schema11_errors(fw.source) == []


def test_many_errors_are_capped() -> None:
    pkg = load("digcomp-2-2.json")
    for it in pkg["CFItems"]:
        it["identifier"] = "bad"
    err = refused(json.dumps(pkg))
    assert len(err.errors) == case.MAX_ERRORS
    assert err.total > case.MAX_ERRORS
    assert "autre(s) erreur(s)" in str(err)


def test_repeated_code_is_accepted() -> None:
    pkg = load("clea.json")
    pkg["CFItems"][1]["humanCodingScheme"] = pkg["CFItems"][0]["humanCodingScheme"]
    fw = case.parse_package(json.dumps(pkg))
    assert fw.items[0].code == fw.items[1].code
    assert fw.items[0].identifier != fw.items[1].identifier


def test_duplicate_identifier_is_refused() -> None:
    pkg = load("clea.json")
    pkg["CFItems"][1]["identifier"] = pkg["CFItems"][0]["identifier"]
    err = refused(json.dumps(pkg))
    assert "identifiant en double" in str(err)
    assert [str(loc) for loc, _ in err.errors] == ["/CFItems/1/identifier"]


def test_identical_duplicate_association_is_merged() -> None:
    pkg = load("clea.json")
    pkg["CFAssociations"].append(copy.deepcopy(pkg["CFAssociations"][0]))
    fw = case.parse_package(json.dumps(pkg))
    assert fw.source is not None
    assert len(fw.source["CFAssociations"]) == len(pkg["CFAssociations"]) - 1
    assert [n.reason for n in fw.normalisations] == [case.source.DUPLICATE_MERGED]


def test_item_without_identifier_is_refused_with_its_location() -> None:
    pkg = load("clea.json")
    del pkg["CFItems"][4]["identifier"]
    err = refused(json.dumps(pkg))
    assert [str(loc) for loc, _ in err.errors] == ["/CFItems/4"]
    assert "sans identifiant" in str(err)


def test_association_to_nothing_is_refused_with_its_location() -> None:
    pkg = load("clea.json")
    pkg["CFAssociations"][2]["destinationNodeURI"] = {"title": "", "identifier": "", "uri": ""}
    err = refused(json.dumps(pkg))
    assert [str(loc) for loc, _ in err.errors] == ["/CFAssociations/2/destinationNodeURI"]


def test_cycle_is_refused() -> None:
    pkg = load("rectec.json")
    items = {i["humanCodingScheme"]: i for i in pkg["CFItems"]}
    pole, comp = items["RECTEC-ORG"], items["RECTEC-ORG-1"]
    for a in pkg["CFAssociations"]:
        origin = a["originNodeURI"]["identifier"]
        if a["associationType"] == "isChildOf" and origin == pole["identifier"]:
            a["destinationNodeURI"] = {
                "title": "x", "identifier": comp["identifier"], "uri": comp["uri"]
            }
    assert "cycle isChildOf" in str(refused(json.dumps(pkg)))


def test_references_outside_the_package_are_kept_with_warnings() -> None:
    pkg = load("clea.json")
    pkg["CFAssociations"][0]["destinationNodeURI"]["identifier"] = case.stable_id("nowhere")
    pkg["CFRubrics"][0]["CFRubricCriteria"][0]["CFItemURI"]["identifier"] = case.stable_id("x")
    fw = case.parse_package(json.dumps(pkg))
    warnings = [str(w) for w in fw.warnings]
    assert any(w.startswith("/CFAssociations/0/destinationNodeURI : parent hors") for w in warnings)
    assert any(w.startswith("/CFRubrics/0/CFRubricCriteria/0/CFItemURI : critère")
               for w in warnings)
    assert fw.source == pkg


def test_too_big_is_refused_before_parsing() -> None:
    data = b" " * (case.MAX_BYTES + 1)
    assert "trop volumineux" in str(refused(data))
    assert "trop volumineux" in str(refused(b"{}" + b" " * 100, max_bytes=50))


def test_default_import_accepts_opensalt_examples() -> None:
    path = SHARED / "referentiels/case/example-opensalt-ItemTypeTestFramework.json"
    if not path.exists():
        pytest.skip("shared/ not available")
    assert case.parse_package(path.read_bytes()).items
    assert case.parse_package(path.read_bytes(), strict=False).items


def test_error_does_not_mutate_input() -> None:
    pkg = load("clea.json")
    before = copy.deepcopy(pkg)
    pkg["CFItems"][1]["identifier"] = pkg["CFItems"][0]["identifier"]
    pkg["CFItems"][1]["x"] = None
    refused(json.dumps(pkg))
    assert before["CFItems"][0] == pkg["CFItems"][0]


# --------------------------------------------------------------------------- CSV

CSV = (
    "\ufeffcategory;code;label;description;level_0;level_1;level_2;level_3;level_4;level_5;"
    "esco_uri;rome_code;pictogram;label_en\n"
    "Savoir-être;SE1;Ponctualité;Arrive à l'heure;Jamais;Rarement;Parfois;Souvent;Toujours;"
    "Exemplaire;http://data.europa.eu/esco/skill/113b4428-0000-0000-0000-000000000000;;clock;"
    "Punctuality\n"
    "Savoir-être;SE2;Fiabilité;;a;b;c;d;e;f;;R123;;\n"
    "Voile;V1;Barrer;;a;b;c;d;e;f;;;;\n"
)


def test_csv_import() -> None:
    fw = case.parse_csv(CSV, title="Voile et savoir-être", creator="FF Voile")
    assert [c.label for c in fw.categories] == ["Savoir-être", "Voile"]
    assert [c.code for c in fw.competences] == ["SE1", "SE2", "V1"]
    se1 = fw.competences[0]
    assert se1.description == "Arrive à l'heure"
    assert se1.pictogram == "clock"
    assert se1.translations["en"].label == "Punctuality"
    assert [lk.kind for lk in se1.links] == ["esco"]
    assert [lk.code for lk in fw.competences[1].links] == ["R123"]
    r = fw.rubrics[0]
    assert (r.scale_min, r.scale_max) == (0, 5)
    assert r.title == case.BADGER_SCALE_TITLE
    crit = r.criterion_for(se1.identifier)
    assert crit is not None
    assert (crit.levels[0].quality, crit.levels[0].description) == ("Pas encore observé", "Jamais")
    pkg = case.to_package(fw)
    assert case.schema_errors(pkg) == []
    assert case.to_package(case.parse_package(case.dumps(pkg))) == pkg


def test_csv_positions_follow_the_rows_under_each_parent() -> None:
    """Positions are counted per parent as the rows come (issue #12 made the count linear):
    categories and uncategorised competences share the top level, in row order."""
    fw = case.parse_csv(
        "category;code;label\nA;a1;Un\n;t1;Deux\nB;b1;Trois\nA;a2;Quatre\n;t2;Cinq\n"
        "B;b2;Six\nA;a3;Sept\n",
        title="Ordre", creator="x",
    )
    by_code = {it.code: it for it in fw.items}
    cat_a, cat_b = by_code["CAT-1"], by_code["CAT-2"]
    assert [(cat_a.label, cat_a.position), (cat_b.label, cat_b.position)] == [("A", 1), ("B", 2)]
    assert [(c, by_code[c].parent, by_code[c].position) for c in
            ("a1", "a2", "a3", "b1", "b2", "t1", "t2")] == [
        ("a1", cat_a.identifier, 1), ("a2", cat_a.identifier, 2), ("a3", cat_a.identifier, 3),
        ("b1", cat_b.identifier, 1), ("b2", cat_b.identifier, 2),
        ("t1", None, 2), ("t2", None, 4),
    ]
    assert [it.code for it in fw.ordered_items()] == [
        "CAT-1", "a1", "a2", "a3", "t1", "CAT-2", "b1", "b2", "t2"]


def test_csv_comma_and_other_scale() -> None:
    text = "code,label,level_1,level_2\nN-ORG,Organiser,Je pratique,Je maîtrise\n"
    fw = case.parse_csv(text.encode("utf-8"), title="Normandie", creator="Région")
    assert (fw.rubrics[0].scale_min, fw.rubrics[0].scale_max) == (1, 2)


def test_csv_without_levels_gets_badger_scale() -> None:
    fw = case.parse_csv("code;label\nA;Alpha\n", title="T", creator="C")
    assert fw.rubrics[0].title == case.BADGER_SCALE_TITLE


def test_csv_round_trip() -> None:
    fw = case.parse_csv(CSV, title="Voile", creator="FF Voile", key="voile")
    again = case.parse_csv(case.to_csv(fw), title="Voile", creator="FF Voile", key="voile")
    again.last_change = fw.last_change
    assert case.to_package(again) == case.to_package(fw)


@pytest.mark.parametrize(
    ("text", "location", "message"),
    [
        ("label\nX\n", "ligne 1", "colonne obligatoire manquante : code"),
        ("code;label;colour\nA;B;red\n", "ligne 1, colonne 3", "colonne inconnue"),
        ("code;label\nA;Alpha\nA;Beta\n", "ligne 3, colonne code", "code en double"),
        ("code;label\nA;\n", "ligne 2, colonne label", "libellé vide"),
        ("code;label;level_0;level_1\nA;B;x;\n", "ligne 2", "1 niveaux remplis sur 2"),
        ("code;label\nA;B;C\n", "ligne 2", "3 cellules pour 2 colonnes"),
        ("", "ligne 1", "fichier vide"),
        ("code;label\n", "ligne 2", "aucune compétence"),
    ],
)
def test_csv_errors(text: str, location: str, message: str) -> None:
    with pytest.raises(CaseImportError) as info:
        case.parse_csv(text, title="T", creator="C")
    assert (location, message) in [(str(loc), str(msg)[: len(message)])
                                   for loc, msg in info.value.errors]


def test_csv_not_utf8() -> None:
    with pytest.raises(CaseImportError, match="UTF-8"):
        case.parse_csv("code;label\nA;Épreuve\n".encode("latin-1"), title="T", creator="C")


def test_two_associations_never_share_an_identifier() -> None:
    """Two links of one item to the same URI (same origin, type and destination) are two
    associations: each keeps an identifier of its own."""
    fw = case.parse_package((ROOT / "referentiels" / "clea.json").read_bytes())
    it = fw.competences[0]
    link = case.ExternalLink(kind="esco", uri="http://data.europa.eu/esco/skill/x", code="x")
    it.links = [link, case.ExternalLink(**{**link.__dict__, "kind": "rome"})]
    pkg = case.to_package(fw)
    ids = [a["identifier"] for a in pkg["CFAssociations"]]
    assert len(ids) == len(set(ids))
    assert case.to_package(fw) == pkg  # and the same ones every time


def test_siblings_with_equal_or_missing_sequence_numbers_keep_package_order() -> None:
    """Equal or missing ``sequenceNumber``: package order decides, and the positions badger
    stores are distinct, so a re-read gives the same order (and the same content hash)."""
    pkg = load("rectec.json")
    for a in pkg["CFAssociations"]:
        if a["associationType"] == "isChildOf":
            a.pop("sequenceNumber", None)
    fw = case.parse_package(json.dumps(pkg))
    order = [it.identifier for it in fw.ordered_items()]
    ids_in_package = [i["identifier"] for i in pkg["CFItems"]]
    positions: dict[str | None, list[int]] = {}
    for it in fw.items:
        positions.setdefault(it.parent, []).append(it.position)
    assert all(sorted(p) == list(range(1, len(p) + 1)) for p in positions.values())
    again = case.parse_package(json.dumps(case.to_package(fw)))
    assert [it.identifier for it in again.ordered_items()] == order
    for it in fw.items:
        siblings = [s.identifier for s in fw.children(it.parent)]
        assert siblings == [i for i in ids_in_package if i in siblings]


def test_date_written_as_date_time_keeps_its_date_and_the_full_value() -> None:
    pkg = load("clea.json")
    pkg["CFItems"][0]["statusStartDate"] = "2017-09-01T00:00:00+00:00"
    fw = case.parse_package(json.dumps(pkg))
    assert fw.source is not None
    item = fw.source["CFItems"][0]
    assert item["statusStartDate"] == "2017-09-01"
    assert item["extensions"] == {"statusStartDate": "2017-09-01T00:00:00+00:00"}
    assert case.schema11_errors(fw.source) == []
    assert {n.reason for n in fw.normalisations} == {
        case.source.DATE_FROM_DATETIME, case.source.MOVED_TO_EXTENSIONS}
    assert any(str(w).startswith("/CFItems/0/statusStartDate : date écrite avec une heure")
               for w in fw.warnings)


def test_property_outside_case_in_a_link_is_removed_with_a_warning() -> None:
    pkg = load("clea.json")
    pkg["CFAssociations"][0]["destinationNodeURI"]["CFDocumentURI"] = "x"
    fw = case.parse_package(json.dumps(pkg))
    assert fw.source is not None
    assert "CFDocumentURI" not in fw.source["CFAssociations"][0]["destinationNodeURI"]
    assert [str(w) for w in fw.warnings if "lien" in str(w)] == [
        "/CFAssociations/0/destinationNodeURI/CFDocumentURI : « CFDocumentURI » dans un lien "
        "n'est pas une propriété CASE 1.1 : retiré (un lien CASE n'a pas d'extensions)"]


def test_unknown_package_and_definitions_keys_move_into_extensions() -> None:
    pkg = load("clea.json")
    pkg["exportedBy"] = "OpenSALT"
    pkg["CFDefinitions"]["CFThings"] = [1]
    fw = case.parse_package(json.dumps(pkg))
    assert fw.source is not None
    assert fw.source["extensions"] == {"exportedBy": "OpenSALT"}
    assert fw.source["CFDefinitions"]["extensions"] == {"CFThings": [1]}
    assert case.schema11_errors(fw.source) == []
