"""On the recruiters' share page, beside the competence of a badge aligned to a shipped grid,
"En mots de recruteur": the France Travail and ESCO labels the crosswalks link it to (in the
page's language when translated, else marked with their language), each linking to the
competence, and saying whether the link is sourced or badger's proposal."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from sqlalchemy import select

from badger.referentiels import crosswalks
from badger.referentiels.cli import on_init
from badger.referentiels.models import Referentiel
from tests.portfolio import _factory
from tests.portfolio.test_shares import create_share, path_of

ESCO_STRESS = "http://data.europa.eu/esco/skill/7a147904-22b3-498a-b4d9-7bceeb86b45d"


def _words(html: str) -> str:
    match = re.search(r'<ul class="words">(.*?)</ul>', html, re.S)
    assert match, html[:3000]
    return unescape(match.group(1))


def test_share_page_shows_recruiter_words_with_provenance(
    app: Any, participant_client: Any, db: Any, org: Any, admin: Any, participant: Any
) -> None:
    on_init(db, app)
    db.commit()
    apels = db.scalars(select(Referentiel).filter_by(key="apels-sport")).one()
    version = apels.latest_published
    assert version is not None
    from badger import referentiels

    referentiels.adopt(db, org.id, version, admin.id)
    db.commit()
    index = next(i for i, c in enumerate(version.competences) if c.code == "APELS-15")
    # one link with a cited source, beside the shipped proposals
    crosswalks.add_mapping(db, apels, crosswalks.CrosswalkInput(
        source_code="APELS-15", target="http://data.europa.eu/esco/skill/1d1fedcb-4995-44ac-"
        "90f5-f31a157ce512", target_label="manage frustration", relation="isRelatedTo",
        provenance_kind="sourced", provenance_source="Guide APELS 2024, p. 7"))
    db.commit()
    cred = _factory.issue(db, org, _factory.achievement(db, org, admin, version, index),
                          participant)
    link = path_of(create_share(participant_client, [cred]))
    anon = app.test_client()

    french = anon.get(link, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "En mots de recruteur :" in french
    words = _words(french)
    # France Travail's two lists, in French, linking to their CASE items on this server
    assert re.search(r'<a href="http://localhost/ims/case/v1p0/CFItems/[0-9a-f-]{36}" '
                     r'rel="noopener noreferrer">Gestion du stress</a>', words)
    assert ">Gérer son stress</a>" in words
    # ESCO's label is English: marked as such on a French page
    assert f'<a href="{ESCO_STRESS}" rel="noopener noreferrer" lang="en">cope with pressure' \
        in words
    assert "(ESCO, proche)" in words
    assert words.count("Correspondance proposée, sans source publiée") == 3
    assert "Correspondance sourcée : Guide APELS 2024, p. 7" in words
    assert "ESCO n'a pas de « gestion du stress »" in words or "pression" in words

    english = anon.get(link, headers={"Accept-Language": "en"}).get_data(as_text=True)
    words_en = _words(english)
    # France Travail's labels in the page's language (badger's translations), unmarked
    assert ">Handling stress</a>" in words_en and ">Handling your stress</a>" in words_en
    assert f'<a href="{ESCO_STRESS}" rel="noopener noreferrer">cope with pressure' in words_en


def test_shared_grid_lists_each_competences_recruiter_words(
    app: Any, participant_client: Any, db: Any, org: Any, admin: Any, coach: Any,
    participant: Any
) -> None:
    on_init(db, app)
    db.commit()
    from badger import referentiels

    ft = db.scalars(select(Referentiel).filter_by(key="france-travail-savoir-etre-2018")).one()
    version = ft.latest_published
    assert version is not None
    referentiels.adopt(db, org.id, version, admin.id)
    db.commit()
    rnd = _factory.chart_round(db, org, participant, coach, version)
    link = path_of(create_share(participant_client, [], chart=[str(rnd.id)]))
    page = unescape(app.test_client().get(link, headers={"Accept-Language": "fr"})
                    .get_data(as_text=True))
    words = page[page.index('<dl class="chart-words">'):]
    words = words[:words.index("</dl>")]
    # every competence of the grid with links, its France Travail ROME 4.0 and ESCO words
    # isolated: a French label keeps its brackets and punctuation in place on an Arabic page
    assert """<dt><span dir="auto">Capacité d'adaptation</span></dt>""" in words
    assert ">S'adapter aux changements</a>" in words
    assert 'lang="en">adapt to change</a>' in words
    assert "<dt>Prise de recul</dt>" not in words  # no link proposed for it
    assert "Correspondance proposée, sans source publiée" in words
