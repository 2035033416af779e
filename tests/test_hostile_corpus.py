"""A corpus of hostile values sent to every write route, as each role: zero server errors.

The routes are read from ``app.url_map`` (every rule accepting POST, PUT, PATCH or DELETE), so a
new route is attacked without anyone listing it. Ids in URLs are real ones from a seeded database
(the route reaches its view, not a 404), then huge and zero ones. Each route gets, as an
anonymous visitor, a participant, a coach, an organisation and network administrator and (under
``/ims/``) an OAuth wallet: form fields (the names its own page shows, else common ones) all set
to one hostile value, the page's own values with its free-text fields hostile, raw invalid
UTF-8, JSON bodies (nested 5,000 deep, NUL, lone surrogates, huge numbers, wrong types), hostile
files (a 20,000 × 20,000 PNG, deep JSON, CSV with a 200 KB field or a NUL) and hostile headers.

Server errors are rendered as 500 (``BADGER_RENDER_500_IN_TESTS``), counted with the exception
that caused them and printed, as is any request slower than ``SLOW_SECONDS``; the test fails if
there is any.
"""

from __future__ import annotations

import base64
import io
import logging
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select

from tests.awards import _factory as awards_factory
from tests.conftest import login_participant, login_staff
from tests.test_hostile_input import bomb_png, deep_array, deep_object

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
#: Routes that end the session they are sent in: run last for each role, then log in again.
SESSION_ENDING = ("portfolio.erase", "accounts.logout")
COMMON_FIELDS = ("text", "url", "code", "email", "password", "name", "display_name", "title",
                 "key", "label", "description", "level", "participant", "achievement_id",
                 "owner", "state", "next", "language", "reason", "days", "decision", "confirm",
                 "grant_type", "client_id", "redirect_uri", "scope", "token", "code_verifier",
                 "csv_text", "narrative", "observation", "score", "comment", "version", "org_id")
FILE_FIELDS = ("file", "image", "upload")


def _deep_jwt(depth: int = 50_000) -> str:
    header = base64.urlsafe_b64encode(('{"a":' * depth + "1" + "}" * depth).encode())
    return header.decode().rstrip("=") + ".eyJ2YyI6e319.c2ln"


FORM_VALUES: dict[str, Any] = {
    "deep-json": deep_array(5_000),
    "deep-jwt": _deep_jwt(5_000),
    "nul": "a\x00b",
    "huge-int": "9" * 5_000,
    "int64+1": str(2**63),
    "negative": "-2147483649",
    "float": "1e309",
    "long": "é" * 20_000,
    "markup": "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>{{7*7}}%(x)s\u202e\x07",
    "url": "http://127.0.0.1:1/../../etc/passwd",
    "empty": "",
    "list": ["1", "2", "-1", "x"],
}
#: Also sent in the page's own form, in its free-text fields only (the others keep their values).
MIXED = ("nul", "long", "huge-int", "int64+1", "markup", "list")
RAW_BODIES: dict[str, bytes] = {
    "invalid-utf8-form": b"name=%FF%FE&text=\xff\xfe&code=\xc3\x28&display_name=%C0%AF",
}
JSON_BODIES: dict[str, bytes] = {
    "deep-array": deep_array(5_000).encode(),
    "deep-object": deep_object(5_000).encode(),
    "array": b"[1, 2, 3]",
    "huge-number": b"9" * 5_000,
    "nul": b'{"name": "a\\u0000b", "verifiableCredential": {"id": "\\u0000"}}',
    "surrogate": b'{"name": "\\ud800", "credential": "\\udfff"}',
    "wrong-types": b'{"verifiableCredential": [], "options": 5, "name": {"$gt": ""}, '
                   b'"redirect_uris": "x", "scope": 7, "credentialSubject": null}',
    "nested-wrong": b'{"verifiableCredential": {"@context": [[[["x"]]]], "type": {"a": 1}, '
                    b'"proof": [1, "x", null], "credentialSubject": [[]]}}',
    "invalid-utf8": b'{"name": "\xff\xfe"}',
}
CSV_HUGE = b"participant,narrative,code,label\n1,\"" + b"x" * 200_000 + b"\",C1,L\n"
FILES: dict[str, tuple[bytes, str]] = {
    "bomb-png": (bomb_png(), "bomb.png"),
    "truncated-png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "cut.png"),
    "deep-json": (deep_object(50_000).encode(), "deep.json"),
    "csv-huge-field": (CSV_HUGE, "huge.csv"),
    "csv-nul": (b"participant,code,label\n1,C\x001,L\x00\n", "nul.csv"),
    "invalid-utf8": (b"\xff\xfe\xfd" * 100, "bad.json"),
    "empty": (b"", "empty.json"),
}
#: Sent to the machine endpoints (``/api/``, ``/ims/``, ``/credentials/``).
HEADERS: dict[str, dict[str, str]] = {
    "deep-jwt-bearer": {"Authorization": "Bearer " + _deep_jwt()},
    "nul-bearer": {"Authorization": "Bearer a\x00b"},
    "hostile-language": {"Accept-Language": "xx-" + "a" * 5000 + ";q=abc, ar;q=1e999"},
}
#: A request slower than this is a failure too (generous: signing a badge on a loaded machine
#: takes a few seconds; csv.Sniffer on a 300 KB quoted line took minutes).
SLOW_SECONDS = 60
#: Answers meaning the request stopped before the view read anything (not logged in, wrong
#: role, another organisation's object): the rest of the corpus is not sent to that route.
GATED = (401, 403, 404, 405)


class _Fields(HTMLParser):
    """Names and values of the form controls of a page (first option of each select)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.text: set[str] = set()
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag in {"input", "textarea"} and name and name != "csrf_token":
            kind = a.get("type", "text")
            if kind in {"submit", "button", "image"}:
                return
            if kind == "file":
                self.values.setdefault(name, "")
                return
            self.values.setdefault(name, a.get("value", "on" if kind == "checkbox" else ""))
            if tag == "textarea" or kind in {"text", "email", "search", "url", "password",
                                             "tel", "date", "number", "hidden"}:
                self.text.add(name)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and self._select not in self.values:
            self.values[self._select] = a.get("value", "")
        elif tag == "button" and name:
            self.values.setdefault(name, a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _fields(html: str) -> _Fields:
    parser = _Fields()
    parser.feed(html)
    return parser


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None:
            self.seen.append(record.getMessage())
            return
        where = ""
        for frame, line in traceback.walk_tb(exc.__traceback__):
            if "/badger/" in frame.f_code.co_filename:
                where = f" at {frame.f_code.co_filename.rsplit('/badger/', 1)[1]}:{line}"
        self.seen.append(f"{type(exc).__name__}: {str(exc)[:160]}{where}")


# --------------------------------------------------------------------------- seeded database


def _seed(app: Any, db: Any, make: Any) -> dict[str, Any]:
    from badger import portfolio, referentiels
    from badger.accounts.models import NetworkAdmin
    from badger.grids.models import Round
    from badger.networks.models import NetworkMembership
    from badger.referentiels.models import Adoption
    from tests.portfolio import _factory as portfolio_factory

    org = make.organisation("org-a", "Organisation A")
    net = make.network("reseau-a")
    db.add(NetworkMembership(network_id=net.id, organisation_id=org.id))
    admin = make.staff(org, "admin", email="admin@a.example.org")
    db.add(NetworkAdmin(user_id=admin.id, network_id=net.id))
    coach = make.staff(org, "assessor", email="coach@a.example.org")
    person = make.participant(org, "Amina", email="amina@example.org")
    other = make.participant(org, "Bilal")
    db.commit()
    version = awards_factory.adopted_version(db, org, admin)
    ach = awards_factory.achievement(db, org, admin, version)
    gs = awards_factory.group_session(db, org, coach, version, [person, other])
    gs.peer_review = True
    rnd = db.scalars(select(Round).where(Round.session_id == gs.id)
                     .order_by(Round.id)).first()
    vc = awards_factory.validate(db, rnd, version.competences[1], coach, person)
    cred = portfolio_factory.issue(db, org, ach, person)
    share = portfolio.create_share(db, person, label="Pour un employeur", days=30,
                                   credential_ids=[cred.id])
    draft = referentiels.create_referentiel(db, title="Grille brouillon", key="grille-brouillon",
                                            creator="Organisation A", organisation_id=org.id)
    category = referentiels.add_category(db, draft, label="Savoir-être")
    competence = referentiels.add_competence(db, draft, referentiels.CompetenceInput(
        code="C1", label="Ponctualité", category_id=category.id))
    from datetime import timedelta

    from badger.awards.models import AwardJob
    from badger.db import utcnow

    job = AwardJob(organisation_id=org.id, achievement_id=ach.id, total=1, done=0,
                   status="running", results=[], heartbeat_at=utcnow() - timedelta(hours=1),
                   plan=[{"participant_id": other.id, "level": 4, "narrative": "",
                          "validated_competence_id": None, "observation": "",
                          "address": False}])
    db.add(job)
    db.commit()
    from tests.holders._helpers import prove

    identity = prove(db, person, "+33612345678")
    adoption = db.scalars(select(Adoption)).first()
    from badger import jobs
    from tests.jobs import _helpers as jobs_helpers

    employer = jobs_helpers.employer(db, org)
    offer = jobs_helpers.offer(db, employer, version, [(0, 3)])
    jobs.set_preference(db, person, receive=True, digest=True)
    db.commit()
    from tests.integrators import isolation as integrator_rows

    integrator_client = integrator_rows._client(make, org)
    issued = integrator_rows._issued(make, org)
    return {
        "admin": admin, "coach": coach, "person": person,
        "ids": {
            "participant_id": person.id, "user_id": coach.id, "session_id": gs.id,
            "round_id": rnd.id, "journey_id": rnd.journey_id, "vc_id": vc.id,
            "achievement_id": ach.id, "credential_id": cred.id, "share_id": share.share.id,
            "import_id": 1, "adoption_id": adoption.id, "key": "grille-brouillon",
            "number": 1, "competence_id": competence.id, "category_id": category.id,
            "slug": net.slug, "org_slug": org.slug, "token": "x" * 40, "n": 1,
            "job_id": job.id, "identity_id": identity.id,
            "client_id": integrator_client, "uuid": issued, "code": "ABCD-EFGH-JKLM",
            "crosswalk_id": 1, "choice_id": 1, "picture_id": 1,
            "employer_id": employer.id, "offer_id": offer.id, "application_id": 1,
        },
    }


def _write_rules(app: Any) -> list[Any]:
    rules = [r for r in app.url_map.iter_rules()
             if r.endpoint != "static" and set(r.methods or ()) & set(WRITE_METHODS)]
    return sorted(rules, key=lambda r: (r.endpoint in SESSION_ENDING,
                                        SESSION_ENDING.index(r.endpoint)
                                        if r.endpoint in SESSION_ENDING else 0, r.rule))


def _urls(rule: Any, ids: dict[str, Any]) -> list[str]:
    missing = set(rule.arguments) - set(ids)
    assert not missing, f"no seeded value for {sorted(missing)} in {rule.rule}: add one"
    urls = [rule.build({a: ids[a] for a in rule.arguments}, append_unknown=False)[1]]
    numeric = [a for a in rule.arguments if isinstance(ids[a], int)]
    for hostile in (2**31 - 1,):
        if numeric:
            urls.append(rule.build({a: hostile if a in numeric else ids[a]
                                    for a in rule.arguments}, append_unknown=False)[1])
    return urls


def _requests(client: Any, url: str, methods: set[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, keyword arguments of client.open) for every hostile request to ``url``."""
    page = client.get(url) if "GET" in methods else None
    scraped = _fields(page.get_data(as_text=True)) if page is not None and (
        page.status_code == 200 and page.mimetype == "text/html") else _Fields()
    names = list(scraped.values) or list(COMMON_FIELDS)
    for method in sorted(methods & set(WRITE_METHODS)):
        for label, value in FORM_VALUES.items():
            yield f"{method} form all={label}", {
                "method": method, "data": dict.fromkeys(names, value),
                "query_string": {"next": value if isinstance(value, str) else "/"}}
            if scraped.values and label in MIXED:
                mixed = {n: (value if n in scraped.text else v) for n, v in scraped.values.items()}
                yield f"{method} form text={label}", {"method": method, "data": mixed}
        for label, raw in RAW_BODIES.items():
            yield f"{method} raw {label}", {
                "method": method, "data": raw,
                "content_type": "application/x-www-form-urlencoded"}
        for label, body in JSON_BODIES.items():
            yield f"{method} json {label}", {"method": method, "data": body,
                                             "content_type": "application/json"}
        wants_files = not scraped.values or any(f in scraped.values for f in FILE_FIELDS)
        for label, (content, filename) in FILES.items() if wants_files else ():
            data: dict[str, Any] = {n: v for n, v in scraped.values.items()
                                    if n not in FILE_FIELDS}
            for f in FILE_FIELDS:
                data[f] = (io.BytesIO(content), filename)
            yield f"{method} file {label}", {"method": method, "data": data,
                                             "content_type": "multipart/form-data"}
        machine = url.startswith(("/api/", "/ims/", "/credentials/"))
        for label, headers in HEADERS.items() if machine else ():
            yield f"{method} header {label}", {"method": method, "data": dict.fromkeys(names, "1"),
                                               "headers": headers}


@pytest.fixture
def corpus_app(app_config: dict[str, Any]) -> Any:
    app_config.update(BADGER_RENDER_500_IN_TESTS=True, PROPAGATE_EXCEPTIONS=False)
    return app_config


@pytest.fixture
def no_rate_limits() -> Iterator[None]:
    """Thousands of requests from one address: the limits would answer 429 and hide the views."""
    from badger.security import limiter

    limiter.enabled = False
    yield
    limiter.enabled = True


def test_hostile_corpus_on_every_write_route_causes_no_server_error(
    corpus_app: Any, app: Any, db: Any, make: Any, no_rate_limits: None
) -> None:
    from tests.api._helpers import Client, bearer

    seeded = _seed(app, db, make)
    ids = seeded["ids"]
    errors = _Errors()
    app.logger.addHandler(errors)
    rules = _write_rules(app)
    assert len(rules) > 40, "the url map lost its write routes?"

    def login(role: str) -> Any:
        client = app.test_client()
        if role in {"admin", "coach"}:
            login_staff(client, seeded[role])
        elif role == "participant":
            login_participant(client, make, seeded["person"])
        return client

    wallet = Client.register(app)
    access = wallet.tokens(login("participant"))["access_token"]
    sent = 0
    failures: list[str] = []
    per_role: Counter[str] = Counter()
    started = time.monotonic()
    for role in ("anonymous", "participant", "coach", "admin", "wallet"):
        client = wallet.http if role == "wallet" else login(role)
        for rule in rules:
            if role == "wallet" and not rule.rule.startswith("/ims/"):
                continue
            methods = set(rule.methods or ())
            method = sorted(methods & set(WRITE_METHODS))[0]
            for n, url in enumerate(_urls(rule, ids)):
                probe = client.open(url, method=method, data={}, headers=(
                    bearer(access) if role == "wallet" else {}))
                sent += 1
                if probe.status_code >= 500:
                    failures.append(f"{role} {rule.endpoint} empty {url} -> {probe.status_code}")
                gated = probe.status_code in GATED or (
                    probe.status_code == 302 and "/login" in probe.headers.get("Location", ""))
                if n > 0 or gated:
                    continue
                batch = _requests(client, url, methods)
                for label, kwargs in batch:
                    if role == "wallet":
                        kwargs["headers"] = {**bearer(access), **kwargs.get("headers", {})}
                    before = len(errors.seen)
                    tick = time.monotonic()
                    response = client.open(url, **kwargs)
                    took = time.monotonic() - tick
                    if took > SLOW_SECONDS:  # a hostile value that holds a worker is a DoS
                        failures.append(f"{role} {rule.endpoint} {label} {url[:80]} took "
                                        f"{took:.0f} s")
                        print("  slow:", failures[-1], file=sys.stderr, flush=True)
                    sent += 1
                    per_role[role] += 1
                    if response.status_code >= 500:
                        cause = errors.seen[before:] or ["(no exception logged)"]
                        failures.append(f"{role} {rule.endpoint} {label} {url[:80]} -> "
                                        f"{response.status_code} {cause[0]}")
                        print("  5xx:", failures[-1], file=sys.stderr, flush=True)
            if rule.endpoint in SESSION_ENDING and role not in {"anonymous", "wallet"}:
                client = login(role)
        print(f"  {role}: {per_role[role]} requests, {time.monotonic() - started:.0f} s",
              file=sys.stderr, flush=True)
    elapsed = time.monotonic() - started
    print(f"\nhostile corpus: {sent} requests to {len(rules)} write routes "
          f"({dict(per_role)}) in {elapsed:.0f} s — {len(failures)} server errors or stalls")
    for line in failures[:40]:
        print("  " + line)
    assert not failures, f"{len(failures)} server errors or stalls (first: {failures[0]})"
