"""The issuer's Bitstring Status Lists: a random free bit per credential, signed lists
(registered with ``badger.db``, which signs a changed list before its transaction commits)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import urls
from badger.awards import documents
from badger.awards.keys import IssuerKeys, issuer_keys
from badger.awards.models import (
    Credential,
    StatusList,
)
from badger.db import register_status_list_signer, utcnow
from badger.networks.models import Organisation
from badger.networks.service import active_endorsements
from badger.ob3 import statuslist
from badger.ob3.dataintegrity import sign

STATUS_LIST_SIZE = statuslist.MIN_LIST_SIZE
_rng = secrets.SystemRandom()
#: Other tables holding bits of these lists (a higher domain's credentials, e.g. those issued
#: through the VC-API): ``(session, list_id) -> indexes taken``, registered by that domain.
_TAKEN_SOURCES: list[Callable[[Session, int], Iterable[int]]] = []


def register_taken_indexes(source: Callable[[Session, int], Iterable[int]]) -> None:
    """Tell the allocator about bits a higher domain's rows own, so it never hands them out."""
    if source not in _TAKEN_SOURCES:
        _TAKEN_SOURCES.append(source)


def signing_keys(org: Organisation) -> IssuerKeys:
    """The organisation's key ring (with its ES256 key when it signs VC-JWTs so)."""
    keys = issuer_keys(org.slug, es256=documents.jwt_algorithm(org) == "ES256")
    assert keys is not None
    return keys


class IndexAllocator:
    """Random free indexes of the organisation's current revocation list, for one transaction."""

    def __init__(self, session: Session, org: Organisation) -> None:
        self.session = session
        self.org = org
        self.list: StatusList | None = None
        self.taken: set[int] = set()
        self._endorsements: list[dict[str, Any]] | None = None

    def endorsements(self) -> list[dict[str, Any]]:
        """The organisation's active network endorsements, read once per batch (embedded in
        the issuer Profile of every credential signed with this allocator)."""
        if self._endorsements is None:
            self._endorsements = active_endorsements(self.session, self.org.id)
        return self._endorsements

    def _load(self) -> StatusList:
        # The newest list signed as the issuer id new credentials name (a list made before
        # another identifier was chosen keeps naming the old one: a credential's list must be
        # issued by the credential's issuer).
        issuer = documents.issuer_id(self.org, signing_keys(self.org))
        https_id = urls.issuer_url(self.org)
        lists = self.session.execute(
            select(StatusList)
            .where(StatusList.organisation_id == self.org.id,
                   StatusList.purpose == "revocation")
            .order_by(StatusList.number.desc())
            .execution_options(unscoped=True)
        ).scalars().all()
        lst = next((x for x in lists if (x.issuer_id or https_id) == issuer), None)
        if lst is None:
            lst = self._new_list(lists[0].number + 1 if lists else 1, issuer)
        self.taken = set(
            self.session.scalars(
                select(Credential.revocation_index)
                .where(Credential.revocation_list_id == lst.id)
                .execution_options(unscoped=True)
            )
        )
        for source in _TAKEN_SOURCES:
            self.taken |= set(source(self.session, lst.id))
        # A set bit whose credential row is gone (participant erased) must never be reused:
        # a new credential on it would be born revoked.
        self.taken |= statuslist.set_indexes(lst.bits)
        if statuslist.is_crowded(len(self.taken), lst.size):
            lst = self._new_list(lists[0].number + 1, issuer)
            self.taken = set()
        return lst

    def _new_list(self, number: int, issuer: str) -> StatusList:
        lst = StatusList(
            organisation_id=self.org.id,
            purpose="revocation",
            number=number,
            issuer_id=None if issuer == urls.issuer_url(self.org) else issuer,
            size=STATUS_LIST_SIZE,
            bits=statuslist.new_bitstring(STATUS_LIST_SIZE),
            updated_at=utcnow(),
        )
        self.session.add(lst)
        self.session.flush()
        return lst

    def allocate(self) -> tuple[StatusList, int]:
        if self.list is None:
            self.list = self._load()
        index = statuslist.allocate_index(self.taken, self.list.size, _rng)
        self.taken.add(index)
        return self.list, index


def _signed_status_list(lst: StatusList) -> str:
    """The issuer's signed BitstringStatusListCredential for the list's current bits.

    Called by ``badger.db`` before the transaction that created or changed the list commits
    (stored then), and only in memory by ``StatusList.signed_document`` for a list still
    unsigned: it writes nothing."""
    org = lst.organisation
    keys = signing_keys(org)
    issuer = lst.issuer_id or urls.issuer_url(org)  # as made; NULL: the https id
    try:
        key = documents.signing_key_for(org, keys, issuer)
    except LookupError as exc:
        raise RuntimeError(f"status list {lst.number} of {org.slug} is issued as {issuer}, "
                           "whose key is gone: a did:key cannot rotate") from exc
    unsigned = statuslist.build_status_list_credential(
        list_url=urls.status_url(org, lst.purpose, lst.number),
        issuer=issuer,
        purpose=lst.purpose,
        bits=lst.bits,
        valid_from=lst.updated_at,
    )
    signed = sign(unsigned, key, documents.method_for(org, key, issuer))
    return json.dumps(signed, ensure_ascii=False, separators=(",", ":"))


register_status_list_signer(StatusList, _signed_status_list)


def flip_status(session: Session, cred: Credential, value: bool) -> None:
    """Set the credential's bit in its list (signed once, before the commit: ``badger.db``)."""
    if cred.revocation_list_id is None or cred.revocation_index is None:
        return
    StatusList.set_status_locked(session, cred.revocation_list_id, cred.revocation_index, value)
