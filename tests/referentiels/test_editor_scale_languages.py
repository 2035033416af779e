"""The référentiel editor proposes badger's 0–5 level names in the language being translated
into (``case.BADGER_SCALE_NAMES``: fr, en, ar, uk), saves them as the translation's CASE level
names, and keeps the French names for the French levels and for a language badger has no names
in. The shipped packages carry the same names (build.py reads the same dict)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from badger.referentiels import case
from tests.conftest import login_staff
from tests.referentiels.test_shipped_translations import shipped
from tests.referentiels.test_views import _add, _create, network_admin, version_of

KEY = "voile-savoir-etre"
AR_NAMES = ["لم يُلاحَظ بعد", "اكتشاف", "قيد التعلّم", "مكتسَب بمساعدة", "مكتسَب باستقلالية",
            "متقَن وأنقله للآخرين"]
FR_NAMES = ["Pas encore observé", "Découverte", "En cours d'acquisition", "Acquis avec appui",
            "Acquis en autonomie", "Maîtrisé et transmis"]


def _hints(page: str, lang: str) -> list[tuple[str, str]]:
    """(lang attribute, text) of the level-name hints of the ``lang`` translation block."""
    return re.findall(rf'<p class="hint" id="tr-{lang}-level-\d-hint" lang="([\w-]+)" '
                      rf'dir="auto">(.*?)</p>', page)


def _setup(client: Any, make: Any, db: Any, org: Any) -> str:
    net = make.network("voile")
    login_staff(client, network_admin(make, db, org, net, "net@voile.example.org"))
    assert _create(client, f"net:{net.id}").status_code == 302
    assert _add(client, KEY, "P1", "Ponctualité").status_code == 302
    comp = version_of(db, KEY).competences[0]
    return f"/referentiels/{KEY}/v1/competences/{comp.id}/edit"


def test_arabic_translation_form_shows_arabic_level_names(client: Any, make: Any, db: Any,
                                                          org: Any) -> None:
    edit_url = _setup(client, make, db, org)
    page = unescape(client.get(edit_url + "?lang=ar").get_data(as_text=True))
    assert _hints(page, "ar") == [("ar", name) for name in AR_NAMES]
    assert _hints(page, "uk") == [("uk", n) for n in case.BADGER_SCALE_NAMES["uk"]]
    assert "Ще не помічено" in page
    # the French levels of the competence itself keep badger's French names
    assert re.findall(r'<p class="hint" id="level_\d-hint">(.*?)</p>', page) == FR_NAMES

    # saved: the Arabic translation's levels are named in Arabic, the French ones stay French
    levels = {f"tr-ar-level-{n}": f"وصف {n}" for n in range(6)}
    data = {"code": "P1", "label": "Ponctualité", "description": "", "category": "",
            "pictogram": "", **{f"level_{n}": "" for n in range(6)}, "esco_uri": "",
            "rome_code": "", "tr-ar-label": "الالتزام بالمواعيد", "tr-ar-description": "",
            **levels}
    assert client.post(edit_url, data=data).status_code == 302
    db.expire_all()
    comp = version_of(db, KEY).competences[0]
    assert [lv["quality"] for lv in comp.translations["ar"]["levels"]] == AR_NAMES
    assert [lv["quality"] for lv in comp.grid_levels()] == FR_NAMES


def test_a_language_without_badger_names_shows_the_french_names_marked_french(
        client: Any, make: Any, db: Any, org: Any) -> None:
    edit_url = _setup(client, make, db, org)
    page = unescape(client.get(edit_url + "?lang=es").get_data(as_text=True))
    assert _hints(page, "es") == [("fr", name) for name in FR_NAMES]


def test_shipped_translations_use_the_same_names() -> None:
    fw = shipped("france-travail-savoir-etre-2018")
    for lang in ("en", "ar", "uk"):
        levels = fw.competences[0].translations[lang].levels
        assert [lv.quality for lv in levels] == case.BADGER_SCALE_NAMES[lang]
    assert [name for _score, name in case.BADGER_SCALE] == FR_NAMES
