"""The easy-to-read catalogues (``badger/translations/falc/<lang>.po``, issue #17): they cover
every text of the participant's pages, keep each message's placeholders, and read easily.

Thresholds (README "Easy-to-read mode (FALC)"): over the rewritten texts taken together,
Kandel–Moles (French) and Flesch reading ease (English) at least 80 and better than the
ordinary texts they replace; no text of six words or more below 60 (French) or 50 (English).
A one- or two-word label ("Télécharger") is left out of the floor: a formula over one word
only measures that word's length."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from badger.i18n import FALC
from tests.readability import Counts, counts, score, syllables_en, syllables_fr

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "en", "ar", "uk")

#: The participant's pages (the recruiters' share page is not one of them).
PARTICIPANT_TEMPLATES = (
    "templates/accounts/participant_home.html",
    "templates/accounts/code_login.html",
    "templates/accounts/_easy_read_switch.html",
    "templates/_easy_read.html",
    "templates/grids/_grids.html",
    "templates/grids/fill_step.html",
    "templates/grids/fill_list.html",
    "templates/grids/fill_done.html",
    "templates/grids/my_grids.html",
    "templates/grids/compare.html",
    "templates/awards/claim.html",
    "templates/awards/claim_done.html",
    "templates/awards/my_offers.html",
    "templates/portfolio/index.html",
    "templates/portfolio/_badge.html",
    "templates/portfolio/shares.html",
    "templates/portfolio/share_detail.html",
    "templates/outcomes/mine.html",
    "templates/notifications/preferences.html",
)
#: Texts of those pages written in Python (form labels, messages after a grid step, logout).
#: Form labels are printed escaped: their easy-to-read text keeps to one line (test below).
PARTICIPANT_LABELS = (
    "Code de connexion", "Ajouter un badge reçu d'un autre organisme (son image ou son fichier)",
    "Téléphone ou e-mail à qui ce badge a été remis (s'il n'est pas celui de votre fiche)",
    "Pour qui ? (un nom pour vous en souvenir)", "Le lien marche pendant",
)
PARTICIPANT_PYTHON_TEXTS = (
    *PARTICIPANT_LABELS, "Se déconnecter", "Vos réponses sont enregistrées.",
    "Votre choix est enregistré.", "Votre réponse est enregistrée.",
)

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def _catalogue(path: Path) -> dict[object, object]:
    with path.open("rb") as fp:
        return {m.id: m.string for m in read_po(fp) if m.id}


@pytest.fixture(scope="module")
def falc() -> dict[str, dict[object, object]]:
    return {lang: _catalogue(FALC / f"{lang}.po") for lang in LANGUAGES}


def _ordinary(lang: str) -> dict[object, object]:
    if lang == "fr":
        return {}
    return _catalogue(ROOT / "badger/translations" / lang / "LC_MESSAGES/messages.po")


def participant_msgids() -> set[object]:
    found: set[object] = set(PARTICIPANT_PYTHON_TEXTS)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2)}
    for template in PARTICIPANT_TEMPLATES:
        for _line, msgid, _comments, _context in extract_from_file(
            "jinja2", ROOT / template, keywords=keywords,
            options={"extensions": "jinja2.ext.i18n"},
        ):
            found.add(msgid)
    return found


def test_every_participant_text_has_an_easy_to_read_entry(falc):
    wanted = participant_msgids()
    assert len(wanted) > 150  # the extraction found the pages' texts
    for lang in LANGUAGES:
        missing = sorted(str(m) for m in wanted if m not in falc[lang])
        assert not missing, f"falc/{lang}.po lacks {missing}"


def test_languages_follow_the_french_choice(falc):
    """A text rewritten in French is rewritten in every language; one the French catalogue
    leaves plain (empty: the ordinary text is easy already) is left plain everywhere."""
    for msgid, french in falc["fr"].items():
        for lang in LANGUAGES[1:]:
            assert msgid in falc[lang], f"falc/{lang}.po lacks {msgid!r}"
            text = falc[lang][msgid]
            written = any(text) if isinstance(text, tuple) else bool(text)
            rewritten = any(french) if isinstance(french, tuple) else bool(french)
            assert written == rewritten, f"falc/{lang}.po, {msgid!r}: {text!r}"
    assert set(falc["fr"]) == set(falc["en"]) == set(falc["ar"]) == set(falc["uk"])


def test_entries_are_current_messages_with_the_same_placeholders(falc):
    pot = _catalogue(ROOT / "badger/translations/messages.pot")
    for lang in LANGUAGES:
        for msgid, text in falc[lang].items():
            assert msgid in pot, f"falc/{lang}.po: {msgid!r} is no longer a message"
            source = msgid[0] if isinstance(msgid, tuple) else msgid
            for form in text if isinstance(text, tuple) else (text,):
                if not form:
                    continue
                assert sorted(_PLACEHOLDER.findall(form)) == sorted(
                    _PLACEHOLDER.findall(source)
                ), f"falc/{lang}.po, {msgid!r}: placeholders differ in {form!r}"
                # Printed as trusted markup, often inside an attribute (README "Languages").
                assert not re.search(r'["<>&]', form), f"falc/{lang}.po: {form!r}"
                assert "\n\n" not in form and form == form.strip()


#: A translation printed inside an attribute value (``title="{{ _('…') }}"``, data-* texts).
_IN_ATTRIBUTE = re.compile(
    r"""[\w-]+="[^"]*?\{\{\s*_\(\s*('(?:[^'\\]|\\.)*')"""
)


def test_texts_printed_in_attributes_are_one_line(falc):
    """Templates turn an easy-to-read text's lines into <br>: inside an attribute that would
    be read out as markup, and a form label prints it escaped, so a text printed there keeps
    to one line in every language."""
    in_attributes = set(PARTICIPANT_LABELS)
    for template in PARTICIPANT_TEMPLATES:
        source = (ROOT / template).read_text(encoding="utf-8")
        in_attributes |= {ast.literal_eval(m) for m in _IN_ATTRIBUTE.findall(source)}
    # the pattern finds them
    assert "Lien copié. Vous pouvez le coller dans un message." in in_attributes
    for lang in LANGUAGES:
        multiline = [m for m in in_attributes if "\n" in str(falc[lang].get(m) or "")]
        assert not multiline, f"falc/{lang}.po: {multiline}"


def test_syllable_counters_on_known_words():
    assert [syllables_fr(w) for w in ("badge", "coach", "compétence", "réponses", "l'ancien",
                                      "téléphone", "Écrivez", "5")] == [1, 1, 3, 2, 2, 3, 3, 1]
    assert [syllables_en(w) for w in ("badge", "coach", "table", "opened", "wanted",
                                      "answer", "phone", "coach's")] == [1, 1, 2, 2, 2, 2, 1, 1]


@pytest.mark.parametrize(("lang", "floor"), [("fr", 60), ("en", 50)])
def test_easy_to_read_texts_read_easily(falc, lang, floor):
    ordinary = _ordinary(lang)
    rewritten, before = Counts(0, 0, 0), Counts(0, 0, 0)
    low = []
    for msgid, text in falc[lang].items():
        if isinstance(msgid, tuple):
            continue
        plain = msgid if lang == "fr" else str(ordinary[msgid])
        c = counts(str(text) or plain, lang)
        if c.words >= 6 and score(c, lang) < floor:
            low.append((round(score(c, lang)), text or plain))
        if text:
            rewritten, before = rewritten + c, before + counts(plain, lang)
    assert not low, f"{lang}: below {floor}: {low}"
    assert rewritten.words > 500
    whole, was = score(rewritten, lang), score(before, lang)
    assert whole >= 80, f"{lang}: {whole:.1f}"
    assert whole > was + 5, f"{lang}: {whole:.1f} is no easier than the ordinary {was:.1f}"
