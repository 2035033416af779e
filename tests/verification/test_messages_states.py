"""Every check the verifier can report has a plain sentence written for its state, in every
language: no "verified"-sounding sentence on a failed or unchecked step, and the reverse."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask_babel import force_locale

from badger.ob3.verify import ENDORSEMENT, OPEN_BADGE
from badger.verification import messages

from ._emitted import STATES, emitted

EMITTED = sorted(emitted())
#: Only a bare endorsement is looked up at its own address (service._check_publication).
ENDORSEMENT_ONLY = {("status", "published"), ("status", "withdrawn")}
LANGS = ("fr", "en", "ar", "uk")
SCRIPT = {"ar": re.compile("[\u0600-\u06ff]"), "uk": re.compile("[\u0400-\u04ff]")}


def _cases() -> list[tuple[str, str, str, str]]:
    return [
        (kind, name, state, code)
        for name, state, code in EMITTED
        for kind in (OPEN_BADGE, ENDORSEMENT)
        if kind == ENDORSEMENT or (name, code) not in ENDORSEMENT_ONLY
    ]


def _source(kind: str, name: str, state: str, code: str) -> Any:
    """The message (lazy, French id) a check gets, or None when only the plain fallback of its
    state would be shown."""
    if messages.WRITTEN_FOR.get((name, code)) == state:
        table = messages.ENDORSEMENT_BY_CODE if kind == ENDORSEMENT else {}
        return table.get((name, code)) or messages.BY_CODE.get((name, code))
    if (name, state, code) in messages.BY_CODE_AND_STATE:
        return messages.BY_CODE_AND_STATE[(name, state, code)]
    if name == "status" and state == "unknown":  # "could not tell whether it was withdrawn"
        return messages.ENDORSEMENT_STATUS_UNKNOWN if kind == ENDORSEMENT else (
            messages.STATUS_UNKNOWN
        )
    return None


def test_the_enumeration_finds_the_known_outcomes() -> None:
    """The AST enumerator really reads the code (a broken one would make the test below
    vacuous)."""
    found = set(EMITTED)
    assert len(found) > 80
    assert {
        ("proof", "unknown", "proof_unsupported"),
        ("proof", "unknown", "jwt_alg_unsupported"),
        ("proof", "failed", "signature_invalid"),
        ("issuer_binding", "failed", "controller_mismatch"),
        ("issuer_binding", "unknown", "key_provenance_unverified"),
        ("status", "failed", "superseded"),
        ("status", "failed", "holder_erased"),
        ("status", "passed", "published"),
        ("format", "passed", "vc20"),
    } <= found
    assert {s for _, s, _ in found} == set(STATES)


def test_every_message_declares_its_state() -> None:
    tables = set(messages.BY_CODE) | set(messages.ENDORSEMENT_BY_CODE)
    assert tables <= set(messages.WRITTEN_FOR), sorted(tables - set(messages.WRITTEN_FOR))
    assert set(messages.WRITTEN_FOR.values()) <= set(STATES)


@pytest.mark.parametrize("lang", LANGS)
def test_each_check_has_a_sentence_for_its_state(app: Any, lang: str) -> None:
    """Every (kind, check, state, code) the verifier can report, in ``lang``: a sentence written
    for that state, translated, with a translated title and state label."""
    problems: list[str] = []
    cases = _cases()
    with app.test_request_context(), force_locale(lang):
        for kind, name, state, code in cases:
            where = f"{kind}/{name}/{state}/{code}"
            source = _source(kind, name, state, code)
            if source is None:
                problems.append(f"{where}: no sentence written for this state")
                continue
            plain = messages.plain_check(name, state, code, "technical words", kind)
            french = source._args[0]
            if plain.text != str(source):
                problems.append(f"{where}: shows {plain.text!r}")
            if plain.title == name:
                problems.append(f"{where}: no title for the step")
            if plain.label != str(messages.STATE_LABELS[state]):
                problems.append(f"{where}: label {plain.label!r}")
            if lang != "fr" and (
                plain.text == french
                or plain.label == messages.STATE_LABELS[state]._args[0]
            ):
                problems.append(f"{where}: untranslated in {lang}")
            if lang in SCRIPT and not (
                SCRIPT[lang].search(plain.text) and SCRIPT[lang].search(plain.title)
            ):
                problems.append(f"{where}: not written in the {lang} script")
    assert len(cases) > 150
    assert not problems, "\n".join(problems)


def test_a_sentence_never_shows_in_another_state(app: Any) -> None:
    """A check reported in a state its sentence was not written for gets another sentence."""
    shown: list[str] = []
    with app.test_request_context(), force_locale("fr"):
        for (name, code), written in sorted(messages.WRITTEN_FOR.items()):
            key = (name, code)
            own = str(messages.BY_CODE.get(key) or messages.ENDORSEMENT_BY_CODE[key])
            for state in STATES:
                if state != written and messages.plain_check(name, state, code).text == own:
                    shown.append(f"{name}/{code} ({written}) shown as {state}")
    assert not shown, shown


def test_key_of_another_party_reads_as_failed_not_as_could_not_check(app: Any) -> None:
    with app.test_request_context(), force_locale("fr"):
        failed = messages.plain_check("issuer_binding", "failed", "controller_mismatch")
        unknown = messages.plain_check("issuer_binding", "unknown", "key_provenance_unverified")
    assert "ne vient pas de l'organisme" in failed.text and "pas pu" not in failed.text
    assert "pas pu" in unknown.text
