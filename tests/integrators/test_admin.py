"""The admin page (/admin/integrators) and the CLI (badger integrators create|list|revoke):
the secret shown once, works at the token endpoint, revocation, roles, audit."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from badger.audit import AuditEvent
from badger.integrators.models import IntegratorClient
from tests.conftest import login_staff
from tests.integrators._helpers import TOKEN_URL, basic


def _token_status(app: Flask, client_id: str, secret: str) -> int:
    response = app.test_client().post(TOKEN_URL, data={"grant_type": "client_credentials"},
                                      headers=basic(client_id, secret))
    return int(response.status_code)


def test_admin_creates_lists_and_revokes(app: Flask, db: Any, org: Any, admin: Any) -> None:
    http = app.test_client()
    login_staff(http, admin)
    assert http.get("/admin/integrators").status_code == 200
    empty = http.post("/admin/integrators", data={"name": "  "})
    assert empty.status_code == 422
    created = http.post("/admin/integrators", data={"name": "Logiciel RH"})
    assert created.status_code == 201
    page = created.get_data(as_text=True)
    client_id = re.search(r"(int_[A-Za-z0-9_\-]+)", page).group(1)  # type: ignore[union-attr]
    secret = re.search(r"client_secret</dt><dd><code[^>]*>([^<]+)<", page).group(1)  # type: ignore[union-attr]
    assert _token_status(app, client_id, secret) == 200
    assert "/admin/integrators" in http.get("/admin/credentials").get_data(as_text=True)
    listing = http.get("/admin/integrators").get_data(as_text=True)
    assert client_id in listing and "Logiciel RH" in listing
    assert secret not in listing  # shown once only
    assert http.post(f"/admin/integrators/{client_id}/revoke").status_code == 302
    assert _token_status(app, client_id, secret) == 401
    row = db.scalars(select(IntegratorClient)).one()
    assert row.revoked_at is not None and row.created_by_id == admin.id
    events = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "IntegratorClient")
                        .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_type, e.actor_id) for e in events] == [
        ("integrators.client_create", "staff", admin.id),
        ("integrators.client_revoke", "staff", admin.id)]


def test_coach_cannot_manage_integrators(app: Flask, db: Any, coach_client: Any) -> None:
    assert coach_client.get("/admin/integrators").status_code == 403
    assert coach_client.post("/admin/integrators", data={"name": "x"}).status_code == 403
    assert db.scalar(select(IntegratorClient.id)) is None


def test_cli(app: Flask, db: Any, org: Any) -> None:
    runner = app.test_cli_runner()
    out = runner.invoke(args=["integrators", "create", "--org", org.slug, "--name", "Suites"])
    assert out.exit_code == 0, out.output
    client_id = re.search(r"client_id: (\S+)", out.output).group(1)  # type: ignore[union-attr]
    secret = re.search(r"client_secret: (\S+)", out.output).group(1)  # type: ignore[union-attr]
    assert _token_status(app, client_id, secret) == 200
    listed = runner.invoke(args=["integrators", "list", "--org", org.slug])
    assert client_id in listed.output and "active" in listed.output and secret not in listed.output
    revoked = runner.invoke(args=["integrators", "revoke", "--org", org.slug,
                                  "--client-id", client_id])
    assert revoked.exit_code == 0, revoked.output
    assert _token_status(app, client_id, secret) == 401
    assert "revoked" in runner.invoke(args=["integrators", "list", "--org", org.slug]).output
    unknown = runner.invoke(args=["integrators", "create", "--org", "nope", "--name", "x"])
    assert unknown.exit_code != 0 and "No organisation" in unknown.output
