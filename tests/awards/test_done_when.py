"""Issue #6 "done when", end to end on the demo install: a coach awards the demo group's badges
after the session, a participant with no e-mail redeems a claim code, and every credential the
CLI exports verifies with badger.ob3 and with the independent JavaScript stack."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from badger.awards.models import Achievement, Credential
from badger.demo import DEMO_COACH, DEMO_ORGANISATION_SLUG
from badger.grids.models import GroupSession
from badger.networks.models import Organisation
from badger.ob3 import baking
from badger.ob3.verify import verify_credential
from tests.awards import _interop


@pytest.mark.parametrize("marker", [pytest.param(0, marks=_interop.needs_node)])
def test_demo_session_award_claim_export_verify(app: Any, db: Any, resolver: Any,
                                                tmp_path: Path, marker: int) -> None:
    from badger import referentiels

    referentiels.load_shipped(db, referentiels.shipped_dir())
    db.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    # the demo also seeds a second member of its network (outcomes): take the demo organisation's
    demo_org = db.scalars(select(Organisation).filter_by(slug=DEMO_ORGANISATION_SLUG)).one()
    group = db.scalars(select(GroupSession).filter_by(organisation_id=demo_org.id)).one()
    ach = db.scalars(select(Achievement).filter_by(organisation_id=demo_org.id)).one()
    awarded = {c.participant_id for c in db.scalars(select(Credential))}
    rest = [p.id for p in group.participants if p.id not in awarded]
    assert rest, "the demo leaves participants to award"

    coach = app.test_client()
    login = coach.post("/login", data={"email": DEMO_COACH[0], "password": DEMO_COACH[2]})
    assert login.status_code == 302
    form = coach.get(f"/admin/sessions/{group.id}/award")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))
    assert token is not None
    done = coach.post(f"/admin/sessions/{group.id}/award", data={
        "csrf_token": token.group(1), "achievement_id": str(ach.id),
        "participant": [str(i) for i in rest], "level": "4",
        "observation": "A tenu son poste jusqu'au bout."})
    assert done.status_code == 200, done.get_data(as_text=True)[:800]
    codes = re.findall(r'class="claim-code">([^<]+)<', done.get_data(as_text=True))
    assert len(codes) == len(rest)  # demo participants have no e-mail: awards held as claims

    visitor = app.test_client()
    page = visitor.get("/claim")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    redeemed = visitor.post("/claim", data={"csrf_token": token.group(1), "code": codes[0],
                                            "kind": "phone", "value": "07 11 22 33 44"})
    assert redeemed.status_code == 200, redeemed.get_data(as_text=True)[:800]
    db.expire_all()
    issued = [c for c in db.scalars(select(Credential)) if c.state == "issued"]
    assert len(issued) == 3  # two from the demo, one just redeemed

    out = tmp_path / "export"
    slug = db.get(Organisation, group.organisation_id).slug
    result = runner.invoke(args=["export-credentials", "--org", slug, "--out", str(out)])
    assert result.exit_code == 0, result.output
    jwks = resolver.fetch_json(json.loads(issued[0].signed_json)["issuer"]["id"] + "/jwks.json")
    for cred in issued:
        blobs = {ext: (out / f"{cred.uuid}.{ext}").read_bytes()
                 for ext in ("json", "jwt", "png", "svg")}
        for ext, blob in blobs.items():
            assert verify_credential(blob, resolver=resolver).verified, ext
        for text in (blobs["json"].decode(), baking.unbake_png(blobs["png"]),
                     baking.unbake_svg(blobs["svg"])):
            doc = json.loads(text)
            out_js = _interop.js_verify_di(doc, _interop.public_documents(resolver, doc))
            assert out_js["verified"], out_js
        out_jwt = _interop.js_verify_jwt(blobs["jwt"].decode(), jwks)
        assert out_jwt["verified"] and out_jwt["claimsMatch"], out_jwt
