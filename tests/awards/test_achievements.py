"""Badge definitions: creation on an adopted référentiel, generated or uploaded image."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from sqlalchemy import select

from badger.awards import images
from badger.awards.models import Achievement
from tests.awards import _factory
from tests.conftest import login_staff


def _png(color: str = "red", size: int = 300, text: bytes = b"") -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", (size, size), color)
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("openbadgecredential", text.decode())
    img.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def test_admin_creates_badge_with_generated_image(client: Any, db: Any, admin: Any,
                                                  version: Any) -> None:
    login_staff(client, admin)
    comp = version.competences[0]
    form = client.get(f"/admin/badges/new?competence_id={comp.id}")
    assert form.status_code == 200 and "niveau 3" in form.get_data(as_text=True)
    r = client.post("/admin/badges/new", data={
        "competence_id": str(comp.id), "name": "Toujours à l'heure",
        "description": "Arrive à l'heure aux séances.", "min_level": "3",
        "validity_days": "365", "achievement_type": "Competency", "language": "fr",
        "tags": "sport, ponctualité", "image_alt": ""})
    assert r.status_code == 302, r.get_data(as_text=True)[:600]
    ach = db.scalars(select(Achievement)).one()
    assert ach.image_source == "generated" and ach.image_alt.startswith("Badge « Toujours")
    assert "Niveaux reconnus" in ach.criteria_narrative and ach.tags == ["sport", "ponctualité"]
    with Image.open(io.BytesIO(ach.image_png)) as im:
        assert im.size == (images.SIZE, images.SIZE)
    assert ach.image_svg and "<title>" in ach.image_svg
    preview = client.get(f"/admin/badges/{ach.id}/preview.png")
    assert preview.mimetype == "image/png"
    listing = client.get("/admin/badges").get_data(as_text=True)
    assert "Toujours à l&#39;heure" in listing or "Toujours à l'heure" in listing


def test_uploaded_png_is_reencoded(client: Any, db: Any, admin: Any, achievement: Any) -> None:
    login_staff(client, admin)
    upload = _png(text=b'{"smuggled": true}')
    r = client.post(f"/admin/badges/{achievement.id}/edit", data={
        "name": achievement.name, "description": "Nouvelle description",
        "min_level": "3", "achievement_type": "Badge", "language": "fr",
        "image_alt": "Un disque rouge", "image": (io.BytesIO(upload), "badge.png")},
        content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:600]
    db.expire_all()
    ach = db.get(Achievement, achievement.id)
    assert ach.image_source == "uploaded" and ach.image_alt == "Un disque rouge"
    assert b"smuggled" not in ach.image_png and ach.image_png != upload
    bad = client.post(f"/admin/badges/{achievement.id}/edit", data={
        "name": "x", "description": "y", "min_level": "3", "achievement_type": "Badge",
        "language": "fr", "image": (io.BytesIO(b"GIF89a not a png"), "x.png")},
        content_type="multipart/form-data")
    assert bad.status_code == 415


def test_not_adopted_version_is_refused(client: Any, db: Any, admin: Any, version: Any) -> None:
    loose = _factory.published_version(db, ["Autre compétence"])
    login_staff(client, admin)
    r = client.post("/admin/badges/new", data={
        "competence_id": str(loose.competences[0].id), "name": "X", "description": "Y",
        "min_level": "3"})
    assert r.status_code == 422
    assert "pas adoptée" in r.get_data(as_text=True)
    assert db.scalars(select(Achievement)).all() == []


def test_invalid_inputs(client: Any, admin: Any, version: Any) -> None:
    login_staff(client, admin)
    comp = version.competences[0]
    for field, value in (("min_level", "9"), ("validity_days", "-3"),
                         ("achievement_type", "Nonsense"), ("language", "français")):
        data = {"competence_id": str(comp.id), "name": "X", "description": "Y",
                "min_level": "3", field: value}
        assert client.post("/admin/badges/new", data=data).status_code == 422, field


def test_generated_image_readable_contrast() -> None:
    light = images.readable_background("#ffff66")
    lum = images._luminance(light)
    assert 1.05 / (lum + 0.05) >= 4.5
