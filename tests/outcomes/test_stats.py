"""Cohort statistics on a seeded cohort: exact figures, small groups and their complements
hidden, the difference rules, no name in the page, the CSV or the PDF, other organisations and
networks see nothing."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from badger import create_app
from badger.accounts.models import NetworkAdmin
from badger.config import ConfigError
from badger.networks.models import NetworkMembership
from badger.outcomes import Filter, cohort_report
from tests.awards import _factory as awards_factory
from tests.conftest import login_staff
from tests.outcomes._cohort import Person, credential, seed, share

START, ENDED = date(2026, 3, 2), date(2026, 5, 15)
PERIOD = "from=2026-01&to=2026-06"


def _cohort(db: Any, org: Any, admin: Any) -> tuple[Any, list[Any]]:
    version = awards_factory.adopted_version(db, org, admin)
    people = []
    contracts = [("cdi", "permanent")] * 6 + [("cdd", "lt6")] * 3 + [("interim", "lt6")]
    for i, (contract, duration) in enumerate(contracts):  # 10 employments, agreed
        low = i < 5
        people.append(Person(START, ENDED, "Sport", [
            {0: 2, 1: 1 if low else 2}, {}, {0: 3 if low else 4, 1: 1 if low else 4}],
            ("employment", contract, duration, None, "given")))
    for i in range(5):  # 5 qualifying trainings, agreed; 4 scored twice on competence 2
        rounds = [{2: 1}, {2: 2}] if i < 4 else [{2: 1}]
        people.append(Person(START, ENDED, "Sport", rounds, ("training", None, None, True,
                                                              "given")))
    for _ in range(2):  # employment recorded, the participant has not answered: not counted
        people.append(Person(START, ENDED, "Sport",
                             exit=("employment", "cdi", "permanent", None, "pending")))
    people.append(Person(START, ENDED, "Sport"))  # ended, no exit recorded
    people += [Person(START, programme="Sport") for _ in range(6)]  # in progress
    persons = seed(db, org, version, people)
    ach = awards_factory.achievement(db, org, admin, version)
    for p in persons[:6]:
        credential(db, org, ach, p)
    credential(db, org, ach, persons[6], state="claim_pending")
    share(db, org, persons[0], views=1)
    for p in persons[:5]:
        share(db, org, p, views=2)
    share(db, org, persons[5], views=0)
    return version, persons


def _other_org(db: Any, make: Any) -> Any:
    org_b = make.organisation("org-b", "Organisation B")
    admin_b = make.staff(org_b, "admin", email="admin@b.example.org")
    version = awards_factory.adopted_version(db, org_b, admin_b)
    seed(db, org_b, version, [Person(START, ENDED, "Sport", exit=("no_news", None, None, None,
                                                                    "not_needed"),
                                     name=f"Bénédicte{i} Autre") for i in range(8)])
    return org_b


def _csv(response: Any) -> dict[tuple[str, str], list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    return {(r[0], r[1]): r[2:] for r in rows[1:]}


def test_exact_figures_of_a_seeded_cohort(app: Any, db: Any, make: Any, org: Any, admin: Any,
                                          client: Any) -> None:
    _version, _persons = _cohort(db, org, admin)
    _other_org(db, make)
    report = cohort_report(db, Filter((org.id,), date(2026, 1, 1), date(2026, 6, 30)), 5)
    assert report.shown
    assert (report.journeys.value, report.participants.value) == (24, 24)
    status = {k: (c.value, c.reason) for k, c in report.status.items()}
    assert status == {"in_progress": (6, None), "employment": (10, None),
                      "training": (None, "complement"), "other_support": (0, None),
                      "no_news": (0, None), "unrecorded": (None, "small")}
    assert {k: c.value for k, c in report.contracts.items()} == {
        "cdi": 6, "cdd": None, "interim": None, "insertion": 0, "alternance": 0,
        "independent": 0}
    assert {k: c.reason for k, c in report.durations.items()} == {
        "lt6": "small", "ge6": None, "permanent": "complement"}
    assert all(c.reason == "total" for c in report.training.values())
    rows = {r.label: r for r in report.competences}
    first, second, third = (c.label for c in _version.competences[:3])
    a, b, c = rows[first], rows[second], rows[third]
    assert (a.n.value, a.mean_entry, a.mean_exit, a.progressed.value, a.progressed_share) == (
        10, 2.0, 3.5, 10, 100.0)
    assert {lv: x.value for lv, x in a.entry.items()} == {0: 0, 1: 0, 2: 10, 3: 0, 4: 0, 5: 0}
    assert {lv: x.value for lv, x in a.exit.items()} == {0: 0, 1: 0, 2: 0, 3: 5, 4: 5, 5: 0}
    assert (b.mean_entry, b.mean_exit, b.progressed.value, b.progressed_share) == (
        1.5, 2.5, 5, 50.0)
    assert c.n.hidden and c.mean_entry is None and all(x.hidden for x in c.entry.values())
    assert {k: v.value for k, v in report.badges.items()} == {
        "people": 7, "issued": 7, "accepted": 6}
    assert {k: v.value for k, v in report.shares.items()} == {"people": 5, "links": 6}

    login_staff(client, admin)
    rows_csv = _csv(client.get(f"/outcomes/stats.csv?{PERIOD}"))
    assert rows_csv[("cohorte", "parcours")] == ["24", ""]
    assert rows_csv[("Situation des parcours", "Emploi")] == ["10", "41.7"]
    assert rows_csv[("Situation des parcours", "Formation")] == ["masqué", ""]
    assert rows_csv[("Situation des parcours", "Sortie non renseignée")] == ["masqué", ""]
    assert rows_csv[("progression", f"{first} — moyenne sortie")] == ["3.5", ""]
    assert rows_csv[("progression", f"{second} — progressé d'au moins 1 niveau")] == [
        "5", "50.0"]
    assert rows_csv[("badges", "Badges acceptés")] == ["6", ""]
    page = client.get(f"/outcomes/?{PERIOD}").get_data(as_text=True)
    assert 'role="img"' in page and "<desc id=\"chart-status-desc\">" in page
    assert "<caption>" in page


def test_no_name_in_page_csv_or_pdf(app: Any, db: Any, make: Any, org: Any, admin: Any,
                                    client: Any) -> None:
    from pypdf import PdfReader

    _version, _persons = _cohort(db, org, admin)
    _other_org(db, make)
    login_staff(client, admin)
    texts = [client.get(f"/outcomes/?{PERIOD}").get_data(as_text=True),
             client.get(f"/outcomes/stats.csv?{PERIOD}").get_data(as_text=True)]
    pdf = client.get(f"/outcomes/stats.pdf?{PERIOD}")
    if pdf.status_code == 503:
        pytest.skip("WeasyPrint needs Pango")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    pdf_text = "\n".join(page.extract_text() for page in reader.pages)
    assert "24" in pdf_text and "Progression par compétence" in pdf_text
    texts.append(pdf_text)
    for text in texts:
        assert "Zéphyrin" not in text and "Xylo" not in text and "Bénédicte" not in text
        assert admin.email not in text


def test_a_small_cohort_shows_no_figure(app: Any, db: Any, org: Any, admin: Any,
                                        client: Any) -> None:
    version = awards_factory.adopted_version(db, org, admin)
    seed(db, org, version, [Person(START, ENDED, exit=("employment", "cdi", "permanent", None,
                                                       "given")) for _ in range(4)])
    login_staff(client, admin)
    page = client.get(f"/outcomes/?{PERIOD}").get_data(as_text=True)
    assert "Moins de 5 personnes dans cette cohorte" in page
    assert "Emplois par contrat" not in page
    rows = _csv(client.get(f"/outcomes/stats.csv?{PERIOD}"))
    assert rows[("cohorte", "parcours")] == ["masqué", ""]
    assert ("Situation des parcours", "Emploi") not in rows


def test_a_programme_told_apart_by_difference_is_refused(app: Any, db: Any, org: Any,
                                                         admin: Any, client: Any) -> None:
    """All programmes: 12; "Vélo": 3 (too small) — and "Sport" (9) is refused too, since
    all − Sport would give Vélo's 3 back."""
    version = awards_factory.adopted_version(db, org, admin)
    seed(db, org, version, [Person(START, programme="Sport") for _ in range(9)]
         + [Person(START, programme="Vélo") for _ in range(3)])
    login_staff(client, admin)
    everyone = client.get(f"/outcomes/?{PERIOD}")
    assert everyone.status_code == 200 and "12 parcours commencés" in everyone.get_data(
        as_text=True)
    for programme in ("Sport", "V%C3%A9lo"):
        refused = client.get(f"/outcomes/?{PERIOD}&programme={programme}")
        assert refused.status_code == 422
        assert "se déduiraient" in refused.get_data(as_text=True)
        assert client.get(f"/outcomes/stats.csv?{PERIOD}&programme={programme}"
                          ).status_code == 422
    seed(db, org, version, [Person(START, programme="Vélo") for _ in range(2)])
    allowed = client.get(f"/outcomes/?{PERIOD}&programme=V%C3%A9lo")
    assert allowed.status_code == 200 and "5 parcours commencés" in allowed.get_data(as_text=True)


def test_two_periods_a_few_people_apart_are_refused(app: Any, db: Any, org: Any, admin: Any,
                                                    client: Any) -> None:
    """January–June: 6 entries in March; July adds 2: January–June would be July's figures
    away from January–July, so it is refused; January–July is answered."""
    version = awards_factory.adopted_version(db, org, admin)
    seed(db, org, version, [Person(START) for _ in range(6)]
         + [Person(date(2026, 7, 3)) for _ in range(2)])
    login_staff(client, admin)
    refused = client.get(f"/outcomes/?{PERIOD}")
    assert refused.status_code == 422 and "mois voisin" in refused.get_data(as_text=True)
    assert client.get("/outcomes/?from=2026-01&to=2026-07").status_code == 200
    # a neighbour month with 5 or more entries does not refuse
    seed(db, org, version, [Person(date(2026, 7, 3)) for _ in range(3)])
    assert client.get(f"/outcomes/?{PERIOD}").status_code == 200


def test_network_admin_sees_members_aggregated_and_nothing_else(
    app: Any, db: Any, make: Any, org: Any, admin: Any, client: Any,
) -> None:
    _cohort(db, org, admin)
    org_c = make.organisation("org-c", "Organisation C")
    admin_c = make.staff(org_c, "admin", email="admin@c.example.org")
    seed(db, org_c, awards_factory.adopted_version(db, org_c, admin_c),
         [Person(START, programme="Sport") for _ in range(3)])
    org_b = _other_org(db, make)
    net = make.network("reseau-a")
    db.add_all([NetworkMembership(network_id=net.id, organisation_id=org.id),
                NetworkMembership(network_id=net.id, organisation_id=org_c.id)])
    lead = make.staff(make.organisation("tete", "Tête de réseau"), "admin",
                      email="lead@reseau.example.org")
    db.add(NetworkAdmin(user_id=lead.id, network_id=net.id))
    net_b = make.network("reseau-b")
    db.add(NetworkMembership(network_id=net_b.id, organisation_id=org_b.id))
    db.commit()
    login_staff(client, lead)
    page = client.get(f"/admin/networks/reseau-a/outcomes?{PERIOD}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200, body[:300]
    # org C's 3 journeys are left out (fewer than 5), org B is not a member
    assert "24 parcours commencés" in body and "1 organisation membre" in body
    rows = _csv(client.get(f"/admin/networks/reseau-a/outcomes.csv?{PERIOD}"))
    assert rows[("cohorte", "parcours")] == ["24", ""]
    assert client.get(f"/admin/networks/reseau-b/outcomes?{PERIOD}").status_code == 404
    assert client.get(f"/admin/networks/reseau-b/outcomes.csv?{PERIOD}").status_code == 404
    # on the organisation page, the lead sees their own organisation's (empty) cohort only
    own = client.get(f"/outcomes/?{PERIOD}").get_data(as_text=True)
    assert "Moins de 5 personnes" in own and "24 parcours" not in own


def test_other_organisation_sees_nothing_and_coaches_no_statistics(
    app: Any, db: Any, make: Any, org: Any, admin: Any, coach: Any, client: Any,
) -> None:
    _cohort(db, org, admin)
    org_b = _other_org(db, make)
    admin_b = db.execute(select(type(admin)).where(type(admin).email == "admin@b.example.org")
                         ).scalar_one()
    admin_b.test_password = "pw-" + "s" * 12
    login_staff(client, admin_b)
    rows = _csv(client.get(f"/outcomes/stats.csv?{PERIOD}"))
    assert rows[("cohorte", "parcours")] == ["8", ""]  # its own 8, none of org A's 24
    assert rows[("Situation des parcours", "Sans nouvelles")] == ["8", "100.0"]
    assert org_b.id != org.id
    client.post("/logout")
    login_staff(client, coach)
    page = client.get(f"/outcomes/?{PERIOD}")
    assert page.status_code == 200
    assert "réservées aux administrateurs" in page.get_data(as_text=True)
    assert client.get(f"/outcomes/stats.csv?{PERIOD}").status_code == 403


def test_a_minimum_group_below_three_is_refused_at_startup(app_config: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="BADGER_STATS_MIN_GROUP"):
        create_app({**app_config, "BADGER_STATS_MIN_GROUP": "2"})
    with pytest.raises(ConfigError):
        create_app({**app_config, "BADGER_STATS_MIN_GROUP": "cinq"})
    assert create_app({**app_config, "BADGER_STATS_MIN_GROUP": "3"}).config[
        "BADGER_STATS_MIN_GROUP"] == 3


def test_bad_filters_are_clear_errors(app: Any, admin_client: Any) -> None:
    assert admin_client.get("/outcomes/?from=2026-13").status_code == 400
    assert admin_client.get("/outcomes/?from=hier").status_code == 400
    assert admin_client.get("/outcomes/?from=2026-06&to=2026-01").status_code == 400
