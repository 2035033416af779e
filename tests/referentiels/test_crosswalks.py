"""Crosswalks to recruiters' words over HTTP and the database: the shipped APELS – France
Travail – ESCO links load at init (all marked as badger's proposals), network admins edit
their own référentiel's links (CSRF, audit, isolation), the CASE package publishes them as
valid CFAssociations with their provenance, and share pages show them beside the competence."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from badger import referentiels as service
from badger.audit import AuditEvent
from badger.referentiels import case, crosswalks
from badger.referentiels.cli import on_init
from badger.referentiels.models import Crosswalk, Referentiel
from tests.conftest import login_staff
from tests.referentiels.test_views import _add, network_admin, version_of

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_FILE = ROOT / "referentiels" / "crosswalks" / "apels-france-travail-esco.json"
CASE_BASE = "/ims/case/v1p0"
ESCO_STRESS = "http://data.europa.eu/esco/skill/7a147904-22b3-498a-b4d9-7bceeb86b45d"
ESCO_CSV = Path("/work/shared/referentiels/esco/transversalSkillsCollection_en.csv")


@pytest.fixture
def shipped(app: Any, db: Any) -> None:
    on_init(db, app)
    db.commit()


def _count(db: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(Crosswalk)))


def _doc_id(key: str) -> str:
    return str(json.loads((ROOT / "referentiels" / f"{key}.json").read_text("utf-8"))
               ["CFDocument"]["identifier"])


# --------------------------------------------------------------------------- shipped file


def test_shipped_file_is_honest_and_points_at_real_competences() -> None:
    data = json.loads(SHIPPED_FILE.read_text("utf-8"))
    codes = {}
    for key in ("apels-sport", "france-travail-savoir-etre-2018",
                "france-travail-rome4-savoir-etre"):
        pkg = json.loads((ROOT / "referentiels" / f"{key}.json").read_text("utf-8"))
        codes[key] = {i.get("humanCodingScheme") for i in pkg["CFItems"]}
    assert len(data["mappings"]) >= 60
    for m in data["mappings"]:
        assert m["from"]["code"] in codes[m["from"]["referentiel"]]
        if "referentiel" in m["to"]:
            assert m["to"]["code"] in codes[m["to"]["referentiel"]]
        else:
            assert m["to"]["esco"].startswith("http://data.europa.eu/esco/skill/")
            assert m["to"]["label"]["en"]
        assert m["relation"] in ("exactMatchOf", "isRelatedTo")
        # no published crosswalk between these lists exists: every link is badger's proposal
        assert m["provenance"]["kind"] == "proposal" and m["provenance"]["note"]
    if ESCO_CSV.exists():  # the ESCO labels are the CSV's preferred labels, URI for URI
        import csv

        with ESCO_CSV.open(encoding="utf-8") as fh:
            labels = {r["conceptUri"]: r["preferredLabel"] for r in csv.DictReader(fh)}
        for m in data["mappings"]:
            if "esco" in m["to"]:
                assert labels[m["to"]["esco"]] == m["to"]["label"]["en"]


def test_init_loads_the_shipped_links_idempotently(app: Any, db: Any, shipped: None) -> None:
    n = len(json.loads(SHIPPED_FILE.read_text("utf-8"))["mappings"])
    assert _count(db) == n
    stamps = sorted((cw.identifier, cw.updated_at) for cw in db.scalars(select(Crosswalk)))
    on_init(db, app)
    db.commit()
    assert sorted((cw.identifier, cw.updated_at) for cw in db.scalars(select(Crosswalk))) \
        == stamps
    apels = db.scalars(select(Referentiel).filter_by(key="apels-sport")).one()
    stress = [cw for cw in crosswalks.mappings(db, apels) if cw.source_code == "APELS-15"]
    assert {(cw.target_key or cw.target_uri, cw.relation) for cw in stress} == {
        ("france-travail-savoir-etre-2018", "exactMatchOf"),
        ("france-travail-rome4-savoir-etre", "exactMatchOf"),
        (ESCO_STRESS, "isRelatedTo"),
    }
    assert all(cw.shipped and cw.provenance_kind == "proposal" for cw in stress)


def test_loader_refuses_a_sourced_link_without_its_source(app: Any, db: Any, shipped: None,
                                                          tmp_path: Path) -> None:
    data = json.loads(SHIPPED_FILE.read_text("utf-8"))
    data["mappings"][0]["provenance"] = {"kind": "sourced", "source": "", "note": "x"}
    (tmp_path / "bad.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(ValueError, match="without a source"):
        crosswalks.load_shipped(db, tmp_path)
    # a file that drops a link removes it at the next load (the shipped links are the files')
    data = json.loads(SHIPPED_FILE.read_text("utf-8"))
    dropped = data["mappings"].pop(0)
    (tmp_path / "bad.json").write_text(json.dumps(data), "utf-8")
    gone = crosswalks.crosswalk_id(dropped["from"]["referentiel"], dropped["from"]["code"],
                                   dropped["to"].get("referentiel", ""),
                                   dropped["to"].get("code", ""), dropped["to"].get("esco", ""))
    assert gone in {cw.identifier for cw in db.scalars(select(Crosswalk))}
    assert crosswalks.load_shipped(db, tmp_path) == 1
    assert _count(db) == len(data["mappings"])
    assert gone not in {cw.identifier for cw in db.scalars(select(Crosswalk))}


# --------------------------------------------------------------------------- CASE package


def test_package_publishes_the_links_as_valid_case_associations(client: Any, db: Any,
                                                                 shipped: None) -> None:
    response = client.get(f"{CASE_BASE}/CFPackages/{_doc_id('apels-sport')}")
    assert response.status_code == 200
    pkg = response.get_json()
    assert case.schema_errors(pkg) == []
    groupings = {g["identifier"]: g for g in pkg["CFDefinitions"]["CFAssociationGroupings"]}
    items = {i["identifier"]: i for i in pkg["CFItems"]}
    stress = next(i for i in pkg["CFItems"] if i.get("humanCodingScheme") == "APELS-15")
    links = [a for a in pkg["CFAssociations"]
             if a["originNodeURI"]["identifier"] == stress["identifier"]
             and a["associationType"] in ("exactMatchOf", "isRelatedTo")
             and groupings[a["CFAssociationGroupingURI"]["identifier"]]["description"]
             .startswith("badger:crosswalk:")]
    by_title = {a["destinationNodeURI"]["title"]: a for a in links}
    assert set(by_title) == {"Gestion du stress", "Gérer son stress", "cope with pressure"}
    esco = by_title["cope with pressure"]
    assert esco["associationType"] == "isRelatedTo"
    assert esco["destinationNodeURI"] == {
        "title": "cope with pressure", "identifier": "7a147904-22b3-498a-b4d9-7bceeb86b45d",
        "uri": ESCO_STRESS}
    ft = by_title["Gestion du stress"]
    assert ft["associationType"] == "exactMatchOf"
    # the target is France Travail's competence, served by this badger
    assert ft["destinationNodeURI"]["uri"].endswith(
        f"/CFItems/{ft['destinationNodeURI']['identifier']}")
    assert client.get(ft["destinationNodeURI"]["uri"].replace("http://localhost", "")
                      ).get_json()["abbreviatedStatement"] == "Gestion du stress"
    # provenance kept in the grouping (CASE 1.0 has no notes on associations)
    grouping = groupings[esco["CFAssociationGroupingURI"]["identifier"]]
    assert grouping["description"].startswith("badger:crosswalk:proposal")
    assert "pression" in grouping["description"]
    assert "non sourcée" in grouping["title"]
    assert stress["identifier"] in items
    # stable identifiers, and each resolves at its own URI
    again = client.get(f"{CASE_BASE}/CFPackages/{_doc_id('apels-sport')}").get_json()
    assert [a["identifier"] for a in again["CFAssociations"]] == \
        [a["identifier"] for a in pkg["CFAssociations"]]
    one = client.get(f"{CASE_BASE}/CFAssociations/{esco['identifier']}")
    assert one.status_code == 200
    assert one.get_json()["destinationNodeURI"]["uri"] == ESCO_STRESS
    # the downloaded CASE file carries them too
    download = client.get("/referentiels/apels-sport/v1/export.json").get_json()
    assert esco["identifier"] in {a["identifier"] for a in download["CFAssociations"]}
    # re-importing the served package changes nothing (the links stay beside the version)
    version, changed = service.import_framework(db, case.parse_package(response.data))
    assert not changed and version.identifier == _doc_id("apels-sport")


def test_package_etag_follows_the_links(client: Any, db: Any, shipped: None) -> None:
    url = f"{CASE_BASE}/CFPackages/{_doc_id('france-travail-savoir-etre-2018')}"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    ft = db.scalars(select(Referentiel).filter_by(key="france-travail-savoir-etre-2018")).one()
    cw = next(cw for cw in crosswalks.mappings(db, ft) if cw.source_code == "FT18-12")
    crosswalks.delete_mapping(db, cw)
    db.commit()
    second = client.get(url, headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.headers["ETag"] != etag
    assert cw.identifier not in {a["identifier"] for a in second.get_json()["CFAssociations"]}
    assert cw.identifier in {a["identifier"] for a in first.get_json()["CFAssociations"]}


# --------------------------------------------------------------------------- editor


def _network_referentiel(client: Any, make: Any, db: Any, org: Any, slug: str) -> tuple[Any, str]:
    net = make.network(slug)
    user = network_admin(make, db, org, net, f"admin@{slug}.example.org")
    login_staff(client, user)
    key = f"{slug}-savoir-etre"
    assert client.post("/referentiels/new", data={
        "title": "Savoir-être du réseau", "key": key, "owner": f"net:{net.id}",
        "description": ""}).status_code == 302
    assert _add(client, key, "N1", "Garder son calme").status_code == 302
    assert _add(client, key, "N2", "Venir à chaque séance").status_code == 302
    assert client.post(f"/referentiels/{key}/v1/publish").status_code == 302
    return user, key


def _form(**extra: str) -> dict[str, str]:
    return {"source_code": "N1", "target": ESCO_STRESS, "target_label": "cope with pressure",
            "target_language": "en", "relation": "isRelatedTo", "provenance_kind": "proposal",
            "provenance_source": "", "provenance_note": "", **extra}


def test_network_admin_adds_changes_and_removes_links(client: Any, make: Any, db: Any,
                                                      org: Any, shipped: None) -> None:
    user, key = _network_referentiel(client, make, db, org, "voile")
    page = f"/referentiels/{key}/crosswalks"
    assert client.get(page).status_code == 200
    # "sourced" without a source is refused: a link nobody published is a proposal
    refused = client.post(page, data=_form(provenance_kind="sourced"))
    assert refused.status_code == 400
    assert "Sans source, c'est une proposition" in unescape(refused.get_data(as_text=True))
    # an unknown target, a competence of another référentiel that does not exist
    assert client.post(page, data=_form(target="france-travail-savoir-etre-2018:NOPE")
                       ).status_code == 400
    assert _count_for(db, key) == 0

    assert client.post(page, data=_form(provenance_note="Calme = pression")).status_code == 302
    assert client.post(page, data=_form(
        source_code="N2", target="france-travail-rome4-savoir-etre:ROME4-SE-15",
        relation="isRelatedTo", provenance_kind="sourced",
        provenance_source="Guide du réseau, 2025, p. 12")).status_code == 302
    assert client.post(page, data=_form()).status_code == 409  # the same link twice
    # an ESCO skill another link already names: its label is taken from there
    assert client.post(page, data=_form(
        source_code="N2", target="http://data.europa.eu/esco/skill/113b4428-0a31-4199-8496-"
        "070af7854b91", target_label="")).status_code == 302
    assert client.post(page, data=_form(
        source_code="N2", target="http://data.europa.eu/esco/skill/unknown-to-badger",
        target_label="")).status_code == 400
    rows = crosswalks.mappings(db, db.scalars(select(Referentiel).filter_by(key=key)).one())
    assert [(cw.source_code, cw.provenance_kind) for cw in rows] == [
        ("N1", "proposal"), ("N2", "sourced"), ("N2", "proposal")]
    assert rows[2].target_labels == {"en": "meet commitments"}

    listing = unescape(client.get(page).get_data(as_text=True))
    assert "cope with pressure" in listing and "Respecter ses engagements" in listing
    assert "Guide du réseau, 2025, p. 12" in listing and "Proposition" in listing

    edit = f"{page}/{rows[0].id}"
    assert client.get(edit).status_code == 200
    assert client.post(edit, data=_form(relation="exactMatchOf")).status_code == 302
    db.expire_all()
    assert db.get(Crosswalk, rows[0].id).relation == "exactMatchOf"
    assert client.post(f"{edit}/delete").status_code == 302
    assert _count_for(db, key) == 2

    actions = [e.action for e in db.scalars(
        select(AuditEvent).where(AuditEvent.action.like("referentiel.crosswalk_%"))
        .order_by(AuditEvent.id))]
    assert actions == ["referentiel.crosswalk_added"] * 3 + [
        "referentiel.crosswalk_changed", "referentiel.crosswalk_removed"]
    assert all(e.actor_id == user.id for e in db.scalars(
        select(AuditEvent).where(AuditEvent.action.like("referentiel.crosswalk_%"))))

    # the published package now carries the network's link, its source in the grouping
    v = version_of(db, key)
    pkg = client.get(f"{CASE_BASE}/CFPackages/{v.identifier}").get_json()
    assert case.schema_errors(pkg) == []
    sourced = [g for g in pkg["CFDefinitions"]["CFAssociationGroupings"]
               if g["description"].startswith("badger:crosswalk:sourced")]
    assert len(sourced) == 1 and "Guide du réseau, 2025, p. 12" in sourced[0]["title"]


def _count_for(db: Any, key: str) -> int:
    ref = db.scalars(select(Referentiel).filter_by(key=key)).one()
    return len(crosswalks.mappings(db, ref))


def test_links_need_a_csrf_token(client: Any, make: Any, db: Any, org: Any,
                                 shipped: None) -> None:
    _user, key = _network_referentiel(client, make, db, org, "csrf")
    response = client.post(f"/referentiels/{key}/crosswalks", data=_form(), csrf=False)
    assert response.status_code == 400
    assert _count_for(db, key) == 0


def test_another_network_cannot_edit_the_links(client: Any, make: Any, db: Any, org: Any,
                                               shipped: None) -> None:
    _user, key = _network_referentiel(client, make, db, org, "alpha")
    assert client.post(f"/referentiels/{key}/crosswalks", data=_form()).status_code == 302
    ident = crosswalks.mappings(db, db.scalars(select(Referentiel).filter_by(key=key)).one())[0]
    client.post("/logout")
    other_org = make.organisation("beta-org")
    other = network_admin(make, db, other_org, make.network("beta"), "admin@beta.example.org")
    login_staff(client, other)
    page = f"/referentiels/{key}/crosswalks"
    listing = client.get(page)  # published: anyone reads the links, without the edit form
    assert listing.status_code == 200 and "Ajouter une correspondance" not in \
        listing.get_data(as_text=True)
    assert client.post(page, data=_form(source_code="N2")).status_code == 403
    assert client.get(f"{page}/{ident.id}").status_code == 403
    assert client.post(f"{page}/{ident.id}", data=_form(relation="exactMatchOf")
                       ).status_code == 403
    assert client.post(f"{page}/{ident.id}/delete").status_code == 403
    # nobody edits the shipped référentiels' links (they come from the shipped file)
    assert client.post("/referentiels/apels-sport/crosswalks",
                       data=_form(source_code="APELS-01")).status_code == 403
    assert _count_for(db, key) == 1


def test_a_derived_referentiel_takes_over_the_links(client: Any, make: Any, db: Any, org: Any,
                                                    shipped: None) -> None:
    net = make.network("derive")
    login_staff(client, network_admin(make, db, org, net, "admin@derive.example.org"))
    response = client.post("/referentiels/apels-sport/v1/derive", data={
        "title": "Sport du réseau", "key": "sport-reseau", "owner": f"net:{net.id}"})
    assert response.status_code == 302
    page = client.get("/referentiels/sport-reseau/crosswalks").get_data(as_text=True)
    assert "Reprendre ses correspondances" in page
    assert client.post("/referentiels/sport-reseau/crosswalks/copy").status_code == 302
    apels = db.scalars(select(Referentiel).filter_by(key="apels-sport")).one()
    assert _count_for(db, "sport-reseau") == len(crosswalks.mappings(db, apels))
    assert client.post("/referentiels/sport-reseau/crosswalks/copy").status_code == 302
    assert _count_for(db, "sport-reseau") == len(crosswalks.mappings(db, apels))  # no twice
