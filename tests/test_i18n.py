"""Every shipped catalogue (English, Arabic, Ukrainian…) covers every French message id of the
.pot with the same placeholders, its compiled file is current, and the .pot lists every message
of the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from badger.i18n import LANGUAGE_NAMES, shipped_languages

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "badger/translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "en/LC_MESSAGES/messages.po"
CATALOGUES = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
#: %(name)s / %(n)d, {name}, and HTML tags: a translation must carry exactly the same ones.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|</?[a-zA-Z][^>]*>")


def _key(value):
    """Plural entries carry tuples (or lists) of forms; make them comparable."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def _po(lang: str = "en"):
    return _read(TRANSLATIONS / lang / "LC_MESSAGES/messages.po")


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_shipped_catalogue_is_tested():
    """English and Arabic ship; any other catalogue is picked up by the tests below too."""
    assert {"en", "ar"} <= set(CATALOGUES)
    assert set(shipped_languages()) == {"fr", *CATALOGUES} & set(LANGUAGE_NAMES)


def test_catalogue_lists_every_message_in_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        extracted = {m.id for m in read_po(fh) if m.id}
    known = {m.id for m in _po() if m.id}
    missing = sorted(str(i) for i in extracted - known)
    assert not missing, f"run `make i18n` and translate: {missing[:20]}"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_catalogue_translates_every_message_of_the_pot(lang):
    catalogue = _po(lang)

    def translated(msgid) -> bool:
        found = catalogue.get(msgid)
        if found is None:
            return False
        return all(found.string) if isinstance(found.string, (list, tuple)) else bool(found.string)

    untranslated = [str(m.id) for m in _read(POT) if m.id and not translated(m.id)]
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:10]}"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_plural_messages_fill_every_form_of_the_language(lang):
    catalogue = _po(lang)
    plurals = [m for m in catalogue if m.id and isinstance(m.id, (list, tuple))]
    assert plurals, "the .pot has plural messages"
    for m in plurals:
        forms = _key(m.string)
        assert len(forms) == catalogue.num_plurals and all(forms), (lang, m.id)
    if lang == "ar":
        assert catalogue.num_plurals == 6  # zero, one, two, few, many, other


@pytest.mark.parametrize("lang", CATALOGUES)
def test_compiled_catalogue_matches_the_po_file(lang):
    po = TRANSLATIONS / lang / "LC_MESSAGES/messages.po"
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(fh) if m.id}
    source = {_key(m.id): _key(m.string) for m in _read(po) if m.id and m.string}
    assert compiled == source, f"pybabel compile -d badger/translations -l {lang}"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_translations_keep_their_placeholders(lang):
    """A msgstr with a different %(name)s placeholder would raise or lose data at render time;
    a lost or added {name} or HTML tag would break a page. Plural forms may drop the number
    only where the language says it in words (Arabic "one" and "two")."""
    catalogue = _po(lang)
    problems = [
        f"{message.id!r}: {'; '.join(str(e) for e in errors)}"
        for message, errors in catalogue.check()
        if errors
    ]
    for m in catalogue:
        if not m.id or not m.string:
            continue
        if isinstance(m.id, (list, tuple)):
            allowed = set(_placeholders(m.id[-1]))
            for form in m.string:
                if not set(_placeholders(form)) <= allowed:
                    problems.append(f"{m.id!r}: {form!r}")
        elif _placeholders(m.id) != _placeholders(m.string):
            problems.append(f"{m.id!r} → {m.string!r}")
    assert not problems, problems[:10]


@pytest.mark.parametrize("lang", CATALOGUES)
def test_translations_add_no_straight_double_quote(lang):
    """Templates print translations as trusted markup, often inside an attribute
    (``aria-label="{{ _('Télécharger « %(name)s »', …) }}"``): a ``"`` the French message does
    not have would end the attribute early. Quote with “ ” or « » instead."""
    bad = []
    for m in _po(lang):
        if not m.id or not m.string:
            continue
        plural = isinstance(m.id, (list, tuple))
        msgid = m.id[-1] if plural else m.id
        forms = m.string if plural else [m.string]
        bad += [(msgid, form) for form in forms if form.count('"') > msgid.count('"')]
    assert not bad, bad[:5]


def test_arabic_catalogue_says_it_needs_a_native_review():
    header = (TRANSLATIONS / "ar/LC_MESSAGES/messages.po").read_text(encoding="utf-8")[:800]
    assert "machine-assisted" in header.lower() and "native speaker" in header
    assert _po("ar").plural_forms.startswith("nplurals=6;")
