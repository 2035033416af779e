"""Real public CASE packages (``case_corpus/``, provenance in its PROVENANCE.md) import by default,
come back out as they went in (modulo the normalisations the README lists), and import again as
a no-op — through the command line and the database, as an operator would do it (issue #15,
points 1–3)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from badger import referentiels as service
from badger.referentiels import case
from badger.referentiels.models import CaseSource, Competence
from tests.conftest import login_staff

CORPUS_DIR = Path(__file__).resolve().parent / "case_corpus"
CORPUS = sorted(CORPUS_DIR.glob("*.json"))
SAMPLE = CORPUS_DIR / "opensalt-sample-framework-20c5134f.json"
ROOT = Path(__file__).resolve().parents[2]


def cli(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["referentiel", *args])


def covered(pointer: str, notes: list[case.Note]) -> bool:
    """A difference is listed when a normalisation note names it (or a part of it)."""
    return any(pointer == n.pointer or n.pointer.startswith(pointer + "/")
               or pointer.startswith(n.pointer + "/") for n in notes)


def test_corpus_is_there_with_its_provenance() -> None:
    assert len(CORPUS) >= 9
    provenance = (CORPUS_DIR / "PROVENANCE.md").read_text("utf-8")
    for path in CORPUS:
        assert path.name in provenance, path.name


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_package_imports_round_trips_and_reimports(path: Path, app: Any, db: Any) -> None:
    raw = json.loads(path.read_bytes())
    fw = case.parse_package(path.read_bytes())
    first = cli(app, "import", str(path))
    assert first.exit_code == 0, first.output
    assert ": importé —" in first.output
    for warning in fw.warnings:  # never silent
        assert str(warning) in first.output
    version = service.get_version_by_identifier(db, raw["CFDocument"]["identifier"])
    assert version is not None and version.is_published
    assert version.case_source is not None

    served = service.package_of(version)
    assert case.diff(fw.source, served) == []
    unlisted = [d for d in case.diff(raw, served) if not covered(d.pointer, fw.normalisations)]
    assert unlisted == []
    assert case.schema11_errors(served, loose_ids=True) == []
    # with the exact CASE 1.1 UUID pattern, only the publisher's own identifiers can fail
    strict = case.schema11_errors(served)
    assert all("does not match" in str(e.message) and str(e.location).endswith(
        ("/identifier", "/rubricId", "/rubricCriterionId")) for e in strict), strict[:3]

    again = cli(app, "import", str(path))
    assert again.exit_code == 0, again.output
    assert "déjà présent, rien changé" in again.output
    db.expire_all()
    assert db.query(CaseSource).count() == 1
    assert service.get_version_by_identifier(db, raw["CFDocument"]["identifier"]).number == 1

    diffed = cli(app, "diff", str(path), version.identifier)
    assert diffed.exit_code == 0, diffed.output
    assert "0 différence(s) hors normalisations listées" in diffed.output


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_exported_corpus_package_imports_again_as_a_no_op(path: Path, app: Any, db: Any,
                                                          tmp_path: Path) -> None:
    """export(import(P)) is a fixed point: exported, it imports again without change."""
    assert cli(app, "import", str(path)).exit_code == 0
    doc_id = json.loads(path.read_bytes())["CFDocument"]["identifier"]
    out = tmp_path / "export.json"
    exported = cli(app, "export", doc_id, "-o", str(out))
    assert exported.exit_code == 0, exported.output
    assert case.parse_package(out.read_bytes()).normalisations == []
    again = cli(app, "import", str(out))
    assert again.exit_code == 0, again.output
    assert "déjà présent, rien changé" in again.output


def test_served_package_keeps_every_case_field(app: Any, db: Any, client: Any) -> None:
    """Foreign URIs, association types, item types, CASE 1.0 extras: served back as given."""
    raw = json.loads(SAMPLE.read_bytes())
    assert cli(app, "import", str(SAMPLE)).exit_code == 0
    doc_id = raw["CFDocument"]["identifier"]
    response = client.get(f"/ims/case/v1p0/CFPackages/{doc_id}")
    assert response.status_code == 200
    served = response.get_json()
    version = service.get_version_by_identifier(db, doc_id)
    page = client.get(f"/referentiels/{version.referentiel.key}/v1")
    assert page.status_code == 200
    assert raw["CFItems"][0]["fullStatement"] in page.get_data(as_text=True)
    assert served["CFDocument"]["uri"] == raw["CFDocument"]["uri"]
    assert [i["uri"] for i in served["CFItems"]] == [i["uri"] for i in raw["CFItems"]]
    assert sorted(a["associationType"] for a in served["CFAssociations"]) == sorted(
        a["associationType"] for a in raw["CFAssociations"])
    assert [a["identifier"] for a in served["CFAssociations"]] == [
        a["identifier"] for a in raw["CFAssociations"]]
    assert served["CFDefinitions"]["CFItemTypes"][0]["title"] == (
        raw["CFDefinitions"]["CFItemTypes"][0]["title"])
    first = raw["CFItems"][0]
    assert served["CFItems"][0]["extensions"]["CFDocumentURI"] == first["CFDocumentURI"]
    assert served["CFItems"][0]["extensions"]["educationalLevel"] == first["educationalLevel"]


def test_unknown_language_and_version_stay_unknown(app: Any, db: Any) -> None:
    path = CORPUS_DIR / "opensalt-AdoptedTestFramework.json"
    assert cli(app, "import", str(path)).exit_code == 0
    version = service.get_version_by_identifier(db, "d0000000-0000-0000-0000-000000000000")
    assert version.language == "" and version.version_label == ""
    served = service.package_of(version)
    assert "language" not in served["CFDocument"] and "version" not in served["CFDocument"]
    assert "language" not in served["CFItems"][0]


def test_edit_in_badger_changes_only_what_was_edited(db: Any) -> None:
    fw = case.parse_package(SAMPLE.read_bytes())
    version, _ = service.import_framework(db, fw, publish=False)
    comp = db.query(Competence).filter_by(version_id=version.id).order_by(Competence.id).first()
    before = service.package_of(version)
    comp.label = "Libellé changé dans badger"
    db.flush()
    db.expire(version)
    after = service.package_of(version)
    diffs = case.diff(before, after)
    assert diffs and all("/CFItems/" in d.pointer or "/CFAssociations/" in d.pointer
                         or "/CFRubrics/" in d.pointer for d in diffs)
    item = next(i for i in after["CFItems"] if i["identifier"] == comp.identifier)
    assert item["abbreviatedStatement"] == "Libellé changé dans badger"
    src = next(i for i in before["CFItems"] if i["identifier"] == comp.identifier)
    assert item["uri"] == src["uri"] and item["extensions"] == src["extensions"]


def test_badger_written_package_validates_against_case_1_1(db: Any) -> None:
    fw = case.parse_package((ROOT / "referentiels" / "rectec.json").read_bytes())
    version, _ = service.import_framework(db, fw, shipped=True, keep_source=False)
    served = service.package_of(version)
    assert case.schema11_errors(served) == []
    assert case.schema_errors(served) == []


def test_import_preview_lists_the_warnings(client: Any, admin: Any, org: Any, db: Any) -> None:
    login_staff(client, admin)
    response = client.post("/referentiels/import", data={
        "file": (io.BytesIO(SAMPLE.read_bytes()), SAMPLE.name), "title": "", "key": "",
        "owner": f"org:{org.id}"}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Avertissements de l&#39;import" in page or "Avertissements de l'import" in page
    assert "/CFAssociations/32/associationType" in page
    assert "« precedes »" in page


def test_refusal_names_its_location_in_cli_output(app: Any, db: Any, tmp_path: Path) -> None:
    raw = json.loads(SAMPLE.read_bytes())
    raw["CFItems"][3]["identifier"] = raw["CFItems"][1]["identifier"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw), "utf-8")
    result = cli(app, "import", str(bad))
    assert result.exit_code != 0
    assert "/CFItems/3/identifier" in result.output
    assert "identifiant en double" in result.output


def test_lookup_functions_for_the_rest_binding(app: Any, db: Any) -> None:
    """What the CASE REST binding serves by identifier comes from the kept package."""
    raw = json.loads(SAMPLE.read_bytes())
    assert cli(app, "import", str(SAMPLE)).exit_code == 0
    item_type = raw["CFDefinitions"]["CFItemTypes"][0]
    found = service.published_case_object(db, "CFItemTypes", item_type["identifier"].upper())
    assert found is not None
    _version, obj = found
    assert obj["title"] == item_type["title"] and obj["uri"] == item_type["uri"]
    exemplar = next(a for a in raw["CFAssociations"] if a["associationType"] == "exemplar")
    _v, assoc = service.published_case_object(db, "CFAssociations", exemplar["identifier"])
    assert assoc["destinationNodeURI"] == exemplar["destinationNodeURI"]
    origin = exemplar["originNodeURI"]["identifier"]
    _v, item, assocs = service.item_associations(db, origin)
    assert item["identifier"] == origin
    assert exemplar["identifier"] in {a["identifier"] for a in assocs}
    assert all(origin in (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
               for a in assocs)
    assert service.published_case_object(db, "CFConcepts", item_type["identifier"]) is None


def test_association_providers_are_published(app: Any, db: Any) -> None:
    path = CORPUS_DIR / "opensalt-Utf8TestFramework.json"
    assert cli(app, "import", str(path)).exit_code == 0
    version = service.get_version_by_identifier(db, "d0000000-0000-0000-0000-000000000000")
    extra = {"identifier": case.stable_id("crosswalk-test"), "associationType": "exactMatchOf",
             "uri": "https://x.example/a", "lastChangeDateTime": "2026-01-01T00:00:00+00:00",
             "originNodeURI": {"title": "a", "identifier": "a", "uri": "https://x.example/a"},
             "destinationNodeURI": {"title": "b", "identifier": "b", "uri": "https://x.example/b"}}

    def provider(v: Any, base: str) -> dict[str, list[dict[str, Any]]]:
        return {"CFAssociations": [extra]} if v.id == version.id else {}

    service.register_association_provider(provider)
    try:
        pkg = service.package_of(version)
        assert pkg["CFAssociations"][-1] == extra
        assert extra not in service.canonical_package(version)["CFAssociations"]
    finally:
        service.ASSOCIATION_PROVIDERS.remove(provider)
    assert extra not in service.package_of(version)["CFAssociations"]


def test_item_deleted_in_badger_takes_its_associations_along(db: Any) -> None:
    fw = case.parse_package(SAMPLE.read_bytes())
    version, _ = service.import_framework(db, fw, publish=False)
    before = service.package_of(version)
    precedes = next(a for a in before["CFAssociations"] if a["associationType"] == "precedes")
    gone = precedes["originNodeURI"]["identifier"]
    comp = db.query(Competence).filter_by(version_id=version.id, identifier=gone).one()
    service.delete_competence(db, comp)
    db.expire(version)
    after = service.package_of(version)
    assert gone not in {i["identifier"] for i in after["CFItems"]}
    assert all(gone not in (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
               for a in after["CFAssociations"])
    kept = {a["identifier"] for a in after["CFAssociations"]}
    assert kept == {a["identifier"] for a in before["CFAssociations"]
                    if gone not in (a["originNodeURI"]["identifier"],
                                    a["destinationNodeURI"]["identifier"])}
    assert case.schema11_errors(after, loose_ids=True) == []


def test_kept_package_of_a_published_version_never_changes(app: Any, db: Any) -> None:
    from badger.referentiels.models import PublishedVersionError

    path = CORPUS_DIR / "opensalt-MarkdownFramework.json"
    assert cli(app, "import", str(path)).exit_code == 0
    version = service.get_version_by_identifier(db, "d0000000-0000-0000-0000-000000000000")
    source = version.case_source
    source.package = {**source.package, "CFItems": []}
    with pytest.raises(PublishedVersionError):
        db.flush()
    db.rollback()


def _rich_package() -> dict[str, Any]:
    """badger's CléA package enriched with everything CASE 1.1 carries that badger has no
    field for: each must come back out unchanged."""
    pkg = json.loads((ROOT / "referentiels" / "clea.json").read_text("utf-8"))
    doc, item, other = pkg["CFDocument"], pkg["CFItems"][0], pkg["CFItems"][1]
    ts = doc["lastChangeDateTime"]
    concept = {"identifier": case.stable_id("t", "concept"), "uri": "https://x.example/c/1",
               "title": "Numératie", "keywords": "calcul|nombres", "hierarchyCode": "C1",
               "lastChangeDateTime": ts}
    subject = {"identifier": case.stable_id("t", "subject"), "uri": "https://x.example/s/1",
               "title": "Compétences de base", "hierarchyCode": "S1", "lastChangeDateTime": ts}
    lic = {"identifier": case.stable_id("t", "licence"), "uri": "https://x.example/l/1",
           "title": "Licence Ouverte 2.0", "licenseText": "…", "lastChangeDateTime": ts}
    grouping = {"identifier": case.stable_id("t", "grouping"), "uri": "https://x.example/g/1",
                "title": "Progression", "lastChangeDateTime": ts}
    link = {"title": "Numératie", "identifier": concept["identifier"], "uri": concept["uri"]}
    pkg["CFDefinitions"].update(CFConcepts=[concept], CFSubjects=[subject], CFLicenses=[lic],
                                CFAssociationGroupings=[grouping])
    doc.update(caseVersion="1.1", frameworkType="Référentiel", statusStartDate="2024-01-01",
               subjectURI=[{"title": subject["title"], "identifier": subject["identifier"],
                            "uri": subject["uri"]}],
               licenseURI={"title": lic["title"], "identifier": lic["identifier"],
                           "uri": lic["uri"]}, extensions={"x:source": "test"})
    item.update(alternativeLabel="Français", educationLevel=["adulte"],
                conceptKeywords=["lecture"], conceptKeywordsURI=link, statusEndDate="2030-12-31",
                subject=["Langue"], notes="Note du publieur", extensions={"x:n": 1})
    for atype in ("precedes", "isPartOf", "replacedBy", "hasSkillLevel", "isPeerOf",
                  "isTranslationOf", "exemplar", "ext:isAlignedTo"):
        ident = case.stable_id("t", atype)
        pkg["CFAssociations"].append({
            "identifier": ident, "associationType": atype, "uri": f"https://x.example/a/{ident}",
            "originNodeURI": {"title": "o", "identifier": item["identifier"], "uri": item["uri"]},
            "destinationNodeURI": {"title": "d", "identifier": other["identifier"],
                                   "uri": other["uri"], "targetType": "CASE"},
            "CFAssociationGroupingURI": {"title": grouping["title"],
                                         "identifier": grouping["identifier"],
                                         "uri": grouping["uri"]},
            "sequenceNumber": 3, "notes": "n", "lastChangeDateTime": ts})
    level = pkg["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][0]
    level.update(feedback="Bravo", extensions=[{"x:l": True}])
    pkg["CFRubrics"][0]["extensions"] = {"x:r": "r"}
    return pkg


def test_everything_case_carries_comes_back(app: Any, db: Any, tmp_path: Path) -> None:
    pkg = _rich_package()
    assert case.schema11_errors(pkg) == []
    path = tmp_path / "riche.json"
    path.write_text(json.dumps(pkg, ensure_ascii=False), "utf-8")
    result = cli(app, "import", str(path))
    assert result.exit_code == 0, result.output
    for shown in ("« precedes »", "« ext:isAlignedTo »", "« CFConcepts »",
                  "« educationLevel »", "« alternativeLabel »"):
        assert shown in result.output
    version = service.get_version_by_identifier(db, pkg["CFDocument"]["identifier"])
    served = service.package_of(version)
    assert case.diff(pkg, served) == []
    assert served == pkg
    ids = [a["identifier"] for a in served["CFAssociations"]]
    assert len(ids) == len(set(ids))
    assert cli(app, "diff", str(path), version.identifier).exit_code == 0


def test_diff_prints_what_was_edited_and_fails(app: Any, db: Any) -> None:
    fw = case.parse_package(SAMPLE.read_bytes())
    version, _ = service.import_framework(db, fw, publish=False)
    comp = db.query(Competence).filter_by(version_id=version.id).order_by(Competence.id).first()
    comp.label = "Libellé changé"
    db.commit()
    result = cli(app, "diff", str(SAMPLE), version.identifier)
    assert result.exit_code == 1
    index = next(n for n, i in enumerate(json.loads(SAMPLE.read_bytes())["CFItems"])
                 if i["identifier"] == comp.identifier)
    assert f"différence : /CFItems/{index}/abbreviatedStatement" in result.output
    assert "'Libellé changé'" in result.output
    assert "normalisation : propriété hors CASE 1.1 rangée dans extensions" in result.output
    assert "différence(s) hors normalisations listées" in result.output
