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
        ("issuer_binding", "failed", "key_provenance_unverified"),
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


@pytest.mark.parametrize(("kind", "name", "state", "code"), _cases())
def test_each_check_has_a_sentence_for_its_state(
    app: Any, kind: str, name: str, state: str, code: str
) -> None:
    source = _source(kind, name, state, code)
    assert source is not None, f"no sentence written for {name}/{code} in state {state}"
    for lang in LANGS:
        with app.test_request_context(), force_locale(lang):
            plain = messages.plain_check(name, state, code, "technical words", kind)
            assert plain.text == str(source)
            assert plain.title != name, f"no title for step {name!r}"
            assert plain.label == str(messages.STATE_LABELS[state])
            french = source._args[0] if hasattr(source, "_args") else str(source)
            if lang != "fr":
                assert plain.text != french, f"{name}/{code} untranslated in {lang}"
                assert plain.label != str(messages.STATE_LABELS[state]._args[0])
            if lang in SCRIPT:
                assert SCRIPT[lang].search(plain.text) and SCRIPT[lang].search(plain.title)


@pytest.mark.parametrize("key", sorted(messages.WRITTEN_FOR))
def test_a_sentence_never_shows_in_another_state(app: Any, key: tuple[str, str]) -> None:
    """A check reported in a state its sentence was not written for gets another sentence."""
    name, code = key
    written = messages.WRITTEN_FOR[key]
    with app.test_request_context(), force_locale("fr"):
        own = str(messages.BY_CODE.get(key) or messages.ENDORSEMENT_BY_CODE[key])
        for state in STATES:
            if state == written:
                continue
            text = messages.plain_check(name, state, code).text
            assert text != own, (key, state)


def test_key_of_another_party_reads_as_failed_not_as_could_not_check(app: Any) -> None:
    with app.test_request_context(), force_locale("fr"):
        failed = messages.plain_check("issuer_binding", "failed", "key_provenance_unverified")
        unknown = messages.plain_check("issuer_binding", "unknown", "key_provenance_unverified")
    assert "Rien ne prouve" in failed.text and "pas pu" not in failed.text
    assert "pas pu" in unknown.text
