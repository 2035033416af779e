"""The référentiel editor over HTTP: import errors in the UI language, translated level texts,
nested categories, and upgrading an adopted version (diff first; grids and badges stay pinned)."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from badger.referentiels import case
from tests.conftest import login_staff
from tests.referentiels.test_views import _add, counts, version_of

ROOT = Path(__file__).resolve().parents[2]


def _import(client: Any, org: Any, payload: bytes, name: str) -> Any:
    return client.post("/referentiels/import", data={
        "file": (io.BytesIO(payload), name), "title": "Grille", "key": "",
        "owner": f"org:{org.id}"}, content_type="multipart/form-data")


# --------------------------------------------------------------------------- import errors


def test_import_errors_are_shown_in_the_ui_language(client: Any, admin: Any, db: Any,
                                                    org: Any) -> None:
    login_staff(client, admin)
    csv_text = b"code;label;colour\nA;Un;x\nA;Deux;y\n"
    pkg = json.loads((ROOT / "referentiels/clea.json").read_text("utf-8"))
    pkg["CFItems"][1]["identifier"] = pkg["CFItems"][0]["identifier"]

    fr = _import(client, org, csv_text, "grille.csv")
    assert fr.status_code == 422
    page = unescape(fr.get_data(as_text=True))
    assert "ligne 1, colonne 3" in page and "colonne inconnue : colour" in page
    assert "ligne 3, colonne code" in page and "code en double « A » (ligne 2)" in page
    fr_pkg = unescape(_import(client, org, json.dumps(pkg).encode(), "p.json")
                      .get_data(as_text=True))
    assert "identifiant en double (déjà utilisé en /CFItems/0/identifier)" in fr_pkg

    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 302
    en = _import(client, org, csv_text, "grille.csv")
    assert en.status_code == 422
    page = unescape(en.get_data(as_text=True))
    assert "line 1, column 3" in page and "unknown column: colour" in page
    assert "line 3, column code" in page and 'duplicate code “A” (line 2)' in page
    assert "colonne" not in page and "ligne" not in page
    en_pkg = unescape(_import(client, org, json.dumps(pkg).encode(), "p.json")
                      .get_data(as_text=True))
    assert "/CFItems/1/identifier" in en_pkg
    assert "duplicate identifier (already used at /CFItems/0/identifier)" in en_pkg
    # a CSV without a title: the location is the form field, in English too
    no_title = client.post("/referentiels/import", data={
        "file": (io.BytesIO(b"code;label\nA;Un\n"), "g.csv"), "title": "", "key": "",
        "owner": f"org:{org.id}"}, content_type="multipart/form-data")
    assert 'field “Title”' in unescape(no_title.get_data(as_text=True))
    assert counts(db) == (0, 0, 0)


def test_more_errors_than_listed_are_counted(client: Any, admin: Any, org: Any) -> None:
    login_staff(client, admin)
    rows = "".join(f"A;Ligne {n}\n" for n in range(40))
    page = unescape(_import(client, org, f"code;label\n{rows}".encode(), "g.csv")
                    .get_data(as_text=True))
    assert page.count("code en double") == case.MAX_ERRORS
    assert "… et 19 autre(s) erreur(s)" in page


def test_errors_read_in_french_without_an_app_and_in_the_cli(app: Any, tmp_path: Path) -> None:
    with pytest.raises(case.CaseImportError) as info:
        case.parse_csv("code;label\nA;\n", title="T", creator="C")
    exc = info.value
    assert str(exc) == "Import refusé (1 erreur(s)) :\nligne 2, colonne label : libellé vide"
    assert exc.errors[0].location == case.Location(line=2, column="label")
    bad = tmp_path / "grille.csv"
    bad.write_text("code;label\nA;Un\nA;Deux\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["referentiel", "import", str(bad), "--title", "Grille"])
    assert result.exit_code != 0
    assert "ligne 3, colonne code : code en double « A » (ligne 2)" in result.output


# --------------------------------------------------------------------------- nested categories


def _create(client: Any, org: Any, key: str) -> None:
    assert client.post("/referentiels/new", data={
        "title": "Grille maison", "key": key, "owner": f"org:{org.id}",
        "description": ""}).status_code == 302


def _cats(db: Any, key: str) -> dict[str, Any]:
    db.expire_all()
    return {c.label: c for c in version_of(db, key).categories}


def test_sub_categories_in_the_editor(client: Any, admin: Any, db: Any, org: Any) -> None:
    login_staff(client, admin)
    key = "grille-imbriquee"
    _create(client, org, key)
    base = f"/referentiels/{key}/v1/categories"
    assert client.post(base, data={"label": "Savoir-être", "code": ""}).status_code == 302
    top = _cats(db, key)["Savoir-être"]
    assert client.post(base, data={"label": "Assiduité", "code": "",
                                   "parent": str(top.id)}).status_code == 302
    sub = _cats(db, key)["Assiduité"]
    assert client.post(base, data={"label": "Horaires", "code": "",
                                   "parent": str(sub.id)}).status_code == 302
    assert client.post(base, data={"label": "Technique", "code": "CAT-T",
                                   "parent": ""}).status_code == 302
    cats = _cats(db, key)
    leaf, tech = cats["Horaires"], cats["Technique"]
    assert (sub.parent_id, leaf.parent_id, tech.parent_id) == (top.id, sub.id, None)
    assert [c.position for c in (top, sub, leaf, tech)] == [1, 1, 1, 2]
    # an unknown parent is refused
    assert client.post(base, data={"label": "X", "parent": "999999"}).status_code == 400
    assert _add(client, key, "H1", "Arrive à l'heure", category=str(leaf.id)).status_code == 302

    # the editor offers only the places a category can go
    page = unescape(client.get(f"/referentiels/{key}/v1/edit").get_data(as_text=True))
    select = page.split(f'id="parent-{top.id}"', 1)[1].split("</select>", 1)[0]
    assert "Technique" in select and "Assiduité" not in select and "Horaires" not in select
    assert "— Assiduité" in page and "— — Horaires" in page

    # cycles are refused whatever is posted: under itself, under a descendant
    for target in (top.id, sub.id, leaf.id):
        response = client.post(f"{base}/{top.id}", data={"action": "parent",
                                                         "parent": str(target)})
        assert response.status_code == 422
        assert "sous-catégories" in unescape(response.get_data(as_text=True))
    assert _cats(db, key)["Savoir-être"].parent_id is None
    # a category with sub-categories cannot be removed
    assert client.post(f"{base}/{top.id}", data={"action": "delete"}).status_code == 400

    # move the sub-category (with its own child) under Technique, then to the top level
    assert client.post(f"{base}/{sub.id}", data={"action": "parent",
                                                 "parent": str(tech.id)}).status_code == 302
    assert _cats(db, key)["Assiduité"].parent_id == tech.id
    assert client.post(f"{base}/{sub.id}", data={"action": "parent",
                                                 "parent": ""}).status_code == 302
    cats = _cats(db, key)
    assert cats["Assiduité"].parent_id is None
    assert sorted((c.position, c.label) for c in cats.values() if c.parent_id is None) == [
        (1, "Savoir-être"), (2, "Technique"), (3, "Assiduité")]
    assert client.post(f"{base}/{sub.id}", data={"action": "parent",
                                                 "parent": str(top.id)}).status_code == 302

    # the nesting is published as CASE isChildOf and shown as nested headings
    assert client.post(f"/referentiels/{key}/v1/publish").status_code == 302
    db.expire_all()
    v = version_of(db, key)
    pkg = client.get(f"/ims/case/v1p0/CFPackages/{v.identifier}").get_json()
    assert case.schema_errors(pkg) == []
    fw = case.parse_package(json.dumps(pkg))
    by_label = {it.label: it for it in fw.items}
    assert by_label["Assiduité"].parent == by_label["Savoir-être"].identifier
    assert by_label["Horaires"].parent == by_label["Assiduité"].identifier
    assert by_label["Arrive à l'heure"].parent == by_label["Horaires"].identifier
    html = client.get(f"/referentiels/{key}/v1").get_data(as_text=True)
    assert "<h2><span class=\"code\">CAT-1</span> Savoir-être</h2>" in unescape(html)
    assert re.search(r"<h3>.*Assiduité</h3>", html)
    assert re.search(r"<h4>.*Horaires</h4>", html)
    assert re.search(r'<h5 class="competence-title">', html)
    # and it is frozen like the rest
    assert client.post(f"{base}/{sub.id}", data={"action": "parent",
                                                 "parent": ""}).status_code == 409
    assert client.post(base, data={"label": "Y", "parent": str(top.id)}).status_code == 409


# --------------------------------------------------------------------------- translations

EN_LEVELS = ["Not seen yet", "Sometimes on time", "On time when reminded",
             "Usually on time", "Always on time", "Helps others be on time"]
ES_LEVELS = ["", "", "Llega a tiempo con un recordatorio", "", "", ""]


def _tr(lang: str, label: str, description: str = "", levels: list[str] | None = None
        ) -> dict[str, str]:
    out = {f"tr-{lang}-label": label, f"tr-{lang}-description": description}
    out |= {f"tr-{lang}-level-{n}": text for n, text in enumerate(levels or [""] * 6)}
    return out


def test_translated_level_texts_in_the_editor(client: Any, admin: Any, db: Any,
                                              org: Any) -> None:
    from badger.grids import competence_label

    login_staff(client, admin)
    key = "grille-traduite"
    _create(client, org, key)
    form = unescape(client.get(f"/referentiels/{key}/v1/competences/new")
                    .get_data(as_text=True))
    assert "Traduction : anglais (en)" in form and 'name="tr-en-level-5"' in form
    assert 'name="tr-fr-label"' not in form  # never the référentiel's own language
    assert _add(client, key, "P1", "Ponctualité", level_3="Arrive à l'heure le plus souvent",
                **_tr("en", "Punctuality", "Being on time", EN_LEVELS)).status_code == 302
    comp = version_of(db, key).competences[0]
    en = comp.translations["en"]
    assert (en["label"], en["description"]) == ("Punctuality", "Being on time")
    assert [lv["description"] for lv in en["levels"]] == EN_LEVELS
    assert en["levels"][3]["quality"] == "Acquired with support"
    assert competence_label(comp, "en") == "Punctuality"
    edit_url = f"/referentiels/{key}/v1/competences/{comp.id}/edit"
    page = unescape(client.get(edit_url).get_data(as_text=True))
    assert EN_LEVELS[4] in page and 'lang="en"' in page

    # another language: offered with ?lang=, kept once saved
    page = unescape(client.get(edit_url + "?lang=es").get_data(as_text=True))
    assert "Traduction : espagnol (es)" in page
    assert "tr-xx1" not in client.get(edit_url + "?lang=xx1").get_data(as_text=True)
    base = {"code": "P1", "label": "Ponctualité", "category": "", "pictogram": "",
            **{f"level_{n}": "" for n in range(6)}, "esco_uri": "", "rome_code": "",
            **_tr("en", "Punctuality", "Being on time", EN_LEVELS)}
    # level texts without a label are refused, the form comes back with what was typed
    refused = client.post(edit_url, data={**base, **_tr("es", "", "", ES_LEVELS)})
    assert refused.status_code == 400
    page = unescape(refused.get_data(as_text=True))
    assert "Donnez le libellé en « es »" in page and ES_LEVELS[2] in page
    db.expire_all()
    assert "es" not in version_of(db, key).competences[0].translations
    assert client.post(edit_url, data={**base, **_tr("es", "Puntualidad", "", ES_LEVELS)}
                       ).status_code == 302
    db.expire_all()
    es = version_of(db, key).competences[0].translations["es"]
    assert es["label"] == "Puntualidad" and es["levels"][2]["description"] == ES_LEVELS[2]
    assert es["levels"][2]["quality"] == "En cours d'acquisition"  # no Spanish names: badger's
    page = unescape(client.get(edit_url).get_data(as_text=True))
    assert "Traduction : espagnol (es)" in page  # declared now, no ?lang= needed
    # the English interface names the languages in English
    client.post("/language", data={"lang": "en", "next": "/"})
    assert "Translation: Spanish (es)" in unescape(client.get(edit_url).get_data(as_text=True))
    client.post("/language", data={"lang": "fr", "next": "/"})

    # published: CASE translation items with their own rubric criterion and levels
    assert client.post(f"/referentiels/{key}/v1/publish").status_code == 302
    db.expire_all()
    v = version_of(db, key)
    pkg = client.get(f"/ims/case/v1p0/CFPackages/{v.identifier}").get_json()
    assert case.schema_errors(pkg) == []
    fw = case.parse_package(json.dumps(pkg))
    back = fw.competences[0].translations
    assert [lv.description for lv in back["en"].levels] == EN_LEVELS
    assert back["es"].levels[2].description == ES_LEVELS[2]
    en_item = next(i for i in pkg["CFItems"] if i.get("language") == "en")
    criteria = [c for r in pkg["CFRubrics"] for c in r["CFRubricCriteria"]
                if c["CFItemURI"]["identifier"] == en_item["identifier"]]
    assert [lv["description"] for lv in criteria[0]["CFRubricCriterionLevels"]] == EN_LEVELS
    level_id = criteria[0]["CFRubricCriterionLevels"][5]["identifier"]
    assert client.get(f"/ims/case/v1p0/CFRubricCriterionLevels/{level_id}").status_code == 200
    client.post("/logout")
    html = unescape(client.get(f"/referentiels/{key}/v1").get_data(as_text=True))
    assert all(text in html for text in EN_LEVELS) and ES_LEVELS[2] in html
    assert 'lang="en"' in html and 'lang="es"' in html
    # and nothing changes it any more
    login_staff(client, admin)
    assert client.post(edit_url, data={**base, **_tr("en", "Changed")}).status_code == 409


def test_removing_a_translation_and_the_diff_shows_it(client: Any, admin: Any, db: Any,
                                                     org: Any) -> None:
    from badger import referentiels as service

    login_staff(client, admin)
    key = "grille-retrait"
    _create(client, org, key)
    _add(client, key, "P1", "Ponctualité", **_tr("en", "Punctuality", "", EN_LEVELS))
    client.post(f"/referentiels/{key}/v1/publish")
    assert client.post(f"/referentiels/{key}/new-version").status_code == 302
    v2 = version_of(db, key, 2)
    comp = v2.competences[0]
    assert comp.translations["en"]["levels"][0]["description"] == EN_LEVELS[0]
    assert client.post(f"/referentiels/{key}/v2/competences/{comp.id}/edit", data={
        "code": "P1", "label": "Ponctualité", **{f"level_{n}": "" for n in range(6)},
        **_tr("en", "")}).status_code == 302
    db.expire_all()
    assert version_of(db, key, 2).competences[0].translations == {}
    d = service.diff(version_of(db, key, 1), version_of(db, key, 2))
    assert d.as_json()["changed"] == [{"code": "P1", "fields": ["translations"]}]
    page = unescape(client.get(f"/referentiels/{key}/diff?from=1&to=2").get_data(as_text=True))
    assert "traductions" in page


# --------------------------------------------------------------------------- upgrade


def test_upgrade_shows_the_diff_and_keeps_grids_and_badges_pinned(
    client: Any, make: Any, db: Any, org: Any, admin: Any, coach: Any
) -> None:
    from sqlalchemy import select

    from badger import awards
    from badger.awards.models import Achievement, Credential
    from badger.grids.models import GroupSession, Round
    from badger.referentiels.models import Adoption
    from tests.awards import _factory
    from tests.referentiels.test_views import network_admin

    net = make.network("reseau-upgrade")
    publisher = network_admin(make, db, make.organisation("tete"), net, "pub@up.example.org")
    key = "reseau-upgrade-se"
    login_staff(client, publisher)
    client.post("/referentiels/new", data={"title": "Savoir-être", "key": key,
                                           "owner": f"net:{net.id}", "description": ""})
    _add(client, key, "A", "Alpha")
    _add(client, key, "B", "Beta")
    _add(client, key, "E", "Epsilon")
    client.post(f"/referentiels/{key}/v1/publish")
    client.post("/logout")

    # the member organisation adopts v1 and works with it: a session, grids, a badge, one award
    login_staff(client, admin)
    assert client.post(f"/referentiels/{key}/v1/adopt").status_code == 302
    v1 = version_of(db, key, 1)
    people = [make.participant(org, name) for name in ("Amina", "Bastien")]
    group = _factory.group_session(db, org, coach, v1, people)
    badge = _factory.achievement(db, org, admin, v1)
    awards.award_many(db, org, badge, [awards.AwardRequest(participant_id=people[0].id)],
                      actor=coach)
    db.commit()
    rounds_before = {r.id: r.referentiel_version_id for r in db.execute(select(Round)).scalars()}
    assert rounds_before and set(rounds_before.values()) == {v1.id}
    client.post("/logout")

    # the network publishes v2 (A renamed, B removed, C added), then v3 (D added)
    login_staff(client, publisher)
    client.post(f"/referentiels/{key}/new-version")
    v2 = version_of(db, key, 2)
    a = next(c for c in v2.competences if c.code == "A")
    b = next(c for c in v2.competences if c.code == "B")
    client.post(f"/referentiels/{key}/v2/competences/{a.id}/edit", data={
        "code": "A", "label": "Alpha bis", **{f"level_{n}": "" for n in range(6)}})
    client.post(f"/referentiels/{key}/v2/competences/{b.id}/delete")
    _add_to(client, key, 2, "C", "Gamma")
    assert client.post(f"/referentiels/{key}/v2/publish").status_code == 302
    client.post(f"/referentiels/{key}/new-version")
    _add_to(client, key, 3, "D", "Delta")
    assert client.post(f"/referentiels/{key}/v3/publish").status_code == 302
    client.post("/logout")

    login_staff(client, admin)
    adoption = db.execute(select(Adoption)).scalar_one()
    url = f"/referentiels/adoptions/{adoption.id}/upgrade"
    # the public page of v3 offers the upgrade, straight to the diff of that version
    assert f"{url}?to=3" in unescape(client.get(f"/referentiels/{key}/v3").get_data(as_text=True))
    page = unescape(client.get(url).get_data(as_text=True))  # latest by default
    assert "Ce qui change de la version 1 à la version 3" in page
    assert "Delta" in page and "Gamma" in page and "Beta" in page and "Alpha bis" in page
    assert "1 séance(s), 2 grille(s)" in page
    assert "Badges déjà attribués : 1." in page
    assert "Définitions de badge sur la version 1 : 1." in page and badge.name in page
    assert 'name="version" value="3"' in page
    page = unescape(client.get(f"{url}?to=2").get_data(as_text=True))
    assert "Ce qui change de la version 1 à la version 2" in page
    assert "Gamma" in page and "Delta" not in page
    assert 'name="version" value="2"' in page

    # no confirmation box ticked: nothing happens, the same diff comes back
    refused = client.post(url, data={"version": "2"})
    assert refused.status_code == 400
    assert "Cochez la case pour confirmer." in unescape(refused.get_data(as_text=True))
    assert "Ce qui change de la version 1 à la version 2" in unescape(
        refused.get_data(as_text=True))
    # an older or unknown version is refused
    assert client.post(url, data={"version": "1", "confirm": "y"}).status_code == 400
    assert client.post(url, data={"version": "9", "confirm": "y"}).status_code == 400
    assert client.post(url, data={"version": "2", "confirm": "y"}, csrf=False).status_code == 400
    db.expire_all()
    assert db.execute(select(Adoption)).scalar_one().version.number == 1

    done = client.post(url, data={"version": "2", "confirm": "y"}, follow_redirects=True)
    assert done.status_code == 200
    assert "Les grilles et les badges existants restent sur la version 1" in unescape(
        done.get_data(as_text=True))
    db.expire_all()
    assert db.execute(select(Adoption)).scalar_one().version.number == 2
    # everything made with v1 still cites v1
    assert {r.id: r.referentiel_version_id
            for r in db.execute(select(Round)).scalars()} == rounds_before
    assert db.get(GroupSession, group.id).referentiel_version_id == v1.id
    assert db.get(Achievement, badge.id).referentiel_version_id == v1.id
    credential = db.execute(select(Credential)).scalar_one()
    assert credential.achievement_id == badge.id
    v1 = version_of(db, key, 1)
    assert v1.is_published and [c.label for c in v1.competences] == ["Alpha", "Beta", "Epsilon"]
    # v2 → v3 next; nothing newer after that
    page = unescape(client.get(url).get_data(as_text=True))
    assert "Ce qui change de la version 2 à la version 3" in page
    assert "Badges déjà attribués : 0." in page  # nothing was made with v2 yet


def _add_to(client: Any, key: str, number: int, code: str, label: str) -> None:
    assert client.post(f"/referentiels/{key}/v{number}/competences/new", data={
        "code": code, "label": label, **{f"level_{n}": "" for n in range(6)}}
    ).status_code == 302


def test_category_labels_are_translated_too(client: Any, admin: Any, db: Any, org: Any) -> None:
    login_staff(client, admin)
    key = "grille-categories-en"
    _create(client, org, key)
    base = f"/referentiels/{key}/v1/categories"
    client.post(base, data={"label": "Savoir-être", "code": ""})
    cat = _cats(db, key)["Savoir-être"]
    page = unescape(client.get(f"/referentiels/{key}/v1/edit").get_data(as_text=True))
    assert f'id="cat-{cat.id}-tr-en"' in page and "Libellé (anglais)" in page
    assert client.post(f"{base}/{cat.id}", data={
        "action": "rename", "label": "Savoir-être", "code": cat.code,
        "tr-en-label": "Soft skills"}).status_code == 302
    assert _cats(db, key)["Savoir-être"].translations["en"]["label"] == "Soft skills"
    assert client.post(f"{base}/{cat.id}", data={
        "action": "rename", "label": "Savoir-être", "code": cat.code, "tr-en-label": "",
        "tr-es-label": "Habilidades blandas"}).status_code == 302
    assert set(_cats(db, key)["Savoir-être"].translations) == {"es"}
    assert client.post(f"{base}/{cat.id}", data={
        "action": "rename", "label": "Savoir-être", "code": cat.code,
        "tr-en-label": "Soft skills"}).status_code == 302
    assert _add(client, key, "P1", "Ponctualité", category=str(cat.id)).status_code == 302
    assert client.post(f"/referentiels/{key}/v1/publish").status_code == 302
    db.expire_all()
    v = version_of(db, key)
    pkg = client.get(f"/ims/case/v1p0/CFPackages/{v.identifier}").get_json()
    fw = case.parse_package(json.dumps(pkg))
    assert {lang: t.label for lang, t in fw.categories[0].translations.items()} == {
        "en": "Soft skills", "es": "Habilidades blandas"}
    html = unescape(client.get(f"/referentiels/{key}/v1").get_data(as_text=True))
    assert '<span lang="en" dir="auto"><span class="code">en</span> Soft skills</span>' in html
    assert client.post(f"{base}/{cat.id}", data={
        "action": "rename", "label": "Autre", "code": cat.code}).status_code == 409
