"""An import never replaces — nor reaches — a draft of another owner (issue #12, point 1).

Draft identifiers are predictable: a CSV's is the UUIDv5 of its title's key, a CASE package
names its own. An organisation admin who uploads a file whose identifier is another
organisation's or a network's draft gets 409 with a clear message in the UI language, and the
draft stays exactly as it was; the same holds for the command line, from a file or a URL. A
draft of the same owner is still replaced (re-importing a corrected spreadsheet).
"""

from __future__ import annotations

import io
import json
from html import unescape
from typing import Any

import httpx
import pytest

from badger import referentiels as service
from badger.referentiels import case
from badger.referentiels.models import ReferentielVersion
from tests.conftest import login_staff
from tests.referentiels.test_cli import fake_dns, fake_http
from tests.referentiels.test_views import counts

TITLE = "Grille commune"
VICTIM_CSV = "code;label\nV1;Savoir écouter\nV2;Tenir un délai\n"
HOSTILE_CSV = "code;label\nV1;Écrasé\nV9;Ajouté par un autre\n"
REFUSED_FR = "Un brouillon d'un autre propriétaire porte déjà cet identifiant de document"
REFUSED_EN = "A draft of another owner already has this document identifier"


def _victim_draft(db: Any, **owner: int) -> ReferentielVersion:
    fw = case.parse_csv(VICTIM_CSV, title=TITLE, creator="victime")
    version, changed = service.import_framework(db, fw, publish=False, **owner)
    db.commit()
    assert changed and not version.is_published
    return version


def _state(db: Any, version: ReferentielVersion) -> tuple[Any, ...]:
    db.expire_all()
    v = db.get(ReferentielVersion, version.id)
    ref = v.referentiel
    return (ref.key, ref.network_id, ref.organisation_id, ref.title, v.title,
            [(c.code, c.label) for c in v.competences], counts(db))


def _upload(client: Any, org: Any, payload: str, name: str, title: str = TITLE) -> Any:
    return client.post("/referentiels/import", data={
        "file": (io.BytesIO(payload.encode("utf-8")), name), "title": title, "key": "",
        "owner": f"org:{org.id}"}, content_type="multipart/form-data")


def _hostile_package(version: ReferentielVersion) -> str:
    """The victim's own CASE package, one label changed: same document identifier."""
    text, _mime, _name = service.export(version, "case")
    pkg = json.loads(text)
    competence = next(i for i in pkg["CFItems"] if i.get("humanCodingScheme") == "V1")
    competence["abbreviatedStatement"] = competence["fullStatement"] = "Écrasé par un autre"
    return json.dumps(pkg)


@pytest.fixture(params=["organisation", "network"])
def victim(request: Any, make: Any, db: Any) -> ReferentielVersion:
    if request.param == "organisation":
        org_b = make.organisation("org-b", "Organisation B")
        return _victim_draft(db, organisation_id=org_b.id)
    net = make.network("reseau-b")
    return _victim_draft(db, network_id=net.id)


@pytest.mark.parametrize("fmt", ["csv", "case", "csv-identical"])
def test_org_admin_cannot_overwrite_another_owners_draft(
    fmt: str, victim: ReferentielVersion, client: Any, admin: Any, org: Any, db: Any
) -> None:
    before = _state(db, victim)
    if fmt == "case":
        payload, name = _hostile_package(victim), "grille.json"
    else:
        payload, name = (VICTIM_CSV if fmt == "csv-identical" else HOSTILE_CSV), "grille.csv"
    login_staff(client, admin)

    response = _upload(client, org, payload, name)
    assert response.status_code == 409, response.get_data(as_text=True)[:800]
    assert REFUSED_FR in unescape(response.get_data(as_text=True))
    assert _state(db, victim) == before

    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 302
    response = _upload(client, org, payload, name)
    assert response.status_code == 409
    page = unescape(response.get_data(as_text=True))
    assert REFUSED_EN in page and REFUSED_FR not in page
    assert _state(db, victim) == before
    # the refused draft's edit page stays out of reach too
    assert client.get(f"/referentiels/{victim.referentiel.key}/v1/edit").status_code in (403, 404)


def test_network_admin_cannot_overwrite_an_organisations_draft(
    client: Any, make: Any, db: Any, org: Any
) -> None:
    from tests.referentiels.test_views import network_admin

    org_b = make.organisation("org-b", "Organisation B")
    victim = _victim_draft(db, organisation_id=org_b.id)
    before = _state(db, victim)
    net = make.network("reseau-a")
    user = network_admin(make, db, org, net, "net@a.example.org")
    login_staff(client, user)
    response = client.post("/referentiels/import", data={
        "file": (io.BytesIO(HOSTILE_CSV.encode()), "g.csv"), "title": TITLE, "key": "",
        "owner": f"net:{net.id}"}, content_type="multipart/form-data")
    assert response.status_code == 409
    assert _state(db, victim) == before


def test_same_owner_still_replaces_its_draft(client: Any, admin: Any, org: Any, db: Any) -> None:
    login_staff(client, admin)
    assert _upload(client, org, VICTIM_CSV, "g.csv").status_code == 302
    response = _upload(client, org, HOSTILE_CSV, "g.csv")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    version = service.get_version(db, case.slugify(TITLE), 1)
    assert version is not None and version.referentiel.organisation_id == org.id
    assert [(c.code, c.label) for c in version.competences] == [
        ("V1", "Écrasé"), ("V9", "Ajouté par un autre")]
    assert counts(db) == (1, 1, 2)


def test_cli_file_import_refuses_another_owners_draft(
    app: Any, make: Any, db: Any, org: Any, tmp_path: Any
) -> None:
    org_b = make.organisation("org-b", "Organisation B")
    victim = _victim_draft(db, organisation_id=org_b.id)
    before = _state(db, victim)
    runner = app.test_cli_runner()
    package = tmp_path / "grille.json"
    package.write_text(_hostile_package(victim), encoding="utf-8")
    sheet = tmp_path / "grille.csv"
    sheet.write_text(HOSTILE_CSV, encoding="utf-8")
    for args in (
        [str(package), "--organisation", org.slug, "--draft"],
        [str(package)],  # no owner (a shipped référentiel) is another owner too
        [str(sheet), "--title", TITLE, "--organisation", org.slug, "--draft"],
    ):
        result = runner.invoke(args=["referentiel", "import", *args])
        assert result.exit_code != 0, (args, result.output)
        assert REFUSED_FR in result.output, result.output
        assert _state(db, victim) == before
    # its own owner may
    ok = runner.invoke(args=["referentiel", "import", str(package), "--organisation",
                             org_b.slug, "--draft"])
    assert ok.exit_code == 0, ok.output
    db.expire_all()
    assert "Écrasé par un autre" in [c.label for c in db.get(
        ReferentielVersion, victim.id).competences]


def test_cli_url_import_refuses_another_owners_draft(
    app: Any, make: Any, db: Any, org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["BADGER_ALLOW_PRIVATE_FETCH"] = False
    net = make.network("reseau-b")
    victim = _victim_draft(db, network_id=net.id)
    before = _state(db, victim)
    body = _hostile_package(victim).encode("utf-8")
    fake_dns(monkeypatch, {"case.example.org": ["93.184.216.34"]})
    seen = fake_http(monkeypatch, lambda request: httpx.Response(200, content=body))
    result = app.test_cli_runner().invoke(args=[
        "referentiel", "import", "https://case.example.org/grille.json",
        "--organisation", org.slug, "--draft"])
    assert len(seen) == 1
    assert result.exit_code != 0 and REFUSED_FR in result.output, result.output
    assert _state(db, victim) == before
