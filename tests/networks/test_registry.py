"""Server administrators, networks' known-issuer registries, and recognition on pages.

Over HTTP and the command line: a server administrator creates a network and names its
administrator (a network administrator cannot); each network publishes the organisations it
endorses as a DCC known-issuer registry (plain JSON and a credential signed by its key); the
verifier recognises a network only when a registry it trusts lists it. A fake network on a
loopback "other host", with its own keys, is told as a claim; once a trusted registry served by
that host lists it, as recognition.
"""

from __future__ import annotations

import copy
import html as htmllib
import json
import re
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from badger.accounts.models import NetworkAdmin, User
from badger.audit import AuditEvent
from badger.networks.models import Network
from badger.ob3 import KeyAlgorithm, generate_key, model, sign
from badger.ob3 import registry as reg
from badger.ob3.dataintegrity import verify_proof
from badger.ob3.dids import controller_document
from tests import loopback
from tests.conftest import login_staff
from tests.networks.conftest import make_network_admin
from tests.ob3._factory import credential

BASE = "http://localhost"
PASSWORD = "pw-" + "r" * 14
FAKE_NAME = "Région Normandie — Badgeons la Normandie (officiel)"
DCC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")


def _cli(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def _events(db: Any, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _count(db: Any, model_: Any) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model_)) or 0)


def _server_admin(app: Any, email: str = "root@server.example.org") -> None:
    result = _cli(app, "create-server-admin", "--email", email, "--name", "Root",
                  "--password", PASSWORD)
    assert result.exit_code == 0, result.output


def _login(client: Any, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def assert_dcc_shape(doc: Any) -> None:
    """Exactly the DCC's published registry shape: meta{created, updated} + registry keyed by
    issuer id, each entry name (+ url, location), nothing else."""
    assert set(doc) == {"meta", "registry"}
    assert set(doc["meta"]) == {"created", "updated"}
    assert all(DCC_TIME.match(doc["meta"][k]) for k in ("created", "updated")), doc["meta"]
    assert doc["meta"]["created"] <= doc["meta"]["updated"]
    for key, entry in doc["registry"].items():
        assert key.startswith(("https://", "http://", "did:"))
        assert set(entry) <= {"name", "location", "url"} and isinstance(entry["name"], str)
        assert all(isinstance(v, str) and v for v in entry.values())


# --------------------------------------------------------------------------- command line


def test_cli_creates_a_server_admin_a_listed_network_and_its_administrator(
    app: Any, db: Any
) -> None:
    _server_admin(app)
    root = db.scalars(select(User).where(User.email == "root@server.example.org")).one()
    assert root.server_admin and root.password_hash and root.password_hash != PASSWORD
    assert len(_events(db, "server.admin_created")) == 1
    weak = _cli(app, "create-server-admin", "--email", "x@y.example", "--name", "X",
                "--password", "short")
    assert weak.exit_code != 0 and _count(db, User) == 1

    result = _cli(app, "network", "create", "--slug", "reseau-normandie", "--name",
                  "Réseau Normandie", "--location", "Caen, France", "--url",
                  "https://reseau-normandie.example.fr")
    assert result.exit_code == 0, result.output
    assert f"{BASE}/networks/reseau-normandie/registry.json" in result.output
    net = db.scalars(select(Network)).one()
    assert net.listed and net.location == "Caen, France"
    (event,) = _events(db, "network.created")
    assert event.object_id == str(net.id) and event.actor_type == "system"
    keys = _cli(app, "network-keys", "list", "--network", "reseau-normandie")
    assert keys.exit_code == 0 and "active" in keys.output  # its key exists from the start

    for bad in (["--slug", "reseau-normandie", "--name", "Doublon"],
                ["--slug", "Pas Bon", "--name", "X"], ["--slug", "registry", "--name", "X"],
                ["--slug", "ok-slug", "--name", "X", "--url", "http://plain.example"]):
        refused = _cli(app, "network", "create", *bad)
        assert refused.exit_code != 0, bad
    assert _count(db, Network) == 1 and len(_events(db, "network.created")) == 1

    added = _cli(app, "network", "add-admin", "--network", "reseau-normandie", "--email",
                 "Coordination@Normandie.example.org", "--name", "Coordination")
    assert added.exit_code == 0, added.output
    assert re.search(r"invitation link \(works once\): http://localhost/\S+", added.output)
    user = db.scalars(select(User).where(User.email == "coordination@normandie.example.org")).one()
    assert user.password_hash is None and user.admin_network_ids() == {net.id}
    assert len(_events(db, "network.admin_added")) == 1
    again = _cli(app, "network", "add-admin", "--network", "reseau-normandie", "--email",
                 "coordination@normandie.example.org")
    assert again.exit_code != 0 and _count(db, NetworkAdmin) == 1
    unknown = _cli(app, "network", "add-admin", "--network", "nope", "--email", "a@b.example")
    assert unknown.exit_code != 0 and _count(db, NetworkAdmin) == 1


# --------------------------------------------------------------------------- server admin UI


def test_server_admin_creates_networks_over_http_and_no_one_else_can(
    app: Any, client: Any, make: Any, db: Any, participant_client: Any
) -> None:
    anon = app.test_client()
    assert anon.get("/admin/server").status_code == 302  # to the login page
    # a network administrator (not a server administrator) is refused everything
    other = make.network("reseau-existant")
    net_admin = make_network_admin(make, other, email="reseau@a.example.org")
    staff = app.test_client()
    login_staff(staff, net_admin)
    assert staff.get("/admin/server").status_code == 403
    assert staff.post("/admin/server", data={"slug": "pirate", "name": "Pirate"}).status_code \
        == 403
    assert staff.post(f"/admin/server/networks/{other.slug}/admins",
                      data={"email": "complice@x.example"}).status_code == 403
    assert participant_client.get("/admin/server").status_code == 403
    assert "/admin/server" not in staff.get("/admin/networks").get_data(as_text=True)
    assert _count(db, Network) == 1 and _count(db, NetworkAdmin) == 1

    _server_admin(app)
    _login(client, "root@server.example.org")
    page = client.get("/admin/server")
    assert page.status_code == 200 and "Créer un réseau" in page.get_data(as_text=True)
    assert "/admin/server" in client.get("/admin/networks").get_data(as_text=True)
    # refused writes: no CSRF token, a bad slug, a taken slug — each a clear 4xx, nothing written
    assert client.post("/admin/server", data={"slug": "n1", "name": "N"}, csrf=False) \
        .status_code == 400
    bad = client.post("/admin/server", data={"slug": "Avec Espaces", "name": "N"})
    assert bad.status_code == 400 and "lettres minuscules" in htmllib.unescape(
        bad.get_data(as_text=True))
    assert client.post("/admin/server", data={"slug": "reseau-existant", "name": "N"}) \
        .status_code == 409
    assert client.post("/admin/server", data={"slug": "n2", "name": "  "}).status_code == 400
    assert _count(db, Network) == 1

    created = client.post("/admin/server", data={
        "slug": "reseau-bretagne", "name": "Réseau Bretagne", "location": "Rennes, France",
        "url": "https://bretagne.example.fr", "description": "Insertion par le sport."})
    assert created.status_code == 302
    net = db.scalars(select(Network).where(Network.slug == "reseau-bretagne")).one()
    assert net.listed and net.location == "Rennes, France"
    root = db.scalars(select(User).where(User.email == "root@server.example.org")).one()
    (event,) = _events(db, "network.created")
    assert event.actor_id == root.id and event.object_id == str(net.id)

    invited = client.post("/admin/server/networks/reseau-bretagne/admins",
                          data={"email": "coord@bretagne.example.org", "name": "Coord"})
    assert invited.status_code == 200
    link = re.search(r'<code>(http://localhost/[^<]+)</code>', invited.get_data(as_text=True))
    assert link, invited.get_data(as_text=True)[:2000]
    coord = db.scalars(select(User).where(User.email == "coord@bretagne.example.org")).one()
    assert coord.admin_network_ids() == {net.id} and not coord.server_admin
    assert _events(db, "network.admin_added")[0].actor_id == root.id
    # the new administrator sets a password through the link, then manages the network only
    new = app.test_client()
    accepted = new.post("/" + link.group(1).split("/", 3)[3],
                        data={"password": PASSWORD, "confirm": PASSWORD})
    assert accepted.status_code in (200, 302)
    _login(new, "coord@bretagne.example.org")
    assert new.get("/admin/networks/reseau-bretagne").status_code == 200
    assert new.get("/admin/server").status_code == 403
    assert new.post("/admin/server", data={"slug": "n3", "name": "N"}).status_code == 403
    assert _count(db, Network) == 2

    # an existing account is attached without an invitation
    existing = client.post("/admin/server/networks/reseau-bretagne/admins",
                           data={"email": "reseau@a.example.org"})
    assert existing.status_code == 302
    assert _count(db, NetworkAdmin) == 3
    assert client.post("/admin/server/networks/inconnu/admins",
                       data={"email": "x@y.example"}).status_code == 404
    assert _count(db, NetworkAdmin) == 3


# --------------------------------------------------------------------------- published registries


def test_network_publishes_its_endorsed_members_as_a_dcc_registry_plain_and_signed(
    app: Any, make: Any, db: Any, org: Any
) -> None:
    from tests.networks.conftest import add_member

    net = make.network("reseau-a")
    add_member(make, net, org)
    demo = make.network("reseau-demo", listed=False)
    admin = make_network_admin(make, net, email="reseau@a.example.org")
    staff = app.test_client()
    login_staff(staff, admin)
    anon = app.test_client()

    empty = anon.get("/networks/reseau-a/registry.json")
    assert empty.status_code == 200 and empty.mimetype == "application/json"
    assert empty.headers["Access-Control-Allow-Origin"] == "*"
    assert_dcc_shape(empty.get_json()) or empty.get_json()["registry"] == {}
    assert empty.get_json()["registry"] == {}

    assert staff.post("/admin/networks/reseau-a/members/org-a/endorse",
                      data={"comment": "Membre actif."}).status_code == 302
    plain = anon.get("/networks/reseau-a/registry.json").get_json()
    assert_dcc_shape(plain)
    assert plain["registry"] == {f"{BASE}/issuers/org-a": {
        "name": org.name, "url": f"{BASE}/issuers/org-a"}}
    parsed = reg.parse_registry(plain, source="x")
    assert parsed.entry(f"{BASE}/issuers/org-a") is not None

    signed = anon.get("/networks/reseau-a/registry")
    assert signed.status_code == 200 and signed.mimetype == "application/vc+ld+json"
    doc = json.loads(signed.get_data(as_text=True))
    assert doc["issuer"]["id"] == f"{BASE}/networks/reseau-a"
    assert reg.registry_from_credential(doc) == plain
    from badger.resolver import app_resolver

    with app.app_context():
        resolver = app_resolver(app)
        assert verify_proof(doc, resolver).verified
        forged = copy.deepcopy(doc)
        reg.registry_from_credential(forged)["registry"]["https://evil.example/x"] = {"name": "X"}
        assert not verify_proof(forged, resolver).verified
        # re-signed with another key that claims to be the network's: not the network's key
        intruder = generate_key(KeyAlgorithm.ED25519)
        resigned = sign({k: v for k, v in forged.items() if k != "proof"}, intruder,
                        f"{BASE}/networks/reseau-a#{intruder.public_key_multibase()}")
        assert not verify_proof(resigned, resolver).verified

    # this server's registry of networks: listed networks only (the demo one is not)
    server = anon.get("/networks/registry.json").get_json()
    assert_dcc_shape(server)
    assert set(server["registry"]) == {f"{BASE}/networks/reseau-a"}
    assert demo.slug == "reseau-demo"

    before = plain["meta"]["updated"]
    assert staff.post("/admin/networks/reseau-a/members/org-a/withdraw").status_code == 302
    after = anon.get("/networks/reseau-a/registry.json").get_json()
    assert after["registry"] == {} and after["meta"]["updated"] >= before
    assert anon.get("/networks/nope/registry.json").status_code == 404
    public = anon.get("/networks/reseau-a", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/networks/reseau-a/registry.json"' in public
    assert 'href="/networks/reseau-a/registry"' in public


# --------------------------------------------------------------------------- recognition


def _fake_network_badge(site: loopback.Site) -> str:
    """A badge from an issuer on another host whose Profile embeds a genuine endorsement by a
    network on that host, signed with that network's own key, naming itself officially."""
    issuer_id, net_id = site.url("/issuers/asso"), site.url("/networks/normandie")
    ikey, nkey = generate_key(KeyAlgorithm.ED25519), generate_key(KeyAlgorithm.ED25519)
    site.put("/issuers/asso", controller_document(issuer_id, [ikey]))
    site.put("/networks/normandie", controller_document(net_id, [nkey]))
    endorsement = sign(model.endorsement_credential(
        id=site.url("/networks/normandie/endorsements/1"),
        issuer=model.profile(net_id, name=FAKE_NAME),
        name="Recommandation", endorsed_id=issuer_id, comment="Organisme officiel.",
        valid_from="2025-01-01T00:00:00Z",
    ), nkey, f"{net_id}#{nkey.public_key_multibase()}")
    doc = credential(issuer=issuer_id)
    doc["issuer"]["name"] = "Association Exemple"
    doc["issuer"]["endorsement"] = [endorsement]
    return json.dumps(sign(doc, ikey, f"{issuer_id}#{ikey.public_key_multibase()}"))


def _verify_page(client: Any, text: str) -> str:
    response = client.post("/verify", data={"text": text}, content_type="multipart/form-data")
    assert response.status_code == 200
    return htmllib.unescape(response.get_data(as_text=True))


def _registry_check(client: Any, text: str) -> tuple[bool, dict[str, Any]]:
    response = client.post("/credentials/verify", json={"verifiableCredential": json.loads(text)})
    body = response.get_json()
    checks = body["plain"]["checks"]
    # informational: never among the VC-API's errors
    assert all(e["name"] != "registry" for e in body["errors"])
    found = [c for c in checks if isinstance(c, dict) and c.get("name") == "registry"]
    assert found, body
    return response.status_code == 200, found[0]


def test_a_fake_network_is_a_claim_until_a_trusted_registry_lists_it(
    app: Any, client: Any
) -> None:
    with loopback.serve() as site:
        badge = _fake_network_badge(site)
        page = _verify_page(client, badge)
        assert "Badge authentique" in page  # the registry check is informational
        assert (f"L'organisme se dit recommandé par « <span dir=\"auto\">{FAKE_NAME}</span> », "
                "réseau inconnu de ce "
                "service.") in page
        assert "trust-claimed" in page and "icons/question.svg" in page
        assert "trust-recognised" not in page and "recommande cet organisme" not in page
        ok, check = _registry_check(client, badge)
        assert ok and (check["state"], check["code"]) == ("warning", "not_listed")

        # a trusted registry on another host that cannot be read: could not check, still genuine
        app.config["BADGER_TRUSTED_REGISTRIES"] = site.url("/missing.json")
        app.extensions.pop("badger.registries", None)
        ok, check = _registry_check(client, badge)
        assert ok and (check["state"], check["code"]) == ("warning", "registry_unreachable")
        assert "réseau inconnu de ce service" in _verify_page(client, badge)

        # a registry that does not have the DCC shape is not read
        site.put("/bad.json", {"registry": {site.url("/networks/normandie"): {"name": "X"}}})
        app.config["BADGER_TRUSTED_REGISTRIES"] = site.url("/bad.json")
        app.extensions.pop("badger.registries", None)
        assert "trust-recognised" not in _verify_page(client, badge)

        # the regional registry lists the network: recognition, under the registry's name
        site.put("/registry.json", reg.registry_document(
            [reg.RegistryEntry(site.url("/networks/normandie"), "Réseau Normandie (registre)")],
            created=datetime(2026, 1, 1).astimezone(), updated=datetime(2026, 1, 2).astimezone()))
        app.config["BADGER_TRUSTED_REGISTRIES"] = (
            f"{site.url('/missing.json')}, {site.url('/registry.json')}")
        app.extensions.pop("badger.registries", None)
        page = _verify_page(client, badge)
        assert "Reconnu par" in page and "trust-recognised" in page
        assert ('<span dir="auto">Réseau Normandie (registre)</span> recommande cet organisme.'
                in page)
        assert "réseau inconnu de ce service" not in page
        ok, check = _registry_check(client, badge)
        assert ok and (check["state"], check["code"]) == ("passed", "network_listed")
        assert site.hits["/registry.json"] == 1  # fetched once, then kept (TTL)


def test_a_signed_registry_counts_only_when_its_owner_signed_it(app: Any, client: Any) -> None:
    with loopback.serve() as site:
        badge = _fake_network_badge(site)
        owner = site.url("/regions/normandie")
        okey, other = generate_key(KeyAlgorithm.ED25519), generate_key(KeyAlgorithm.ED25519)
        site.put("/regions/normandie", controller_document(owner, [okey]))
        doc = reg.registry_document(
            [reg.RegistryEntry(site.url("/networks/normandie"), "Réseau Normandie (registre)")],
            created=datetime(2026, 1, 1).astimezone(), updated=datetime(2026, 1, 2).astimezone())
        unsigned = reg.registry_credential(
            doc, id=site.url("/regions/normandie/registry"), issuer=owner,
            registry_url=site.url("/regions/normandie/registry.json"),
            valid_from=datetime(2026, 1, 2).astimezone())
        site.put("/forged", sign(unsigned, other, f"{owner}#{other.public_key_multibase()}"))
        site.put("/signed", sign(unsigned, okey, f"{owner}#{okey.public_key_multibase()}"))
        app.config["BADGER_TRUSTED_REGISTRIES"] = site.url("/forged")
        ok, check = _registry_check(client, badge)
        assert (check["state"], check["code"]) == ("warning", "registry_unreachable") and ok
        # the same registry, validly signed by its owner, but served by another host: not the
        # serving host's word
        with loopback.serve() as other_site:
            other_site.put("/signed",
                           sign(unsigned, okey, f"{owner}#{okey.public_key_multibase()}"))
            app.config["BADGER_TRUSTED_REGISTRIES"] = other_site.url("/signed")
            app.extensions.pop("badger.registries", None)
            ok, check = _registry_check(client, badge)
            assert (check["state"], check["code"]) == ("warning", "registry_unreachable")
        app.config["BADGER_TRUSTED_REGISTRIES"] = site.url("/signed")
        app.extensions.pop("badger.registries", None)
        ok, check = _registry_check(client, badge)
        assert (check["state"], check["code"]) == ("passed", "network_listed")


@pytest.mark.parametrize("listed", [True, False])
def test_this_servers_network_is_recognised_only_when_listed(
    app: Any, make: Any, org: Any, client: Any, listed: bool
) -> None:
    """A bare endorsement by one of this server's networks, on /verify."""
    from tests.networks.conftest import add_member

    net = make.network("reseau-a", listed=listed)
    net.name = "Réseau régional A"
    make.db.commit()
    add_member(make, net, org)
    staff = app.test_client()
    login_staff(staff, make_network_admin(make, net, email="reseau@a.example.org"))
    assert staff.post("/admin/networks/reseau-a/members/org-a/endorse",
                      data={"comment": "Membre actif."}).status_code == 302
    page = staff.get("/networks/reseau-a", headers={"Accept": "text/html"})
    uuid = page.get_data(as_text=True).split("/endorsements/", 1)[1][:36]
    text = app.test_client().get(f"/networks/reseau-a/endorsements/{uuid}").get_data(
        as_text=True)
    html = _verify_page(client, text)
    ok, check = _registry_check(client, text)
    assert ok
    if listed:
        assert "Réseau reconnu par ce service" in html and "trust-claimed" not in html
        assert (check["state"], check["code"]) == ("passed", "endorser_listed")
    else:
        assert "Réseau inconnu de ce service" in html and "trust-recognised" not in html
        assert (check["state"], check["code"]) == ("warning", "not_listed")


def test_share_page_tells_an_imported_badges_unknown_network_as_a_claim(
    app: Any, db: Any, make: Any, org: Any
) -> None:
    """A participant imports (over HTTP) the loopback issuer's badge, issued to their e-mail,
    and shares it: the share page tells the fake network as a claim, then as recognition
    once a trusted registry lists it."""
    from tests.conftest import login_participant
    from tests.holders._helpers import prove
    from tests.ob3._factory import EMAIL
    from tests.portfolio.test_shares import path_of

    person = make.participant(org, "Ana", email=EMAIL)
    prove(db, person, EMAIL)  # only a badge issued to a proven identity is imported
    with loopback.serve() as site:
        badge = _fake_network_badge(site)
        pc = app.test_client()
        login_participant(pc, make, person)
        imported = pc.post("/portfolio/import", data={"text": badge},
                           content_type="multipart/form-data")
        assert imported.status_code == 302, imported.get_data(as_text=True)[:1000]
        page = pc.get("/portfolio/shares").get_data(as_text=True)
        import_id = re.search(r'name="imported" value="(\d+)"', page)
        assert import_id, page[:3000]
        made = pc.post("/portfolio/shares", data={"label": "entretien", "days": "30",
                                                   "imported": import_id.group(1)})
        assert made.status_code == 302
        detail = pc.get(made.headers["Location"]).get_data(as_text=True)
        link = re.search(r'<code id="share-link">([^<]+)</code>', detail)
        assert link
        employer = app.test_client()
        share = htmllib.unescape(employer.get(path_of(link.group(1))).get_data(as_text=True))
        assert (f"L'organisme se dit recommandé par « <span dir=\"auto\">{FAKE_NAME}</span> », "
                "réseau inconnu de ce "
                "service.") in share
        assert "trust-recognised" not in share and "Reconnu par" not in share
        # the issuer's name is only its own word: the page says so and shows its address
        assert "Ce nom est celui que l'organisme se donne ; son adresse :" in share
        assert site.url("/") in share

        site.put("/registry.json", reg.registry_document(
            [reg.RegistryEntry(site.url("/networks/normandie"), "Réseau Normandie (registre)")],
            created=datetime(2026, 1, 1).astimezone(), updated=datetime(2026, 1, 2).astimezone()))
        app.config["BADGER_TRUSTED_REGISTRIES"] = site.url("/registry.json")
        share = htmllib.unescape(employer.get(path_of(link.group(1))).get_data(as_text=True))
        assert "Reconnu par le réseau" in share and "Réseau Normandie (registre)" in share
        assert "réseau inconnu de ce service" not in share
