"""Flesch-Kincaid grade and Flesch reading ease over the generator's own sentence list.

No sentence splitting is needed: the generator knows its sentences. Syllables come from one pinned
regex heuristic (below), because `textstat>=0.7.9` downloads NLTK data at run time and libraries
disagree by up to two grades; every score is stored with `READABILITY_IMPL`.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

READABILITY_IMPL = "trialsync-fk/regex-syllables-v1"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
# Vowel pairs spoken as two syllables ("trial", "period", "radio", "usual", "sodium", "video"),
# but not in "-tion", "-cial", "-tious" or after "q" ("quality").
_TWO_VOWELS = re.compile(r"(?<![tcsg])i[aou]|(?<!q)ua|(?<![qg])uo|[dr]eo|[aeiouy]ing$")
_KEEP_ES = re.compile(r"(?:[szxcg]|ch|sh)es$")
_KEEP_ED = re.compile(r"[td]ed$")
# Common words the rules get wrong, pinned with their dictionary syllable counts.
_EXCEPTIONS = {
    "area": 3,
    "idea": 3,
    "ideas": 3,
    "create": 2,
    "created": 3,
    "creates": 2,
    "being": 2,
    "something": 2,
    "someone": 2,
    "sometimes": 2,
    "somewhere": 2,
    "everyone": 3,
    "baseline": 2,
    "lifetime": 2,
    "caregiver": 3,
    "caregivers": 3,
    "lifestyle": 2,
    "healthcare": 2,
    "people": 2,
    "business": 2,
    "every": 2,
    "evening": 2,
    "different": 3,
    "several": 3,
    "diabetes": 4,
    "female": 2,
    "safety": 2,
    "anyone": 3,
    "lifelong": 2,
    "males": 1,
    "females": 2,
    "science": 2,
    "quiet": 2,
    "diet": 2,
}


def _stem(w: str) -> str:
    """Drop written-but-silent endings: "-es" and "-ed" after most letters, a final silent "e"."""
    if _KEEP_ES.search(w):
        return w[1:] if w.startswith("y") else w
    if w.endswith("es"):
        w = w[:-1]
    elif w.endswith("ed") and not _KEEP_ED.search(w):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    # A final "e" after a consonant is silent, except in "-le" after a consonant ("table").
    consonant_le = w.endswith("le") and len(w) > 2 and w[-3] not in "aeiouy"
    if len(w) > 2 and w.endswith("e") and w[-2] not in "aeiouy" and not consonant_le:
        w = w[:-1]
    return w[1:] if w.startswith("y") else w


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Estimated syllables of one word (the pinned counter; numbers count one per digit, max 3)."""
    if word.isdigit():
        return min(len(word), 3)
    w = "".join(ch for ch in word.lower() if "a" <= ch <= "z")
    if len(w) <= 3:
        return 1
    if w in _EXCEPTIONS:
        return _EXCEPTIONS[w]
    stem = _stem(w)
    return max(1, len(_VOWEL_GROUPS.findall(stem)) + len(_TWO_VOWELS.findall(stem)))


def words(text: str) -> list[str]:
    """The words of a sentence (numbers count as words)."""
    return _WORD.findall(text)


@dataclass(frozen=True)
class Scores:
    """Readability of a list of sentences."""

    fk_grade: float
    reading_ease: float
    sentences: int
    words: int
    syllables: int
    words_per_sentence: float
    max_sentence_words: int
    impl: str = READABILITY_IMPL


def score(sentences: Sequence[str]) -> Scores | None:
    """FK grade and reading ease of the sentences, or None when there are no words."""
    counts = [words(s) for s in sentences]
    counts = [c for c in counts if c]
    n_words = sum(len(c) for c in counts)
    if not n_words:
        return None
    n_syll = sum(syllables(w) for c in counts for w in c)
    wps = n_words / len(counts)
    spw = n_syll / n_words
    return Scores(
        fk_grade=round(0.39 * wps + 11.8 * spw - 15.59, 2),
        reading_ease=round(206.835 - 1.015 * wps - 84.6 * spw, 2),
        sentences=len(counts),
        words=n_words,
        syllables=n_syll,
        words_per_sentence=round(wps, 2),
        max_sentence_words=max(len(c) for c in counts),
    )


def long_words(text: str, minimum: int = 3) -> list[str]:
    """Words of `text` with at least `minimum` syllables."""
    return [w for w in words(text) if not w.isdigit() and syllables(w) >= minimum]


def median(values: Sequence[float]) -> float:
    """Median (0.0 for no values)."""
    return float(statistics.median(values)) if values else 0.0
