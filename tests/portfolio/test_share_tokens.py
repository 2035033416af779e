"""Link tokens match exactly: the token issued, character for character — no case folding, no
trimming, no prefix — for share links and staff invitation / reset links (over HTTP)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from badger import portfolio
from badger.accounts import service as accounts
from badger.accounts.models import TokenPurpose
from badger.portfolio.models import Share
from badger.security import token_hash, url_token_hash


def _variants(token: str) -> list[str]:
    swapped = token.swapcase()
    assert swapped != token  # a 32-character base64url token always has letters
    return [
        swapped,
        token.upper(),
        token.lower(),
        token[:-1],  # a prefix
        token + "A",  # a longer token
        " " + token,
        token + " ",
        token + "\t",
    ]


def _share(db: Any, participant: Any, creds: list[Any]) -> str:
    new = portfolio.create_share(
        db, participant, label="entretien", days=30, credential_ids=[c.id for c in creds]
    )
    db.commit()
    return new.token


def test_a_share_link_opens_only_with_its_exact_token(
    app: Any, db: Any, participant: Any, creds: list[Any]
) -> None:
    token = _share(db, participant, creds)
    anon = app.test_client()
    for variant in _variants(token):
        if variant == token:  # all-upper or all-lower tokens: not a variant
            continue
        response = anon.get("/s/" + quote(variant, safe=""))
        assert response.status_code == 404, (variant, response.status_code)
    assert anon.get(f"/s/{token}").status_code == 200
    # only the exact keyed hash is stored
    assert db.scalars(select(Share.token_hash)).one() == url_token_hash(token)


def test_a_link_made_before_exact_matching_keeps_working(
    app: Any, db: Any, participant: Any, creds: list[Any]
) -> None:
    token = _share(db, participant, creds)
    share = db.scalars(select(Share)).one()
    share.token_hash = token_hash(token)  # how links were stored before
    db.commit()
    assert app.test_client().get(f"/s/{token}").status_code == 200


@pytest.mark.parametrize("purpose", [TokenPurpose.INVITE, TokenPurpose.PASSWORD_RESET])
def test_a_staff_link_opens_only_with_its_exact_token(
    app: Any, db: Any, coach: Any, purpose: TokenPurpose
) -> None:
    token = accounts.issue_action_token(db, coach, purpose)
    db.commit()
    anon = app.test_client()
    for variant in _variants(token):
        if variant == token:
            continue
        response = anon.get("/invitation/" + quote(variant, safe=""))
        assert response.status_code == 410, (variant, response.status_code)
    assert anon.get(f"/invitation/{token}").status_code == 200
