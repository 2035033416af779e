"""Files follow their row's transaction (issue #12, point 7).

A file that belongs to a row (an uploaded pictogram) is written under the configured instance
folder, takes its name only once the row commits, and leaves nothing behind when the
transaction ends otherwise: a request answered 400, a rollback, a session closed without
commit, a failed flush. Checked over HTTP and on the mechanism itself (``badger.db``).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy.exc import IntegrityError

from badger import referentiels as service
from badger.db import get_db, staged_on_commit, write_file_on_commit
from tests.conftest import login_staff
from tests.referentiels.test_views import _create, version_of

SOURCE_INSTANCE = Path(__file__).resolve().parents[1] / "instance"


def _png(colour: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buf, format="PNG")
    return buf.getvalue()


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def _form(**extra: Any) -> dict[str, Any]:
    return {"code": "A", "label": "Alpha", "category": "", "pictogram": "",
            **{f"level_{n}": "" for n in range(6)}, "esco_uri": "", "rome_code": "", **extra}


def test_the_instance_folder_is_the_configured_one(app: Any, tmp_path: Path) -> None:
    assert Path(app.instance_path) == tmp_path / "instance"
    with app.app_context():
        assert service.pictogram_dir() == tmp_path / "instance" / "pictograms"


def test_pictogram_of_a_refused_competence_is_not_written(
    app: Any, client: Any, admin: Any, db: Any, org: Any
) -> None:
    folder = Path(app.instance_path) / "pictograms"
    source_before = _files(SOURCE_INSTANCE)
    login_staff(client, admin)
    _create(client, f"org:{org.id}", "avec-picto")
    # the upload is fine, the competence is not (an ESCO URI must be ESCO's): 400, no file
    refused = client.post("/referentiels/avec-picto/v1/competences/new", data=_form(
        esco_uri="https://evil.example/skill", upload=(io.BytesIO(_png("red")), "p.png")),
        content_type="multipart/form-data")
    assert refused.status_code == 400
    assert _files(folder) == []
    assert version_of(db, "avec-picto").competences == []
    # a 409 (another competence's code) leaves nothing either
    assert client.post("/referentiels/avec-picto/v1/competences/new",
                       data=_form(code="Z", label="Zêta")).status_code == 302
    again = client.post("/referentiels/avec-picto/v1/competences/new", data=_form(
        code="Z", upload=(io.BytesIO(_png("blue")), "p.png")),
        content_type="multipart/form-data")
    assert again.status_code in (400, 409)
    assert _files(folder) == []

    saved = client.post("/referentiels/avec-picto/v1/competences/new", data=_form(
        upload=(io.BytesIO(_png("green")), "p.png")), content_type="multipart/form-data")
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    db.expire_all()
    comp = next(c for c in version_of(db, "avec-picto").competences if c.code == "A")
    assert _files(folder) == [f"{comp.pictogram}.png"]  # no temporary file left over
    served = client.get(f"/referentiels/pictograms/{comp.pictogram}.png")
    assert served.status_code == 200
    assert (folder / f"{comp.pictogram}.png").read_bytes() == served.data
    # nothing went to the source tree's instance folder
    assert _files(SOURCE_INSTANCE) == source_before


@pytest.mark.parametrize("ending", ["rollback", "close", "failed-flush"])
def test_a_transaction_that_does_not_commit_leaves_no_file(
    app: Any, make: Any, ending: str, tmp_path: Path
) -> None:
    from badger.networks.models import Organisation

    org = make.organisation("deja-la")
    target = tmp_path / "files" / "one.bin"
    session = get_db(app).session()
    session.add(Organisation(slug="nouvelle", name="Nouvelle"))
    write_file_on_commit(session, target, b"payload")
    assert staged_on_commit(session, target) and not target.exists()
    if ending == "rollback":
        session.rollback()
    elif ending == "close":
        session.close()
    else:
        session.add(Organisation(slug=org.slug, name="Doublon"))  # unique slug
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
    session.close()
    assert not target.exists()
    assert _files(target.parent) == []


def test_a_commit_writes_every_staged_file(app: Any, tmp_path: Path) -> None:
    from badger.networks.models import Organisation

    session = get_db(app).session()
    session.add(Organisation(slug="nouvelle", name="Nouvelle"))
    write_file_on_commit(session, tmp_path / "a" / "one.bin", b"1")
    write_file_on_commit(session, tmp_path / "a" / "two.bin", b"22")
    session.commit()
    assert (tmp_path / "a" / "one.bin").read_bytes() == b"1"
    assert (tmp_path / "a" / "two.bin").read_bytes() == b"22"
    assert _files(tmp_path / "a") == ["one.bin", "two.bin"]
    # the next transaction starts with nothing staged
    session.rollback()
    assert (tmp_path / "a" / "two.bin").exists()
    session.close()
