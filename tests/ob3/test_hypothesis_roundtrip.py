"""Property: any text we accept (RTL, emoji, long, many results) signs and verifies, and any
change to it breaks the signature."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badger.ob3 import model, verify_proof

from ._factory import credential, resolver, signed

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300
) | st.sampled_from(["مرحبا بالعالم", "שלום", "🎓🏅✨", "Ça\u0301 va", "a" * 5000, "x\n\ty\r\n"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=text, ach=text, values=st.lists(text, min_size=0, max_size=25))
def test_sign_verify_round_trip(name: str, ach: str, values: list[str]) -> None:
    results = [model.result(value=v) for v in values]
    doc = signed(credential(name=name, achievement_name=ach, results=results))
    assert verify_proof(doc, resolver()).verified
    tampered = {**doc, "name": name + "."}
    assert verify_proof(tampered, resolver()).code == "signature_invalid"
