"""Photolangage: the coach's picker on a round (no JavaScript needed), the chosen picture written
in the round's notes and shown back, and the pictures a network administrator adds (re-encoded,
size-limited, never SVG, seen only by the network's member organisations)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import render_template_string
from flask_login import login_user
from PIL import Image
from sqlalchemy import select

from badger.accounts.models import NetworkAdmin
from badger.grids.photo_models import NetworkPicture, PictureChoice
from badger.grids.photolangage import SHIPPED
from badger.networks.models import NetworkMembership
from tests.conftest import login_participant, login_staff
from tests.grids._factory import journey_round, published_version

ROOT = Path(__file__).resolve().parents[2]
FR = {"Accept-Language": "fr"}


@pytest.fixture
def rnd(db: Any, make: Any, org: Any, admin: Any, participant: Any) -> Any:
    version = published_version(db)
    r = journey_round(db, org, participant, admin, version, n=3)
    db.commit()
    return r


def _png(size: tuple[int, int] = (40, 30), fmt: str = "PNG", noise: bool = False) -> bytes:
    img = Image.new("RGB", size, (200, 40, 40))
    if noise:
        img = Image.frombytes("RGB", size, __import__("os").urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    img.save(out, format=fmt)
    return out.getvalue()


def test_the_shipped_bank_has_a_labelled_file_for_every_picture() -> None:
    folder = ROOT / "static" / "photolangage"
    assert {p.stem for p in folder.glob("*.svg")} == set(SHIPPED)
    assert len(SHIPPED) >= 24


def test_the_picker_works_without_javascript(client: Any, admin: Any, rnd: Any) -> None:
    login_staff(client, admin)
    page = client.get(f"/rounds/{rnd.id}", headers=FR).get_data(as_text=True)
    assert f'href="/rounds/{rnd.id}/photolangage"' in page
    html = client.get(f"/rounds/{rnd.id}/photolangage", headers=FR).get_data(as_text=True)
    links = re.findall(rf'href="/rounds/{rnd.id}/photolangage\?show=([a-z0-9-]+)"', html)
    assert set(links) == set(SHIPPED)
    assert "Être en retard" in html and "js/photolangage.js" in html
    shown = client.get(f"/rounds/{rnd.id}/photolangage?show=late", headers=FR)
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert 'src="/static/photolangage/late.svg" alt="Être en retard" class="photo-big"' in text
    assert 'name="picture" value="late"' in text
    assert "Le participant a choisi cette image" in text
    assert client.get(f"/rounds/{rnd.id}/photolangage?show=nope").status_code == 404
    ar = client.get(f"/rounds/{rnd.id}/photolangage", headers={"Accept-Language": "ar"})
    assert "التأخر" in ar.get_data(as_text=True) or "متأخر" in ar.get_data(as_text=True)


def test_the_choice_is_written_in_the_round_and_shown(app: Any, client: Any, db: Any,
                                                      admin: Any, participant: Any,
                                                      rnd: Any) -> None:
    login_staff(client, admin)
    cid = rnd.items[1].competence_id
    r = client.post(f"/rounds/{rnd.id}/photolangage", data={
        "picture": "tiredness", "competence": str(cid), "chosen_by": "participant",
        "note": "Le matin c'est dur"}, headers=FR)
    assert r.status_code == 302 and r.headers["Location"].endswith(
        f"/rounds/{rnd.id}#photo-choices")
    row = db.scalars(select(PictureChoice).execution_options(unscoped=True)).one()
    assert (row.round_id, row.picture, row.competence_id, row.chosen_by, row.recorded_by_id,
            row.note, row.organisation_id) == (rnd.id, "tiredness", cid, "participant",
                                               admin.id, "Le matin c'est dur",
                                               rnd.organisation_id)
    assert row.chosen_at is not None
    client.post(f"/rounds/{rnd.id}/photolangage", data={"picture": "pride",
                                                        "chosen_by": "coach"})
    page = client.get(f"/rounds/{rnd.id}", headers=FR).get_data(as_text=True)
    block = page[page.index('id="photo-choices"'):]
    assert "La fatigue" in block and "« Le matin c&#39;est dur »" in block
    assert "Choisie par le participant" in block and "Proposée par le coach" in block
    assert block.index("La fatigue") < block.index("Être fier de soi")
    assert rnd.items[1].competence.label in block
    # the participant reads the same lines where the include is placed (e.g. the comparison)
    with app.test_request_context("/", headers=FR):
        login_user(participant)
        html = render_template_string('{% include "grids/_photo_choices.html" %}', round=rnd)
    assert "La fatigue" in html and "Le matin c&#39;est dur" in html
    assert "Retirer" not in html and "noté par" not in html
    # a wrong line can be taken back
    r = client.post(f"/rounds/{rnd.id}/photolangage/{row.id}/delete")
    assert r.status_code == 302
    db.expire_all()
    assert [c.picture for c in db.scalars(select(PictureChoice)
                                          .execution_options(unscoped=True))] == ["pride"]


def test_bad_choices_are_refused(client: Any, db: Any, admin: Any, make: Any, org: Any,
                                 rnd: Any) -> None:
    login_staff(client, admin)
    url = f"/rounds/{rnd.id}/photolangage"
    assert client.post(url, data={"picture": "nope"}).status_code == 404
    assert client.post(url, data={"picture": "joy", "chosen_by": "someone"}).status_code == 400
    other = published_version(db).competences[0].id
    assert client.post(url, data={"picture": "joy", "competence": str(other)}).status_code == 400
    assert client.post(url, data={"picture": "joy", "note": "x" * 501}).status_code == 400
    assert client.post(f"/rounds/{rnd.id}/state", data={"action": "close"}).status_code == 302
    r = client.post(url, data={"picture": "joy"}, headers=FR)
    assert r.status_code == 409 and "clos" in r.get_data(as_text=True)
    assert db.scalars(select(PictureChoice).execution_options(unscoped=True)).all() == []


def test_a_participant_cannot_open_the_picker_or_write(client: Any, make: Any,
                                                       participant: Any, rnd: Any) -> None:
    login_participant(client, make, participant)
    assert client.get(f"/rounds/{rnd.id}/photolangage").status_code == 403
    assert client.post(f"/rounds/{rnd.id}/photolangage",
                       data={"picture": "joy"}).status_code == 403


def _network_with_admin(make: Any, db: Any, org: Any, admin: Any) -> Any:
    net = make.network("reseau-a")
    db.add(NetworkAdmin(user_id=admin.id, network_id=net.id))
    db.add(NetworkMembership(network_id=net.id, organisation_id=org.id))
    db.commit()
    return net


def test_a_network_admin_adds_pictures_its_members_see(app: Any, client: Any, db: Any,
                                                       make: Any, org: Any, admin: Any,
                                                       participant: Any, rnd: Any) -> None:
    net = _network_with_admin(make, db, org, admin)
    login_staff(client, admin)
    url = f"/admin/networks/{net.slug}/photolangage"
    assert client.get(url).status_code == 200
    r = client.post(url, data={"label": "Notre atelier vélo",
                               "picture": (io.BytesIO(_png()), "velo.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    pic = db.scalars(select(NetworkPicture)).one()
    path = Path(app.instance_path) / "pictograms" / pic.filename
    assert pic.ext == "png" and path.is_file()
    with Image.open(path) as img:
        assert img.format == "PNG" and img.size == (40, 30)
    # a JPEG stays a JPEG, re-encoded and made smaller
    big = _png((2000, 1500), "JPEG")
    assert client.post(url, data={"label": "Chantier", "picture": (io.BytesIO(big), "c.jpg")},
                       content_type="multipart/form-data").status_code == 302
    jpg = db.scalars(select(NetworkPicture).where(NetworkPicture.ext == "jpg")).one()
    with Image.open(Path(app.instance_path) / "pictograms" / jpg.filename) as img:
        assert img.format == "JPEG" and max(img.size) == 1024
    # the coach of a member organisation shows it and notes it
    html = client.get(f"/rounds/{rnd.id}/photolangage", headers=FR).get_data(as_text=True)
    assert "Notre atelier vélo" in html and f"/photolangage/files/{pic.filename}" in html
    served = client.get(f"/photolangage/files/{pic.filename}")
    assert served.status_code == 200 and served.data == path.read_bytes()
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    other = app.test_client()  # the participant of a member organisation sees it too
    login_participant(other, make, participant)
    assert other.get(f"/photolangage/files/{pic.filename}").status_code == 200
    assert client.post(f"/rounds/{rnd.id}/photolangage",
                       data={"picture": pic.key}).status_code == 302
    # removed: the file goes, the round's line keeps the title
    assert client.post(f"{url}/{pic.id}/delete").status_code == 302
    assert not path.exists()
    page = client.get(f"/rounds/{rnd.id}", headers=FR).get_data(as_text=True)
    assert "Notre atelier vélo" in page[page.index('id="photo-choices"'):]
    assert client.get(f"/photolangage/files/{pic.filename}").status_code == 404


def test_uploads_are_checked(app: Any, client: Any, db: Any, make: Any, org: Any,
                             admin: Any) -> None:
    net = _network_with_admin(make, db, org, admin)
    login_staff(client, admin)
    url = f"/admin/networks/{net.slug}/photolangage"

    def post(data: bytes, name: str, label: str = "Une image") -> Any:
        return client.post(url, data={"label": label, "picture": (io.BytesIO(data), name)},
                           content_type="multipart/form-data", headers=FR)

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert post(svg, "x.svg").status_code == 415
    assert post(svg, "x.png").status_code == 415
    assert post(b"GIF89a" + b"\0" * 50, "x.gif").status_code == 415
    heavy = _png((1100, 1000), noise=True)
    assert len(heavy) > 3 * 1024 * 1024
    r = post(heavy, "big.png")
    assert r.status_code == 413 and "3 Mo" in r.get_data(as_text=True)
    assert post(_png(), "ok.png", label="  ").status_code == 400
    assert post(_png(), "ok.png", label="x" * 121).status_code == 400
    assert db.scalars(select(NetworkPicture)).all() == []
    assert list(Path(app.instance_path).glob("pictograms/*photo-*")) == []


def test_only_the_networks_admins_and_members_reach_its_pictures(
        app: Any, client: Any, db: Any, make: Any, org: Any, admin: Any) -> None:
    net = _network_with_admin(make, db, org, admin)
    login_staff(client, admin)
    url = f"/admin/networks/{net.slug}/photolangage"
    client.post(url, data={"label": "Image A", "picture": (io.BytesIO(_png()), "a.png")},
                content_type="multipart/form-data")
    pic = db.scalars(select(NetworkPicture)).one()
    client.post("/logout")
    # an organisation admin who administers no network: 403
    plain = make.staff(org, "admin", email="plain@a.example.org")
    login_staff(client, plain)
    assert client.get(url).status_code == 403
    assert client.post(f"{url}/{pic.id}/delete").status_code == 403
    assert client.get(f"/photolangage/files/{pic.filename}").status_code == 200  # a member
    client.post("/logout")
    # the administrator of another network: 404 on this one's page and picture
    org_b = make.organisation("org-b", "Organisation B")
    other_admin = make.staff(org_b, "admin", email="admin@b.example.org")
    other = make.network("reseau-b")
    db.add(NetworkAdmin(user_id=other_admin.id, network_id=other.id))
    db.commit()
    login_staff(client, other_admin)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/{pic.id}/delete").status_code == 404
    assert client.post(f"/admin/networks/{other.slug}/photolangage/{pic.id}/delete"
                       ).status_code == 404
    assert client.get(f"/photolangage/files/{pic.filename}").status_code == 404
    assert db.scalars(select(NetworkPicture)).one().id == pic.id


def test_the_comparison_shows_the_chosen_pictures_once_the_participant_may_see_the_coach(
        client: Any, db: Any, make: Any, admin: Any, participant: Any, rnd: Any) -> None:
    from badger import grids
    from tests.grids._factory import rate

    login_staff(client, admin)
    client.post(f"/rounds/{rnd.id}/photolangage", data={"picture": "tiredness",
                                                        "chosen_by": "participant"})
    page = client.get(f"/rounds/{rnd.id}/compare", headers=FR).get_data(as_text=True)
    assert 'id="photo-choices"' in page and "La fatigue" in page
    client.post("/logout")
    login_participant(client, make, participant)
    hidden = client.get(f"/rounds/{rnd.id}/compare", headers=FR).get_data(as_text=True)
    assert "La fatigue" not in hidden  # the coach's notes wait until her own grid is done
    rate(db, rnd, "self", participant, [3, 3, 3])
    grids.submit_self_assessment(db, rnd, participant)
    db.commit()
    shown = client.get(f"/rounds/{rnd.id}/compare", headers=FR).get_data(as_text=True)
    assert 'id="photo-choices"' in shown and "La fatigue" in shown and "noté par" not in shown


def test_a_phone_photo_taken_upright_stays_upright(app: Any, client: Any, db: Any, make: Any,
                                                  org: Any, admin: Any) -> None:
    """A phone stores a portrait photo as landscape pixels plus an EXIF "rotate 90°" tag. The
    re-encoding drops the metadata, so it must turn the pixels first, or the picture shown to
    the participant lies on its side."""
    net = _network_with_admin(make, db, org, admin)
    login_staff(client, admin)
    img = Image.new("RGB", (60, 30), (200, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned 90° clockwise
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    r = client.post(f"/admin/networks/{net.slug}/photolangage",
                    data={"label": "Debout", "picture": (io.BytesIO(out.getvalue()), "p.jpg")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    pic = db.scalars(select(NetworkPicture)).one()
    with Image.open(Path(app.instance_path) / "pictograms" / pic.filename) as saved:
        assert saved.size == (30, 60)  # upright: taller than wide
        assert not saved.getexif()  # and still no metadata
