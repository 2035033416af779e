"""Référentiels over HTTP: public pages, CASE REST, editor, sharing, permissions, CLI."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from badger import referentiels as service
from badger import resource_dir
from badger.errors import UserError
from badger.referentiels import case
from badger.referentiels.cli import on_init
from badger.referentiels.models import (
    Adoption,
    Competence,
    PublishedVersionError,
    Referentiel,
    ReferentielVersion,
)
from tests.conftest import login_staff

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "referentiels").glob("*.json"))
CASE_BASE = "/ims/case/v1p0"


@pytest.fixture
def shipped(app: Any, db: Any) -> None:
    on_init(db, app)
    db.commit()


def network_admin(make: Any, db: Any, org: Any, network: Any, email: str) -> Any:
    from badger.accounts.models import NetworkAdmin

    user = make.staff(org, "admin", email=email)
    db.add(NetworkAdmin(user_id=user.id, network_id=network.id))
    db.commit()
    return user


def counts(db: Any) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Referentiel)),
        db.scalar(select(func.count()).select_from(ReferentielVersion)),
        db.scalar(select(func.count()).select_from(Competence)),
    )


def version_of(db: Any, key: str, number: int = 1) -> ReferentielVersion:
    v = service.get_version(db, key, number)
    assert v is not None
    return v


# --------------------------------------------------------------------------- import / init


def test_init_loads_every_shipped_file_and_is_idempotent(app: Any, db: Any) -> None:
    on_init(db, app)
    db.commit()
    assert counts(db) == (8, 8, 17 + 14 + 16 + 7 + 12 + 16 + 21 + 4)
    stamps = sorted(v.updated_at for v in db.execute(select(ReferentielVersion)).scalars())
    on_init(db, app)
    db.commit()
    assert counts(db) == (8, 8, 107)
    assert sorted(v.updated_at for v in db.execute(select(ReferentielVersion)).scalars()) == stamps
    assert all(r.shipped for r in db.execute(select(Referentiel)).scalars())


def without_crosswalks(pkg: dict[str, Any]) -> dict[str, Any]:
    """``pkg`` without badger's crosswalks (tests/referentiels/test_crosswalks.py)."""
    defs = pkg["CFDefinitions"]
    ours = {g["identifier"] for g in defs["CFAssociationGroupings"]
            if g["description"].startswith("badger:crosswalk:")}
    return {**pkg, "CFAssociations": [
        a for a in pkg["CFAssociations"]
        if a.get("CFAssociationGroupingURI", {}).get("identifier") not in ours],
        "CFDefinitions": {**defs, "CFAssociationGroupings": [
            g for g in defs["CFAssociationGroupings"] if g["identifier"] not in ours]}}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_case_export_import_round_trip(path: Path, client: Any, db: Any, shipped: None) -> None:
    pkg = json.loads(path.read_text("utf-8"))
    ident = pkg["CFDocument"]["identifier"]
    response = client.get(f"{CASE_BASE}/CFPackages/{ident}")
    assert response.status_code == 200
    served = without_crosswalks(response.get_json())
    # Same package, only the host in every URI differs (plus the crosswalks, served beside).
    assert served == json.loads(path.read_text("utf-8").replace(
        "https://badger.example.org", "http://localhost"))
    # Re-importing the exported package changes nothing.
    before = counts(db)
    version, changed = service.import_framework(db, case.parse_package(response.data))
    assert not changed and version.identifier == ident
    assert counts(db) == before


def test_csv_export_reimport(client: Any, shipped: None) -> None:
    response = client.get("/referentiels/rectec/v1/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    fw = case.parse_csv(response.data, title="RECTEC", creator="x")
    original = case.parse_package((ROOT / "referentiels/rectec.json").read_bytes())
    assert [c.code for c in fw.competences] == [c.code for c in original.ordered_items()
                                                 if c.kind == "competence"]
    assert [c.label for c in fw.categories] == [c.label for c in original.categories]


def test_cli_import_export(app: Any, db: Any, tmp_path: Path, shipped: None) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["referentiel", "export", "clea", "--format", "case"])
    assert result.exit_code == 0, result.output
    exported = tmp_path / "clea.json"
    exported.write_text(result.output, encoding="utf-8")
    again = runner.invoke(args=["referentiel", "import", str(exported)])
    assert again.exit_code == 0, again.output
    assert "rien changé" in again.output
    csv_out = runner.invoke(args=["referentiel", "export", "clea@1", "--format", "csv"])
    assert csv_out.output.startswith("category;code;label")
    bad = tmp_path / "bad.json"
    bad.write_text('{"CFDocument": {}}', encoding="utf-8")
    refused = runner.invoke(args=["referentiel", "import", str(bad)])
    assert refused.exit_code != 0
    assert "/CFDocument" in refused.output
    assert runner.invoke(args=["referentiel", "export", "nope"]).exit_code != 0


def test_changed_published_package_is_refused(db: Any, shipped: None) -> None:
    pkg = json.loads((ROOT / "referentiels/clea.json").read_text("utf-8"))
    pkg["CFItems"][0]["fullStatement"] = "Autre texte"
    before = counts(db)
    with pytest.raises(UserError) as info:
        service.import_framework(db, case.parse_package(json.dumps(pkg)))
    assert info.value.status == 409
    db.rollback()
    assert counts(db) == before


# --------------------------------------------------------------------------- public pages


def test_public_pages_render_without_login(client: Any, shipped: None) -> None:
    page = client.get("/referentiels/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Grille des savoir-être par le sport (APELS)" in html
    assert client.get("/referentiels/apels-sport").status_code == 302
    page = client.get("/referentiels/apels-sport/v1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ponctualité" in html and "pictograms/clock.svg" in html
    assert "Pas encore observé" in html
    search = client.get("/referentiels/?q=ponctualit")
    assert "APELS" in search.get_data(as_text=True)
    assert "DigComp" not in search.get_data(as_text=True)
    assert client.get("/referentiels/nope/v1").status_code == 404


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", html))


@pytest.mark.parametrize("key", ["pix-crcn", "digcomp-2-2", "rectec", "apels-sport"])
def test_html_page_and_json_agree(key: str, client: Any, db: Any, shipped: None) -> None:
    v = version_of(db, key)
    html = _text(client.get(f"/referentiels/{key}/v1").get_data(as_text=True))
    pkg = client.get(f"{CASE_BASE}/CFPackages/{v.identifier}").get_json()
    assert pkg["CFDocument"]["title"] in html
    competences = [i for i in pkg["CFItems"] if i["CFItemType"] == case.COMPETENCE_TYPE]
    assert html.count('class="competence card"') == len(competences)
    for item in pkg["CFItems"]:
        assert item["abbreviatedStatement"] in html
        if item["fullStatement"] != item["abbreviatedStatement"]:
            assert item["fullStatement"] in html
        if item["CFItemType"] == case.COMPETENCE_TYPE:
            assert item["uri"] in html
            assert f'data-code="{item["humanCodingScheme"]}"' in html
    for rubric in pkg["CFRubrics"]:
        for crit in rubric["CFRubricCriteria"]:
            for lv in crit["CFRubricCriterionLevels"]:
                assert lv["quality"] in html
                if lv.get("description"):
                    assert lv["description"] in html
    for a in pkg["CFAssociations"]:
        if a["associationType"] == "exactMatchOf":
            assert a["destinationNodeURI"]["uri"] in html


def test_case_endpoints_and_caching(client: Any, db: Any, shipped: None) -> None:
    v = version_of(db, "digcomp-2-2")
    docs = client.get(f"{CASE_BASE}/CFDocuments")
    assert docs.status_code == 200
    assert len(docs.get_json()["CFDocuments"]) == 8
    assert docs.headers["Access-Control-Allow-Origin"] == "*"
    doc = client.get(f"{CASE_BASE}/CFDocuments/{v.identifier}").get_json()
    assert doc["CFPackageURI"]["uri"].endswith(f"/CFPackages/{v.identifier}")
    pkg_response = client.get(f"{CASE_BASE}/CFPackages/{v.identifier}")
    etag = pkg_response.headers["ETag"]
    assert "max-age" in pkg_response.headers["Cache-Control"]
    assert case.schema_errors(pkg_response.get_json()) == []
    again = client.get(f"{CASE_BASE}/CFPackages/{v.identifier}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    pkg = pkg_response.get_json()
    comp = v.competences[0]
    item = client.get(f"{CASE_BASE}/CFItems/{comp.identifier}")
    assert item.status_code == 200 and item.headers["ETag"]
    body = item.get_json()
    assert body["uri"] == service.item_url(comp.identifier, "http://localhost")
    assert body["CFDocumentURI"]["identifier"] == v.identifier
    assoc = pkg["CFAssociations"][0]
    assert client.get(f"{CASE_BASE}/CFAssociations/{assoc['identifier']}").get_json()[
        "associationType"] == assoc["associationType"]
    rubric = pkg["CFRubrics"][1]
    assert client.get(f"{CASE_BASE}/CFRubrics/{rubric['identifier']}").get_json() == rubric
    level = rubric["CFRubricCriteria"][0]["CFRubricCriterionLevels"][7]
    assert client.get(level["uri"].replace("http://localhost", "")).get_json()["quality"] == \
        level["quality"]
    assert level["uri"] == service.rubric_level_url(level["identifier"], "http://localhost")
    missing = client.get(f"{CASE_BASE}/CFItems/{case.stable_id('nothing')}")
    assert missing.status_code == 404
    assert missing.get_json()["imsx_codeMajor"] == "failure"
    assert client.post(f"{CASE_BASE}/CFItems/{comp.identifier}").status_code == 405


def test_alignment_helper(db: Any, app: Any, shipped: None) -> None:
    v = version_of(db, "pix-crcn")
    comp = next(c for c in v.competences if c.code == "1.1")
    with app.test_request_context():
        al = service.alignment(comp)
    assert al["targetType"] == "CFItem"
    assert al["targetUrl"] == f"http://localhost{CASE_BASE}/CFItems/{comp.identifier}"
    assert al["targetFramework"] == v.title


# --------------------------------------------------------------------------- editing


def _create(client: Any, owner: str, key: str = "voile-savoir-etre") -> Any:
    return client.post("/referentiels/new", data={
        "title": "Voile et savoir-être", "key": key, "owner": owner, "description": "",
    })


def _add(client: Any, key: str, code: str, label: str, **extra: str) -> Any:
    data = {"code": code, "label": label, "description": "", "category": "", "pictogram": "",
            **{f"level_{n}": "" for n in range(6)}, "esco_uri": "", "rome_code": "", **extra}
    return client.post(f"/referentiels/{key}/v1/competences/new", data=data)


def test_network_publishes_its_own_referentiel(client: Any, make: Any, db: Any, org: Any) -> None:
    net = make.network("voile")
    user = network_admin(make, db, org, net, "net@voile.example.org")
    login_staff(client, user)
    form = client.get("/referentiels/new")
    assert form.status_code == 200 and f"net:{net.id}" in form.get_data(as_text=True)
    response = _create(client, f"net:{net.id}")
    assert response.status_code == 302
    key = "voile-savoir-etre"
    assert client.post(f"/referentiels/{key}/v1/categories",
                       data={"label": "Savoir-être", "code": ""}).status_code == 302
    cat_id = version_of(db, key).categories[0].id
    assert _add(client, key, "V1", "Ponctualité", category=str(cat_id), pictogram="clock",
                level_3="Arrive à l'heure la plupart du temps",
                esco_uri="http://data.europa.eu/esco/skill/113b4428-0000-0000-0000-000000000000"
                ).status_code == 302
    assert _add(client, key, "V2", "Barrer").status_code == 302
    assert _add(client, key, "V2", "Doublon").status_code == 400  # duplicate code
    v = version_of(db, key)
    db.refresh(v)
    v2 = next(c for c in v.competences if c.code == "V2")
    assert client.post(f"/referentiels/{key}/v1/competences/{v2.id}/move",
                       data={"direction": "up"}).status_code == 302
    preview = client.get(f"/referentiels/{key}/v1")
    assert preview.status_code == 200
    assert "Arrive à l'heure" in unescape(preview.get_data(as_text=True))
    # Drafts are not public.
    client.post("/logout")
    assert client.get(f"/referentiels/{key}/v1").status_code == 404
    login_staff(client, user)
    assert client.post(f"/referentiels/{key}/v1/publish").status_code == 302
    db.expire_all()
    v = version_of(db, key)
    assert v.is_published and v.referentiel.network_id == net.id
    client.post("/logout")
    anonymous = client
    public = anonymous.get(f"/referentiels/{key}/v1")
    assert public.status_code == 200
    assert anonymous.get(f"{CASE_BASE}/CFPackages/{v.identifier}").status_code == 200
    assert key in anonymous.get("/referentiels/").get_data(as_text=True)


def test_published_version_is_immutable(client: Any, admin: Any, db: Any, org: Any) -> None:
    login_staff(client, admin)
    key = "mon-referentiel"
    assert _create(client, f"org:{org.id}", key).status_code == 302
    assert _add(client, key, "A", "Alpha").status_code == 302
    assert client.post(f"/referentiels/{key}/v1/publish").status_code == 302
    comp = version_of(db, key).competences[0]
    # UI: every editing route refuses.
    assert _add(client, key, "B", "Beta").status_code == 409
    edit = client.post(f"/referentiels/{key}/v1/competences/{comp.id}/edit", data={
        "code": "A", "label": "Changé", **{f"level_{n}": "" for n in range(6)}})
    assert edit.status_code == 409
    assert client.post(f"/referentiels/{key}/v1/competences/{comp.id}/delete").status_code == 409
    assert client.post(f"/referentiels/{key}/v1/competences/{comp.id}/move",
                       data={"direction": "down"}).status_code == 409
    assert client.post(f"/referentiels/{key}/v1/categories", data={"label": "X"}).status_code \
        == 409
    assert client.post(f"/referentiels/{key}/v1/edit", data={
        "title": "T", "creator": "C"}).status_code == 409
    assert client.post(f"/referentiels/{key}/v1/publish").status_code == 409
    assert client.post(f"/referentiels/{key}/v1/discard").status_code == 409
    assert client.get(f"/referentiels/{key}/v1/edit").status_code == 302
    # API: CASE endpoints are read-only.
    v = version_of(db, key)
    assert client.put(f"{CASE_BASE}/CFPackages/{v.identifier}", json={}).status_code == 405
    assert client.delete(f"{CASE_BASE}/CFItems/{comp.identifier}").status_code == 405
    # Service and session guard: nothing can change the rows.
    with pytest.raises(UserError):
        service.update_competence(db, version_of(db, key).competences[0],
                                  service.CompetenceInput(code="A", label="Changé"))
    db.rollback()
    comp = version_of(db, key).competences[0]
    comp.label = "Changé en douce"
    with pytest.raises(PublishedVersionError):
        db.flush()
    db.rollback()
    v = version_of(db, key)
    v.title = "Autre"
    with pytest.raises(PublishedVersionError):
        db.flush()
    db.rollback()
    db.delete(version_of(db, key))
    with pytest.raises(PublishedVersionError):
        db.flush()
    db.rollback()
    assert version_of(db, key).competences[0].label == "Alpha"


def test_new_version_adopt_upgrade_and_diff(client: Any, make: Any, db: Any, org: Any,
                                            admin: Any) -> None:
    net = make.network("reseau")
    publisher = network_admin(make, db, make.organisation("tete-de-reseau"), net,
                              "pub@reseau.example.org")
    login_staff(client, publisher)
    key = "reseau-savoir-etre"
    _create(client, f"net:{net.id}", key)
    _add(client, key, "A", "Alpha")
    _add(client, key, "B", "Beta")
    client.post(f"/referentiels/{key}/v1/publish")
    # the member organisation adopts v1 (one client, one person at a time: the test app
    # context is shared between requests, so two logged-in clients would mix users)
    client.post("/logout")
    login_staff(client, admin)
    assert client.post(f"/referentiels/{key}/v1/adopt").status_code == 302
    assert client.post(f"/referentiels/{key}/v1/adopt").status_code == 409  # already
    client.post("/logout")
    login_staff(client, publisher)
    # the network publishes v2: A renamed, B removed, C added
    assert client.post(f"/referentiels/{key}/new-version").status_code == 302
    v2 = version_of(db, key, 2)
    a = next(c for c in v2.competences if c.code == "A")
    b = next(c for c in v2.competences if c.code == "B")
    assert a.identifier != version_of(db, key, 1).competences[0].identifier
    assert a.source_competence_id is not None
    client.post(f"/referentiels/{key}/v2/competences/{a.id}/edit", data={
        "code": "A", "label": "Alpha bis", "category": "", "pictogram": "",
        **{f"level_{n}": "" for n in range(6)}})
    client.post(f"/referentiels/{key}/v2/competences/{b.id}/delete")
    client.get(f"/referentiels/{key}/v2")
    client.post(f"/referentiels/{key}/v2/competences/new", data={
        "code": "C", "label": "Gamma", **{f"level_{n}": "" for n in range(6)}})
    assert client.post(f"/referentiels/{key}/v2/publish").status_code == 302
    db.expire_all()
    d = service.diff(version_of(db, key, 1), version_of(db, key, 2))
    assert d.as_json() == {"added": ["C"], "removed": ["B"],
                           "changed": [{"code": "A", "fields": ["label"]}]}
    page = client.get(f"/referentiels/{key}/diff?from=1&to=2").get_data(as_text=True)
    assert "Gamma" in page and "Beta" in page and "Alpha bis" in page
    as_json = client.get(f"/referentiels/{key}/diff?from=1&to=2",
                         headers={"Accept": "application/json"}).get_json()
    assert as_json["added"] == ["C"]
    # adoption stays pinned on v1 until upgraded explicitly
    adoption = db.execute(select(Adoption)).scalar_one()
    assert adoption.version.number == 1
    client.post("/logout")
    login_staff(client, admin)
    member = client
    page = member.get(f"/referentiels/adoptions/{adoption.id}/upgrade")
    assert page.status_code == 200 and "Gamma" in page.get_data(as_text=True)
    assert member.post(f"/referentiels/adoptions/{adoption.id}/upgrade",
                       data={"version": "2"}).status_code == 400  # not confirmed
    assert member.post(f"/referentiels/adoptions/{adoption.id}/upgrade",
                       data={"version": "2", "confirm": "y"}).status_code == 302
    db.expire_all()
    assert db.execute(select(Adoption)).scalar_one().version.number == 2


def test_derive_keeps_links_to_source(client: Any, admin: Any, db: Any, org: Any,
                                      shipped: None) -> None:
    login_staff(client, admin)
    page = client.get("/referentiels/apels-sport/v1/derive")
    assert page.status_code == 200
    response = client.post("/referentiels/apels-sport/v1/derive", data={
        "title": "Voile : savoir-être et transversal", "key": "voile-transversal",
        "owner": f"org:{org.id}"})
    assert response.status_code == 302
    _add(client, "voile-transversal", "VOILE-1", "Barrer en équipage")
    assert client.post("/referentiels/voile-transversal/v1/publish").status_code == 302
    db.expire_all()
    derived = version_of(db, "voile-transversal")
    source = version_of(db, "apels-sport")
    assert derived.source_version_id == source.id
    assert len(derived.competences) == 18
    first = next(c for c in derived.competences if c.code == "APELS-01")
    assert first.source_competence.identifier == source.competences[0].identifier
    assert first.pictogram == "calendar"
    pkg = client.get(f"{CASE_BASE}/CFPackages/{derived.identifier}").get_json()
    src_links = [a for a in pkg["CFAssociations"]
                 if a["destinationNodeURI"]["identifier"] == source.competences[0].identifier]
    assert src_links and src_links[0]["associationType"] == "exactMatchOf"
    html = client.get("/referentiels/voile-transversal/v1").get_data(as_text=True)
    assert "Compétence d&#39;origine" in html or "Compétence d'origine" in html
    assert service.diff(source, derived).as_json()["added"] == ["VOILE-1"]


def test_csv_import_through_ui(client: Any, admin: Any, db: Any, org: Any) -> None:
    login_staff(client, admin)
    csv_text = ("code;label;description;level_0;level_1;level_2;level_3;level_4;level_5\n"
                "P1;Ponctualité;;a;b;c;d;e;f\nP2;Fiabilité;;a;b;c;d;e;f\n")
    response = client.post("/referentiels/import", data={
        "file": (io.BytesIO(csv_text.encode("utf-8")), "grille.csv"),
        "title": "Grille maison", "key": "grille-maison", "owner": f"org:{org.id}",
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    v = version_of(db, "grille-maison")
    assert [c.code for c in v.competences] == ["P1", "P2"]
    assert not v.is_published
    assert v.competences[0].levels[0]["levels"][5]["description"] == "f"
    assert v.competences[0].levels[0]["levels"][5]["quality"] == "Maîtrisé et transmis"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"{not json", "ligne 1"),
        (json.dumps({"CFDocument": {"identifier": "x"}}).encode(), "/CFDocument"),
        (b"code;label\nA;Un\nA;Deux\n", "code en double"),
    ],
)
def test_broken_files_are_refused_whole(payload: bytes, expected: str, client: Any, admin: Any,
                                        db: Any, org: Any) -> None:
    login_staff(client, admin)
    name = "x.csv" if payload.startswith(b"code") else "x.json"
    before = counts(db)
    response = client.post("/referentiels/import", data={
        "file": (io.BytesIO(payload), name), "title": "T", "key": "", "owner": f"org:{org.id}",
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert expected in unescape(response.get_data(as_text=True))
    assert counts(db) == before


def test_cycle_and_duplicates_refused_through_ui(client: Any, admin: Any, db: Any,
                                                 org: Any) -> None:
    login_staff(client, admin)
    pkg = json.loads((ROOT / "referentiels/clea.json").read_text("utf-8"))
    pkg["CFItems"][1]["identifier"] = pkg["CFItems"][0]["identifier"]
    response = client.post("/referentiels/import", data={
        "file": (io.BytesIO(json.dumps(pkg).encode()), "clea.json"), "title": "",
        "key": "", "owner": f"org:{org.id}"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "/CFItems/1/identifier" in response.get_data(as_text=True)
    assert counts(db) == (0, 0, 0)


# --------------------------------------------------------------------------- permissions


def test_permissions(client: Any, make: Any, db: Any, org: Any, admin: Any, coach: Any,
                     shipped: None) -> None:
    # anonymous: editor routes ask to log in
    assert client.get("/referentiels/new").status_code == 302
    assert client.post("/referentiels/apels-sport/v1/adopt").status_code in {302, 401}
    # a coach (assessor) cannot create or adopt
    login_staff(client, coach)
    assert client.get("/referentiels/new").status_code == 403
    assert client.post("/referentiels/apels-sport/v1/adopt").status_code == 403
    client.post("/logout")
    # org admin: creates a draft; shipped référentiels are read-only for everyone
    login_staff(client, admin)
    assert _create(client, f"org:{org.id}", "prive-a").status_code == 302
    assert client.get("/referentiels/apels-sport/v1/edit").status_code == 403
    assert client.post("/referentiels/apels-sport/new-version").status_code == 403
    assert client.post("/referentiels/new", data={
        "title": "X", "key": "xxx", "owner": "net:999"}).status_code in {400, 403}
    client.post("/logout")
    # the coach of the same organisation cannot publish the admin's draft
    login_staff(client, coach)
    assert client.post("/referentiels/prive-a/v1/publish").status_code == 404
    client.post("/logout")
    # an admin of another organisation does not even see the draft
    other = make.staff(make.organisation("org-c"), "admin", email="admin@c.example.org")
    login_staff(client, other)
    assert client.get("/referentiels/prive-a/v1").status_code == 404
    assert client.post("/referentiels/prive-a/v1/publish").status_code == 404
    db.expire_all()
    assert not version_of(db, "prive-a").is_published


def test_pictogram_upload_is_reencoded(client: Any, admin: Any, db: Any, org: Any) -> None:
    login_staff(client, admin)
    _create(client, f"org:{org.id}", "avec-picto")
    buf = io.BytesIO()
    img = Image.new("RGB", (600, 300), "red")
    img.info["comment"] = "metadata"
    img.save(buf, format="PNG")
    data = {"code": "A", "label": "Alpha", "category": "", "pictogram": "",
            **{f"level_{n}": "" for n in range(6)}, "esco_uri": "", "rome_code": "",
            "upload": (io.BytesIO(buf.getvalue()), "p.png")}
    response = client.post("/referentiels/avec-picto/v1/competences/new", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    comp = version_of(db, "avec-picto").competences[0]
    assert comp.pictogram.startswith("upload-")
    served = client.get(f"/referentiels/pictograms/{comp.pictogram}.png")
    assert served.status_code == 200
    out = Image.open(io.BytesIO(served.data))
    assert out.format == "PNG" and max(out.size) == 256
    data["upload"] = (io.BytesIO(b"GIF89a not a png"), "p.png")
    data["code"] = "B"
    assert client.post("/referentiels/avec-picto/v1/competences/new", data=data,
                       content_type="multipart/form-data").status_code == 415


def test_shipped_pictograms_exist() -> None:
    names = {p.stem for p in (resource_dir("static") / "pictograms").glob("*.svg")}
    pngs = {p.stem for p in (resource_dir("static") / "pictograms").glob("*.png")}
    assert names == pngs and len(names) >= 18


def test_categories_translations_and_csrf(client: Any, admin: Any, db: Any, org: Any) -> None:
    login_staff(client, admin)
    key = "avec-categories"
    _create(client, f"org:{org.id}", key)
    for label in ("Savoir-être", "Technique"):
        client.post(f"/referentiels/{key}/v1/categories", data={"label": label, "code": ""})
    v = version_of(db, key)
    first, second = sorted(v.categories, key=lambda c: c.position)
    assert _add(client, key, "A", "Alpha", category=str(first.id), **{
        "tr-en-label": "Alpha (en)", "tr-en-description": "Defined in English"}
    ).status_code == 302
    base = f"/referentiels/{key}/v1/categories"
    assert client.post(f"{base}/{second.id}", data={"action": "up"}).status_code == 302
    assert client.post(f"{base}/{first.id}", data={"action": "rename", "label": "Attitudes",
                                                   "code": first.code}).status_code == 302
    # a bare POST without its CSRF token is refused and changes nothing
    assert client.post(f"{base}/{first.id}", data={"action": "delete"},
                       csrf=False).status_code == 400
    assert client.post(f"/referentiels/{key}/v1/publish", csrf=False).status_code == 400
    db.expire_all()
    v = version_of(db, key)
    assert not v.is_published
    assert [c.label for c in sorted(v.categories, key=lambda c: c.position)] == [
        "Technique", "Attitudes"]
    comp = v.competences[0]
    assert comp.translations["en"]["label"] == "Alpha (en)"
    assert client.post(f"/referentiels/{key}/v1/publish").status_code == 302
    db.expire_all()
    v = version_of(db, key)
    pkg = client.get(f"{CASE_BASE}/CFPackages/{v.identifier}").get_json()
    assert case.schema_errors(pkg) == []
    en_items = [i for i in pkg["CFItems"] if i.get("language") == "en"]
    assert [i["abbreviatedStatement"] for i in en_items] == ["Alpha (en)"]
    assert client.get(f"{CASE_BASE}/CFItems/{en_items[0]['identifier']}").status_code == 200
    fw = case.parse_package(json.dumps(pkg))
    assert fw.competences[0].translations["en"].description == "Defined in English"
    html = client.get(f"/referentiels/{key}/v1").get_data(as_text=True)
    assert "Alpha (en)" in html
    assert client.post(f"{base}/{first.id}", data={"action": "delete"}).status_code == 409


def test_oversized_upload_is_refused(client: Any, admin: Any, db: Any, org: Any) -> None:
    login_staff(client, admin)
    big = b'{"CFDocument": {}, "pad": "' + b"x" * (case.MAX_BYTES + 10) + b'"}'
    response = client.post("/referentiels/import", data={
        "file": (io.BytesIO(big), "big.json"), "title": "", "key": "", "owner": f"org:{org.id}",
    }, content_type="multipart/form-data")
    assert response.status_code in {413, 422}
    if response.status_code == 422:
        assert "trop volumineux" in response.get_data(as_text=True)
    assert counts(db) == (0, 0, 0)


def test_moving_categories_and_competences_changes_their_order(
    client: Any, make: Any, db: Any, org: Any
) -> None:
    net = make.network("ordre")
    login_staff(client, network_admin(make, db, org, net, "ordre@example.org"))
    assert _create(client, f"net:{net.id}", key="ordre").status_code == 302
    for label in ("Alpha", "Beta"):
        assert client.post("/referentiels/ordre/v1/categories",
                           data={"label": label, "code": ""}).status_code == 302
    v = version_of(db, "ordre")
    beta = next(c for c in v.categories if c.label == "Beta")
    assert client.post(f"/referentiels/ordre/v1/categories/{beta.id}",
                       data={"action": "up"}).status_code == 302
    db.expire_all()
    v = version_of(db, "ordre")
    assert [c.label for c in sorted(v.categories, key=lambda c: c.position)] == ["Beta", "Alpha"]
    cat = str(beta.id)
    assert _add(client, "ordre", "O1", "Premier", category=cat).status_code == 302
    assert _add(client, "ordre", "O2", "Second", category=cat).status_code == 302
    db.expire_all()
    second = next(c for c in version_of(db, "ordre").competences if c.code == "O2")
    assert client.post(f"/referentiels/ordre/v1/competences/{second.id}/move",
                       data={"direction": "up"}).status_code == 302
    db.expire_all()
    ordered = sorted(version_of(db, "ordre").competences, key=lambda c: c.position)
    assert [c.code for c in ordered] == ["O2", "O1"]
