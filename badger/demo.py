"""Demo data for a fresh install: one network, one organisation, an admin, a coach, five
participants. Idempotent: running it again finds everything by its natural key."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from badger.accounts import service as accounts
from badger.accounts.models import Membership, NetworkAdmin, Participant, Role, User
from badger.networks.models import Network, NetworkMembership, Organisation

#: Development-only credentials, printed by `badger demo` and refused in production.
DEMO_ADMIN = ("admin@demo.badger.test", "Camille Admin", "demo-admin-password")
DEMO_COACH = ("coach@demo.badger.test", "Sam Coach", "demo-coach-password")
DEMO_PARTICIPANTS = ("Amina", "Bastien", "Chloé", "Dario", "Élise")
#: The codes `badger demo` prints when it creates the participants last 30 days (a code made
#: from the Participants page lasts BADGER_LOGIN_CODE_MINUTES, 30 minutes by default).
DEMO_CODE_MINUTES = 60 * 24 * 30
DEMO_ORGANISATION_SLUG = "sport-insertion-demo"


@dataclass
class DemoContext:
    network: Network
    organisation: Organisation
    admin: User
    coach: User
    participants: list[Participant]
    created: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def ensure_demo(session: Session) -> DemoContext:
    """Create what is missing of the demo set; return it with a report of what was created."""
    created: list[str] = []
    network = session.execute(select(Network).filter_by(slug="reseau-demo")).scalar_one_or_none()
    if network is None:
        network = Network(
            slug="reseau-demo",
            name="Réseau régional Inclusion & Sport (démo)",
            description="Réseau fictif de démonstration.",
            # the demo plays the server administrator who created its network: listed in this
            # server's registry, so its endorsement reads as recognition, as on a real server
            listed=True,
        )
        session.add(network)
        created.append("network")
    org = session.execute(
        select(Organisation).filter_by(slug=DEMO_ORGANISATION_SLUG)
    ).scalar_one_or_none()
    if org is None:
        org = Organisation(
            slug=DEMO_ORGANISATION_SLUG,
            name="Sport & Insertion (démo)",
            description="Association fictive qui accompagne vers l'emploi par le sport.",
            colour="#1d4f91",
        )
        session.add(org)
        created.append("organisation")
    session.flush()
    if not session.execute(
        select(NetworkMembership).filter_by(network_id=network.id, organisation_id=org.id)
    ).scalar_one_or_none():
        session.add(NetworkMembership(network_id=network.id, organisation_id=org.id))

    users = []
    for (email, name, password), role in ((DEMO_ADMIN, Role.ADMIN), (DEMO_COACH, Role.ASSESSOR)):
        user = session.execute(select(User).filter_by(email=email)).scalar_one_or_none()
        if user is None:
            user = accounts.create_staff(
                session, organisation=org, email=email, name=name, role=role, password=password
            )
            created.append(f"user {email}")
        elif not session.execute(
            select(Membership).filter_by(user_id=user.id, organisation_id=org.id)
        ).scalar_one_or_none():
            session.add(Membership(user=user, organisation=org, role=role))
        users.append(user)
    admin, coach = users
    if not admin.network_roles:
        session.add(NetworkAdmin(user=admin, network=network))

    participants = []
    lines: list[str] = []
    for name in DEMO_PARTICIPANTS:
        p = session.execute(
            select(Participant)
            .filter_by(organisation_id=org.id, display_name=name)
            .execution_options(unscoped=True)
        ).scalar_one_or_none()
        if p is None:
            p = accounts.create_participant(
                session, organisation_id=org.id, display_name=name, locale=None
            )
            issued = accounts.issue_login_code(session, p, minutes=DEMO_CODE_MINUTES)
            created.append(f"participant {name}")
            lines.append(f"  participant {name:<8} code {issued.code}")
        participants.append(p)
    session.flush()
    return DemoContext(network, org, admin, coach, participants, created, lines)


def is_installed(session: Session) -> bool:
    """Whether the demo organisation exists (``badger run`` then prints :func:`login_box`)."""
    found = session.scalar(select(Organisation.id).filter_by(slug=DEMO_ORGANISATION_SLUG))
    return found is not None


def login_box(base_url: str, code_minutes: int) -> str:
    """Who logs in where, in a box: the last thing ``make run`` prints before serving."""
    days = DEMO_CODE_MINUTES // (60 * 24)
    lines = [
        f"badger demo at {base_url}/",
        "Staff log in at /login:",
        f"  admin  {DEMO_ADMIN[0]} / {DEMO_ADMIN[2]}",
        "         (team, participants, badges, the demo network)",
        f"  coach  {DEMO_COACH[0]} / {DEMO_COACH[2]}",
        "         (group sessions and grids, awarding badges)",
        f"Participants ({', '.join(DEMO_PARTICIPANTS)}) log in at /code",
        "  with a code: as admin, Participants > a name > Créer un code…",
        f"  A code works once and expires after {code_minutes} minutes (the codes",
        f"  `badger demo` printed when it created them: once, within {days} days).",
        "Try first: as coach, Badges > the demo session > award its badge;",
        "  as a participant, Mes badges; any badge can be checked at /verify.",
        "Ctrl-C stops the server.",
    ]
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line:<{width}} |" for line in lines), rule])
