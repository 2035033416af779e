"""Networks: members and endorsements (signed OB 3.0 EndorsementCredentials).

A network vouches for a member organisation by signing an ``EndorsementCredential`` whose
issuer is the network's public Profile (``{BADGER_BASE_URL}/networks/<slug>``, permanent) and
whose subject is the organisation's issuer id (``/issuers/<slug>``). The signed JSON is stored
as issued; the organisation's issuer Profile carries its active endorsements
(:func:`active_endorsements`). Withdrawing keeps the row (``withdrawn_at``) and drops it from
the Profile. Services flush, never commit (the view commits once).

Each endorsement signed since migration 0012 carries a ``BitstringStatusListEntry`` (purpose
``revocation``) in its network's own list (>= 131,072 entries, random index, like the issuers'
lists of ``badger.awards``); withdrawing sets its bit, and the list is re-signed with the
network's key before that transaction commits (``badger.db.StatusListColumns``), so reading it
never writes. Endorsements signed before have no status entry: their URL answers 410 once
withdrawn.
"""

from __future__ import annotations

import json
import secrets
import uuid as uuidlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badger import audit, urls
from badger.db import register_status_list_signer, utcnow
from badger.errors import UserError
from badger.networks import keys as network_keys
from badger.networks.models import (
    Network,
    NetworkEndorsement,
    NetworkMembership,
    NetworkStatusList,
    Organisation,
)
from badger.ob3 import model, registry, sign, statuslist
from badger.ob3.dids import DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT, verification_method_entry
from badger.ob3.keys import SigningKey

#: Longest endorsement comment kept (it is signed into the credential).
MAX_COMMENT = 2000
#: Entries per network status list: the spec's minimum, for herd privacy (as the issuers').
STATUS_LIST_SIZE = statuslist.MIN_LIST_SIZE
STATUS_PURPOSE = "revocation"

_rng = secrets.SystemRandom()

# --------------------------------------------------------------------------- documents


def network_profile(network: Network) -> dict[str, Any]:
    """The Profile embedded in endorsements (small: id, type, name, url)."""
    nid = urls.network_url(network)
    return model.profile(nid, name=network.name, url=network.url or nid)


def network_document(network: Network, keys: tuple[SigningKey, ...]) -> dict[str, Any]:
    """The network id document: OB Profile and controller document (Multikey methods)."""
    nid = urls.network_url(network)
    methods = [verification_method_entry(nid, k) for k in keys]
    return {
        "@context": [model.VC2_CONTEXT, model.OB_CONTEXT, DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        **model.profile(
            nid,
            name=network.name,
            url=network.url or nid,
            description=network.description or None,
        ),
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


# --------------------------------------------------------------------------- reading


@dataclass
class Member:
    membership: NetworkMembership
    organisation: Organisation
    endorsement: NetworkEndorsement | None


def administered_networks(session: Session, user: Any) -> list[Network]:
    ids = user.admin_network_ids() if user is not None else set()
    if not ids:
        return []
    return list(
        session.scalars(select(Network).where(Network.id.in_(ids)).order_by(Network.name))
    )


def network_for_admin(session: Session, user: Any, slug: str) -> Network:
    """The network ``slug`` if ``user`` administers it; 404 otherwise (no existence oracle)."""
    network = session.execute(select(Network).where(Network.slug == slug)).scalar_one_or_none()
    if network is None or network.id not in user.admin_network_ids():
        raise UserError(_l("Ce réseau n'existe pas, ou vous ne l'administrez pas."), 404)
    return network


def network_by_slug(session: Session, slug: str) -> Network | None:
    return session.execute(select(Network).where(Network.slug == slug)).scalar_one_or_none()


def _active(session: Session, membership_id: int) -> NetworkEndorsement | None:
    return session.execute(
        select(NetworkEndorsement).where(
            NetworkEndorsement.membership_id == membership_id,
            NetworkEndorsement.withdrawn_at.is_(None),
        )
    ).scalar_one_or_none()


def members(session: Session, network: Network) -> list[Member]:
    """Member organisations by name, each with its active endorsement (or None)."""
    rows = session.execute(
        select(NetworkMembership, Organisation)
        .join(Organisation, Organisation.id == NetworkMembership.organisation_id)
        .where(NetworkMembership.network_id == network.id)
        .order_by(Organisation.name, Organisation.id)
    ).all()
    active = {
        e.membership_id: e
        for e in session.scalars(
            select(NetworkEndorsement)
            .join(NetworkMembership, NetworkMembership.id == NetworkEndorsement.membership_id)
            .where(
                NetworkMembership.network_id == network.id,
                NetworkEndorsement.withdrawn_at.is_(None),
            )
        )
    }
    return [Member(m, o, active.get(m.id)) for m, o in rows]


def endorsed_members(session: Session, network: Network) -> list[Member]:
    return [m for m in members(session, network) if m.endorsement is not None]


def active_endorsements(session: Session, organisation_id: int) -> list[dict[str, Any]]:
    """The signed EndorsementCredentials currently vouching for an organisation (oldest first).

    Public by design (they go into the organisation's issuer Profile ``endorsement`` array).
    """
    texts = session.scalars(
        select(NetworkEndorsement.credential_json)
        .join(NetworkMembership, NetworkMembership.id == NetworkEndorsement.membership_id)
        .where(
            NetworkMembership.organisation_id == organisation_id,
            NetworkEndorsement.withdrawn_at.is_(None),
        )
        .order_by(NetworkEndorsement.issued_at, NetworkEndorsement.id)
        .execution_options(unscoped=True)
    ).all()
    return [json.loads(t) for t in texts]


def public_endorsement(session: Session, network: Network, uuid: str) -> NetworkEndorsement | None:
    return session.execute(
        select(NetworkEndorsement)
        .join(NetworkMembership, NetworkMembership.id == NetworkEndorsement.membership_id)
        .where(NetworkMembership.network_id == network.id, NetworkEndorsement.uuid == uuid)
    ).scalar_one_or_none()


# --------------------------------------------------------------------------- status lists


def _new_list(session: Session, network: Network, number: int) -> NetworkStatusList:
    lst = NetworkStatusList(
        network_id=network.id,
        purpose=STATUS_PURPOSE,
        number=number,
        size=STATUS_LIST_SIZE,
        bits=statuslist.new_bitstring(STATUS_LIST_SIZE),
        updated_at=utcnow(),
    )
    session.add(lst)
    session.flush()
    return lst


def allocate_status(session: Session, network: Network) -> tuple[NetworkStatusList, int]:
    """A uniformly random free index of the network's current revocation list (a new list
    once three quarters are taken). Taken = indexes of its endorsements and every set bit (a
    bit is never reused); the unique ``(status_list_id, status_index)`` guards races."""
    lst = session.execute(
        select(NetworkStatusList)
        .where(NetworkStatusList.network_id == network.id,
               NetworkStatusList.purpose == STATUS_PURPOSE)
        .order_by(NetworkStatusList.number.desc())
        .limit(1)
    ).scalar_one_or_none()
    if lst is None:
        lst = _new_list(session, network, 1)
    taken = {
        index
        for index in session.scalars(
            select(NetworkEndorsement.status_index).where(
                NetworkEndorsement.status_list_id == lst.id
            )
        )
        if index is not None
    } | statuslist.set_indexes(lst.bits)
    if statuslist.is_crowded(len(taken), lst.size):
        lst = _new_list(session, network, lst.number + 1)
        taken = set()
    return lst, statuslist.allocate_index(taken, lst.size, _rng)


def status_list(
    session: Session, network: Network, purpose: str, number: int
) -> NetworkStatusList | None:
    return session.execute(
        select(NetworkStatusList).where(
            NetworkStatusList.network_id == network.id,
            NetworkStatusList.purpose == purpose,
            NetworkStatusList.number == number,
        )
    ).scalar_one_or_none()


def _signed_status_list(lst: NetworkStatusList) -> str:
    """The network's signed BitstringStatusListCredential for the list's current bits, with
    its active key. Called by ``badger.db`` before the transaction that created or changed the
    list commits (the same rule as the issuers' lists), so reading it never writes."""
    network = lst.network
    unsigned = statuslist.build_status_list_credential(
        list_url=urls.network_status_url(network, lst.purpose, lst.number),
        issuer=urls.network_url(network),
        purpose=lst.purpose,
        bits=lst.bits,
        valid_from=lst.updated_at,
    )
    key = network_keys.signing_key(network.slug)
    signed = sign(unsigned, key, f"{urls.network_url(network)}#{key.public_key_multibase()}")
    return json.dumps(signed, ensure_ascii=False, separators=(",", ":"))


register_status_list_signer(NetworkStatusList, _signed_status_list)


# --------------------------------------------------------------------------- writing


def _organisation(session: Session, slug: str) -> Organisation:
    slug = (slug or "").strip().lower()
    if not slug:
        raise UserError(_l("Indiquez l'identifiant (slug) de l'organisation."), 400)
    org = session.execute(
        select(Organisation).where(Organisation.slug == slug)
    ).scalar_one_or_none()
    if org is None:
        raise UserError(_l("Aucune organisation n'a l'identifiant « %(slug)s ».", slug=slug), 404)
    return org


def _membership(session: Session, network: Network, org_slug: str) -> NetworkMembership:
    org = _organisation(session, org_slug)
    membership = session.execute(
        select(NetworkMembership).where(
            NetworkMembership.network_id == network.id,
            NetworkMembership.organisation_id == org.id,
        )
    ).scalar_one_or_none()
    if membership is None:
        raise UserError(_l("Cette organisation n'est pas membre du réseau."), 404)
    return membership


@contextmanager
def conflict_is_409(session: Session, message: Any) -> Iterator[None]:
    """Write inside a savepoint: a concurrent writer's row makes this a 409 and the session
    stays usable (the error page still reads the logged-in person). ``begin_nested`` flushes
    what is pending first, so the rows must be added inside the block."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError as exc:
        raise UserError(message, 409) from exc


def add_member(session: Session, network: Network, org_slug: str, *, actor: Any) -> Organisation:
    org = _organisation(session, org_slug)
    exists = session.execute(
        select(NetworkMembership.id).where(
            NetworkMembership.network_id == network.id,
            NetworkMembership.organisation_id == org.id,
        )
    ).scalar_one_or_none()
    already = _l("Cette organisation est déjà membre du réseau.")
    if exists is not None:
        raise UserError(already, 409)
    with conflict_is_409(session, already):
        session.add(NetworkMembership(network_id=network.id, organisation_id=org.id))
    audit.record(session, "network.member_added", actor=actor, organisation_id=org.id,
                 object_type="Network", object_id=network.id)
    return org


def remove_member(session: Session, network: Network, org_slug: str, *, actor: Any) -> None:
    membership = _membership(session, network, org_slug)
    if _active(session, membership.id) is not None:
        raise UserError(
            _l("Retirez d'abord la recommandation du réseau avant de retirer ce membre."), 409
        )
    org_id = membership.organisation_id
    session.delete(membership)
    session.flush()
    audit.record(session, "network.member_removed", actor=actor, organisation_id=org_id,
                 object_type="Network", object_id=network.id)


def endorse(
    session: Session,
    network: Network,
    org_slug: str,
    comment: str,
    *,
    actor: Any,
    app: Flask | None = None,
) -> NetworkEndorsement:
    """Sign and store an EndorsementCredential of the member ``org_slug`` by ``network``."""
    membership = _membership(session, network, org_slug)
    comment = (comment or "").strip()
    if not comment:
        raise UserError(_l("Expliquez en une phrase ce que le réseau recommande."), 400)
    if len(comment) > MAX_COMMENT:
        raise UserError(
            _l("Le commentaire dépasse %(n)s caractères.", n=MAX_COMMENT), 400
        )
    already = _l("Ce membre est déjà recommandé par le réseau.")
    if _active(session, membership.id) is not None:
        raise UserError(already, 409)
    org = membership.organisation
    now = utcnow().replace(microsecond=0)
    uuid = str(uuidlib.uuid4())
    lst, index = allocate_status(session, network)
    unsigned = model.endorsement_credential(
        id=urls.endorsement_url(network, uuid),
        issuer=network_profile(network),
        name=f"Recommandation de {org.name} par {network.name}",
        description=f"{network.name} reconnaît {org.name} comme émetteur de badges membre "
        "du réseau.",
        endorsed_id=urls.issuer_url(org),
        comment=comment,
        valid_from=now,
        credential_status=statuslist.status_entry(
            list_url=urls.network_status_url(network, lst.purpose, lst.number),
            index=index,
            purpose=STATUS_PURPOSE,
        ),
    )
    key = network_keys.signing_key(network.slug, app)
    signed = sign(unsigned, key, f"{urls.network_url(network)}#{key.public_key_multibase()}",
                  created=now)
    row = NetworkEndorsement(
        uuid=uuid,
        membership_id=membership.id,
        comment=comment,
        credential_json=json.dumps(signed, ensure_ascii=False, separators=(",", ":")),
        issued_at=now,
        issued_by_id=getattr(actor, "id", None),
        status_list_id=lst.id,
        status_index=index,
    )
    with conflict_is_409(session, already):
        session.add(row)
        membership.endorsed_at = now
        membership.endorsement_comment = comment
    audit.record(session, "network.endorsed", actor=actor, organisation_id=org.id, obj=row,
                 network_id=network.id)
    return row


def withdraw(
    session: Session, network: Network, org_slug: str, *, actor: Any
) -> NetworkEndorsement:
    """Mark the member's active endorsement withdrawn; it leaves the issuer Profile at once and
    its status bit is set (same transaction), so copies embedded elsewhere read as revoked."""
    membership = _membership(session, network, org_slug)
    row = _active(session, membership.id)
    if row is None:
        raise UserError(_l("Ce membre n'a pas de recommandation active."), 409)
    row.withdrawn_at = utcnow()
    membership.endorsed_at = None
    membership.endorsement_comment = None
    session.flush()
    audit.record(session, "network.endorsement_withdrawn", actor=actor,
                 organisation_id=membership.organisation_id, obj=row, network_id=network.id,
                 status_index=row.status_index)
    # Last, so no later query flushes the list before the commit signs it (badger.db).
    if row.status_list_id is not None and row.status_index is not None:
        NetworkStatusList.set_status_locked(session, row.status_list_id, row.status_index, True)
    return row


# --------------------------------------------------------------------------- server administration

#: A network slug: the key folder's rule (``badger.keystore``), and it is part of the network's
#: permanent id.
_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
MAX_NAME = 200
MAX_LOCATION = 200


def require_server_admin(user: Any) -> None:
    """Refuse (403) anyone who is not a server administrator."""
    if not getattr(user, "server_admin", False) or getattr(user, "kind", None) != "staff":
        raise UserError(_l("Seul un administrateur du serveur peut faire cela."), 403)


def clean_text(value: str | None, limit: int) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise UserError(_l("Le texte dépasse %(n)s caractères.", n=limit), 400)
    return value


def create_network(
    session: Session,
    slug: str,
    name: str,
    *,
    actor: Any,
    description: str = "",
    url: str | None = None,
    location: str | None = None,
    app: Flask | None = None,
) -> Network:
    """A real network, listed in this server's registry of networks (server admins only;
    ``actor=None``: the command line). Its signing key is made at once, so its signed member
    registry can be served from the start."""
    if actor is not None:
        require_server_admin(actor)
    slug = (slug or "").strip().lower()
    if not slug or len(slug) > 80 or not set(slug) <= _SLUG_CHARS or slug in {"registry",
                                                                              "registry.json"}:
        raise UserError(_l("L'identifiant du réseau : lettres minuscules, chiffres, « - » ou "
                           "« _ », 80 caractères au plus."), 400)
    name = clean_text(name, MAX_NAME)
    if not name:
        raise UserError(_l("Donnez le nom du réseau."), 400)
    url = (url or "").strip() or None
    if url is not None and (not url.startswith("https://") or len(url) > 500 or " " in url):
        raise UserError(_l("Le site du réseau doit être une adresse https://."), 400)
    taken = _l("Un réseau a déjà l'identifiant « %(slug)s ».", slug=slug)
    if network_by_slug(session, slug) is not None:
        raise UserError(taken, 409)
    network = Network(slug=slug, name=name, description=clean_text(description, 2000), url=url,
                      location=clean_text(location, MAX_LOCATION) or None, listed=True)
    with conflict_is_409(session, taken):
        session.add(network)
    network_keys.signing_key(slug, app)
    audit.record(session, "network.created", actor=actor, object_type="Network",
                 object_id=network.id, slug=slug, listed=True)
    return network


#: How a person is named administrator of a network: ``(session, network, email, name,
#: actor=...) -> (user, invitation token or None)``. People are accounts, and accounts sit
#: above networks (``badger.accounts`` imports this module, never the reverse), so
#: ``badger.accounts`` registers the function when it is imported.
AdminNamer = Callable[..., tuple[Any, str | None]]
_ADMIN_NAMERS: list[AdminNamer] = []


def register_admin_namer(namer: AdminNamer) -> None:
    """Say how network administrators are named (``badger.accounts``, once, at import)."""
    _ADMIN_NAMERS[:] = [namer]


def add_network_admin(
    session: Session, network: Network, email: str, name: str, *, actor: Any
) -> tuple[Any, str | None]:
    """Make the staff account ``email`` an administrator of ``network`` (server admins only;
    ``actor=None``: the command line), through the function ``badger.accounts`` registered.
    Returns the person and, for a new account (no password yet), its invitation token."""
    if not _ADMIN_NAMERS:
        raise RuntimeError("badger.accounts is not loaded: no way to name an administrator")
    return _ADMIN_NAMERS[0](session, network, email, name, actor=actor)


def all_networks(session: Session) -> list[Network]:
    return list(session.scalars(select(Network).order_by(Network.name, Network.id)))


# --------------------------------------------------------------------------- registries
#
# Each listed network publishes the registry of the organisations it actively endorses at
# ``/networks/<slug>/registry.json`` (the DCC known-issuer registry format, see
# ``badger.ob3.registry``) and the same content signed by its key at
# ``/networks/<slug>/registry``; the server publishes its listed networks at
# ``/networks/registry.json`` (plain only: the server has no key of its own).


def listed_networks(session: Session) -> list[Network]:
    return list(session.scalars(
        select(Network).where(Network.listed.is_(True)).order_by(Network.slug)
    ))


def server_registry(session: Session) -> dict[str, Any]:
    """This server's registry of its networks (listed ones only), DCC format."""
    nets = listed_networks(session)
    created = min((n.created_at for n in nets), default=None) or utcnow()
    updated = max((n.updated_at for n in nets), default=None) or created
    return registry.registry_document(
        [registry.RegistryEntry(urls.network_url(n), n.name, n.url or urls.network_url(n),
                                n.location)
         for n in nets],
        created=created,
        updated=updated,
    )


def member_registry(session: Session, network: Network) -> dict[str, Any]:
    """The organisations ``network`` actively endorses, DCC format (``meta.updated``: the
    latest endorsement or withdrawal)."""
    rows = session.execute(
        select(NetworkEndorsement.issued_at, NetworkEndorsement.withdrawn_at)
        .join(NetworkMembership, NetworkMembership.id == NetworkEndorsement.membership_id)
        .where(NetworkMembership.network_id == network.id)
    ).all()
    times = [t for row in rows for t in row if t is not None]
    updated = max(times, default=network.updated_at)
    entries = [
        registry.RegistryEntry(
            urls.issuer_url(m.organisation),
            m.organisation.name,
            m.organisation.url or urls.issuer_url(m.organisation),
        )
        for m in endorsed_members(session, network)
    ]
    return registry.registry_document(entries, created=network.created_at,
                                      updated=max(updated, network.created_at))


def signed_member_registry(session: Session, network: Network,
                           app: Flask | None = None) -> dict[str, Any]:
    """:func:`member_registry` as a credential signed with the network's active key."""
    document = member_registry(session, network)
    updated = parse_meta(document["meta"]["updated"])
    unsigned = registry.registry_credential(
        document,
        id=urls.registry_credential_url(network),
        issuer=network_profile(network),
        registry_url=urls.registry_url(network),
        valid_from=updated,
        name=f"Registre des membres recommandés par {network.name}",
    )
    key = network_keys.signing_key(network.slug, app)
    return sign(unsigned, key, f"{urls.network_url(network)}#{key.public_key_multibase()}",
                created=updated)


def parse_meta(value: str) -> datetime:
    return datetime.fromisoformat(value)
