"""Every expiring secret is refused past its expiry — over HTTP, on a fixed clock (no sleeping).

``CASES`` maps each table that holds an expiring secret to a check that issues one, moves the
``clock`` just past its lifetime and sees it refused, then moves the clock back inside the
lifetime and sees the same secret accepted: so the refusal is the expiry's doing, and the
refused attempt did not spend the secret. A new table with an ``expires_at`` column that is not
listed here makes ``test_every_expiring_table_is_covered`` fail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from badger import api as api_service
from badger.db import Base
from badger.wallet import service as wallet_service
from tests.api._helpers import API, Client, bearer
from tests.awards import _factory as awards_factory
from tests.conftest import login_participant, login_staff
from tests.portfolio import _factory as portfolio_factory
from tests.wallet import test_oid4vci as wallet_tests

SECOND = timedelta(seconds=1)
CASES: dict[str, Callable[[Any], None]] = {}


def case(table: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    def register(check: Callable[[Any], None]) -> Callable[[Any], None]:
        CASES[table] = check
        return check

    return register


class Ctx:
    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.get = request.getfixturevalue

    def __getattr__(self, name: str) -> Any:
        return self.get(name)


def _past_then_within(clock: Any, lifetime: timedelta, refused: Callable[[], bool],
                      accepted: Callable[[], bool]) -> None:
    start = clock.now
    clock.now = start + lifetime
    assert refused(), "accepted at its expiry instant (a secret is dead from that instant)"
    clock.now = start + lifetime + SECOND
    assert refused(), "accepted after its expiry"
    clock.now = start + lifetime - SECOND
    assert accepted(), "refused before its expiry"


@case("login_codes")
def _login_code(c: Any) -> None:
    minutes = c.app.config["BADGER_LOGIN_CODE_MINUTES"]
    code = c.make.login_code(c.participant, minutes=minutes)
    client = c.app.test_client()
    _past_then_within(
        c.clock, timedelta(minutes=minutes),
        lambda: client.post("/code", data={"code": code}).status_code == 401,
        lambda: client.post("/code", data={"code": code}).status_code == 302,
    )


@case("action_tokens")
def _invitation_and_reset(c: Any) -> None:
    from badger.accounts import service
    from badger.accounts.models import TokenPurpose

    for purpose, lifetime in (
        (TokenPurpose.INVITE, timedelta(days=service.INVITE_DAYS)),
        (TokenPurpose.PASSWORD_RESET, timedelta(hours=service.RESET_HOURS)),
    ):
        token = service.issue_action_token(c.db, c.coach, purpose)
        c.db.commit()
        client = c.app.test_client()
        _past_then_within(
            c.clock, lifetime,
            lambda t=token, b=client: b.get(f"/invitation/{t}").status_code == 410,
            lambda t=token, b=client: b.get(f"/invitation/{t}").status_code == 200,
        )


@case("portfolio_shares")
def _share_link(c: Any) -> None:
    from badger import portfolio as service
    from tests.portfolio import _factory

    creds = _factory.badges(c.db, c.org, c.admin, c.participant, n=1)
    days = 3
    new = service.create_share(c.db, c.participant, label="entretien", days=days,
                               credential_ids=[creds[0].id])
    c.db.commit()
    anon = c.app.test_client()
    _past_then_within(
        c.clock, timedelta(days=days),
        lambda: anon.get(f"/s/{new.token}").status_code == 410,
        lambda: anon.get(f"/s/{new.token}").status_code == 200,
    )


@case("award_claims")
def _claim_code(c: Any) -> None:
    version = awards_factory.adopted_version(c.db, c.org, c.admin)
    achievement = awards_factory.achievement(c.db, c.org, c.admin, version)
    _cred, code = awards_factory.hold_for_claim(c.db, c.make, c.org, c.coach, achievement)
    days = c.app.config["BADGER_CLAIM_DAYS"]
    client = c.app.test_client()

    def redeem() -> int:
        return int(client.post("/claim", data={"code": code, "kind": "email",
                                               "value": "elise@example.org"}).status_code)

    _past_then_within(c.clock, timedelta(days=days), lambda: redeem() == 410,
                      lambda: redeem() == 200)


@case("api_authorization_codes")
def _oauth_code(c: Any) -> None:
    browser = c.app.test_client()
    login_participant(browser, c.make, c.participant)
    wallet = Client.register(c.app)
    code, verifier = wallet.get_code(browser)
    _past_then_within(
        c.clock, api_service.CODE_TTL,
        lambda: wallet.exchange(code, verifier).get_json().get("error") == "invalid_grant",
        lambda: wallet.exchange(code, verifier).status_code == 200,
    )


@case("api_access_tokens")
def _oauth_access_token(c: Any) -> None:
    browser = c.app.test_client()
    login_participant(browser, c.make, c.participant)
    wallet = Client.register(c.app)
    access = wallet.tokens(browser)["access_token"]

    def read() -> int:
        return int(wallet.http.get(f"{API}/credentials", headers=bearer(access)).status_code)

    _past_then_within(c.clock, api_service.ACCESS_TTL, lambda: read() == 401,
                      lambda: read() == 200)


@case("api_refresh_tokens")
def _oauth_refresh_token(c: Any) -> None:
    browser = c.app.test_client()
    login_participant(browser, c.make, c.participant)
    wallet = Client.register(c.app)
    refresh = wallet.tokens(browser)["refresh_token"]

    def use() -> Any:
        return wallet.token(grant_type="refresh_token", refresh_token=refresh)

    _past_then_within(
        c.clock, api_service.REFRESH_TTL,
        lambda: use().get_json().get("error") == "invalid_grant",
        lambda: use().status_code == 200,
    )


@case("holder_challenges")
def _identity_code(c: Any) -> None:
    """A code proving a participant's phone (sent through the SMS outbox) dies with its
    lifetime; a DID challenge is the same row kind with its own lifetime."""
    import json
    import re
    from pathlib import Path

    from badger.holders import service as holders

    browser = c.app.test_client()
    login_participant(browser, c.make, c.participant)
    sent = browser.post("/me/identities/send", data={"kind": "phone", "value": "06 12 34 56 78"})
    assert sent.status_code == 200
    challenge = re.search(r'name="challenge" value="(\d+)"', sent.get_data(as_text=True))
    assert challenge is not None
    outbox = Path(c.app.config["INSTANCE_PATH"]) / "sms-outbox.jsonl"
    text = json.loads(outbox.read_text(encoding="utf-8").splitlines()[-1])["text"]
    code = re.search(r"\b(\d{6})\b", text)
    assert code is not None

    def confirm() -> int:
        return int(browser.post("/me/identities/confirm", data={
            "challenge": challenge.group(1), "code": code.group(1)}).status_code)

    _past_then_within(c.clock, timedelta(minutes=holders.CODE_MINUTES),
                      lambda: confirm() != 302, lambda: confirm() == 302)


@case("login_sessions")
def _login_session(c: Any) -> None:
    """Idle expiry ends the session (it cannot come back), so: just inside, then just past."""
    idle = timedelta(minutes=c.app.config["BADGER_SESSION_IDLE_MINUTES"])
    browser = c.app.test_client()
    login_staff(browser, c.admin)
    start = c.clock.now
    c.clock.now = start + idle - SECOND
    assert browser.get("/admin/participants").status_code == 200
    c.clock.now = c.clock.now + idle + SECOND
    assert browser.get("/admin/participants").status_code == 302
    c.clock.now = start
    assert browser.get("/admin/participants").status_code == 302  # ended stays ended


def _wallet_offer(c: Any) -> tuple[Any, dict[str, Any], str | None]:
    creds = portfolio_factory.badges(c.db, c.org, c.admin, c.participant, n=1)
    browser = c.app.test_client()
    login_participant(browser, c.make, c.participant)
    offer, tx, _link = wallet_tests._offer(browser, creds[0].id)
    return c.app.test_client(), offer, tx


@case("wallet_offers")
def _wallet_pre_authorized_code(c: Any) -> None:
    wallet, offer, tx = _wallet_offer(c)
    _past_then_within(
        c.clock, wallet_service.OFFER_LIFETIME,
        lambda: wallet_tests._token(wallet, offer, tx).get_json().get("error") == "invalid_grant",
        lambda: wallet_tests._token(wallet, offer, tx).status_code == 200,
    )


@case("wallet_nonces")
def _wallet_nonce(c: Any) -> None:
    wallet, offer, tx = _wallet_offer(c)
    nonce = wallet_tests._nonce(wallet)
    token = wallet_tests._token(wallet, offer, tx).get_json()["access_token"]
    key, kid = wallet_tests._wallet_key()
    body = {"credential_configuration_id": "OpenBadgeCredential_ldp_vc"}

    def ask() -> Any:
        proof = wallet_tests._proof(key, kid, nonce, iat=c.clock.now.timestamp())
        return wallet_tests._ask(wallet, token, {**body, "proofs": {"jwt": [proof]}})

    _past_then_within(c.clock, wallet_service.NONCE_LIFETIME,
                      lambda: ask().get_json().get("error") == "invalid_nonce",
                      lambda: ask().status_code == 200)


@case("integrator_tokens")
def _integrator_token(c: Any) -> None:
    from badger import integrators
    from badger.awards import signing_keys
    from badger.awards.documents import issuer_id
    from tests.integrators import _helpers as integrator

    client_id, secret = integrator.new_client(c.db, c.org)
    http = c.app.test_client()
    token = integrator.get_token(http, client_id, secret)
    body = {"credential": integrator.vc2(issuer_id(c.org, signing_keys(c.org)))}

    def issue() -> int:
        return int(http.post(integrator.ISSUE_URL, json=body,
                             headers=integrator.bearer(token)).status_code)

    _past_then_within(c.clock, integrators.TOKEN_TTL, lambda: issue() == 401,
                      lambda: issue() == 201)


def test_every_expiring_table_is_covered() -> None:
    import badger.models  # noqa: F401 - every table

    expiring = {t.name for t in Base.metadata.sorted_tables if "expires_at" in t.columns}
    expiring.add("login_sessions")  # expires by idleness and age, not by a column
    assert expiring == set(CASES), (
        f"expiring secrets without a case: {sorted(expiring - set(CASES))}; "
        f"cases for no table: {sorted(set(CASES) - expiring)}"
    )


@pytest.mark.parametrize("table", sorted(CASES))
def test_expired_secret_is_refused(table: str, request: pytest.FixtureRequest, clock: Any) -> None:
    CASES[table](Ctx(request))


@case("jobs_offers")
def _job_offer(c: Any) -> None:
    from badger import jobs
    from tests.jobs import _helpers as jobs_helpers

    w = jobs_helpers.world(c.db, c.make)
    jobs_helpers.agree(c.db, w.org, w.coach, w.person, w.version, {0: 4})
    offer = jobs_helpers.offer(c.db, w.employer, w.version, [(0, 3)], days=2)
    jobs.set_preference(c.db, w.person, receive=True, digest=False)
    c.db.commit()

    def status() -> int:
        client = c.app.test_client()  # a fresh login: days pass between the checks
        login_participant(client, c.make, w.person)
        return int(client.get(f"/my/jobs/{offer.id}/apply").status_code)

    _past_then_within(c.clock, offer.expires_at - c.clock.now, lambda: status() == 404,
                      lambda: status() == 200)
