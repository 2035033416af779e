"""Readability formulas for the easy-to-read catalogues (tests/test_falc.py).

* French: Kandel & Moles (1958), Flesch's formula refitted to French:
  ``207 − 1.015 × words per sentence − 73.6 × syllables per word``.
* English: Flesch reading ease:
  ``206.835 − 1.015 × words per sentence − 84.6 × syllables per word``.

Both read 0 (very hard) to about 100 (very easy); above 70 is "easy", above 80 "very easy".
A sentence ends at ``.``, ``!``, ``?`` or a line break (an easy-to-read text puts one idea a
line). Syllables are counted by vowel groups, a documented approximation (no dictionary): a
group of written vowels is a syllable; French drops a final mute ``e``/``es`` ("reste", "lignes"),
English a final silent ``e`` ("make", not "table") and the ``e`` of ``-ed`` ("opened", not
"wanted"). Digits count as one word of one syllable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FR_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def syllables_fr(word: str) -> int:
    w = word.lower().replace("’", "'").split("'")[-1]  # "l'ancien" → "ancien"
    if w.isdigit():
        return 1
    count = len(re.findall(f"[{_FR_VOWELS}]+", w))
    if count > 1 and re.search(r"[^éè]es?$", w) and w.endswith(("e", "es")):
        count -= 1
    return max(count, 1)


def syllables_en(word: str) -> int:
    w = word.lower().replace("’", "'").split("'")[0]  # "coach's" → "coach"
    if w.isdigit():
        return 1
    count = len(re.findall(r"[aeiouy]+", w))
    silent_e = w.endswith("e") and not re.search(r"[^aeiouy]le$", w)
    silent_ed = w.endswith("ed") and not w.endswith(("ted", "ded"))
    if count > 1 and (silent_e or silent_ed):
        count -= 1
    return max(count, 1)


@dataclass(frozen=True)
class Counts:
    sentences: int
    words: int
    syllables: int

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.sentences + other.sentences, self.words + other.words,
                      self.syllables + other.syllables)


def counts(text: str, lang: str) -> Counts:
    count_syllables = syllables_fr if lang == "fr" else syllables_en
    text = _PLACEHOLDER.sub("", text)
    sentences = [s for s in re.split(r"[.!?\n]+", text) if _WORD.search(s)]
    words = _WORD.findall(text)
    return Counts(len(sentences), len(words), sum(count_syllables(w) for w in words))


def score(c: Counts, lang: str) -> float:
    per_sentence = c.words / c.sentences
    per_word = c.syllables / c.words
    if lang == "fr":
        return 207 - 1.015 * per_sentence - 73.6 * per_word  # Kandel–Moles
    return 206.835 - 1.015 * per_sentence - 84.6 * per_word  # Flesch reading ease
