"""The application shell: language, error pages, security headers, configuration, CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from badger import create_app
from badger.config import ConfigError
from badger.networks.models import Organisation


def test_french_by_default_and_english_on_request(client):
    assert 'lang="fr"' in client.get("/").get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in english.get_data(as_text=True)


def test_language_switch_persists_in_the_session(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login")
    assert 'lang="en"' in page.get_data(as_text=True)
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_language_choice_is_saved_for_the_person(client, admin, db):
    from tests.conftest import login_staff

    login_staff(client, admin)
    client.post("/language", data={"lang": "en"})
    db.refresh(admin)
    assert admin.locale == "en"


def test_unknown_language_is_refused(client):
    assert client.post("/language", data={"lang": "xx"}).status_code == 400


def test_404_page_in_the_ui_language(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page introuvable" in html and "Traceback" not in html


def test_api_errors_are_json(client):
    response = client.get("/api/nowhere")
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"]["code"] == "not_found" and body["error"]["message"]


def test_413_for_oversized_bodies(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login", data={"email": "a@b.c", "password": "x" * 5000})
    assert response.status_code == 413
    assert "trop lourd" in response.get_data(as_text=True)


def test_500_page_hides_the_stack_trace(app, client):
    app.config["BADGER_RENDER_500_IN_TESTS"] = True

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Erreur du serveur" in html and "secret internals" not in html


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_scripts(app):
    from pathlib import Path

    from badger import resource_dir

    offenders = []
    for path in Path(resource_dir("templates")).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if "<script>" in text or " onclick=" in text or " onload=" in text or 'style="' in text:
            offenders.append(str(path))
    assert not offenders, offenders


def test_production_refuses_an_insecure_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("BADGER_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app(
            {"BADGER_ENV": "production", "SECRET_KEY": "dev", "INSTANCE_PATH": str(tmp_path)}
        )
    with pytest.raises(ConfigError):
        create_app({"BADGER_ENV": "production", "INSTANCE_PATH": str(tmp_path)})


def test_production_accepts_strong_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("BADGER_BASE_URL", "https://badges.example.org")
    app = create_app(
        {
            "BADGER_ENV": "production",
            "SECRET_KEY": "k" * 48,
            "BADGER_KEY_PASSPHRASE": "p" * 20,
            "INSTANCE_PATH": str(tmp_path),
            "BADGER_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_secret_is_generated_once_with_private_mode(tmp_path, monkeypatch):
    monkeypatch.delenv("BADGER_SECRET_KEY", raising=False)
    a = create_app({"INSTANCE_PATH": str(tmp_path), "BADGER_DATABASE_URL": "sqlite://"})
    b = create_app({"INSTANCE_PATH": str(tmp_path), "BADGER_DATABASE_URL": "sqlite://"})
    assert a.config["SECRET_KEY"] == b.config["SECRET_KEY"] and len(a.config["SECRET_KEY"]) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_demo_twice_creates_nothing_new(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.badger.test" in first.output and "code " in first.output
    counts = {t.name: db.execute(select(func.count()).select_from(t)).scalar() for t in _tables()}
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "nothing (already there)" in second.output
    again = {t.name: db.execute(select(func.count()).select_from(t)).scalar() for t in _tables()}
    assert counts == again
    assert db.scalar(select(func.count()).select_from(Organisation)) == 1


def _tables():
    from badger.db import Base

    return [t for t in Base.metadata.sorted_tables if t.name != "audit_events"]


def test_create_admin_command(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "boss@example.org",
            "--name",
            "Boss",
            "--organisation",
            "neworg",
            "--password",
            "a-strong-password",
        ]
    )
    assert result.exit_code == 0, result.output
    login = client.post(
        "/login", data={"email": "boss@example.org", "password": "a-strong-password"}
    )
    assert login.status_code == 302
    short = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "b2@example.org",
            "--name",
            "B",
            "--organisation",
            "neworg",
            "--password",
            "short",
        ]
    )
    assert short.exit_code != 0 and "10" in short.output


def test_navigation_follows_the_role(client, make, org):
    from tests.conftest import login_staff

    coach = make.staff(org, "assessor")
    login_staff(client, coach)
    html = client.get("/").get_data(as_text=True)
    assert "Séances" in html and "Équipe" not in html and "Réseaux" not in html
    client.post("/logout")
    admin = make.staff(org, "admin")
    login_staff(client, admin)
    html = client.get("/").get_data(as_text=True)
    assert "Équipe" in html and "Réseaux" not in html


def test_create_admin_refuses_a_bad_organisation_slug(app):
    runner = app.test_cli_runner()
    for slug in ("networks", "Bad Slug", "../x"):
        result = runner.invoke(
            args=[
                "create-admin",
                "--email",
                "x@example.org",
                "--name",
                "X",
                "--organisation",
                slug,
                "--password",
                "a-strong-password",
            ]
        )
        assert result.exit_code != 0 and "slug" in result.output, slug


def test_the_badger_command_names_a_bad_setting_without_a_traceback(monkeypatch, capsys):
    import sys

    from badger.cli import main

    monkeypatch.setenv("BADGER_RETENTION_AUDIT_DAYS", "-3")
    monkeypatch.setattr(sys, "argv", ["badger", "purge", "--dry-run"])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "BADGER_RETENTION_AUDIT_DAYS" in err and "'-3'" in err
    assert "Traceback" not in err


def test_run_ends_with_the_demo_logins_in_a_box(app, db, capsys):
    from badger.cli import _echo_demo_logins
    from badger.demo import DEMO_ADMIN, DEMO_COACH

    _echo_demo_logins(app)
    assert capsys.readouterr().out == ""  # no demo, no box
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    app.config["BADGER_BASE_URL"] = "http://127.0.0.1:5077"
    _echo_demo_logins(app)
    box = capsys.readouterr().out.rstrip("\n").splitlines()
    assert box[0].startswith("+--") and box[-1] == box[0]
    assert {len(line) for line in box} == {len(box[0])}
    text = "\n".join(box)
    assert "http://127.0.0.1:5077/" in text and "/login" in text and "/code" in text
    for email, _name, password in (DEMO_ADMIN, DEMO_COACH):
        assert email in text and password in text
    assert "works once" in text and "30 minutes" in text
    app.config["BADGER_ENV"] = "production"
    _echo_demo_logins(app)
    assert capsys.readouterr().out == ""  # never in production
