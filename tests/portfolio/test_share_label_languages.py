"""On the recruiters' share page and its annex, the référentiel title, the competence label and the
level text say their language (WCAG 2.2 SC 3.1.2): French ones are marked ``lang="fr"`` on an
English page and left alone on a French one; a competence translated into the page's language is
shown in it, unmarked."""

from __future__ import annotations

from typing import Any

from badger.referentiels.models import adding_translations
from tests.portfolio import _factory
from tests.portfolio.test_shares import create_share, path_of

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


def fr(text: str) -> str:
    return f'<span lang="fr" dir="auto">{text}</span>'


def test_share_page_marks_french_labels_on_an_english_page(
    app: Any, participant_client: Any, db: Any, org: Any, admin: Any, participant: Any
) -> None:
    version = _factory.adopted_version(db, org, admin)
    punctuality, rules = version.competences[0], version.competences[1]
    # the second competence is translated into English (label and level texts)
    with adding_translations(db):
        rules.translations = {"en": {"label": "Following the rules", "description": "",
                                     "levels": [{"score": s, "quality": f"level {s}",
                                                 "description": f"Rules: level {s}"}
                                                for s in range(6)]}}
        db.flush()
    db.commit()
    creds = [_factory.issue(db, org, _factory.achievement(db, org, admin, version, i),
                            participant) for i in (0, 1)]
    assert punctuality.label == "Ponctualité" and creds[0].level == 4
    link = path_of(create_share(participant_client, creds))
    anon = app.test_client()

    english = anon.get(link, headers=EN).get_data(as_text=True)
    assert '<html lang="en"' in english
    assert f"<dd>{fr('Ponctualité')}</dd>" in english
    assert f"— {fr('Ponctualité : niveau 4')}</dd>" in english
    assert f">{fr('Savoir-être (test)')}</a>, version 2.1" in english
    # translated into the page's language: shown in it, unmarked
    assert "<dd>Following the rules</dd>" in english
    assert "— Rules: level 4</dd>" in english
    annex = anon.get(f"{link}/cv", headers=EN).get_data(as_text=True)
    assert f'<span class="muted">{fr("Savoir-être (test)")} v2.1</span>' in annex

    french = anon.get(link, headers=FR).get_data(as_text=True)
    assert '<html lang="fr"' in french
    assert "<dd>Ponctualité</dd>" in french
    assert "— Ponctualité : niveau 4</dd>" in french
    assert ">Savoir-être (test)</a>, version 2.1" in french
    assert "<dd>Respect des règles</dd>" in french
    assert '<span lang="fr"' not in french
    annex = anon.get(f"{link}/cv", headers=FR).get_data(as_text=True)
    assert '<span class="muted">Savoir-être (test) v2.1</span>' in annex
