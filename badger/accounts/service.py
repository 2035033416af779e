"""Account rules: staff invitations, passwords, participants and their login codes.

Functions take a database session and plain values; callers commit. Tokens and codes are
returned in clear once, to be shown to the person who hands them over, and stored only
as keyed hashes.

Server and network administrators are accounts too: :func:`add_network_admin` is registered
with ``badger.networks`` (which sits below accounts and cannot import them) as the way its
pages and commands name a network's administrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import audit
from badger.accounts.models import (
    ActionToken,
    LoginCode,
    Membership,
    NetworkAdmin,
    Participant,
    Role,
    TokenPurpose,
    User,
)
from badger.db import utcnow
from badger.errors import UserError
from badger.networks import service as networks
from badger.networks.models import Network, Organisation
from badger.security import (
    hash_password,
    new_code,
    new_url_token,
    token_hash,
    url_token_hash,
    url_token_hashes,
    verify_password,
)

MIN_PASSWORD_LENGTH = 10
INVITE_DAYS = 7
RESET_HOURS = 24


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the staff user for these credentials, or None (same time either way)."""
    user = session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            _l("Le mot de passe doit compter au moins %(n)d caractères.", n=MIN_PASSWORD_LENGTH)
        )


def create_staff(
    session: Session,
    *,
    organisation: Organisation,
    email: str,
    name: str,
    role: Role,
    password: str | None = None,
    actor: object = None,
) -> User:
    """Create (or attach) a staff user with a role in an organisation."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise UserError(_l("Adresse e-mail non valable."))
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, name=name.strip() or email)
        session.add(user)
    if password is not None:
        check_new_password(password)
        user.password_hash = hash_password(password)
    if user.id is not None and user.role_in(organisation.id) is not None:
        raise UserError(_l("Cette personne fait déjà partie de l'équipe."), 409)
    session.add(Membership(user=user, organisation=organisation, role=role))
    session.flush()
    audit.record(
        session, "staff.create", actor=actor, organisation_id=organisation.id, obj=user, role=role
    )
    return user


def staff_members(session: Session, organisation_id: int) -> list[Membership]:
    """The organisation's team, by name."""
    return list(
        session.scalars(
            select(Membership)
            .where(Membership.organisation_id == organisation_id)
            .join(Membership.user)
            .order_by(User.name)
        )
    )


def staff_membership(session: Session, user_id: int, organisation_id: int) -> Membership | None:
    """``user_id``'s role in the organisation, or None when they are not in its team."""
    return session.execute(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organisation_id == organisation_id
        )
    ).scalar_one_or_none()


def issue_action_token(
    session: Session, user: User, purpose: TokenPurpose, *, actor: object = None
) -> str:
    """Create an invitation or reset link token; earlier unused ones of the same kind die."""
    for old in session.scalars(
        select(ActionToken).where(
            ActionToken.user_id == user.id,
            ActionToken.purpose == purpose,
            ActionToken.used_at.is_(None),
        )
    ):
        old.used_at = utcnow()
    token = new_url_token()
    lifetime = (
        timedelta(days=INVITE_DAYS)
        if purpose == TokenPurpose.INVITE
        else timedelta(hours=RESET_HOURS)
    )
    session.add(
        ActionToken(
            user=user,
            purpose=purpose,
            token_hash=url_token_hash(token),
            expires_at=utcnow() + lifetime,
        )
    )
    audit.record(session, f"staff.{purpose.value}_link", actor=actor, obj=user)
    return token


def find_action_token(session: Session, token: str) -> ActionToken:
    """The live link for exactly this token (see :func:`badger.security.url_token_hashes`)."""
    exact, legacy = url_token_hashes(token)
    rows = {
        row.token_hash: row
        for row in session.scalars(
            select(ActionToken).where(ActionToken.token_hash.in_((exact, legacy)))
        )
    }
    row = rows.get(exact) or rows.get(legacy)
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise UserError(_l("Ce lien n'est plus valable. Demandez-en un nouveau."), 410)
    return row


def use_action_token(session: Session, token: str, new_password: str) -> User:
    row = find_action_token(session, token)
    check_new_password(new_password)
    row.used_at = utcnow()
    row.user.password_hash = hash_password(new_password)
    row.user.active = True
    audit.record(session, "staff.password_set", actor=row.user, obj=row.user)
    return row.user


def participants(session: Session) -> list[Participant]:
    """The participants of the organisation in scope, by name."""
    return list(session.scalars(select(Participant).order_by(Participant.display_name)))


def create_participant(
    session: Session,
    *,
    organisation_id: int,
    display_name: str,
    email: str | None = None,
    phone: str | None = None,
    locale: str | None = None,
    actor: object = None,
) -> Participant:
    display_name = display_name.strip()
    if not display_name:
        raise UserError(_l("Indiquez un prénom ou un nom d'usage."))
    email = normalise_email(email) if email and email.strip() else None
    if email is not None and "@" not in email:
        raise UserError(_l("Adresse e-mail non valable."))
    participant = Participant(
        organisation_id=organisation_id,
        display_name=display_name,
        email=email,
        phone=(phone or "").strip() or None,
        locale=locale,
    )
    session.add(participant)
    session.flush()
    audit.record(
        session, "participant.create", actor=actor, organisation_id=organisation_id, obj=participant
    )
    return participant


@dataclass(frozen=True)
class IssuedCode:
    code: str
    login_code: LoginCode


def issue_login_code(
    session: Session, participant: Participant, *, minutes: int, actor: object = None
) -> IssuedCode:
    """A fresh one-time code for a participant; earlier unused codes stop working."""
    now = utcnow()
    for old in session.scalars(
        select(LoginCode).where(
            LoginCode.participant_id == participant.id, LoginCode.used_at.is_(None)
        )
    ):
        old.used_at = now
    code = new_code()
    row = LoginCode(
        participant_id=participant.id,
        organisation_id=participant.organisation_id,
        code_hash=token_hash(code),
        expires_at=now + timedelta(minutes=minutes),
        created_by_id=getattr(actor, "id", None),
    )
    session.add(row)
    audit.record(
        session,
        "participant.login_code",
        actor=actor,
        organisation_id=participant.organisation_id,
        obj=participant,
    )
    return IssuedCode(code=code, login_code=row)


def redeem_login_code(session: Session, code: str) -> Participant:
    """Consume a code and return its participant; expired or used codes are refused."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    row = session.execute(
        select(LoginCode)
        .where(LoginCode.code_hash == token_hash(cleaned))
        .execution_options(unscoped=True)
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or row.used_at is not None:
        raise UserError(_l("Ce code n'est pas valable. Demandez un nouveau code à votre coach."))
    if row.expires_at <= now:
        raise UserError(_l("Ce code a expiré. Demandez un nouveau code à votre coach."))
    if not row.participant.active:
        raise UserError(_l("Ce compte n'est plus actif."), 403)
    row.used_at = now
    row.participant.last_login_at = now
    audit.record(
        session,
        "participant.login",
        actor=row.participant,
        organisation_id=row.organisation_id,
        obj=row.participant,
    )
    return row.participant


# --------------------------------------------------------------------------- administrators


def make_server_admin(session: Session, email: str, name: str, password: str) -> User:
    """Create a server administrator, or make the existing staff account ``email`` one, with
    this password (``badger create-server-admin``; the caller checked the address)."""
    email = normalise_email(email)
    check_new_password(password)
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, name=name.strip() or email)
        session.add(user)
    user.password_hash = hash_password(password)
    user.server_admin = True
    session.flush()
    audit.record(session, "server.admin_created", actor=None, obj=user)
    return user


def add_network_admin(
    session: Session, network: Network, email: str, name: str, *, actor: object
) -> tuple[User, str | None]:
    """Make the staff account ``email`` an administrator of ``network`` (server admins only;
    ``actor=None``: the command line). A new account is created without a password and gets
    an invitation link: returns ``(user, its token or None)``."""
    if actor is not None:
        networks.require_server_admin(actor)
    email = normalise_email(email or "")
    if "@" not in email or len(email) > 320:
        raise UserError(_l("Adresse e-mail non valable."), 400)
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, name=networks.clean_text(name, networks.MAX_NAME) or email)
        session.add(user)
        session.flush()
    already = _l("Cette personne administre déjà ce réseau.")
    if network.id in user.admin_network_ids():
        raise UserError(already, 409)
    with networks.conflict_is_409(session, already):
        session.add(NetworkAdmin(user_id=user.id, network_id=network.id))
    session.refresh(user)
    audit.record(session, "network.admin_added", actor=actor, obj=user, network_id=network.id)
    if user.password_hash is not None:
        return user, None
    return user, issue_action_token(session, user, TokenPurpose.INVITE, actor=actor)


networks.register_admin_namer(add_network_admin)

