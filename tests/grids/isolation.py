"""Cross-organisation cases for tests/test_isolation.py: an org-A admin gets 404 on every
grid object of organisation B."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from badger import grids
from badger.grids.models import ValidatedCompetence
from tests.grids._factory import journey_round, published_version, rate


def _round(make: Any, org_b: Any) -> Any:
    coach = make.staff(org_b, "assessor")
    person = make.participant(org_b, "Other")
    version = published_version(make.db)
    rnd = journey_round(make.db, org_b, person, coach, version, n=3)
    rate(make.db, rnd, "self", person, [4, 4, 4])
    return rnd


def _validation(make: Any, org_b: Any) -> Any:
    rnd = _round(make, org_b)
    cid = rnd.items[0].competence_id
    coach = rnd.journey.coach
    grids.submit_self_assessment(make.db, rnd, rnd.journey.participant)
    grids.record_agreement(make.db, rnd, competence_id=cid, level=4, actor=coach)
    grids.record_agreement(
        make.db, rnd, competence_id=cid, level=4, actor=rnd.journey.participant
    )
    make.db.commit()
    return make.db.execute(
        select(ValidatedCompetence).where(ValidatedCompetence.round_id == rnd.id)
    ).scalar_one()


def _session(make: Any, org_b: Any) -> Any:
    coach = make.staff(org_b, "assessor")
    people = [make.participant(org_b, "Other")]
    version = published_version(make.db)
    gs = grids.create_session(
        make.db,
        organisation_id=org_b.id,
        coach=coach,
        held_on=date(2025, 3, 4),
        title="B",
        referentiel_version_id=version.id,
        competence_ids=[c.id for c in version.competences][:3],
        round_label="entry",
        participants=people,
    )
    make.db.commit()
    return gs


def _choice(make: Any, org_b: Any) -> tuple[int, int]:
    from badger.grids import photolangage

    rnd = _round(make, org_b)
    choice = photolangage.record_choice(make.db, rnd, photolangage.ChoiceInput("joy"),
                                        recorded_by_id=None)
    make.db.commit()
    return rnd.id, choice.id


def _network_picture(make: Any, org_b: Any) -> tuple[str, Any]:
    """A picture of a network org B belongs to (the row is enough: access is checked first)."""
    from badger.grids.photo_models import NetworkPicture
    from tests.networks.isolation import _network_b

    net = _network_b(make, org_b)
    pic = NetworkPicture(network_id=net.id, name="photo-" + "b" * 16, ext="png", label="B")
    make.db.add(pic)
    make.db.commit()
    return net.slug, pic


CASES = {
    "grids.photolangage": lambda make, b: ("GET", f"/rounds/{_round(make, b).id}/photolangage"),
    "grids.photolangage_delete_choice": lambda make, b: (
        "POST", "/rounds/{}/photolangage/{}/delete".format(*_choice(make, b))),
    "grids.photolangage_file": lambda make, b: (
        "GET", f"/photolangage/files/{_network_picture(make, b)[1].filename}"),
    "grids.network_photolangage": lambda make, b: (
        "GET", f"/admin/networks/{_network_picture(make, b)[0]}/photolangage"),
    "grids.network_photolangage_delete": lambda make, b: (
        "POST", "/admin/networks/{}/photolangage/{.id}/delete".format(
            *_network_picture(make, b))),
    "grids.compare": lambda make, b: ("GET", f"/rounds/{_round(make, b).id}/compare"),
    "grids.agree": lambda make, b: ("POST", f"/rounds/{_round(make, b).id}/agree"),
    "grids.coach_round": lambda make, b: ("GET", f"/rounds/{_round(make, b).id}"),
    "grids.chart": lambda make, b: ("GET", f"/rounds/{_round(make, b).id}/chart.svg"),
    "grids.export": lambda make, b: ("GET", f"/rounds/{_round(make, b).id}/export.json"),
    "grids.print_sheet": lambda make, b: ("GET", f"/rounds/{_round(make, b).id}/print"),
    "grids.progress": lambda make, b: ("GET", f"/journeys/{_round(make, b).journey_id}/progress"),
    "grids.session_screen": lambda make, b: ("GET", f"/sessions/{_session(make, b).id}"),
    "grids.participant_grids": lambda make, b: (
        "GET",
        f"/participants/{make.participant(b, 'Other').id}/grids",
    ),
    "grids.confirm": lambda make, b: ("POST", f"/validations/{_validation(make, b).id}/confirm"),
    "grids.round_rules": lambda make, b: ("GET", f"/rounds/{_round(make, b).id}/rules"),
    "grids.round_state": lambda make, b: ("POST", f"/rounds/{_round(make, b).id}/state"),
    "grids.end_journey": lambda make, b: ("POST", f"/journeys/{_round(make, b).journey_id}/end"),
    "grids.session_peers": lambda make, b: ("POST", f"/sessions/{_session(make, b).id}/peers"),
    "grids.session_sync": lambda make, b: ("POST", f"/sessions/{_session(make, b).id}/sync"),
}

#: Participant-only routes: an admin gets 403 there whatever the id; a participant of another
#: organisation gets 404 (tests/grids/test_http.py::test_permissions_*).
EXEMPT: dict[str, str] = {
    "grids.fill_list": "participant-only; cross-participant 404 tested in test_http.py",
    "grids.fill_step": "participant-only; cross-participant 404 tested in test_http.py",
    "grids.fill_done": "participant-only; cross-participant 404 tested in test_http.py",
    "grids.chart_in_portfolio": "participant-only; owner check tested in test_http.py",
    "grids.consent": "participant-only; owner check tested in test_http.py",
    "grids.peer_list": "participant-only; non-member 404 tested in test_followup.py",
    "grids.peer_fill": "participant-only; non-member and self 404 tested in test_followup.py",
    "grids.round_sync": "participant-only; another's round 404 tested in test_offline_sync.py",
}
