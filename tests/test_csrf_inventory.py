"""Every state-changing route refuses a request without a valid CSRF token.

The inventory walks ``app.url_map``: each rule answering POST, PUT, PATCH or DELETE is sent,
by a logged-in administrator whose session holds a CSRF token, a request with no token and one
with a forged token; both must get the CSRF refusal (400 and its message) and write nothing.
The only routes allowed without the check are listed in ``EXEMPT`` with the reason, and the
set of routes Flask-WTF actually exempts must equal that list — so ``@csrf.exempt`` added to
any other view (say ``awards.suspend``) fails here twice.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from badger.audit import AuditEvent
from badger.security import csrf
from tests.conftest import login_participant, login_staff

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MESSAGE = "Le formulaire a expiré ou n"  # then an apostrophe, escaped in HTML

#: endpoint -> why no CSRF token is needed (no cookie authority is used there).
EXEMPT = {
    "verification.vc_api_verify": "VC-API verify: public JSON, no login used, changes nothing",
    "verification.api_verify": "verify API: public JSON, no login used, changes nothing",
    "verification.vc_api_verify_presentation": (
        "VC-API presentation verify: public JSON, no login used, changes nothing"),
    "ims.register": "OAuth dynamic registration (RFC 7591): public JSON, no cookie authority",
    "ims.token": "OAuth token endpoint: the client authenticates with HTTP Basic, not a cookie",
    "ims.revoke": "OAuth revocation (RFC 7009): HTTP Basic client authentication",
    "ims.upsert_credential": "OB API: bearer token in the Authorization header only",
    "ims.put_profile": "OB API: bearer token in the Authorization header only",
    "wallet.token": "OpenID4VCI token endpoint: the pre-authorised code is the authority",
    "wallet.nonce": "OpenID4VCI nonce endpoint: public, hands out a fresh c_nonce",
    "wallet.credential": "OpenID4VCI credential endpoint: bearer token only",
    "integrators.token": "OAuth client credentials: the client authenticates with its secret",
    "integrators.issue": "VC-API issuing: bearer token of an integrator client only",
}
#: Exempt routes that act for a person: a browser's cookie must grant them nothing.
BEARER_ONLY = {"ims.upsert_credential": "POST", "ims.put_profile": "PUT",
               "wallet.credential": "POST", "integrators.issue": "POST"}


def _write_rules(app: Any) -> list[Any]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.methods & WRITE_METHODS),
        key=lambda r: (r.endpoint, r.rule),
    )


def _url(rule: Any) -> str:
    """The rule's path with a plausible value for every part (the CSRF check runs before the
    view, so the object need not exist)."""
    values = {
        name: 1 if isinstance(conv, IntegerConverter) else "x"  # badger's bounded <int:> too
        for name, conv in rule._converters.items()
    }
    return rule.build(values, append_unknown=False)[1]


def _actually_exempt(app: Any, endpoint: str) -> bool:
    view = app.view_functions[endpoint]
    blueprint = endpoint.rpartition(".")[0]
    return (
        f"{view.__module__}.{view.__name__}" in csrf._exempt_views
        or app.blueprints.get(blueprint) in csrf._exempt_blueprints
    )


def test_exempt_routes_are_exactly_the_listed_ones(app: Any) -> None:
    exempt = {r.endpoint for r in _write_rules(app) if _actually_exempt(app, r.endpoint)}
    assert exempt == set(EXEMPT), (
        f"exempt but not justified: {sorted(exempt - set(EXEMPT))}; "
        f"listed but protected or gone: {sorted(set(EXEMPT) - exempt)}"
    )


def test_the_inventory_covers_the_known_sensitive_routes(app: Any) -> None:
    checked = {r.endpoint for r in _write_rules(app)} - set(EXEMPT)
    for endpoint in ("awards.suspend", "portfolio.share_revoke", "accounts.logout",
                     "accounts.end_session", "api.authorize", "awards.revoke",
                     "wallet.offer", "wallet.claim_offer", "grids.session_sync",
                     "grids.round_sync"):
        assert endpoint in checked


def test_every_write_route_refuses_a_missing_or_forged_token(
    app: Any, client: Any, admin: Any, db: Any
) -> None:
    login_staff(client, admin)
    client.csrf_token()  # the session holds a token: only the request lacks it
    events = db.scalar(select(func.count()).select_from(AuditEvent))
    failures = []
    for rule in _write_rules(app):
        if rule.endpoint in EXEMPT:
            continue
        url = _url(rule)
        for method in sorted(rule.methods & WRITE_METHODS):
            for label, extra in (("missing", {}), ("forged", {"csrf_token": "forged.token.x"})):
                response = client.open(url, method=method, data=dict(extra), csrf=False)
                text = (
                    json.dumps(response.get_json(), ensure_ascii=False)
                    if response.is_json
                    else response.get_data(as_text=True)
                )
                if response.status_code != 400 or CSRF_MESSAGE not in text:
                    failures.append(f"{rule.endpoint} {method} {url} ({label}): "
                                    f"{response.status_code}")
    assert not failures, "write routes that skip the CSRF check:\n" + "\n".join(failures)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events  # nothing written
    assert client.get("/admin/participants").status_code == 200  # not even the logout ran


def test_exempt_routes_acting_for_a_person_ignore_the_cookie(
    app: Any, client: Any, make: Any, participant: Any
) -> None:
    login_participant(client, make, participant)
    for endpoint, method in BEARER_ONLY.items():
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        response = client.open(_url(rule), method=method, json={}, csrf=False)
        assert response.status_code == 401, (endpoint, response.status_code)
