"""``badger demo`` issues a few credentials, one of them held as a claim code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from badger.awards.models import Credential


def test_demo_issues_credentials(app: Any, db: Any, resolver: Any) -> None:
    from badger import referentiels

    referentiels.load_shipped(db, referentiels.shipped_dir())
    db.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "claim code for" in result.output
    creds = db.scalars(select(Credential)).all()
    assert {c.state for c in creds} == {"issued", "claim_pending"}
    from badger.ob3.verify import verify_credential

    for c in creds:
        if c.state == "issued":
            assert verify_credential(c.baked_png, resolver=resolver).verified
    # the alignment URLs written into credentials resolve to the référentiel's CASE objects
    import json

    issued = next(c for c in creds if c.state == "issued")
    doc = json.loads(issued.signed_json)
    urls = [a["targetUrl"] for a in doc["credentialSubject"]["achievement"]["alignment"]]
    urls += [a["targetUrl"] for a in doc["credentialSubject"]["result"][0]["alignment"]]
    assert len(urls) == 3
    client = app.test_client()
    for url in urls:
        assert client.get(url.removeprefix("http://localhost")).status_code == 200, url
    # the demo's network is listed in this server's registry, as a real one an administrator
    # creates: its endorsement of the demo organisation reads as recognition on /verify
    registry = client.get("/networks/registry.json").get_json()
    assert "http://localhost/networks/reseau-demo" in registry["registry"]
    page = client.post("/verify", data={"text": issued.signed_json}).get_data(as_text=True)
    assert "Reconnu par" in page and "réseau inconnu de ce service" not in page
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    db.expire_all()
    assert len(db.scalars(select(Credential)).all()) == len(creds)
