"""The verify page and the VC-API: good, tampered, expired, revoked, foreign issuers, bad input."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from badger.ob3 import baking
from tests.verification import _creds as c


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


PNG_1PX = _png()
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>'
)


@pytest.fixture
def stub(app: Any) -> c.StubResolver:
    r = c.resolver()
    app.extensions["badger.web_resolver"] = r
    return r


def post_page(client: Any, **data: Any) -> Any:
    return client.post("/verify", data=data, content_type="multipart/form-data")


def page_text(response: Any) -> str:
    return response.get_data(as_text=True)


# --------------------------------------------------------------------------- page


def test_page_works_without_js_and_is_public(client: Any) -> None:
    response = client.get("/verify")
    html = page_text(response)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html and 'name="file"' in html
    assert 'name="text"' in html and 'name="url"' in html


def test_good_credential_pasted(client: Any, stub: Any) -> None:
    response = post_page(client, text=json.dumps(c.good()))
    html = page_text(response)
    assert response.status_code == 200
    assert "Badge authentique" in html
    assert "Association Passerelles" in html and "Accueillir le public" in html
    assert "La signature est bonne" in html


def test_tampered_credential_has_clear_reason(client: Any, stub: Any) -> None:
    html = page_text(post_page(client, text=json.dumps(c.tampered())))
    assert "Badge non authentique" in html
    assert "Le badge a été modifié ou signé par quelqu&#39;un d&#39;autre" in html


def test_expired_credential(client: Any, stub: Any) -> None:
    html = page_text(post_page(client, text=json.dumps(c.expired())))
    assert "Badge plus valable" in html and "Le badge a expiré" in html


def test_revoked_credential(client: Any, stub: Any) -> None:
    html = page_text(post_page(client, text=json.dumps(c.with_status(7))))
    assert "Badge plus valable" in html and "L&#39;organisme a retiré ce badge" in html
    html = page_text(post_page(client, text=json.dumps(c.with_status(8))))
    assert "Badge authentique" in html and "L&#39;organisme n&#39;a pas retiré ce badge" in html


def test_unreachable_status_list_is_could_not_check(client: Any, app: Any) -> None:
    r = c.resolver()
    r._docs.pop(c.LIST_URL)
    app.extensions["badger.web_resolver"] = r
    html = page_text(post_page(client, text=json.dumps(c.with_status(8))))
    assert "Vérification incomplète" in html and "Pas pu vérifier" in html


@pytest.mark.parametrize(
    "maker", [c.did_key_credential, c.did_web_credential, c.vc11_credential, c.jwt_credential]
)
def test_foreign_issuers_and_formats(client: Any, stub: Any, maker: Any) -> None:
    doc = maker()
    text = doc if isinstance(doc, str) else json.dumps(doc)
    html = page_text(post_page(client, text=text))
    assert "Badge authentique" in html, html[html.find("verdict") : html.find("verdict") + 2000]


def test_baked_png_and_svg_uploads(client: Any, stub: Any) -> None:
    payload = json.dumps(c.good())
    for image, name in [(PNG_1PX, "badge.png"), (SVG, "badge.svg")]:
        baked = baking.bake(image, payload)
        response = post_page(client, file=(io.BytesIO(baked), name))
        assert "Badge authentique" in page_text(response), name
    tampered_png = baking.bake(PNG_1PX, json.dumps(c.tampered()))
    assert "Badge non authentique" in page_text(
        post_page(client, file=(io.BytesIO(tampered_png), "x.png"))
    )


def test_jwt_file_upload(client: Any, stub: Any) -> None:
    token = c.jwt_credential().encode()
    response = post_page(client, file=(io.BytesIO(token), "badge.jwt"))
    assert "Badge authentique" in page_text(response)


def test_refused_uploads(client: Any, stub: Any) -> None:
    response = post_page(client, file=(io.BytesIO(b"MZ\x90\x00binary"), "evil.exe"))
    assert response.status_code == 415
    response = post_page(
        client, file=(io.BytesIO(b"{" + b" " * (3 * 1024 * 1024) + b"}"), "big.json")
    )
    assert response.status_code == 413
    response = post_page(client)
    assert response.status_code == 400


def test_url_input(client: Any, stub: Any) -> None:
    stub.raw["https://badges.example.fr/c/1.png"] = baking.bake(PNG_1PX, json.dumps(c.good()))
    html = page_text(post_page(client, url="https://badges.example.fr/c/1.png"))
    assert "Badge authentique" in html
    response = post_page(client, url="file:///etc/passwd")
    assert response.status_code == 400


def test_url_input_refuses_private_address(app: Any, client: Any) -> None:
    from badger.resolver import WebResolver

    def no_dns(host: str, port: int) -> list[str]:
        return {"intranet.example": ["10.0.0.1"]}[host]

    app.extensions["badger.web_resolver"] = WebResolver(allow_private=False, dns=no_dns)
    for url in [
        "https://169.254.169.254/latest/meta-data/",
        "https://intranet.example/b.json",
        "https://[::1]/b",
    ]:
        response = post_page(client, url=url)
        assert response.status_code == 400
        assert "Cette adresse n&#39;est pas autorisée" in page_text(response)


def test_page_in_english(client: Any, stub: Any) -> None:
    client.post("/language", data={"lang": "en", "next": "/verify"})
    response = post_page(client, text=json.dumps(c.good()))
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in page_text(response)


def test_page_post_needs_csrf(client: Any, stub: Any) -> None:
    response = client.post("/verify", data={"text": "{}"}, csrf=False)
    assert response.status_code == 400


# --------------------------------------------------------------------------- VC-API


def vc_api(client: Any, body: Any, **kw: Any) -> Any:
    return client.post("/credentials/verify", json=body, csrf=False, **kw)


def test_vc_api_verified(client: Any, stub: Any) -> None:
    response = vc_api(client, {"verifiableCredential": c.good(), "options": {}})
    assert response.status_code == 200
    body = response.get_json()
    assert body["verified"] is True and "proof" in body["checks"] and body["errors"] == []
    assert body["report"]["issuerName"] == "Association Passerelles"
    assert body["plain"]["state"] == "verified"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("maker", "code"),
    [
        (c.tampered, "signature_invalid"),
        (c.expired, "expired"),
        (lambda: c.with_status(7), "revoked"),
    ],
)
def test_vc_api_failures_are_422_with_report(client: Any, stub: Any, maker: Any, code: str) -> None:
    response = vc_api(client, {"verifiableCredential": maker()})
    assert response.status_code == 422
    body = response.get_json()
    assert body["verified"] is False
    assert code in [e["code"] for e in body["errors"]]
    assert body["report"]["checks"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"verifiableCredential": "not an object"},
        {"credential": {}},
        [1, 2],
        {"verifiableCredential": {"@context": ["https://example.org"], "type": ["Thing"]}},
    ],
)
def test_vc_api_bad_input_is_400(client: Any, stub: Any, body: Any) -> None:
    response = vc_api(client, body)
    assert response.status_code == 400
    assert response.get_json()["verified"] is False


def test_vc_api_not_json_and_too_large(client: Any, stub: Any) -> None:
    response = client.post(
        "/credentials/verify", data="hello", content_type="text/plain", csrf=False
    )
    assert response.status_code == 400
    big = {"verifiableCredential": {"x": "y" * (1024 * 1024 + 10)}}
    response = vc_api(client, big)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_api_verify_file_and_jws(client: Any, stub: Any) -> None:
    baked = baking.bake(PNG_1PX, json.dumps(c.good()))
    response = client.post(
        "/api/verify",
        data={"file": (io.BytesIO(baked), "b.png")},
        content_type="multipart/form-data",
        csrf=False,
    )
    assert response.status_code == 200 and response.get_json()["verified"]
    response = client.post(
        "/api/verify", data=c.jwt_credential(), content_type="application/jwt", csrf=False
    )
    assert response.status_code == 200
    response = client.post(
        "/api/verify", data=json.dumps(c.tampered()), content_type="application/json", csrf=False
    )
    assert response.status_code == 422
    response = client.post(
        "/api/verify", data=b"\x00\x01garbage", content_type="application/octet-stream", csrf=False
    )
    assert response.status_code == 415


def test_verify_endpoints_are_rate_limited(app: Any, client: Any, stub: Any) -> None:
    app.config["BADGER_VERIFY_RATE_LIMIT"] = "3 per minute"
    codes = [vc_api(client, {"verifiableCredential": c.good()}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
