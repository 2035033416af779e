"""Hostile input gets a clear 4xx in the UI language and writes nothing — never a 500.

Each named trap of issue #12 is tested on the route that met it (deep JSON on every verify
surface, the API and the imports; a JWT header 50,000 deep; a 20,000 × 20,000 PNG on every image
upload; a CSV field over 128 KiB; a NUL in a form field; two writers of one grid score), then
``tests/test_hostile_corpus.py`` sends a whole corpus to every write route.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import struct
import threading
import zlib
from typing import Any

import pytest
from sqlalchemy import func, select

from badger.ob3 import safejson
from tests.awards import _factory
from tests.conftest import login_participant, login_staff

DEEP = 50_000


def deep_array(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


def deep_object(depth: int = DEEP) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid PNG header claiming ``width`` × ``height`` pixels (a few hundred bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def count(db: Any, model: Any) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


# --------------------------------------------------------------------------- the parser itself


@pytest.mark.parametrize("text", [deep_array(), deep_object(), deep_array(65)])
def test_safejson_refuses_deep_nesting_as_a_value_error(text: str) -> None:
    with pytest.raises(json.JSONDecodeError, match="nested more than 64"):
        safejson.loads(text)


def test_safejson_keeps_brackets_inside_strings_and_ordinary_documents() -> None:
    assert safejson.loads('{"a": "[[[[{{{{", "b": [[1]]}') == {"a": "[[[[{{{{", "b": [[1]]}
    assert safejson.loads(deep_array(64)) is not None
    assert safejson.loads(b'\xef\xbb\xbf{"x": "\\\\u0000"}') == {"x": "\\u0000"}
    assert safejson.loads('["\\ud83d\\ude00"]') == ["\U0001f600"]


@pytest.mark.parametrize("text", ['{"a": "\\u0000"}', '["x\\\\\\u0000"]', '["\\ud800"]',
                                  '{"\\udc00": 1}'])
def test_safejson_refuses_nul_and_lone_surrogates(text: str) -> None:
    with pytest.raises(ValueError):
        safejson.loads(text)


# --------------------------------------------------------------------------- verify surfaces


def _deep_jwt() -> str:
    header = base64.urlsafe_b64encode(('{"alg":' * DEEP + '"x"' + "}" * DEEP).encode())
    return header.decode().rstrip("=") + ".eyJ2YyI6e319.c2ln"


@pytest.mark.parametrize("body", [deep_array(), deep_object(), "JWT"])
def test_every_verify_surface_refuses_deep_json(client: Any, body: str) -> None:
    payload = _deep_jwt() if body == "JWT" else body
    # the page tells the reason in plain words, in its language (the technical message stays
    # in the JSON reports, checked below and in test_deep_jwt_header_is_reported_as_malformed)
    expected = "The text is badly formed. It is not a readable badge." if body != "JWT" else (
        "The signed badge is malformed. It is not a readable badge.")
    for data in ({"text": payload}, {"file": (io.BytesIO(payload.encode()), "b.json")}):
        page = client.post("/verify", data=data, content_type="multipart/form-data",
                           headers={"Accept-Language": "en"})
        # The page shows its report: not genuine, and why (a 4xx for what is not a badge).
        assert page.status_code in {200, 400, 415, 422}, page.status_code
        text = page.get_data(as_text=True)
        assert "Badge not genuine" in text or "error-box" in text
        if page.status_code == 200:
            assert expected in text
    api = client.post("/api/verify", data=payload.encode(), content_type="application/json")
    assert api.status_code in {400, 415, 422}, api.status_code
    assert api.get_json()["verified"] is False
    vc_api = client.post("/credentials/verify",
                         data='{"verifiableCredential": ' + (
                             json.dumps(payload) if body == "JWT" else payload) + "}",
                         content_type="application/json")
    assert vc_api.status_code == 400, vc_api.status_code
    assert vc_api.get_json()["verified"] is False


def test_deep_jwt_header_is_reported_as_malformed(client: Any) -> None:
    r = client.post("/api/verify", data=_deep_jwt().encode(), content_type="text/plain")
    assert r.status_code == 422
    assert [e["code"] for e in r.get_json()["errors"]] == ["jwt_malformed"]


def test_vc_api_answers_in_the_ui_language(client: Any) -> None:
    r = client.post("/credentials/verify", data=deep_array(), content_type="application/json",
                    headers={"Accept-Language": "en"})
    assert r.status_code == 400
    assert r.get_json()["errors"][0]["message"] == "The request body is not a JSON object."


# --------------------------------------------------------------------------- imports and API


def test_case_import_of_deep_json_is_a_listed_error(client: Any, admin: Any, org: Any,
                                                     db: Any) -> None:
    from badger.referentiels.models import ReferentielVersion

    login_staff(client, admin)
    before = count(db, ReferentielVersion)
    r = client.post("/referentiels/import", data={
        "file": (io.BytesIO(deep_object().encode()), "case.json"), "title": "x", "key": "",
        "owner": f"org:{org.id}"}, content_type="multipart/form-data")
    assert r.status_code in {400, 422}
    assert "64" in r.get_data(as_text=True)
    assert count(db, ReferentielVersion) == before


def test_portfolio_import_of_deep_json_writes_nothing(client: Any, make: Any,
                                                      participant: Any, db: Any) -> None:
    from badger.portfolio.models import ImportedCredential

    login_participant(client, make, participant)
    r = client.post("/portfolio/import", data={
        "file": (io.BytesIO(deep_array().encode()), "badge.json")},
        content_type="multipart/form-data")
    assert 400 <= r.status_code < 500 or r.status_code == 302
    assert count(db, ImportedCredential) == 0


def test_ob_api_refuses_deep_json_bodies(app: Any, client: Any, make: Any,
                                         participant: Any) -> None:
    from tests.api._helpers import API, Client, bearer

    wallet = Client.register(app)
    login_participant(client, make, participant)
    access = wallet.tokens(client)["access_token"]
    for method, url in (("POST", f"{API}/credentials"), ("PUT", f"{API}/profile")):
        r = wallet.http.open(url, method=method, data=deep_object(5000),
                             content_type="application/json", headers=bearer(access))
        assert r.status_code == 400, (url, r.status_code)
    reg = wallet.http.post(f"{API}/oauth/register", data=deep_array(5000),
                           content_type="application/json")
    assert reg.status_code == 400 and reg.get_json()["error"] == "invalid_client_metadata"


# --------------------------------------------------------------------------- images


def test_badge_image_claiming_20k_pixels_is_refused(client: Any, admin: Any, db: Any,
                                                    org: Any) -> None:
    from badger.awards.models import Achievement

    achievement = _factory.achievement(db, org, admin, _factory.adopted_version(db, org, admin))
    login_staff(client, admin)
    before = db.get(Achievement, achievement.id).image_png
    r = client.post(f"/admin/badges/{achievement.id}/edit", data={
        "name": "x", "description": "y", "min_level": "3", "achievement_type": "Badge",
        "language": "fr", "image": (io.BytesIO(bomb_png()), "bomb.png")},
        content_type="multipart/form-data", headers={"Accept-Language": "fr"})
    assert r.status_code in {400, 413, 415}, r.status_code
    db.expire_all()
    assert db.get(Achievement, achievement.id).image_png == before


def test_pictogram_claiming_20k_pixels_is_refused(app: Any, client: Any, admin: Any,
                                                  org: Any, db: Any) -> None:
    from pathlib import Path

    from badger.referentiels.models import Competence

    login_staff(client, admin)
    assert client.post("/referentiels/new", data={
        "title": "Grille", "key": "grille-bombe", "owner": f"org:{org.id}",
        "description": ""}).status_code == 302
    before = count(db, Competence)
    folder = Path(app.instance_path) / "pictograms"
    files_before = set(folder.glob("*.png"))
    data = {"code": "C1", "label": "Ponctualité", "description": "", "category": "",
            "pictogram": "", **{f"level_{n}": "" for n in range(6)}, "esco_uri": "",
            "rome_code": "", "upload": (io.BytesIO(bomb_png()), "picto.png")}
    r = client.post("/referentiels/grille-bombe/v1/competences/new", data=data,
                    content_type="multipart/form-data")
    assert r.status_code in {400, 413, 415}, r.status_code
    assert "Image" in r.get_data(as_text=True) or "image" in r.get_data(as_text=True)
    assert count(db, Competence) == before
    assert set(folder.glob("*.png")) == files_before


def test_open_image_turns_the_bomb_warning_into_a_refusal() -> None:
    from badger.guards import ImageRefused, open_image

    with pytest.raises(ImageRefused):
        open_image(bomb_png(10_000, 10_000))  # 100 M pixels: only a warning in Pillow
    with pytest.raises(ImageRefused):
        open_image(bomb_png())
    with pytest.raises(ImageRefused):
        open_image(b"\x89PNG\r\n\x1a\n broken")


# --------------------------------------------------------------------------- CSV


def test_award_csv_with_a_field_over_128k_is_refused(client: Any, admin: Any, org: Any,
                                                     participant: Any, db: Any) -> None:
    from badger.awards.models import Credential

    achievement = _factory.achievement(db, org, admin, _factory.adopted_version(db, org, admin))
    login_staff(client, admin)
    text = f"participant,narrative\n{participant.id},\"{'x' * 200_000}\"\n"
    for confirm in ("", "1"):
        r = client.post(f"/admin/badges/{achievement.id}/csv",
                        data={"csv_text": text, "confirm": confirm},
                        headers={"Accept-Language": "en"})
        assert r.status_code == 400, r.status_code
        assert "Line 2 cannot be read" in r.get_data(as_text=True)
    assert count(db, Credential) == 0


def test_referentiel_csv_with_a_field_over_128k_is_refused(client: Any, admin: Any, org: Any,
                                                           db: Any) -> None:
    from badger.referentiels.models import ReferentielVersion

    login_staff(client, admin)
    before = count(db, ReferentielVersion)
    text = f"code,label\nC1,\"{'x' * 200_000}\"\n".encode()
    r = client.post("/referentiels/import", data={
        "file": (io.BytesIO(text), "grille.csv"), "title": "Grille", "key": "",
        "owner": f"org:{org.id}"}, content_type="multipart/form-data")
    assert r.status_code in {400, 422}, r.status_code
    assert "128" in r.get_data(as_text=True)
    assert count(db, ReferentielVersion) == before


# --------------------------------------------------------------------------- NUL and ids


def test_nul_in_a_form_field_is_refused_before_any_write(client: Any, admin: Any,
                                                         db: Any) -> None:
    from badger.accounts.models import Participant

    login_staff(client, admin)
    before = count(db, Participant)
    r = client.post("/admin/participants", data={"display_name": "Ali\x00ce", "email": ""},
                    headers={"Accept-Language": "en"})
    assert r.status_code == 400
    assert "null character" in r.get_data(as_text=True)
    assert count(db, Participant) == before
    q = client.get("/admin/participants?q=a%00b")
    assert q.status_code == 400


def test_nul_in_a_login_field_and_in_a_bearer_token(client: Any) -> None:
    assert client.post("/login", data={"email": "a\x00@x.org", "password": "p"}).status_code == 400
    r = client.get("/ims/ob/v3p0/profile", headers={"Authorization": "Bearer a\x00b"})
    assert r.status_code == 400
    assert "caractère nul" in r.get_json()["imsx_description"]


def test_huge_and_negative_ids_are_not_found(client: Any, admin: Any) -> None:
    login_staff(client, admin)
    for url in ("/admin/participants/99999999999999999999", "/admin/credentials/2147483648",
                "/admin/participants/-1"):
        assert client.get(url).status_code == 404, url
    assert client.post("/admin/credentials/9223372036854775808/revoke").status_code == 404


# --------------------------------------------------------------------------- concurrent scores


def test_two_sessions_saving_one_score_with_one_version(app: Any, make: Any, db: Any, org: Any,
                                                        coach: Any, admin: Any) -> None:
    """Both writers saw version 1; the database (PostgreSQL waits on the row lock) lets one
    through; the other gets the documented 409, never a 500 or a lost update."""
    from badger import grids
    from badger.db import get_db
    from badger.grids.models import Rating

    version = _factory.adopted_version(db, org, admin)
    person = make.participant(org, "Ana")
    gs = _factory.group_session(db, org, coach, version, [person])
    from badger.grids.models import Round

    rnd = db.scalars(select(Round).where(Round.session_id == gs.id)).one()
    comp = version.competences[0]
    grids.save_ratings(db, rnd, role="coach", actor=coach,
                       entries=[grids.RatingInput(comp.id, 2)])
    db.commit()
    row = db.scalars(select(Rating).where(Rating.round_id == rnd.id)).one()
    seen = row.version_id
    clients = [app.test_client(), app.test_client()]
    for c in clients:
        login_staff(c, coach)
    field = f"s-{person.id}-{comp.id}"
    vfield = f"v-{person.id}-{comp.id}"
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    # Make both requests read version ``seen`` before either writes: the service's read runs,
    # then both wait at the barrier, then both flush.
    original = grids.save_ratings

    def racing(*args: Any, **kwargs: Any) -> Any:
        entries = list(kwargs.pop("entries"))
        session = args[0]
        list(session.execute(select(Rating).where(Rating.round_id == rnd.id)).scalars())
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=10)
        return original(*args, entries=entries, **kwargs)

    grids.save_ratings = racing  # type: ignore[assignment]
    try:
        def post(c: Any, score: str) -> None:
            r = c.post(f"/sessions/{gs.id}", data={field: score, vfield: str(seen)},
                       headers={"Accept-Language": "en"})
            statuses.append(r.status_code)

        threads = [threading.Thread(target=post, args=(c, s)) for c, s in zip(
            clients, ("4", "5"), strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        grids.save_ratings = original  # type: ignore[assignment]
    print("concurrent grid saves answered", sorted(statuses))
    assert sorted(statuses) == [302, 409], statuses
    with get_db(app).session() as s:
        final = s.scalars(select(Rating).where(Rating.round_id == rnd.id)).one()
        assert final.score in {4, 5} and final.version_id == seen + 1


# --------------------------------------------------------------------------- forms and numbers


@pytest.mark.parametrize("body", [b"[1, 2, 3]", b'{"email": ["a"], "password": {"x": 1}}',
                                  deep_array(5_000).encode()])
def test_json_that_is_not_an_object_of_strings_is_no_form_data(client: Any, body: bytes) -> None:
    r = client.post("/login", data=body, content_type="application/json",
                    headers={"Accept-Language": "en"})
    assert r.status_code in {200, 400}, r.status_code  # the login form, not logged in
    assert "/logout" not in r.get_data(as_text=True)


def test_numbers_too_long_for_int_or_for_the_database(client: Any, make: Any,
                                                      participant: Any, db: Any) -> None:
    from badger.guards import form_int
    from badger.portfolio.models import Share

    assert form_int("42") == 42 and form_int(" -7 ") == -7
    assert form_int("9" * 5000) is None and form_int(str(2**31)) is None
    assert form_int("4a") is None and form_int(None) is None
    login_participant(client, make, participant)
    for value in ("9" * 5000, str(2**63)):
        r = client.post("/portfolio/shares", data={"label": "x", "days": value,
                                                   "credential": value})
        assert 400 <= r.status_code < 500, (value[:20], r.status_code)
    assert count(db, Share) == 0


def test_award_csv_reading_stays_linear_on_a_long_quoted_line() -> None:
    """csv.Sniffer took minutes on a 300 KB header line full of quotes."""
    import time

    from badger.awards.service import parse_csv
    from badger.errors import UserError

    started = time.monotonic()
    with pytest.raises(UserError):
        parse_csv(deep_object().replace("1", ";"))
    assert time.monotonic() - started < 10
    rows = parse_csv("participant;level;narrative\n12;4;Bravo, vraiment\n")
    assert rows == [{"participant": "12", "level": "4", "narrative": "Bravo, vraiment"}]
    assert parse_csv("participant,level\n12,4\n") == [{"participant": "12", "level": "4"}]
