"""The comparison page over HTTP: the chart's numbers lead to their axis, the notes table is
folded, cards only for the axes that need a word, agreeing and consenting come back to the
axis, and one wording per agreement state in the message and on the page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from sqlalchemy import select

from badger.grids.models import ValidatedCompetence
from badger.templating import elides
from tests.conftest import login_participant, login_staff
from tests.grids._factory import TYPICAL_GAPS, TYPICAL_NEEDS_WORD, typical_round

NS = {"s": "http://www.w3.org/2000/svg"}
COACH_PROPOSES = "Le coach propose le niveau {n} ; en attente de l&#39;accord du participant."
PARTICIPANT_PROPOSES = "Le participant propose le niveau {n} ; en attente de l&#39;accord du coach."


def _clients(make, coach, participant):
    staff = make.app.test_client()
    login_staff(staff, coach)
    me = make.app.test_client()
    login_participant(me, make, participant)
    return staff, me


def _sections(html: str) -> tuple[str, str]:
    """The page's cards part and its compact list part."""
    cards = html.split('<section class="to-discuss"', 1)[1].split("</section>\n{% endif", 1)[0]
    cards, rest = cards.split('<section class="settled"', 1)
    return cards, rest.split('<details class="chart-table"', 1)[0]


def _ids(part: str) -> list[int]:
    return [int(x) for x in re.findall(r'class="card axis-item[^"]*" id="axis-(\d+)"', part)]


def _state(html: str, cid: int) -> str:
    section = html.split(f'id="axis-{cid}"', 1)[1].split("</section>", 1)[0]
    found = re.search(r'<p class="agreement-state">(.*?)</p>', section, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split()) if found else ""


def _flash(html: str) -> str:
    found = re.search(r'<p class="flash flash-success">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


def test_cards_only_for_axes_that_need_a_word_the_table_folded(db, make, org, coach, participant):
    rnd = typical_round(db, org, participant, coach)
    cids = [it.competence_id for it in rnd.items]
    staff, me = _clients(make, coach, participant)
    for client in (me, staff):  # both use the page; both see the same split
        html = client.get(f"/rounds/{rnd.id}/compare").get_data(as_text=True)
        cards, listed = _sections(html)
        assert _ids(cards) == [cids[i] for i in TYPICAL_NEEDS_WORD]
        others = [c for i, c in enumerate(cids) if i not in TYPICAL_NEEDS_WORD]
        assert _ids(listed) == others
        # each listed axis: a folded line with its scores, its card inside it
        assert listed.count('<details class="axis-more">') == len(others)
        assert '<details class="axis-more" open' not in listed
        # every axis keeps its agree form (competence, v, level) for offline use
        assert (
            len(re.findall(r'<form method="post" action="[^"]+/agree" class="agree-form">', html))
            == 17
        )
        assert all(f'name="competence" value="{c}"' in html for c in cids)
        # the notes table is folded; opened, its scroll region is focusable and named
        assert '<details class="chart-table">' in html and 'chart-table" open' not in html
        assert re.search(
            r'<div class="table-scroll" tabindex="0" role="region" aria-label="[^"]+">'
            r'<table class="radar-table"',
            html,
        )
        # the chart: one number per axis, in order, each a link to that axis's details
        svg = html[html.index("<svg") : html.index("</svg>") + 6]
        root = ET.fromstring(svg)
        links = root.findall(".//s:a", NS)
        assert [a.get("href") for a in links] == [f"#axis-{c}" for c in cids]
        assert links[5].get("aria-label") == "6. Respect de l'environnement"
        assert all(html.count(f'id="axis-{c}"') == 1 for c in cids)
        assert "…" not in svg
    # the participant answers the consent; the coach sees no consent buttons, only the state
    assert "J'accepte que cette compétence soit validée" in me.get(
        f"/rounds/{rnd.id}/compare"
    ).get_data(as_text=True)
    assert "J'accepte" not in staff.get(f"/rounds/{rnd.id}/compare").get_data(as_text=True)


def test_a_round_just_compared_has_cards_for_its_gaps_only(db, make, org, coach, participant):
    rnd = typical_round(db, org, participant, coach, conversation=False)
    cids = [it.competence_id for it in rnd.items]
    _staff, me = _clients(make, coach, participant)
    html = me.get(f"/rounds/{rnd.id}/compare").get_data(as_text=True)
    cards, listed = _sections(html)
    assert _ids(cards) == [cids[i] for i in TYPICAL_GAPS]
    assert len(_ids(listed)) == 17 - len(TYPICAL_GAPS)
    # the coach's advice and the participant's comment are on the cards
    assert "Arriver à l&#39;heure trois fois de suite." in cards
    assert "Je cours tous les matins." in cards


def test_agreeing_and_consenting_return_to_the_axis_with_one_wording(
    db, make, org, coach, participant
):
    rnd = typical_round(db, org, participant, coach)
    cids = [it.competence_id for it in rnd.items]
    label = rnd.items[9].competence.label
    staff, me = _clients(make, coach, participant)
    url = f"/rounds/{rnd.id}/compare"

    # the participant proposes 3 on axis 10: back to it; message and state line say the same
    r = me.post(f"/rounds/{rnd.id}/agree", data={"competence": cids[9], "level": 3})
    assert r.status_code == 302 and r.location.endswith(f"{url}#axis-{cids[9]}")
    html = me.get(url).get_data(as_text=True)
    state = PARTICIPANT_PROPOSES.format(n=3)
    assert _flash(html) == f"{label} — {state}"
    assert _state(html, cids[9]) == state
    assert "Niveau convenu enregistré" not in html
    assert cids[9] in _ids(_sections(html)[0])  # waiting for the coach: now a card

    # the coach proposes 4 instead: the participant's agreement is withdrawn, the words follow
    r = staff.post(f"/rounds/{rnd.id}/agree", data={"competence": cids[9], "level": 4})
    assert r.location.endswith(f"#axis-{cids[9]}")
    html = staff.get(url).get_data(as_text=True)
    assert _flash(html) == f"{label} — {COACH_PROPOSES.format(n=4)}"
    assert _state(html, cids[9]) == COACH_PROPOSES.format(n=4)

    # the participant agrees: agreed, in the message and on the line
    r = me.post(f"/rounds/{rnd.id}/agree", data={"competence": cids[9], "level": 4})
    assert r.location.endswith(f"#axis-{cids[9]}")
    html = me.get(url).get_data(as_text=True)
    assert _flash(html) == f"{label} — Niveau convenu : 4"
    assert _state(html, cids[9]).startswith("Niveau convenu : 4 — accord de")
    # French elision before the participant's name ("et d'Amina", never "et de Amina")
    person = rnd.journey.participant.display_name
    assert _state(html, cids[9]).endswith(("et d'" if elides(person) else "et de ") + person)

    # consenting (and the coach's confirming) come back to the validation's axis
    vc = db.execute(
        select(ValidatedCompetence).where(
            ValidatedCompetence.round_id == rnd.id, ValidatedCompetence.competence_id == cids[7]
        )
    ).scalar_one()
    r = me.post(f"/me/validations/{vc.id}", data={"answer": "given"})
    assert r.status_code == 302 and r.location.endswith(f"{url}#axis-{cids[7]}")
    new = db.execute(
        select(ValidatedCompetence).where(
            ValidatedCompetence.round_id == rnd.id, ValidatedCompetence.competence_id == cids[9]
        )
    ).scalar_one()
    r = staff.post(f"/validations/{new.id}/confirm")
    assert r.status_code == 302 and r.location.endswith(f"{url}#axis-{cids[9]}")
    html = me.get(url).get_data(as_text=True)
    # axis 8 consented: it leaves the cards; axis 10 now awaits the participant's consent
    cards = _ids(_sections(html)[0])
    assert cids[7] not in cards and cids[9] in cards
