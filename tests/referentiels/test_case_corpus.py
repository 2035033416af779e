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

    again = cli(app, "import", str(path))
    assert again.exit_code == 0, again.output
    assert "déjà présent, rien changé" in again.output
    db.expire_all()
    assert db.query(CaseSource).count() == 1
    assert service.get_version_by_identifier(db, raw["CFDocument"]["identifier"]).number == 1

    diffed = cli(app, "diff", str(path), version.identifier)
    assert diffed.exit_code == 0, diffed.output
    assert "0 différence(s) hors normalisations listées" in diffed.output


def test_served_package_keeps_every_case_field(app: Any, db: Any, client: Any) -> None:
    """Foreign URIs, association types, item types, CASE 1.0 extras: served back as given."""
    raw = json.loads(SAMPLE.read_bytes())
    assert cli(app, "import", str(SAMPLE)).exit_code == 0
    doc_id = raw["CFDocument"]["identifier"]
    response = client.get(f"/ims/case/v1p0/CFPackages/{doc_id}")
    assert response.status_code == 200
    served = response.get_json()
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
