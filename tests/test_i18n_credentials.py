"""A credential follows its language through the catalogues: a participant who reads Arabic,
holding a badge translated into Arabic, receives a credential whose achievement, evidence
texts and chart picture are in Arabic — signed, schema-valid and verified like any other."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from PIL import Image

from badger import grids
from badger.awards import service
from badger.ob3 import find_undefined_terms
from badger.ob3.schema import validate_credential
from badger.ob3.verify import verify_credential
from tests.awards import _factory
from tests.awards import conftest as awards_fixtures
from tests.conftest import login_participant

# The awards fixtures (an adopted référentiel, a badge, a resolver on the app's endpoints).
version = awards_fixtures.version
achievement = awards_fixtures.achievement
resolver = awards_fixtures.resolver

EMAIL = "yasmina@example.org"
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")


def _translate_into_arabic(db: Any, org: Any, ach: Any) -> None:
    service.update_achievement(db, ach, org, service.AchievementInput(
        competence_id=ach.competence_id, name=ach.name, description=ach.description,
        criteria=ach.criteria_narrative, min_level=ach.min_level, language=ach.language,
        translations=[service.TranslationInput(
            language="ar", name="الالتزام بالمواعيد", description="يصل في الوقت إلى كل حصة.",
            criteria="المستوى 3 أو أكثر، بالاتفاق مع المرافق.")]))  # fmt: skip
    db.commit()


def test_arabic_reader_gets_an_arabic_credential(
    app: Any,
    db: Any,
    make: Any,
    org: Any,
    coach: Any,
    version: Any,
    achievement: Any,
    resolver: Any,
) -> None:
    _translate_into_arabic(db, org, achievement)
    person = make.participant(org, "Yasmina", email=EMAIL)
    person.locale = "ar"
    db.commit()
    gs = _factory.group_session(db, org, coach, version, [person])
    rnd = grids.session_rounds(db, gs)[person.id]
    items = [it.competence_id for it in rnd.items]
    grids.save_ratings(db, rnd, role="self", actor=person,
                       entries=[grids.RatingInput(cid, 4) for cid in items])  # fmt: skip
    grids.submit_self_assessment(db, rnd, person)
    grids.save_ratings(db, rnd, role="coach", actor=coach,
                       entries=[grids.RatingInput(cid, 3) for cid in items])  # fmt: skip
    db.commit()
    vc = _factory.validate(db, rnd, version.competences[0], coach, person, level=4)

    pc = app.test_client()
    login_participant(pc, make, person)
    offers = pc.get("/me/badges").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in offers and "أقبل هذه الشارة" in offers
    response = pc.post("/me/badges", data={"validated_competence_id": vc.id,
                                           "achievement_id": achievement.id,
                                           "decision": "accept", "attach_chart": "1"})  # fmt: skip
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    cred = _factory.only_credential(app)
    assert cred.language == "ar"
    files = {fmt: pc.get(f"/me/badges/{cred.id}/file.{fmt}").get_data()
             for fmt in ("json", "jwt", "png", "svg")}  # fmt: skip
    doc = json.loads(files["json"])
    assert validate_credential(doc) == [] and find_undefined_terms(doc) == []

    ach = doc["credentialSubject"]["achievement"]
    assert (ach["name"], ach["inLanguage"]) == ("الالتزام بالمواعيد", "ar")
    assert ach["criteria"]["narrative"] == "المستوى 3 أو أكثر، بالاتفاق مع المرافق."
    assert doc["name"] == "الالتزام بالمواعيد"
    # every evidence text comes from the Arabic catalogue
    names = [e.get("name", "") for e in doc["evidence"]]
    assert "جدول المهارات — جولة « البداية »" in names  # "Grille de compétences — passage …"
    assert "رسم عنكبوتي: التقييم الذاتي ورأي المرافق (coach)" in names  # the chart
    assert any(n.startswith("الحصة « ") for n in names)  # "Séance « … » du …"
    grid = next(e for e in doc["evidence"] if e.get("genre") not in (None, "Image")
                and e["name"].startswith("جدول"))  # fmt: skip
    assert grid["description"].startswith("المستوى المتفق عليه: 4/5")
    for e in doc["evidence"]:
        assert ARABIC_LETTER.search(e.get("name", "")), e
    text = json.dumps(doc["evidence"], ensure_ascii=False)
    for french in ("Grille de compétences", "Niveau convenu", "Séance «", "Graphique radar"):
        assert french not in text

    # the chart picture: Arabic title in its PNG text chunk, no name of the person
    chart = next(e for e in doc["evidence"] if e.get("genre") == "Image")
    token = chart["id"].rsplit("/", 1)[1]
    body = app.test_client().get(f"/evidence/{token}").get_data()
    with Image.open(io.BytesIO(body)) as img:
        chunks = " ".join(str(v) for v in img.text.values())  # type: ignore[attr-defined]
    assert "جدول المهارات — البداية" in chunks and "Yasmina" not in chunks

    for fmt, blob in files.items():
        report = verify_credential(blob, resolver=resolver, recipient=(EMAIL, "emailAddress"))
        assert report.verified, (fmt, report.to_dict()["checks"])
