"""The shipped soft-skill référentiels (APELS, France Travail) carry badger's translations into
the interface languages (en, ar, uk): labels, the definitions that exist, badger's 0–5 level
names. They reach every database — fresh install, ``badger demo``, and a database that imported
the same version before it was translated — without changing any French text, CASE identifier
or credential."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from badger import referentiels as service
from badger.referentiels import case
from badger.referentiels.cli import on_init
from badger.referentiels.models import (
    CaseObject,
    Competence,
    PublishedVersionError,
    adding_translations,
)
from tests._shared import SHARED
from tests.conftest import login_participant

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ["apels-sport", "france-travail-savoir-etre-2018", "france-travail-rome4-savoir-etre"]
LANGS = {"en", "ar", "uk"}
AR = {"Accept-Language": "ar", "Accept": "text/html"}
FR = {"Accept-Language": "fr", "Accept": "text/html"}
EN = {"Accept-Language": "en", "Accept": "text/html"}


def shipped(key: str) -> case.Framework:
    return case.parse_package((ROOT / "referentiels" / f"{key}.json").read_bytes())


def untranslated_package(key: str) -> bytes:
    """The shipped package as it was before badger translated it."""
    fw = shipped(key)
    for it in fw.items:
        it.translations = {}
    return case.dumps(case.to_package(fw)).encode()


# --------------------------------------------------------------------------- the files


NEEDS_SHARED = pytest.mark.skipif(not (SHARED / "referentiels/data").is_dir(),
                                  reason="needs ../shared (the seed data build.py reads)")


def build_module() -> Any:
    spec = importlib.util.spec_from_file_location("referentiels_build",
                                                  ROOT / "referentiels/build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build


@NEEDS_SHARED
def test_shipped_files_are_what_build_py_writes() -> None:
    for fw in build_module().build(SHARED / "referentiels"):
        path = ROOT / "referentiels" / f"{fw.key}.json"
        assert case.dumps(case.to_package(fw)) == path.read_text("utf-8"), (
            f"{path.name} is stale: run .venv/bin/python referentiels/build.py"
        )


@pytest.mark.parametrize("key", TRANSLATED)
def test_every_item_is_translated_and_only_sourced_text(key: str) -> None:
    fw = shipped(key)
    data = json.loads((ROOT / "referentiels/translations" / f"{key}.json").read_text("utf-8"))
    names = case.BADGER_SCALE_NAMES
    assert len(fw.competences) == len(data["items"])
    for it in fw.competences:
        assert set(it.translations) == LANGS, it.code
        assert data["items"][it.code]["fr"]["label"] == it.label
        for lang, tr in it.translations.items():
            assert tr.label and tr.label != it.label
            # a definition is translated exactly when the source has one
            assert bool(tr.description) == bool(it.description), (it.code, lang)
            assert [(lv.score, lv.quality, lv.description) for lv in tr.levels] == [
                (float(s), names[lang][s], "") for s in range(6)
            ]
    ar = fw.competences[0].translations["ar"].label
    assert re.search(r"[\u0600-\u06ff]", ar)
    assert re.search(r"[\u0400-\u04ff]", fw.competences[0].translations["uk"].label)
    assert case.schema_errors(case.to_package(fw)) == []


def test_english_scale_names_are_the_ones_the_editor_uses() -> None:
    fw = shipped("apels-sport")
    levels = fw.competences[0].translations["en"].levels
    assert [lv.quality for lv in levels] == case.BADGER_SCALE_NAMES["en"]


def test_other_referentiels_are_not_translated() -> None:
    fw = shipped("clea")
    assert all(not it.translations for it in fw.items)


@NEEDS_SHARED
def test_build_refuses_a_translation_of_a_changed_text(tmp_path: Path) -> None:
    build = build_module()
    for p in (ROOT / "referentiels/translations").glob("*.json"):
        (tmp_path / p.name).write_text(p.read_text("utf-8"), "utf-8")
    build.TRANSLATIONS = tmp_path
    seed = SHARED / "referentiels"
    assert build.apels(seed).competences[1].translations["ar"].label
    data = json.loads((tmp_path / "apels-sport.json").read_text("utf-8"))
    data["items"]["APELS-02"]["fr"]["label"] = "Ponctualité (ancien intitulé)"
    (tmp_path / "apels-sport.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(SystemExit, match="APELS-02 translates another text"):
        build.apels(seed)
    data = json.loads((tmp_path / "france-travail-savoir-etre-2018.json").read_text("utf-8"))
    data["items"]["FT18-01"]["en"]["description"] = "An invented definition."
    (tmp_path / "france-travail-savoir-etre-2018.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(SystemExit, match="FT18-01@en definition"):
        build.france_travail(seed)


# --------------------------------------------------------------------------- in the app


def demo(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output


def amina_round(db: Any) -> tuple[Any, Any]:
    """The demo participant Amina and her round on the APELS grid (the demo session's)."""
    from badger.accounts.models import Participant
    from badger.grids.models import Journey, Round

    amina = db.execute(select(Participant).filter_by(display_name="Amina")
                       .execution_options(unscoped=True)).scalar_one()
    apels = service.get_version(db, "apels-sport", 1)
    assert apels is not None
    rnd = db.execute(
        select(Round).join(Journey).where(Journey.participant_id == amina.id,
                                          Round.referentiel_version_id == apels.id)
        .order_by(Round.id).execution_options(unscoped=True)
    ).scalars().first()
    assert rnd is not None and len(rnd.items) == 17
    return amina, rnd


def step_title(page: str) -> str:
    m = re.search(r'<h1 id="competence-title">(.*?)</h1>', page, re.S)
    assert m is not None, page[:2000]
    return m.group(1)


def assert_grid_speaks_the_page_language(client: Any, db: Any, make: Any) -> None:
    amina, rnd = amina_round(db)
    comp = db.get(Competence, rnd.items[1].competence_id)
    assert comp.label == "Ponctualité"
    arabic = comp.translations["ar"]["label"]
    login_participant(client, make, amina)
    for locale, headers, label in (("ar", AR, arabic), ("fr", FR, "Ponctualité"),
                                   ("en", EN, comp.translations["en"]["label"])):
        amina.locale = locale
        db.commit()
        response = client.get(f"/me/rounds/{rnd.id}/step/2", headers=headers)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert f'<html lang="{locale}"' in page
        # the label in the page's own language: unmarked (no lang="ar" in an Arabic page)
        assert step_title(page) == label, locale
        assert f'lang="ar" dir="auto">{arabic}' not in page
        level_3 = comp.translations[locale]["levels"][3]["quality"] if locale != "fr" else (
            "Acquis avec appui")
        assert f"<dd>{level_3}</dd>" in page


def test_demo_participant_in_arabic_sees_the_arabic_axis(app: Any, client: Any, db: Any,
                                                        make: Any) -> None:
    on_init(db, app)
    db.commit()
    demo(app)
    db.expire_all()
    assert_grid_speaks_the_page_language(client, db, make)


def test_referentiel_page_shows_the_translated_scale_names_in_their_language(
        app: Any, client: Any, db: Any) -> None:
    on_init(db, app)
    db.commit()
    page = client.get("/referentiels/apels-sport/v1", headers=FR).get_data(as_text=True)
    names = case.BADGER_SCALE_NAMES
    for lang in sorted(LANGS):
        legend = re.search(rf'<p class="translations" lang="{lang}" dir="auto">(.*?)</p>', page,
                           re.S)
        assert legend is not None, lang
        for score, name in enumerate(names[lang]):
            assert f'<span class="score">{score}</span> {name}' in legend.group(1)
    assert "Pas encore observé" in page
    clea = client.get("/referentiels/clea/v1", headers=FR).get_data(as_text=True)
    assert '<p class="translations"' not in clea


def test_coach_chart_in_french_marks_nothing_and_in_arabic_uses_arabic_labels(
        app: Any, client: Any, db: Any) -> None:
    from badger.accounts.models import User
    from badger.demo import DEMO_COACH
    from tests.conftest import login_staff

    on_init(db, app)
    db.commit()
    demo(app)
    db.expire_all()
    _amina, rnd = amina_round(db)
    coach = db.execute(select(User).filter_by(email=DEMO_COACH[0])).scalar_one()
    coach.test_password = DEMO_COACH[2]
    login_staff(client, coach)
    coach.locale = "ar"
    db.commit()
    svg = client.get(f"/rounds/{rnd.id}/chart.svg", headers=AR).get_data(as_text=True)
    labels = re.findall(r'<text class="axis-label" data-axis="\d+"([^>]*)>(.*?)</text>', svg,
                        re.S)
    assert len(labels) == 17
    # every axis is translated: none is marked as another language than the chart's
    assert all('lang="fr"' not in attrs for attrs, _ in labels)
    words = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", labels[1][1]))
    assert words == "الالتزام بالمواعيد" and "Ponctualité" not in svg
    coach.locale = "fr"
    db.commit()
    svg = client.get(f"/rounds/{rnd.id}/chart.svg", headers=FR).get_data(as_text=True)
    assert "Ponctualité" in svg and "الالتزام بالمواعيد" not in svg
    assert not re.search(r'<text class="axis-label"[^>]* lang=', svg)


def test_a_database_imported_before_the_translations_gains_them(
        app: Any, client: Any, db: Any, make: Any, tmp_path: Path) -> None:
    """The same version, imported untranslated and already cited by grids and credentials, gets
    the translations from the next ``badger init``: French texts, identifiers, credentials and
    CASE URLs stay; the package becomes the fresh install's, byte for byte."""
    from badger.awards.models import Credential

    for path in sorted((ROOT / "referentiels").glob("*.json")):  # what an older badger shipped
        raw = untranslated_package(path.stem) if path.stem in TRANSLATED else path.read_bytes()
        service.import_framework(db, case.parse_package(raw), key=path.stem, shipped=True)
    db.commit()
    demo(app)
    db.expire_all()
    version = service.get_version(db, "apels-sport", 1)
    assert version is not None
    assert all(not c.translations for c in version.competences)
    before = {c.identifier: (c.label, c.description, c.levels) for c in version.competences}
    objects = set(db.scalars(select(CaseObject.identifier)
                             .where(CaseObject.version_id == version.id)))
    creds = {c.id: c.signed_json for c in db.scalars(
        select(Credential).execution_options(unscoped=True))}
    assert creds
    old_hash = version.content_hash

    on_init(db, app)  # `badger init` after upgrading badger
    db.commit()
    db.expire_all()
    version = service.get_version(db, "apels-sport", 1)
    assert version is not None
    assert {c.identifier: (c.label, c.description, c.levels)
            for c in version.competences} == before
    assert all(set(c.translations) == LANGS for c in version.competences)
    assert version.content_hash != old_hash
    assert version.content_hash == service.content_hash(shipped("apels-sport"))
    now = set(db.scalars(select(CaseObject.identifier)
                         .where(CaseObject.version_id == version.id)))
    assert objects < now
    # credentials untouched; their alignment still names the French label and resolves
    assert {c.id: c.signed_json for c in db.scalars(
        select(Credential).execution_options(unscoped=True))} == creds
    issued = [signed for signed in creds.values() if signed]
    assert issued
    for signed in issued:
        doc = json.loads(signed)
        align = doc["credentialSubject"]["achievement"]["alignment"][0]
        comp = next(c for c in version.competences if align["targetUrl"].endswith(c.identifier))
        assert align["targetName"] == comp.label == before[comp.identifier][0]
        assert service.alignment(comp)["targetName"] == comp.label
        assert client.get(align["targetUrl"].removeprefix("http://localhost")).status_code == 200
    # the CASE package served is the shipped file (plus the crosswalks served beside it),
    # valid against the official schema
    pkg = client.get(f"/ims/case/v1p0/CFPackages/{version.identifier}").get_json()
    assert case.schema_errors(pkg) == []
    from tests.referentiels.test_views import without_crosswalks

    assert without_crosswalks(pkg) == case.to_package(shipped("apels-sport"),
                                                      base_url="http://localhost")
    tr_item = next(i for i in pkg["CFItems"] if i.get("language") == "ar")
    assert client.get(f"/ims/case/v1p0/CFItems/{tr_item['identifier']}").status_code == 200
    # and again: nothing to do
    stamps = version.updated_at
    on_init(db, app)
    db.commit()
    db.expire_all()
    assert service.get_version(db, "apels-sport", 1).updated_at == stamps  # type: ignore[union-attr]
    assert_grid_speaks_the_page_language(client, db, make)


def test_only_translations_are_added_and_only_to_shipped_versions(app: Any, db: Any,
                                                                  make: Any) -> None:
    from badger.errors import UserError

    org = make.organisation("org-t", "Organisation T")
    fw = case.parse_package(untranslated_package("apels-sport"))
    service.import_framework(db, fw, key="apels-sport", organisation_id=org.id)
    db.commit()
    # an organisation's published version: translations are content like any other
    with pytest.raises(UserError) as err:
        service.import_framework(db, shipped("apels-sport"), key="apels-sport",
                                 organisation_id=org.id)
    assert err.value.status == 409
    db.rollback()


def test_a_shipped_version_refuses_a_changed_label_or_translation(app: Any, db: Any) -> None:
    from badger.errors import UserError

    service.import_framework(db, shipped("apels-sport"), key="apels-sport", shipped=True)
    db.commit()
    changed = shipped("apels-sport")
    changed.competences[1].translations["ar"].label = "غير ذلك"
    with pytest.raises(UserError):
        service.import_framework(db, changed, key="apels-sport", shipped=True)
    db.rollback()
    relabelled = shipped("apels-sport")
    relabelled.competences[1].label = "Ponctualité !"
    with pytest.raises(UserError):
        service.import_framework(db, relabelled, key="apels-sport", shipped=True)
    db.rollback()
    version = service.get_version(db, "apels-sport", 1)
    assert version is not None
    comp = version.competences[1]
    assert comp.translations["ar"]["label"] != "غير ذلك" and comp.label == "Ponctualité"


def test_the_guard_allows_translations_and_nothing_else(app: Any, db: Any) -> None:
    service.import_framework(db, shipped("clea"), key="clea", shipped=True)
    db.commit()
    version = service.get_version(db, "clea", 1)
    assert version is not None
    comp = version.competences[0]
    comp.translations = {"en": {"label": "Communicating in French"}}
    with pytest.raises(PublishedVersionError):
        db.flush()  # outside adding_translations
    db.rollback()
    with adding_translations(db):
        comp.label = "Autre chose"
        comp.translations = {"en": {"label": "Communicating in French"}}
        with pytest.raises(PublishedVersionError):
            db.flush()
    db.rollback()
    with adding_translations(db):
        version.title = "Autre titre"
        with pytest.raises(PublishedVersionError):
            db.flush()
    db.rollback()
    with adding_translations(db):
        db.delete(version.competences[0])
        with pytest.raises(PublishedVersionError):
            db.flush()
    db.rollback()


def test_the_guard_lets_a_published_competence_gain_a_pictogram_never_change_it(
    app: Any, db: Any
) -> None:
    """The exception for shipped versions lets a competence *gain* a pictogram. The guard is
    the last line behind every code path: inside that exception it must still refuse a
    pictogram replaced or removed (a badge's competence drawn differently from what was
    published)."""
    service.import_framework(db, shipped("clea"), key="clea", shipped=True)
    db.commit()
    version = service.get_version(db, "clea", 1)
    assert version is not None
    comp = version.competences[0]
    assert comp.pictogram  # every shipped competence has one
    with adding_translations(db):
        comp.pictogram = "lock"
        with pytest.raises(PublishedVersionError):
            db.flush()
    db.rollback()
    with adding_translations(db):
        comp.pictogram = None
        with pytest.raises(PublishedVersionError):
            db.flush()
    db.rollback()
