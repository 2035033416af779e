"""The English catalogue covers every French message id, and the compiled file is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "badger/translations/en/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")


def _key(value):
    """Plural entries carry tuples (or lists) of forms; make them comparable."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _po():
    with PO.open("rb") as fh:
        return read_po(fh)


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


def test_every_message_has_an_english_translation():
    untranslated = [
        str(m.id)
        for m in _po()
        if m.id and not all(_key(m.string) if isinstance(m.string, (list, tuple)) else [m.string])
    ]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:10]}"


def test_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as fh:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(fh) if m.id}
    source = {_key(m.id): _key(m.string) for m in _po() if m.id and m.string}
    assert compiled == source, "run `make i18n` (pybabel compile)"


def test_translations_keep_their_placeholders():
    """A msgstr with a different %(name)s placeholder would raise or lose data at render time."""
    problems = [
        f"{message.id!r}: {'; '.join(str(e) for e in errors)}"
        for message, errors in _po().check()
        if errors
    ]
    assert not problems, problems[:10]
